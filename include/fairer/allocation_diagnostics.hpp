// Equity diagnostics of an allocation (specs/allocation.md §9): is the money concentrated where
// deprivation and need are? Each measure is one function over plain columns, so that analysts can
// apply it to any allocation (fairer's or a spreadsheet's), and equity_diagnostics() gathers them
// for one run.
//
// Conventions shared by every function here:
// - weights are populations P_i >= 0, normalised to w_i = P_i / ΣP;
// - units with P_i = 0 carry no weight and have no per-head value, so they are left out of every
//   weighted sum (their y may be NaN); any other NaN in y makes the result NaN (missing stays missing);
// - "deprivation order" puts the most deprived unit first (larger deprivation value = more
//   deprived); units with equal deprivation form a block that shares the mid-point fractional rank
//   of the block, so results never depend on row order;
// - totals use order-independent sums (detail::sum_of), again for order independence.
//
// References: O'Donnell O, van Doorslaer E, Wagstaff A, Lindelow M. Analyzing Health Equity Using
// Household Survey Data. World Bank, 2008, ch. 8 (concentration index, "convenient covariance"
// form), ch. 15 (horizontal inequity); Kakwani N, Wagstaff A, van Doorslaer E. Socioeconomic
// inequalities in health: measurement, computation and statistical inference. J Econometrics
// 1997;77:87-103; Low A, Low A. Measuring the gap: quantifying and comparing local health
// inequalities. J Public Health 2004;26:388-395 (slope index on population ranks);
// Tudor Hart J. The inverse care law. Lancet 1971;297:405-412.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "fairer/allocation.hpp"
#include "fairer/detail/allocation_numerics.hpp"
#include "fairer/distribution_inequality.hpp"
#include "fairer/errors.hpp"

namespace fairer {

// Two units adjacent in need order where the higher-need unit gets less per head (spec §9, I5).
struct MonotonicityViolation {
    std::size_t higher_need = 0;  // row of the unit with the larger need index
    std::size_t lower_need = 0;   // row of the next unit down in need order
    double per_head_shortfall = 0.0;  // y_lower - y_higher (> the tolerance)
};

namespace detail {

inline constexpr double diagnostics_nan = std::numeric_limits<double>::quiet_NaN();

inline void check_diagnostic_columns(const char* what, std::size_t n, std::initializer_list<std::size_t> sizes) {
    for (std::size_t s : sizes) {
        if (s != n) {
            throw AllocationError("E1", std::string(what) + ": columns differ in length (" + std::to_string(n) +
                                            " and " + std::to_string(s) + " rows)");
        }
    }
}

// The population weights, checked: every P_i finite and >= 0, ΣP > 0 (E3 otherwise).
inline double checked_population_total(const char* what, Span<double> population) {
    std::vector<std::string> bad;
    for (std::size_t i = 0; i < population.size(); ++i) {
        if (!std::isfinite(population[i]) || population[i] < 0.0) bad.push_back(unit_name(nullptr, i));
    }
    if (!bad.empty()) {
        throw AllocationError("E3", std::string(what) + ": population negative or not finite at " + list_units(bad),
                              bad);
    }
    const double total = sum_of(population);
    if (!(total > 0.0)) throw AllocationError("E3", std::string(what) + ": total population is 0");
    return total;
}

// Rows with P_i > 0 sorted so that the most deprived comes first; ties in deprivation kept
// together (their relative order is irrelevant because they share one rank).
inline std::vector<std::size_t> deprivation_order(const char* what, Span<double> population, Span<double> deprivation) {
    std::vector<std::size_t> order;
    std::vector<std::string> bad;
    for (std::size_t i = 0; i < population.size(); ++i) {
        if (population[i] <= 0.0) continue;
        if (!std::isfinite(deprivation[i])) bad.push_back(unit_name(nullptr, i));
        order.push_back(i);
    }
    if (!bad.empty()) {
        throw AllocationError("E4", std::string(what) + ": deprivation (ordering) value missing or not finite at " +
                                        list_units(bad),
                              bad);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return deprivation[a] > deprivation[b]; });
    return order;
}

}  // namespace detail

// Fractional rank in deprivation order (spec §9): R_i = (population share of the units more
// deprived than i) + (share of i's tie block) / 2, so R runs from near 0 (most deprived) to near 1
// (least deprived) and Σ w_i R_i = 1/2. Units with P_i = 0 get NaN (they have no place on the
// population axis). Throws E1 (lengths), E3 (population), E4 (deprivation not finite where P > 0).
inline std::vector<double> fractional_rank(detail::Span<double> population, detail::Span<double> deprivation) {
    const char* what = "fractional_rank";
    detail::check_diagnostic_columns(what, population.size(), {deprivation.size()});
    const double total = detail::checked_population_total(what, population);
    const std::vector<std::size_t> order = detail::deprivation_order(what, population, deprivation);
    std::vector<double> rank(population.size(), detail::diagnostics_nan);
    double before = 0.0;
    for (std::size_t k = 0; k < order.size();) {
        std::size_t end = k;
        double block = 0.0;
        while (end < order.size() && deprivation[order[end]] == deprivation[order[k]]) block += population[order[end++]];
        const double mid = (before + block / 2.0) / total;
        for (std::size_t j = k; j < end; ++j) rank[order[j]] = mid;
        before += block;
        k = end;
    }
    return rank;
}

// Concentration index of y against deprivation (O'Donnell et al. 2008, eq. 8.5, the "convenient
// covariance" form, spec §9):
//   CI = (2/μ) Σ_i w_i (y_i − μ)(R_i − ½),   μ = Σ w_i y_i,   w_i = P_i/ΣP,
// R_i the fractional rank above (most deprived first). Without ties this equals the curve form
// 1 − Σ w_i (L_{i−1} + L_i) on the concentration curve. Range (−1, 1); negative = y concentrated
// among the more deprived ("pro-deprived"). NaN when μ = 0 (undefined) or a weighted y is NaN.
// For an allocation, y is spend per head Â_i/P_i; for need, y is the need index Ñ_i.
inline double concentration_index(detail::Span<double> y, detail::Span<double> population,
                                  detail::Span<double> deprivation) {
    const char* what = "concentration_index";
    detail::check_diagnostic_columns(what, y.size(), {population.size(), deprivation.size()});
    detail::checked_population_total(what, population);
    // The checks give the allocation spec's error codes; the index itself is the general one of
    // distribution_inequality.hpp, ranked by −deprivation so that the most deprived come first.
    const std::vector<std::size_t> order = detail::deprivation_order(what, population, deprivation);
    std::vector<double> values;
    std::vector<double> weights;
    std::vector<double> rank;
    values.reserve(order.size());
    weights.reserve(order.size());
    rank.reserve(order.size());
    for (std::size_t i : order) {
        if (std::isnan(y[i])) return detail::diagnostics_nan;
        values.push_back(y[i]);
        weights.push_back(population[i]);
        rank.push_back(-deprivation[i]);
    }
    ConcentrationOptions o;
    o.kind = ConcentrationKind::generalized;  // GC/μ below: the standard form would refuse negative y
    const ConcentrationResult r = fairer::concentration_index(DistributionView(values, weights), rank.data(), o);
    return r.mean == 0.0 ? detail::diagnostics_nan : r.estimate / r.mean;
}

// Horizontal inequity index (O'Donnell et al. 2008, ch. 15; spec §9): HI = CI(spend per head) −
// CI(need), both in the same deprivation order. 0 = spend exactly proportional to need. For the
// pure blend of spec §5 with universal share α, HI = −α·CI(need). A value above |CI(need)| means
// spend is less pro-deprived than a flat per-head split: the inverse care law (Tudor Hart 1971)
// at work (see inverse_care_flag).
inline double horizontal_inequity(detail::Span<double> per_head, detail::Span<double> need,
                                  detail::Span<double> population, detail::Span<double> deprivation) {
    return concentration_index(per_head, population, deprivation) - concentration_index(need, population, deprivation);
}

// The spec's inverse-care flag: true when HI > |CI(need)|. NaN inputs give false.
inline bool inverse_care_flag(double horizontal_inequity_index, double need_concentration_index) {
    return horizontal_inequity_index > std::fabs(need_concentration_index);
}

// Lorenz curve of y with population weights (Lorenz 1905): units sorted by y ascending (rows
// with P_i = 0 left out), points (Σ_{k≤i} w_k, Σ_{k≤i} P_k y_k / Σ P y) starting at (0, 0), so
// n+1 points for n populated units. Throws E1/E3 as above, E4 for a negative or non-finite y
// where P > 0 (shares of a total need non-negative values), and E4 when Σ P y = 0.
inline std::vector<LorenzPoint> lorenz_curve(detail::Span<double> y, detail::Span<double> population) {
    const char* what = "lorenz_curve";
    detail::check_diagnostic_columns(what, y.size(), {population.size()});
    detail::checked_population_total(what, population);
    std::vector<double> values;
    std::vector<double> weights;
    std::vector<std::string> bad;
    for (std::size_t i = 0; i < y.size(); ++i) {
        if (population[i] <= 0.0) continue;
        if (!std::isfinite(y[i]) || y[i] < 0.0) bad.push_back(detail::unit_name(nullptr, i));
        values.push_back(y[i]);
        weights.push_back(population[i]);
    }
    if (!bad.empty()) {
        throw AllocationError("E4", std::string(what) + ": value negative or not finite at " + detail::list_units(bad),
                              bad);
    }
    const double total_py = detail::sum_of(values.size(), [&](std::size_t i) { return weights[i] * values[i]; });
    if (!(total_py > 0.0)) throw AllocationError("E4", std::string(what) + ": the values total 0");
    // The checks above give the allocation spec's error codes; the curve itself is the general one.
    return fairer::lorenz_curve(DistributionView(values, weights));
}

// Gini coefficient of y with population weights (Gini 1912; the trapezium form of the Lorenz
// curve, spec §9): G = 1 − Σ_i w_i (L_{i−1} + L_i) over the points of lorenz_curve(), which equals
// Σ_i Σ_j w_i w_j |y_i − y_j| / (2μ). 0 = equal per head; ties in y need no rule (the curve is the
// same whatever their order). Errors as lorenz_curve.
inline double gini(detail::Span<double> y, detail::Span<double> population) {
    const std::vector<LorenzPoint> points = lorenz_curve(y, population);
    detail::ExactSum area;
    for (std::size_t k = 1; k < points.size(); ++k) {
        area.add((points[k].population_share - points[k - 1].population_share) *
                 (points[k - 1].outcome_share + points[k].outcome_share));
    }
    return 1.0 - area.value();
}

// Slope index of inequality of y (spec §9; Low & Low 2004 with the axis reversed): the
// population-weighted least-squares slope of y on x_i = 1 − R_i, where x runs from 0 (least
// deprived) to 1 (most deprived):
//   SII = Σ w_i (x_i − x̄)(y_i − ȳ) / Σ w_i (x_i − x̄)²,   x̄ = ½.
// Positive = y higher in the more deprived units: the modelled gap, in y's units, between the
// most and the least deprived end of the population. (PHEindicatormethods' phe_sii regresses on
// R instead, so its SII is the negative of this one.) NaN when all populated units share one
// deprivation value (no spread of x) or a weighted y is NaN.
inline double slope_index(detail::Span<double> y, detail::Span<double> population, detail::Span<double> deprivation) {
    detail::check_diagnostic_columns("slope_index", y.size(), {population.size(), deprivation.size()});
    const std::vector<double> rank = fractional_rank(population, deprivation);
    const double total = detail::sum_of(population);
    const auto w = [&](std::size_t i) { return population[i] / total; };
    const double ybar =
        detail::sum_of(y.size(), [&](std::size_t i) { return population[i] > 0.0 ? w(i) * y[i] : 0.0; });
    const double sxy = detail::sum_of(y.size(), [&](std::size_t i) {
        return population[i] > 0.0 ? w(i) * (0.5 - rank[i]) * (y[i] - ybar) : 0.0;
    });
    const double sxx = detail::sum_of(y.size(), [&](std::size_t i) {
        return population[i] > 0.0 ? w(i) * (0.5 - rank[i]) * (0.5 - rank[i]) : 0.0;
    });
    if (!(sxx > 0.0)) return detail::diagnostics_nan;
    return sxy / sxx;
}

// Population-weighted Pearson correlation of x and y (spec §9, need against spend per head):
//   r = Σ w (x − x̄)(y − ȳ) / sqrt(Σ w (x − x̄)² · Σ w (y − ȳ)²).
// NaN when either has no spread or a weighted value is NaN.
inline double weighted_correlation(detail::Span<double> x, detail::Span<double> y, detail::Span<double> population) {
    detail::check_diagnostic_columns("weighted_correlation", x.size(), {y.size(), population.size()});
    const double total = detail::checked_population_total("weighted_correlation", population);
    const auto sum = [&](auto term) {
        return detail::sum_of(x.size(), [&](std::size_t i) { return population[i] > 0.0 ? term(i) : 0.0; });
    };
    const double xbar = sum([&](std::size_t i) { return population[i] * x[i]; }) / total;
    const double ybar = sum([&](std::size_t i) { return population[i] * y[i]; }) / total;
    const double sxy = sum([&](std::size_t i) { return population[i] * (x[i] - xbar) * (y[i] - ybar); });
    const double sxx = sum([&](std::size_t i) { return population[i] * (x[i] - xbar) * (x[i] - xbar); });
    const double syy = sum([&](std::size_t i) { return population[i] * (y[i] - ybar) * (y[i] - ybar); });
    if (!(sxx > 0.0) || !(syy > 0.0)) return detail::diagnostics_nan;
    return sxy / std::sqrt(sxx * syy);
}

// Monotonicity in need (spec §9 and invariant I5): units with P_i > 0 sorted by need descending
// (ties by row, which cannot matter because a tie is never a violation); an adjacent pair
// (i before j) is a violation when need_i > need_j but y_i < y_j − unit/min(P_i, P_j), where unit
// is the rounding unit in the money of the allocation (e.g. 1 for whole pounds), so differences
// that rounding alone can cause are not reported. Only adjacent pairs are checked, as the spec
// prescribes: one inversion in need order shows as at least one adjacent violation.
inline std::vector<MonotonicityViolation> monotonicity_violations(detail::Span<double> need, detail::Span<double> per_head,
                                                                  detail::Span<double> population,
                                                                  double rounding_unit) {
    const char* what = "monotonicity_violations";
    detail::check_diagnostic_columns(what, need.size(), {per_head.size(), population.size()});
    detail::checked_population_total(what, population);
    if (!std::isfinite(rounding_unit) || rounding_unit < 0.0) {
        throw AllocationError("E6", std::string(what) + ": rounding unit must be finite and >= 0 (value " +
                                        detail::format_number(rounding_unit) + ")");
    }
    std::vector<std::size_t> order;
    std::vector<std::string> bad;
    for (std::size_t i = 0; i < need.size(); ++i) {
        if (population[i] <= 0.0) continue;
        if (!std::isfinite(need[i])) bad.push_back(detail::unit_name(nullptr, i));
        order.push_back(i);
    }
    if (!bad.empty()) {
        throw AllocationError("E4", std::string(what) + ": need index missing or not finite at " +
                                        detail::list_units(bad),
                              bad);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return need[a] > need[b]; });
    std::vector<MonotonicityViolation> out;
    for (std::size_t k = 1; k < order.size(); ++k) {
        const std::size_t i = order[k - 1];
        const std::size_t j = order[k];
        const double tolerance = rounding_unit / std::min(population[i], population[j]);
        if (need[i] > need[j] && per_head[i] < per_head[j] - tolerance) {
            out.push_back({i, j, per_head[j] - per_head[i]});
        }
    }
    return out;
}

// What to compute the summary over: one allocation and its context, as plain columns.
struct EquityInput {
    detail::Span<double> population;   // P_i >= 0
    detail::Span<double> allocation;   // Â_i (any money unit; per head = Â_i / P_i)
    detail::Span<double> need;         // blended normalised need Ñ_i
    detail::Span<double> deprivation;  // higher = more deprived; empty = order by need instead
    double rounding_unit = 0.0;        // in the allocation's money unit, for the monotonicity tolerance
};

// Every §9 equity diagnostic of one allocation.
struct EquityDiagnostics {
    double concentration_index = detail::diagnostics_nan;       // of spend per head
    double need_concentration_index = detail::diagnostics_nan;  // of Ñ
    double horizontal_inequity = detail::diagnostics_nan;       // CI(spend) − CI(need)
    bool inverse_care = false;                                  // HI > |CI(need)|
    double gini = detail::diagnostics_nan;                      // of spend per head
    std::vector<LorenzPoint> lorenz;                            // of spend per head
    double slope_index = detail::diagnostics_nan;               // of spend per head, most minus least deprived
    double need_correlation = detail::diagnostics_nan;          // weighted correlation of Ñ and spend per head
    double max_min_per_head_ratio = detail::diagnostics_nan;    // over units with P > 0
    std::vector<MonotonicityViolation> monotonicity_violations;
};

// Spend per head Â_i/P_i, NaN where P_i = 0 (no head to spend on).
inline std::vector<double> per_head(detail::Span<double> allocation, detail::Span<double> population) {
    detail::check_diagnostic_columns("per_head", allocation.size(), {population.size()});
    std::vector<double> y(allocation.size(), detail::diagnostics_nan);
    for (std::size_t i = 0; i < y.size(); ++i) {
        if (population[i] > 0.0) y[i] = allocation[i] / population[i];
    }
    return y;
}

// All §9 equity diagnostics of one allocation, ordering by deprivation (or by need when no
// deprivation column is given). The Gini and Lorenz curve need non-negative spend; a negative
// allocation throws E4 from there.
inline EquityDiagnostics equity_diagnostics(const EquityInput& in) {
    const std::size_t n = in.population.size();
    detail::check_diagnostic_columns("equity_diagnostics", n, {in.allocation.size(), in.need.size()});
    if (!in.deprivation.empty()) detail::check_diagnostic_columns("equity_diagnostics", n, {in.deprivation.size()});
    const detail::Span<double> order_by = in.deprivation.empty() ? in.need : in.deprivation;
    const std::vector<double> y = per_head(in.allocation, in.population);
    EquityDiagnostics d;
    d.concentration_index = concentration_index(y, in.population, order_by);
    d.need_concentration_index = concentration_index(in.need, in.population, order_by);
    d.horizontal_inequity = d.concentration_index - d.need_concentration_index;
    d.inverse_care = inverse_care_flag(d.horizontal_inequity, d.need_concentration_index);
    d.lorenz = lorenz_curve(y, in.population);
    d.gini = gini(y, in.population);
    d.slope_index = slope_index(y, in.population, order_by);
    d.need_correlation = weighted_correlation(in.need, y, in.population);
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
        if (in.population[i] <= 0.0) continue;
        lo = std::min(lo, y[i]);
        hi = std::max(hi, y[i]);
    }
    d.max_min_per_head_ratio = lo > 0.0 ? hi / lo : detail::diagnostics_nan;
    d.monotonicity_violations = monotonicity_violations(in.need, y, in.population, in.rounding_unit);
    return d;
}

// The §9 equity diagnostics of a run of allocate(): spend per head in pounds from the rounded
// allocation Â, need Ñ (blended_need), the rounding unit in pounds for the monotonicity
// tolerance, ordered by `deprivation` (e.g. the units' deprivation column) or, when that is empty,
// by Ñ as the spec prescribes.
inline EquityDiagnostics equity_diagnostics(const AllocationResult& result, ConstSpan deprivation = {}) {
    std::vector<double> pounds(result.rounded.size());
    for (std::size_t i = 0; i < pounds.size(); ++i) pounds[i] = static_cast<double>(result.rounded[i]) / 100.0;
    EquityInput in;
    in.population = result.population;
    in.allocation = pounds;
    in.need = result.blended_need;
    in.deprivation = deprivation;
    in.rounding_unit = static_cast<double>(result.rounding_unit) / 100.0;
    return equity_diagnostics(in);
}

}  // namespace fairer
