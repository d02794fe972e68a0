// Proportions with Wilson score limits: PHEindicatormethods phe_proportion (R/Proportions.R),
// specs/indicator-methods.md §2.
#pragma once

#include <cstddef>
#include <vector>

#include "fairer/confidence_intervals.hpp"
#include "fairer/detail/indicator_rows.hpp"
#include "fairer/row_groups.hpp"

namespace fairer {

struct ProportionResult {
    std::vector<double> numerator;    // summed x per group; empty when ungrouped (rows are the input rows)
    std::vector<double> denominator;  // summed n per group; empty when ungrouped
    std::vector<double> value;        // x / n * multiplier
    std::vector<double> confidence;   // the levels, as fractions
    std::vector<std::vector<double>> lower;  // lower[level][row]
    std::vector<std::vector<double>> upper;
};

// A proportion x / n per row, or per group of summed rows, with Wilson score limits:
//   value = x / n * m,  lower/upper = wilson_interval(x, n, c) * m   (see wilson_interval).
// Reference: Wilson EB (1927) JASA 22:209-212; PHEindicatormethods 2.1.0 phe_proportion.
// Defaults as the package: 95% limits, multiplier 1 (100 gives percentages). Each confidence
// level may be a fraction or a percentage (>= 90), in (0, 1) once scaled; any number of levels.
// Grouped (groups != nullptr): x and n are summed within each group first; a missing value makes
// the group's sums missing (R's sum). Deliberate difference: a single group is aggregated too (the
// package returns the rows unaggregated when a grouped table has exactly one group).
// Missing x or n gives missing value and limits. Throws StatisticsError naming the group and row
// for x < 0, n <= 0, x > n, an infinite count, mismatched lengths or a bad level or multiplier.
inline ProportionResult proportion(const ConstColumn& x, const ConstColumn& n,
                                   const std::vector<double>& confidence = {0.95}, double multiplier = 1.0,
                                   const RowGroups* groups = nullptr) {
    detail::check_lengths(x, n, groups);
    // Checked in the package's order, each over all rows, so the first error matches its.
    detail::check_numerators(x, groups);
    detail::check_denominators(n, groups);
    for (Eigen::Index i = 0; i < x.size(); ++i)
        if (x[i] > n[i])
            throw StatisticsError("numerators must be less than or equal to denominator for a proportion statistic: " +
                                  detail::where(groups, static_cast<std::size_t>(i)) + " has " +
                                  detail::number_text(x[i]) + " > " + detail::number_text(n[i]));
    detail::check_multiplier(multiplier);

    ProportionResult r;
    r.confidence = detail::scaled_levels(confidence);
    const detail::CountRows counts = detail::count_rows(x, n, groups, r.numerator, r.denominator);
    const std::size_t rows = counts.size;
    const double* xs = counts.x;
    const double* ns = counts.n;

    r.value.resize(rows);
    for (std::size_t i = 0; i < rows; ++i) r.value[i] = xs[i] / ns[i] * multiplier;
    for (double c : r.confidence) {
        const double z = z_value(c);
        std::vector<double> lo(rows), hi(rows);
        for (std::size_t i = 0; i < rows; ++i) {
            // NaN inputs flow through the closed form to NaN limits.
            const Interval ci = detail::wilson_with_z(xs[i], ns[i], z);
            lo[i] = ci.lower * multiplier;
            hi[i] = ci.upper * multiplier;
        }
        r.lower.push_back(std::move(lo));
        r.upper.push_back(std::move(hi));
    }
    return r;
}

}  // namespace fairer
