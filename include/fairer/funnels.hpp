// Funnel plots: control limits around an overall average, and the significance of each area
// against them, for proportions (Wilson), ratios of observed to expected counts and crude or
// directly standardised rates (both Poisson). The methods are those of the Fingertips technical
// guidance as implemented in PHEindicatormethods 2.1.0 (R/Funnels.R, R/utils.R), restated in
// specs/indicator-methods.md §10. The package's grid and bisection rules are copied exactly so
// that a chart drawn from fairer's limits matches one drawn from the package's; where the copy
// keeps an oddity of the package the comment says "Copied".
//
// Deliberate differences from the package (all tested):
// * Inputs the package lets through and turns into meaningless limits are rejected with a
//   StatisticsError naming the row: negative or infinite numerators, non-positive denominators,
//   a proportion's numerator above its denominator, a rate missing or <= 0 where there are events.
// * assign_funnel_significance for ratios stops with an R error on a missing observed or expected
//   value; ratio_funnel_significance gives that row FunnelSignificance::missing instead.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "fairer/confidence_intervals.hpp"
#include "fairer/detail/csv.hpp"
#include "fairer/errors.hpp"

namespace fairer {

// A read-only column of doubles (not owned): a std::vector, a numpy buffer or any pointer and
// length. An absent optional column (a rate-funnel denominator) has data == nullptr.
struct FunnelColumn {
    const double* data = nullptr;
    std::size_t size = 0;

    FunnelColumn() = default;
    FunnelColumn(const double* d, std::size_t n) : data(d), size(n) {}
    // Implicit so that C++ callers can pass their vectors as they are.
    FunnelColumn(const std::vector<double>& v) : data(v.data()), size(v.size()) {}

    bool present() const noexcept { return data != nullptr; }
    double operator[](std::size_t i) const noexcept { return data[i]; }
};

enum class RatioType { count, isr };
enum class RateType { dsr, crude };

// The package's significance labels, in the order of its factor levels; `missing` is fairer's
// label for a row whose inputs are missing (see ratio_funnel_significance).
enum class FunnelSignificance : std::int8_t {
    missing = -1,
    high_001 = 0,
    high_025 = 1,
    low_001 = 2,
    low_025 = 3,
    not_significant = 4,
    not_applicable = 5,
};

// The package's text for each label ("" for missing).
inline std::string_view to_string(FunnelSignificance s) {
    switch (s) {
        case FunnelSignificance::high_001: return "High (0.001)";
        case FunnelSignificance::high_025: return "High (0.025)";
        case FunnelSignificance::low_001: return "Low (0.001)";
        case FunnelSignificance::low_025: return "Low (0.025)";
        case FunnelSignificance::not_significant: return "Not significant";
        case FunnelSignificance::not_applicable: return "Not applicable for events less than 10 for dsrs";
        case FunnelSignificance::missing: break;
    }
    return "";
}

// The two control limits of every funnel: 95% ("2 sigma", tail 0.025) and 99.8% ("3 sigma",
// tail 0.001), two-sided.
inline constexpr double funnel_confidence_2s = 0.95;
inline constexpr double funnel_confidence_3s = 0.998;

// ---------------------------------------------------------------------------------------------
// Building blocks

// Wilson funnel limit for a proportion: the observed proportion at which the Wilson score limit
// (at the given two-sided confidence) of a sample of size `population` just touches the average
// proportion p̄ (package: sigma_adjustment, spec §10.1). With z = z_value(confidence), N = population:
//   A = p̄ (N/z² + 1),  B = sqrt((8A)² − 64 (1/z² + 1/N) p̄ (N (p̄ (N/z² + 2) − 1) + z² (p̄ − 1)))
//   limit = (A ∓ B/8) / (1/z² + 1/N) / N        (− for the lower, + for the upper limit)
// Returned as a proportion of 1 (the caller applies any multiplier). NaN if B is not real.
// Reference: Spiegelhalter DJ (2005) Funnel plots for comparing institutional performance,
// Stat Med 24:1185-1202; Fingertips technical guidance. Throws for a confidence outside (0, 1).
inline Interval wilson_funnel_limits(double population, double average, double confidence) {
    const double z = z_value(confidence);
    // Evaluated in the package's order of operations so that results agree to the last bit or two.
    const double z2 = z * z;
    const double a = average * (population / z2 + 1.0);
    const double t = -8.0 * average * (population / z2 + 1.0);
    const double last = 1.0 / z2 + 1.0 / population;
    const double b = std::sqrt(t * t - 64.0 * last * average *
                                           (population * (average * (population / z2 + 2.0) - 1.0) + z2 * (average - 1.0)));
    return {((a - b / 8.0) / last) / population, ((a + b / 8.0) / last) / population};
}

// P(from <= X <= to) for X ~ Poisson(mean), by the Fingertips Excel macro's series (package:
// poisson_cis): sum the unnormalised terms q_k = mean^k / k! from k = 0, dividing everything by
// 1e30 whenever the running total passes 1e30, and stop once k > mean and the next term is at
// most 1e-10 of the total; return the in-range part over the total. Copied term by term because
// poisson_funnel_mean's bisection branches on it. Cost grows linearly with the mean.
inline double poisson_range_probability(double mean, double from, double to) {
    double q = 1.0;
    double total = 0.0;
    double in_range = 0.0;
    double k = 0.0;
    while (k <= mean || q > total * 1e-10) {
        total += q;
        if (k >= from && k <= to) in_range += q;
        if (total > 1e30) {
            in_range /= 1e30;
            total /= 1e30;
            q /= 1e30;
        }
        k += 1.0;
        q = q * mean / k;
    }
    return in_range / total;
}

enum class PoissonTail { lower, upper };

// The Poisson mean λ for which an observed count lies exactly on a tail of probability p (package:
// poisson_funnel, spec §10.2): for PoissonTail::upper, P(X >= observed | λ) = p (λ below the
// count); for PoissonTail::lower, P(X <= observed | λ) = p (λ above it). Found by the macro's
// bisection on v in (0, 1) with λ = (1 + observed) v / (1 − v): start v = dv = 0.5, halve dv and
// step v down or up while dv > 1e-7. The result is therefore accurate to about 1e-6 relative;
// it is copied step by step (not solved more tightly) so that limits agree with the package's.
inline double poisson_funnel_mean(double observed, double p, PoissonTail tail) {
    double v = 0.5;
    double dv = 0.5;
    while (dv > 1e-7) {
        dv /= 2.0;
        const double mean = (1.0 + observed) * v / (1.0 - v);
        const bool step_down = tail == PoissonTail::upper
                                   ? poisson_range_probability(mean, observed, 1e10) > p
                                   : poisson_range_probability(mean, 0.0, observed) < p;
        v += step_down ? -dv : dv;
    }
    return (1.0 + observed) * v / (1.0 - v);
}

namespace detail {

// Number of characters R's as.character() gives a non-negative whole number (R's nchar(x) as
// used by the package's axis rounding): fixed notation unless scientific notation with up to 15
// significant digits is strictly shorter. Copied because it changes the axis: nchar(1e5) is 5
// ("1e+05"), not 6, so a round number such as 12000000 is rounded at the wrong digit.
inline int r_whole_number_width(double x) {
    if (x < 1.0) return 1;
    const int digits = static_cast<int>(std::floor(std::log10(x))) + 1;
    // Significant digits: strip trailing zeros from the (at most 15-digit) mantissa.
    double mantissa = std::nearbyint(x / std::pow(10.0, digits - std::min(digits, 15)));
    int significant = std::min(digits, 15);
    while (significant > 1 && std::fmod(mantissa, 10.0) == 0.0) {
        mantissa /= 10.0;
        --significant;
    }
    const int exponent_width = digits - 1 >= 100 ? 3 : 2;
    const int scientific = (significant == 1 ? 1 : significant + 1) + 2 + exponent_width;
    return digits <= scientific ? digits : scientific;
}

// R's max(a, b) and min(a, b) propagate NaN, which std::max/std::min do not.
inline double r_max(double a, double b) { return std::isnan(a) || std::isnan(b) ? a + b : std::max(a, b); }
inline double r_min(double a, double b) { return std::isnan(a) || std::isnan(b) ? a + b : std::min(a, b); }

// A required column must always match the numerator's length (an empty vector reads as absent);
// an optional one only when given.
inline void check_length(FunnelColumn c, std::size_t size, const char* name, bool required = true) {
    if ((required || c.present()) && c.size != size)
        throw StatisticsError(std::string(name) + " has " + std::to_string(c.size) + " values but the numerator has " +
                              std::to_string(size));
}

inline void check_not_empty(std::size_t size) {
    if (size == 0) throw StatisticsError("a funnel plot needs at least one record");
}

// Numerators >= 0 and finite where given; denominators > 0 and finite where given (missing
// values are left to the caller's own rule, as the package checks with na.rm = TRUE).
inline void check_counts(FunnelColumn numerator, FunnelColumn denominator) {
    for (std::size_t i = 0; i < numerator.size; ++i) {
        const double x = numerator[i];
        if (!std::isnan(x) && !(x >= 0.0 && std::isfinite(x)))
            throw StatisticsError("numerators must be greater than or equal to zero (" + row_text(i) + ": numerator " +
                                  format_double(x) + ")");
    }
    if (!denominator.present()) return;
    for (std::size_t i = 0; i < denominator.size; ++i) {
        const double n = denominator[i];
        if (!std::isnan(n) && !(n > 0.0 && std::isfinite(n)))
            throw StatisticsError("denominators must be greater than zero (" + row_text(i) + ": denominator " +
                                  format_double(n) + ")");
    }
}

// The package's checks for proportions (spec §10.1, in its order), stopping at the first row.
inline void check_proportions(FunnelColumn numerator, FunnelColumn denominator) {
    check_not_empty(numerator.size);
    check_length(denominator, numerator.size, "the denominator");
    for (std::size_t i = 0; i < numerator.size; ++i)
        if (std::isnan(numerator[i]) || std::isnan(denominator[i]))
            throw StatisticsError(
                "for proportions, numerators and denominators must be provided for all records, even when their "
                "values are zero (" +
                row_text(i) + ": " + (std::isnan(numerator[i]) ? "numerator" : "denominator") + " is missing)");
    check_counts(numerator, denominator);
    for (std::size_t i = 0; i < numerator.size; ++i)
        if (numerator[i] > denominator[i])
            throw StatisticsError("numerators must be less than or equal to denominator for a proportion statistic (" +
                                  row_text(i) + ": numerator " + format_double(numerator[i]) + ", denominator " +
                                  format_double(denominator[i]) + ")");
}

// The package's checks for rates (spec §10.1), then fairer's: every record with events needs a
// usable rate, since the package would otherwise drop its derived denominator from the average
// while keeping its events.
inline void check_rates(FunnelColumn numerator, FunnelColumn rate, FunnelColumn denominator) {
    check_not_empty(numerator.size);
    check_length(rate, numerator.size, "the rate");
    check_length(denominator, numerator.size, "the denominator", false);
    for (std::size_t i = 0; i < numerator.size; ++i)
        if (std::isnan(numerator[i]))
            throw StatisticsError(
                "for rates, numerators must be provided for all records, even when their values are zero (" +
                row_text(i) + ")");
    for (std::size_t i = 0; i < numerator.size; ++i)
        if (std::isnan(rate[i]) && (!denominator.present() || std::isnan(denominator[i])))
            throw StatisticsError(
                "for rates, rates must be provided for all records, or a denominator must be provided if the rate is "
                "zero (" +
                row_text(i) + ")");
    for (std::size_t i = 0; i < numerator.size; ++i) {
        if (numerator[i] != 0.0) continue;
        if (!denominator.present())
            throw StatisticsError(
                "for rates, where there are 0 events for a record, the denominator field needs to be provided using "
                "the denominator argument (" +
                row_text(i) + ")");
        if (!(denominator[i] > 0.0))
            throw StatisticsError("for rates, where there are 0 events for a record, the denominator must be provided (" +
                                  row_text(i) + ")");
    }
    check_counts(numerator, denominator);
    for (std::size_t i = 0; i < numerator.size; ++i)
        if (numerator[i] > 0.0 && !(rate[i] > 0.0 && std::isfinite(rate[i])))
            throw StatisticsError("for rates, a rate greater than zero must be provided for every record with events (" +
                                  row_text(i) + ": rate " + format_double(rate[i]) + ")");
}

inline void check_positive(double value, const char* name) {
    if (!(value > 0.0 && std::isfinite(value)))
        throw StatisticsError(std::string(name) + " must be a finite number greater than zero, got " + format_double(value));
}

// Sum as R's sum() does, in extended precision, so that the average matches the package's.
inline double r_sum(FunnelColumn c, bool skip_missing) {
    long double s = 0.0L;
    for (std::size_t i = 0; i < c.size; ++i)
        if (!(skip_missing && std::isnan(c[i]))) s += static_cast<long double>(c[i]);
    return static_cast<double>(s);
}

inline double r_sum(const std::vector<double>& v, bool skip_missing) { return r_sum(FunnelColumn(v), skip_missing); }

}  // namespace detail

// The denominators a rate funnel works with (package: denominator_derived, spec §10.1 step 1):
// multiplier · O / rate, except where O = 0, which gives NaN for a dsr and the given denominator
// for a crude rate. `denominator` may be absent (then no record may have O = 0). Validates as the
// package does, plus fairer's checks (see the file comment); throws StatisticsError naming the row.
inline std::vector<double> rate_funnel_denominators(FunnelColumn numerator, FunnelColumn rate, FunnelColumn denominator,
                                                    RateType type, double multiplier) {
    detail::check_rates(numerator, rate, denominator);
    detail::check_positive(multiplier, "multiplier");
    std::vector<double> derived(numerator.size);
    for (std::size_t i = 0; i < numerator.size; ++i) {
        if (numerator[i] == 0.0)
            derived[i] = type == RateType::dsr ? std::numeric_limits<double>::quiet_NaN() : denominator[i];
        else
            derived[i] = multiplier * numerator[i] / rate[i];
    }
    return derived;
}

// ---------------------------------------------------------------------------------------------
// Axis and grid

// The package's "neat" axis ends (spec §10.2 steps 2-3): with k = (characters of ⌊0.95x⌋) − 1,
// axis_floor(x) = ⌊0.95x / 10^k⌋ 10^k; with k = (characters of ⌈1.05x⌉) − 2,
// axis_ceiling(x) = ⌈1.05x / 10^k⌉ 10^k; both 0 at x = 0. Characters are counted as R prints the
// number (Copied; see detail::r_whole_number_width). x must be finite and >= 0.
inline double funnel_axis_floor(double x) {
    if (x == 0.0) return 0.0;
    const double k = detail::r_whole_number_width(std::floor(x * 0.95)) - 1;
    const double scale = std::pow(10.0, k);
    return std::floor(x * 0.95 / scale) * scale;
}

inline double funnel_axis_ceiling(double x) {
    if (x == 0.0) return 0.0;
    const double k = detail::r_whole_number_width(std::ceil(x * 1.05)) - 2;
    const double scale = std::pow(10.0, k);
    return std::ceil(x * 1.05 / scale) * scale;
}

// The 100 x-axis points of a funnel (spec §10.2 step 5): x₁ = max(1, axis_min) and, for
// j = 2..100, x_j = max(round((axis_max / x_{j−1})^(1/(101 − o)) x_{j−1}), x_{j−1} + 1) with
// o = j, or o = j − 1 when `ratio_offset` is set (the package's ratio funnels: Copied, their
// last point stops short of axis_max). round() is half-to-even like R's.
inline std::vector<double> funnel_axis_points(double axis_min, double axis_max, bool ratio_offset) {
    std::vector<double> x(100);
    x[0] = detail::r_max(1.0, axis_min);
    for (std::size_t j = 2; j <= 100; ++j) {
        const double offset = static_cast<double>(ratio_offset ? j - 1 : j);
        const double previous = x[j - 2];
        const double step = std::nearbyint(std::pow(axis_max / previous, 1.0 / (101.0 - offset)) * previous);
        x[j - 1] = detail::r_max(step, previous + 1.0);
    }
    return x;
}

namespace detail {

struct AxisRange {
    double minimum;
    double maximum;
};

// Axis ends from the smallest and largest denominators (missing ones ignored, as the package's
// na.rm = TRUE): the axis starts at 0 when the largest is more than twice the smallest. For rates
// the ends are rounded per year of data and scaled back (spec §10.2 steps 2-3).
inline AxisRange axis_range(const std::vector<double>& denominators, double years) {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    for (double d : denominators) {
        if (std::isnan(d)) continue;
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    if (!(lo <= hi)) throw StatisticsError("a funnel plot needs at least one record with a denominator");
    const double minimum = hi > 2.0 * lo ? 0.0 : funnel_axis_floor(lo / years) * years;
    return {minimum, funnel_axis_ceiling(hi / years) * years};
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Control limits (package: calculate_funnel_limits)

struct ProportionFunnelLimits {
    std::vector<double> population;
    std::vector<double> lower_2s_limit;
    std::vector<double> upper_2s_limit;
    std::vector<double> lower_3s_limit;
    std::vector<double> upper_3s_limit;
    double baseline = 0.0;  // p̄ · multiplier
};

// Funnel limits for proportions x/n (spec §10.2, statistic "proportion"): p̄ = Σx / Σn, the axis
// from the denominators, and at each of the 100 population points the Wilson funnel limits
// (wilson_funnel_limits) at 95% and 99.8%, times the multiplier, lower ones floored at 0 and upper
// ones capped at 100. Copied: the cap is 100 whatever the multiplier (right for percentages
// only). Throws StatisticsError for missing values, x < 0, n <= 0, x > n (naming the row) or a
// multiplier that is not a positive number.
inline ProportionFunnelLimits proportion_funnel_limits(FunnelColumn numerator, FunnelColumn denominator,
                                                       double multiplier) {
    detail::check_proportions(numerator, denominator);
    detail::check_positive(multiplier, "multiplier");
    const double average = detail::r_sum(numerator, false) / detail::r_sum(denominator, false);
    const std::vector<double> n(denominator.data, denominator.data + denominator.size);
    const detail::AxisRange axis = detail::axis_range(n, 1.0);
    ProportionFunnelLimits out;
    out.population = funnel_axis_points(axis.minimum, axis.maximum, false);
    out.baseline = average * multiplier;
    for (double pop : out.population) {
        const Interval l2 = wilson_funnel_limits(pop, average, funnel_confidence_2s);
        const Interval l3 = wilson_funnel_limits(pop, average, funnel_confidence_3s);
        out.lower_2s_limit.push_back(detail::r_max(0.0, l2.lower * multiplier));
        out.upper_2s_limit.push_back(detail::r_min(100.0, l2.upper * multiplier));
        out.lower_3s_limit.push_back(detail::r_max(0.0, l3.lower * multiplier));
        out.upper_3s_limit.push_back(detail::r_min(100.0, l3.upper * multiplier));
    }
    return out;
}

struct RatioFunnelLimits {
    std::vector<double> observed_events;
    std::vector<double> lower_2s_exp_events;
    std::vector<double> lower_2s_limit;
    std::vector<double> upper_2s_exp_events;
    std::vector<double> upper_2s_limit;
    std::vector<double> lower_3s_exp_events;
    std::vector<double> lower_3s_limit;
    std::vector<double> upper_3s_exp_events;
    std::vector<double> upper_3s_limit;
};

// Funnel limits for ratios of observed to expected counts (spec §10.2, statistic "ratio"). The
// axis range comes from the expected counts and its points are observed counts O (on the
// funnel's centre line O = E). At each O, poisson_funnel_mean finds the expected count E at which
// O sits on the 2.5% (0.1%) Poisson tail, and the limit is O / E: the lower limit uses the E
// above O (O in the lower tail, PoissonTail::lower), the upper limit the E below O.
// RatioType::count subtracts 1 from the limits (a relative difference); RatioType::isr
// multiplies them by 100. Expected counts that are missing are left
// out of the axis range (as the package's na.rm). Throws StatisticsError for O < 0 or E <= 0.
inline RatioFunnelLimits ratio_funnel_limits(FunnelColumn observed, FunnelColumn expected, RatioType type) {
    detail::check_not_empty(observed.size);
    detail::check_length(expected, observed.size, "the denominator");
    detail::check_counts(observed, expected);
    const std::vector<double> e(expected.data, expected.data + expected.size);
    const detail::AxisRange axis = detail::axis_range(e, 1.0);
    RatioFunnelLimits out;
    out.observed_events = funnel_axis_points(axis.minimum, axis.maximum, true);
    const auto scale = [type](double limit) { return type == RatioType::count ? limit - 1.0 : limit * 100.0; };
    for (double o : out.observed_events) {
        const double l2 = poisson_funnel_mean(o, 0.025, PoissonTail::lower);
        const double u2 = poisson_funnel_mean(o, 0.025, PoissonTail::upper);
        const double l3 = poisson_funnel_mean(o, 0.001, PoissonTail::lower);
        const double u3 = poisson_funnel_mean(o, 0.001, PoissonTail::upper);
        out.lower_2s_exp_events.push_back(l2);
        out.lower_2s_limit.push_back(scale(o / l2));
        out.upper_2s_exp_events.push_back(u2);
        out.upper_2s_limit.push_back(scale(o / u2));
        out.lower_3s_exp_events.push_back(l3);
        out.lower_3s_limit.push_back(scale(o / l3));
        out.upper_3s_exp_events.push_back(u3);
        out.upper_3s_limit.push_back(scale(o / u3));
    }
    return out;
}

struct RateFunnelLimits {
    std::vector<double> events;
    std::vector<double> lower_2s_population_1_year;
    std::vector<double> lower_2s_limit;
    std::vector<double> upper_2s_population_1_year;
    std::vector<double> upper_2s_limit;
    std::vector<double> lower_3s_population_1_year;
    std::vector<double> lower_3s_limit;
    std::vector<double> upper_3s_population_1_year;
    std::vector<double> upper_3s_limit;
    double baseline = 0.0;  // average rate · multiplier
};

// Funnel limits for crude or directly standardised rates (spec §10.2, statistic "rate"). The
// derived denominators (rate_funnel_denominators) give the average rate r̄ = ΣO / Σderived and
// the axis (per year of data, then converted to events: ⌊min r̄⌋ to ⌈max r̄⌉). At each event count
// E the Poisson mean λ on the 2.5% (0.1%) tail (poisson_funnel_mean) gives the population λ/r̄
// at which E events would sit on the limit: population_1_year = λ / r̄ / years and
// limit = E / (λ / r̄) · multiplier. `denominator` may be absent. Throws StatisticsError as
// rate_funnel_denominators does, and for years_of_data that is not a positive number.
inline RateFunnelLimits rate_funnel_limits(FunnelColumn numerator, FunnelColumn rate, FunnelColumn denominator,
                                           RateType type, double multiplier, double years_of_data) {
    detail::check_positive(years_of_data, "years_of_data");
    const std::vector<double> derived = rate_funnel_denominators(numerator, rate, denominator, type, multiplier);
    const double average = detail::r_sum(numerator, false) / detail::r_sum(derived, true);
    const detail::AxisRange axis = detail::axis_range(derived, years_of_data);
    RateFunnelLimits out;
    out.events = funnel_axis_points(std::floor(axis.minimum * average), std::ceil(axis.maximum * average), false);
    out.baseline = average * multiplier;
    const auto add = [&](double events, double mean, std::vector<double>& population, std::vector<double>& limit) {
        const double pop = mean / average;
        limit.push_back(events / pop * multiplier);
        population.push_back(pop / years_of_data);
    };
    for (double e : out.events) {
        add(e, poisson_funnel_mean(e, 0.025, PoissonTail::lower), out.lower_2s_population_1_year, out.lower_2s_limit);
        add(e, poisson_funnel_mean(e, 0.025, PoissonTail::upper), out.upper_2s_population_1_year, out.upper_2s_limit);
        add(e, poisson_funnel_mean(e, 0.001, PoissonTail::lower), out.lower_3s_population_1_year, out.lower_3s_limit);
        add(e, poisson_funnel_mean(e, 0.001, PoissonTail::upper), out.upper_3s_population_1_year, out.upper_3s_limit);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Significance (package: assign_funnel_significance)

namespace detail {

// The package's order of rules for counts: beyond the 99.8% limit before beyond the 95% one,
// high before low (the two sides cannot both match).
inline FunnelSignificance classify(bool high_3s, bool high_2s, bool low_3s, bool low_2s) {
    if (high_3s) return FunnelSignificance::high_001;
    if (high_2s) return FunnelSignificance::high_025;
    if (low_3s) return FunnelSignificance::low_001;
    if (low_2s) return FunnelSignificance::low_025;
    return FunnelSignificance::not_significant;
}

// Limits for an observed count O around its expected count E, as ratios to E (package:
// funnel_ratio_significance): exact below 10 events, Byar's from 10 (poisson_count_interval).
// A missing E gives NaN limits, which match no rule.
inline Interval count_ratio_limits(double observed, double expected, double confidence) {
    const Interval i = poisson_count_interval(observed, confidence);
    return {i.lower / expected, i.upper / expected};
}

inline FunnelSignificance count_significance(double observed, double expected, double reference) {
    const Interval l2 = count_ratio_limits(observed, expected, funnel_confidence_2s);
    const Interval l3 = count_ratio_limits(observed, expected, funnel_confidence_3s);
    // The reference below the area's lower limit means the area is high.
    return classify(reference < l3.lower, reference < l2.lower, reference > l3.upper, reference > l2.upper);
}

}  // namespace detail

// Significance of each proportion x/n against the funnel around p̄ = Σx / Σn (spec §10.1): below the
// lower 99.8% Wilson funnel limit at its own n is "Low (0.001)", else below the 95% one
// "Low (0.025)", else above the upper 99.8% / 95% limits "High (0.001)" / "High (0.025)", else
// "Not significant". Throws StatisticsError for missing values, x < 0, n <= 0 or x > n.
inline std::vector<FunnelSignificance> proportion_funnel_significance(FunnelColumn numerator, FunnelColumn denominator) {
    detail::check_proportions(numerator, denominator);
    const double average = detail::r_sum(numerator, false) / detail::r_sum(denominator, false);
    std::vector<FunnelSignificance> out(numerator.size);
    for (std::size_t i = 0; i < numerator.size; ++i) {
        const double p = numerator[i] / denominator[i];
        const Interval l3 = wilson_funnel_limits(denominator[i], average, funnel_confidence_3s);
        const Interval l2 = wilson_funnel_limits(denominator[i], average, funnel_confidence_2s);
        // The package tests the low side first here (for counts it tests the high side first).
        if (p < l3.lower) out[i] = FunnelSignificance::low_001;
        else if (p < l2.lower) out[i] = FunnelSignificance::low_025;
        else if (p > l3.upper) out[i] = FunnelSignificance::high_001;
        else if (p > l2.upper) out[i] = FunnelSignificance::high_025;
        else out[i] = FunnelSignificance::not_significant;
    }
    return out;
}

// Significance of each ratio O/E against 1 (spec §10.1, statistic "ratio"): with the Poisson limits
// of O (exact below 10, Byar's from 10) divided by E, "High (0.001)" if 1 is below the lower 99.8%
// limit, else "High (0.025)" if below the lower 95% one, else "Low (0.001)" / "Low (0.025)" if 1
// is above the upper 99.8% / 95% limit, else "Not significant". A row with O or E missing gets
// FunnelSignificance::missing (fairer's choice; the package stops with an R error). Throws
// StatisticsError for O < 0 or E <= 0.
inline std::vector<FunnelSignificance> ratio_funnel_significance(FunnelColumn observed, FunnelColumn expected) {
    detail::check_not_empty(observed.size);
    detail::check_length(expected, observed.size, "the denominator");
    detail::check_counts(observed, expected);
    std::vector<FunnelSignificance> out(observed.size);
    for (std::size_t i = 0; i < observed.size; ++i)
        out[i] = std::isnan(observed[i]) || std::isnan(expected[i])
                     ? FunnelSignificance::missing
                     : detail::count_significance(observed[i], expected[i], 1.0);
    return out;
}

// Significance of each crude or directly standardised rate (spec §10.1, statistic "rate"): as for
// ratios, with E the derived denominator (rate_funnel_denominators) and the reference the average
// rate ΣO / Σderived (per person, not multiplied). For a dsr, rows with fewer than 10 events are
// "Not applicable for events less than 10 for dsrs". Throws as rate_funnel_denominators does.
inline std::vector<FunnelSignificance> rate_funnel_significance(FunnelColumn numerator, FunnelColumn rate,
                                                                FunnelColumn denominator, RateType type,
                                                                double multiplier) {
    const std::vector<double> derived = rate_funnel_denominators(numerator, rate, denominator, type, multiplier);
    const double average = detail::r_sum(numerator, false) / detail::r_sum(derived, true);
    std::vector<FunnelSignificance> out(numerator.size);
    for (std::size_t i = 0; i < numerator.size; ++i)
        out[i] = type == RateType::dsr && numerator[i] < 10.0
                     ? FunnelSignificance::not_applicable
                     : detail::count_significance(numerator[i], derived[i], average);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Points to plot (package: calculate_funnel_points)

struct RateFunnelPoints {
    std::vector<double> rate_chart;           // the rate, NaN for a dsr with fewer than 10 events
    std::vector<double> denominator_derived;  // the derived denominator per year of data
};

// The points of a rate funnel (spec §10.3): the rate to plot and its population per year,
// (multiplier · O / rate) / years_of_data, where a dsr with fewer than 10 events has neither (NaN)
// and a crude rate with 0 events uses the given denominator / years_of_data. As in the package
// only the rows plotted need a rate: a missing numerator or rate gives NaN for that row.
// Throws StatisticsError (naming the row) where a record has 0 events and no denominator
// (> 0), a numerator is negative, a plotted rate is <= 0 or infinite, or years_of_data or the
// multiplier is not a positive number.
inline RateFunnelPoints rate_funnel_points(FunnelColumn numerator, FunnelColumn rate, FunnelColumn denominator,
                                           RateType type, double multiplier, double years_of_data) {
    detail::check_not_empty(numerator.size);
    detail::check_length(rate, numerator.size, "the rate");
    detail::check_length(denominator, numerator.size, "the denominator", false);
    detail::check_positive(multiplier, "multiplier");
    detail::check_positive(years_of_data, "years_of_data");
    for (std::size_t i = 0; i < numerator.size; ++i) {
        if (numerator[i] != 0.0) continue;
        if (!denominator.present())
            throw StatisticsError(
                "for rates, where there are 0 events for a record, the denominator field needs to be provided using "
                "the denominator argument (" +
                detail::row_text(i) + ")");
        if (!(denominator[i] > 0.0 && std::isfinite(denominator[i])))
            throw StatisticsError("for rates, where there are 0 events for a record, the denominator must be provided (" +
                                  detail::row_text(i) + ")");
    }
    detail::check_counts(numerator, FunnelColumn());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    RateFunnelPoints out;
    out.rate_chart.resize(numerator.size);
    out.denominator_derived.resize(numerator.size);
    for (std::size_t i = 0; i < numerator.size; ++i) {
        const double o = numerator[i];
        if (type == RateType::dsr && !(o >= 10.0)) {
            out.rate_chart[i] = nan;
            out.denominator_derived[i] = nan;
            continue;
        }
        out.rate_chart[i] = rate[i];
        if (o == 0.0) {
            out.denominator_derived[i] = denominator[i] / years_of_data;
            continue;
        }
        if (!std::isnan(rate[i]) && !(rate[i] > 0.0 && std::isfinite(rate[i])))
            throw StatisticsError("for rates, a rate greater than zero must be provided for every record with events (" +
                                  detail::row_text(i) + ": rate " + detail::format_double(rate[i]) + ")");
        out.denominator_derived[i] = (multiplier * o / rate[i]) / years_of_data;
    }
    return out;
}

}  // namespace fairer
