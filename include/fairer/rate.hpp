// Crude rates with Byar's or exact Poisson limits: PHEindicatormethods phe_rate (R/Rates.R),
// specs/indicator-methods.md §3.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fairer/confidence_intervals.hpp"
#include "fairer/detail/indicator_rows.hpp"
#include "fairer/row_groups.hpp"

namespace fairer {

// Which limits a row got: exact below 10 events, Byar's from 10, none when x is missing.
enum class RateMethod : std::int8_t { missing = -1, exact = 0, byars = 1 };

struct RateResult {
    std::vector<double> numerator;    // summed x per group; empty when ungrouped
    std::vector<double> denominator;  // summed n per group; empty when ungrouped
    std::vector<double> value;        // x / n * multiplier
    std::vector<double> confidence;   // the levels, as fractions
    std::vector<std::vector<double>> lower;  // lower[level][row]
    std::vector<std::vector<double>> upper;
    std::vector<RateMethod> method;
};

namespace detail {

// Exact limits for the integer counts 0..9 at one level, computed once: the inverse incomplete
// gamma is by far the slowest step and most small counts are integers.
class SmallCountLimits {
public:
    explicit SmallCountLimits(double confidence) : confidence_(confidence) {
        for (std::size_t k = 0; k < table_.size(); ++k)
            table_[k] = exact_poisson_unchecked(static_cast<double>(k), confidence);
    }
    Interval operator()(double x) const {
        const double k = std::floor(x);
        if (k == x && x >= 0.0 && x < static_cast<double>(table_.size())) return table_[static_cast<std::size_t>(k)];
        return exact_poisson_unchecked(x, confidence_);
    }

private:
    double confidence_;
    std::array<Interval, 10> table_{};
};

}  // namespace detail

// A crude rate x / n * m per row, or per group of summed rows, with limits for the count x:
//   x < 10:  exact_poisson_interval(x, c) / n * m     (method exact)
//   x >= 10: byars_interval(x, c) / n * m             (method byars; a negative lower limit is NaN)
// Reference: Breslow & Day (1987) vol. II p. 69 (Byar); Garwood (1936) (exact);
// PHEindicatormethods 2.1.0 phe_rate. Defaults as the package: 95%, per 100,000.
// x > n is allowed. Each level may be a fraction or a percentage (>= 90), in (0, 1) once scaled.
// Grouped: x and n summed per group first (missing propagates); a single group is aggregated too
// (deliberate difference, as for proportion()). Missing x gives missing limits and method; missing
// n gives missing value and limits, method from x (as the package). Throws StatisticsError naming
// the group and row for x < 0, n <= 0, an infinite count, mismatched lengths, a bad level or multiplier.
inline RateResult rate(const ConstColumn& x, const ConstColumn& n, const std::vector<double>& confidence = {0.95},
                       double multiplier = 100000.0, const RowGroups* groups = nullptr) {
    detail::check_lengths(x, n, groups);
    detail::check_numerators(x, groups);
    detail::check_denominators(n, groups);
    detail::check_multiplier(multiplier);

    RateResult r;
    r.confidence = detail::scaled_levels(confidence);
    const detail::CountRows counts = detail::count_rows(x, n, groups, r.numerator, r.denominator);
    const std::size_t rows = counts.size;
    const double* xs = counts.x;
    const double* ns = counts.n;

    r.value.resize(rows);
    r.method.resize(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        r.value[i] = xs[i] / ns[i] * multiplier;
        r.method[i] = std::isnan(xs[i])                    ? RateMethod::missing
                      : xs[i] < exact_poisson_threshold ? RateMethod::exact
                                                        : RateMethod::byars;
    }
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    for (double c : r.confidence) {
        const double z = z_value(c);
        const detail::SmallCountLimits small(c);
        std::vector<double> lo(rows), hi(rows);
        for (std::size_t i = 0; i < rows; ++i) {
            Interval ci{nan, nan};
            if (r.method[i] == RateMethod::exact) ci = small(xs[i]);
            else if (r.method[i] == RateMethod::byars) ci = detail::byars_with_z(xs[i], z);
            lo[i] = ci.lower / ns[i] * multiplier;
            hi[i] = ci.upper / ns[i] * multiplier;
        }
        r.lower.push_back(std::move(lo));
        r.upper.push_back(std::move(hi));
    }
    return r;
}

}  // namespace fairer
