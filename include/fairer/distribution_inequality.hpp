// Economics-style measures of how unequally an outcome is distributed (spec
// inequality-measures.md §7): Gini with Lorenz points, Atkinson, Theil T and Theil L (mean log
// deviation) with their between/within decomposition, generalised entropy, Wolfson
// bipolarisation, and the concentration index with its generalised, Wagstaff, Erreygers and
// modified (Erreygers-Van Ourti) forms.
//
// Every function takes grouped data (one row per subgroup, weight = its population) or unit-level
// data (one row per person or area, weights optional): the unweighted forms of PySAL's
// `inequality` package (pysal/inequality@0f9050ee) are the special case of equal weights.
//
// Input rules, shared by all functions:
//  * a NaN outcome, weight or rank is missing: the measure is then missing (NaN), never computed
//    from the rest silently; callers who want to drop missing rows do so explicitly;
//  * weights must be finite and >= 0 with a positive total; outcomes must be finite, and
//    non-negative for every measure except the generalised concentration index; violations throw
//    InequalityError naming the row and the value.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "fairer/confidence_intervals.hpp"
#include "fairer/detail/csv.hpp"
#include "fairer/errors.hpp"

namespace fairer {

// A read-only view of an outcome column and its optional weights (nullptr = every row weight 1).
// The data stay owned by the caller (e.g. numpy arrays handed over without copying).
struct DistributionView {
    const double* values = nullptr;
    const double* weights = nullptr;
    std::size_t size = 0;

    DistributionView() = default;
    DistributionView(const double* v, const double* w, std::size_t n) : values(v), weights(w), size(n) {}
    explicit DistributionView(const std::vector<double>& v) : values(v.data()), size(v.size()) {}
    DistributionView(const std::vector<double>& v, const std::vector<double>& w)
        : values(v.data()), weights(w.data()), size(v.size()) {
        if (w.size() != v.size())
            throw InequalityError("weights have " + std::to_string(w.size()) + " rows but the outcome has " +
                                  std::to_string(v.size()));
    }

    double weight(std::size_t i) const noexcept { return weights ? weights[i] : 1.0; }
};

// One point of a Lorenz (or concentration) curve: cumulative population share against
// cumulative outcome share.
struct LorenzPoint {
    double population_share = 0.0;
    double outcome_share = 0.0;
};

struct AtkinsonResult {
    double index = std::numeric_limits<double>::quiet_NaN();
    double ede = std::numeric_limits<double>::quiet_NaN();  // equally distributed equivalent
    double mean = std::numeric_limits<double>::quiet_NaN();
    double epsilon = 0.0;
};

// Which Theil index: T (GE(1), outcome-share weighted) or L (GE(0), mean log deviation).
enum class TheilKind { t, l };

struct TheilGroup {
    std::int64_t group = 0;
    double population_share = 0.0;
    double outcome_share = 0.0;
    double index = 0.0;  // the index within the group
};

struct TheilDecomposition {
    double total = std::numeric_limits<double>::quiet_NaN();
    double between = std::numeric_limits<double>::quiet_NaN();
    double within = std::numeric_limits<double>::quiet_NaN();
    std::vector<TheilGroup> groups;  // ascending group code
};

// The forms of the concentration index (spec §3 "RCI" and its corrections; O'Donnell et al.,
// Stata J 2016;16:112-138, table 1).
enum class ConcentrationKind {
    standard,     // C = 2 cov_w(y, R) / mu (HEAT's RCI on the 0-1 scale)
    generalized,  // GC = mu C = 2 cov_w(y, R) (HEAT's ACI)
    wagstaff,     // W = C* / (1 - mu*), y* = (y - lmin)/(lmax - lmin)   (Wagstaff 2005)
    erreygers,    // E = 4 mu* C* = 4 GC / (lmax - lmin)                   (Erreygers 2009)
    modified      // C mu / (mu - lmin)                                     (Erreygers and Van Ourti 2011)
};

struct ConcentrationOptions {
    ConcentrationKind kind = ConcentrationKind::standard;
    double lmin = std::numeric_limits<double>::quiet_NaN();  // bounds of a bounded outcome
    double lmax = std::numeric_limits<double>::quiet_NaN();
    double confidence = 0.95;
};

struct ConcentrationResult {
    double estimate = std::numeric_limits<double>::quiet_NaN();
    double se = std::numeric_limits<double>::quiet_NaN();
    double lower = std::numeric_limits<double>::quiet_NaN();
    double upper = std::numeric_limits<double>::quiet_NaN();
    double mean = std::numeric_limits<double>::quiet_NaN();
    ConcentrationKind kind = ConcentrationKind::standard;
};

inline const char* to_string(ConcentrationKind k) noexcept {
    switch (k) {
        case ConcentrationKind::generalized: return "generalized";
        case ConcentrationKind::wagstaff: return "wagstaff";
        case ConcentrationKind::erreygers: return "erreygers";
        case ConcentrationKind::modified: return "modified";
        case ConcentrationKind::standard: break;
    }
    return "standard";
}

inline ConcentrationKind parse_concentration_kind(const std::string& text) {
    if (text == "standard") return ConcentrationKind::standard;
    if (text == "generalized" || text == "generalised") return ConcentrationKind::generalized;
    if (text == "wagstaff") return ConcentrationKind::wagstaff;
    if (text == "erreygers") return ConcentrationKind::erreygers;
    if (text == "modified") return ConcentrationKind::modified;
    throw InequalityError("unknown concentration index kind '" + text +
                          "' (expected standard, generalized, wagstaff, erreygers or modified)");
}

namespace detail {

// Checks weights and outcomes; returns false when any of them is missing (NaN).
inline bool check_distribution(const DistributionView& d, const char* measure, bool non_negative) {
    if (d.size == 0) throw InequalityError(std::string(measure) + ": no rows");
    bool complete = true;
    double total = 0.0;
    for (std::size_t i = 0; i < d.size; ++i) {
        const double y = d.values[i];
        const double w = d.weight(i);
        if (std::isnan(y) || std::isnan(w)) {
            complete = false;
            continue;
        }
        if (!std::isfinite(w) || w < 0.0)
            throw InequalityError(std::string(measure) + ": weight at " + row_text(i) + " must be finite and >= 0 (value " +
                                  detail::format_double(w) + ")");
        if (!std::isfinite(y))
            throw InequalityError(std::string(measure) + ": outcome at " + row_text(i) + " is not finite (value " +
                                  detail::format_double(y) + ")");
        if (non_negative && y < 0.0)
            throw InequalityError(std::string(measure) + ": outcome at " + row_text(i) + " is negative (value " +
                                  detail::format_double(y) + "); the measure is defined for non-negative outcomes");
        total += w;
    }
    if (complete && !(total > 0.0)) throw InequalityError(std::string(measure) + ": the weights sum to zero");
    return complete;
}

inline std::vector<std::size_t> order_by(const double* key, std::size_t n) {
    std::vector<std::size_t> idx(n);
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    std::stable_sort(idx.begin(), idx.end(), [key](std::size_t a, std::size_t b) { return key[a] < key[b]; });
    return idx;
}

// Gini of outcomes y sorted ascending with weights w: G = 1 - sum_j p_j (L_j + L_{j-1}).
inline double gini_sorted(const double* y, const double* w, std::size_t n) {
    double total_w = 0.0;
    double total_y = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
        total_w += w[j];
        total_y += w[j] * y[j];
    }
    if (!(total_y > 0.0)) throw InequalityError("Gini: the outcome total is zero, so outcome shares are undefined");
    double cumulative = 0.0;
    double area = 0.0;  // sum_j p_j (L_j + L_{j-1})
    for (std::size_t j = 0; j < n; ++j) {
        const double before = cumulative;
        cumulative += w[j] * y[j];
        area += (w[j] / total_w) * (before + cumulative) / total_y;
    }
    return 1.0 - area;
}

// Rows with positive weight grouped by ascending key, ties merged: weight and weighted-outcome
// totals per distinct key. Shared by the concentration index of grouped and unit-level data.
struct RankedTotals {
    std::vector<double> weight;
    std::vector<double> weighted_outcome;
    std::vector<double> weighted_square;
};

// Turns the generalised index gc (and its standard error) into the requested form (see
// ConcentrationKind) and adds normal limits; r.mean must hold the weighted mean outcome.
inline void finish_concentration(ConcentrationResult& r, double gc, double se_gc, const ConcentrationOptions& o) {
    const double mu = r.mean;
    double factor = 1.0;
    const bool bounded = o.kind == ConcentrationKind::wagstaff || o.kind == ConcentrationKind::erreygers;
    if (bounded && !(std::isfinite(o.lmin) && std::isfinite(o.lmax) && o.lmin < o.lmax))
        throw InequalityError(std::string("concentration index: the ") + to_string(o.kind) +
                              " form needs finite bounds lmin < lmax (got lmin " + detail::format_double(o.lmin) +
                              ", lmax " + detail::format_double(o.lmax) + ")");
    switch (o.kind) {
        case ConcentrationKind::generalized: break;
        case ConcentrationKind::standard:
            if (mu == 0.0) throw InequalityError("concentration index: the mean outcome is zero, so C is undefined");
            factor = 1.0 / mu;
            break;
        case ConcentrationKind::wagstaff: {
            const double m = (mu - o.lmin) / (o.lmax - o.lmin);
            if (!(m > 0.0 && m < 1.0))
                throw InequalityError("concentration index: the Wagstaff form needs lmin < mean < lmax (mean " +
                                      detail::format_double(mu) + ")");
            factor = 1.0 / ((o.lmax - o.lmin) * m * (1.0 - m));
            break;
        }
        case ConcentrationKind::erreygers: factor = 4.0 / (o.lmax - o.lmin); break;
        case ConcentrationKind::modified:
            if (!std::isfinite(o.lmin))
                throw InequalityError("concentration index: the modified form needs a finite lower bound lmin");
            if (!(mu > o.lmin))
                throw InequalityError("concentration index: the modified form needs mean > lmin (mean " +
                                      detail::format_double(mu) + ", lmin " + detail::format_double(o.lmin) + ")");
            factor = 1.0 / (mu - o.lmin);
            break;
    }
    r.estimate = factor * gc;
    r.se = std::abs(factor) * se_gc;
    if (std::isfinite(r.se)) {
        const double z = z_value(o.confidence);
        r.lower = r.estimate - z * r.se;
        r.upper = r.estimate + z * r.se;
    }
}

// Concentration index from totals per distinct rank (ascending, most disadvantaged first).
// rows = the number of observations entering the regression standard error (its df is rows - 2);
// 0 = no standard error.
inline ConcentrationResult concentration_from_totals(const RankedTotals& t, std::size_t rows,
                                                     const ConcentrationOptions& o) {
    ConcentrationResult r;
    r.kind = o.kind;
    const std::size_t k = t.weight.size();
    double total_w = 0.0;
    double total_y = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
        total_w += t.weight[j];
        total_y += t.weighted_outcome[j];
    }
    if (!(total_w > 0.0)) throw InequalityError("concentration index: the weights sum to zero");
    const double mu = total_y / total_w;
    r.mean = mu;
    // fractional rank X_j = share below + half the own share (ties share one rank)
    std::vector<double> x(k);
    double below = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
        x[j] = (below + 0.5 * t.weight[j]) / total_w;
        below += t.weight[j];
    }
    double gc = 0.0;  // generalised index = 2 cov_w(y, X) = sum_j p_j (2 X_j - 1) ybar_j
    for (std::size_t j = 0; j < k; ++j) gc += (2.0 * x[j] - 1.0) * t.weighted_outcome[j] / total_w;

    // Weighted least squares of lhs = 2 var(X) y on X (intercept included) reproduces gc as its
    // slope; its standard error is the "convenient regression" one of HEAT 6 / healthequal /
    // Stata conindex (spec §3 ACI): se^2 = RSS_w / ((n - 2) sum w (X - 1/2)^2).
    double se_gc = std::numeric_limits<double>::quiet_NaN();
    if (rows > 2 && !t.weighted_square.empty()) {
        double sxx = 0.0;
        for (std::size_t j = 0; j < k; ++j) sxx += t.weight[j] * (x[j] - 0.5) * (x[j] - 0.5);
        const double var_x = sxx / total_w;
        const double a = 2.0 * var_x * mu - gc * 0.5;  // intercept: mean(lhs) - slope * mean(X)
        double rss = 0.0;
        for (std::size_t j = 0; j < k; ++j) {
            // sum over the rows of rank j of w (2 var_x y - a - gc X_j)^2, from their totals
            const double fitted = a + gc * x[j];
            const double c = 2.0 * var_x;
            rss += c * c * t.weighted_square[j] - 2.0 * c * fitted * t.weighted_outcome[j] +
                   fitted * fitted * t.weight[j];
        }
        if (rss < 0.0) rss = 0.0;  // cancellation when every row lies on the line
        if (sxx > 0.0) se_gc = std::sqrt(rss / (static_cast<double>(rows) - 2.0) / sxx);
    }

    finish_concentration(r, gc, se_gc, o);
    return r;
}

}  // namespace detail

// Lorenz curve: the points (cumulative population share, cumulative outcome share) after sorting
// rows by outcome ascending, starting at (0, 0); one point per row (PySAL `lorenz_curve`).
// Empty when any value is missing.
inline std::vector<LorenzPoint> lorenz_curve(const DistributionView& d) {
    if (!detail::check_distribution(d, "Lorenz curve", true)) return {};
    const auto idx = detail::order_by(d.values, d.size);
    double total_w = 0.0;
    double total_y = 0.0;
    for (std::size_t i = 0; i < d.size; ++i) {
        total_w += d.weight(i);
        total_y += d.weight(i) * d.values[i];
    }
    if (!(total_y > 0.0)) throw InequalityError("Lorenz curve: the outcome total is zero");
    std::vector<LorenzPoint> out;
    out.reserve(d.size + 1);
    out.push_back({0.0, 0.0});
    double cw = 0.0;
    double cy = 0.0;
    for (std::size_t i : idx) {
        cw += d.weight(i);
        cy += d.weight(i) * d.values[i];
        out.push_back({cw / total_w, cy / total_y});
    }
    return out;
}

// Gini coefficient. G = 1 - sum_j p_j (L_j + L_{j-1}) over rows sorted by outcome, L the
// cumulative outcome share, p_j the weight share; equals sum_ij p_i p_j |y_i - y_j| / (2 mu) and,
// unweighted, PySAL's sum_i (2i - n - 1) y_(i) / (n sum y) (no n/(n-1) small-sample factor).
// Reference: spec §7; Gini (1912). Outcomes must be non-negative with a positive total.
inline double gini(const DistributionView& d) {
    if (!detail::check_distribution(d, "Gini", true)) return std::numeric_limits<double>::quiet_NaN();
    const auto idx = detail::order_by(d.values, d.size);
    std::vector<double> y(d.size);
    std::vector<double> w(d.size);
    for (std::size_t k = 0; k < d.size; ++k) {
        y[k] = d.values[idx[k]];
        w[k] = d.weight(idx[k]);
    }
    return detail::gini_sorted(y.data(), w.data(), d.size);
}

// Atkinson index A(eps) = 1 - EDE / mu with the equally distributed equivalent
// EDE = (sum p y^(1-eps))^(1/(1-eps)) for eps != 1 and exp(sum p ln y) (the geometric mean) for
// eps = 1. Reference: Atkinson (1970) J Econ Theory 2:244-263; PySAL `atkinson`. eps >= 0;
// eps = 0 gives A = 0. A zero outcome with eps >= 1 gives EDE = 0 and A = 1 (the limit).
inline AtkinsonResult atkinson(const DistributionView& d, double epsilon) {
    if (!(epsilon >= 0.0) || !std::isfinite(epsilon))
        throw InequalityError("Atkinson: epsilon must be finite and >= 0 (value " + detail::format_double(epsilon) + ")");
    AtkinsonResult r;
    r.epsilon = epsilon;
    if (!detail::check_distribution(d, "Atkinson", true)) return r;
    double total_w = 0.0;
    double total_y = 0.0;
    double moment = 0.0;
    for (std::size_t i = 0; i < d.size; ++i) {
        const double w = d.weight(i);
        const double y = d.values[i];
        total_w += w;
        total_y += w * y;
        if (w == 0.0) continue;
        moment += epsilon == 1.0 ? w * std::log(y) : w * std::pow(y, 1.0 - epsilon);
    }
    r.mean = total_y / total_w;
    if (!(r.mean > 0.0)) throw InequalityError("Atkinson: the mean outcome is zero");
    r.ede = epsilon == 1.0 ? std::exp(moment / total_w) : std::pow(moment / total_w, 1.0 / (1.0 - epsilon));
    r.index = 1.0 - r.ede / r.mean;
    return r;
}

// Generalised entropy GE(alpha) = (sum p r^alpha - 1) / (alpha (alpha - 1)), r = y / mu, with
// GE(1) = Theil T = sum p r ln r (0 ln 0 = 0, which is what PySAL's replacement of zeros by the
// smallest double amounts to) and GE(0) = Theil L = sum p ln(1/r) (+infinity with a zero outcome).
// Reference: Shorrocks (1980) Econometrica 48:613-625; spec §7. Unscaled (HEAT's TI and MLD are
// these times 1000).
inline double generalized_entropy(const DistributionView& d, double alpha) {
    if (!std::isfinite(alpha)) throw InequalityError("generalised entropy: alpha must be finite");
    if (!detail::check_distribution(d, "generalised entropy", true)) return std::numeric_limits<double>::quiet_NaN();
    double total_w = 0.0;
    double total_y = 0.0;
    for (std::size_t i = 0; i < d.size; ++i) {
        total_w += d.weight(i);
        total_y += d.weight(i) * d.values[i];
    }
    const double mu = total_y / total_w;
    if (!(mu > 0.0)) throw InequalityError("generalised entropy: the mean outcome is zero");
    double s = 0.0;
    for (std::size_t i = 0; i < d.size; ++i) {
        const double w = d.weight(i);
        if (w == 0.0) continue;
        const double r = d.values[i] / mu;
        if (alpha == 1.0) {
            if (r > 0.0) s += w * r * std::log(r);
        } else if (alpha == 0.0) {
            s -= w * std::log(r);
        } else {
            s += w * std::pow(r, alpha);
        }
    }
    s /= total_w;
    if (alpha == 1.0 || alpha == 0.0) return s;
    return (s - 1.0) / (alpha * (alpha - 1.0));
}

// Theil T index (GE(1)); see generalized_entropy. Reference: Theil (1967); PySAL `Theil`.
inline double theil_t(const DistributionView& d) { return generalized_entropy(d, 1.0); }

// Theil L index = mean log deviation (GE(0)); see generalized_entropy.
inline double theil_l(const DistributionView& d) { return generalized_entropy(d, 0.0); }

namespace detail {

// The decomposition from per-group totals: weight W_g, outcome total Y_g and the group's own index.
// T: between = sum_g s_g ln(s_g / P_g), within = sum_g s_g T_g (s = outcome share, P = population
// share); L: between = sum_g P_g ln(P_g / s_g), within = sum_g P_g L_g. Reference: Shorrocks
// (1980); PySAL `TheilD` (T).
inline void theil_between_within(TheilDecomposition& r, TheilKind kind) {
    double between = 0.0;
    double within = 0.0;
    for (const auto& g : r.groups) {
        if (g.population_share == 0.0) continue;
        if (kind == TheilKind::t) {
            if (g.outcome_share > 0.0) {
                between += g.outcome_share * std::log(g.outcome_share / g.population_share);
                within += g.outcome_share * g.index;
            }
        } else {
            between += g.population_share * std::log(g.population_share / g.outcome_share);
            within += g.population_share * g.index;
        }
    }
    r.between = between;
    r.within = within;
    r.total = between + within;
}

}  // namespace detail

// Theil T or L with its exact additive decomposition into between-group and within-group parts
// by a group code per row (any integers). total = between + within.
inline TheilDecomposition theil_decomposition(const DistributionView& d, const std::int64_t* group, TheilKind kind) {
    TheilDecomposition r;
    if (!detail::check_distribution(d, "Theil decomposition", true)) return r;
    std::map<std::int64_t, std::vector<std::size_t>> rows;
    for (std::size_t i = 0; i < d.size; ++i) rows[group[i]].push_back(i);
    double total_w = 0.0;
    double total_y = 0.0;
    for (std::size_t i = 0; i < d.size; ++i) {
        total_w += d.weight(i);
        total_y += d.weight(i) * d.values[i];
    }
    if (!(total_y > 0.0)) throw InequalityError("Theil decomposition: the mean outcome is zero");
    for (const auto& [code, members] : rows) {
        std::vector<double> y;
        std::vector<double> w;
        y.reserve(members.size());
        w.reserve(members.size());
        double gw = 0.0;
        double gy = 0.0;
        for (std::size_t i : members) {
            y.push_back(d.values[i]);
            w.push_back(d.weight(i));
            gw += d.weight(i);
            gy += d.weight(i) * d.values[i];
        }
        TheilGroup g;
        g.group = code;
        g.population_share = gw / total_w;
        g.outcome_share = gy / total_y;
        // a group without outcome (all zeros) or without weight contributes nothing to T
        if (gw > 0.0 && gy > 0.0) {
            g.index = generalized_entropy(DistributionView(y.data(), w.data(), y.size()), kind == TheilKind::t ? 1.0 : 0.0);
        } else if (gw > 0.0 && kind == TheilKind::l) {
            g.index = std::numeric_limits<double>::infinity();
        }
        r.groups.push_back(g);
    }
    detail::theil_between_within(r, kind);
    return r;
}

// Wolfson bipolarisation index W = (2 (0.5 - L(0.5)) - G) mu / median, with L(0.5) the Lorenz
// curve interpolated linearly at half the population and the weighted median (the mean of the two
// middle values when the cumulative weight reaches exactly one half). Reference: Wolfson (1994)
// Am Econ Rev 84:353-358; PySAL `wolfson`.
inline double wolfson(const DistributionView& d) {
    if (!detail::check_distribution(d, "Wolfson", true)) return std::numeric_limits<double>::quiet_NaN();
    const auto idx = detail::order_by(d.values, d.size);
    std::vector<double> y(d.size);
    std::vector<double> w(d.size);
    double total_w = 0.0;
    double total_y = 0.0;
    for (std::size_t k = 0; k < d.size; ++k) {
        y[k] = d.values[idx[k]];
        w[k] = d.weight(idx[k]);
        total_w += w[k];
        total_y += w[k] * y[k];
    }
    const double g = detail::gini_sorted(y.data(), w.data(), d.size);
    double half_share = 0.0;
    double median = std::numeric_limits<double>::quiet_NaN();
    double cw = 0.0;
    double cy = 0.0;
    for (std::size_t k = 0; k < d.size; ++k) {
        if (w[k] == 0.0) continue;
        const double pw = cw;
        const double py = cy;
        cw += w[k];
        cy += w[k] * y[k];
        if (2.0 * cw >= total_w) {
            const double t = (0.5 * total_w - pw) / w[k];
            half_share = (py + t * (cy - py)) / total_y;
            if (2.0 * cw == total_w) {
                std::size_t next = k + 1;
                while (next < d.size && w[next] == 0.0) ++next;
                median = next < d.size ? 0.5 * (y[k] + y[next]) : y[k];
            } else {
                median = y[k];
            }
            break;
        }
    }
    if (!(median > 0.0)) throw InequalityError("Wolfson: the median outcome is zero");
    const double mu = total_y / total_w;
    return (2.0 * (0.5 - half_share) - g) * mu / median;
}

// Concentration index of outcome y over a socioeconomic rank (any numbers; lower = more
// disadvantaged, HEAT's order 1 first). Rows are ranked by fractional rank
// X_j = (weight below + half the row's weight) / total weight; tied ranks share one fractional
// rank, as in HEAT, healthequal and Stata conindex. The forms (see ConcentrationKind):
//   generalized GC = sum_j p_j (2 X_j - 1) y_j = 2 cov_w(y, X)
//   standard C = GC / mu;  wagstaff GC / ((lmax - lmin) mu* (1 - mu*));
//   erreygers 4 GC / (lmax - lmin);  modified GC / (mu - lmin)
// with mu* = (mu - lmin)/(lmax - lmin). Positive = concentrated among the advantaged.
// se: the weighted-regression standard error of HEAT 6 / healthequal / conindex (spec §3, df =
// rows - 2, weights = the given weights as frequency weights; NaN with fewer than 3 rows);
// limits estimate -/+ z se. The bounded forms need every outcome within [lmin, lmax].
// Reference: Kakwani, Wagstaff, van Doorslaer (1997) J Econometrics 77:87-103; O'Donnell et al.
// (2016) Stata J 16:112-138.
inline ConcentrationResult concentration_index(const DistributionView& d, const double* rank,
                                               const ConcentrationOptions& o = {}) {
    ConcentrationResult r;
    r.kind = o.kind;
    const bool non_negative = o.kind == ConcentrationKind::standard;
    if (d.size == 0) throw InequalityError("concentration index: no rows");
    bool complete = true;
    for (std::size_t i = 0; i < d.size; ++i)
        if (std::isnan(rank[i])) complete = false;
    if (!detail::check_distribution(d, "concentration index", non_negative) || !complete) return r;
    const bool bounded = o.kind == ConcentrationKind::wagstaff || o.kind == ConcentrationKind::erreygers;
    for (std::size_t i = 0; i < d.size; ++i) {
        if (!std::isfinite(rank[i]))
            throw InequalityError("concentration index: rank at " + detail::row_text(i) + " is not finite (value " +
                                  detail::format_double(rank[i]) + ")");
        if (bounded && std::isfinite(o.lmin) && std::isfinite(o.lmax) &&
            (d.values[i] < o.lmin || d.values[i] > o.lmax))
            throw InequalityError("concentration index: outcome at " + detail::row_text(i) + " (value " +
                                  detail::format_double(d.values[i]) + ") lies outside the bounds [" + detail::format_double(o.lmin) +
                                  ", " + detail::format_double(o.lmax) + "]");
    }
    const auto idx = detail::order_by(rank, d.size);
    detail::RankedTotals t;
    std::size_t rows = 0;
    double last_rank = 0.0;
    for (std::size_t i : idx) {
        const double w = d.weight(i);
        if (w == 0.0) continue;
        ++rows;
        const double y = d.values[i];
        const bool tied = !t.weight.empty() && rank[i] == last_rank;
        last_rank = rank[i];
        if (tied) {
            t.weight.back() += w;
            t.weighted_outcome.back() += w * y;
            t.weighted_square.back() += w * y * y;
        } else {
            t.weight.push_back(w);
            t.weighted_outcome.push_back(w * y);
            t.weighted_square.push_back(w * y * y);
        }
    }
    return detail::concentration_from_totals(t, rows, o);
}


// Concentration index of survey microdata with a design-based standard error: the same estimate as
// concentration_index (weights = the survey weights; tied ranks share one fractional rank), its
// standard error by Taylor linearisation of the weighted regression of lhs = 2 var(X) y on (1, X)
// over a stratified design whose primary sampling units (PSUs) are taken as sampled with
// replacement within each stratum (Binder 1983, Int Stat Rev 51:279-292; what R's survey::svyglm
// reports, and so healthequal's aci()/rci() with psu= and strata=):
//   V = A^-1 B A^-1,  A = sum_i w_i z_i z_i',  z_i = (1, X_i),  u_i = w_i e_i z_i (e the residual),
//   B = sum_h n_h / (n_h - 1) sum_j (U_hj - mean_h U)(U_hj - mean_h U)',  U_hj = sum of u_i in PSU j,
// n_h = PSUs in stratum h; se(GC) = sqrt(V_11), scaled like the estimate for the other forms;
// limits estimate -/+ z se (normal). The ranks and var(X) are treated as fixed, as svyglm does.
// strata may be null (one stratum). A stratum with a single PSU throws InequalityError naming it
// (survey's default lonely-PSU rule, "fail"); missing values give a missing result.
inline ConcentrationResult concentration_index_survey(const DistributionView& d, const double* rank,
                                                      const std::int64_t* strata, const std::int64_t* psu,
                                                      const ConcentrationOptions& o = {}) {
    ConcentrationResult r;
    r.kind = o.kind;
    if (d.size == 0) throw InequalityError("survey concentration index: no rows");
    bool complete = true;
    for (std::size_t i = 0; i < d.size; ++i)
        if (std::isnan(rank[i])) complete = false;
    if (!detail::check_distribution(d, "survey concentration index", o.kind == ConcentrationKind::standard) || !complete)
        return r;
    for (std::size_t i = 0; i < d.size; ++i)
        if (!std::isfinite(rank[i]))
            throw InequalityError("survey concentration index: rank at " + detail::row_text(i) + " is not finite (value " +
                                  detail::format_double(rank[i]) + ")");
    const bool bounded = o.kind == ConcentrationKind::wagstaff || o.kind == ConcentrationKind::erreygers;
    const auto idx = detail::order_by(rank, d.size);
    double total_w = 0.0;
    double total_wy = 0.0;
    for (std::size_t i = 0; i < d.size; ++i) {
        total_w += d.weight(i);
        total_wy += d.weight(i) * d.values[i];
        if (bounded && std::isfinite(o.lmin) && std::isfinite(o.lmax) && (d.values[i] < o.lmin || d.values[i] > o.lmax))
            throw InequalityError("survey concentration index: outcome at " + detail::row_text(i) + " (value " +
                                  detail::format_double(d.values[i]) + ") lies outside the bounds [" +
                                  detail::format_double(o.lmin) + ", " + detail::format_double(o.lmax) + "]");
    }
    if (!(total_w > 0.0)) throw InequalityError("survey concentration index: the weights sum to zero");
    r.mean = total_wy / total_w;
    // fractional ranks, ties sharing the midpoint of their block
    std::vector<double> x(d.size);
    double below = 0.0;
    for (std::size_t k = 0; k < d.size;) {
        std::size_t end = k;
        double block = 0.0;
        while (end < d.size && rank[idx[end]] == rank[idx[k]]) block += d.weight(idx[end++]);
        for (std::size_t m = k; m < end; ++m) x[idx[m]] = (below + 0.5 * block) / total_w;
        below += block;
        k = end;
    }
    double mean_x = 0.0;
    for (std::size_t i = 0; i < d.size; ++i) mean_x += d.weight(i) * x[i] / total_w;
    double sxx = 0.0;
    double sxy = 0.0;
    for (std::size_t i = 0; i < d.size; ++i) {
        sxx += d.weight(i) * (x[i] - mean_x) * (x[i] - mean_x);
        sxy += d.weight(i) * (x[i] - mean_x) * (d.values[i] - r.mean);
    }
    const double var_x = sxx / total_w;
    const double gc = 2.0 * sxy / total_w;  // the slope of lhs on X: 2 var(X) sxy / sxx
    const double intercept = 2.0 * var_x * r.mean - gc * mean_x;
    // per-PSU score totals, PSUs within strata (ordered maps: the sums do not depend on row order)
    std::map<std::int64_t, std::map<std::int64_t, std::pair<double, double>>> scores;
    double a00 = 0.0;
    double a01 = 0.0;
    double a11 = 0.0;
    for (std::size_t i = 0; i < d.size; ++i) {
        const double w = d.weight(i);
        const double e = 2.0 * var_x * d.values[i] - intercept - gc * x[i];
        auto& u = scores[strata ? strata[i] : 0][psu[i]];
        u.first += w * e;
        u.second += w * e * x[i];
        a00 += w;
        a01 += w * x[i];
        a11 += w * x[i] * x[i];
    }
    double b00 = 0.0;
    double b01 = 0.0;
    double b11 = 0.0;
    for (const auto& [stratum, units] : scores) {
        const auto n = static_cast<double>(units.size());
        if (units.size() < 2)
            throw InequalityError("survey concentration index: stratum " + std::to_string(stratum) +
                                  " has a single PSU, so its variance contribution is undefined");
        double m0 = 0.0;
        double m1 = 0.0;
        for (const auto& [unit, u] : units) {
            m0 += u.first / n;
            m1 += u.second / n;
        }
        const double f = n / (n - 1.0);
        for (const auto& [unit, u] : units) {
            b00 += f * (u.first - m0) * (u.first - m0);
            b01 += f * (u.first - m0) * (u.second - m1);
            b11 += f * (u.second - m1) * (u.second - m1);
        }
    }
    // second row of A^-1 = (-a01, a00) / det; V_11 = row B row'
    const double det = a00 * a11 - a01 * a01;
    const double g0 = -a01 / det;
    const double g1 = a00 / det;
    const double v11 = g0 * g0 * b00 + 2.0 * g0 * g1 * b01 + g1 * g1 * b11;
    detail::finish_concentration(r, gc, std::sqrt(v11), o);
    return r;
}

}  // namespace fairer
