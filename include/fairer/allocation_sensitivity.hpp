// Sensitivity of an allocation to its weights and need values: Monte Carlo with the portable
// random stream of specs/allocation.md §10, so that C++, Python (fairer.allocation_analysis) and
// any other language reproduce the same draws for the same seed.
//
// What is perturbed and recomputed (spec §10.2, §5): the blend of a universal share α and C
// need-weighted components, optionally with unavoidable-cost factors:
//   b_i = α P_i/ΣP + (1 − α) Σ_c π'_c P_i N'_ci / Σ_j P_j N'_cj,   A_i = T · C_i b_i / Σ_j C_j b_j
// (without cost factors A_i = T b_i). Pace of change, bounds and rounding are not applied in the
// draws (the spec switches rounding off; pace and bounds are left out here, see the issue note).
//
// Per draw the stream supplies, in this order:
//   1. one uniform u_c per component:  π'_c = π_c exp(σ(2u_c − 1)) / Σ_k π_k exp(σ(2u_k − 1));
//   2. when need_sigma τ > 0, one standard normal z per (unit, component), unit-major, each from two
//      uniforms by the Box–Muller cosine branch z = sqrt(−2 ln(1 − u1)) cos(2π u2); the need value
//      becomes N'_ci = N_ci exp(τ z) (log-normal, so it stays positive and τ is a relative error).
// Draw d therefore starts at position d·k of the stream, k = C (+ 2nC with need noise); because
// splitmix64 can jump to any position in O(1), draws are computed in any order on any number of
// threads and the results are identical.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fairer/allocation.hpp"
#include "fairer/detail/allocation_numerics.hpp"
#include "fairer/errors.hpp"

namespace fairer {

// splitmix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014;
// the constants of Vigna's public-domain reference implementation), as specified in §10.1:
//   state += 0x9E3779B97F4A7C15; z = state; z = (z ^ z>>30)·0xBF58476D1CE4E5B9;
//   z = (z ^ z>>27)·0x94D049BB133111EB; output z ^ z>>31;   uniform = (output >> 11)·2^−53 in [0, 1).
// Chosen because every language can write it in a few lines with 64-bit unsigned arithmetic, and
// because its state advances by a constant, so jumping ahead k outputs is one multiplication.
class SplitMix64 {
public:
    static constexpr std::uint64_t increment = 0x9E3779B97F4A7C15ULL;

    explicit SplitMix64(std::uint64_t seed = 0) noexcept : state_(seed) {}

    // The generator positioned after `position` outputs of the stream started from `seed`.
    static SplitMix64 at(std::uint64_t seed, std::uint64_t position) noexcept {
        return SplitMix64(seed + position * increment);  // wraps modulo 2^64 like the stream itself
    }

    std::uint64_t next() noexcept {
        state_ += increment;
        std::uint64_t z = state_;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    // 53 random bits scaled to [0, 1): exact in a double, identical in every language.
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    // Standard normal by the Box–Muller transform (Box & Muller 1958), cosine branch only, from two
    // consecutive uniforms: sqrt(−2 ln(1 − u1))·cos(2π u2). 1 − u1 is in (0, 1], so the log is
    // finite. Portable to the last bit only where the C library's log and cos agree (glibc and
    // CPython's math module on the same machine do); the spec allows 1e-6 relative across libms.
    double normal() noexcept {
        const double u1 = uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2);
    }

    std::uint64_t state() const noexcept { return state_; }

private:
    std::uint64_t state_;
};

// The model whose sensitivity is measured (see the header comment); n units, C components.
struct MonteCarloModel {
    detail::Span<double> population;   // P_i >= 0, ΣP > 0
    detail::Span<double> need;         // n × C, row-major: need[i·C + c] = N_ci > 0
    std::size_t components = 1;        // C
    std::vector<double> weights;       // π_c >= 0, Σ π = 1 (within 1e-9)
    double universal_share = 0.0;      // α in [0, 1]
    detail::Span<double> cost_factor;  // C_i > 0, or empty for none
    double budget = 0.0;               // T in any money unit; results are in the same unit
    const std::vector<std::string>* ids = nullptr;  // optional, names units in errors
};

struct MonteCarloOptions {
    std::uint64_t seed = 0;
    std::size_t draws = 1000;
    double sigma = 0.0;        // σ, log-scale spread of the component weights (§10.2)
    double need_sigma = 0.0;   // τ, log-scale spread of each need value; 0 = weights only
    std::vector<double> quantiles{0.05, 0.5, 0.95};  // in (0, 1], nearest-rank
    bool rank_changes = true;  // also estimate the probability that each unit's rank changes
    unsigned threads = 0;      // 0 = std::thread::hardware_concurrency()
    // Called as progress(done, total) from the calling thread only (never from a helper thread),
    // so a Python callback may take the GIL there. total = draws + units (two passes). An exception
    // thrown by it stops the run and is rethrown.
    std::function<void(std::size_t, std::size_t)> progress;
};

struct MonteCarloResult {
    std::size_t units = 0;
    std::size_t draws = 0;
    std::vector<double> quantiles;        // the q of each percentile column
    std::vector<double> base;             // A_i with the unperturbed weights and needs
    std::vector<double> mean;             // mean of A_i over the draws
    std::vector<double> percentiles;      // units × quantiles, row-major: nearest-rank percentiles of A_i
    std::vector<double> rank_change_probability;  // per unit; NaN where P_i = 0 or rank_changes is off
};

namespace detail {

// Neumaier's compensated sum (Neumaier 1974), the summation §13 asks for; the terms are always
// added in unit order, so the result does not depend on threads.
struct NeumaierSum {
    double sum = 0.0;
    double compensation = 0.0;
    void add(double x) noexcept {
        const double t = sum + x;
        compensation += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
        sum = t;
    }
    double value() const noexcept { return sum + compensation; }
};

// Nearest-rank position (1-based) of quantile q among m sorted values: k = max(1, ⌈q·m⌉) (§10.2).
// The 1e-9 guard absorbs the representation error of q (0.95·2000 must give 1900, not 1901).
inline std::size_t nearest_rank(double q, std::size_t m) {
    const double k = std::ceil(q * static_cast<double>(m) - 1e-9);
    return k < 1.0 ? 1 : static_cast<std::size_t>(k);
}

// Scratch space of select_order_statistics, reused across units.
struct SelectionScratch {
    std::vector<double> sample;
    std::vector<double> brackets;       // one region of m + 1 values per quantile
    std::vector<std::ptrdiff_t> edges;  // per k: sample positions of its bracket (-1 / past the end: open)
    std::vector<std::size_t> wanted;    // the sample positions needed, ascending and distinct
    std::vector<double> wanted_values;  // the sorted sample's values there
    std::vector<double> partition;      // second buffer of select_kth and select_positions
};

// The k-th smallest (0-based) of the n values at v, exactly (values must not be NaN); v and tmp
// (room for n values) are overwritten. Quickselect (Hoare, Commun ACM 1961;4:321) with
// out-of-place branch-free three-way partitions: each value is written to both ends of the free
// middle of tmp and the comparisons only move the ends, so nothing depends on a branch that
// would be mispredicted about half of the time, as std::nth_element's partition is. Values equal
// to the median-of-three pivot are only counted, so every round drops at least the pivot; the
// small remainder (or one that survives 64 rounds) goes to std::nth_element.
inline double select_kth(double* v, double* tmp, std::size_t n, std::size_t k) {
    for (int round = 0; round < 64 && n > 32; ++round) {
        const double x = v[0], y = v[n / 2], z = v[n - 1];
        const double pivot = std::max(std::min(x, y), std::min(std::max(x, y), z));
        std::size_t lo = 0, hi = n;  // below the pivot: tmp[0, lo); above it: tmp[hi, n)
        for (std::size_t t = 0; t < n; ++t) {
            const double value = v[t];
            tmp[lo] = value;  // lo < hi here: n - t values are still to come
            tmp[hi - 1] = value;
            lo += value < pivot ? 1U : 0U;
            hi -= value > pivot ? 1U : 0U;
        }
        if (k >= lo && k < hi) return pivot;
        double* const next = k < lo ? tmp : tmp + hi;  // the side that holds the answer
        if (k >= lo) {
            k -= hi;
            n -= hi;
        } else {
            n = lo;
        }
        tmp = v;  // the old values are no longer needed: the next round writes there
        v = next;
    }
    std::nth_element(v, v + k, v + n);
    return v[k];
}

// The values that sorting the n values at v would put at positions pos[0..count) (ascending,
// distinct, each minus offset inside [0, n)), into out[0..count); v and tmp (room for n values)
// are overwritten. The partitions of select_kth, recursing into each side that holds wanted
// positions: a few passes over the data instead of a full sort, for the handful of positions
// that select_order_statistics reads from its sample.
inline void select_positions(double* v, double* tmp, std::size_t n, const std::size_t* pos, std::size_t count,
                             std::size_t offset, double* out) {
    if (count == 0) return;
    if (n <= 32) {
        std::sort(v, v + n);
        for (std::size_t j = 0; j < count; ++j) out[j] = v[pos[j] - offset];
        return;
    }
    const double x = v[0], y = v[n / 2], z = v[n - 1];
    const double pivot = std::max(std::min(x, y), std::min(std::max(x, y), z));
    std::size_t lo = 0, hi = n;
    for (std::size_t t = 0; t < n; ++t) {
        const double value = v[t];
        tmp[lo] = value;
        tmp[hi - 1] = value;
        lo += value < pivot ? 1U : 0U;
        hi -= value > pivot ? 1U : 0U;
    }
    std::size_t left = 0, equal = 0;
    while (left < count && pos[left] - offset < lo) ++left;
    while (left + equal < count && pos[left + equal] - offset < hi) ++equal;
    for (std::size_t j = left; j < left + equal; ++j) out[j] = pivot;
    select_positions(tmp, v, lo, pos, left, offset, out);
    select_positions(tmp + hi, v + hi, n - hi, pos + left + equal, count - left - equal, offset + hi,
                     out + left + equal);
}

// The k-th smallest (1-based) value of `values` for each k of `ks`, exactly, into out; returns
// the sum of the values in index order (Σ values[0], values[1], ...). Floyd & Rivest's idea
// (Commun ACM 1975;18:165-172): a deterministic sample of 512 values, of which only the order
// statistics at the bracket ends are selected, brackets each answer within 2.5 standard
// deviations of its expected sample position; one pass counts the values below each bracket and
// copies those inside, and only the brackets are then searched (select_kth). When a bracket
// misses its answer (rarely) the full array is searched instead, so the result is always the
// exact order statistic. One branch-free pass over the data per group of up to three quantiles,
// against several passes per quantile for introselect; the sum is taken in the first of these
// passes, where its serial additions cost nothing as the pass's other work hides their latency.
inline double select_order_statistics(std::vector<double>& values, const std::vector<std::size_t>& ks, double* out,
                                      SelectionScratch& scratch) {
    const std::size_t m = values.size();
    const auto exact = [&](std::size_t k) {
        const auto at = values.begin() + static_cast<std::ptrdiff_t>(k - 1);
        std::nth_element(values.begin(), at, values.end());
        return *at;
    };
    double total = 0.0;
    if (m <= 4096 || ks.empty()) {
        for (double v : values) total += v;
        for (std::size_t j = 0; j < ks.size(); ++j) out[j] = exact(ks[j]);
        return total;
    }
    constexpr std::size_t samples = 512;
    auto& sample = scratch.sample;
    sample.resize(samples);
    for (std::size_t t = 0; t < samples; ++t) sample[t] = values[t * m / samples];
    // Each bracket spans 2.5 standard deviations of its answer's sample position either side.
    auto& edges = scratch.edges;
    auto& wanted = scratch.wanted;
    edges.resize(2 * ks.size());
    wanted.clear();
    for (std::size_t j = 0; j < ks.size(); ++j) {
        const double p = static_cast<double>(ks[j]) / static_cast<double>(m);
        const double centre = p * samples;
        const double half = 2.5 * std::sqrt(samples * p * (1.0 - p)) + 2.0;
        const double a = std::floor(centre - half), b = std::ceil(centre + half);
        edges[2 * j] = a < 0.0 ? -1 : static_cast<std::ptrdiff_t>(a);
        edges[2 * j + 1] = b >= samples ? static_cast<std::ptrdiff_t>(samples) : static_cast<std::ptrdiff_t>(b);
        for (std::size_t e = 2 * j; e <= 2 * j + 1; ++e)
            if (edges[e] >= 0 && edges[e] < static_cast<std::ptrdiff_t>(samples))
                wanted.push_back(static_cast<std::size_t>(edges[e]));
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    scratch.partition.resize(samples);
    scratch.wanted_values.resize(wanted.size());
    select_positions(sample.data(), scratch.partition.data(), samples, wanted.data(), wanted.size(), 0,
                     scratch.wanted_values.data());
    const auto sorted_sample = [&](std::ptrdiff_t position) {
        const auto at = std::lower_bound(wanted.begin(), wanted.end(), static_cast<std::size_t>(position));
        return scratch.wanted_values[static_cast<std::size_t>(at - wanted.begin())];
    };
    const double inf = std::numeric_limits<double>::infinity();
    // Three quantiles per pass (the usual P5/P50/P95), with their counters in named locals so
    // that they stay in registers.
    constexpr std::size_t group = 3;
    scratch.brackets.resize(group * (m + 1));
    std::vector<std::size_t> fallback;
    for (std::size_t first = 0; first < ks.size(); first += group) {
        double lo[group], hi[group];
        const std::size_t in_group = std::min(group, ks.size() - first);
        for (std::size_t j = 0; j < group; ++j) {
            lo[j] = inf;  // an unused slot: every finite value below it, nothing counted that matters
            hi[j] = inf;
            if (j >= in_group) continue;
            const std::ptrdiff_t a = edges[2 * (first + j)], b = edges[2 * (first + j) + 1];
            lo[j] = a < 0 ? -inf : sorted_sample(a);
            hi[j] = b >= static_cast<std::ptrdiff_t>(samples) ? inf : sorted_sample(b);
            if (!(lo[j] <= hi[j])) lo[j] = hi[j] = inf;  // NaN in the sample: leave it to the fallback
        }
        double* r0 = scratch.brackets.data();
        double* r1 = r0 + (m + 1);
        double* r2 = r1 + (m + 1);
        const double l0 = lo[0], l1 = lo[1], l2 = lo[2], h0 = hi[0], h1 = hi[1], h2 = hi[2];
        std::size_t b0 = 0, b1 = 0, b2 = 0, n0 = 0, n1 = 0, n2 = 0;
        double sum = 0.0;
        for (std::size_t t = 0; t < m; ++t) {
            const double v = values[t];
            sum += v;
            // Every value is written; the end of a bracket moves only for values inside it. As
            // lo <= hi, "inside" is (v <= hi) - (v < lo), which reuses the count's comparison.
            const std::size_t below0 = v < l0 ? 1U : 0U, below1 = v < l1 ? 1U : 0U, below2 = v < l2 ? 1U : 0U;
            b0 += below0;
            r0[n0] = v;
            n0 += (v <= h0 ? 1U : 0U) - below0;
            b1 += below1;
            r1[n1] = v;
            n1 += (v <= h1 ? 1U : 0U) - below1;
            b2 += below2;
            r2[n2] = v;
            n2 += (v <= h2 ? 1U : 0U) - below2;
        }
        if (first == 0) total = sum;
        const std::size_t below[group] = {b0, b1, b2}, inside[group] = {n0, n1, n2};
        double* region[group] = {r0, r1, r2};
        for (std::size_t j = 0; j < in_group; ++j) {
            const std::size_t k = ks[first + j];
            if (k > below[j] && k - below[j] <= inside[j]) {
                scratch.partition.resize(inside[j]);
                out[first + j] = select_kth(region[j], scratch.partition.data(), inside[j], k - below[j] - 1);
            } else {
                fallback.push_back(first + j);
            }
        }
    }
    for (std::size_t j : fallback) out[j] = exact(ks[j]);
    return total;
}

// out[i] = finish(i, s_i) for i < len, where s_i = Σ_k coef[k]·table[k·len + i], summed from 0.0
// in component order (the order of blend and per_head_key, so the bits agree), C components.
template <std::size_t C, class Finish>
void sum_columns_fixed(const double* coef, const double* table, std::size_t len, double* out, Finish finish) {
    double weight[C];
    for (std::size_t k = 0; k < C; ++k) weight[k] = coef[k];
    for (std::size_t i = 0; i < len; ++i) {
        double s = 0.0;
        for (std::size_t k = 0; k < C; ++k) s += weight[k] * table[k * len + i];
        out[i] = finish(i, s);
    }
}

// sum_columns_fixed for any number c of components: in one pass over the data for the usual
// few components (the fixed count lets the compiler unroll over them and vectorise along i),
// else column by column.
template <class Finish>
void sum_columns(std::size_t c, const double* coef, const double* table, std::size_t len, double* out,
                 Finish finish) {
    switch (c) {
        case 1: return sum_columns_fixed<1>(coef, table, len, out, finish);
        case 2: return sum_columns_fixed<2>(coef, table, len, out, finish);
        case 3: return sum_columns_fixed<3>(coef, table, len, out, finish);
        case 4: return sum_columns_fixed<4>(coef, table, len, out, finish);
        default: break;
    }
    std::fill(out, out + len, 0.0);
    for (std::size_t k = 0; k < c; ++k)
        for (std::size_t i = 0; i < len; ++i) out[i] += coef[k] * table[k * len + i];
    for (std::size_t i = 0; i < len; ++i) out[i] = finish(i, out[i]);
}

// Runs body(chunk, worker) for chunk = 0..chunks-1 on `threads` workers (worker 0 is the calling
// thread, the others are numbered 1..threads-1), calling report() between the caller's chunks. The first exception from anywhere stops the remaining
// chunks and is rethrown here after every thread has finished.
template <class Body, class Report>
void run_chunks(std::size_t chunks, unsigned threads, Body body, Report report) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    const auto keep = [&](std::exception_ptr e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = e;
        failed = true;
    };
    const auto work = [&](unsigned worker) {
        for (;;) {
            if (failed) return;
            const std::size_t c = next.fetch_add(1);
            if (c >= chunks) return;
            try {
                body(c, worker);
                if (worker == 0) report();
            } catch (...) {
                keep(std::current_exception());
                return;
            }
        }
    };
    std::vector<std::thread> pool;
    const unsigned helpers = threads > 1 ? static_cast<unsigned>(std::min<std::size_t>(threads - 1, chunks)) : 0U;
    pool.reserve(helpers);
    try {
        for (unsigned t = 1; t <= helpers; ++t) pool.emplace_back(work, t);
    } catch (...) {
        keep(std::current_exception());
    }
    work(0U);
    for (auto& th : pool) th.join();
    if (error) std::rethrow_exception(error);
}

inline void check_monte_carlo(const MonteCarloModel& m, const MonteCarloOptions& o) {
    const std::size_t n = m.population.size();
    const std::size_t c = m.components;
    if (n == 0) throw AllocationError("E1", "monte_carlo: no units");
    if (c == 0 || m.need.size() != n * c) {
        throw AllocationError("E1", "monte_carlo: need has " + std::to_string(m.need.size()) + " values, expected " +
                                        std::to_string(n) + " units × " + std::to_string(c) + " components");
    }
    if (!m.cost_factor.empty() && m.cost_factor.size() != n) {
        throw AllocationError("E1", "monte_carlo: cost_factor has " + std::to_string(m.cost_factor.size()) +
                                        " values for " + std::to_string(n) + " units");
    }
    if (m.ids != nullptr && m.ids->size() != n) {
        throw AllocationError("E1", "monte_carlo: " + std::to_string(m.ids->size()) + " ids for " +
                                        std::to_string(n) + " units");
    }
    std::vector<std::string> bad;
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(m.population[i]) || m.population[i] < 0.0) bad.push_back(unit_name(m.ids, i));
    }
    if (!bad.empty())
        throw AllocationError("E3", "monte_carlo: population negative or not finite for " + list_units(bad), bad);
    if (!(sum_of(m.population) > 0.0)) throw AllocationError("E3", "monte_carlo: total population is 0");
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < c; ++k) {
            const double v = m.need[i * c + k];
            if (!std::isfinite(v) || v <= 0.0) {
                bad.push_back(unit_name(m.ids, i));
                break;
            }
        }
    }
    if (!bad.empty())
        throw AllocationError("E4", "monte_carlo: need index <= 0 or not finite for " + list_units(bad), bad);
    for (std::size_t i = 0; i < m.cost_factor.size(); ++i) {
        if (!std::isfinite(m.cost_factor[i]) || m.cost_factor[i] <= 0.0) bad.push_back(unit_name(m.ids, i));
    }
    if (!bad.empty())
        throw AllocationError("E4", "monte_carlo: cost factor <= 0 or not finite for " + list_units(bad), bad);
    for (std::size_t k = 0; k < c; ++k) {
        const double total = sum_of(n, [&](std::size_t i) { return m.population[i] * m.need[i * c + k]; });
        if (!(total > 0.0))
            throw AllocationError("E3", "monte_carlo: component " + std::to_string(k) + " has Σ P·N = 0");
    }
    if (m.weights.size() != c) {
        throw AllocationError("E5", "monte_carlo: " + std::to_string(m.weights.size()) + " weights for " +
                                        std::to_string(c) + " components");
    }
    for (double w : m.weights) {
        if (!std::isfinite(w) || w < 0.0)
            throw AllocationError("E5", "monte_carlo: component weight " + format_number(w) + " is negative");
    }
    const double wsum = sum_of(Span<double>(m.weights));
    if (std::fabs(wsum - 1.0) > 1e-9)
        throw AllocationError("E5", "monte_carlo: component weights sum to " + format_number(wsum) + ", not 1");
    if (!(m.universal_share >= 0.0 && m.universal_share <= 1.0))
        throw AllocationError("E6", "monte_carlo: universal share " + format_number(m.universal_share) +
                                        " is outside [0, 1]");
    if (!std::isfinite(m.budget) || m.budget < 0.0)
        throw AllocationError("E2", "monte_carlo: budget " + format_number(m.budget) + " is negative or not finite");
    if (o.draws == 0) throw AllocationError("E6", "monte_carlo: draws must be at least 1");
    if (!std::isfinite(o.sigma) || o.sigma < 0.0)
        throw AllocationError("E6", "monte_carlo: sigma " + format_number(o.sigma) + " must be finite and >= 0");
    if (!std::isfinite(o.need_sigma) || o.need_sigma < 0.0)
        throw AllocationError("E6", "monte_carlo: need_sigma " + format_number(o.need_sigma) +
                                        " must be finite and >= 0");
    for (double q : o.quantiles) {
        if (!(q > 0.0 && q <= 1.0))
            throw AllocationError("E6", "monte_carlo: quantile " + format_number(q) + " is outside (0, 1]");
    }
}

// Everything a draw needs that does not depend on the draw.
struct MonteCarloPlan {
    std::size_t n = 0, c = 0;
    double total_population = 0.0;
    std::vector<double> base_norm;       // Σ_j P_j N_cj per component
    std::vector<double> share;           // K_ci = P_i N_ci / Σ_j P_j N_cj, row-major like need
    std::vector<double> need_over_norm;  // N_ci / Σ_j P_j N_cj (the per-head part of K_ci)
    std::vector<double> cost_share_sum;  // Σ_j C_j K_cj per component (cost factors only)
    double cost_population_sum = 0.0;    // Σ_j C_j P_j / ΣP (cost factors only)
    std::uint64_t stride = 0;            // stream outputs per draw
};

inline MonteCarloPlan plan_monte_carlo(const MonteCarloModel& m, const MonteCarloOptions& o) {
    MonteCarloPlan p;
    p.n = m.population.size();
    p.c = m.components;
    p.total_population = sum_of(m.population);
    p.base_norm.resize(p.c);
    for (std::size_t k = 0; k < p.c; ++k)
        p.base_norm[k] = sum_of(p.n, [&](std::size_t i) { return m.population[i] * m.need[i * p.c + k]; });
    p.share.resize(p.n * p.c);
    p.need_over_norm.resize(p.n * p.c);
    for (std::size_t i = 0; i < p.n; ++i)
        for (std::size_t k = 0; k < p.c; ++k) {
            p.share[i * p.c + k] = m.population[i] * m.need[i * p.c + k] / p.base_norm[k];
            p.need_over_norm[i * p.c + k] = m.need[i * p.c + k] / p.base_norm[k];
        }
    if (!m.cost_factor.empty()) {
        p.cost_share_sum.resize(p.c);
        for (std::size_t k = 0; k < p.c; ++k)
            p.cost_share_sum[k] = sum_of(p.n, [&](std::size_t i) { return m.cost_factor[i] * p.share[i * p.c + k]; });
        p.cost_population_sum = sum_of(p.n, [&](std::size_t i) { return m.cost_factor[i] * m.population[i]; }) /
                                p.total_population;
    }
    p.stride = static_cast<std::uint64_t>(p.c) + (o.need_sigma > 0.0 ? 2ULL * p.n * p.c : 0ULL);
    return p;
}

// The perturbed component weights π' of one draw (§10.2, step 1), from the generator at the
// draw's start.
inline void draw_weights(SplitMix64& g, const std::vector<double>& weights, double sigma, double* out) {
    double total = 0.0;
    for (std::size_t k = 0; k < weights.size(); ++k) {
        out[k] = weights[k] * std::exp(sigma * (2.0 * g.uniform() - 1.0));
        total += out[k];
    }
    for (std::size_t k = 0; k < weights.size(); ++k) out[k] /= total;
}

// A double's bits mapped to an unsigned integer that sorts in descending order of the double
// (IEEE 754 order: flip all bits of negatives, the sign bit of the rest, then invert).
inline std::uint64_t descending_bits(double x) noexcept {
    std::uint64_t u = 0;
    std::memcpy(&u, &x, sizeof u);
    u = (u >> 63) != 0 ? ~u : (u | 0x8000000000000000ULL);
    return ~u;
}

// Competition ranks (1 + number of strictly larger keys), descending, of the units in `units`,
// into rank[unit] (units with NaN keys must be left out; they keep their rank). Sorting is an
// LSD radix sort on a 24-bit prefix of descending_bits taken over the keys' actual range (the
// bits above the range are common to all keys), in three passes of 8 bits: 256 buckets keep the
// scatter's write positions in L1, where the 2048 buckets of 11-bit digits missed it on every
// store. The last pass puts each unit at its final position, so it writes that position as the
// rank straight away; that is the rank unless the unit shares its prefix with another (rare:
// 33,755 keys among 16 million prefixes), and only such runs are then sorted on the full keys
// and re-ranked. Because -0 is mapped to +0 first, equal keys always share a prefix, so ties are
// settled inside a run. Several times faster than std::sort, which matters because it runs once
// per draw.
inline void competition_ranks(const std::vector<double>& key, const std::vector<std::uint32_t>& units,
                              std::vector<std::uint32_t>& rank, std::vector<std::uint64_t>& a,
                              std::vector<std::uint64_t>& b) {
    const std::size_t m = units.size();
    if (m == 0) return;
    a.resize(m);
    b.resize(m);
    // x + 0.0 turns -0 into +0 (IEEE 754 round to nearest) and changes nothing else, so that
    // equal keys have equal bits.
    // Plain pointers: through the vectors the compiler reloads their data pointers after every
    // store, as it cannot tell that the stores leave them alone.
    const double* keys = key.data();
    const std::uint32_t* members = units.data();
    std::uint64_t* src = a.data();
    std::uint64_t* dst = b.data();
    std::uint32_t* out = rank.data();
    const auto bits = [keys](std::uint32_t unit) { return descending_bits(keys[unit] + 0.0); };
    std::uint64_t lo = ~std::uint64_t{0}, hi = 0;
    for (std::size_t k = 0; k < m; ++k) {
        const std::uint64_t word = bits(members[k]);
        src[k] = word;
        lo = std::min(lo, word);
        hi = std::max(hi, word);
    }
    constexpr unsigned digit_bits = 8, passes = 3;
    constexpr std::uint64_t digit_mask = (1U << digit_bits) - 1U;
    unsigned shift = 0;
    while (((hi - lo) >> shift) >= (std::uint64_t{1} << (digit_bits * passes))) ++shift;
    std::uint32_t count[passes][1U << digit_bits] = {};
    for (std::size_t k = 0; k < m; ++k) {
        const std::uint64_t prefix = (src[k] - lo) >> shift;
        src[k] = (prefix << 32) | members[k];
        for (unsigned pass = 0; pass < passes; ++pass) ++count[pass][(prefix >> (digit_bits * pass)) & digit_mask];
    }
    const auto unit_of = [](std::uint64_t x) { return static_cast<std::uint32_t>(x); };
    bool ranked = false;
    for (unsigned pass = 0; pass < passes; ++pass) {
        const unsigned at = 32 + digit_bits * pass;
        std::uint32_t* c = count[pass];
        if (c[(src[0] >> at) & digit_mask] == m) continue;  // one digit for all: nothing to do
        std::uint32_t total = 0;
        for (std::size_t d = 0; d <= digit_mask; ++d) {
            const std::uint32_t here = c[d];
            c[d] = total;
            total += here;
        }
        if (pass + 1 == passes) {
            for (std::size_t k = 0; k < m; ++k) {
                const std::uint64_t x = src[k];
                const std::uint32_t position = c[(x >> at) & digit_mask]++;
                dst[position] = x;
                out[unit_of(x)] = position + 1;
            }
            ranked = true;
        } else {
            for (std::size_t k = 0; k < m; ++k) {
                const std::uint64_t x = src[k];
                dst[c[(x >> at) & digit_mask]++] = x;
            }
        }
        std::swap(src, dst);
    }
    const std::uint64_t* sorted = src;
    if (!ranked)
        for (std::size_t k = 0; k < m; ++k) out[unit_of(sorted[k])] = static_cast<std::uint32_t>(k + 1);
    const auto larger_first = [keys, unit_of](std::uint64_t x, std::uint64_t y) {
        return keys[unit_of(x)] > keys[unit_of(y)];
    };
    for (std::size_t k = 0; k + 1 < m; ++k) {
        if ((sorted[k + 1] >> 32) != (sorted[k] >> 32)) continue;
        std::size_t end = k + 2;
        while (end < m && (sorted[end] >> 32) == (sorted[k] >> 32)) ++end;
        // A run of equal prefixes: the full keys decide; runs are short, so insertion sort
        // unless long.
        std::uint64_t* first = src + k;
        std::uint64_t* last = src + end;
        if (end - k > 16) {
            std::sort(first, last, larger_first);
        } else {
            for (std::uint64_t* j = first + 1; j != last; ++j) {
                const std::uint64_t item = *j;
                std::uint64_t* t = j;
                for (; t != first && larger_first(item, *(t - 1)); --t) *t = *(t - 1);
                *t = item;
            }
        }
        std::size_t tie_start = k;
        for (std::size_t j = k; j < end; ++j) {
            if (j > k && keys[unit_of(sorted[j])] != keys[unit_of(sorted[j - 1])]) tie_start = j;
            out[unit_of(sorted[j])] = static_cast<std::uint32_t>(tie_start + 1);
        }
        k = end - 1;
    }
}

}  // namespace detail

// Monte Carlo sensitivity of the blended allocation (spec §10): for each draw, perturb the
// component weights (and optionally the need values) with the §10.1 stream, recompute A, and
// report per unit the nearest-rank percentiles of A (k = max(1, ⌈q·draws⌉) of the sorted draws),
// its mean, and the probability that the unit's rank by allocation per head (competition rank,
// 1 = most per head, units with P = 0 excluded) differs from its rank in the unperturbed
// allocation. Deterministic: the same inputs and seed give bit-identical results on any number
// of threads. Errors: E1 shapes, E2 budget, E3 population, E4 need or cost factor, E5 weights,
// E6 α, σ, τ, draws or quantiles out of range.
inline MonteCarloResult monte_carlo(const MonteCarloModel& model, const MonteCarloOptions& options) {
    detail::check_monte_carlo(model, options);
    const detail::MonteCarloPlan plan = detail::plan_monte_carlo(model, options);
    const std::size_t n = plan.n, c = plan.c, draws = options.draws;
    const double alpha = model.universal_share, T = model.budget;
    const bool cost = !model.cost_factor.empty();
    const bool noisy = options.need_sigma > 0.0;
    // More workers than cores only costs memory (one rank-change row each), hence the cap.
    const unsigned threads = std::min(
        64U, options.threads != 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency()));

    MonteCarloResult r;
    r.units = n;
    r.draws = draws;
    r.quantiles = options.quantiles;

    // Per-draw scalars from pass 1: the weights π'_dc, and with need noise the perturbed
    // normalisers Σ_j P_j N'_dcj; with cost factors the normaliser Σ_j C_j b_dj.
    std::vector<double> weights(draws * c);
    std::vector<double> norm(noisy ? draws * c : 0);
    std::vector<double> cost_norm(draws, 1.0);

    // The blend b_i of unit i given a draw's weights and normalisers (nullptr = unperturbed), and
    // `need_row` the unit's (perturbed) need values; then A_i. Written once so that the base run,
    // both passes and the ranks agree.
    const auto blend = [&](std::size_t i, const double* w, const double* nrm, const double* need_row) {
        double s = 0.0;
        for (std::size_t k = 0; k < c; ++k) s += w[k] * (nrm == nullptr ? plan.share[i * c + k]
                                                                        : model.population[i] * need_row[k] / nrm[k]);
        return alpha * model.population[i] / plan.total_population + (1.0 - alpha) * s;
    };
    const auto allocation = [&](std::size_t i, const double* w, const double* nrm, const double* need_row,
                                double cost_norm_d) {
        const double b = blend(i, w, nrm, need_row);
        return T * (cost ? model.cost_factor[i] * b / cost_norm_d : b);
    };
    // Σ_j C_j b_j without need noise, from the per-component sums (the blend is linear in π').
    const auto cost_normaliser = [&](const double* w) {
        double s = 0.0;
        for (std::size_t k = 0; k < c; ++k) s += w[k] * plan.cost_share_sum[k];
        return alpha * plan.cost_population_sum + (1.0 - alpha) * s;
    };
    // Rank keys without need noise: the same per-head key, computed along the units for all at
    // once (component-major table, so the loop vectorises); used for the base and every draw.
    std::vector<double> need_over_norm_t(options.rank_changes && !noisy ? n * c : 0);
    for (std::size_t i = 0; i < need_over_norm_t.size() / std::max<std::size_t>(c, 1); ++i)
        for (std::size_t k = 0; k < c; ++k) need_over_norm_t[k * n + i] = plan.need_over_norm[i * c + k];
    // The key's last factor per unit: C_i (or 1, which changes no bit), NaN where P_i = 0 (not
    // ranked), so that the key loop has no branch and vectorises.
    std::vector<double> key_factor(need_over_norm_t.empty() ? 0 : n);
    for (std::size_t i = 0; i < key_factor.size(); ++i)
        key_factor[i] = model.population[i] > 0.0 ? (cost ? model.cost_factor[i] : 1.0)
                                                  : std::numeric_limits<double>::quiet_NaN();
    const auto keys_without_noise = [&](const double* w, std::vector<double>& key) {
        const double* factor = key_factor.data();
        const double a = alpha / plan.total_population, b = 1.0 - alpha;
        detail::sum_columns(c, w, need_over_norm_t.data(), n, key.data(),
                            [factor, a, b](std::size_t i, double s) { return factor[i] * (a + b * s); });
    };
    // Rank key: allocation per head up to a factor common to all units, computed without dividing
    // by P so that units with equal need and cost tie exactly.
    const auto per_head_key = [&](std::size_t i, const double* w, const double* nrm, const double* need_row) {
        if (!(model.population[i] > 0.0)) return std::numeric_limits<double>::quiet_NaN();
        double s = 0.0;
        if (nrm == nullptr) {
            for (std::size_t k = 0; k < c; ++k) s += w[k] * plan.need_over_norm[i * c + k];
        } else {
            for (std::size_t k = 0; k < c; ++k) s += w[k] * need_row[k] / nrm[k];
        }
        const double key = alpha / plan.total_population + (1.0 - alpha) * s;
        return cost ? model.cost_factor[i] * key : key;
    };

    r.base.resize(n);
    const double base_cost_norm = cost ? cost_normaliser(model.weights.data()) : 1.0;
    for (std::size_t i = 0; i < n; ++i)
        r.base[i] = allocation(i, model.weights.data(), nullptr, &model.need[i * c], base_cost_norm);

    const bool ranks = options.rank_changes;
    std::vector<std::uint32_t> base_rank(n, 0), base_order;  // base_order: units with P > 0, ascending
    if (ranks) {
        std::vector<double> key(n);
        if (noisy) {
            for (std::size_t i = 0; i < n; ++i)
                key[i] = per_head_key(i, model.weights.data(), nullptr, &model.need[i * c]);
        } else {
            keys_without_noise(model.weights.data(), key);
        }
        for (std::size_t i = 0; i < n; ++i)
            if (!std::isnan(key[i])) base_order.push_back(static_cast<std::uint32_t>(i));
        std::vector<std::uint64_t> a, b;
        detail::competition_ranks(key, base_order, base_rank, a, b);
    }

    const std::size_t total_work = draws + n;
    std::atomic<std::size_t> done{0};
    const auto report = [&] {
        if (options.progress) options.progress(done.load(), total_work);
    };

    // Pass 1, over draws: weights, normalisers and rank changes. Each worker counts rank changes
    // in its own row; integer sums do not depend on which worker ran which draw.
    constexpr std::size_t draw_chunk = 32;
    const std::size_t draw_chunks = (draws + draw_chunk - 1) / draw_chunk;
    std::vector<std::vector<std::uint32_t>> changes(ranks ? threads : 0, std::vector<std::uint32_t>(n, 0));
    // Buffers of one worker, reused by all its chunks (no allocation per draw or per chunk).
    struct DrawScratch {
        std::vector<double> noisy_need, key;
        std::vector<std::uint32_t> rank;  // stays 0 for units with P = 0, as in base_rank
        std::vector<std::uint64_t> sort_a, sort_b;
    };
    std::vector<DrawScratch> draw_scratch(threads);
    for (auto& sc : draw_scratch) {
        sc.noisy_need.resize(noisy ? n * c : 0);
        sc.key.resize(ranks ? n : 0);
        sc.rank.resize(ranks ? n : 0);
    }
    detail::run_chunks(
        draw_chunks, threads,
        [&](std::size_t chunk, unsigned worker) {
            DrawScratch& sc = draw_scratch[worker];
            std::vector<double>& noisy_need = sc.noisy_need;
            std::vector<double>& key = sc.key;
            std::vector<std::uint32_t>& rank = sc.rank;
            const std::size_t end = std::min(draws, (chunk + 1) * draw_chunk);
            for (std::size_t d = chunk * draw_chunk; d < end; ++d) {
                SplitMix64 g = SplitMix64::at(options.seed, d * plan.stride);
                double* w = &weights[d * c];
                detail::draw_weights(g, model.weights, options.sigma, w);
                const double* nrm = nullptr;
                if (noisy) {
                    std::vector<detail::NeumaierSum> sums(c);
                    for (std::size_t i = 0; i < n; ++i)
                        for (std::size_t k = 0; k < c; ++k) {
                            const double v = model.need[i * c + k] * std::exp(options.need_sigma * g.normal());
                            noisy_need[i * c + k] = v;
                            sums[k].add(model.population[i] * v);
                        }
                    for (std::size_t k = 0; k < c; ++k) norm[d * c + k] = sums[k].value();
                    nrm = &norm[d * c];
                }
                if (cost && noisy) {
                    detail::NeumaierSum s;
                    for (std::size_t i = 0; i < n; ++i)
                        s.add(model.cost_factor[i] * blend(i, w, nrm, &noisy_need[i * c]));
                    cost_norm[d] = s.value();
                } else if (cost) {
                    cost_norm[d] = cost_normaliser(w);
                }
                if (ranks) {
                    if (noisy) {
                        for (std::size_t i = 0; i < n; ++i) key[i] = per_head_key(i, w, nrm, &noisy_need[i * c]);
                    } else {
                        keys_without_noise(w, key);
                    }
                    // base_order lists units ascending: sequential key reads
                    detail::competition_ranks(key, base_order, rank, sc.sort_a, sc.sort_b);
                    std::uint32_t* count = changes[worker].data();
                    const std::uint32_t* now = rank.data();
                    const std::uint32_t* before = base_rank.data();
                    for (std::size_t i = 0; i < n; ++i) count[i] += now[i] != before[i] ? 1U : 0U;
                }
            }
            done += end - chunk * draw_chunk;
        },
        report);

    // Pass 2, over units: each unit's draws recomputed from the per-draw scalars (and, with need
    // noise, its own normals regenerated at their stream positions), then the percentiles.
    const std::size_t q = options.quantiles.size();
    r.percentiles.assign(n * q, std::numeric_limits<double>::quiet_NaN());
    r.mean.assign(n, std::numeric_limits<double>::quiet_NaN());
    constexpr std::size_t unit_chunk = 64;
    const std::size_t unit_chunks = (n + unit_chunk - 1) / unit_chunk;
    std::vector<std::size_t> ranks_wanted(q);
    for (std::size_t j = 0; j < q; ++j) ranks_wanted[j] = detail::nearest_rank(options.quantiles[j], draws);
    std::vector<double> weights_by_component(noisy ? 0 : draws * c);
    for (std::size_t d = 0; d < weights_by_component.size() / std::max<std::size_t>(c, 1); ++d)
        for (std::size_t k = 0; k < c; ++k) weights_by_component[k * draws + d] = weights[d * c + k];
    struct UnitScratch {
        std::vector<double> values, row;
        detail::SelectionScratch selection;
    };
    std::vector<UnitScratch> unit_scratch(threads);
    detail::run_chunks(
        unit_chunks, threads,
        [&](std::size_t chunk, unsigned worker) {
            UnitScratch& sc = unit_scratch[worker];
            sc.values.resize(draws);
            sc.row.resize(c);
            std::vector<double>& values = sc.values;
            std::vector<double>& row = sc.row;
            detail::SelectionScratch& scratch = sc.selection;
            const std::size_t end = std::min(n, (chunk + 1) * unit_chunk);
            for (std::size_t i = chunk * unit_chunk; i < end; ++i) {
                if (noisy) {
                    for (std::size_t d = 0; d < draws; ++d) {
                        SplitMix64 g = SplitMix64::at(options.seed, d * plan.stride + c + 2 * i * c);
                        for (std::size_t k = 0; k < c; ++k)
                            row[k] = model.need[i * c + k] * std::exp(options.need_sigma * g.normal());
                        values[d] = allocation(i, &weights[d * c], &norm[d * c], row.data(), cost_norm[d]);
                    }
                } else {
                    // The same arithmetic as allocation(), reordered to run along the draws
                    // (vectorises).
                    const double a = alpha * model.population[i] / plan.total_population, b = 1.0 - alpha;
                    if (cost) {
                        const double ci = model.cost_factor[i];
                        const double* cn = cost_norm.data();
                        detail::sum_columns(c, &plan.share[i * c], weights_by_component.data(), draws, values.data(),
                                            [T, a, b, ci, cn](std::size_t d, double s) {
                                                return T * (ci * (a + b * s) / cn[d]);
                                            });
                    } else {
                        detail::sum_columns(c, &plan.share[i * c], weights_by_component.data(), draws, values.data(),
                                            [T, a, b](std::size_t, double s) { return T * (a + b * s); });
                    }
                }
                const double total =
                    detail::select_order_statistics(values, ranks_wanted, &r.percentiles[i * q], scratch);
                r.mean[i] = total / static_cast<double>(draws);
            }
            done += end - chunk * unit_chunk;
        },
        report);

    r.rank_change_probability.assign(n, std::numeric_limits<double>::quiet_NaN());
    if (ranks) {
        for (std::uint32_t i : base_order) {
            std::uint64_t count = 0;
            for (const auto& per_chunk : changes) count += per_chunk[i];
            r.rank_change_probability[i] = static_cast<double>(count) / static_cast<double>(draws);
        }
    }
    if (options.progress) options.progress(total_work, total_work);
    return r;
}

// Monte Carlo over the allocation that allocate(units, budget_pence, params) defines: the need
// indices of its components (§4, computed once by allocate), their weights π, the universal share α
// (calibrated if params.target_ratio is set) and, with params.cost_adjust, the cost factors.
// Results are in pounds. Pace of change and bounds are not recomputed in the draws, so a
// parameter set that uses them raises E6 rather than silently giving different numbers.
inline MonteCarloResult monte_carlo(const AllocationUnits& units, std::int64_t budget_pence,
                                    const AllocationParameters& params, const MonteCarloOptions& options) {
    const auto& b = params.bounds;
    const bool has_bounds = b.min_growth || b.max_growth || b.max_below_target || b.over_target_threshold ||
                            b.over_target_growth || !units.floor.empty() || !units.cap.empty();
    if (params.pace != PaceMode::none || has_bounds) {
        throw AllocationError("E6", "monte_carlo recomputes the blend (§5) in each draw; pace of change, floors "
                                    "and caps are not applied there, so remove them for the sensitivity run");
    }
    const AllocationResult base = allocate(units, budget_pence, params);
    const std::size_t n = base.ids.size(), c = base.need.size();
    std::vector<double> need(n * c);
    for (std::size_t k = 0; k < c; ++k)
        for (std::size_t i = 0; i < n; ++i) need[i * c + k] = base.need[k][i];
    MonteCarloModel m;
    m.population = base.population;
    m.need = need;
    m.components = c;
    m.weights = base.component_weights;
    m.universal_share = base.universal_share;
    if (params.cost_adjust) m.cost_factor = units.cost_factor.span();
    m.budget = static_cast<double>(budget_pence) / 100.0;
    m.ids = &base.ids.strings();
    return monte_carlo(m, options);
}

}  // namespace fairer
