// Confidence-interval building blocks shared by every indicator method: the normal quantile for
// a two-sided level, Wilson score limits for a proportion, and Byar's and exact (chi-square)
// limits for a Poisson count. They follow PHEindicatormethods 2.1.0 (R/utils.R, R/Rates.R) as
// restated in specs/indicator-methods.md §1; the quirks kept from it are marked "Copied".
//
// Every function takes the confidence level as a fraction in (0, 1); the package's percent rule
// (a level >= 90 means per cent) is applied by scale_confidence(), which callers that take a
// user's argument run first.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "fairer/detail/csv.hpp"
#include "fairer/errors.hpp"

namespace fairer {

// Lower and upper confidence limits. A limit the method cannot give is NaN (never 0).
struct Interval {
    double lower;
    double upper;
};

namespace detail {

// Numbers in messages: shortest round-trip text, with NaN spelt out (format_double leaves it blank).
inline std::string number_text(double v) { return std::isnan(v) ? std::string("NaN") : format_double(v); }

inline void check_confidence(double confidence) {
    // The negated test also rejects NaN.
    if (!(confidence > 0.0 && confidence < 1.0))
        throw StatisticsError("confidence level must be between 0 and 1 (exclusive), got " + number_text(confidence));
}

inline void check_count(double x, const char* what) {
    if (!(x >= 0.0) || !std::isfinite(x))
        throw StatisticsError(std::string(what) + " must be a finite number greater than or equal to zero, got " +
                              number_text(x));
}

}  // namespace detail

// The package's percent rule (spec §0.1): a level of 90 or more is a percentage and is divided by
// 100, so 95 and 0.95 mean the same. Any other value is returned unchanged. The result is
// checked to lie in (0, 1); 100 (a "100%" interval, infinite for counts) is rejected.
inline double scale_confidence(double confidence) {
    const double c = confidence >= 90.0 ? confidence / 100.0 : confidence;
    detail::check_confidence(c);
    return c;
}

// The confidence argument of the package's indicator functions (proportion, rate, mean, DSR,
// ISR), spec §0.1: at most two levels; each scaled by the percent rule and required to lie in
// [0.9, 1); two levels must be 95% and 99.8%, in that order. Returns the levels as fractions
// (an empty argument means "no limits" and is returned empty). Deliberate differences from the
// package: 100% is rejected (the package returns [0, 1] or infinite limits), and two levels may
// be given as percentages (95, 99.8), which the package refuses although it accepts 95 alone.
inline std::vector<double> indicator_confidence_levels(const std::vector<double>& levels) {
    if (levels.size() > 2) throw StatisticsError("a maximum of two confidence levels can be provided");
    std::vector<double> out;
    out.reserve(levels.size());
    for (double c : levels) {
        const double scaled = c >= 90.0 ? c / 100.0 : c;
        if (levels.size() == 1 && !(scaled >= 0.9 && scaled < 1.0))
            throw StatisticsError("confidence level must be between 90 and 100 or between 0.9 and 1 (100 excluded), got " +
                                  detail::number_text(c));
        out.push_back(scaled);
    }
    if (out.size() == 2 && !(out[0] == 0.95 && out[1] == 0.998))
        throw StatisticsError("two confidence levels can only be produced if they are specified as 0.95 and 0.998, got " +
                              detail::number_text(levels[0]) + " and " + detail::number_text(levels[1]));
    return out;
}

// Two-sided standard normal quantile z(c) = Phi^-1((1 + c) / 2) = sqrt(2) erf^-1(c).
// Example: z_value(0.95) = 1.959963984540054. Reference: any statistics text; R qnorm(0.975).
// Throws StatisticsError for c outside (0, 1).
inline double z_value(double confidence) {
    detail::check_confidence(confidence);
    return std::sqrt(2.0) * boost::math::erf_inv(confidence);
}

namespace detail {

// Wilson limits for a precomputed z; no input checks (the caller has made them).
inline Interval wilson_with_z(double x, double n, double z) {
    const double z2 = z * z;
    const double root = z * std::sqrt(z2 + 4.0 * x * (1.0 - x / n));
    const double denom = 2.0 * (n + z2);
    return {(2.0 * x + z2 - root) / denom, (2.0 * x + z2 + root) / denom};
}

// Byar's limits for a precomputed z; no input checks.
inline Interval byars_with_z(double x, double z) {
    const double lower_base = 1.0 - 1.0 / (9.0 * x) - z / (3.0 * std::sqrt(x));
    double lower = x * lower_base * lower_base * lower_base;
    // Copied from the package: a negative lower limit (small x or a very high level) is NA,
    // not 0; for x = 0 the formula gives 0 * -inf = NaN, also NA.
    if (!(lower >= 0.0)) lower = std::numeric_limits<double>::quiet_NaN();
    const double x1 = x + 1.0;
    const double upper_base = 1.0 - 1.0 / (9.0 * x1) + z / (3.0 * std::sqrt(x1));
    return {lower, x1 * upper_base * upper_base * upper_base};
}

// Exact limits with no input checks: chi2^-1(p; 2x) / 2 equals the inverse regularised lower
// incomplete gamma P^-1(x, p), which also serves non-integer x.
inline Interval exact_poisson_unchecked(double x, double confidence) {
    const double alpha = 1.0 - confidence;
    const double lower = x == 0.0 ? 0.0 : boost::math::gamma_p_inv(x, alpha / 2.0);
    return {lower, boost::math::gamma_p_inv(x + 1.0, 1.0 - alpha / 2.0)};
}

}  // namespace detail

// Wilson score interval for a proportion x / n (of 1, not multiplied), spec §1.3:
//   L, U = (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)),  z = z_value(confidence).
// Reference: Wilson EB (1927) JASA 22:209-212; PHEindicatormethods wilson_lower/wilson_upper.
// x may be fractional. Throws StatisticsError if x < 0, n <= 0, x > n, either is not finite, or
// the confidence is outside (0, 1). (The package accepts n = 0 here, giving NaN; fairer does not.)
inline Interval wilson_interval(double x, double n, double confidence) {
    detail::check_count(x, "observed events");
    if (!(n > 0.0) || !std::isfinite(n))
        throw StatisticsError("sample size must be a finite number greater than zero, got " + detail::number_text(n));
    if (x > n)
        throw StatisticsError("numerator " + detail::number_text(x) + " is greater than denominator " +
                              detail::number_text(n) + ": a Wilson score needs x <= n");
    return detail::wilson_with_z(x, n, z_value(confidence));
}

// Byar's approximation to the exact Poisson limits for an observed count x, spec §1.1:
//   L = x (1 - 1/(9x) - z/(3 sqrt x))^3,  U = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3.
// Reference: Breslow NE, Day NE (1987) Statistical Methods in Cancer Research vol. II, p. 69;
// PHEindicatormethods byars_lower/byars_upper. A negative L is NaN, copied from the package.
// Throws StatisticsError for x < 0 or not finite, or a confidence outside (0, 1).
inline Interval byars_interval(double x, double confidence) {
    detail::check_count(x, "observed events");
    return detail::byars_with_z(x, z_value(confidence));
}

// Exact Poisson limits for an observed count x from the chi-square distribution, spec §1.2:
//   L = chi2^-1((1-c)/2; 2x) / 2   (0 when x = 0),   U = chi2^-1((1+c)/2; 2x + 2) / 2.
// Reference: Garwood F (1936) Biometrika 28:437-442. x need not be an integer (the degrees of
// freedom may be fractional, as in R's qchisq). Throws StatisticsError as byars_interval does.
inline Interval exact_poisson_interval(double x, double confidence) {
    detail::check_count(x, "observed events");
    detail::check_confidence(confidence);
    return detail::exact_poisson_unchecked(x, confidence);
}

// The count below which the package uses the exact limits instead of Byar's (R/Rates.R).
inline constexpr double exact_poisson_threshold = 10.0;

// The package's rule for a Poisson count: exact_poisson_interval when x < 10, byars_interval
// from 10 up (spec §3). Throws as byars_interval does.
inline Interval poisson_count_interval(double x, double confidence) {
    return x < exact_poisson_threshold ? exact_poisson_interval(x, confidence) : byars_interval(x, confidence);
}

}  // namespace fairer
