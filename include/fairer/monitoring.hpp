// Monitoring statistics for the All Together Fairer programme: aggregating places to a
// sub-region or the ICB, the change since a baseline period, the gap to a benchmark (England)
// and how it moved, and the inequality between the places of a region.
//
// Differences between two independent estimates use the standard errors recovered from their
// 95% limits, SE = (U - L) / (2 z_0.975), and a normal approximation (Altman DG, Bland JM.
// Interaction revisited: the difference between two estimates. BMJ 2003;326:219). Estimates of
// the same area in two periods, and of an area and England, are treated as independent; an
// area is part of England, which makes the test slightly conservative for a gap.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "fairer/confidence_intervals.hpp"
#include "fairer/errors.hpp"
#include "fairer/sii.hpp"
#include "fairer/time_period.hpp"

namespace fairer {

// How an aggregate was made.
enum class AggregationMethod {
    wilson_counts,        // proportion from summed counts and denominators, Wilson limits
    poisson_counts,       // crude rate from summed counts and denominators, exact/Byar limits
    population_weighted,  // population-weighted mean of the members' values
    incomplete            // a member had no value: the aggregate is missing
};

inline const char* to_string(AggregationMethod m) {
    switch (m) {
        case AggregationMethod::wilson_counts: return "counts (Wilson)";
        case AggregationMethod::poisson_counts: return "counts (exact Poisson / Byar)";
        case AggregationMethod::population_weighted: return "population-weighted";
        case AggregationMethod::incomplete: return "incomplete";
    }
    return "incomplete";
}

// An aggregate value with 95% and 99.8% limits (NaN where they cannot be given). note names the
// member that made it incomplete or explains missing limits.
struct Aggregate {
    double value = std::numeric_limits<double>::quiet_NaN();
    double lower95 = std::numeric_limits<double>::quiet_NaN();
    double upper95 = std::numeric_limits<double>::quiet_NaN();
    double lower99_8 = std::numeric_limits<double>::quiet_NaN();
    double upper99_8 = std::numeric_limits<double>::quiet_NaN();
    double count = std::numeric_limits<double>::quiet_NaN();
    double denominator = std::numeric_limits<double>::quiet_NaN();
    AggregationMethod method = AggregationMethod::incomplete;
    std::string note;
};

namespace detail {

inline std::string member_name(const std::vector<std::string>& names, std::size_t i) {
    return i < names.size() ? "'" + names[i] + "'" : "member " + std::to_string(i);
}

inline void check_same_length(std::size_t n, std::size_t m, const char* what) {
    if (m != n)
        throw StatisticsError(std::string(what) + " has " + std::to_string(m) + " entries, expected " + std::to_string(n));
}

// Sums counts and denominators; returns false (with the note set) when a member lacks either.
inline bool sum_counts(const std::vector<double>& counts, const std::vector<double>& denominators,
                       const std::vector<std::string>& names, Aggregate& a) {
    check_same_length(counts.size(), denominators.size(), "denominators");
    if (counts.empty()) throw StatisticsError("nothing to aggregate: no members");
    double x = 0.0, n = 0.0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (!std::isfinite(counts[i]) || !std::isfinite(denominators[i])) {
            a.note = member_name(names, i) + " has no count or denominator";
            return false;
        }
        if (counts[i] < 0.0 || denominators[i] < 0.0)
            throw StatisticsError(member_name(names, i) + ": count and denominator must not be negative, got " +
                                  number_text(counts[i]) + " and " + number_text(denominators[i]));
        x += counts[i];
        n += denominators[i];
    }
    a.count = x;
    a.denominator = n;
    return true;
}

}  // namespace detail

// A proportion over several areas from their counts and denominators: p = sum x / sum n, with
// Wilson score limits (wilson_interval) at 95% and 99.8%, times multiplier (100 for %). This is
// the value the combined area's own data would give. A member without count or denominator
// makes the aggregate incomplete (missing, with a note naming it); negative counts throw.
inline Aggregate aggregate_proportion(const std::vector<double>& counts, const std::vector<double>& denominators,
                                      double multiplier = 100.0, const std::vector<std::string>& names = {}) {
    Aggregate a;
    if (!detail::sum_counts(counts, denominators, names, a)) return a;
    a.method = AggregationMethod::wilson_counts;
    a.value = a.count / a.denominator * multiplier;
    const Interval i95 = wilson_interval(a.count, a.denominator, 0.95);
    const Interval i998 = wilson_interval(a.count, a.denominator, 0.998);
    a.lower95 = i95.lower * multiplier;
    a.upper95 = i95.upper * multiplier;
    a.lower99_8 = i998.lower * multiplier;
    a.upper99_8 = i998.upper * multiplier;
    return a;
}

// A crude rate over several areas: r = sum x / sum n * multiplier, with the package's Poisson
// limits for the summed count (poisson_count_interval: exact below 10 events, Byar from 10)
// divided by sum n. Incomplete members are handled as in aggregate_proportion.
inline Aggregate aggregate_crude_rate(const std::vector<double>& counts, const std::vector<double>& denominators,
                                      double multiplier = 100000.0, const std::vector<std::string>& names = {}) {
    Aggregate a;
    if (!detail::sum_counts(counts, denominators, names, a)) return a;
    if (!(a.denominator > 0.0)) throw StatisticsError("the members' denominators sum to zero");
    a.method = AggregationMethod::poisson_counts;
    a.value = a.count / a.denominator * multiplier;
    const Interval i95 = poisson_count_interval(a.count, 0.95);
    const Interval i998 = poisson_count_interval(a.count, 0.998);
    a.lower95 = i95.lower / a.denominator * multiplier;
    a.upper95 = i95.upper / a.denominator * multiplier;
    a.lower99_8 = i998.lower / a.denominator * multiplier;
    a.upper99_8 = i998.upper / a.denominator * multiplier;
    return a;
}

// The standard error implied by symmetric 95% limits, (U - L) / (2 z_0.975); NaN if either is missing.
inline double standard_error_from_limits(double lower95, double upper95) {
    return (upper95 - lower95) / (2.0 * z_value(0.95));
}

// A population-weighted mean, for indicators without counts (life expectancy, scores, survey
// estimates): v = sum w_i v_i / sum w_i, with normal limits v -/+ z SE where
// SE^2 = sum w_i^2 SE_i^2 / (sum w_i)^2 and SE_i from each member's 95% limits (members
// independent). It approximates, not reproduces, what the combined area's data would give; the
// method flag says so. A member without a value makes the aggregate incomplete; a member without
// limits leaves the aggregate's limits missing (noted). A missing or negative weight throws.
inline Aggregate aggregate_population_weighted(const std::vector<double>& values, const std::vector<double>& lower95,
                                               const std::vector<double>& upper95, const std::vector<double>& weights,
                                               const std::vector<std::string>& names = {}) {
    const std::size_t n = values.size();
    if (n == 0) throw StatisticsError("nothing to aggregate: no members");
    detail::check_same_length(n, weights.size(), "weights");
    detail::check_same_length(n, lower95.size(), "lower95");
    detail::check_same_length(n, upper95.size(), "upper95");
    Aggregate a;
    double w_sum = 0.0, wv = 0.0, var = 0.0;
    bool limits = true;
    for (std::size_t i = 0; i < n; ++i) {
        if (!(weights[i] >= 0.0) || !std::isfinite(weights[i]))
            throw StatisticsError(detail::member_name(names, i) + ": population weight must be a finite number >= 0, got " +
                                  detail::number_text(weights[i]));
        if (!std::isfinite(values[i])) {
            a.note = detail::member_name(names, i) + " has no value";
            return a;
        }
        w_sum += weights[i];
        wv += weights[i] * values[i];
        const double se = standard_error_from_limits(lower95[i], upper95[i]);
        if (!std::isfinite(se)) {
            if (limits) a.note = detail::member_name(names, i) + " has no 95% limits, so the aggregate has none";
            limits = false;
        }
        var += weights[i] * weights[i] * se * se;
    }
    if (!(w_sum > 0.0)) throw StatisticsError("the members' population weights sum to zero");
    a.method = AggregationMethod::population_weighted;
    a.value = wv / w_sum;
    a.denominator = w_sum;
    if (limits) {
        const double se = std::sqrt(var) / w_sum;
        const double z95 = z_value(0.95), z998 = z_value(0.998);
        a.lower95 = a.value - z95 * se;
        a.upper95 = a.value + z95 * se;
        a.lower99_8 = a.value - z998 * se;
        a.upper99_8 = a.value + z998 * se;
    }
    return a;
}

// A difference between two independent estimates with its confidence limits and test:
//   d = a - b,  SE_d = sqrt(SE_a^2 + SE_b^2),  limits d -/+ z_c SE_d,  significant when the
// limits exclude 0 (|d| / SE_d > z_c). Reference: Altman & Bland, BMJ 2003;326:219.
struct Difference {
    double estimate = std::numeric_limits<double>::quiet_NaN();
    double lower = std::numeric_limits<double>::quiet_NaN();
    double upper = std::numeric_limits<double>::quiet_NaN();
    double se = std::numeric_limits<double>::quiet_NaN();
    bool significant = false;
    bool assessed = false;  // false when an input was missing: then nothing is claimed
};

inline Difference difference_from_se(double estimate, double se, double confidence) {
    Difference d;
    d.estimate = estimate;
    if (!std::isfinite(estimate) || !std::isfinite(se)) return d;
    const double z = z_value(confidence);
    d.se = se;
    d.lower = estimate - z * se;
    d.upper = estimate + z * se;
    d.assessed = true;
    d.significant = d.lower > 0.0 || d.upper < 0.0;
    return d;
}

// a - b for two estimates given with their 95% limits; default confidence 0.95.
inline Difference difference_of_estimates(double a, double a_lower95, double a_upper95, double b, double b_lower95,
                                          double b_upper95, double confidence = 0.95) {
    const double sa = standard_error_from_limits(a_lower95, a_upper95);
    const double sb = standard_error_from_limits(b_lower95, b_upper95);
    return difference_from_se(a - b, std::sqrt(sa * sa + sb * sb), confidence);
}

// a / b for two positive estimates, on the log scale: log(a/b) -/+ z sqrt((SE_a/a)^2 +
// (SE_b/b)^2) (delta method), back-transformed; significant when the limits exclude 1.
// estimate, lower and upper are ratios; se is on the log scale. Not assessed unless a, b > 0.
inline Difference ratio_of_estimates(double a, double a_lower95, double a_upper95, double b, double b_lower95,
                                     double b_upper95, double confidence = 0.95) {
    Difference r;
    if (!(a > 0.0) || !(b > 0.0)) {
        r.estimate = a / b;
        return r;
    }
    const double la = standard_error_from_limits(a_lower95, a_upper95) / a;
    const double lb = standard_error_from_limits(b_lower95, b_upper95) / b;
    const Difference d = difference_from_se(std::log(a / b), std::sqrt(la * la + lb * lb), confidence);
    r = d;
    r.estimate = a / b;
    if (d.assessed) {
        r.lower = std::exp(d.lower);
        r.upper = std::exp(d.upper);
    }
    return r;
}

// How a gap to the benchmark moved between the baseline and now.
enum class GapMovement { narrowed, widened, reversed, no_significant_change, not_assessed };

inline const char* to_string(GapMovement g) {
    switch (g) {
        case GapMovement::narrowed: return "narrowed";
        case GapMovement::widened: return "widened";
        case GapMovement::reversed: return "reversed";
        case GapMovement::no_significant_change: return "no significant change";
        case GapMovement::not_assessed: return "not assessed";
    }
    return "not assessed";
}

// The gap of an area to a benchmark at baseline (0) and now (1): absolute gaps g_t = area_t -
// benchmark_t and relative gaps area_t / benchmark_t with limits, and the change g_1 - g_0 with
// SE^2 the sum of the four estimates' SE^2 (all independent). The movement is "narrowed" when
// the change is significant and towards zero without crossing it (|g_1| < |g_0|, same sign),
// "reversed" when significant and g_1 lies beyond zero on the other side, "widened" when
// significant and away from zero, otherwise "no significant change"; "not assessed" when an
// input is missing. Inputs are value, lower95, upper95 for each of the four estimates.
struct GapChange {
    Difference gap_baseline, gap_now, relative_baseline, relative_now, change;
    GapMovement movement = GapMovement::not_assessed;
};

inline GapChange gap_change(double a0, double a0_lower, double a0_upper, double b0, double b0_lower, double b0_upper,
                            double a1, double a1_lower, double a1_upper, double b1, double b1_lower, double b1_upper,
                            double confidence = 0.95) {
    GapChange g;
    g.gap_baseline = difference_of_estimates(a0, a0_lower, a0_upper, b0, b0_lower, b0_upper, confidence);
    g.gap_now = difference_of_estimates(a1, a1_lower, a1_upper, b1, b1_lower, b1_upper, confidence);
    g.relative_baseline = ratio_of_estimates(a0, a0_lower, a0_upper, b0, b0_lower, b0_upper, confidence);
    g.relative_now = ratio_of_estimates(a1, a1_lower, a1_upper, b1, b1_lower, b1_upper, confidence);
    const double se = std::sqrt(g.gap_baseline.se * g.gap_baseline.se + g.gap_now.se * g.gap_now.se);
    g.change = difference_from_se(g.gap_now.estimate - g.gap_baseline.estimate, se, confidence);
    if (!g.change.assessed) return g;
    if (!g.change.significant) {
        g.movement = GapMovement::no_significant_change;
        return g;
    }
    const double g0 = g.gap_baseline.estimate, g1 = g.gap_now.estimate;
    if (std::fabs(g1) > std::fabs(g0) && (g1 * g0 >= 0.0)) g.movement = GapMovement::widened;
    else if (g1 * g0 < 0.0) g.movement = GapMovement::reversed;
    else g.movement = GapMovement::narrowed;
    return g;
}

// Inequality between the places of a region in one period. The range is highest - lowest value
// and the ratio highest / lowest (NaN unless the lowest is positive); best and worst follow
// polarity (NaN-free positions into the input; -1 when there is no judgement). The slope index
// of inequality across places ordered by deprivation (most deprived first, by descending
// deprivation score) is the PHE SII (sii.hpp, analytic 95% limits, population weights): the
// fitted difference between the least and the most deprived end of the population.
struct RegionInequality {
    std::size_t places = 0;
    double range = std::numeric_limits<double>::quiet_NaN();
    double ratio = std::numeric_limits<double>::quiet_NaN();
    long highest = -1, lowest = -1;
    double sii = std::numeric_limits<double>::quiet_NaN();
    double sii_lower95 = std::numeric_limits<double>::quiet_NaN();
    double sii_upper95 = std::numeric_limits<double>::quiet_NaN();
    std::string note;
};

// values, 95% limits, populations and deprivation scores (higher = more deprived, e.g. IMD
// average score) per place. Any place without a value makes every statistic missing (noted):
// a range over fewer places would not be the region's. Needs at least 2 places; the SII needs
// limits, populations and scores for every place and at least 5 places, else it is missing
// (noted).
inline RegionInequality region_inequality(const std::vector<double>& values, const std::vector<double>& lower95,
                                          const std::vector<double>& upper95, const std::vector<double>& population,
                                          const std::vector<double>& deprivation_score,
                                          const std::vector<std::string>& names = {}) {
    const std::size_t n = values.size();
    detail::check_same_length(n, lower95.size(), "lower95");
    detail::check_same_length(n, upper95.size(), "upper95");
    detail::check_same_length(n, population.size(), "population");
    detail::check_same_length(n, deprivation_score.size(), "deprivation_score");
    if (n < 2) throw StatisticsError("within-region inequality needs at least 2 places, got " + std::to_string(n));
    RegionInequality r;
    r.places = n;
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(values[i])) {
            r.note = detail::member_name(names, i) + " has no value";
            return r;
        }
    const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
    r.lowest = static_cast<long>(mn - values.begin());
    r.highest = static_cast<long>(mx - values.begin());
    r.range = *mx - *mn;
    if (*mn > 0.0) r.ratio = *mx / *mn;

    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = 0; i < n; ++i) {
        const char* lacking = !std::isfinite(lower95[i]) || !std::isfinite(upper95[i]) ? "95% limits"
                              : !std::isfinite(population[i])                          ? "population"
                              : !std::isfinite(deprivation_score[i])                   ? "deprivation score"
                                                                                       : nullptr;
        if (lacking) {
            r.note = detail::member_name(names, i) + " has no " + lacking + ", so there is no slope index";
            return r;
        }
    }
    if (n < 5) {
        // phe_sii's rule (PHEindicatormethods): a regression over fewer than 5 groups is not given.
        r.note = "the slope index needs at least 5 places, got " + std::to_string(n);
        return r;
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return deprivation_score[a] > deprivation_score[b]; });
    std::vector<double> pop(n), val(n), lo(n), hi(n);
    for (std::size_t k = 0; k < n; ++k) {
        pop[k] = population[order[k]];
        val[k] = values[order[k]];
        lo[k] = lower95[order[k]];
        hi[k] = upper95[order[k]];
    }
    SiiInput in;
    in.rows = n;
    in.population = pop.data();
    in.value = val.data();
    in.lower_cl = lo.data();
    in.upper_cl = hi.data();
    in.offsets = {0, n};
    SiiOptions o;
    o.method = SiiMethod::analytic;
    const auto res = slope_index_of_inequality(in, o, false);
    r.sii = res.front().sii;
    r.sii_lower95 = res.front().sii_limits.front().lower;
    r.sii_upper95 = res.front().sii_limits.front().upper;
    return r;
}

namespace detail {

// How well a period matches a baseline (lower is better): 0 the same period, 1 a single-year
// period (calendar, financial or academic) starting in the baseline year, 2 a multi-year pooled
// period ending in it, 3 no match. Only a plain year baseline admits ranks 1 and 2.
inline int baseline_match_rank(const TimePeriod& period, const TimePeriod& base) {
    if (period == base) return 0;
    if (base.kind() != PeriodKind::year) return 3;
    const int y = base.first_year();
    if (period.kind() == PeriodKind::year && period.first_year() == y) return 1;
    if (period.kind() == PeriodKind::pooled_years && period.end().year == y) return 2;
    return 3;
}

}  // namespace detail

// The period of `periods` (Fingertips texts) to use as the baseline `baseline` (e.g. "2022"):
// a period equal to the parsed baseline; else, for a baseline year Y, the single-year period
// (calendar, financial or academic) starting in Y; else the multi-year pooled period ending in
// Y (e.g. "2020 - 22", the first pooled estimate that includes Y). The first period of the best
// kind wins. Returns the index, or -1 when none matches. Throws fairer::Error (id period) for an
// unreadable text, naming it.
inline long find_baseline_period(const std::vector<std::string>& periods, std::string_view baseline) {
    const TimePeriod base = TimePeriod::parse(baseline);
    long best = -1;
    int best_rank = 3;
    for (std::size_t i = 0; i < periods.size(); ++i) {
        const int r = detail::baseline_match_rank(TimePeriod::parse(periods[i]), base);
        if (r < best_rank) {
            best_rank = r;
            best = static_cast<long>(i);
        }
    }
    return best;
}

// The change of one series from its baseline period to its latest period.
struct BaselineChange {
    long baseline_row = -1;  // row of the baseline period, -1 when the series has none
    long latest_row = -1;    // row of the latest period (by TimePeriod order; the later row on a tie)
    Difference change;       // latest - baseline (difference_of_estimates); not assessed when
                             // there is no baseline or the latest period is the baseline period
};

// Baseline changes for many series at once. Row i belongs to series group[i] (0 .. groups-1)
// and has the period periods[period_code[i]]; each distinct period text is parsed once. For
// each series the baseline row is chosen by find_baseline_period's rules (the first row of the
// best-matching kind) and the latest row is the one with the greatest TimePeriod; the change is
// difference_of_estimates(latest, baseline) at `confidence` (Altman & Bland 2003). Throws
// StatisticsError for mismatched lengths or a code out of range, fairer::Error (id period) for an
// unreadable period text.
inline std::vector<BaselineChange> baseline_changes(std::size_t groups, const std::vector<std::uint32_t>& group,
                                                    const std::vector<std::uint32_t>& period_code,
                                                    const std::vector<std::string>& periods, std::string_view baseline,
                                                    const double* value, const double* lower95, const double* upper95,
                                                    double confidence = 0.95) {
    const std::size_t n = group.size();
    detail::check_same_length(n, period_code.size(), "period_code");
    const TimePeriod base = TimePeriod::parse(baseline);
    std::vector<TimePeriod> parsed;
    std::vector<int> rank;
    parsed.reserve(periods.size());
    rank.reserve(periods.size());
    for (const auto& p : periods) {
        parsed.push_back(TimePeriod::parse(p));
        rank.push_back(detail::baseline_match_rank(parsed.back(), base));
    }
    std::vector<BaselineChange> out(groups);
    std::vector<int> best_rank(groups, 3);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t g = group[i], p = period_code[i];
        if (g >= groups) throw StatisticsError("group code " + std::to_string(g) + " at row " + std::to_string(i) +
                                               " is not below the number of groups " + std::to_string(groups));
        if (p >= periods.size())
            throw StatisticsError("period code " + std::to_string(p) + " at row " + std::to_string(i) +
                                  " is not below the number of periods " + std::to_string(periods.size()));
        auto& c = out[g];
        if (rank[p] < best_rank[g]) {
            best_rank[g] = rank[p];
            c.baseline_row = static_cast<long>(i);
        }
        if (c.latest_row < 0 || !(parsed[p] < parsed[period_code[static_cast<std::size_t>(c.latest_row)]]))
            c.latest_row = static_cast<long>(i);
    }
    for (auto& c : out) {
        if (c.baseline_row < 0 || c.latest_row < 0) continue;
        const auto b = static_cast<std::size_t>(c.baseline_row), l = static_cast<std::size_t>(c.latest_row);
        if (period_code[b] == period_code[l]) continue;
        c.change = difference_of_estimates(value[l], lower95[l], upper95[l], value[b], lower95[b], upper95[b], confidence);
    }
    return out;
}

}  // namespace fairer
