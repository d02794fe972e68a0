// The 13 non-ordered complex summary measures of WHO HEAT 6.0 (spec inequality-measures.md §4):
// between-group variance and standard deviation (BGV, BGSD), coefficient of variation (COV), mean
// log deviation (MLD), Theil index (TI), index of disparity (IDISU, IDISW) and the mean differences
// from the best subgroup, the mean and a reference subgroup (MDBU, MDBW, MDMU, MDMW, MDRU, MDRW),
// with analytic standard errors where HEAT has them (BGV, MLD, TI) and the simulation-based
// intervals of spec §6 for the others.
//
// References: WHO. Health Equity Assessment Toolkit (HEAT and HEAT Plus) technical notes, version
// 6.0 (2024); the engines reproduced by the modes are WHOequity/HEAT-Measures@f4777e65 (HEAT 6.0,
// mode heat6) and WHOequity/healthequal@3e7e0406 (healthequal 1.0.1, mode healthequal). BGV's
// variance: Ahn J, Harper S, Yu M, Feuer EJ, Liu B, Luta G. Variance estimation and confidence
// intervals for 11 commonly used health disparity measures. JCO Clin Cancer Inform 2018;2:1-19.
//
// Modes: heat6 and healthequal reproduce those engines' published numbers, quirks included;
// corrected (the default) reports the TI and MLD standard errors on the ×1000 scale of the estimate,
// bases the MDRU/MDRW intervals on the simulated reference subgroup (HEAT 6 uses the best subgroup)
// and re-computes the mean from each simulated table (HEAT 6 keeps the observed mean for BGSD, COV
// and IDISU, healthequal for IDISW).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "fairer/detail/xoshiro.hpp"
#include "fairer/detail/ziggurat.hpp"
#include "fairer/errors.hpp"
#include "fairer/r_random.hpp"
#include "fairer/subgroup_table.hpp"

namespace fairer {

// Which random numbers the simulated intervals use.
enum class SimulationRng {
    by_mode,  // R's stream for heat6 and healthequal (their intervals are then matched exactly), native for corrected
    r,        // R's Mersenne-Twister + Inversion stream from set.seed(seed) (fairer/r_random.hpp), re-seeded per table
    native    // xoshiro256++ with ziggurat normals (fairer/detail), re-seeded per table: faster, statistically equivalent
};

inline SimulationRng parse_simulation_rng(std::string_view text) {
    if (text == "by_mode") return SimulationRng::by_mode;
    if (text == "r") return SimulationRng::r;
    if (text == "native") return SimulationRng::native;
    throw InequalityError("unknown random number generator '" + std::string(text) + "' (expected by_mode, r or native)");
}

struct NonorderedOptions {
    HeatMode mode = HeatMode::corrected;
    double confidence = 0.95;    // two-sided level of every interval (HEAT 6 and healthequal default: 0.95)
    std::size_t draws = 100;     // simulated tables per interval (HEAT 6: 100)
    std::uint32_t seed = 123456; // HEAT 6 and healthequal call set.seed(123456) before each table
    SimulationRng rng = SimulationRng::by_mode;
    // Rejection attempts allowed for one truncated-normal draw before the interval is given up as
    // missing (HEAT would loop for ever, e.g. on an estimate far outside [0, 100] with a tiny SE).
    std::size_t max_attempts = 1000000;
    // HEAT's plausibility post-processing (heat_outlier_to_na); by_mode = on in heat6 mode only.
    enum class RangeCheck { by_mode, on, off } range_check = RangeCheck::by_mode;
};

// The 13 non-ordered complex measures in HEAT's display order.
inline const std::vector<std::string>& heat_nonordered_measure_names() {
    static const std::vector<std::string> names{"BGV",  "BGSD", "COV",  "MLD",  "TI",   "IDISU", "IDISW",
                                                "MDBU", "MDBW", "MDMU", "MDMW", "MDRU", "MDRW"};
    return names;
}

inline bool is_nonordered_measure(std::string_view m) {
    for (const auto& n : heat_nonordered_measure_names())
        if (n == m) return true;
    return false;
}

// R's quantile(x, p, type = 7) over the first m values of x (reordered in place): with
// h = 1 + (m - 1) p, lo = floor(h), hi = ceil(h), the result is (1 - (h - lo)) x_(lo) +
// (h - lo) x_(hi), written in R's order of operations so that it matches R to the last bit;
// x_(lo) alone when h is whole or the two order statistics are equal. NaN for m = 0.
// Hyndman RJ, Fan Y. Sample quantiles in statistical packages. Am Stat 1996;50:361-365 (definition 7).
inline double quantile_type7(double* x, std::size_t m, double p) {
    if (m == 0) return std::numeric_limits<double>::quiet_NaN();
    const double index = 1.0 + static_cast<double>(m - 1) * p;
    const double lo = std::floor(index);
    const auto k = static_cast<std::size_t>(lo) - 1;
    std::nth_element(x, x + k, x + m);
    const double qlo = x[k];
    if (!(index > lo) || k + 1 >= m) return qlo;
    const double qhi = *std::min_element(x + k + 1, x + m);
    if (qhi == qlo) return qlo;
    const double h = index - lo;
    return (1.0 - h) * qlo + h * qhi;
}

namespace detail {

// Type-7 interpolation between the order statistics a = x_(lo) and b = x_(lo+1) (see quantile_type7).
inline double type7_between(double index, double a, double b) {
    const double lo = std::floor(index);
    if (!(index > lo) || b == a) return a;
    const double h = index - lo;
    return (1.0 - h) * a + h * b;
}

// The type-7 quantiles at p_low and p_high (p_low <= p_high) of the first m values of x, equal to
// quantile_type7 at each. For the tails of a simulation (2.5% and 97.5% of 100 values need only the
// 3rd/4th smallest and largest) one pass keeping the few extreme values beats two selections.
inline void quantiles_type7(double* x, std::size_t m, double p_low, double p_high, double& q_low, double& q_high) {
    constexpr std::size_t small = 8;
    if (m == 0) {
        q_low = q_high = std::numeric_limits<double>::quiet_NaN();
        return;
    }
    const double il = 1.0 + static_cast<double>(m - 1) * p_low, ih = 1.0 + static_cast<double>(m - 1) * p_high;
    const auto kl = static_cast<std::size_t>(std::floor(il)) - 1;  // 0-based position of x_(lo), low quantile
    const auto kh = static_cast<std::size_t>(std::floor(ih)) - 1;
    const std::size_t need_low = kl + 2, need_high = m - kh;  // smallest kl+2 values, largest m-kh values
    if (need_low > small || need_high > small || need_low + need_high > m) {
        q_low = quantile_type7(x, m, p_low);
        q_high = quantile_type7(x, m, p_high);
        return;
    }
    double lowest[small], highest[small];  // ascending / descending
    std::size_t nl = 0, nh = 0;
    for (std::size_t i = 0; i < m; ++i) {
        const double v = x[i];
        if (nl < need_low || v < lowest[nl - 1]) {
            std::size_t j = nl < need_low ? nl++ : nl - 1;
            for (; j > 0 && lowest[j - 1] > v; --j) lowest[j] = lowest[j - 1];
            lowest[j] = v;
        }
        if (nh < need_high || v > highest[nh - 1]) {
            std::size_t j = nh < need_high ? nh++ : nh - 1;
            for (; j > 0 && highest[j - 1] < v; --j) highest[j] = highest[j - 1];
            highest[j] = v;
        }
    }
    q_low = type7_between(il, lowest[kl], lowest[kl + 1]);
    // x_(kh) and x_(kh+1) in ascending 0-based order are the (m-1-kh)-th and (m-2-kh)-th largest.
    const std::size_t a = m - 1 - kh;
    q_high = a == 0 ? highest[0] : type7_between(ih, highest[a], highest[a - 1]);
}

}  // namespace detail

// Simulated estimates for a table: `draws` rows of one value per kept subgroup (row-major), or a
// reason why there are none.
struct SimulatedEstimates {
    std::size_t draws = 0;
    std::size_t subgroups = 0;
    std::vector<double> values;
    std::string reason;  // empty when the values exist

    bool available() const noexcept { return reason.empty() && draws > 0; }
    const double* draw(std::size_t j) const noexcept { return values.data() + j * subgroups; }
};

// Scratch space reused across tables so that a batch allocates nothing per table or per draw
// once the buffers have grown; also holds the native generator's ziggurat tables.
struct NonorderedWorkspace {
    SimulatedEstimates simulated;
    std::vector<double> statistics;
    std::vector<double> adjusted;  // TI/MLD estimates with zeros replaced
    detail::ZigguratNormal ziggurat;
};

namespace detail {

// Draws y + sd z until the value lies in [0, inf), or in [0, 100] when the scale is 100 (HEAT's
// truncated normal by rejection). normal() returns R's rnorm semantics: with sd = 0 no random number
// is consumed and y itself is returned. Returns false if max_attempts draws all fall outside.
template <class Normal>
bool truncated_normal(double y, double sd, bool percent, std::size_t max_attempts, Normal&& normal, double& out) {
    for (std::size_t a = 0; a < max_attempts; ++a) {
        const double v = normal(y, sd);
        if (v >= 0.0 && (!percent || v <= 100.0)) {
            out = v;
            return true;
        }
        if (sd == 0.0) return false;
    }
    return false;
}

template <class Normal>
void simulate_with(const PreparedTable& t, double scale, const NonorderedOptions& o, const SubgroupTable* source,
                   Normal&& normal, SimulatedEstimates& out) {
    const bool percent = scale == 100.0;
    const std::size_t n = t.size();
    for (std::size_t j = 0; j < o.draws; ++j) {
        double* row = out.values.data() + j * n;
        for (std::size_t i = 0; i < n; ++i) {
            if (!truncated_normal(t.estimate[i], t.se[i], percent, o.max_attempts, normal, row[i])) {
                const std::string who = source ? source->subgroup_name(t.row[i]) : "subgroup #" + std::to_string(i + 1);
                out.reason = "simulation stopped: no draw for " + who + " fell in the truncation range [0, " +
                             (percent ? std::string("100") : std::string("inf")) + ")" +
                             (t.se[i] == 0.0 ? " (standard error 0 and estimate outside it)"
                                             : " after " + std::to_string(o.max_attempts) + " attempts");
                return;
            }
        }
    }
}

inline bool uses_r_stream(const NonorderedOptions& o) {
    return o.rng == SimulationRng::r || (o.rng == SimulationRng::by_mode && o.mode != HeatMode::corrected);
}

}  // namespace detail

// The simulated tables of spec §6 (HM6 do_simulation; healthequal per measure, identical draws):
// the generator is seeded with o.seed, then for each of o.draws simulated tables and each kept
// subgroup in table order a value is drawn from N(y_i, se_i) truncated by rejection to [0, inf),
// or to [0, 100] when the indicator scale is 100. A zero SE gives y_i without consuming random
// numbers (R's rnorm), so the R stream stays aligned with HEAT's. No simulation (reason set) when a
// kept subgroup lacks its SE, or when a draw cannot land in the range (see max_attempts).
inline void simulate_estimates(const PreparedTable& t, double scale, const NonorderedOptions& o, NonorderedWorkspace& ws,
                               const SubgroupTable* source = nullptr) {
    SimulatedEstimates& out = ws.simulated;
    out.reason.clear();
    out.draws = o.draws;
    out.subgroups = t.size();
    if (!t.all_se) {
        out.reason = "a subgroup has no standard error: no simulated interval";
        return;
    }
    if (o.draws == 0) {
        out.reason = "no simulation draws requested";
        return;
    }
    out.values.resize(o.draws * t.size());
    if (detail::uses_r_stream(o)) {
        RRandom rng(o.seed);
        detail::simulate_with(t, scale, o, source, [&rng](double y, double sd) { return rng.rnorm(y, sd); }, out);
    } else {
        detail::Xoshiro256pp engine({o.seed});
        const detail::ZigguratNormal& zig = ws.ziggurat;
        detail::simulate_with(
            t, scale, o, source,
            [&engine, &zig](double y, double sd) { return sd == 0.0 ? y : y + sd * zig(engine); }, out);
    }
}

// Everything a non-ordered measure needs about one prepared table.
struct NonorderedContext {
    const PreparedTable& table;
    bool favourable;               // higher is better: the best subgroup is the maximum
    const NonorderedOptions& options;
    NonorderedWorkspace& workspace;  // simulated tables (simulate_estimates) and scratch
    double z;                      // normal quantile of the analytic intervals
};

namespace detail {

inline double weighted_mean(const double* x, const std::vector<double>& p) {
    double mu = 0;
    for (std::size_t i = 0; i < p.size(); ++i) mu += p[i] * x[i];
    return mu;
}

inline double best_of(const double* x, std::size_t n, bool favourable) {
    return favourable ? *std::max_element(x, x + n) : *std::min_element(x, x + n);
}

// Mean absolute deviation of x from c, unweighted ((1/n) sum |x - c|) or weighted (sum p |x - c|).
inline double mean_abs_dev(const double* x, const std::vector<double>& p, std::size_t n, double c, bool weighted) {
    double s = 0;
    if (weighted) {
        for (std::size_t i = 0; i < n; ++i) s += p[i] * std::fabs(x[i] - c);
        return s;
    }
    for (std::size_t i = 0; i < n; ++i) s += std::fabs(x[i] - c);
    return s / static_cast<double>(n);
}

inline double between_group_variance(const double* x, const std::vector<double>& p, double mu) {
    double s = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const double d = x[i] - mu;
        s += p[i] * d * d;
    }
    return s;
}

// Reasons common to all 13 measures (HM6 validation-tests.R): shape (more than 2 subgroups,
// non-ordered), not every estimate zero, at least 85% of subgroups with an estimate.
inline std::string nonordered_common_reason(std::string_view measure, const SubgroupTable& t, const PreparedTable& p) {
    std::string why = applicability_reason(measure, p.size(), t.ordered);
    if (!why.empty()) return why;
    if (std::all_of(p.estimate.begin(), p.estimate.end(), [](double y) { return y == 0.0; }))
        return "all estimates are zero";
    if (!complete_enough(p.size(), p.total)) return "fewer than 85% of subgroups have an estimate";
    return {};
}

inline std::string needs_population(const PreparedTable& p) {
    return p.all_population ? std::string() : std::string("a subgroup with an estimate has no population");
}

inline std::string needs_mean(const PreparedTable& p) {
    if (std::isnan(p.mean)) return "no population-weighted mean (a population is missing) and no setting average";
    if (!(p.mean > 0)) return "the mean is not positive";
    return {};
}

inline std::string needs_reference(const PreparedTable& p) {
    if (!p.reference_flagged) return "no reference subgroup";
    if (p.reference_missing || p.reference < 0) return "the reference subgroup has no estimate";
    return {};
}

inline void finish_nonordered(MeasureResult& r, const NonorderedOptions& o) {
    const bool check = o.range_check == NonorderedOptions::RangeCheck::on ||
                       (o.range_check == NonorderedOptions::RangeCheck::by_mode && o.mode == HeatMode::heat6);
    if (check) heat_outlier_to_na(r);
}

// Fills r.lower and r.upper with the type-7 quantiles at (1 - confidence)/2 and (1 + confidence)/2
// of statistic(x) over the simulated tables x (missing values dropped, as R's quantile(na.rm = TRUE)).
template <class Statistic>
void simulated_limits(const NonorderedContext& c, MeasureResult& r, Statistic&& statistic) {
    const SimulatedEstimates& sim = c.workspace.simulated;
    if (!sim.available() || sim.subgroups != c.table.size()) {
        r.reason = sim.reason.empty() ? std::string("no simulated tables") : sim.reason;
        return;
    }
    std::vector<double>& s = c.workspace.statistics;
    s.resize(sim.draws);
    std::size_t m = 0;
    for (std::size_t j = 0; j < sim.draws; ++j) {
        const double v = statistic(sim.draw(j));
        if (!std::isnan(v)) s[m++] = v;
    }
    const double tail = (1.0 - c.options.confidence) / 2.0;
    quantiles_type7(s.data(), m, tail, 1.0 - tail, r.lower, r.upper);
    if (m == 0) r.reason = "every simulated value is missing";
}

inline MeasureResult start(const char* name, std::string reason) {
    MeasureResult r;
    r.measure = name;
    r.reason = std::move(reason);
    return r;
}

}  // namespace detail

// BGV, between-group variance: sum_j p_j (y_j - mu)^2, mu = sum_j p_j y_j, in squared indicator
// units. SE (Ahn et al. 2018, as HM6 and healthequal): var = 4 sum p^2 se^2 (y - mu)^2 +
// 2 [(sum p^2 se^2)^2 - sum p^4 se^4 + sum p^2 (1 - p)^2 se^4]; limits BGV -+ z se (same in all modes).
// Needs every kept subgroup's population.
inline MeasureResult between_group_variance(const SubgroupTable& src, const NonorderedContext& c) {
    const PreparedTable& t = c.table;
    std::string why = detail::nonordered_common_reason("BGV", src, t);
    if (why.empty()) why = detail::needs_population(t);
    MeasureResult r = detail::start("BGV", why);
    if (!why.empty()) return r;
    const std::vector<double>& p = t.share;
    r.estimate = detail::between_group_variance(t.estimate.data(), p, t.mean);
    if (!t.all_se) {
        r.reason = "a subgroup has no standard error: no interval";
    } else {
        double a = 0, b = 0, d = 0, e = 0;
        for (std::size_t i = 0; i < t.size(); ++i) {
            const double p2s2 = p[i] * p[i] * t.se[i] * t.se[i];
            const double dev = t.estimate[i] - t.mean;
            a += p2s2 * dev * dev;
            b += p2s2;
            d += p2s2 * p2s2;
            e += p2s2 * (1.0 - p[i]) * (1.0 - p[i]) * t.se[i] * t.se[i];
        }
        r.se = std::sqrt(4.0 * a + 2.0 * (b * b - d + e));
        r.lower = r.estimate - c.z * r.se;
        r.upper = r.estimate + c.z * r.se;
    }
    detail::finish_nonordered(r, c.options);
    return r;
}

// BGSD, between-group standard deviation: sqrt(BGV), in indicator units. Simulated limits: the
// statistic sqrt(sum p (x - m)^2) with m the observed mean in heat6 (HM6 keeps it) and the
// simulated table's own mean sum p x otherwise (healthequal, corrected). Needs populations.
inline MeasureResult between_group_standard_deviation(const SubgroupTable& src, const NonorderedContext& c) {
    const PreparedTable& t = c.table;
    std::string why = detail::nonordered_common_reason("BGSD", src, t);
    if (why.empty()) why = detail::needs_population(t);
    MeasureResult r = detail::start("BGSD", why);
    if (!why.empty()) return r;
    const std::vector<double>& p = t.share;
    r.estimate = std::sqrt(detail::between_group_variance(t.estimate.data(), p, t.mean));
    const bool keep_mean = c.options.mode == HeatMode::heat6;
    const double mu = t.mean;
    detail::simulated_limits(c, r, [&](const double* x) {
        return std::sqrt(detail::between_group_variance(x, p, keep_mean ? mu : detail::weighted_mean(x, p)));
    });
    detail::finish_nonordered(r, c.options);
    return r;
}

// COV, coefficient of variation: 100 BGSD / mu, in percent. Simulated limits: 100 sqrt(sum p (x - m)^2) / m
// with m the observed mean in heat6 and sum p x otherwise. Needs populations and a positive mean.
inline MeasureResult coefficient_of_variation(const SubgroupTable& src, const NonorderedContext& c) {
    const PreparedTable& t = c.table;
    std::string why = detail::nonordered_common_reason("COV", src, t);
    if (why.empty()) why = detail::needs_population(t);
    if (why.empty()) why = detail::needs_mean(t);
    MeasureResult r = detail::start("COV", why);
    if (!why.empty()) return r;
    const std::vector<double>& p = t.share;
    r.estimate = 100.0 * std::sqrt(detail::between_group_variance(t.estimate.data(), p, t.mean)) / t.mean;
    const bool keep_mean = c.options.mode == HeatMode::heat6;
    const double mu = t.mean;
    detail::simulated_limits(c, r, [&](const double* x) {
        const double m = keep_mean ? mu : detail::weighted_mean(x, p);
        return 100.0 * std::sqrt(detail::between_group_variance(x, p, m)) / m;
    });
    detail::finish_nonordered(r, c.options);
    return r;
}

namespace detail {

// The estimates used by TI and MLD: zeros replaced by 1e-6 (indicator units) as HM6 and
// healthequal do, so that logarithms exist; returns their population-weighted mean.
inline double theil_inputs(const PreparedTable& t, std::vector<double>& y) {
    y.assign(t.estimate.begin(), t.estimate.end());
    for (double& v : y)
        if (v == 0.0) v = 1e-6;
    return weighted_mean(y.data(), t.share);
}

// Delta-method limits of the Theil measures: SE of the unscaled index = sqrt(sum p_j^2 se_j^2
// g_j^2) / mu with g_j the index's derivative factor for subgroup j; no interval when a subgroup
// has no standard error.
template <class Gradient>
void theil_limits(MeasureResult& r, const NonorderedContext& c, double mu, Gradient g) {
    const PreparedTable& t = c.table;
    if (!t.all_se) {
        r.reason = "a subgroup has no standard error: no interval";
        return;
    }
    double v = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double gi = g(i);
        v += t.share[i] * t.share[i] * t.se[i] * t.se[i] * gi * gi;
    }
    const double se_unscaled = std::sqrt(v / (mu * mu));
    // heat6 and healthequal report the SE of T (not of 1000 T) and build 1000 T -+ z se: intervals
    // 1000 times too narrow. corrected reports and uses the SE of the estimate as reported.
    r.se = c.options.mode == HeatMode::corrected ? 1000.0 * se_unscaled : se_unscaled;
    r.lower = r.estimate - c.z * r.se;
    r.upper = r.estimate + c.z * r.se;
}

}  // namespace detail

// MLD, mean log deviation (GE(0), Theil's L) between groups: 1000 sum_j p_j (-ln r_j), r_j = y_j / mu,
// with zero estimates taken as 1e-6. SE of sum p (-ln r): sqrt(sum p^2 se^2 (1 - 1/r)^2 / mu^2); heat6
// and healthequal report it unscaled (spec §4 unit bug), corrected multiplies it by 1000. Needs populations.
inline MeasureResult mean_log_deviation(const SubgroupTable& src, const NonorderedContext& c) {
    const PreparedTable& t = c.table;
    std::string why = detail::nonordered_common_reason("MLD", src, t);
    if (why.empty()) why = detail::needs_population(t);
    MeasureResult r = detail::start("MLD", why);
    if (!why.empty()) return r;
    std::vector<double>& y = c.workspace.adjusted;
    const double mu = detail::theil_inputs(t, y);
    const std::vector<double>& p = t.share;
    double s = 0;
    for (std::size_t i = 0; i < t.size(); ++i) s += p[i] * -std::log(y[i] / mu);
    r.estimate = 1000.0 * s;
    detail::theil_limits(r, c, mu, [&](std::size_t i) { return 1.0 - mu / y[i]; });
    detail::finish_nonordered(r, c.options);
    return r;
}

// TI, Theil index (GE(1)) between groups: 1000 sum_j p_j r_j ln r_j, r_j = y_j / mu, zeros taken as
// 1e-6. SE of sum p r ln r: sqrt(sum p^2 se^2 [1 + ln r_j - sum_k p_k r_k (1 + ln r_k)]^2 / mu^2);
// unscaled in heat6 and healthequal, times 1000 in corrected. Needs populations.
inline MeasureResult theil_index(const SubgroupTable& src, const NonorderedContext& c) {
    const PreparedTable& t = c.table;
    std::string why = detail::nonordered_common_reason("TI", src, t);
    if (why.empty()) why = detail::needs_population(t);
    MeasureResult r = detail::start("TI", why);
    if (!why.empty()) return r;
    std::vector<double>& y = c.workspace.adjusted;
    const double mu = detail::theil_inputs(t, y);
    const std::vector<double>& p = t.share;
    double s = 0, centre = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double ri = y[i] / mu, l = std::log(ri);
        s += p[i] * ri * l;
        centre += p[i] * ri * (1.0 + l);
    }
    r.estimate = 1000.0 * s;
    detail::theil_limits(r, c, mu, [&](std::size_t i) { return 1.0 + std::log(y[i] / mu) - centre; });
    detail::finish_nonordered(r, c.options);
    return r;
}

// IDISU, unweighted index of disparity: 100 (1/n) sum_j |y_j - mu| / mu, in percent (mu the
// population-weighted mean, or the setting average when a population is missing). Simulated limits:
// 100 mean|x - m| / m with m the observed mean in heat6 and sum p x otherwise (the fixed setting
// average when populations are missing).
inline MeasureResult index_of_disparity_unweighted(const SubgroupTable& src, const NonorderedContext& c) {
    const PreparedTable& t = c.table;
    std::string why = detail::nonordered_common_reason("IDISU", src, t);
    if (why.empty()) why = detail::needs_mean(t);
    MeasureResult r = detail::start("IDISU", why);
    if (!why.empty()) return r;
    const std::vector<double>& p = t.share;
    const std::size_t n = t.size();
    r.estimate = 100.0 * detail::mean_abs_dev(t.estimate.data(), p, n, t.mean, false) / t.mean;
    const bool keep_mean = c.options.mode == HeatMode::heat6 || !t.all_population;
    const double mu = t.mean;
    detail::simulated_limits(c, r, [&](const double* x) {
        const double m = keep_mean ? mu : detail::weighted_mean(x, p);
        return 100.0 * detail::mean_abs_dev(x, p, n, m, false) / m;
    });
    detail::finish_nonordered(r, c.options);
    return r;
}

// IDISW, weighted index of disparity: 100 sum_j p_j |y_j - mu| / mu, in percent. Simulated limits:
// 100 sum p |x - m| / m with m the observed mean in healthequal (it keeps it) and sum p x otherwise
// (heat6, corrected). Needs populations and a positive mean.
inline MeasureResult index_of_disparity_weighted(const SubgroupTable& src, const NonorderedContext& c) {
    const PreparedTable& t = c.table;
    std::string why = detail::nonordered_common_reason("IDISW", src, t);
    if (why.empty()) why = detail::needs_population(t);
    if (why.empty()) why = detail::needs_mean(t);
    MeasureResult r = detail::start("IDISW", why);
    if (!why.empty()) return r;
    const std::vector<double>& p = t.share;
    const std::size_t n = t.size();
    r.estimate = 100.0 * detail::mean_abs_dev(t.estimate.data(), p, n, t.mean, true) / t.mean;
    const bool keep_mean = c.options.mode == HeatMode::healthequal;
    const double mu = t.mean;
    detail::simulated_limits(c, r, [&](const double* x) {
        const double m = keep_mean ? mu : detail::weighted_mean(x, p);
        return 100.0 * detail::mean_abs_dev(x, p, n, m, true) / m;
    });
    detail::finish_nonordered(r, c.options);
    return r;
}

// MDBU / MDBW, mean difference from the best subgroup, unweighted (1/n) sum_j |y_j - y_best| or
// weighted sum_j p_j |y_j - y_best|; best = highest estimate for a favourable indicator, lowest for
// an adverse one. Simulated limits: the same statistic with the best of each simulated table (all
// modes). MDBW needs populations; MDBU does not.
inline MeasureResult mean_difference_from_best(const SubgroupTable& src, const NonorderedContext& c, bool weighted) {
    const PreparedTable& t = c.table;
    const char* name = weighted ? "MDBW" : "MDBU";
    std::string why = detail::nonordered_common_reason(name, src, t);
    if (why.empty() && weighted) why = detail::needs_population(t);
    MeasureResult r = detail::start(name, why);
    if (!why.empty()) return r;
    const std::vector<double>& p = t.share;
    const std::size_t n = t.size();
    const bool fav = c.favourable;
    r.estimate = detail::mean_abs_dev(t.estimate.data(), p, n, detail::best_of(t.estimate.data(), n, fav), weighted);
    detail::simulated_limits(c, r, [&](const double* x) {
        return detail::mean_abs_dev(x, p, n, detail::best_of(x, n, fav), weighted);
    });
    detail::finish_nonordered(r, c.options);
    return r;
}

// MDMU / MDMW, mean difference from the mean, unweighted (1/n) sum_j |y_j - mu| or weighted
// sum_j p_j |y_j - mu| (mu population-weighted; MDMU falls back on the setting average when a
// population is missing). Simulated limits: the same with the simulated table's own mean sum p x
// (all modes; the fixed setting average when populations are missing).
inline MeasureResult mean_difference_from_mean(const SubgroupTable& src, const NonorderedContext& c, bool weighted) {
    const PreparedTable& t = c.table;
    const char* name = weighted ? "MDMW" : "MDMU";
    std::string why = detail::nonordered_common_reason(name, src, t);
    if (why.empty() && weighted) why = detail::needs_population(t);
    if (why.empty() && std::isnan(t.mean))
        why = "no population-weighted mean (a population is missing) and no setting average";
    MeasureResult r = detail::start(name, why);
    if (!why.empty()) return r;
    const std::vector<double>& p = t.share;
    const std::size_t n = t.size();
    r.estimate = detail::mean_abs_dev(t.estimate.data(), p, n, t.mean, weighted);
    const bool keep_mean = !t.all_population;
    const double mu = t.mean;
    detail::simulated_limits(c, r, [&](const double* x) {
        return detail::mean_abs_dev(x, p, n, keep_mean ? mu : detail::weighted_mean(x, p), weighted);
    });
    detail::finish_nonordered(r, c.options);
    return r;
}

// MDRU / MDRW, mean difference from the reference subgroup, unweighted (1/n) sum_j |y_j - y_ref| or
// weighted sum_j p_j |y_j - y_ref|; needs exactly one flagged reference subgroup with an estimate.
// Simulated limits: the same statistic around the simulated reference subgroup (healthequal,
// corrected); heat6 reproduces HEAT 6's bug of using the simulated best subgroup, which gives the
// MDBU/MDBW interval (its lower limit can exceed the estimate). MDRW needs populations.
inline MeasureResult mean_difference_from_reference(const SubgroupTable& src, const NonorderedContext& c, bool weighted) {
    const PreparedTable& t = c.table;
    const char* name = weighted ? "MDRW" : "MDRU";
    std::string why = detail::nonordered_common_reason(name, src, t);
    if (why.empty()) why = detail::needs_reference(t);
    if (why.empty() && weighted) why = detail::needs_population(t);
    MeasureResult r = detail::start(name, why);
    if (!why.empty()) return r;
    const std::vector<double>& p = t.share;
    const std::size_t n = t.size();
    const auto ref = static_cast<std::size_t>(t.reference);
    r.estimate = detail::mean_abs_dev(t.estimate.data(), p, n, t.estimate[ref], weighted);
    const bool best = c.options.mode == HeatMode::heat6;
    const bool fav = c.favourable;
    detail::simulated_limits(c, r, [&](const double* x) {
        return detail::mean_abs_dev(x, p, n, best ? detail::best_of(x, n, fav) : x[ref], weighted);
    });
    detail::finish_nonordered(r, c.options);
    return r;
}

namespace detail {

inline bool is_simulated_measure(std::string_view m) {
    return m != "BGV" && m != "MLD" && m != "TI" && is_nonordered_measure(m);
}

inline void check_options(const NonorderedOptions& o) {
    if (!(o.confidence > 0.0 && o.confidence < 1.0))
        throw InequalityError("confidence must lie strictly between 0 and 1, got " + std::to_string(o.confidence));
}

}  // namespace detail

// The non-ordered measures named in `measures` (others ignored; empty = every one that applies to the
// table's shape), computed on one validated, prepared table in the order given, appended to `out`.
// The simulation (when a simulated measure is asked for and the table can be simulated) runs once
// and its draws are shared by all simulated measures, as HM6 does. `ws` is reused across calls.
inline void heat_nonordered_measures(const SubgroupTable& t, const PreparedTable& p, const std::vector<std::string>& measures,
                                     const NonorderedOptions& o, NonorderedWorkspace& ws, std::vector<MeasureResult>& out) {
    detail::check_options(o);
    const std::vector<std::string>& names =
        measures.empty() ? (p.size() > 2 && !t.ordered ? heat_nonordered_measure_names() : measures) : measures;
    bool simulate = false;
    for (const auto& m : names) {
        if (detail::is_simulated_measure(m) && detail::nonordered_common_reason(m, t, p).empty()) simulate = true;
    }
    ws.simulated.reason = "no simulated tables";
    ws.simulated.subgroups = p.size();
    if (simulate) simulate_estimates(p, t.scale, o, ws, &t);
    const NonorderedContext c{p, t.favourable, o, ws, r_qnorm(1.0 - (1.0 - o.confidence) / 2.0)};
    for (const auto& m : names) {
        if (m == "BGV") out.push_back(between_group_variance(t, c));
        else if (m == "BGSD") out.push_back(between_group_standard_deviation(t, c));
        else if (m == "COV") out.push_back(coefficient_of_variation(t, c));
        else if (m == "MLD") out.push_back(mean_log_deviation(t, c));
        else if (m == "TI") out.push_back(theil_index(t, c));
        else if (m == "IDISU") out.push_back(index_of_disparity_unweighted(t, c));
        else if (m == "IDISW") out.push_back(index_of_disparity_weighted(t, c));
        else if (m == "MDBU") out.push_back(mean_difference_from_best(t, c, false));
        else if (m == "MDBW") out.push_back(mean_difference_from_best(t, c, true));
        else if (m == "MDMU") out.push_back(mean_difference_from_mean(t, c, false));
        else if (m == "MDMW") out.push_back(mean_difference_from_mean(t, c, true));
        else if (m == "MDRU") out.push_back(mean_difference_from_reference(t, c, false));
        else if (m == "MDRW") out.push_back(mean_difference_from_reference(t, c, true));
    }
}

// Validates the table (SubgroupTable::validate, which throws InequalityError naming the table and
// subgroup) and computes the non-ordered measures named (empty = all that apply).
inline std::vector<MeasureResult> heat_nonordered_measures(const SubgroupTable& t, const std::vector<std::string>& measures = {},
                                                           const NonorderedOptions& o = {}) {
    t.validate();
    NonorderedWorkspace ws;
    std::vector<MeasureResult> out;
    heat_nonordered_measures(t, prepare_table(t), measures, o, ws, out);
    return out;
}

}  // namespace fairer
