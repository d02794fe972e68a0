// Age standardisation, computed per group over flat arrays (one row per group and age band):
//
//  * directly standardised rates (DSR) with Dobson limits, the small-count suppression rule
//    and the adjustment for non-independent events (specs/indicator-methods.md §5);
//  * indirectly standardised ratios (SMR/ISR) and rates with Byar's or exact Poisson limits
//    (spec §6).
//
// They reproduce PHEindicatormethods 2.1.0 (calculate_dsr, phe_dsr, calculate_ISRatio,
// calculate_ISRate). Inputs are columns (numpy arrays bind without a copy) with an optional
// RowGroups giving each row's group, so the rows of a group need not be contiguous; results come
// one per group in code order. Each confidence level may be a fraction or a percentage (>= 90);
// the package's restriction to one level or the pair 0.95/0.998 is left to fairer's Python API.
// Bad input throws StatisticsError naming the group and the row index (0-based).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fairer/confidence_intervals.hpp"
#include "fairer/detail/indicator_rows.hpp"
#include "fairer/errors.hpp"
#include "fairer/rate.hpp"
#include "fairer/row_groups.hpp"
#include "fairer/standard_population.hpp"

namespace fairer {

namespace detail::standardise {

inline std::uint32_t group_of(const RowGroups* groups, std::size_t row) noexcept {
    return groups != nullptr ? groups->codes[row] : 0U;
}

inline std::size_t group_count(const RowGroups* groups) noexcept { return groups != nullptr ? groups->size() : 1; }

inline std::string group_name(const RowGroups* groups, std::size_t g) {
    return groups != nullptr ? "'" + groups->names[g] + "'" : std::string("(all rows)");
}

inline void check_column_length(const ConstColumn& c, std::size_t rows, const char* what) {
    if (static_cast<std::size_t>(c.size()) != rows)
        throw StatisticsError(std::string(what) + " has " + std::to_string(c.size()) + " values for " +
                              std::to_string(rows) + " rows");
}

}  // namespace detail::standardise

// Values given per category in category order, matched to the rows by their position within each
// group: the first row of every group takes values[0], the second values[1], and so on (the
// package's "vector" standard and reference populations, phe_dsr and calculate_ISRatio/ISRate).
// Every group must have the same number of rows, equal to values.size(). what names the values
// in messages ("stdpop", "x_ref"). Throws StatisticsError naming the group otherwise.
inline Eigen::ArrayXd spread_by_group_position(std::size_t rows, const std::vector<double>& values,
                                               const std::string& what, const RowGroups* groups = nullptr) {
    namespace sd = detail::standardise;
    if (groups != nullptr) groups->check(rows);
    const std::size_t count = sd::group_count(groups);
    std::vector<std::size_t> size(count, 0);
    for (std::size_t i = 0; i < rows; ++i) ++size[sd::group_of(groups, i)];
    for (std::size_t g = 1; g < count; ++g) {
        if (size[g] != size[0])
            throw StatisticsError("data must contain the same number of rows for each group: group " +
                                  sd::group_name(groups, 0) + " has " + std::to_string(size[0]) + " rows but group " +
                                  sd::group_name(groups, g) + " has " + std::to_string(size[g]));
    }
    if (size[0] != values.size())
        throw StatisticsError(what + " length must equal number of rows in each group within data: " + what + " has " +
                              std::to_string(values.size()) + " values but each group has " + std::to_string(size[0]) +
                              " rows");
    std::vector<std::size_t> seen(count, 0);
    Eigen::ArrayXd out(static_cast<Eigen::Index>(rows));
    for (std::size_t i = 0; i < rows; ++i) out[static_cast<Eigen::Index>(i)] = values[seen[sd::group_of(groups, i)]++];
    return out;
}

// ---------------------------------------------------------------------------------------------
// Directly standardised rates

// One entry per group (in code order; one entry when ungrouped); lower[k] and upper[k] are the
// limits at confidence[k].
struct DsrResult {
    std::vector<double> total_count;  // O, events in the group
    std::vector<double> total_pop;    // population of the group
    std::vector<double> value;        // DSR x multiplier; NaN when suppressed
    std::vector<double> confidence;   // the levels, as fractions
    std::vector<std::vector<double>> lower, upper;
    std::vector<bool> suppressed;     // total_count < 10
};

namespace detail::standardise {

// Per-group sums from which the DSR and its variance follow.
struct DsrSums {
    double count = 0.0;     // sum x (missing dropped)
    double pop = 0.0;       // sum n
    double weight = 0.0;    // sum w
    double weighted = 0.0;  // sum x w / n
    double var = 0.0;       // variance of the DSR per person (before the multiplier)
};

// Row checks in the package's order of messages (spec §5.1 steps 5-8), with fairer's additions
// (infinite values). Missing x is allowed and counts as no events.
inline void check_dsr_rows(const ConstColumn& x, const ConstColumn& n, const ConstColumn& stdpop,
                           const RowGroups* groups) {
    const auto rows = static_cast<std::size_t>(x.size());
    check_column_length(n, rows, "n");
    check_column_length(stdpop, rows, "stdpop");
    if (groups != nullptr) groups->check(rows);
    for (Eigen::Index k = 0; k < x.size(); ++k) {
        const auto i = static_cast<std::size_t>(k);
        if (std::isnan(n[k]))
            throw StatisticsError("field n cannot have missing values: " + where(groups, i));
        if (std::isnan(stdpop[k]))
            throw StatisticsError("field stdpop cannot have missing values: " + where(groups, i));
    }
    for (Eigen::Index k = 0; k < x.size(); ++k) {
        if (x[k] < 0.0 || std::isinf(x[k]))
            throw StatisticsError("numerators must all be greater than or equal to zero and finite: " +
                                  where(groups, static_cast<std::size_t>(k)) + " has " + number_text(x[k]));
    }
    for (Eigen::Index k = 0; k < x.size(); ++k) {
        if (!(n[k] > 0.0) || std::isinf(n[k]))
            throw StatisticsError("denominators must all be greater than zero and finite: " +
                                  where(groups, static_cast<std::size_t>(k)) + " has " + number_text(n[k]));
    }
    for (Eigen::Index k = 0; k < x.size(); ++k) {
        if (stdpop[k] < 0.0 || std::isinf(stdpop[k]))
            throw StatisticsError("stdpop must all be greater than or equal to zero and finite: " +
                                  where(groups, static_cast<std::size_t>(k)) + " has " + number_text(stdpop[k]));
    }
}

// Dobson limits from the per-group sums: DSR + sqrt(var / O) (L_Byar(O) - O) and likewise with
// U_Byar. Suppressed (NaN) when O < 10.
inline DsrResult finish_dsr(const std::vector<DsrSums>& sums, const RowGroups* groups, std::vector<double> levels,
                            double multiplier) {
    const std::size_t g_count = sums.size();
    DsrResult r;
    r.confidence = std::move(levels);
    r.total_count.resize(g_count);
    r.total_pop.resize(g_count);
    r.value.resize(g_count);
    r.suppressed.resize(g_count);
    r.lower.assign(r.confidence.size(), std::vector<double>(g_count));
    r.upper.assign(r.confidence.size(), std::vector<double>(g_count));
    std::vector<double> z;
    for (double c : r.confidence) z.push_back(z_value(c));
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t g = 0; g < g_count; ++g) {
        const DsrSums& s = sums[g];
        r.total_count[g] = s.count;
        r.total_pop[g] = s.pop;
        // Copied from the package: below 10 events the rate is too unstable to publish.
        const bool suppress = !(s.count >= 10.0);
        r.suppressed[g] = suppress;
        if (suppress) {
            r.value[g] = nan;
            for (std::size_t k = 0; k < z.size(); ++k) r.lower[k][g] = r.upper[k][g] = nan;
            continue;
        }
        if (!(s.weight > 0.0))
            throw StatisticsError("the standard population of group " + group_name(groups, g) +
                                  " sums to zero, so its directly standardised rate is undefined");
        const double dsr = s.weighted / s.weight;
        const double se_per_event = std::sqrt(s.var / s.count);
        r.value[g] = dsr * multiplier;
        for (std::size_t k = 0; k < z.size(); ++k) {
            const Interval b = byars_with_z(s.count, z[k]);
            r.lower[k][g] = (dsr + se_per_event * (b.lower - s.count)) * multiplier;
            r.upper[k][g] = (dsr + se_per_event * (b.upper - s.count)) * multiplier;
        }
    }
    return r;
}

}  // namespace detail::standardise

// Directly standardised rate per group (one group when groups is null) with Dobson limits, for
// independent events. Each row is one group and standardisation category (age band); the order
// of the rows does not matter.
//
// With events x_i, populations n_i and standard populations w_i over the group's rows:
//   O = sum x_i,  DSR = (sum x_i w_i / n_i) / (sum w_i) * multiplier,
//   var = sum x_i (w_i / n_i)^2 / (sum w_i)^2,
//   limits = DSR + sqrt(var / O) (B(O) - O) * multiplier, B = Byar's lower or upper limit for O
//   (always Byar's, never the exact method, as the package).
// Groups with O < 10 have value and limits NaN (suppressed). Missing x count as 0.
// References: Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991) Confidence intervals for weighted
// sums of Poisson parameters, Stat Med 10:457-462; Breslow & Day (1987) for Byar's method;
// PHEindicatormethods 2.1.0 calculate_dsr. Defaults as the package: 95%, per 100,000. Each level
// may be a fraction or a percentage (>= 90), in (0, 1) once scaled.
// Throws StatisticsError (naming group and row) for mismatched lengths, missing n or stdpop,
// x < 0, n <= 0, stdpop < 0, infinite values, a multiplier <= 0, a bad level, or an unsuppressed
// group whose standard population sums to zero.
inline DsrResult directly_standardised_rates(const ConstColumn& x, const ConstColumn& n, const ConstColumn& stdpop,
                                             const std::vector<double>& confidence = {0.95},
                                             double multiplier = 100000.0, const RowGroups* groups = nullptr) {
    namespace sd = detail::standardise;
    sd::check_dsr_rows(x, n, stdpop, groups);
    detail::check_multiplier(multiplier);
    std::vector<double> levels = detail::scaled_levels(confidence);
    std::vector<sd::DsrSums> sums(sd::group_count(groups));
    for (Eigen::Index k = 0; k < x.size(); ++k) {
        sd::DsrSums& s = sums[sd::group_of(groups, static_cast<std::size_t>(k))];
        const double events = std::isnan(x[k]) ? 0.0 : x[k];
        const double ratio = stdpop[k] / n[k];
        s.count += events;
        s.pop += n[k];
        s.weight += stdpop[k];
        s.weighted += events * ratio;
        s.var += events * ratio * ratio;
    }
    for (auto& s : sums) s.var /= s.weight * s.weight;
    return sd::finish_dsr(sums, groups, std::move(levels), multiplier);
}

// The same with the standard population given by position: the k-th row of every group takes
// standard.weights()[k], so every group must have exactly standard.size() rows, in band order
// (PHEindicatormethods phe_dsr with stdpoptype = "vector", whose default is ESP 2013).
inline DsrResult directly_standardised_rates(const ConstColumn& x, const ConstColumn& n,
                                             const StandardPopulation& standard,
                                             const std::vector<double>& confidence = {0.95},
                                             double multiplier = 100000.0, const RowGroups* groups = nullptr) {
    const Eigen::ArrayXd w =
        spread_by_group_position(static_cast<std::size_t>(x.size()), standard.weights(), "stdpop", groups);
    return directly_standardised_rates(x, n, w, confidence, multiplier, groups);
}

// Directly standardised rate with Dobson limits adjusted for non-independent events (people who
// may have more than one event), PHEindicatormethods calculate_dsr(independent_events = FALSE).
//
// Row r holds x_r people with exactly f_r events (eventfreq) in age band a_r (agebands.codes[r]).
// Per group:
//   events per band X_a = sum_{r in a} f_r x_r; the DSR, O and the population use X_a with each
//   band's n and w counted once, exactly as for independent events;
//   var_f = sum_{r: f_r = f} x_r (w_r / n_r)^2 / (sum_{r: f_r = f} w_r)^2   (bands present for f),
//   var = sum_f f^2 var_f, which replaces the variance in the Dobson limits.
// Suppressed when O = sum_a X_a < 10.
// Reference: PHEindicatormethods 2.1.0 R/DSR.R (pull request #91, "dsr_ci_non_independent");
// spec §5.1. Throws as the independent version does, and also for a missing, negative or infinite
// eventfreq, and for rows of one group and age band with different n or stdpop (the package's
// message, naming the group, the age band and both rows).
inline DsrResult directly_standardised_rates_non_independent(const ConstColumn& x, const ConstColumn& n,
                                                             const ConstColumn& stdpop, const ConstColumn& eventfreq,
                                                             const RowGroups& agebands,
                                                             const std::vector<double>& confidence = {0.95},
                                                             double multiplier = 100000.0,
                                                             const RowGroups* groups = nullptr) {
    namespace sd = detail::standardise;
    sd::check_dsr_rows(x, n, stdpop, groups);
    detail::check_multiplier(multiplier);
    std::vector<double> levels = detail::scaled_levels(confidence);
    const auto rows = static_cast<std::size_t>(x.size());
    sd::check_column_length(eventfreq, rows, "eventfreq");
    agebands.check(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        const double f = eventfreq[static_cast<Eigen::Index>(i)];
        if (std::isnan(f))
            throw StatisticsError("eventfreq field must not have any missing values: " + detail::where(groups, i));
        if (f < 0.0 || std::isinf(f))
            throw StatisticsError("eventfreq must be finite and greater than or equal to zero: " +
                                  detail::where(groups, i) + " has " + detail::number_text(f));
    }

    std::vector<sd::DsrSums> sums(sd::group_count(groups));
    // The first row seen of each (group, age band) carries that band's n and stdpop.
    std::unordered_map<std::uint64_t, std::size_t> first_row;
    first_row.reserve(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        const auto k = static_cast<Eigen::Index>(i);
        const std::uint32_t g = sd::group_of(groups, i);
        const std::uint64_t key = (static_cast<std::uint64_t>(g) << 32U) | agebands.codes[i];
        const auto found = first_row.emplace(key, i);
        sd::DsrSums& s = sums[g];
        if (found.second) {
            s.pop += n[k];
            s.weight += stdpop[k];
        } else {
            const auto j = static_cast<Eigen::Index>(found.first->second);
            if (n[j] != n[k] || stdpop[j] != stdpop[k])
                throw StatisticsError(
                    "There are rows with the same grouping variables and ageband but with different populations (n) "
                    "or standard populations (stdpop): group " + sd::group_name(groups, g) + ", ageband '" +
                    agebands.names[agebands.codes[i]] + "', row index " + std::to_string(j) + " (n " +
                    detail::number_text(n[j]) + ", stdpop " + detail::number_text(stdpop[j]) + ") and row index " +
                    std::to_string(i) + " (n " + detail::number_text(n[k]) + ", stdpop " +
                    detail::number_text(stdpop[k]) + ")");
        }
        const double events = eventfreq[k] * (std::isnan(x[k]) ? 0.0 : x[k]);
        s.count += events;
        s.weighted += events * stdpop[k] / n[k];
    }

    // var_f per (group, f): rows sorted by group, then by event frequency.
    std::vector<std::size_t> order(rows);
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto freq = [&](std::size_t i) { return eventfreq[static_cast<Eigen::Index>(i)]; };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const std::uint32_t ga = sd::group_of(groups, a), gb = sd::group_of(groups, b);
        return ga != gb ? ga < gb : freq(a) < freq(b);
    });
    for (std::size_t start = 0; start < rows;) {
        const std::uint32_t g = sd::group_of(groups, order[start]);
        const double f = freq(order[start]);
        double weight = 0.0, var = 0.0;
        std::size_t end = start;
        for (; end < rows && sd::group_of(groups, order[end]) == g && freq(order[end]) == f; ++end) {
            const auto k = static_cast<Eigen::Index>(order[end]);
            const double people = std::isnan(x[k]) ? 0.0 : x[k];
            const double ratio = stdpop[k] / n[k];
            weight += stdpop[k];
            var += people * ratio * ratio;
        }
        // A frequency whose bands all have zero weight adds nothing (its events carry no weight).
        if (weight > 0.0) sums[g].var += f * f * var / (weight * weight);
        start = end;
    }
    return sd::finish_dsr(sums, groups, std::move(levels), multiplier);
}

// ---------------------------------------------------------------------------------------------
// Indirect standardisation

// One entry per group (in code order; one when ungrouped); lower[k] and upper[k] are the limits
// at confidence[k].
struct IsrResult {
    std::vector<double> observed;  // O
    std::vector<double> expected;  // E = sum x_ref / n_ref * n
    std::vector<double> ref_rate;  // sum x_ref / sum n_ref * multiplier (rates); empty for ratios
    std::vector<double> value;
    std::vector<double> confidence;  // the levels, as fractions
    std::vector<std::vector<double>> lower, upper;
    std::vector<RateMethod> method;  // exact (O < 10), byars, or missing (O unknown)
};

namespace detail::standardise {

// O, E and the reference totals per group. observed_totals, when not null, holds O per group
// (NaN = unknown) and replaces the sum of x (x is then not read and may be empty).
inline IsrResult isr_core(const ConstColumn& x, const ConstColumn& n, const ConstColumn& x_ref,
                          const ConstColumn& n_ref, const RowGroups* groups, const ConstColumn* observed_totals,
                          std::vector<double>& ref_events, std::vector<double>& ref_pop) {
    const auto rows = static_cast<std::size_t>(n.size());
    if (observed_totals == nullptr) check_column_length(x, rows, "x");
    check_column_length(x_ref, rows, "x_ref");
    check_column_length(n_ref, rows, "n_ref");
    if (groups != nullptr) groups->check(rows);
    const std::size_t count = group_count(groups);
    if (observed_totals != nullptr) check_column_length(*observed_totals, count, "observed totals (one per group)");
    IsrResult r;
    r.observed.assign(count, 0.0);
    r.expected.assign(count, 0.0);
    ref_events.assign(count, 0.0);
    ref_pop.assign(count, 0.0);
    if (observed_totals == nullptr) {
        for (std::size_t i = 0; i < rows; ++i) {
            const double v = x[static_cast<Eigen::Index>(i)];
            if (v < 0.0 || std::isinf(v))
                throw StatisticsError("numerators must all be greater than or equal to zero and finite: " +
                                      where(groups, i) + " has " + number_text(v));
            if (!std::isnan(v)) r.observed[group_of(groups, i)] += v;
        }
    } else {
        for (std::size_t g = 0; g < count; ++g) {
            const double o = (*observed_totals)[static_cast<Eigen::Index>(g)];
            if (o < 0.0 || std::isinf(o))
                throw StatisticsError("numerators must all be greater than or equal to zero and finite: the observed "
                                      "total of group " + group_name(groups, g) + " is " + number_text(o));
            r.observed[g] = o;
        }
    }
    for (std::size_t i = 0; i < rows; ++i) {
        const auto k = static_cast<Eigen::Index>(i);
        if (n[k] < 0.0 || std::isinf(n[k]))
            throw StatisticsError("denominators must all be greater than or equal to zero and finite: " +
                                  where(groups, i) + " has " + number_text(n[k]));
    }
    for (std::size_t i = 0; i < rows; ++i) {
        const auto k = static_cast<Eigen::Index>(i);
        if (x_ref[k] < 0.0 || std::isinf(x_ref[k]))
            throw StatisticsError("reference events x_ref must all be greater than or equal to zero and finite: " +
                                  where(groups, i) + " has " + number_text(x_ref[k]));
        if (!(n_ref[k] > 0.0) || std::isinf(n_ref[k]))
            throw StatisticsError("reference populations n_ref must all be greater than zero and finite: " +
                                  where(groups, i) + " has " + number_text(n_ref[k]));
        const std::uint32_t g = group_of(groups, i);
        // Copied from the package: a missing local population or reference count adds nothing.
        const double xr = std::isnan(x_ref[k]) ? 0.0 : x_ref[k];
        r.expected[g] += xr / n_ref[k] * (std::isnan(n[k]) ? 0.0 : n[k]);
        ref_events[g] += xr;
        ref_pop[g] += n_ref[k];
    }
    return r;
}

// value = O / E * scale; limits from the exact method when O < 10, else Byar's, each / E * scale.
inline void isr_finish(IsrResult& r, const std::vector<double>& scale) {
    const std::size_t g_count = r.observed.size();
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    r.value.resize(g_count);
    r.method.resize(g_count);
    for (std::size_t g = 0; g < g_count; ++g) {
        const double o = r.observed[g];
        r.value[g] = o / r.expected[g] * scale[g];
        r.method[g] = std::isnan(o)                      ? RateMethod::missing
                      : o < exact_poisson_threshold ? RateMethod::exact
                                                    : RateMethod::byars;
    }
    for (double c : r.confidence) {
        const double z = z_value(c);
        const SmallCountLimits small(c);
        std::vector<double> lo(g_count), hi(g_count);
        for (std::size_t g = 0; g < g_count; ++g) {
            Interval b{nan, nan};
            if (r.method[g] == RateMethod::exact) b = small(r.observed[g]);
            else if (r.method[g] == RateMethod::byars) b = byars_with_z(r.observed[g], z);
            lo[g] = b.lower / r.expected[g] * scale[g];
            hi[g] = b.upper / r.expected[g] * scale[g];
        }
        r.lower.push_back(std::move(lo));
        r.upper.push_back(std::move(hi));
    }
}

}  // namespace detail::standardise

// Indirectly standardised ratio (a standardised mortality ratio when refvalue = 100) per group.
// Each row is one group and standardisation category, with the reference events and population
// of its category (see spread_by_group_position for reference values given by category).
//
//   E = sum_i x_ref_i / n_ref_i * n_i,   O = sum_i x_i (or the group's observed total),
//   ratio = O / E * refvalue,
//   limits = L(O) / E * refvalue and U(O) / E * refvalue, with the exact Poisson limits when
//   O < 10 and Byar's from 10 up.
// References: Breslow NE, Day NE (1987) Statistical Methods in Cancer Research vol. II (Byar's
// method); Armitage P, Berry G (2002) Statistical Methods in Medical Research, 4th edn (exact
// limits); PHEindicatormethods 2.1.0 calculate_ISRatio. Defaults as the package: 95%, refvalue 1.
// observed_totals (may be null) gives O per group, e.g. when deaths are not known by age; x is then
// not read. Missing x are dropped; missing n and x_ref count as 0 (as the package).
// Throws StatisticsError (naming group and row) for mismatched lengths, x < 0, n < 0, x_ref < 0,
// n_ref <= 0 or missing, infinite values, a refvalue <= 0, or a bad level.
inline IsrResult indirectly_standardised_ratios(const ConstColumn& x, const ConstColumn& n, const ConstColumn& x_ref,
                                                const ConstColumn& n_ref,
                                                const std::vector<double>& confidence = {0.95},
                                                double refvalue = 1.0, const RowGroups* groups = nullptr,
                                                const ConstColumn* observed_totals = nullptr) {
    namespace sd = detail::standardise;
    if (!(refvalue > 0.0) || !std::isfinite(refvalue))
        throw StatisticsError("refvalue must be a finite number greater than zero, got " +
                              detail::number_text(refvalue));
    std::vector<double> ref_events, ref_pop;
    IsrResult r = sd::isr_core(x, n, x_ref, n_ref, groups, observed_totals, ref_events, ref_pop);
    r.confidence = detail::scaled_levels(confidence);
    sd::isr_finish(r, std::vector<double>(r.observed.size(), refvalue));
    return r;
}

// Indirectly standardised rate per group: the ratio O / E applied to the reference rate,
//   ref_rate = sum_i x_ref_i / sum_i n_ref_i * multiplier,   rate = O / E * ref_rate,
//   limits = L(O) / E * ref_rate and U(O) / E * ref_rate (exact when O < 10, else Byar's).
// References as for indirectly_standardised_ratios; PHEindicatormethods 2.1.0 calculate_ISRate.
// Defaults as the package: 95%, per 100,000. Throws as the ratio does, and for a multiplier <= 0.
inline IsrResult indirectly_standardised_rates(const ConstColumn& x, const ConstColumn& n, const ConstColumn& x_ref,
                                               const ConstColumn& n_ref,
                                               const std::vector<double>& confidence = {0.95},
                                               double multiplier = 100000.0, const RowGroups* groups = nullptr,
                                               const ConstColumn* observed_totals = nullptr) {
    namespace sd = detail::standardise;
    detail::check_multiplier(multiplier);
    std::vector<double> ref_events, ref_pop;
    IsrResult r = sd::isr_core(x, n, x_ref, n_ref, groups, observed_totals, ref_events, ref_pop);
    r.confidence = detail::scaled_levels(confidence);
    r.ref_rate.resize(r.observed.size());
    for (std::size_t g = 0; g < r.observed.size(); ++g) r.ref_rate[g] = ref_events[g] / ref_pop[g] * multiplier;
    sd::isr_finish(r, r.ref_rate);
    return r;
}

}  // namespace fairer
