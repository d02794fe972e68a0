// The slope index of inequality (SII) and relative index of inequality (RII) across deprivation
// quantiles, as OHID computes them for Fingertips (R package PHEindicatormethods 2.1.0, phe_sii,
// restated in specs/indicator-methods.md §8), with simulated confidence limits and, where the
// statistic is linear in the inputs, exact analytic limits.
//
// Reference: Low A, Low A. Measuring the gap: quantifying and comparing local health
// inequalities. Journal of Public Health 2004;26:388-395.
//
// Model, per group of Q quantiles in ascending order (quantile 1 = most deprived):
//   a_k = pop_k / sum(pop)                         population share
//   b_k = sum_{j<k} a_j + a_k / 2                  relative rank (mid-point of cumulative share)
//   regress sqrt(a_k) V_k on sqrt(a_k) and b_k sqrt(a_k) without intercept (weighted least
//   squares with weights a_k): coefficients (alpha, beta) = W V with
//   W = (X'X)^-1 X' diag(sqrt a),  X = [sqrt a, b sqrt a];
//   alpha is the fitted value at rank 0 and beta the slope (the SII before the multiplier).
// The link T (identity, log, logit for value_type normal, rate, proportion) and its inverse g
// set the scale: V = g(T(Y)) = Y without transform, V = T(Y) with transform.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <Eigen/Dense>

#include "fairer/confidence_intervals.hpp"
#include "fairer/detail/csv.hpp"
#include "fairer/detail/xoshiro.hpp"
#include "fairer/detail/ziggurat.hpp"
#include "fairer/errors.hpp"

namespace fairer {

// The package's value_type: 0 = other (normal), 1 = rate, 2 = proportion.
enum class SiiValueType : int { normal = 0, rate = 1, proportion = 2 };

enum class SiiMethod {
    simulation,  // the package's Monte Carlo limits (seeded; not R's random stream)
    analytic     // exact limits where the statistic is linear in the inputs (see sii_analytic_limits)
};

struct SiiOptions {
    SiiValueType value_type = SiiValueType::normal;
    bool transform = false;           // regress on the log / logit scale (rate / proportion only)
    double multiplier = 1.0;          // scales the SII; negative inverts the RII
    std::size_t repetitions = 100000; // simulation draws per group; at least 1000
    std::vector<double> confidence{0.95};  // any number of levels; fractions or percentages (>= 90)
    bool reliability = false;         // 10 blocks of draws; mean absolute difference of the limits
    SiiMethod method = SiiMethod::simulation;
    std::uint64_t seed = 0;           // with the group's position, fixes each group's random stream
    std::size_t threads = 1;          // worker threads over groups; 0 = one per hardware thread
    // Called after each group as progress(groups done, groups in total), from a worker thread, one
    // call at a time.
    std::function<void(std::size_t, std::size_t)> progress;
};

// Flat columns, one row per (group, quantile), the rows of each group contiguous and in ascending
// quantile order. Unused columns are nullptr. value may be replaced by count for proportions
// (value = count / population); se (on the link scale) may be replaced by lower_cl and upper_cl
// (95% limits, on the value scale).
struct SiiInput {
    std::size_t rows = 0;
    const double* population = nullptr;
    const double* value = nullptr;
    const double* count = nullptr;
    const double* se = nullptr;
    const double* lower_cl = nullptr;
    const double* upper_cl = nullptr;
    std::vector<std::size_t> offsets;       // group g is rows [offsets[g], offsets[g + 1])
    std::vector<std::string> group_labels;  // optional, names the groups in error messages
    std::vector<std::int64_t> row_ids;      // optional, the caller's row numbers for messages
};

struct SiiGroupResult {
    double sii = std::numeric_limits<double>::quiet_NaN();
    double rii = std::numeric_limits<double>::quiet_NaN();
    double intercept = std::numeric_limits<double>::quiet_NaN();
    std::vector<Interval> sii_limits;  // one per confidence level, in the order given
    std::vector<Interval> rii_limits;
    std::vector<double> sii_mad;       // reliability statistic per level (empty unless requested)
    std::vector<double> rii_mad;
};

namespace detail {

inline std::string sii_group_name(const SiiInput& in, std::size_t g) {
    if (g < in.group_labels.size() && !in.group_labels[g].empty()) return "group '" + in.group_labels[g] + "'";
    return "group " + std::to_string(g + 1);
}

inline std::string sii_where(const SiiInput& in, std::size_t g, std::size_t row) {
    const std::string r = row < in.row_ids.size() ? std::to_string(in.row_ids[row]) : std::to_string(row);
    return sii_group_name(in, g) + ", row " + r;
}

// Numbers in messages: shortest round-trip text, with NaN spelt out.
inline std::string sii_number(double v) { return std::isnan(v) ? std::string("NaN") : format_double(v); }

inline double sii_link(SiiValueType t, double y) {
    switch (t) {
        case SiiValueType::rate: return std::log(y);
        case SiiValueType::proportion: return std::log(y / (1.0 - y));
        default: return y;
    }
}

inline double sii_inverse_link(SiiValueType t, double y) {
    switch (t) {
        case SiiValueType::rate: return std::exp(y);
        case SiiValueType::proportion: {
            // e^y / (1 + e^y), written so that neither branch overflows (the package's form gives
            // NaN beyond y = 709, which a wide simulated draw can reach).
            if (y >= 0.0) return 1.0 / (1.0 + std::exp(-y));
            const double e = std::exp(y);
            return e / (1.0 + e);
        }
        default: return y;
    }
}

// One group prepared for fitting: the regression weights W (2 x Q) and the inputs on the link
// scale.
struct SiiGroup {
    Eigen::Matrix<double, 2, Eigen::Dynamic> w;
    Eigen::VectorXd t;   // T(Y_k)
    Eigen::VectorXd se;  // standard error of T(Y_k)
    bool complete = true;  // false when a value or standard error is missing (NaN results)
};

// 1-based positions of the package's order statistics for level c: round(R (1 - cv)) and
// round(R cv), cv = c + (1 - c) / 2, R's round-half-even.
inline std::pair<std::size_t, std::size_t> sii_positions(std::size_t reps, double c) {
    const double cv = c + (1.0 - c) / 2.0;
    const double r = static_cast<double>(reps);
    return {static_cast<std::size_t>(std::nearbyint(r * (1.0 - cv))), static_cast<std::size_t>(std::nearbyint(r * cv))};
}

// The k-th smallest (1-based) of v[begin, end), reordering that range.
inline double order_statistic_full(std::vector<double>& v, std::size_t begin, std::size_t end, std::size_t k) {
    auto first = v.begin() + static_cast<std::ptrdiff_t>(begin);
    auto nth = first + static_cast<std::ptrdiff_t>(k - 1);
    std::nth_element(first, nth, v.begin() + static_cast<std::ptrdiff_t>(end));
    return *nth;
}

// The k-th smallest (1-based) of v[begin, end) for each k in ks (the same values as
// order_statistic_full), found faster for the tail positions the limits need: a sorted sample of
// 2,048 evenly spaced draws (the draws are independent, so any spacing is a random sample)
// brackets each k-th value between two sample values about 4 binomial standard deviations either
// side; one pass counts the draws below each bracket and collects those inside it, and only those
// small sets are partially sorted. If a bracket misses (probability about 1e-4) the whole range
// is partially sorted instead.
inline std::vector<double> order_statistics(std::vector<double>& v, std::size_t begin, std::size_t end,
                                            const std::vector<std::size_t>& ks) {
    const std::size_t n = end - begin;
    constexpr std::size_t m = 2048;
    std::vector<double> out(ks.size());
    if (n < 8 * m) {
        for (std::size_t j = 0; j < ks.size(); ++j) out[j] = order_statistic_full(v, begin, end, ks[j]);
        return out;
    }
    std::vector<double> sample(m);
    const std::size_t stride = n / m;
    for (std::size_t i = 0; i < m; ++i) sample[i] = v[begin + i * stride];
    std::sort(sample.begin(), sample.end());
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> lo(ks.size()), hi(ks.size());
    std::vector<std::size_t> below(ks.size(), 0);
    std::vector<std::vector<double>> inside(ks.size());
    for (std::size_t j = 0; j < ks.size(); ++j) {
        const double p = static_cast<double>(ks[j]) / static_cast<double>(n);
        const double spread = 4.0 * std::sqrt(static_cast<double>(m) * p * (1.0 - p)) + 2.0;
        const double centre = p * static_cast<double>(m);
        lo[j] = centre - spread < 0.0 ? -inf : sample[static_cast<std::size_t>(centre - spread)];
        hi[j] = centre + spread >= static_cast<double>(m - 1) ? inf : sample[static_cast<std::size_t>(centre + spread)];
    }
    for (std::size_t i = begin; i < end; ++i) {
        const double x = v[i];
        for (std::size_t j = 0; j < ks.size(); ++j) {
            if (x < lo[j]) {
                ++below[j];
            } else if (x <= hi[j]) {
                inside[j].push_back(x);
            }
        }
    }
    for (std::size_t j = 0; j < ks.size(); ++j) {
        const std::size_t k = ks[j];
        if (k <= below[j] || k > below[j] + inside[j].size()) {
            out[j] = order_statistic_full(v, begin, end, k);
        } else {
            auto nth = inside[j].begin() + static_cast<std::ptrdiff_t>(k - below[j] - 1);
            std::nth_element(inside[j].begin(), nth, inside[j].end());
            out[j] = *nth;
        }
    }
    return out;
}

}  // namespace detail

// The package's confidence rule for phe_sii (spec §0.1): any number of levels, each a fraction in
// [0.9, 1] or a percentage in [90, 100] (checked over the whole vector as the package does, so a
// mix such as {0.95, 95} is rejected). Returns fractions. fairer also rejects a level of 100%,
// which has no simulated limit (the package returns a malformed interval).
inline std::vector<double> sii_confidence_levels(const std::vector<double>& confidence) {
    if (confidence.empty()) throw InequalityError("at least one confidence level is required");
    bool below = false, above_one = false, below_90 = false, above_100 = false;
    for (double c : confidence) {
        if (std::isnan(c)) throw InequalityError("all confidence levels must be between 90 and 100 or between 0.9 and 1");
        below = below || c < 0.9;
        above_one = above_one || c > 1.0;
        below_90 = below_90 || c < 90.0;
        above_100 = above_100 || c > 100.0;
    }
    if (below || (above_one && below_90) || above_100)
        throw InequalityError("all confidence levels must be between 90 and 100 or between 0.9 and 1");
    std::vector<double> out;
    for (double c : confidence) {
        const double f = c >= 90.0 ? c / 100.0 : c;
        if (f >= 1.0) throw InequalityError("a 100% confidence level has no finite SII limits; use a level below 100%");
        out.push_back(f);
    }
    return out;
}

// Checks the options in the package's order (spec §8, errors 4-10). Throws InequalityError.
inline void check_sii_options(const SiiOptions& o, bool has_se) {
    const int vt = static_cast<int>(o.value_type);
    if (vt < 0 || vt > 2) throw InequalityError("value_type should be 0, 1 or 2");
    if (!std::isfinite(o.multiplier)) throw InequalityError("multiplier must be a finite number");
    if (o.repetitions < 1000) throw InequalityError("number of repetitions must be 1000 or greater. Default is 100,000");
    if (o.transform && o.value_type == SiiValueType::normal)
        throw InequalityError("value_type should be 1 or 2 when transform is true");
    if (o.transform && has_se) throw InequalityError("function phe_sii requires se to be missing when transform is true");
    const auto levels = sii_confidence_levels(o.confidence);
    if (o.method == SiiMethod::simulation) {
        for (double c : levels) {
            if (detail::sii_positions(o.repetitions, c).first < 1)
                throw InequalityError("too few repetitions (" + std::to_string(o.repetitions) + ") for a " +
                                      detail::format_double(c * 100.0) + "% confidence interval");
        }
    } else {
        if (o.value_type != SiiValueType::normal && !o.transform)
            throw InequalityError("analytic limits need an SII that is linear in the inputs: value_type 0, or transform "
                                  "true for rates and proportions; use the simulation method");
        if (o.reliability) throw InequalityError("the reliability statistic applies to simulated limits only");
    }
}

// Population shares and relative ranks (the package's FindXValues): a_k = pop_k / sum(pop),
// b_k = sum_{j<k} a_j + a_k / 2.
inline void sii_relative_ranks(const double* population, std::size_t q, std::vector<double>& a, std::vector<double>& b) {
    double total = 0.0;
    for (std::size_t k = 0; k < q; ++k) total += population[k];
    a.resize(q);
    b.resize(q);
    double cum = 0.0;
    for (std::size_t k = 0; k < q; ++k) {
        a[k] = population[k] / total;
        b[k] = a[k] / 2.0 + cum;
        cum += a[k];
    }
}

// The regression weights W = (X'X)^-1 X' diag(sqrt a), X = [sqrt a, b sqrt a], so that the
// weighted least-squares coefficients (alpha, beta) of V are W V. Since sum(a) = 1,
// X'X = [[1, sum a b], [sum a b, sum a b^2]].
inline Eigen::Matrix<double, 2, Eigen::Dynamic> sii_weights(const std::vector<double>& a, const std::vector<double>& b) {
    const auto q = static_cast<Eigen::Index>(a.size());
    Eigen::Matrix<double, 2, Eigen::Dynamic> xt(2, q);
    for (Eigen::Index k = 0; k < q; ++k) {
        const double s = std::sqrt(a[static_cast<std::size_t>(k)]);
        xt(0, k) = s;
        xt(1, k) = b[static_cast<std::size_t>(k)] * s;
    }
    const Eigen::Matrix2d xtx = xt * xt.transpose();
    Eigen::Matrix<double, 2, Eigen::Dynamic> w = xtx.inverse() * xt;
    for (Eigen::Index k = 0; k < q; ++k) w.col(k) *= xt(0, k);
    return w;
}

// Point estimates from the coefficients (spec §8):
//   without transform: sii = m beta, rii = (alpha + beta) / alpha, intercept = alpha (the
//     package does not multiply it: copied);
//   with transform: x1 = alpha + beta, sii = (g(x1) - g(alpha)) m, rii = g(x1) / g(alpha),
//     intercept = g(alpha) |m|;
//   rii is inverted when m < 0.
inline void sii_point(double alpha, double beta, const SiiOptions& o, SiiGroupResult& r) {
    const double m = o.multiplier;
    if (!o.transform) {
        r.sii = m * beta;
        r.rii = (alpha + beta) / alpha;
        r.intercept = alpha;
    } else {
        const double g0 = detail::sii_inverse_link(o.value_type, alpha);
        const double g1 = detail::sii_inverse_link(o.value_type, alpha + beta);
        r.sii = (g1 - g0) * m;
        r.rii = g1 / g0;
        r.intercept = g0 * std::fabs(m);
    }
    if (m < 0) r.rii = 1.0 / r.rii;
}

// Limits from link-scale slope limits when transform is true (spec §8 step 6): with
// mid = alpha + beta / 2, a slope b gives intercept mid - b/2 and end point mid + b/2, so
// sii = (g(mid + b/2) - g(mid - b/2)) m and rii = g(mid + b/2) / g(mid - b/2). When m < 1 for a
// rate (copied quirk: 0 < m < 1 included) or m < 0 for a proportion the limits are swapped and
// the RII limits inverted.
inline void sii_transformed_limits(double mid, double beta_lo, double beta_hi, const SiiOptions& o, Interval& sii,
                                   Interval& rii) {
    const auto g = [&](double y) { return detail::sii_inverse_link(o.value_type, y); };
    const double m = o.multiplier;
    const double lo0 = g(mid - beta_lo / 2.0), lo1 = g(mid + beta_lo / 2.0);
    const double hi0 = g(mid - beta_hi / 2.0), hi1 = g(mid + beta_hi / 2.0);
    sii = {(lo1 - lo0) * m, (hi1 - hi0) * m};
    rii = {lo1 / lo0, hi1 / hi0};
    const bool swap = (o.value_type == SiiValueType::rate && m < 1.0) || (o.value_type == SiiValueType::proportion && m < 0.0);
    if (swap) {
        sii = {sii.upper, sii.lower};
        rii = {1.0 / rii.upper, 1.0 / rii.lower};
    }
}

// Exact analytic limits, for an SII linear in the inputs: value_type normal without transform,
// or a rate / proportion with transform (the slope on the link scale). The inputs V_k are
// independent normals with standard errors se_k, so the coefficients are exactly bivariate normal:
//   (alpha, beta) ~ N(W V, W diag(se^2) W'),  var(beta) = sum_k W_{1k}^2 se_k^2,
// and the limits are beta +/- z sd(beta), z = Phi^-1((1 + c) / 2), times m (sorted when m < 0) or,
// with transform, mapped as in sii_transformed_limits. These are the limits the simulation
// converges to as the repetitions grow. The RII without transform is 1 + beta / alpha; its limits
// are Fieller's (Fieller EC, J R Stat Soc Suppl 1940;7:1-64): the roots q of
//   (alpha q - beta)^2 = z^2 (v_bb - 2 q v_ab + q^2 v_aa),
// which are also the exact quantiles of 1 + beta_r / alpha_r whenever alpha_r > 0 (a ratio
// quantile q satisfies P(beta_r - q alpha_r <= 0) = p). When alpha^2 <= z^2 v_aa the Fieller
// set is unbounded and the RII limits are NaN.
inline void sii_analytic_limits(const detail::SiiGroup& grp, double alpha, double beta, const std::vector<double>& levels,
                                const SiiOptions& o, SiiGroupResult& r) {
    const Eigen::VectorXd var = grp.se.array().square();
    const double v_aa = (grp.w.row(0).array().square() * var.transpose().array()).sum();
    const double v_bb = (grp.w.row(1).array().square() * var.transpose().array()).sum();
    const double v_ab = (grp.w.row(0).array() * grp.w.row(1).array() * var.transpose().array()).sum();
    const double m = o.multiplier;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (double c : levels) {
        const double z = z_value(c);
        const double lo = beta - z * std::sqrt(v_bb), hi = beta + z * std::sqrt(v_bb);
        Interval s{}, ri{};
        if (o.transform) {
            sii_transformed_limits(alpha + beta / 2.0, lo, hi, o, s, ri);
        } else {
            s = m < 0 ? Interval{m * hi, m * lo} : Interval{m * lo, m * hi};
            const double qa = alpha * alpha - z * z * v_aa;
            const double qb = alpha * beta - z * z * v_ab;
            const double qc = beta * beta - z * z * v_bb;
            const double disc = qb * qb - qa * qc;
            if (qa > 0 && disc >= 0) {
                ri = {1.0 + (qb - std::sqrt(disc)) / qa, 1.0 + (qb + std::sqrt(disc)) / qa};
                if (m < 0) ri = {1.0 / ri.upper, 1.0 / ri.lower};
            } else {
                ri = {nan, nan};
            }
        }
        r.sii_limits.push_back(s);
        r.rii_limits.push_back(ri);
    }
}

// Simulated limits (the package's SimulationFunc, spec §8): R replicates per group, each drawing
// V_k from N(T_k, se_k) (then g applied when value_type is rate or proportion without
// transform), fitting (alpha_r, beta_r) = W V_r and recording SII_r = beta_r (times m without
// transform) and RII_r = (alpha_r + beta_r) / alpha_r (inverted when m < 0 without transform).
// The limits are the order statistics at positions round(R (1 - cv)) and round(R cv). With
// transform they come from the link-scale slope quantiles (sii_transformed_limits).
// Draws: xoshiro256++ keyed by (seed, group position), so each group has its own reproducible
// stream whatever the other groups; normals by the ziggurat method. This is not R's stream, so
// the limits agree with the package's within Monte Carlo error only.
// With reliability, 10 R replicates form 10 blocks of R; the limits are block 1's and the
// reliability statistic is the mean of the 18 absolute differences between blocks 2-10 and
// block 1 (lower and upper limits), on the scale of the reported limits.
inline void sii_simulated_limits(const detail::SiiGroup& grp, double alpha, double beta, const std::vector<double>& levels,
                                 const SiiOptions& o, bool want_rii, std::size_t group_position,
                                 const detail::ZigguratNormal& normal, std::vector<double>& sii_draws,
                                 std::vector<double>& rii_draws, SiiGroupResult& r) {
    const std::size_t q = static_cast<std::size_t>(grp.t.size());
    const std::size_t blocks = o.reliability ? 10 : 1;
    const std::size_t reps = o.repetitions;
    const std::size_t total = reps * blocks;
    detail::Xoshiro256pp engine{o.seed, static_cast<std::uint64_t>(group_position)};

    const bool linear = o.transform || o.value_type == SiiValueType::normal;
    const bool rii_draws_needed = want_rii && !o.transform;
    const double m = o.multiplier;
    sii_draws.resize(total);
    if (rii_draws_needed) rii_draws.resize(total);

    // Linear case: (alpha_r, beta_r) = (alpha, beta) + sum_k W_k se_k z_k, so scale W once.
    std::vector<double> w0(q), w1(q), t(q), se(q);
    for (std::size_t k = 0; k < q; ++k) {
        const auto kk = static_cast<Eigen::Index>(k);
        t[k] = grp.t(kk);
        se[k] = grp.se(kk);
        w0[k] = linear ? grp.w(0, kk) * se[k] : grp.w(0, kk);
        w1[k] = linear ? grp.w(1, kk) * se[k] : grp.w(1, kk);
    }
    const double sii_scale = o.transform ? 1.0 : m;
    for (std::size_t i = 0; i < total; ++i) {
        double ar, br;
        if (linear) {
            ar = alpha;
            br = beta;
            for (std::size_t k = 0; k < q; ++k) {
                const double z = normal(engine);
                ar += w0[k] * z;
                br += w1[k] * z;
            }
        } else {
            ar = 0.0;
            br = 0.0;
            for (std::size_t k = 0; k < q; ++k) {
                const double v = detail::sii_inverse_link(o.value_type, t[k] + se[k] * normal(engine));
                ar += w0[k] * v;
                br += w1[k] * v;
            }
        }
        sii_draws[i] = br * sii_scale;
        if (rii_draws_needed) {
            const double ratio = (ar + br) / ar;
            rii_draws[i] = m < 0 ? 1.0 / ratio : ratio;
        }
    }

    const double mid = alpha + beta / 2.0;
    std::vector<std::size_t> ks;
    for (double c : levels) {
        const auto pos = detail::sii_positions(reps, c);
        ks.push_back(pos.first);
        ks.push_back(pos.second);
    }
    // sii_stats[bl][2l], [2l+1]: block bl's lower and upper order statistics for level l.
    std::vector<std::vector<double>> sii_stats(blocks), rii_stats(blocks);
    for (std::size_t bl = 0; bl < blocks; ++bl) {
        sii_stats[bl] = detail::order_statistics(sii_draws, bl * reps, (bl + 1) * reps, ks);
        if (rii_draws_needed) rii_stats[bl] = detail::order_statistics(rii_draws, bl * reps, (bl + 1) * reps, ks);
    }
    for (std::size_t l = 0; l < levels.size(); ++l) {
        std::vector<Interval> sii_block(blocks), rii_block(blocks);
        for (std::size_t bl = 0; bl < blocks; ++bl) {
            Interval s{sii_stats[bl][2 * l], sii_stats[bl][2 * l + 1]};
            Interval ri{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
            if (o.transform) {
                sii_transformed_limits(mid, s.lower, s.upper, o, s, ri);
            } else if (rii_draws_needed) {
                ri = {rii_stats[bl][2 * l], rii_stats[bl][2 * l + 1]};
            }
            sii_block[bl] = s;
            rii_block[bl] = ri;
        }
        r.sii_limits.push_back(sii_block[0]);
        r.rii_limits.push_back(rii_block[0]);
        if (o.reliability) {
            const auto mad = [](const std::vector<Interval>& v) {
                double sum = 0.0;
                for (std::size_t bl = 1; bl < v.size(); ++bl)
                    sum += std::fabs(v[bl].lower - v[0].lower) + std::fabs(v[bl].upper - v[0].upper);
                return sum / static_cast<double>(2 * (v.size() - 1));
            };
            r.sii_mad.push_back(mad(sii_block));
            r.rii_mad.push_back(want_rii ? mad(rii_block) : std::numeric_limits<double>::quiet_NaN());
        }
    }
}

// Checks the rows in the package's order (spec §8, errors 12-15) and prepares each group.
// Throws InequalityError naming the group and row.
inline std::vector<detail::SiiGroup> prepare_sii_groups(const SiiInput& in, const SiiOptions& o) {
    if (in.population == nullptr) throw InequalityError("function phe_sii requires the arguments: data, quantile, population");
    if (in.value == nullptr && !(in.count != nullptr && o.value_type == SiiValueType::proportion))
        throw InequalityError("function phe_sii requires value field, or x field if indicator is a proportion of population");
    const bool has_se = in.se != nullptr;
    const bool has_cl = in.lower_cl != nullptr && in.upper_cl != nullptr;
    if (!has_se && !has_cl) throw InequalityError("function phe_sii requires either lower_cl and upper_cl fields, or se field");
    check_sii_options(o, has_se);
    if (in.offsets.empty() || in.offsets.front() != 0 || in.offsets.back() != in.rows)
        throw InequalityError("group offsets must start at 0 and end at the number of rows (" + std::to_string(in.rows) + ")");
    const std::size_t groups = in.offsets.size() - 1;
    std::vector<std::size_t> group_of(in.rows);
    for (std::size_t g = 0; g < groups; ++g) {
        if (in.offsets[g + 1] < in.offsets[g]) throw InequalityError("group offsets must not decrease");
        for (std::size_t i = in.offsets[g]; i < in.offsets[g + 1]; ++i) group_of[i] = g;
    }
    const auto fail = [&](std::size_t i, const std::string& msg, double v) {
        throw InequalityError(msg + " (" + detail::sii_where(in, group_of[i], i) + ": " + detail::sii_number(v) + ")");
    };
    for (std::size_t i = 0; i < in.rows; ++i)
        if (!(in.population[i] > 0.0) || !std::isfinite(in.population[i]))
            fail(i, "some groups have a zero, negative or missing population", in.population[i]);
    if (has_se)
        for (std::size_t i = 0; i < in.rows; ++i)
            if (!(in.se[i] >= 0.0) || !std::isfinite(in.se[i])) fail(i, "negative or missing standard errors in input dataset", in.se[i]);
    if (has_cl)
        for (std::size_t i = 0; i < in.rows; ++i) {
            if (std::isnan(in.lower_cl[i])) fail(i, "missing lower or upper confidence limits in input dataset", in.lower_cl[i]);
            if (std::isnan(in.upper_cl[i])) fail(i, "missing lower or upper confidence limits in input dataset", in.upper_cl[i]);
        }
    if (o.value_type == SiiValueType::proportion) {
        if (in.value != nullptr)
            for (std::size_t i = 0; i < in.rows; ++i)
                if (in.value[i] < 0.0 || in.value[i] > 1.0) fail(i, "value proportions are not all between 0 and 1", in.value[i]);
        if (has_cl)
            for (std::size_t i = 0; i < in.rows; ++i) {
                if (in.lower_cl[i] < 0.0 || in.lower_cl[i] > 1.0)
                    fail(i, "confidence limit proportions are not all between 0 and 1", in.lower_cl[i]);
                if (in.upper_cl[i] < 0.0 || in.upper_cl[i] > 1.0)
                    fail(i, "confidence limit proportions are not all between 0 and 1", in.upper_cl[i]);
            }
        if (in.value == nullptr)
            for (std::size_t i = 0; i < in.rows; ++i)
                if (in.count[i] <= 0.0) fail(i, "some groups have a zero or negative count x", in.count[i]);
    }

    // The standard error from 95% limits uses z = Phi^-1(0.975) whatever the confidence argument
    // (copied: the limits the package expects as input are 95% limits).
    const double z95 = z_value(0.95);
    std::vector<detail::SiiGroup> out(groups);
    std::vector<double> a, b;
    for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t begin = in.offsets[g], q = in.offsets[g + 1] - begin;
        if (q < 5 || q > 100)
            throw InequalityError("Number of quantiles must be between 5 and 100 (" + detail::sii_group_name(in, g) + " has " +
                                  std::to_string(q) + ")");
        sii_relative_ranks(in.population + begin, q, a, b);
        detail::SiiGroup& grp = out[g];
        grp.w = sii_weights(a, b);
        grp.t.resize(static_cast<Eigen::Index>(q));
        grp.se.resize(static_cast<Eigen::Index>(q));
        for (std::size_t k = 0; k < q; ++k) {
            const std::size_t i = begin + k;
            const double y = in.value != nullptr ? in.value[i] : in.count[i] / in.population[i];
            const double t = detail::sii_link(o.value_type, y);
            const double se = has_se ? in.se[i]
                                     : (detail::sii_link(o.value_type, in.upper_cl[i]) -
                                        detail::sii_link(o.value_type, in.lower_cl[i])) / z95 / 2.0;
            grp.t(static_cast<Eigen::Index>(k)) = t;
            grp.se(static_cast<Eigen::Index>(k)) = se;
            if (!std::isfinite(t) || !std::isfinite(se)) grp.complete = false;
        }
    }
    return out;
}

// The SII, RII and intercept with confidence limits for every group (phe_sii, spec §8). Groups
// with a missing or infinite value (e.g. a rate of 0 on the log scale) give NaN results; fairer
// does not drop the row and refit as R's lm would. Groups are shared among o.threads worker
// threads (0 = one per hardware thread); each group's random stream depends only on the seed and
// the group's position, so the results do not depend on the number of threads. Throws
// InequalityError for bad input, and rethrows an exception thrown by the progress callback.
inline std::vector<SiiGroupResult> slope_index_of_inequality(const SiiInput& in, const SiiOptions& o, bool want_rii = true) {
    const auto groups = prepare_sii_groups(in, o);
    const auto levels = sii_confidence_levels(o.confidence);
    std::vector<SiiGroupResult> out(groups.size());
    const detail::ZigguratNormal normal;
    const double nan = std::numeric_limits<double>::quiet_NaN();

    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex progress_mutex;
    std::size_t done = 0;
    std::exception_ptr failure;
    const auto work = [&]() {
        std::vector<double> sii_draws, rii_draws;
        for (std::size_t g = next++; g < groups.size() && !stop; g = next++) {
            const auto& grp = groups[g];
            SiiGroupResult& r = out[g];
            if (!grp.complete) {
                r.sii_limits.assign(levels.size(), Interval{nan, nan});
                r.rii_limits.assign(levels.size(), Interval{nan, nan});
                if (o.reliability) {
                    r.sii_mad.assign(levels.size(), nan);
                    r.rii_mad.assign(levels.size(), nan);
                }
            } else {
                Eigen::VectorXd v = grp.t;
                if (!o.transform) v = v.unaryExpr([&](double y) { return detail::sii_inverse_link(o.value_type, y); });
                const Eigen::Vector2d coef = grp.w * v;
                sii_point(coef(0), coef(1), o, r);
                if (o.method == SiiMethod::analytic)
                    sii_analytic_limits(grp, coef(0), coef(1), levels, o, r);
                else
                    sii_simulated_limits(grp, coef(0), coef(1), levels, o, want_rii, g, normal, sii_draws, rii_draws, r);
            }
            if (o.progress) {
                const std::lock_guard<std::mutex> lock(progress_mutex);
                try {
                    o.progress(++done, groups.size());
                } catch (...) {
                    if (!failure) failure = std::current_exception();
                    stop = true;
                }
            }
        }
    };
    std::size_t threads = o.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : o.threads;
    // Analytic limits take microseconds per group: threads would cost more than they save.
    if (o.method == SiiMethod::analytic) threads = 1;
    threads = std::min(threads, std::max<std::size_t>(groups.size(), 1));
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
    return out;
}

}  // namespace fairer
