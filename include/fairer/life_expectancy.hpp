// Life expectancy from an abridged life table (Chiang II) with Silcocks' variance for the final,
// open-ended age band: the method of OHID's Life Expectancy Calculator and of the R package
// PHEindicatormethods 2.1.0 (phe_life_expectancy, R/LifeExpectancy.R), restated in
// specs/indicator-methods.md §7. Grouped over many areas in one call, with limits at any number
// of confidence levels.
//
// References: Chiang CL, The Life Table and its Construction, in Introduction to Stochastic
// Processes in Biostatistics, Wiley 1968:189-214; Silcocks PBS, Jenner DA, Reza R, Life
// expectancy as a summary of mortality in a population, J Epidemiol Community Health
// 2001;55:38-43; Eayres DP, Williams ES, J Epidemiol Community Health 2004;58:243-249.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fairer/confidence_intervals.hpp"
#include "fairer/detail/csv.hpp"
#include "fairer/errors.hpp"

namespace fairer {

// The package needs exactly this many bands per group (hard-coded there as well): 0, 1-4, 5-9,
// ..., 85-89, 90+. Groups with any other number of rows are suppressed, not computed.
inline constexpr std::size_t life_table_band_count = 20;

// Start ages of the standard bands.
inline constexpr std::array<int, life_table_band_count> standard_life_table_ages{
    0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90};

// A group whose total population is at or below this is suppressed (Toson and Baker 2003: the
// smallest population for a robust life table). The package suppresses exactly 5000 as well.
inline constexpr double life_expectancy_min_population = 5000.0;

// Why a group's life table was not computed. The order is the package's order of checks: a group
// gets the first one it fails.
enum class LifeTableCheck : std::uint8_t {
    ok = 0,
    negative_deaths,            // any band with deaths < 0
    nonpositive_population,     // any band with population <= 0
    wrong_band_count,           // not exactly life_table_band_count rows
    deaths_exceed_population,   // any band with deaths > population
    small_population,           // total population <= life_expectancy_min_population
    missing_values,             // a missing (NaN) deaths or population; fairer's addition, see below
};

// The package's warning text for each suppression rule (empty for ok), so that users comparing
// with PHEindicatormethods recognise it.
inline const char* life_table_check_message(LifeTableCheck check) {
    switch (check) {
        case LifeTableCheck::negative_deaths:
            return "some age bands have negative deaths; outputs have been suppressed to NAs";
        case LifeTableCheck::nonpositive_population:
            return "some age bands have a zero or less population; outputs have been suppressed to NAs";
        case LifeTableCheck::wrong_band_count:
            return "some groups contain a different number of age bands than 20; life expectancy cannot be "
                   "calculated for these. These groups will contain NAs.";
        case LifeTableCheck::deaths_exceed_population:
            return "some age bands have more deaths than population; outputs have been suppressed to NAs";
        case LifeTableCheck::small_population:
            return "some groups have a total population of less than 5,000; outputs have been suppressed to NAs";
        case LifeTableCheck::missing_values:
            return "some age bands have missing deaths or population; outputs have been suppressed to NAs";
        case LifeTableCheck::ok:
            break;
    }
    return "";
}

// The package's warning when a value is suppressed because its 95% interval is too wide.
inline constexpr const char* life_expectancy_wide_interval_message =
    "some life expectancy values have a 95% confidence interval > 20 years; these values have been suppressed to NAs";

// Input to life_expectancy_chiang: flat columns (not owned) with rows grouped contiguously and,
// within each group, in ascending start age. group_offsets has groups + 1 entries: group g is
// rows [group_offsets[g], group_offsets[g + 1]). Optional group_labels (one per group) and
// row_ids (one per row, e.g. the caller's 0-based positions before sorting) only make error
// messages precise; without them groups and rows are named by 0-based index.
struct LifeTableInput {
    const double* deaths = nullptr;
    const double* population = nullptr;
    const double* start_age = nullptr;
    std::size_t rows = 0;
    const std::uint32_t* group_offsets = nullptr;
    std::size_t groups = 0;
    const std::vector<std::string>* group_labels = nullptr;
    const std::int64_t* row_ids = nullptr;
};

// Output, one entry per input row unless said otherwise. Missing results are NaN, never 0.
struct LifeExpectancyResult {
    std::vector<double> confidence;      // the levels used, as fractions
    std::vector<double> value;           // e_i; NaN if suppressed or infinite
    std::vector<double> standard_error;  // SE of e_i
    std::vector<double> lower;           // level-major: lower[k * rows + i] for level k
    std::vector<double> upper;
    std::vector<double> pops_used;       // population summed over the band and all older bands
    std::vector<double> dths_used;       // deaths likewise
    std::vector<LifeTableCheck> group_check;     // one per group
    std::vector<std::size_t> group_problem_row;  // first row failing the check; rows if none
    std::size_t wide_interval_count = 0;         // values suppressed for a 95% interval > 20 years
};

namespace detail {

inline std::string le_group_name(const LifeTableInput& in, std::size_t g) {
    if (in.group_labels != nullptr && g < in.group_labels->size()) return "group '" + (*in.group_labels)[g] + "'";
    return "group index " + std::to_string(g);
}

inline std::string le_row_name(const LifeTableInput& in, std::size_t i) {
    return "row index " + std::to_string(in.row_ids != nullptr ? in.row_ids[i] : static_cast<std::int64_t>(i));
}

// Sum from the last element down into out (out[i] = x[i] + ... + x[n-1]). The running sum is a
// long double because R's cumsum accumulates in long double, and the package builds T_i and the
// variance sums with rev(cumsum(rev(.))).
template <std::size_t N>
inline void suffix_sum(const std::array<double, N>& x, std::array<double, N>& out) {
    long double sum = 0.0L;
    for (std::size_t i = N; i-- > 0;) {
        sum += x[i];
        out[i] = static_cast<double>(sum);
    }
}

// First suppression rule a group fails, in the package's order. NaN values fail none of the
// package's rules (its comparisons drop NA); the package then treats a band with missing deaths
// as q = 1 (everyone dies) and returns finite, wrong values. Deliberately, fairer suppresses such
// a group instead, as a last rule, so that missing stays missing.
// problem receives the offending row within the group (0 for a rule about the whole group).
inline LifeTableCheck check_life_table_group(const double* deaths, const double* population, std::size_t n,
                                             std::size_t& problem) {
    const auto first = [&](auto&& fails) {
        for (problem = 0; problem < n; ++problem)
            if (fails(problem)) return true;
        return false;
    };
    if (first([&](std::size_t i) { return deaths[i] < 0.0; })) return LifeTableCheck::negative_deaths;
    if (first([&](std::size_t i) { return population[i] <= 0.0; })) return LifeTableCheck::nonpositive_population;
    problem = 0;
    if (n != life_table_band_count) return LifeTableCheck::wrong_band_count;
    if (first([&](std::size_t i) { return deaths[i] > population[i]; })) return LifeTableCheck::deaths_exceed_population;
    long double total = 0.0L;
    for (std::size_t i = 0; i < n; ++i) total += population[i];
    problem = 0;
    if (total <= life_expectancy_min_population) return LifeTableCheck::small_population;
    if (first([&](std::size_t i) { return std::isnan(deaths[i]) || std::isnan(population[i]); }))
        return LifeTableCheck::missing_values;
    return LifeTableCheck::ok;
}

// One complete life table of life_table_band_count bands; writes e_i and SE_i.
inline void chiang_life_table(const double* D, const double* P, const double* s, double* e_out, double* se_out) {
    constexpr std::size_t N = life_table_band_count;
    std::array<double, N> n{}, a{}, M{}, q{}, l{}, d{}, L{}, T{}, e{}, W{}, ST{};
    for (std::size_t i = 0; i < N; ++i) {
        M[i] = D[i] / P[i];
        a[i] = s[i] == 0.0 ? 0.1 : 0.5;
        n[i] = i + 1 < N ? s[i + 1] - s[i] : 2.0 / M[i];
    }
    for (std::size_t i = 0; i + 1 < N; ++i)
        q[i] = D[i] <= P[i] / n[i] / a[i] ? M[i] * n[i] / (1.0 + M[i] * n[i] * (1.0 - a[i])) : 1.0;
    q[N - 1] = 1.0;
    l[0] = 1e5;
    for (std::size_t i = 1; i < N; ++i) l[i] = l[i - 1] * (1.0 - q[i - 1]);
    for (std::size_t i = 0; i + 1 < N; ++i) {
        d[i] = l[i] - l[i + 1];
        L[i] = n[i] * (l[i + 1] + a[i] * d[i]);
    }
    d[N - 1] = l[N - 1];
    L[N - 1] = l[N - 1] / M[N - 1];
    suffix_sum(L, T);
    for (std::size_t i = 0; i < N; ++i) e[i] = l[i] == 0.0 ? 0.0 : T[i] / l[i];
    for (std::size_t i = 0; i + 1 < N; ++i) {
        const double var_q = d[i] == 0.0 ? 0.0 : q[i] * q[i] * (1.0 - q[i]) / D[i];
        const double w = (1.0 - a[i]) * n[i] + e[i + 1];
        W[i] = var_q * (l[i] * l[i]) * (w * w);
    }
    // Silcocks: the final band's expectancy is 1 / M, whose variance is 4 / (D M^2) on the
    // package's scale; its weight is (l / 2)^2.
    const double var_final = 4.0 / (D[N - 1] * (M[N - 1] * M[N - 1]));
    const double half_l = l[N - 1] / 2.0;
    W[N - 1] = half_l * half_l * var_final;
    suffix_sum(W, ST);
    for (std::size_t i = 0; i < N; ++i) {
        e_out[i] = e[i];
        se_out[i] = std::sqrt(ST[i] / (l[i] * l[i]));
    }
}

}  // namespace detail

// The confidence argument of life_expectancy_chiang as fractions (spec §0.1): each level may be a
// fraction in [0.9, 1) or a percentage in [90, 100). At least one level is needed.
// Deliberate differences from the package: a mix of fractions and percentages, e.g. {0.95, 99.8},
// is accepted (the package rejects it although its documentation allows each form), and 1 / 100
// is rejected because the limits would be infinite.
inline std::vector<double> life_expectancy_confidence(const std::vector<double>& levels) {
    if (levels.empty()) throw StatisticsError("life expectancy needs at least one confidence level");
    std::vector<double> out;
    out.reserve(levels.size());
    for (double c : levels) {
        const double f = c >= 90.0 ? c / 100.0 : c;
        if (!(f >= 0.9 && f < 1.0))
            throw StatisticsError("all confidence levels must be between 90 and 100 or between 0.9 and 1 "
                                  "(100% excluded); got " +
                                  (std::isnan(c) ? std::string("NaN") : detail::format_double(c)));
        out.push_back(f);
    }
    return out;
}

// Life expectancy at the start of every age band, per group, by Chiang's abridged life table
// (method II) with Silcocks' variance for the open final band. For band i with start age s_i,
// deaths D_i and population P_i (i = 1..20 in ascending age):
//   n_i = s_{i+1} - s_i, n_20 = 2 / M_20;  a_i = 0.1 for the band starting at 0, else 0.5;
//   M_i = D_i / P_i;  q_i = n_i M_i / (1 + n_i M_i (1 - a_i)) if D_i <= P_i / n_i / a_i, else 1;
//   l_1 = 100000, l_i = l_{i-1} (1 - q_{i-1});  d_i = l_i - l_{i+1}, d_20 = l_20;
//   L_i = n_i (l_{i+1} + a_i d_i), L_20 = l_20 / M_20;  T_i = sum_{j>=i} L_j;
//   e_i = T_i / l_i (0 if l_i = 0);
//   var(q_i) = q_i^2 (1 - q_i) / D_i (0 if d_i = 0), var_20 = 4 / (D_20 M_20^2);
//   W_i = var(q_i) l_i^2 ((1 - a_i) n_i + e_{i+1})^2, W_20 = (l_20 / 2)^2 var_20;
//   SE_i = sqrt(sum_{j>=i} W_j / l_i^2);  limits e_i -/+ z(c) SE_i for every level c.
// Copied from the package: an infinite e_i (no deaths in 90+) is NaN; e_i is NaN (its limits
// kept) when the 95% interval is wider than 20 years, whatever levels were asked for; a group
// failing a suppression rule (see LifeTableCheck) gets NaN value, SE and limits, but still its
// pops_used and dths_used. Defaults of the package: confidence 0.95.
// Throws StatisticsError for bad levels, inconsistent offsets, infinite or missing start ages,
// start ages not increasing within a group, and infinite deaths or populations (naming group and
// row). NaN deaths or populations are missing data: the group is suppressed (missing_values).
inline LifeExpectancyResult life_expectancy_chiang(const LifeTableInput& in, const std::vector<double>& confidence = {0.95}) {
    LifeExpectancyResult out;
    out.confidence = life_expectancy_confidence(confidence);
    const std::size_t rows = in.rows;
    if (rows > 0 && (in.deaths == nullptr || in.population == nullptr || in.start_age == nullptr))
        throw StatisticsError("life expectancy: deaths, population and start ages are all required");
    if (in.group_offsets == nullptr || in.group_offsets[0] != 0 || in.group_offsets[in.groups] != rows)
        throw StatisticsError("life expectancy: group offsets must start at 0 and end at the row count (" +
                              std::to_string(rows) + ")");
    for (std::size_t g = 0; g < in.groups; ++g)
        if (in.group_offsets[g + 1] < in.group_offsets[g])
            throw StatisticsError("life expectancy: group offsets must not decrease (" + detail::le_group_name(in, g) + ")");

    for (std::size_t g = 0; g < in.groups; ++g) {
        for (std::size_t i = in.group_offsets[g]; i < in.group_offsets[g + 1]; ++i) {
            const auto where = [&] { return detail::le_group_name(in, g) + ", " + detail::le_row_name(in, i); };
            if (!std::isfinite(in.start_age[i]))
                throw StatisticsError("life expectancy: missing or infinite start age in " + where());
            if (std::isinf(in.deaths[i]))
                throw StatisticsError("life expectancy: infinite deaths in " + where());
            if (std::isinf(in.population[i]))
                throw StatisticsError("life expectancy: infinite population in " + where());
            if (i > in.group_offsets[g] && !(in.start_age[i] > in.start_age[i - 1]))
                throw StatisticsError("life expectancy: age band starting at " + detail::format_double(in.start_age[i]) +
                                      " appears twice or out of order in " + where() +
                                      ", so the group is missing an age band");
        }
    }

    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::size_t levels = out.confidence.size();
    std::vector<double> z(levels);
    for (std::size_t k = 0; k < levels; ++k) z[k] = z_value(out.confidence[k]);
    const double z95 = z_value(0.95);

    out.value.assign(rows, nan);
    out.standard_error.assign(rows, nan);
    out.lower.assign(levels * rows, nan);
    out.upper.assign(levels * rows, nan);
    out.pops_used.resize(rows);
    out.dths_used.resize(rows);
    out.group_check.resize(in.groups);
    out.group_problem_row.resize(in.groups);

    for (std::size_t g = 0; g < in.groups; ++g) {
        const std::size_t begin = in.group_offsets[g];
        const std::size_t n = in.group_offsets[g + 1] - begin;
        long double pops = 0.0L, dths = 0.0L;
        for (std::size_t i = n; i-- > 0;) {
            pops += in.population[begin + i];
            dths += in.deaths[begin + i];
            out.pops_used[begin + i] = static_cast<double>(pops);
            out.dths_used[begin + i] = static_cast<double>(dths);
        }
        std::size_t problem = 0;
        const LifeTableCheck check = detail::check_life_table_group(in.deaths + begin, in.population + begin, n, problem);
        out.group_check[g] = check;
        out.group_problem_row[g] = check == LifeTableCheck::ok ? rows : begin + problem;
        if (check != LifeTableCheck::ok) continue;

        detail::chiang_life_table(in.deaths + begin, in.population + begin, in.start_age + begin,
                                  out.value.data() + begin, out.standard_error.data() + begin);
        for (std::size_t i = begin; i < begin + n; ++i) {
            const double e = out.value[i];
            const double se = out.standard_error[i];
            for (std::size_t k = 0; k < levels; ++k) {
                out.lower[k * rows + i] = e - z[k] * se;
                out.upper[k * rows + i] = e + z[k] * se;
            }
            if (e == std::numeric_limits<double>::infinity()) out.value[i] = nan;
            if (z95 * se > 10.0) {
                out.value[i] = nan;
                ++out.wide_interval_count;
            }
        }
    }
    return out;
}

// Convenience overload over vectors; group_offsets as for LifeTableInput ({0, rows} for one
// group).
inline LifeExpectancyResult life_expectancy_chiang(const std::vector<double>& deaths,
                                                   const std::vector<double>& population,
                                                   const std::vector<double>& start_age,
                                                   const std::vector<std::uint32_t>& group_offsets,
                                                   const std::vector<double>& confidence = {0.95}) {
    if (deaths.size() != population.size() || deaths.size() != start_age.size())
        throw StatisticsError("life expectancy: deaths (" + std::to_string(deaths.size()) + "), population (" +
                              std::to_string(population.size()) + ") and start ages (" +
                              std::to_string(start_age.size()) + ") must have the same length");
    if (group_offsets.empty()) throw StatisticsError("life expectancy: group offsets need at least one entry");
    LifeTableInput in;
    in.deaths = deaths.data();
    in.population = population.data();
    in.start_age = start_age.data();
    in.rows = deaths.size();
    in.group_offsets = group_offsets.data();
    in.groups = group_offsets.size() - 1;
    return life_expectancy_chiang(in, confidence);
}

}  // namespace fairer
