// Need indices for the allocation engine (specification allocation.md §4): the positive
// per-unit index N_i that scales a unit's population in a weighted funding formula.
//
// Every function here is a single method with its formula and reference. Errors are
// fairer::AllocationError with the specification's codes (E4 bad index, E5 bad weights, E6 a
// parameter out of range, E9 a zero-variance indicator, E10 an impossible calibration), naming
// the offending units by id when the caller passes ids (else by 0-based row).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "fairer/detail/allocation_numerics.hpp"
#include "fairer/errors.hpp"

namespace fairer {

using ConstSpan = detail::Span<double>;

// Shape of a group gradient (§4.4).
enum class GradientShape { linear, geometric };

// How a composite z-score S is mapped to a positive need index (§4.2).
enum class CompositeTransform { exp, linear, rank_exp };

// IoD 2019 domain weights (MHCLG, English Indices of Deprivation 2019 Technical Report, table
// 3.1): income, employment, education, health, crime, barriers to housing and services, living
// environment. They sum to 0.999 as published; IoD 2025 reportedly keeps them.
inline constexpr std::array<double, 7> iod_domain_weights{0.225, 0.225, 0.135, 0.135, 0.093, 0.093, 0.093};

// The IoD exponential transformation (Noble et al., English Indices of Deprivation 2019
// Technical Report, §3.6): X = −23·ln(1 − R·(1 − e^(−100/23))) for a rank fraction R in [0, 1]
// (R = 1 most deprived). It maps R = 1 to 100 and R = 0 to 0, stretching the deprived tail so
// that a domain cannot be fully compensated by another.
inline double imd_exponential_transform(double rank_fraction) {
    if (!(rank_fraction >= 0.0 && rank_fraction <= 1.0))
        throw AllocationError("E6", "IMD transform: rank fraction " + detail::format_number(rank_fraction) +
                                        " is outside [0, 1]");
    return -23.0 * std::log1p(-rank_fraction * -std::expm1(-100.0 / 23.0));
}

// The transform of a rank among m units (rank 1 = most deprived): R = (m − rank + 1)/m (§4.3).
inline double imd_rank_transform(double rank, double m) {
    if (!(m >= 1.0) || !(rank >= 1.0 && rank <= m))
        throw AllocationError("E6", "IMD transform: rank " + detail::format_number(rank) + " is outside 1.." +
                                        detail::format_number(m));
    return imd_exponential_transform((m - rank + 1.0) / m);
}

// Ranks with rank 1 for the largest value (the most deprived / highest need); tied values share
// the average of the ranks they span, so the result does not depend on row order. NaN values
// get an error E4 naming the unit.
inline std::vector<double> average_ranks(ConstSpan values, const std::vector<std::string>* ids = nullptr) {
    const std::size_t n = values.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = 0; i < n; ++i)
        if (std::isnan(values[i]))
            throw AllocationError("E4", "cannot rank a missing value for unit " + detail::unit_name(ids, i),
                                  {detail::unit_name(ids, i)});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] > values[b]; });
    std::vector<double> ranks(n);
    for (std::size_t start = 0; start < n;) {
        std::size_t end = start + 1;
        while (end < n && values[order[end]] == values[order[start]]) ++end;
        const double avg = 0.5 * static_cast<double>(start + 1 + end);
        for (std::size_t k = start; k < end; ++k) ranks[order[k]] = avg;
        start = end;
    }
    return ranks;
}

// The IMD-style combination of domain ranks (§4.3): IMDlike_i = Σ_d ω_d X(R_di), where R_di is
// the rank fraction of unit i in domain d among m units (m = the national count when the ranks
// are national, e.g. 32,844 LSOAs for IoD 2019). Defaults: the IoD weights used as published
// (sum 0.999); renormalise = true divides by Σω. domain_ranks[d][i] is the rank of unit i.
inline std::vector<double> imd_combine(const std::vector<ConstSpan>& domain_ranks, double m,
                                       ConstSpan weights = ConstSpan(iod_domain_weights.data(), iod_domain_weights.size()),
                                       bool renormalise = false, const std::vector<std::string>* ids = nullptr) {
    if (domain_ranks.empty() || weights.size() != domain_ranks.size())
        throw AllocationError("E5", "IMD combination: " + std::to_string(domain_ranks.size()) + " domains but " +
                                        std::to_string(weights.size()) + " weights");
    double total = 0.0;
    for (double w : weights) {
        if (!(w >= 0.0) || !std::isfinite(w))
            throw AllocationError("E5", "IMD combination: domain weight " + detail::format_number(w) + " is negative");
        total += w;
    }
    if (!(total > 0.0)) throw AllocationError("E5", "IMD combination: domain weights sum to 0");
    const double scale = renormalise ? 1.0 / total : 1.0;
    const std::size_t n = domain_ranks.front().size();
    std::vector<double> out(n, 0.0);
    for (std::size_t d = 0; d < domain_ranks.size(); ++d) {
        if (domain_ranks[d].size() != n) throw AllocationError("E1", "IMD combination: domain columns differ in length");
        for (std::size_t i = 0; i < n; ++i) {
            const double r = domain_ranks[d][i];
            if (!(r >= 1.0 && r <= m))
                throw AllocationError("E4", "IMD combination: domain " + std::to_string(d + 1) + " rank " +
                                                detail::format_number(r) + " of unit " + detail::unit_name(ids, i) +
                                                " is outside 1.." + detail::format_number(m),
                                      {detail::unit_name(ids, i)});
            out[i] += weights[d] * scale * imd_rank_transform(r, m);
        }
    }
    return out;
}

// Group gradient weights (§4.4) for groups g = 1 (highest need) .. G (lowest):
//   linear     w_g = w_low + (w_high − w_low)·(G − g)/(G − 1)
//   geometric  w_g = w_low·(w_high/w_low)^((G − g)/(G − 1))
// e.g. deprivation deciles weighted 2.0 down to 1.0 (w_low = 1, w_high = 2), or the ACRA 2012
// public-health SMR groups with top = 3 × bottom. Element g−1 of the result is w_g.
inline std::vector<double> gradient_weights(int groups, double w_low, double w_high,
                                            GradientShape shape = GradientShape::linear) {
    if (groups < 2) throw AllocationError("E6", "group gradient needs at least 2 groups, got " + std::to_string(groups));
    if (!(w_low > 0.0) || !(w_high > 0.0) || !std::isfinite(w_low) || !std::isfinite(w_high))
        throw AllocationError("E6", "group gradient weights must be positive and finite (w_low " +
                                        detail::format_number(w_low) + ", w_high " + detail::format_number(w_high) + ")");
    std::vector<double> w(static_cast<std::size_t>(groups));
    const double span = static_cast<double>(groups - 1);
    for (int g = 1; g <= groups; ++g) {
        const double t = static_cast<double>(groups - g) / span;
        w[static_cast<std::size_t>(g - 1)] =
            shape == GradientShape::linear ? w_low + (w_high - w_low) * t : w_low * std::pow(w_high / w_low, t);
    }
    return w;
}

namespace detail {

// ΣP and the largest P of a population column. The allocation engine knows both before the need
// steps, which then bound a population-weighted sum Σ P_i·v_i by largest·max|v| instead of
// scanning for its largest term (reproducible_sums_below).
struct PopulationSummary {
    double total = 0.0;
    double largest = std::numeric_limits<double>::infinity();  // +inf: not known
};

// The summary of a population column, for the building blocks called alone (total_population is
// ΣP if the caller already has it).
inline PopulationSummary summarise_population(ConstSpan population, std::optional<double> total_population) {
    PopulationSummary pop;
    pop.largest = largest_magnitude(population.data(), population.size());
    pop.total = total_population ? *total_population
                                 : reproducible_sum_below(population.size(), pop.largest,
                                                          [&](std::size_t i) { return population[i]; });
    return pop;
}

// A bound on |fl(a·b)| for |a| ≤ a_max and |b| ≤ b_max: a rounded product is monotone in each
// factor; the margin covers bounds that are themselves rounded (an exponential, a quotient).
inline double product_bound(double a_max, double b_max) { return a_max * b_max * (1.0 + 0x1p-40); }

// What one pass over a column found: whether every value is finite, and if so their range.
struct ColumnScan {
    bool finite = true;
    double low = std::numeric_limits<double>::infinity();
    double high = -std::numeric_limits<double>::infinity();
    double largest() const { return std::max(std::fabs(low), std::fabs(high)); }  // max |x| when finite
    void add(const double* x, std::size_t n) { reproducible::block_range(x, n, low, high, finite); }
    void add(const ColumnScan& other) {
        finite = finite && other.finite;
        low = std::min(low, other.low);
        high = std::max(high, other.high);
    }
};

// Scans of n rows of each column, in one pass over the rows (one fork-join for all the columns).
inline std::vector<ColumnScan> scan_columns(const std::vector<ConstSpan>& columns, std::size_t n) {
    const std::size_t K = columns.size();
    const std::size_t chunks = chunk_count(n, kParallelGrain);
    std::vector<ColumnScan> parts(chunks * K);
    parallel_chunks(chunks, [&](std::size_t c) {
        const auto [begin, end] = chunk_range(n, chunks, c);
        for (std::size_t k = 0; k < K; ++k) parts[c * K + k].add(columns[k].data() + begin, end - begin);
    });
    std::vector<ColumnScan> scans(K);
    for (std::size_t c = 0; c < chunks; ++c)
        for (std::size_t k = 0; k < K; ++k) scans[k].add(parts[c * K + k]);
    return scans;
}

// The largest value of a column that must be finite and non-negative (a population, money), from
// one scan; bad receives the ids of the units where it is not, for the caller's error.
inline double largest_non_negative(ConstSpan x, const std::vector<std::string>& ids, std::vector<std::string>& bad) {
    const ColumnScan scan = scan_columns({x}, x.size()).front();
    if (!scan.finite || scan.low < 0.0) bad = ids_of(ids, failing_rows<negative_or_not_finite>(x.data(), x.size()));
    return x.empty() ? 0.0 : scan.high;
}

// The range of a column of scores, and whether every score is finite (if not, the range means
// nothing).
struct ScoreRange {
    double low = 0.0;
    double high = 0.0;
    bool finite = false;
};

// composite_score (below) given what the caller already knows: the population's summary, and
// scans of the indicator columns (empty: scanned here). range, if given, receives the scores'
// range, found in the pass that computes them.
inline std::vector<double> composite_score_with(ConstSpan population, PopulationSummary pop,
                                                const std::vector<ConstSpan>& indicators, std::vector<ColumnScan> scans,
                                                const std::vector<int>& directions, ConstSpan weights, bool normalise,
                                                const std::vector<std::string>* ids, const std::vector<std::string>* names,
                                                ScoreRange* range) {
    const std::size_t K = indicators.size();
    const std::size_t n = population.size();
    auto name_of = [&](std::size_t k) {
        return names != nullptr && k < names->size() ? (*names)[k] : "indicator " + std::to_string(k + 1);
    };
    if (K == 0) throw AllocationError("E6", "composite need index needs at least one indicator");
    if (directions.size() != K || weights.size() != K)
        throw AllocationError("E5", "composite need index: " + std::to_string(K) + " indicators but " +
                                        std::to_string(directions.size()) + " directions and " +
                                        std::to_string(weights.size()) + " weights");
    ExactSum wsum;
    for (std::size_t k = 0; k < K; ++k) {
        if (!(weights[k] >= 0.0) || !std::isfinite(weights[k]))
            throw AllocationError("E5", "composite need index: weight " + format_number(weights[k]) + " of " +
                                            name_of(k) + " is negative or not finite");
        if (directions[k] != 1 && directions[k] != -1)
            throw AllocationError("E6", "composite need index: direction of " + name_of(k) + " must be +1 or -1");
        wsum.add(weights[k]);
    }
    const double wtotal = wsum.value();
    if (!(wtotal > 0.0)) throw AllocationError("E5", "composite need index: indicator weights sum to 0");
    if (!normalise && std::fabs(wtotal - 1.0) > 1e-9)
        throw AllocationError("E5", "composite need index: indicator weights sum to " + format_number(wtotal) +
                                        ", not 1 (set normalise_weights to rescale them)");
    const double ptotal = pop.total;
    if (!(ptotal > 0.0)) throw AllocationError("E3", "composite need index: total population is 0");
    // The indicators share every pass (and its fork-join): one scan, one pass for the means, one
    // for the variances (each population-weighted sum bounded from the scans, so that it needs
    // no pass of its own to find its largest term), one for the scores. Errors keep the order
    // of a loop over the indicators: the first indicator of the wrong length or with a bad value
    // stops the loop, after the earlier indicators' zero-variance checks.
    std::size_t usable = 0;  // indicators before the first of the wrong length
    while (usable < K && indicators[usable].size() == n) ++usable;
    if (scans.size() != usable)
        scans = scan_columns(
            std::vector<ConstSpan>(indicators.begin(), indicators.begin() + static_cast<std::ptrdiff_t>(usable)), n);
    std::size_t good = usable;  // indicators before the first that stops the loop
    for (std::size_t k = 0; k < usable && good == usable; ++k)
        if (!scans[k].finite) good = k;
    const std::size_t M = std::min(good, kMaxSums);
    std::vector<double> mean(good);
    std::vector<double> sd(good);
    for (std::size_t first = 0; first < good; first += M) {
        const std::size_t count = std::min(M, good - first);
        std::vector<const double*> columns(count);
        double bound[kMaxSums];
        for (std::size_t k = 0; k < count; ++k) {
            columns[k] = indicators[first + k].data();
            bound[k] = product_bound(pop.largest, scans[first + k].largest());
        }
        const double* const* cols = columns.data();
        const double* p = population.data();
        reproducible_sums_below(n, count, bound, [cols, p](std::size_t k, std::size_t i) { return p[i] * cols[k][i]; },
                                mean.data() + first);
        for (std::size_t k = first; k < first + count; ++k) mean[k] /= ptotal;
        const double* m = mean.data() + first;
        for (std::size_t k = 0; k < count; ++k) {
            const ColumnScan& scan = scans[first + k];
            const double d = std::max(std::fabs(scan.high - m[k]), std::fabs(scan.low - m[k]));  // ≥ |x − m|
            bound[k] = product_bound(product_bound(pop.largest, d), d);
        }
        const auto squared_deviation = [cols, p, m](std::size_t k, std::size_t i) {
            return p[i] * (cols[k][i] - m[k]) * (cols[k][i] - m[k]);
        };
        reproducible_sums_below(n, count, bound, squared_deviation, sd.data() + first);
        for (std::size_t k = first; k < first + count; ++k) sd[k] = std::sqrt(sd[k] / ptotal);
    }
    for (std::size_t k = 0; k < good; ++k)
        if (!(sd[k] > 0.0) || sd[k] <= 1e-12 * std::max(1.0, std::fabs(mean[k])))
            throw AllocationError("E9", "composite need index: " + name_of(k) +
                                            " has zero population-weighted variance, so it cannot be z-scored");
    if (good < usable) {
        const ConstSpan x = indicators[good];
        const auto bad = failing_rows<not_finite>(x.data(), n);
        const std::string unit = unit_name(ids, bad.front());
        throw AllocationError("E4", "composite need index: " + name_of(good) + " is missing or not finite for unit " + unit,
                              {unit});
    }
    if (usable < K) throw AllocationError("E1", "composite need index: " + name_of(usable) + " has the wrong length");
    std::vector<double> factor(K);
    for (std::size_t k = 0; k < K; ++k) factor[k] = directions[k] * (weights[k] / wtotal) / sd[k];
    std::vector<double> score(n);
    const std::size_t chunks = chunk_count(n, kParallelGrain);
    std::vector<ColumnScan> score_parts(chunks);
    parallel_chunks(chunks, [&](std::size_t c) {
        const auto [begin, end] = chunk_range(n, chunks, c);
        double* const s = score.data();
        for (std::size_t k = 0; k < K; ++k) {
            const double* const x = indicators[k].data();
            const double f = factor[k];
            const double m = mean[k];
            if (k == 0)
                for (std::size_t i = begin; i < end; ++i) s[i] = f * (x[i] - m) + 0.0;  // + 0.0: as if added to 0
            else
                for (std::size_t i = begin; i < end; ++i) s[i] += f * (x[i] - m);
        }
        if (range != nullptr) score_parts[c].add(s + begin, end - begin);
    });
    if (range != nullptr) {
        ColumnScan all;
        for (const ColumnScan& part : score_parts) all.add(part);
        *range = {all.low, all.high, all.finite};
    }
    return score;
}

}  // namespace detail

// Population-weighted composite z-score (§4.2):
//   m_k = mean_P(x_k),  s_k = sqrt(mean_P((x_k − m_k)²))   (ddof 0)
//   z_ik = d_k (x_ik − m_k)/s_k,   S_i = Σ_k w_k z_ik       (so mean_P(S) = 0)
// directions d_k are +1 (higher value = more need) or −1; weights w_k ≥ 0 must sum to 1 within
// 1e-9 (E5) unless normalise is true. A zero standard deviation is error E9; a missing value E4
// (impute before calling if a policy allows it). total_population is ΣP if the caller already has
// it (the allocation engine does), else it is summed here.
inline std::vector<double> composite_score(ConstSpan population, const std::vector<ConstSpan>& indicators,
                                           const std::vector<int>& directions, ConstSpan weights,
                                           bool normalise = false, const std::vector<std::string>* ids = nullptr,
                                           const std::vector<std::string>* names = nullptr,
                                           std::optional<double> total_population = std::nullopt) {
    const detail::PopulationSummary pop = detail::summarise_population(population, total_population);
    return detail::composite_score_with(population, pop, indicators, {}, directions, weights, normalise, ids, names, nullptr);
}

// β for the exponential map calibrated to a max/min need ratio ρ (§4.2): β = ln ρ/(S_max − S_min).
// Error E10 if S_max = S_min, E6 if ρ < 1, E4 naming the first row whose score is not finite.
namespace detail {
inline void check_need_ratio(double ratio) {
    if (!(ratio >= 1.0) || !std::isfinite(ratio))
        throw AllocationError("E6", "need ratio rho " + format_number(ratio) + " must be at least 1");
}

// calibrate_exponent for finite scores in [smin, smax].
inline double exponent_for_range(double smin, double smax, double ratio) {
    if (!(smax > smin))
        throw AllocationError("E10", "cannot calibrate the need ratio: every unit has the same composite score");
    return std::log(ratio) / (smax - smin);
}
}  // namespace detail

inline double calibrate_exponent(ConstSpan score, double ratio) {
    detail::check_need_ratio(ratio);
    if (score.empty()) throw AllocationError("E1", "no units");
    const std::size_t n = score.size();
    const detail::ColumnScan scan = detail::scan_columns({score}, n).front();
    if (!scan.finite) {
        const auto bad = detail::failing_rows<detail::not_finite>(score.data(), n);
        throw AllocationError("E4", "cannot calibrate the need ratio: composite score of row " + std::to_string(bad.front()) +
                                        " is not finite");
    }
    return detail::exponent_for_range(scan.low, scan.high, ratio);
}

namespace detail {
// exp_need_index's work on the scores in place, given the population's summary and the largest
// score (the engine found both in earlier passes, so the sum ΣP·exp(βS) is bounded by
// largest P·exp(β·S_max) instead of being scanned for its largest term). Returns a bound on the
// largest need index.
inline double exp_need_in_place(std::vector<double>& score, ConstSpan population, double beta, PopulationSummary pop,
                                double score_high) {
    if (!(beta >= 0.0) || !std::isfinite(beta))
        throw AllocationError("E6", "exponential need index: beta " + format_number(beta) + " must be >= 0");
    const std::size_t n = score.size();
    double* out = score.data();
    for_each_unit(n, [out, beta](std::size_t i) { out[i] = std::exp(beta * out[i]); });
    if (!(pop.total > 0.0)) throw AllocationError("E3", "exponential need index: total population is 0");
    // exp is monotone to within an ulp, which product_bound's margin covers
    const double largest_exp = std::exp(beta * score_high);
    const double weighted = reproducible_sum_below(n, product_bound(pop.largest, largest_exp),
                                                   [&](std::size_t i) { return population[i] * out[i]; });
    const double mean = weighted / pop.total;
    for_each_unit(n, [out, mean](std::size_t i) { out[i] /= mean; });
    return product_bound(largest_exp, 1.0 / mean);
}
}  // namespace detail

// Exponential need index (§4.2, the default map): N_i = exp(β S_i)/mean_P(exp(β S)), β ≥ 0, so
// that mean_P(N) = 1 and max N/min N = exp(β (S_max − S_min)). total_population as in
// composite_score. This overload takes the scores by value and maps them in place.
inline std::vector<double> exp_need_index(std::vector<double> score, ConstSpan population, double beta,
                                          std::optional<double> total_population = std::nullopt) {
    const std::size_t n = score.size();
    const detail::PopulationSummary pop = detail::summarise_population(population, total_population);
    const detail::ColumnScan scan = detail::scan_columns({ConstSpan(score)}, n).front();
    detail::exp_need_in_place(score, population, beta, pop,
                              scan.finite && n > 0 ? scan.high : std::numeric_limits<double>::infinity());
    return score;
}

inline std::vector<double> exp_need_index(ConstSpan score, ConstSpan population, double beta,
                                          std::optional<double> total_population = std::nullopt) {
    return exp_need_index(std::vector<double>(score.begin(), score.end()), population, beta, total_population);
}

// Linear need index (§4.2): N_i = 1 + λ S_i; error E4 naming the units where N_i ≤ 0.
inline std::vector<double> linear_need_index(ConstSpan score, double slope, const std::vector<std::string>* ids = nullptr) {
    if (!std::isfinite(slope)) throw AllocationError("E6", "linear need index: slope must be finite");
    std::vector<double> out(score.size());
    std::vector<std::string> bad;
    for (std::size_t i = 0; i < score.size(); ++i) {
        out[i] = 1.0 + slope * score[i];
        if (!(out[i] > 0.0)) bad.push_back(detail::unit_name(ids, i));
    }
    if (!bad.empty())
        throw AllocationError("E4", "linear need index 1 + " + detail::format_number(slope) +
                                        "*S is not positive for " + detail::list_units(bad),
                              bad);
    return out;
}

// IMD-style rank transform of a score (§4.2 rank_exp, §4.3): rank 1 = highest score among the n
// units (ties averaged), then X = IMD exponential transform of R = (n − rank + 1)/n, floored at
// epsilon (default 1e-6) because the least-needy unit's X can be ≈ 0. floored receives the rows
// raised to epsilon, so they can be reported.
inline std::vector<double> rank_exp_need_index(ConstSpan score, double epsilon = 1e-6,
                                               std::vector<std::size_t>* floored = nullptr,
                                               const std::vector<std::string>* ids = nullptr) {
    const auto ranks = average_ranks(score, ids);
    const double m = static_cast<double>(score.size());
    std::vector<double> out(ranks.size());
    for (std::size_t i = 0; i < ranks.size(); ++i) {
        out[i] = imd_rank_transform(ranks[i], m);
        if (out[i] < epsilon) {
            out[i] = epsilon;
            if (floored != nullptr) floored->push_back(i);
        }
    }
    return out;
}

// Power need index (§4.5): N_i = x_i^γ for a positive indicator x (e.g. SMR/100), γ > 0;
// γ = 1 is "proportional". Error E4 naming the units with x ≤ 0 or missing.
inline std::vector<double> power_need_index(ConstSpan x, double gamma, const std::vector<std::string>* ids = nullptr) {
    if (!(gamma > 0.0) || !std::isfinite(gamma))
        throw AllocationError("E6", "power need index: exponent " + detail::format_number(gamma) + " must be > 0");
    std::vector<double> out(x.size());
    std::vector<std::string> bad;
    for (std::size_t i = 0; i < x.size(); ++i) {
        out[i] = std::pow(x[i], gamma);
        if (!(x[i] > 0.0) || !std::isfinite(out[i])) bad.push_back(detail::unit_name(ids, i));
    }
    if (!bad.empty())
        throw AllocationError("E4", "power need index: indicator must be positive and finite; it is not for " +
                                        detail::list_units(bad),
                              bad);
    return out;
}

}  // namespace fairer
