// The input and output types shared by the summary measures of health inequality (WHO HEAT
// measures, fairer/heat_measures.hpp and the non-ordered measures), and the input rules of
// spec inequality-measures.md §1: validation, which measures apply, the 85% completeness rule,
// dropping rows with a missing estimate, re-normalised population shares, midpoint ranks with
// tied orders and HEAT's outlier post-processing.
//
// A subgroup table is HEAT's "strata": one indicator, one setting, one year, one dimension,
// one row per subgroup (e.g. five wealth quintiles, ten deprivation deciles, 25 regions).
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

#include "fairer/detail/csv.hpp"
#include "fairer/errors.hpp"

namespace fairer {

// Which engine's conventions to follow. corrected (the default) fixes the unit errors the spec
// lists (PAF/TI/MLD intervals on the estimate's scale, MDR intervals from the reference group,
// means re-computed consistently in simulations); heat6 reproduces WHO HEAT 6.0
// (WHOequity/HEAT-Measures@f4777e65) and healthequal reproduces the R package healthequal 1.0.1
// (WHOequity/healthequal@3e7e0406), quirks included, so published figures can be matched.
enum class HeatMode { corrected, heat6, healthequal };

inline const char* to_string(HeatMode m) noexcept {
    switch (m) {
        case HeatMode::heat6: return "heat6";
        case HeatMode::healthequal: return "healthequal";
        case HeatMode::corrected: break;
    }
    return "corrected";
}

inline HeatMode parse_heat_mode(std::string_view text) {
    if (text == "corrected") return HeatMode::corrected;
    if (text == "heat6") return HeatMode::heat6;
    if (text == "healthequal") return HeatMode::healthequal;
    throw InequalityError("unknown mode '" + std::string(text) + "' (expected corrected, heat6 or healthequal)");
}

// One summary measure. Missing is NaN with a reason (never 0); reason is empty when the
// estimate exists (a missing interval alone also gets a reason, e.g. "no standard errors").
// se is reported on the scale stated by the measure's documentation (HEAT conventions: the SE
// of ln R and ln RII, the SII's SE on the 0-1 scale, ...).
struct MeasureResult {
    std::string measure;
    double estimate = std::numeric_limits<double>::quiet_NaN();
    double se = std::numeric_limits<double>::quiet_NaN();
    double lower = std::numeric_limits<double>::quiet_NaN();
    double upper = std::numeric_limits<double>::quiet_NaN();
    std::string reason;
};

inline MeasureResult missing_measure(std::string measure, std::string reason) {
    MeasureResult r;
    r.measure = std::move(measure);
    r.reason = std::move(reason);
    return r;
}

// One subgroup table. Per-subgroup columns have one entry per subgroup; order, se, reference and
// subgroup (labels) may be left empty, meaning "all missing" / "no reference" / "unnamed".
struct SubgroupTable {
    std::string name;                     // names the table in error messages (e.g. "B01 / E08000012 / 2022")
    std::vector<std::string> subgroup;    // labels
    std::vector<double> order;            // 1 = most disadvantaged; NaN or empty for non-ordered tables
    std::vector<double> population;       // NaN = missing
    std::vector<double> estimate;         // on the indicator scale; NaN = missing
    std::vector<double> se;               // same units as estimate; NaN = missing
    std::vector<std::uint8_t> reference;  // 1 = the reference subgroup (at most one)
    bool favourable = true;               // higher is better
    bool ordered = false;
    double scale = 1.0;                   // indicator scale S: 1, 100 (percent), 1000, 1e5 ...
    double setting_average = std::numeric_limits<double>::quiet_NaN();  // NaN = population-weighted mean

    std::size_t size() const noexcept { return estimate.size(); }

    std::string subgroup_name(std::size_t i) const {
        // Batch runs leave the name empty (the output rows already say which table they belong to).
        std::string s = name.empty() ? "subgroup " : "table '" + name + "', subgroup ";
        if (i < subgroup.size() && !subgroup[i].empty()) return s + "'" + subgroup[i] + "'";
        return s + "#" + std::to_string(i + 1);
    }

    double order_at(std::size_t i) const {
        return order.empty() ? std::numeric_limits<double>::quiet_NaN() : order[i];
    }
    double se_at(std::size_t i) const { return se.empty() ? std::numeric_limits<double>::quiet_NaN() : se[i]; }
    bool is_reference(std::size_t i) const { return !reference.empty() && reference[i] != 0; }

    // Throws InequalityError naming the table and subgroup for input no measure can use: columns
    // of different lengths, a missing or infinite order in an ordered table, a negative or infinite
    // population, a negative or infinite estimate or one above 100 on the percent scale (HEAT's
    // simulation truncates draws to [0, S] for S = 100, so such a value would also never be
    // redrawn), a negative standard error, more than one reference subgroup, a scale that is not
    // a positive number. Missing values (NaN) are allowed: the measures report them.
    void validate() const {
        const std::size_t n = size();
        const auto fail = [this](const std::string& what) { throw InequalityError("table '" + name + "': " + what); };
        const auto bad = [this](std::size_t i, const std::string& what, double v) {
            throw InequalityError(subgroup_name(i) + ": " + what + " (value " +
                                  (std::isnan(v) ? std::string("missing") : detail::format_double(v)) + ")");
        };
        if (n == 0) fail("no subgroups");
        const auto check_len = [&](std::size_t len, const char* column, bool optional) {
            if ((optional && len == 0) || len == n) return;
            fail(std::string(column) + " has " + std::to_string(len) + " entries but estimate has " + std::to_string(n));
        };
        check_len(subgroup.size(), "subgroup", true);
        check_len(order.size(), "order", !ordered);
        check_len(population.size(), "population", false);
        check_len(se.size(), "se", true);
        check_len(reference.size(), "reference", true);
        if (!(scale > 0) || !std::isfinite(scale))
            fail("indicator scale must be a positive number, got " + detail::format_double(scale));
        if (!std::isnan(setting_average) && !std::isfinite(setting_average))
            fail("setting average must be a finite number or missing");
        std::size_t refs = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (ordered && !std::isfinite(order[i])) bad(i, "an ordered table needs an order for every subgroup", order[i]);
            const double pop = population[i];
            if (!std::isnan(pop) && !(pop >= 0 && std::isfinite(pop))) bad(i, "population must be non-negative and finite", pop);
            const double y = estimate[i];
            if (!std::isnan(y)) {
                if (!std::isfinite(y) || y < 0) bad(i, "estimate must be non-negative and finite", y);
                if (scale == 100 && y > 100) bad(i, "estimate is above 100 on the percent scale", y);
            }
            const double s = se_at(i);
            if (!std::isnan(s) && !(s >= 0 && std::isfinite(s))) bad(i, "standard error must be non-negative and finite", s);
            if (is_reference(i)) {
                if (++refs > 1) bad(i, "more than one reference subgroup", estimate[i]);
            }
        }
    }
};

// The 21 HEAT measures, in HEAT's display order (simple, ordered complex, non-ordered complex, impact).
inline const std::vector<std::string>& heat_measure_names() {
    static const std::vector<std::string> names{"D",    "R",    "ACI",  "RCI",  "SII",  "RII",  "BGV",
                                                "BGSD", "COV",  "MLD",  "TI",   "IDISU", "IDISW", "MDBU",
                                                "MDBW", "MDMU", "MDMW", "MDRU", "MDRW", "PAF",  "PAR"};
    return names;
}

inline bool is_ordered_measure(std::string_view m) { return m == "ACI" || m == "RCI" || m == "SII" || m == "RII"; }

inline bool is_simple_measure(std::string_view m) { return m == "D" || m == "R" || m == "PAF" || m == "PAR"; }

// HEAT 6.0's applicability table (HM6 HEAT_summary_measures_types; spec §1): D, R, PAF and PAR
// for every table of at least 2 subgroups; ACI, RCI, SII, RII for ordered tables of more than 2;
// the 13 non-ordered complex measures for non-ordered tables of more than 2.
inline std::vector<std::string> applicable_measures(std::size_t subgroups, bool ordered) {
    std::vector<std::string> out;
    if (subgroups < 2) return out;
    for (const auto& m : heat_measure_names()) {
        if (is_simple_measure(m) || (subgroups > 2 && is_ordered_measure(m) == ordered)) out.push_back(m);
    }
    return out;
}

// Why a measure does not apply to a table of this shape, or an empty string if it does.
inline std::string applicability_reason(std::string_view measure, std::size_t subgroups, bool ordered) {
    if (subgroups < 2) return "fewer than 2 subgroups with an estimate";
    if (is_simple_measure(measure)) return {};
    if (subgroups == 2) return std::string(measure) + " needs more than 2 subgroups";
    if (is_ordered_measure(measure) && !ordered) return std::string(measure) + " needs an ordered dimension";
    if (!is_ordered_measure(measure) && ordered) return std::string(measure) + " applies to non-ordered dimensions only";
    return {};
}

// HEAT's completeness rule (HM6 validation-tests.R): the non-ordered complex measures and PAF/PAR
// need estimates for at least 85% of the subgroups.
inline bool complete_enough(std::size_t with_estimate, std::size_t total) noexcept {
    return total > 0 && static_cast<double>(with_estimate) >= 0.85 * static_cast<double>(total);
}

// A table ready for computation: rows with a missing estimate dropped (HM6 HEAT_create_input_list),
// ordered tables sorted by order (stable, so tied orders keep input order), population shares
// re-normalised over the kept rows and midpoint ranks.
struct PreparedTable {
    std::size_t total = 0;             // subgroups in the input, with or without an estimate
    std::vector<std::size_t> row;      // input row of each kept subgroup, in computation order
    std::vector<double> order, population, estimate, se;
    std::vector<double> share;         // p_j = N_j / sum N over kept rows; all NaN if any population is missing
    std::vector<double> rank;          // midpoint rank X_j (ordered tables); ties share their group's midpoint
    bool all_population = false;       // every kept row has a population
    bool all_se = false;               // every kept row has a standard error
    bool any_order_missing = false;
    bool reference_flagged = false;    // a reference subgroup is flagged in the input
    bool reference_missing = false;    // ... but its estimate is missing
    std::ptrdiff_t reference = -1;     // position of the reference among the kept rows, -1 if none
    double mean = std::numeric_limits<double>::quiet_NaN();  // sum p_j y_j, else the setting average

    std::size_t size() const noexcept { return estimate.size(); }
    bool complete() const noexcept { return size() == total; }
};

// Midpoint relative ranks X_j = sum_{k<j} p_k + p_j/2 over rows sorted by order (TN "X_j", HM
// midPointProp, PHE FindXValues). Rows with equal order form one group whose rows all get the
// group's midpoint, as healthequal does for tied orders.
inline std::vector<double> midpoint_ranks(const std::vector<double>& sorted_order, const std::vector<double>& share) {
    const std::size_t n = share.size();
    std::vector<double> x(n);
    double cum = 0;
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        double group = 0;
        while (j < n && (j == i || sorted_order[j] == sorted_order[i])) group += share[j++];
        for (std::size_t k = i; k < j; ++k) x[k] = cum + group / 2;
        cum += group;
        i = j;
    }
    return x;
}

inline PreparedTable prepare_table(const SubgroupTable& t) {
    PreparedTable p;
    const std::size_t n = t.size();
    p.total = n;
    std::vector<std::size_t> idx;
    idx.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (t.is_reference(i)) {
            p.reference_flagged = true;
            if (std::isnan(t.estimate[i])) p.reference_missing = true;
        }
        if (!std::isnan(t.estimate[i])) idx.push_back(i);
    }
    if (t.ordered) {
        std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return t.order[a] < t.order[b]; });
    }
    const std::size_t m = idx.size();
    p.row = idx;
    p.order.resize(m);
    p.population.resize(m);
    p.estimate.resize(m);
    p.se.resize(m);
    p.all_population = true;
    p.all_se = true;
    double total_pop = 0;
    for (std::size_t k = 0; k < m; ++k) {
        const std::size_t i = idx[k];
        p.order[k] = t.order_at(i);
        p.population[k] = t.population[i];
        p.estimate[k] = t.estimate[i];
        p.se[k] = t.se_at(i);
        if (std::isnan(p.population[k])) p.all_population = false;
        if (std::isnan(p.se[k])) p.all_se = false;
        if (std::isnan(p.order[k])) p.any_order_missing = true;
        if (t.is_reference(i)) p.reference = static_cast<std::ptrdiff_t>(k);
        total_pop += p.population[k];
    }
    p.share.assign(m, std::numeric_limits<double>::quiet_NaN());
    if (p.all_population && total_pop > 0) {
        double mu = 0;
        for (std::size_t k = 0; k < m; ++k) {
            p.share[k] = p.population[k] / total_pop;
            mu += p.share[k] * p.estimate[k];
        }
        p.mean = mu;
    } else {
        p.mean = t.setting_average;
    }
    if (t.ordered && p.all_population && total_pop > 0) p.rank = midpoint_ranks(p.order, p.share);
    return p;
}

// HEAT's post-processing (HM6 HEAT_measures_outlier2NA): an estimate outside [-99999, 99999]
// (RII: outside [0, 700]) or an infinite one makes all four outputs missing.
inline void heat_outlier_to_na(MeasureResult& r) {
    const bool rii = r.measure == "RII";
    const double lo = rii ? 0.0 : -99999.0, hi = rii ? 700.0 : 99999.0;
    if (std::isnan(r.estimate)) return;
    if (!std::isfinite(r.estimate) || r.estimate < lo || r.estimate > hi) {
        const std::string v = detail::format_double(r.estimate);
        r.estimate = r.se = r.lower = r.upper = std::numeric_limits<double>::quiet_NaN();
        r.reason = "estimate " + v + " outside HEAT's plausible range [" + detail::format_double(lo) + ", " +
                   detail::format_double(hi) + "]";
    }
}

}  // namespace fairer
