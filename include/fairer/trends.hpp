// Recent-trend tests: the Fingertips "recent trend" marker, reproduced exactly, and a trend test
// for overlapping pooled periods (3-year life expectancy, healthy life expectancy), which
// Fingertips never tests.
//
// Fingertips recent trend. Sources: the published description "Fingertips trend markers"
// (fingertips.phe.org.uk/static-reports/public-health-technical-guidance/Presentation/
// Trend_markers.html) and the implementation TrendMarkerCalculator / TrendRequest
// (fingertips-open PholioVisualisationWS/Analysis/TrendMarkers, carried into FingertipsNext
// trend-analysis/TrendAnalysisApp/Calculator/Legacy), restated in specs/peers-and-fingertips.md §1.4.
// The rules, in the order Fingertips applies them:
//  1. Only proportions, crude rates and directly standardised rates of single-year (year range 1)
//     periods are tested (the caller decides this; see TrendReason::value_type / period_type).
//  2. The series needs at least 5 rows.
//  3. A point is valid when its value, count and denominator are all present. Invalid points are
//     skipped, not treated as a break: the marker uses the most recent valid points even when
//     they are not consecutive (the current code; the 2020 code stopped at the first invalid
//     point). At least 5 valid points are needed.
//  4. A valid point whose count equals its denominator makes the marker incalculable.
//  5. The test uses the 5 most recent valid points, numbered t = 1..5 whatever their spacing.
//     - weighted regression (the default): least squares of value on t with weights 1/SE^2,
//       SE = (U95 - L95) / 3.92; chi^2 = (b / SE(b))^2 with SE(b)^2 = S0 / (S0 S2 - S1^2),
//       S_k = sum w t^k. Points need both 95% limits.
//     - chi-square test for trend in proportions ("use proportions for trend", Fingertips
//       comparator method SPC for proportions): the Cochran-Armitage statistic on counts r and
//       denominators n, chi^2 = N (N sum r t - R sum n t)^2 / (R (N - R) (N sum n t^2 - (sum n t)^2)),
//       R = sum r, N = sum n (Armitage P. Tests for linear trends in proportions and
//       frequencies. Biometrics 1955;11:375-86); the slope is the ordinary least-squares slope of
//       log(r / (n - r)) on t. Only counts and denominators are used, so limits are not needed.
//  6. The trend is significant when chi^2 > 9.54953570608324 (the 99.8% point of chi^2 on 1 df)
//     and the slope keeps its sign when each of the 5 points is left out in turn (six slopes,
//     a slope of exactly 0 counting as positive, as Fingertips counts it).
//  7. The marker is Increasing or Decreasing by the sign of the slope, otherwise No significant
//     change; polarity turns it into "... and getting better/worse" (trend_label).
//
// Series Fingertips lets through but cannot really test (fewer than 5 valid points with 95%
// limits for the weighted regression; a zero-width interval, whose weight is infinite; a count
// of 0 under the proportions test, whose log-odds is -infinity) get, by default, the marker
// Fingertips' own arithmetic prints: it regresses on the points it has and NaN compares false,
// so almost always "No significant change". TrendResult::tested is false for them and `reason`
// says why; UntestedSeries::cannot_be_calculated gives "Cannot be calculated" instead. A count
// of 0 with a proportions statistic below the threshold is a proper "No significant change"
// (the statistic needs no logarithm). For the proportions test fairer does not require the 95%
// limits that Fingertips' point selection asks for even though the test does not use them.
#pragma once

#include <Eigen/Dense>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "fairer/errors.hpp"
#include "fairer/framework.hpp"

namespace fairer {

// The 99.8% point of the chi-square distribution on 1 degree of freedom, as Fingertips writes it
// (TrendMarkerCalculator.ChiSquareConfidence); equal to z_0.999^2.
inline constexpr double kTrendChiSquare998 = 9.54953570608324;
// The number of most recent points Fingertips tests (TrendMarkerCalculator.PointsToUse).
inline constexpr std::size_t kTrendPoints = 5;

enum class TrendMethod : std::int8_t {
    weighted_regression = 0,   // value on time, weights from the 95% limits
    proportion_chi_square = 1  // chi-square test for trend on counts and denominators
};

enum class TrendMarker : std::int8_t {
    cannot_be_calculated = 0,
    no_significant_change = 1,
    increasing = 2,
    decreasing = 3
};

// Why a marker could not be calculated (none when it could).
enum class TrendReason : std::int8_t {
    none = 0,
    value_type = 1,                // not a proportion, crude rate or directly standardised rate
    period_type = 2,               // periods are not single years or parts of a year
    too_few_points = 3,            // fewer than 5 rows
    too_few_valid_points = 4,      // fewer than 5 points with value, count and denominator
    count_equals_denominator = 5,  // a valid point with count == denominator
    too_few_points_with_limits = 6,
    zero_width_interval = 7,
    zero_count = 8,
};

inline const char* to_string(TrendMarker m) {
    switch (m) {
        case TrendMarker::cannot_be_calculated: return "Cannot be calculated";
        case TrendMarker::no_significant_change: return "No significant change";
        case TrendMarker::increasing: return "Increasing";
        case TrendMarker::decreasing: return "Decreasing";
    }
    return "Cannot be calculated";
}

inline const char* to_string(TrendMethod m) {
    return m == TrendMethod::weighted_regression ? "weighted regression" : "chi-square test for trend";
}

inline const char* describe(TrendReason r) {
    switch (r) {
        case TrendReason::none: return "";
        case TrendReason::value_type: return "value type not tested (only proportions, crude rates and DSRs)";
        case TrendReason::period_type: return "periods are not single years or parts of a year";
        case TrendReason::too_few_points: return "fewer than 5 periods";
        case TrendReason::too_few_valid_points: return "fewer than 5 periods with value, count and denominator";
        case TrendReason::count_equals_denominator: return "a period has count equal to denominator";
        case TrendReason::too_few_points_with_limits: return "fewer than 5 valid periods with 95% limits";
        case TrendReason::zero_width_interval: return "a period has a zero-width 95% interval";
        case TrendReason::zero_count: return "a count of 0 leaves the leave-one-out check undefined";
    }
    return "";
}

// Polarity from either vocabulary: the framework's ("higher is better", "lower is better",
// "no judgement", "not applicable") or Fingertips' ("High is good", "Low is good", "RAG - High is
// good", "RAG - Low is good", "BOB - Blue orange blue", "Not applicable"); case-insensitive.
inline Polarity parse_trend_polarity(std::string_view text) {
    std::string t;
    for (char c : text) t += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (t == "higher is better" || t == "high is good" || t == "rag - high is good") return Polarity::higher_is_better;
    if (t == "lower is better" || t == "low is good" || t == "rag - low is good") return Polarity::lower_is_better;
    if (t == "no judgement" || t == "bob - blue orange blue" || t == "bob") return Polarity::no_judgement;
    if (t == "not applicable") return Polarity::not_applicable;
    throw Error("trend", "unknown polarity '" + std::string(text) +
                             "' (expected higher is better, lower is better, no judgement or not applicable)");
}

// The text Fingertips prints (TrendMarkerLabelProvider): polarity adds "and getting better/worse"
// to a significant marker; no judgement and not applicable leave it plain.
inline std::string trend_label(TrendMarker marker, Polarity polarity) {
    if (marker != TrendMarker::increasing && marker != TrendMarker::decreasing) return to_string(marker);
    const bool up = marker == TrendMarker::increasing;
    std::string label = to_string(marker);
    if (polarity == Polarity::higher_is_better) return label + (up ? " and getting better" : " and getting worse");
    if (polarity == Polarity::lower_is_better) return label + (up ? " and getting worse" : " and getting better");
    return label;
}

// One series, oldest period first; columns not owned. count/denominator may be null for the
// weighted regression (every point then counts as lacking them, as in Fingertips).
struct TrendSeries {
    const double* value = nullptr;
    const double* lower95 = nullptr;
    const double* upper95 = nullptr;
    const double* count = nullptr;
    const double* denominator = nullptr;
    std::size_t size = 0;
};

// What a series gets when Fingertips' rules let it through but its statistic cannot be formed
// from 5 proper points (fewer than 5 valid points with 95% limits, a zero-width interval, a
// count of 0 with a significant proportions statistic).
enum class UntestedSeries : std::int8_t {
    as_fingertips = 0,        // the marker Fingertips prints, from its own arithmetic on what it has
    cannot_be_calculated = 1  // "Cannot be calculated"
};

struct TrendResult {
    TrendMarker marker = TrendMarker::cannot_be_calculated;
    bool tested = false;  // the statistic was formed from 5 proper points
    TrendReason reason = TrendReason::none;
    TrendMethod method = TrendMethod::weighted_regression;
    double slope = std::numeric_limits<double>::quiet_NaN();  // per period step (log-odds for proportions)
    double slope_se = std::numeric_limits<double>::quiet_NaN();  // weighted regression only
    double chi_square = std::numeric_limits<double>::quiet_NaN();
    bool leave_one_out_same_sign = false;
    std::size_t points_used = 0;
    std::array<std::size_t, kTrendPoints> used{};  // indices into the series, oldest first
    std::size_t invalid_skipped = 0;  // invalid points between the first and last point used

    bool significant() const noexcept {
        return marker == TrendMarker::increasing || marker == TrendMarker::decreasing;
    }
};

namespace detail {

inline bool present(const double* column, std::size_t i) { return column != nullptr && !std::isnan(column[i]); }

// Weighted least-squares slope of y on t = 1..n over the first n points except `drop` (an index
// >= n leaves none out); also SE(b)^2 = S0 / (S0 S2 - S1^2). Fewer than 2 points give NaN.
struct Slope {
    double slope;
    double variance;
};

inline Slope weighted_slope(const std::array<double, kTrendPoints>& y, const std::array<double, kTrendPoints>& w,
                            std::size_t n, std::size_t drop) {
    double s0 = 0, s1 = 0, s2 = 0, sy = 0, sty = 0;
    for (std::size_t k = 0; k < n; ++k) {
        if (k == drop) continue;
        const double t = static_cast<double>(k + 1);
        s0 += w[k];
        s1 += w[k] * t;
        s2 += w[k] * t * t;
        sy += w[k] * y[k];
        sty += w[k] * t * y[k];
    }
    const double det = s0 * s2 - s1 * s1;
    return {(s0 * sty - s1 * sy) / det, s0 / det};
}

inline int slope_sign(double b) { return b < 0 ? -1 : 1; }

}  // namespace detail

// The Fingertips recent-trend marker of one series (rules 2-7 above; rule 1 is the caller's).
// Returns the marker with the statistics behind it; never throws for data reasons. `untested`
// says what a series gets when its statistic cannot be formed from 5 proper points (see
// UntestedSeries); `tested` in the result tells the two apart either way.
inline TrendResult fingertips_recent_trend(const TrendSeries& s, TrendMethod method = TrendMethod::weighted_regression,
                                           UntestedSeries untested = UntestedSeries::as_fingertips) {
    TrendResult r;
    r.method = method;
    if (s.size < kTrendPoints) {
        r.reason = TrendReason::too_few_points;
        return r;
    }
    std::vector<std::size_t> valid;  // newest first
    for (std::size_t i = s.size; i-- > 0;) {
        if (detail::present(s.value, i) && detail::present(s.count, i) && detail::present(s.denominator, i))
            valid.push_back(i);
    }
    if (valid.size() < kTrendPoints) {
        r.reason = TrendReason::too_few_valid_points;
        return r;
    }
    for (std::size_t i : valid) {
        if (s.count[i] == s.denominator[i]) {
            r.reason = TrendReason::count_equals_denominator;
            return r;
        }
    }
    std::vector<std::size_t> chosen;
    for (std::size_t i : valid) {
        if (chosen.size() == kTrendPoints) break;
        if (method == TrendMethod::proportion_chi_square ||
            (detail::present(s.lower95, i) && detail::present(s.upper95, i)))
            chosen.push_back(i);
    }
    const std::size_t n = chosen.size();
    for (std::size_t k = 0; k < n; ++k) r.used[k] = chosen[n - 1 - k];
    r.points_used = n;
    if (n > 0) r.invalid_skipped = (r.used[n - 1] - r.used[0] + 1) - n;
    // What Fingertips prints for a series it cannot really test: its arithmetic on the points it
    // has, which yields NaN (or, for 2 to 4 points, a fit through fewer points) and so, almost
    // always, "No significant change".
    auto untestable = [&](TrendReason why) {
        r.reason = why;
        r.marker = untested == UntestedSeries::as_fingertips ? TrendMarker::no_significant_change
                                                             : TrendMarker::cannot_be_calculated;
        return r;
    };
    if (n < kTrendPoints) {
        r.reason = TrendReason::too_few_points_with_limits;
        if (untested == UntestedSeries::cannot_be_calculated) return r;
    }

    std::array<double, kTrendPoints> y{}, w{};
    if (method == TrendMethod::weighted_regression) {
        for (std::size_t k = 0; k < n; ++k) {
            const std::size_t i = r.used[k];
            const double se = (s.upper95[i] - s.lower95[i]) / 3.92;
            // An infinite weight makes every Fingertips sum NaN: no significant change.
            if (!(se > 0)) return untestable(TrendReason::zero_width_interval);
            y[k] = s.value[i];
            w[k] = 1.0 / (se * se);
        }
        const auto all = detail::weighted_slope(y, w, n, kTrendPoints);
        r.slope = all.slope;
        r.slope_se = std::sqrt(all.variance);
        r.chi_square = all.slope * all.slope / all.variance;
    } else {
        double big_r = 0, big_n = 0, rt = 0, nt = 0, nt2 = 0;
        bool zero = false;
        for (std::size_t k = 0; k < n; ++k) {
            const std::size_t i = r.used[k];
            const double t = static_cast<double>(k + 1), x = s.count[i], m = s.denominator[i];
            zero = zero || !(x > 0);
            big_r += x;
            big_n += m;
            rt += x * t;
            nt += m * t;
            nt2 += m * t * t;
            y[k] = std::log(x / (m - x));
            w[k] = 1.0;
        }
        const double d = big_n * rt - big_r * nt;
        r.chi_square = big_n * d * d / (big_r * (big_n - big_r) * (big_n * nt2 - nt * nt));
        if (zero) {
            // The statistic needs no logarithm, so a count of 0 still gives it; only the
            // leave-one-out check on the log-odds is undefined, and it matters only when the
            // statistic is significant (Fingertips' slope is then NaN: no significant change).
            if (std::isfinite(r.chi_square) && !(r.chi_square > kTrendChiSquare998)) {
                r.marker = TrendMarker::no_significant_change;
                r.tested = true;
                return r;
            }
            return untestable(TrendReason::zero_count);
        }
        r.slope = detail::weighted_slope(y, w, n, kTrendPoints).slope;
    }
    // Fingertips leaves out point 1..5 in turn; with fewer points some turns leave out nothing.
    int sign_sum = detail::slope_sign(r.slope);
    for (std::size_t drop = 0; drop < kTrendPoints; ++drop)
        sign_sum += detail::slope_sign(detail::weighted_slope(y, w, n, drop).slope);
    r.leave_one_out_same_sign = std::abs(sign_sum) == static_cast<int>(kTrendPoints + 1);
    r.marker = TrendMarker::no_significant_change;
    if (r.leave_one_out_same_sign && r.chi_square > kTrendChiSquare998 && r.slope != 0)
        r.marker = r.slope > 0 ? TrendMarker::increasing : TrendMarker::decreasing;
    r.tested = n == kTrendPoints;
    return r;
}

// The marker of many series stored end to end: group g is rows offsets[g] .. offsets[g+1]-1
// (offsets has one more entry than there are groups). methods[g] picks the test; a reason other
// than none in precheck[g] (value type, period type) makes the group "Cannot be calculated"
// without looking at its data. precheck may be empty. untested as in fingertips_recent_trend.
inline std::vector<TrendResult> fingertips_recent_trends(const TrendSeries& all, const std::vector<std::size_t>& offsets,
                                                         const std::vector<TrendMethod>& methods,
                                                         const std::vector<TrendReason>& precheck = {},
                                                         UntestedSeries untested = UntestedSeries::as_fingertips) {
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != all.size)
        throw StatisticsError("trend group offsets must start at 0 and end at the number of rows");
    const std::size_t groups = offsets.size() - 1;
    if (methods.size() != groups || (!precheck.empty() && precheck.size() != groups))
        throw StatisticsError("one trend method (and precheck) per group is needed");
    std::vector<TrendResult> out(groups);
    for (std::size_t g = 0; g < groups; ++g) {
        if (offsets[g + 1] < offsets[g]) throw StatisticsError("trend group offsets must not decrease");
        if (!precheck.empty() && precheck[g] != TrendReason::none) {
            out[g].method = methods[g];
            out[g].reason = precheck[g];
            continue;
        }
        const std::size_t o = offsets[g];
        auto shift = [o](const double* c) { return c == nullptr ? c : c + o; };
        const TrendSeries s{shift(all.value), shift(all.lower95), shift(all.upper95), shift(all.count),
                            shift(all.denominator), offsets[g + 1] - o};
        out[g] = fingertips_recent_trend(s, methods[g], untested);
        for (std::size_t k = 0; k < out[g].points_used; ++k) out[g].used[k] += o;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Trend test for overlapping pooled periods (fairer's own; Fingertips does not test them).
//
// A 3-year pooled estimate such as life expectancy for "2019 - 21" shares two of its three years
// with "2018 - 20" and "2020 - 22", so consecutive estimates are positively correlated and a
// regression that treats them as independent overstates the evidence for a trend. fairer fits
// the straight line by generalised least squares with the covariance that pooling implies:
// an m-year pooled estimate is modelled as the mean of m independent single-year estimates of
// equal variance, so two pooled estimates whose first years differ by k share max(0, m - k) of
// their m years and
//     corr(P_s, P_t) = max(0, m - |k|) / m,    cov = corr * SE_s * SE_t,  SE = (U95 - L95) / 3.92.
// With X = [1, first year] and V that covariance, b = (X' V^-1 X)^-1 X' V^-1 y and
// Var(b) = [(X' V^-1 X)^-1]_22 (Aitken AC. On least squares and linear combination of
// observations. Proc R Soc Edinb 1935;55:42-8). The decision copies the Fingertips rules so
// that both markers read alike: the most recent `points` (default 5) periods with value and
// limits, chi^2 = b^2 / Var(b) > 9.5495 (99.8%), and the slope keeping its sign when each point
// is left out in turn. For m = 1 the covariance is diagonal and the test is Fingertips' weighted
// regression. Periods may have gaps (the covariance follows the years apart); they must be
// strictly increasing. The model ignores the change in population weights between years, which
// is small for life expectancy; the slope is per year.
struct PooledSeries {
    const double* value = nullptr;
    const double* lower95 = nullptr;
    const double* upper95 = nullptr;
    const int* first_year = nullptr;  // first year of each pooled period, strictly increasing
    std::size_t size = 0;
};

namespace detail {

inline Slope gls_slope(const Eigen::VectorXd& y, const Eigen::VectorXd& year, const Eigen::VectorXd& se, int pool_years,
                       Eigen::Index drop) {
    const Eigen::Index n = y.size() - (drop >= 0 ? 1 : 0);
    Eigen::MatrixXd x(n, 2), v(n, n);
    Eigen::VectorXd yy(n);
    std::vector<Eigen::Index> keep;
    for (Eigen::Index i = 0; i < y.size(); ++i)
        if (i != drop) keep.push_back(i);
    const double centre = year.mean();  // centring keeps X'V^-1X well conditioned
    for (Eigen::Index a = 0; a < n; ++a) {
        const Eigen::Index i = keep[static_cast<std::size_t>(a)];
        x(a, 0) = 1.0;
        x(a, 1) = year(i) - centre;
        yy(a) = y(i);
        for (Eigen::Index b = 0; b < n; ++b) {
            const Eigen::Index j = keep[static_cast<std::size_t>(b)];
            const double shared = std::max(0.0, pool_years - std::abs(year(i) - year(j))) / pool_years;
            v(a, b) = shared * se(i) * se(j);
        }
    }
    const Eigen::LLT<Eigen::MatrixXd> chol(v);
    const Eigen::MatrixXd vx = chol.solve(x);
    const Eigen::Matrix2d info = x.transpose() * vx;
    const Eigen::Vector2d beta = info.ldlt().solve(vx.transpose() * yy);
    return {beta(1), info.inverse()(1, 1)};
}

}  // namespace detail

// Trend of one series of overlapping pooled periods (see the block comment above). The result
// uses the fields of TrendResult: slope per year, slope_se, chi_square, the leave-one-out check,
// the indices used; invalid_skipped counts periods without value or limits inside the span used.
inline TrendResult pooled_period_trend(const PooledSeries& s, int pool_years, std::size_t points = kTrendPoints) {
    if (pool_years < 1) throw StatisticsError("pool_years must be at least 1, got " + std::to_string(pool_years));
    if (points < 3 || points > kTrendPoints)
        throw StatisticsError("points must be between 3 and 5, got " + std::to_string(points));
    for (std::size_t i = 1; i < s.size; ++i) {
        if (s.first_year[i] <= s.first_year[i - 1])
            throw StatisticsError("pooled periods must be in increasing order without repeats: first year " +
                                  std::to_string(s.first_year[i]) + " follows " + std::to_string(s.first_year[i - 1]));
    }
    TrendResult r;
    r.method = TrendMethod::weighted_regression;
    std::vector<std::size_t> chosen;
    for (std::size_t i = s.size; i-- > 0 && chosen.size() < points;) {
        if (detail::present(s.value, i) && detail::present(s.lower95, i) && detail::present(s.upper95, i))
            chosen.push_back(i);
    }
    if (chosen.size() < points) {
        r.reason = s.size < points ? TrendReason::too_few_points : TrendReason::too_few_points_with_limits;
        return r;
    }
    const auto n = static_cast<Eigen::Index>(points);
    Eigen::VectorXd y(n), year(n), se(n);
    for (std::size_t k = 0; k < points; ++k) {
        const std::size_t i = chosen[points - 1 - k];
        r.used[k] = i;
        const auto e = static_cast<Eigen::Index>(k);
        y(e) = s.value[i];
        year(e) = s.first_year[i];
        se(e) = (s.upper95[i] - s.lower95[i]) / 3.92;
        if (!(se(e) > 0)) {
            r.reason = TrendReason::zero_width_interval;
            return r;
        }
    }
    r.points_used = points;
    r.invalid_skipped = (r.used[points - 1] - r.used[0] + 1) - points;
    const auto all = detail::gls_slope(y, year, se, pool_years, -1);
    r.slope = all.slope;
    r.slope_se = std::sqrt(all.variance);
    r.chi_square = all.slope * all.slope / all.variance;
    int sign_sum = detail::slope_sign(r.slope);
    for (Eigen::Index drop = 0; drop < n; ++drop)
        sign_sum += detail::slope_sign(detail::gls_slope(y, year, se, pool_years, drop).slope);
    r.leave_one_out_same_sign = std::abs(sign_sum) == static_cast<int>(points + 1);
    r.tested = true;
    r.marker = TrendMarker::no_significant_change;
    if (r.leave_one_out_same_sign && r.chi_square > kTrendChiSquare998 && r.slope != 0)
        r.marker = r.slope > 0 ? TrendMarker::increasing : TrendMarker::decreasing;
    return r;
}

// pooled_period_trend over many series stored end to end (offsets as in fingertips_recent_trends).
inline std::vector<TrendResult> pooled_period_trends(const PooledSeries& all, const std::vector<std::size_t>& offsets,
                                                     int pool_years, std::size_t points = kTrendPoints) {
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != all.size)
        throw StatisticsError("trend group offsets must start at 0 and end at the number of rows");
    std::vector<TrendResult> out(offsets.size() - 1);
    for (std::size_t g = 0; g + 1 < offsets.size(); ++g) {
        if (offsets[g + 1] < offsets[g]) throw StatisticsError("trend group offsets must not decrease");
        const std::size_t o = offsets[g];
        const PooledSeries s{all.value + o, all.lower95 + o, all.upper95 + o, all.first_year + o, offsets[g + 1] - o};
        out[g] = pooled_period_trend(s, pool_years, points);
        for (std::size_t k = 0; k < out[g].points_used; ++k) out[g].used[k] += o;
    }
    return out;
}

}  // namespace fairer
