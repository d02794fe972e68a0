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
    std::vector<double> brackets;  // one region of m + 1 values per quantile
};

// The k-th smallest (1-based) value of `values` for each k of `ks`, exactly, into out. Floyd &
// Rivest's idea (Commun ACM 1975;18:165-172): a deterministic sample of 512 values, sorted,
// brackets each answer within 2.5 standard deviations of its expected sample position; one pass
// counts the values below each bracket and copies those inside, and only the brackets are then
// searched. When a bracket misses its answer (rarely) the full array is searched instead, so the
// result is always the exact order statistic. One branch-free pass over the data per group of up
// to three quantiles, against several passes per quantile for introselect.
inline void select_order_statistics(std::vector<double>& values, const std::vector<std::size_t>& ks, double* out,
                                    SelectionScratch& scratch) {
    const std::size_t m = values.size();
    const auto exact = [&](std::size_t k) {
        const auto at = values.begin() + static_cast<std::ptrdiff_t>(k - 1);
        std::nth_element(values.begin(), at, values.end());
        return *at;
    };
    if (m <= 4096) {
        for (std::size_t j = 0; j < ks.size(); ++j) out[j] = exact(ks[j]);
        return;
    }
    constexpr std::size_t samples = 512;
    auto& sample = scratch.sample;
    sample.resize(samples);
    for (std::size_t t = 0; t < samples; ++t) sample[t] = values[t * m / samples];
    std::sort(sample.begin(), sample.end());
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
            lo[j] = inf;  // an unused slot: empty range, nothing counted that matters
            hi[j] = -inf;
            if (j >= in_group) continue;
            const double p = static_cast<double>(ks[first + j]) / static_cast<double>(m);
            const double centre = p * samples;
            const double half = 2.5 * std::sqrt(samples * p * (1.0 - p)) + 2.0;
            const double a = std::floor(centre - half), b = std::ceil(centre + half);
            lo[j] = a < 0.0 ? -inf : sample[static_cast<std::size_t>(a)];
            hi[j] = b >= samples ? inf : sample[static_cast<std::size_t>(b)];
        }
        double* r0 = scratch.brackets.data();
        double* r1 = r0 + (m + 1);
        double* r2 = r1 + (m + 1);
        const double l0 = lo[0], l1 = lo[1], l2 = lo[2], h0 = hi[0], h1 = hi[1], h2 = hi[2];
        std::size_t b0 = 0, b1 = 0, b2 = 0, n0 = 0, n1 = 0, n2 = 0;
        for (std::size_t t = 0; t < m; ++t) {
            const double v = values[t];
            // every value is written; the end of a bracket moves only for values inside it
            b0 += v < l0 ? 1U : 0U;
            r0[n0] = v;
            n0 += (v >= l0) & (v <= h0) ? 1U : 0U;
            b1 += v < l1 ? 1U : 0U;
            r1[n1] = v;
            n1 += (v >= l1) & (v <= h1) ? 1U : 0U;
            b2 += v < l2 ? 1U : 0U;
            r2[n2] = v;
            n2 += (v >= l2) & (v <= h2) ? 1U : 0U;
        }
        const std::size_t below[group] = {b0, b1, b2}, inside[group] = {n0, n1, n2};
        double* region[group] = {r0, r1, r2};
        for (std::size_t j = 0; j < in_group; ++j) {
            const std::size_t k = ks[first + j];
            if (k > below[j] && k - below[j] <= inside[j]) {
                double* at = region[j] + (k - below[j] - 1);
                std::nth_element(region[j], at, region[j] + inside[j]);
                out[first + j] = *at;
            } else {
                fallback.push_back(first + j);
            }
        }
    }
    for (std::size_t j : fallback) out[j] = exact(ks[j]);
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
    if (!(exact_sum(m.population) > 0.0)) throw AllocationError("E3", "monte_carlo: total population is 0");
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
        const double total = exact_sum(n, [&](std::size_t i) { return m.population[i] * m.need[i * c + k]; });
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
    const double wsum = exact_sum(Span<double>(m.weights));
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
    p.total_population = exact_sum(m.population);
    p.base_norm.resize(p.c);
    for (std::size_t k = 0; k < p.c; ++k)
        p.base_norm[k] = exact_sum(p.n, [&](std::size_t i) { return m.population[i] * m.need[i * p.c + k]; });
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
            p.cost_share_sum[k] = exact_sum(p.n, [&](std::size_t i) { return m.cost_factor[i] * p.share[i * p.c + k]; });
        p.cost_population_sum = exact_sum(p.n, [&](std::size_t i) { return m.cost_factor[i] * m.population[i]; }) /
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

// Competition ranks (1 + number of strictly larger keys), descending, of the units in `order`
// (units with NaN keys are not in it and keep rank 0). Sorting is an LSD radix sort on a 22-bit
// prefix of descending_bits taken over the keys' actual range (the bits above the range are
// common to all keys, so two passes of 11 bits order them), then a sort on the full key inside
// each run of equal prefixes (rare: 33,755 keys among 4 million prefixes). Several times faster
// than std::sort here, which matters because it runs once per draw.
inline void competition_ranks(const std::vector<double>& key, std::vector<std::uint32_t>& order,
                              std::vector<std::uint32_t>& rank, std::vector<std::uint64_t>& a,
                              std::vector<std::uint64_t>& b) {
    const std::size_t m = order.size();
    if (m == 0) return;
    a.resize(m);
    b.resize(m);
    // The input order does not matter (the sort is exact), so `order` is read as a set: callers
    // pass it ascending, which makes the key reads sequential.
    std::uint64_t lo = ~std::uint64_t{0}, hi = 0;
    for (std::size_t k = 0; k < m; ++k) {
        const std::uint64_t word = descending_bits(key[order[k]]);
        a[k] = word;
        lo = std::min(lo, word);
        hi = std::max(hi, word);
    }
    unsigned shift = 0;
    while (((hi - lo) >> shift) >= (std::uint64_t{1} << 22)) ++shift;
    std::size_t count[2][2048] = {};
    for (std::size_t k = 0; k < m; ++k) {
        const std::uint64_t prefix = (a[k] - lo) >> shift;
        a[k] = (prefix << 32) | order[k];
        ++count[0][prefix & 2047U];
        ++count[1][(prefix >> 11) & 2047U];
    }
    for (unsigned pass = 0; pass < 2; ++pass) {
        const unsigned at = 32 + 11 * pass;
        std::size_t* c = count[pass];
        if (c[(a[0] >> at) & 2047U] == m) continue;  // one digit for all: nothing to do
        std::size_t total = 0;
        for (std::size_t d = 0; d < 2048; ++d) {
            const std::size_t here = c[d];
            c[d] = total;
            total += here;
        }
        for (std::size_t k = 0; k < m; ++k) b[c[(a[k] >> at) & 2047U]++] = a[k];
        a.swap(b);
    }
    for (std::size_t k = 0; k < m; ++k) order[k] = static_cast<std::uint32_t>(a[k]);
    const auto larger_first = [&](std::uint32_t x, std::uint32_t y) { return key[x] > key[y]; };
    for (std::size_t k = 0; k < m;) {
        std::size_t end = k + 1;
        while (end < m && (a[end] >> 32) == (a[k] >> 32)) ++end;
        if (end - k > 16) {
            std::sort(order.begin() + static_cast<std::ptrdiff_t>(k), order.begin() + static_cast<std::ptrdiff_t>(end),
                      larger_first);
        } else {
            for (std::size_t j = k + 1; j < end; ++j) {
                const std::uint32_t unit = order[j];
                std::size_t t = j;
                while (t > k && key[order[t - 1]] < key[unit]) {
                    order[t] = order[t - 1];
                    --t;
                }
                order[t] = unit;
            }
        }
        k = end;
    }
    for (std::size_t k = 0; k < m;) {
        std::size_t end = k + 1;
        while (end < m && key[order[end]] == key[order[k]]) ++end;
        for (std::size_t j = k; j < end; ++j) rank[order[j]] = static_cast<std::uint32_t>(k + 1);
        k = end;
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
    const auto keys_without_noise = [&](const double* w, std::vector<double>& key) {
        std::fill(key.begin(), key.end(), 0.0);
        for (std::size_t k = 0; k < c; ++k) {
            const double wk = w[k];
            const double* col = &need_over_norm_t[k * n];
            for (std::size_t i = 0; i < n; ++i) key[i] += wk * col[i];
        }
        const double a = alpha / plan.total_population;
        for (std::size_t i = 0; i < n; ++i) {
            const double v = a + (1.0 - alpha) * key[i];
            key[i] = model.population[i] > 0.0 ? (cost ? model.cost_factor[i] * v : v)
                                               : std::numeric_limits<double>::quiet_NaN();
        }
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
        std::vector<std::uint32_t> sorted = base_order;
        detail::competition_ranks(key, sorted, base_rank, a, b);
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
        std::vector<std::uint32_t> order, rank;
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
            std::vector<std::uint32_t>& order = sc.order;
            std::vector<std::uint32_t>& rank = sc.rank;
            std::vector<std::uint64_t>& sort_a = sc.sort_a;
            std::vector<std::uint64_t>& sort_b = sc.sort_b;
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
                    order = base_order;  // ascending unit numbers: sequential key reads
                    detail::competition_ranks(key, order, rank, sort_a, sort_b);
                    std::uint32_t* count = changes[worker].data();
                    for (std::size_t i = 0; i < n; ++i) count[i] += rank[i] != base_rank[i] ? 1U : 0U;
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
                    // the same arithmetic as allocation(), reordered to run along the draws (vectorises)
                    std::fill(values.begin(), values.end(), 0.0);
                    for (std::size_t k = 0; k < c; ++k) {
                        const double share = plan.share[i * c + k];
                        const double* w = &weights_by_component[k * draws];
                        for (std::size_t d = 0; d < draws; ++d) values[d] += w[d] * share;
                    }
                    const double a = alpha * model.population[i] / plan.total_population;
                    if (cost) {
                        const double ci = model.cost_factor[i];
                        for (std::size_t d = 0; d < draws; ++d)
                            values[d] = T * (ci * (a + (1.0 - alpha) * values[d]) / cost_norm[d]);
                    } else {
                        for (std::size_t d = 0; d < draws; ++d) values[d] = T * (a + (1.0 - alpha) * values[d]);
                    }
                }
                double total = 0.0;
                for (double v : values) total += v;
                r.mean[i] = total / static_cast<double>(draws);
                detail::select_order_statistics(values, ranks_wanted, &r.percentiles[i * q], scratch);
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
    m.ids = &base.ids;
    return monte_carlo(m, options);
}

}  // namespace fairer
