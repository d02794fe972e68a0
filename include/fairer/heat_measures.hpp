// WHO HEAT's simple, ordered and impact summary measures of health inequality: difference (D),
// ratio (R), absolute and relative concentration indices (ACI, RCI), slope and relative indices
// of inequality (SII, RII) and the population attributable fraction and risk (PAF, PAR), each with
// its standard error and confidence limits, as specified in specs/inequality-measures.md §§1-3, 5.
//
// References: WHO. Health Equity Assessment Toolkit (HEAT and HEAT Plus) technical notes,
// version 6.0, 2024 (TN); the HEAT 6.0 engine WHOequity/HEAT-Measures@f4777e65 (HM6); the R package
// healthequal 1.0.1, WHOequity/healthequal@3e7e0406 (HE).
//
// Every measure takes the validated table, its PreparedTable (fairer/subgroup_table.hpp) and
// HeatOptions; the mode chooses whose conventions are followed (see HeatMode). A measure that
// cannot be computed comes back as NaN with a reason, never 0.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Dense>

#include "fairer/confidence_intervals.hpp"
#include "fairer/errors.hpp"
#include "fairer/sii.hpp"
#include "fairer/subgroup_table.hpp"

namespace fairer {

// How the SII and RII are estimated. The choice matters: the methods answer slightly different
// questions and give different numbers on the same table.
enum class SlopeIndexMethod {
    who_logistic,  // HEAT 6 / healthequal default: logistic model of counts, population^2 weights, HC1 SE
    who_linear,    // healthequal linear=TRUE: weighted least squares of y/S on rank, HC1 SE
    phe            // PHE / Fingertips (fairer/sii.hpp): WLS with population-share weights, analytic limits
};

// Corrections of the relative concentration index for bounded indicators (need bounds).
enum class RciCorrection {
    none,       // RCI = ACI / mu (on the bounded scale y* when bounds are given)
    wagstaff,   // Wagstaff A. Health Econ 2005;14:429-432: C* / (1 - mu*)
    erreygers   // Erreygers G. J Health Econ 2009;28:504-515: 4 mu* C* = 4 ACI(y*)
};

struct HeatOptions {
    HeatMode mode = HeatMode::corrected;
    double confidence = 0.95;  // two-sided level of every interval (HEAT 6 fixes 0.95)
    SlopeIndexMethod slope = SlopeIndexMethod::who_logistic;
    RciCorrection rci_correction = RciCorrection::none;
    // Theoretical bounds of a bounded indicator (healthequal lmin, lmax): ACI and RCI are then
    // computed on y* = (y - lower_bound) / (upper_bound - lower_bound). NaN = unbounded.
    double lower_bound = std::numeric_limits<double>::quiet_NaN();
    double upper_bound = std::numeric_limits<double>::quiet_NaN();
    // Display scale of the RCI: 1 (HEAT 6 and healthequal, bounded by +-1) or 100 (TN and HEAT 5).
    double rci_scale = 1.0;
    // HEAT's plausibility post-processing (heat_outlier_to_na): on by default only in heat6 mode.
    enum class RangeCheck { by_mode, on, off } range_check = RangeCheck::by_mode;
};

namespace detail {

inline double nan_value() { return std::numeric_limits<double>::quiet_NaN(); }

// z for the default 95% level without the inverse error function (it dominated batch timings):
// the constant is R's qnorm(0.975), the value z_value(0.95) returns.
inline double z_for(double confidence) { return confidence == 0.95 ? 1.959963984540054 : z_value(confidence); }

inline bool all_zero(const PreparedTable& p) {
    return p.size() > 0 && std::all_of(p.estimate.begin(), p.estimate.end(), [](double y) { return y == 0.0; });
}

// Reasons shared by every measure (spec §1, "all"): fewer than 2 subgroups with an estimate, or
// every estimate zero. Returns an empty string when the table can be used.
inline std::string common_reason(const PreparedTable& p) {
    if (p.size() < 2) return "fewer than 2 subgroups with an estimate";
    if (all_zero(p)) return "all estimates are zero";
    return {};
}

inline void finish(MeasureResult& r, const HeatOptions& o) {
    const bool check = o.range_check == HeatOptions::RangeCheck::on ||
                       (o.range_check == HeatOptions::RangeCheck::by_mode && o.mode == HeatMode::heat6);
    if (check) heat_outlier_to_na(r);
}

inline void normal_limits(MeasureResult& r, double se_for_limits, double z) {
    r.lower = r.estimate - z * se_for_limits;
    r.upper = r.estimate + z * se_for_limits;
}

// The pair (y1, y2) of D and R (TN Table 1, HM6 get_est_se_min_max, HE d.R): positions among the
// kept rows, or a reason. Ordered dimensions compare the extreme orders (most advantaged minus most
// disadvantaged for favourable indicators, the reverse for adverse ones); non-ordered dimensions
// compare the highest with the lowest, or with a reference the reference with the lowest (favourable)
// or the highest (adverse) of the others. Ties: heat6 takes the first tied row as the minimum and the
// last as the maximum (HM6 sorts stably); healthequal and corrected take the first tied row.
struct Pair {
    std::size_t first = 0, second = 0;
    std::string reason;
};

inline Pair simple_pair(const SubgroupTable& t, const PreparedTable& p, HeatMode mode) {
    Pair out;
    const std::size_t m = p.size();
    if (p.total == 2 && m != 2) {
        out.reason = "a table of 2 subgroups needs both estimates";
        return out;
    }
    const bool use_reference = p.reference_flagged && (mode == HeatMode::heat6 || !t.ordered);
    if (use_reference) {
        if (p.reference < 0) {
            out.reason = "the reference subgroup's estimate is missing";
            return out;
        }
        const auto ref = static_cast<std::size_t>(p.reference);
        std::size_t best = m;
        for (std::size_t k = 0; k < m; ++k) {
            if (k == ref) continue;
            const double y = p.estimate[k];
            if (best == m) {
                best = k;
                continue;
            }
            const double b = p.estimate[best];
            const bool better = t.favourable ? y < b : (y > b || (mode == HeatMode::heat6 && y == b));
            if (better) best = k;
        }
        if (t.favourable) {
            out.first = ref;
            out.second = best;
        } else {
            out.first = best;
            out.second = ref;
        }
        return out;
    }
    if (t.ordered) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (std::size_t i = 0; i < t.size(); ++i) {
            lo = std::min(lo, t.order[i]);
            hi = std::max(hi, t.order[i]);
        }
        if (p.order.front() != lo || p.order.back() != hi) {
            out.reason = "an extreme-order subgroup has no estimate";
            return out;
        }
        const std::size_t most_disadvantaged = 0, most_advantaged = m - 1;
        out.first = t.favourable ? most_advantaged : most_disadvantaged;
        out.second = t.favourable ? most_disadvantaged : most_advantaged;
        return out;
    }
    std::size_t lo = 0, hi = 0;
    for (std::size_t k = 1; k < m; ++k) {
        const double y = p.estimate[k];
        if (y < p.estimate[lo]) lo = k;
        if (y > p.estimate[hi] || (mode == HeatMode::heat6 && y == p.estimate[hi])) hi = k;
    }
    out.first = hi;
    out.second = lo;
    return out;
}

}  // namespace detail

// D, the difference y1 - y2 between the pair of subgroups of detail::simple_pair (spec §2):
// se = sqrt(se1^2 + se2^2), limits D -/+ z se. Without a reference D >= 0 for non-ordered tables;
// with one, or for ordered tables, it may be negative.
inline MeasureResult difference(const SubgroupTable& t, const PreparedTable& p, const HeatOptions& o) {
    MeasureResult r;
    r.measure = "D";
    r.reason = detail::common_reason(p);
    if (!r.reason.empty()) return r;
    const auto pair = detail::simple_pair(t, p, o.mode);
    if (!pair.reason.empty()) return missing_measure("D", pair.reason);
    r.estimate = p.estimate[pair.first] - p.estimate[pair.second];
    const double s1 = p.se[pair.first], s2 = p.se[pair.second];
    if (std::isnan(s1) || std::isnan(s2)) {
        r.reason = "no interval: a standard error of the compared subgroups is missing";
    } else {
        r.se = std::sqrt(s1 * s1 + s2 * s2);
        detail::normal_limits(r, r.se, detail::z_for(o.confidence));
    }
    detail::finish(r, o);
    return r;
}

// R, the ratio y1 / y2 of the same pair as D (spec §2). se_R = sqrt((se1^2 + R^2 se2^2) / y2^2)
// (delta method); limits exp(ln R -/+ z se_R / R). The reported se is se_R in heat6 mode (as HM6
// reports it) and the SE of ln R, se_R / R, otherwise (healthequal; corrected, matching the log-scale
// limits). A zero denominator gives NaN (healthequal would return Inf).
inline MeasureResult ratio(const SubgroupTable& t, const PreparedTable& p, const HeatOptions& o) {
    MeasureResult r;
    r.measure = "R";
    r.reason = detail::common_reason(p);
    if (!r.reason.empty()) return r;
    const auto pair = detail::simple_pair(t, p, o.mode);
    if (!pair.reason.empty()) return missing_measure("R", pair.reason);
    const double y1 = p.estimate[pair.first], y2 = p.estimate[pair.second];
    if (y2 == 0.0) return missing_measure("R", "the denominator subgroup's estimate is zero");
    r.estimate = y1 / y2;
    const double s1 = p.se[pair.first], s2 = p.se[pair.second];
    if (std::isnan(s1) || std::isnan(s2)) {
        r.reason = "no interval: a standard error of the compared subgroups is missing";
    } else if (r.estimate == 0.0) {
        r.reason = "no interval: the ratio is zero, its logarithm undefined";
    } else {
        const double se_r = std::sqrt((s1 * s1 + r.estimate * r.estimate * s2 * s2) / (y2 * y2));
        const double se_log = se_r / r.estimate;
        r.se = o.mode == HeatMode::heat6 ? se_r : se_log;
        const double z = detail::z_for(o.confidence);
        r.lower = std::exp(std::log(r.estimate) - z * se_log);
        r.upper = std::exp(std::log(r.estimate) + z * se_log);
    }
    detail::finish(r, o);
    return r;
}

namespace detail {

// Why the ordered complex measures (ACI, RCI, SII, RII) cannot be computed (spec §1), or "".
inline std::string ordered_reason(const std::string& measure, const SubgroupTable& t, const PreparedTable& p) {
    std::string why = common_reason(p);
    if (!why.empty()) return why;
    if (!t.ordered) return measure + " needs an ordered dimension";
    if (p.total <= 2) return measure + " needs more than 2 subgroups";
    if (!p.complete()) return measure + " needs an estimate for every subgroup";
    if (!p.all_population) return measure + " needs a population for every subgroup";
    return {};
}

// The concentration-index regression (spec §3, HM6/HE "convenient regression", as Stata conindex):
// lhs_j = 2 var_X y_j regressed on X_j by WLS with weights N_j; the slope is
// ACI = sum p_j (2 X_j - 1) y_j, its SE sqrt(RSS_w / ((n - 2) sum N_j (X_j - 1/2)^2)). The
// subgroups' own SEs are not used.
struct Concentration {
    double aci = nan_value(), se = nan_value(), mean = nan_value();
};

inline Concentration concentration(const PreparedTable& p, double lower, double range) {
    const std::size_t n = p.size();
    double var_x = 0, aci = 0, mean = 0, sxx = 0;
    for (std::size_t j = 0; j < n; ++j) {
        const double dx = p.rank[j] - 0.5;
        const double y = (p.estimate[j] - lower) / range;
        var_x += p.share[j] * dx * dx;
        aci += p.share[j] * 2.0 * dx * y;
        mean += p.share[j] * y;
        sxx += p.population[j] * dx * dx;
    }
    const double intercept = 2.0 * var_x * mean - aci * 0.5;
    double rss = 0;
    for (std::size_t j = 0; j < n; ++j) {
        const double y = (p.estimate[j] - lower) / range;
        const double e = 2.0 * var_x * y - intercept - aci * p.rank[j];
        rss += p.population[j] * e * e;
    }
    Concentration c;
    c.aci = aci;
    c.mean = mean;
    c.se = std::sqrt(rss / (static_cast<double>(n - 2) * sxx));
    return c;
}

inline bool bounded(const HeatOptions& o) { return !std::isnan(o.lower_bound) || !std::isnan(o.upper_bound); }

// Checks the bounds and returns (lower, range); throws InequalityError for unusable bounds or an
// estimate outside them.
inline std::pair<double, double> bounds(const SubgroupTable& t, const PreparedTable& p, const HeatOptions& o) {
    if (!bounded(o)) return {0.0, 1.0};
    if (!std::isfinite(o.lower_bound) || !std::isfinite(o.upper_bound) || !(o.lower_bound < o.upper_bound))
        throw InequalityError("table '" + t.name + "': bounds need lower_bound < upper_bound, both finite");
    for (std::size_t k = 0; k < p.size(); ++k) {
        if (p.estimate[k] < o.lower_bound || p.estimate[k] > o.upper_bound)
            throw InequalityError(t.subgroup_name(p.row[k]) + ": estimate " + format_double(p.estimate[k]) +
                                  " outside the bounds [" + format_double(o.lower_bound) + ", " +
                                  format_double(o.upper_bound) + "]");
    }
    return {o.lower_bound, o.upper_bound - o.lower_bound};
}

}  // namespace detail

// ACI, the absolute concentration index (TN; spec §3): sum_j p_j (2 X_j - 1) y_j, in indicator
// units (on the 0-1 scale of y* when bounds are given), positive when the indicator is concentrated
// among the advantaged, for favourable and adverse indicators alike. SE from the regression of
// detail::concentration; limits ACI -/+ z se. All modes agree.
inline MeasureResult absolute_concentration_index(const SubgroupTable& t, const PreparedTable& p, const HeatOptions& o) {
    const std::string why = detail::ordered_reason("ACI", t, p);
    if (!why.empty()) return missing_measure("ACI", why);
    const auto b = detail::bounds(t, p, o);
    const auto c = detail::concentration(p, b.first, b.second);
    MeasureResult r;
    r.measure = "ACI";
    r.estimate = c.aci;
    r.se = c.se;
    detail::normal_limits(r, r.se, detail::z_for(o.confidence));
    detail::finish(r, o);
    return r;
}

// RCI, the relative concentration index (spec §3): ACI / mu, se(ACI) / mu, limits -/+ z se, on the
// 0-1 scale times o.rci_scale. With bounds, computed on y*: none C* = ACI(y*)/mu*; Wagstaff
// C* / (1 - mu*); Erreygers 4 ACI(y*); the SE scales by the same factor.
inline MeasureResult relative_concentration_index(const SubgroupTable& t, const PreparedTable& p, const HeatOptions& o) {
    const std::string why = detail::ordered_reason("RCI", t, p);
    if (!why.empty()) return missing_measure("RCI", why);
    if (o.rci_correction != RciCorrection::none && !detail::bounded(o))
        throw InequalityError("table '" + t.name + "': the Wagstaff and Erreygers corrections need lower_bound and upper_bound");
    const auto b = detail::bounds(t, p, o);
    const auto c = detail::concentration(p, b.first, b.second);
    double factor = 0;
    switch (o.rci_correction) {
        case RciCorrection::none:
            if (c.mean == 0.0) return missing_measure("RCI", "the mean is zero");
            factor = 1.0 / c.mean;
            break;
        case RciCorrection::wagstaff:
            if (c.mean == 0.0 || c.mean == 1.0)
                return missing_measure("RCI", "the Wagstaff correction is undefined when the bounded mean is 0 or 1");
            factor = 1.0 / (c.mean * (1.0 - c.mean));
            break;
        case RciCorrection::erreygers: factor = 4.0; break;
    }
    MeasureResult r;
    r.measure = "RCI";
    r.estimate = c.aci * factor * o.rci_scale;
    r.se = c.se * std::fabs(factor) * o.rci_scale;
    detail::normal_limits(r, r.se, detail::z_for(o.confidence));
    detail::finish(r, o);
    return r;
}

namespace detail {

// healthequal infers the scale from the largest estimate (spec §3 SII step 1); fairer's other modes
// use the table's indicator scale (spec §10.3).
inline double healthequal_scale(const PreparedTable& p) {
    const double top = *std::max_element(p.estimate.begin(), p.estimate.end());
    for (double s : {1.0, 100.0, 1000.0, 1e4, 1e5})
        if (top <= s) return s;
    return 1e6;
}

struct SlopePair {
    MeasureResult sii, rii;
};

// HEAT 6 / healthequal logistic SII and RII (spec §3 steps 1-6). n_j = ceil(N_j), counts
// c_j = round(y_j / S n_j) (half to even, as R), ranks X_j from n_j. The GLM cbind(c, n - c) ~ X
// with prior weights n_j maximises sum n_j [c_j ln pi_j + (n_j - c_j) ln(1 - pi_j)], solved by
// Newton-Raphson. HC1 sandwich V = n/(n-2) I^-1 (sum psi psi') I^-1 with I = sum n_j^2 pi(1-pi) x x',
// psi_j = n_j^2 (c_j/n_j - pi_j) x_j. p0 = expit(b0), p1 = expit(b0 + b1): SII = S (p1 - p0), its se
// (0-1 scale) by the delta method with gradient (p1(1-p1) - p0(1-p0), p1(1-p1)); RII = p1/p0 with the
// se of ln RII from gradient (p0 - p1, 1 - p1). Limits S (p1 - p0 -/+ z se), exp(ln RII -/+ z se).
// The linear variant (healthequal linear=TRUE) fits y/S on X by WLS with weights n_j, HC1 with
// psi_j = n_j e_j x_j; SII = S b1, RII = (b0 + b1)/b0.
inline SlopePair who_slope(const SubgroupTable& t, const PreparedTable& p, const HeatOptions& o, bool linear) {
    SlopePair out;
    out.sii.measure = "SII";
    out.rii.measure = "RII";
    const auto fail = [&](const std::string& why) {
        out.sii.reason = out.rii.reason = why;
        return out;
    };
    const std::string why = ordered_reason("SII", t, p);
    if (!why.empty()) {
        out.sii.reason = why;
        out.rii.reason = ordered_reason("RII", t, p);
        return out;
    }
    const std::size_t n = p.size();
    const bool all_equal = std::all_of(p.estimate.begin(), p.estimate.end(), [&](double y) { return y == p.estimate[0]; });
    if (all_equal && o.mode == HeatMode::healthequal) return fail("all estimates are equal (healthequal refuses such a table)");
    const double scale = o.mode == HeatMode::healthequal ? healthequal_scale(p) : t.scale;
    std::vector<double> trials(n), prop(n), share(n);
    double total = 0;
    for (std::size_t j = 0; j < n; ++j) {
        trials[j] = std::ceil(p.population[j]);
        total += trials[j];
    }
    if (!(total > 0)) return fail("the populations sum to zero");
    for (std::size_t j = 0; j < n; ++j) {
        share[j] = trials[j] / total;
        if (trials[j] > 0) {
            const double count = std::nearbyint(p.estimate[j] / scale * trials[j]);
            if (!linear && (count < 0 || count > trials[j]))
                return fail("estimate " + format_double(p.estimate[j]) + " of " + t.subgroup_name(p.row[j]) +
                            " implies more events than people on scale " + format_double(scale));
            prop[j] = count / trials[j];
        }
        if (linear) prop[j] = p.estimate[j] / scale;
    }
    const std::vector<double> x = midpoint_ranks(p.order, share);

    Eigen::Vector2d beta;
    Eigen::Matrix2d info = Eigen::Matrix2d::Zero();
    Eigen::Matrix2d meat = Eigen::Matrix2d::Zero();
    if (linear) {
        Eigen::Vector2d xty = Eigen::Vector2d::Zero();
        for (std::size_t j = 0; j < n; ++j) {
            const Eigen::Vector2d xj(1.0, x[j]);
            info += trials[j] * xj * xj.transpose();
            xty += trials[j] * prop[j] * xj;
        }
        beta = info.ldlt().solve(xty);
        for (std::size_t j = 0; j < n; ++j) {
            const Eigen::Vector2d xj(1.0, x[j]);
            const Eigen::Vector2d psi = trials[j] * (prop[j] - beta.dot(xj)) * xj;
            meat += psi * psi.transpose();
        }
    } else {
        // Start from a weighted least-squares fit of the empirical logits (continuity-corrected so
        // that 0 and 1 stay finite): Newton then needs two or three steps instead of five or six.
        Eigen::Matrix2d xtx = Eigen::Matrix2d::Zero();
        Eigen::Vector2d xty = Eigen::Vector2d::Zero();
        for (std::size_t j = 0; j < n; ++j) {
            const double q = (prop[j] * trials[j] + 0.5) / (trials[j] + 1.0);
            const double w = trials[j] * trials[j] * q * (1.0 - q);
            const Eigen::Vector2d xj(1.0, x[j]);
            xtx += w * xj * xj.transpose();
            xty += w * std::log(q / (1.0 - q)) * xj;
        }
        beta = xtx.ldlt().solve(xty);
        if (!beta.allFinite()) beta.setZero();
        bool converged = false;
        for (int iter = 0; iter < 100 && !converged; ++iter) {
            Eigen::Vector2d score = Eigen::Vector2d::Zero();
            info.setZero();
            for (std::size_t j = 0; j < n; ++j) {
                const Eigen::Vector2d xj(1.0, x[j]);
                const double pi = 1.0 / (1.0 + std::exp(-beta.dot(xj)));
                const double w = trials[j] * trials[j];
                score += w * (prop[j] - pi) * xj;
                info += w * pi * (1.0 - pi) * xj * xj.transpose();
            }
            const Eigen::Vector2d step = info.ldlt().solve(score);
            if (!step.allFinite()) break;
            beta += step;
            // Newton converges quadratically: after a step of size d the error is O(d^2), far below 1e-14.
            converged = step.cwiseAbs().maxCoeff() < 1e-8 * (1.0 + beta.cwiseAbs().maxCoeff());
        }
        if (!converged || !beta.allFinite()) return fail("the logistic model did not converge (all or no events at the extremes?)");
        info.setZero();
        for (std::size_t j = 0; j < n; ++j) {
            const Eigen::Vector2d xj(1.0, x[j]);
            const double pi = 1.0 / (1.0 + std::exp(-beta.dot(xj)));
            const double w = trials[j] * trials[j];
            info += w * pi * (1.0 - pi) * xj * xj.transpose();
            const Eigen::Vector2d psi = w * (prop[j] - pi) * xj;
            meat += psi * psi.transpose();
        }
    }
    const Eigen::Matrix2d bread = info.inverse();
    const Eigen::Matrix2d v = static_cast<double>(n) / static_cast<double>(n - 2) * bread * meat * bread;
    const double z = detail::z_for(o.confidence);

    if (all_equal) {
        // HEAT 6 returns 0 for a flat table; the rounding of counts would otherwise leave a tiny slope.
        out.sii.estimate = 0.0;
        out.rii.estimate = 1.0;
        out.sii.reason = out.rii.reason = "no interval: all estimates are equal";
        finish(out.sii, o);
        finish(out.rii, o);
        return out;
    }
    double p0, p1;
    Eigen::Vector2d g_sii, g_rii;
    if (linear) {
        p0 = beta(0);
        p1 = beta(0) + beta(1);
        g_sii = Eigen::Vector2d(0.0, 1.0);
        g_rii = Eigen::Vector2d(1.0 / p1 - 1.0 / p0, 1.0 / p1);
    } else {
        p0 = 1.0 / (1.0 + std::exp(-beta(0)));
        p1 = 1.0 / (1.0 + std::exp(-(beta(0) + beta(1))));
        g_sii = Eigen::Vector2d(p1 * (1.0 - p1) - p0 * (1.0 - p0), p1 * (1.0 - p1));
        g_rii = Eigen::Vector2d(p0 - p1, 1.0 - p1);
    }
    out.sii.estimate = scale * (p1 - p0);
    out.sii.se = std::sqrt(g_sii.dot(v * g_sii));
    out.sii.lower = scale * (p1 - p0 - z * out.sii.se);
    out.sii.upper = scale * (p1 - p0 + z * out.sii.se);
    if (p0 > 0 && p1 > 0) {
        out.rii.estimate = p1 / p0;
        out.rii.se = std::sqrt(g_rii.dot(v * g_rii));
        out.rii.lower = std::exp(std::log(out.rii.estimate) - z * out.rii.se);
        out.rii.upper = std::exp(std::log(out.rii.estimate) + z * out.rii.se);
    } else {
        out.rii.reason = "the fitted value at one end of the ranking is not positive";
    }
    finish(out.sii, o);
    finish(out.rii, o);
    return out;
}

// The PHE / Fingertips SII and RII (fairer/sii.hpp, phe_sii without transform, multiplier 1,
// analytic limits from the subgroups' SEs; Fieller limits for the RII). Needs 5-100 subgroups, every
// population positive and every SE present; no SE is reported (PHE gives limits only).
inline SlopePair phe_slope(const SubgroupTable& t, const PreparedTable& p, const HeatOptions& o) {
    SlopePair out;
    out.sii.measure = "SII";
    out.rii.measure = "RII";
    std::string why = ordered_reason("SII", t, p);
    if (why.empty() && (p.size() < 5 || p.size() > 100)) why = "the PHE slope index needs 5 to 100 subgroups";
    if (why.empty() && !std::all_of(p.population.begin(), p.population.end(), [](double v) { return v > 0; }))
        why = "the PHE slope index needs every population positive";
    if (why.empty() && !p.all_se) why = "the PHE slope index needs a standard error for every subgroup";
    if (!why.empty()) {
        out.sii.reason = out.rii.reason = why;
        return out;
    }
    SiiInput in;
    in.rows = p.size();
    in.population = p.population.data();
    in.value = p.estimate.data();
    in.se = p.se.data();
    in.offsets = {0, p.size()};
    SiiOptions so;
    so.method = SiiMethod::analytic;
    so.confidence = {o.confidence};
    const auto res = slope_index_of_inequality(in, so, true).front();
    out.sii.estimate = res.sii;
    out.sii.lower = res.sii_limits.front().lower;
    out.sii.upper = res.sii_limits.front().upper;
    out.rii.estimate = res.rii;
    out.rii.lower = res.rii_limits.front().lower;
    out.rii.upper = res.rii_limits.front().upper;
    out.sii.reason = out.rii.reason = "PHE method: limits without a standard error";
    finish(out.sii, o);
    finish(out.rii, o);
    return out;
}

}  // namespace detail

// SII and RII together (one model fit), by the method o.slope chooses; see detail::who_slope and
// detail::phe_slope for formulas. Sign convention of every method: most advantaged minus most
// disadvantaged (negative for an adverse indicator concentrated among the disadvantaged).
// healthequal mode infers the scale from the estimates, as healthequal does; the other modes use
// the table's scale.
inline std::pair<MeasureResult, MeasureResult> slope_and_relative_index(const SubgroupTable& t, const PreparedTable& p,
                                                                        const HeatOptions& o) {
    detail::SlopePair s;
    switch (o.slope) {
        case SlopeIndexMethod::who_logistic: s = detail::who_slope(t, p, o, false); break;
        case SlopeIndexMethod::who_linear: s = detail::who_slope(t, p, o, true); break;
        case SlopeIndexMethod::phe: s = detail::phe_slope(t, p, o); break;
    }
    return {s.sii, s.rii};
}

inline MeasureResult slope_index(const SubgroupTable& t, const PreparedTable& p, const HeatOptions& o) {
    return slope_and_relative_index(t, p, o).first;
}

inline MeasureResult relative_index(const SubgroupTable& t, const PreparedTable& p, const HeatOptions& o) {
    return slope_and_relative_index(t, p, o).second;
}

namespace detail {

// Shared by PAF and PAR (spec §5): the reference value, the truncated PAR and Walter's SE.
struct Attributable {
    double par = nan_value(), paf = nan_value(), se_paf = nan_value(), mean = nan_value();
    std::string reason;
};

inline Attributable attributable(const SubgroupTable& t, const PreparedTable& p, HeatMode mode) {
    Attributable a;
    a.reason = common_reason(p);
    if (!a.reason.empty()) return a;
    if (mode == HeatMode::healthequal && p.total <= 2) {
        a.reason = "healthequal's PAF and PAR need more than 2 subgroups";
        return a;
    }
    if (!complete_enough(p.size(), p.total)) {
        a.reason = "fewer than 85% of subgroups have an estimate";
        return a;
    }
    if (std::isnan(p.mean)) {
        a.reason = "no mean: a population is missing and there is no setting average";
        return a;
    }
    // Reference: the flagged subgroup (heat6, corrected; healthequal ignores the flag), else the
    // most advantaged (ordered) or best (non-ordered) subgroup. Ties for best: first row in input
    // order, except healthequal, which takes the largest population among them.
    std::size_t ref = 0;
    if (p.reference_flagged && mode != HeatMode::healthequal) {
        if (p.reference < 0) {
            a.reason = "the reference subgroup's estimate is missing";
            return a;
        }
        ref = static_cast<std::size_t>(p.reference);
    } else if (t.ordered) {
        double hi = -std::numeric_limits<double>::infinity();
        for (double v : t.order) hi = std::max(hi, v);
        ref = p.size() - 1;
        if (p.order[ref] != hi) {
            a.reason = "the most advantaged subgroup's estimate is missing";
            return a;
        }
    } else {
        for (std::size_t k = 1; k < p.size(); ++k) {
            const double y = p.estimate[k], b = p.estimate[ref];
            const bool better = t.favourable ? y > b : y < b;
            const bool tie_wins = mode == HeatMode::healthequal && y == b && p.population[k] > p.population[ref];
            if (better || tie_wins) ref = k;
        }
    }
    const double mu = p.mean, yref = p.estimate[ref];
    a.mean = mu;
    a.par = yref - mu;
    if ((t.favourable && a.par < 0) || (!t.favourable && a.par > 0)) a.par = 0.0;
    if (mu == 0.0) {
        a.reason = "the mean is zero";
        return a;
    }
    a.paf = 100.0 * a.par / mu;
    if (p.all_population) {
        double big_n = 0;
        for (double v : p.population) big_n += v;
        const double n_ref = p.population[ref];
        const double c = yref / t.scale * n_ref, d = n_ref - c;
        const double aa = mu / t.scale * big_n - c;
        const double b = big_n - aa - n_ref;
        const double num = c * big_n * (aa * d * (big_n - c) + b * c * c);
        const double den = std::pow(aa + c, 3) * std::pow(c + d, 3);
        a.se_paf = std::sqrt(num / den);
    }
    return a;
}

}  // namespace detail

// PAF, the population attributable fraction 100 (y_ref - mu) / mu (%), with y_ref - mu set to 0
// when it points away from improvement (favourable and negative, adverse and positive). SE:
// Walter SD, Am J Epidemiol 1978;108:174-180 (spec §5), on a 2x2 table of counts from the
// indicator scale, a proportion-scale SE se_PAF. heat6 and healthequal report se_PAF and limits
// PAF -/+ z se_PAF (~100x too narrow); corrected reports 100 se_PAF and limits PAF -/+ z 100 se_PAF.
// Limits are centred on the truncated estimate with the untruncated SE (as HM6).
inline MeasureResult population_attributable_fraction(const SubgroupTable& t, const PreparedTable& p, const HeatOptions& o) {
    const auto a = detail::attributable(t, p, o.mode);
    MeasureResult r;
    r.measure = "PAF";
    r.estimate = a.paf;
    r.reason = a.reason;
    if (std::isnan(r.estimate)) return r;
    if (std::isnan(a.se_paf) || !std::isfinite(a.se_paf)) {
        r.reason = "no interval: the standard error needs every population";
    } else {
        const double se = o.mode == HeatMode::corrected ? 100.0 * a.se_paf : a.se_paf;
        r.se = se;
        detail::normal_limits(r, se, detail::z_for(o.confidence));
    }
    detail::finish(r, o);
    return r;
}

// PAR, the population attributable risk y_ref - mu (indicator units), truncated as for PAF;
// se = mu se_PAF (TN: built from the PAF interval), limits PAR -/+ z se. All modes agree.
inline MeasureResult population_attributable_risk(const SubgroupTable& t, const PreparedTable& p, const HeatOptions& o) {
    const auto a = detail::attributable(t, p, o.mode);
    MeasureResult r;
    r.measure = "PAR";
    r.estimate = a.par;
    if (std::isnan(r.estimate)) {
        r.reason = a.reason;
        return r;
    }
    if (std::isnan(a.se_paf) || !std::isfinite(a.se_paf)) {
        r.reason = "no interval: the standard error needs every population";
    } else {
        r.se = a.mean * a.se_paf;
        detail::normal_limits(r, r.se, detail::z_for(o.confidence));
    }
    detail::finish(r, o);
    return r;
}

// The measures of this header that are named in `measures` (any of D, R, ACI, RCI, SII, RII, PAF,
// PAR; others are ignored), computed on one validated table in the order given. A measure that does
// not apply to the table's shape (spec §1 applicability) is returned missing with the reason.
inline std::vector<MeasureResult> heat_measures(const SubgroupTable& t, const PreparedTable& p,
                                                const std::vector<std::string>& measures, const HeatOptions& o) {
    std::vector<MeasureResult> out;
    out.reserve(measures.size());
    bool have_slope = false;
    std::pair<MeasureResult, MeasureResult> slope;
    for (const auto& m : measures) {
        if (m == "D") {
            out.push_back(difference(t, p, o));
        } else if (m == "R") {
            out.push_back(ratio(t, p, o));
        } else if (m == "ACI") {
            out.push_back(absolute_concentration_index(t, p, o));
        } else if (m == "RCI") {
            out.push_back(relative_concentration_index(t, p, o));
        } else if (m == "SII" || m == "RII") {
            if (!have_slope) {
                slope = slope_and_relative_index(t, p, o);
                have_slope = true;
            }
            out.push_back(m == "SII" ? slope.first : slope.second);
        } else if (m == "PAF") {
            out.push_back(population_attributable_fraction(t, p, o));
        } else if (m == "PAR") {
            out.push_back(population_attributable_risk(t, p, o));
        }
    }
    return out;
}

// Validates the table (SubgroupTable::validate) and computes the measures named.
inline std::vector<MeasureResult> heat_measures(const SubgroupTable& t, const std::vector<std::string>& measures,
                                                const HeatOptions& o = {}) {
    t.validate();
    return heat_measures(t, prepare_table(t), measures, o);
}

}  // namespace fairer
