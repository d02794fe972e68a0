// A fast sum of doubles whose result does not depend on the order of the terms.
//
// Why: every allocation total must be invariant under a permutation of the rows (allocation
// spec invariant I9, which extends to the rounding ties), and an exact long accumulator
// (exact_sum.hpp) costs a few nanoseconds a term. Error-free extraction against a fixed boundary
// does the same job for long sums at a fraction of the cost (S. M. Rump, T. Ogita and S. Oishi,
// "Accurate floating-point summation part I: faithful rounding", SIAM J. Sci. Comput. 31(1),
// 2008, §3; J. Demmel and H. D. Nguyen, "Parallel reproducible summation", IEEE Trans. Computers
// 64(7), 2015, whose indexed sums read the extracted part from the bits):
//
//   with σ = 1.5·2^k and |p| < 2^(k−2), t = fl(σ + p) lies in [2^k, 2^(k+1)), so t − σ is p
//   rounded to a multiple of u = 2^(k−52); that multiple is the integer bits(t) − bits(σ), and
//   the rest r = p − (t − σ) is exact with |r| ≤ u/2.
//
// Two levels (the second extracts the rests against σ·2^−50) keep every term to 2^(k−102); the
// integers are added exactly in int64 lanes, so the result is a fixed function of the multiset of
// terms. With k = e + 2 (every |p| < 2^e) the total error is at most n·2^(e−101), about
// 2^−86·max|p| for England's 33,755 LSOAs: inside the second-order error n·ε²·Σ|p| of the
// Neumaier summation that allocation spec §13 asks for, and with no dependence on the order.
// Short sums, sums with non-finite terms and sums of terms so large or so small that σ would leave
// the normal range use the exact long accumulator instead, which is order independent too.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "fairer/detail/exact_sum.hpp"
#include "fairer/detail/parallel.hpp"

#if (defined(__SSE2__) || defined(_M_X64)) && !defined(FAIRER_NO_SIMD)
#include <emmintrin.h>
#define FAIRER_HAVE_SSE2 1
#endif

// AVX2 versions of the two kernels below, chosen at run time on CPUs that have AVX2, so that a
// wheel built for the x86-64 baseline still uses them. Each is an inline function whose own target
// attribute makes every copy AVX2 code, and it is called only after the CPU check; the arithmetic
// is the same operation by operation, so the results are the same bits.
#if defined(FAIRER_HAVE_SSE2) && !defined(__AVX2__) && (defined(__GNUC__) || defined(__clang__)) && \
    (defined(__x86_64__) || defined(__i386__)) && !defined(FAIRER_NO_AVX2_DISPATCH)
#include <immintrin.h>
#define FAIRER_AVX2_DISPATCH 1
#define FAIRER_TARGET_AVX2 __attribute__((target("avx2")))
#endif

namespace fairer::detail {

// Terms below this count are summed exactly (the two passes do not pay off).
inline constexpr std::size_t kReproducibleSumMinTerms = 256;

namespace reproducible {

constexpr std::size_t kBlock = 512;  // terms per block: lane sums stay below 2^59 within a block

inline std::uint64_t bits_of(double x) {
    std::uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

#if defined(FAIRER_AVX2_DISPATCH)
inline bool cpu_has_avx2() {
    static const bool yes = __builtin_cpu_supports("avx2") != 0;
    return yes;
}

// block_max's first part on AVX2: largest |x| over the first n − n % 8 terms, the NaN lanes in odd.
FAIRER_TARGET_AVX2 inline double block_max_avx2(const double* x, std::size_t n, bool& any_nan) {
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFF));
    __m256d m0 = _mm256_setzero_pd();
    __m256d m1 = _mm256_setzero_pd();
    __m256d odd = _mm256_setzero_pd();
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
        const __m256d a = _mm256_loadu_pd(x + i);
        const __m256d b = _mm256_loadu_pd(x + i + 4);
        odd = _mm256_or_pd(odd, _mm256_or_pd(_mm256_cmp_pd(a, a, _CMP_UNORD_Q), _mm256_cmp_pd(b, b, _CMP_UNORD_Q)));
        m0 = _mm256_max_pd(m0, _mm256_and_pd(a, abs_mask));
        m1 = _mm256_max_pd(m1, _mm256_and_pd(b, abs_mask));
    }
    any_nan = _mm256_movemask_pd(odd) != 0;
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_max_pd(m0, m1));
    const double a = lanes[0] > lanes[1] ? lanes[0] : lanes[1];
    const double b = lanes[2] > lanes[3] ? lanes[2] : lanes[3];
    return a > b ? a : b;
}

// Extractor::add's loop on AVX2 over the first n − n % 4 terms: the integer sums d1 and d2.
FAIRER_TARGET_AVX2 inline void extract_avx2(const double* x, std::size_t n, double s1_, double s2_, std::uint64_t b1_,
                                            std::uint64_t b2_, std::int64_t& d1, std::int64_t& d2) {
    const __m256d s1 = _mm256_set1_pd(s1_);
    const __m256d s2 = _mm256_set1_pd(s2_);
    const __m256i b1 = _mm256_set1_epi64x(static_cast<long long>(b1_));
    const __m256i b2 = _mm256_set1_epi64x(static_cast<long long>(b2_));
    __m256i a1 = _mm256_setzero_si256();
    __m256i a2 = _mm256_setzero_si256();
    for (std::size_t i = 0; i + 4 <= n; i += 4) {
        const __m256d p = _mm256_loadu_pd(x + i);
        const __m256d t1 = _mm256_add_pd(s1, p);
        const __m256d r = _mm256_sub_pd(p, _mm256_sub_pd(t1, s1));
        const __m256d t2 = _mm256_add_pd(s2, r);
        a1 = _mm256_add_epi64(a1, _mm256_sub_epi64(_mm256_castpd_si256(t1), b1));
        a2 = _mm256_add_epi64(a2, _mm256_sub_epi64(_mm256_castpd_si256(t2), b2));
    }
    std::int64_t lanes[4];
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes), a1);
    d1 = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes), a2);
    d2 = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}
#endif

// Largest |x| over a block; `finite` turns false on a NaN or an infinity.
inline double block_max(const double* x, std::size_t n, bool& finite) {
    std::size_t i = 0;
    double largest = 0.0;
#if defined(FAIRER_AVX2_DISPATCH)
    if (cpu_has_avx2()) {
        bool any_nan = false;
        largest = block_max_avx2(x, n, any_nan);
        if (any_nan) finite = false;
        i = n - n % 8;
    }
#endif
#if defined(FAIRER_HAVE_SSE2)
    const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7FFFFFFFFFFFFFFF));
    __m128d m0 = _mm_setzero_pd();
    __m128d m1 = _mm_setzero_pd();
    __m128d odd = _mm_setzero_pd();  // NaN lanes
    for (; i + 4 <= n; i += 4) {
        const __m128d a = _mm_loadu_pd(x + i);
        const __m128d b = _mm_loadu_pd(x + i + 2);
        odd = _mm_or_pd(odd, _mm_or_pd(_mm_cmpunord_pd(a, a), _mm_cmpunord_pd(b, b)));
        m0 = _mm_max_pd(m0, _mm_and_pd(a, abs_mask));
        m1 = _mm_max_pd(m1, _mm_and_pd(b, abs_mask));
    }
    double lanes[2];
    _mm_storeu_pd(lanes, _mm_max_pd(m0, m1));
    const double in_lanes = lanes[0] > lanes[1] ? lanes[0] : lanes[1];
    largest = in_lanes > largest ? in_lanes : largest;
    if (_mm_movemask_pd(odd) != 0) finite = false;
#endif
    for (; i < n; ++i) {
        const double a = std::fabs(x[i]);
        if (std::isnan(a)) finite = false;
        largest = a > largest ? a : largest;
    }
    if (!(largest <= std::numeric_limits<double>::max())) finite = false;
    return largest;
}

// The smallest and largest of x[0 .. n) (exact for finite values: minpd and maxpd), and whether
// all of them are finite; `finite` turns false on a NaN or an infinity, after which low and high
// mean nothing. For the ranges behind the need steps' bounds and the need ratio's calibration.
inline void block_range(const double* x, std::size_t n, double& low, double& high, bool& finite) {
    const double inf = std::numeric_limits<double>::infinity();
    std::size_t i = 0;
#if defined(FAIRER_HAVE_SSE2)
    const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7FFFFFFFFFFFFFFF));
    const __m128d infinity = _mm_set1_pd(inf);
    // Two pairs of running extremes, so that consecutive minpd/maxpd do not wait on each other.
    __m128d lo0 = _mm_set1_pd(low), lo1 = lo0;
    __m128d hi0 = _mm_set1_pd(high), hi1 = hi0;
    __m128d ok = _mm_cmpeq_pd(lo0, lo0);  // all ones unless low is NaN
    for (; i + 4 <= n; i += 4) {
        const __m128d a = _mm_loadu_pd(x + i);
        const __m128d b = _mm_loadu_pd(x + i + 2);
        // false for NaN and ±inf
        ok = _mm_and_pd(ok, _mm_and_pd(_mm_cmplt_pd(_mm_and_pd(a, abs_mask), infinity),
                                       _mm_cmplt_pd(_mm_and_pd(b, abs_mask), infinity)));
        lo0 = _mm_min_pd(lo0, a);
        hi0 = _mm_max_pd(hi0, a);
        lo1 = _mm_min_pd(lo1, b);
        hi1 = _mm_max_pd(hi1, b);
    }
    double lanes[2];
    _mm_storeu_pd(lanes, _mm_min_pd(lo0, lo1));
    low = lanes[0] < lanes[1] ? lanes[0] : lanes[1];
    _mm_storeu_pd(lanes, _mm_max_pd(hi0, hi1));
    high = lanes[0] > lanes[1] ? lanes[0] : lanes[1];
    if (_mm_movemask_pd(ok) != 3) finite = false;
#endif
    for (; i < n; ++i) {
        const double v = x[i];
        if (!(std::fabs(v) < inf)) finite = false;
        low = v < low ? v : low;
        high = v > high ? v : high;
    }
}

// A two-level indexed accumulator for terms with |p| < 2^(k−2).
class Extractor {
public:
    Extractor() = default;  // a placeholder, assigned before use
    explicit Extractor(int k)
        : s1_(std::ldexp(1.5, k)), s2_(std::ldexp(1.5, k - 50)), b1_(bits_of(s1_)), b2_(bits_of(s2_)), k_(k) {}

    void add(const double* x, std::size_t n) {
        std::int64_t d1 = 0;
        std::int64_t d2 = 0;
        std::size_t i = 0;
#if defined(FAIRER_AVX2_DISPATCH)
        if (cpu_has_avx2()) {
            extract_avx2(x, n, s1_, s2_, b1_, b2_, d1, d2);
            i = n - n % 4;
        }
#endif
#if defined(FAIRER_HAVE_SSE2)
        const __m128d s1 = _mm_set1_pd(s1_);
        const __m128d s2 = _mm_set1_pd(s2_);
        const __m128i b1 = _mm_set1_epi64x(static_cast<long long>(b1_));
        const __m128i b2 = _mm_set1_epi64x(static_cast<long long>(b2_));
        __m128i a1 = _mm_setzero_si128();
        __m128i a2 = _mm_setzero_si128();
        for (; i + 2 <= n; i += 2) {
            const __m128d p = _mm_loadu_pd(x + i);
            const __m128d t1 = _mm_add_pd(s1, p);
            const __m128d r = _mm_sub_pd(p, _mm_sub_pd(t1, s1));
            const __m128d t2 = _mm_add_pd(s2, r);
            a1 = _mm_add_epi64(a1, _mm_sub_epi64(_mm_castpd_si128(t1), b1));
            a2 = _mm_add_epi64(a2, _mm_sub_epi64(_mm_castpd_si128(t2), b2));
        }
        std::int64_t lanes[2];
        _mm_storeu_si128(reinterpret_cast<__m128i*>(lanes), a1);
        d1 += lanes[0] + lanes[1];
        _mm_storeu_si128(reinterpret_cast<__m128i*>(lanes), a2);
        d2 += lanes[0] + lanes[1];
#endif
        for (; i < n; ++i) {
            const double p = x[i];
            const double t1 = s1_ + p;
            const double r = p - (t1 - s1_);
            const double t2 = s2_ + r;
            d1 += static_cast<std::int64_t>(bits_of(t1) - b1_);
            d2 += static_cast<std::int64_t>(bits_of(t2) - b2_);
        }
        level1_.add_integer(d1);
        level2_.add_integer(d2);
    }

    // Adds the integer sums of another extractor with the same k.
    void merge(const Extractor& other) {
        level1_.add(other.level1_);
        level2_.add(other.level2_);
    }

    // Σ d1·2^(k−52) + Σ d2·2^(k−102), rounded once.
    double value() const {
        ExactSum total;
        level1_.add_to(total, k_ - 52);
        level2_.add_to(total, k_ - 102);
        return total.value();
    }

private:
    // A signed 128-bit integer as two 64-bit words, enough for any count of blocks.
    struct Wide {
        std::uint64_t lo = 0;
        std::int64_t hi = 0;
        void add_integer(std::int64_t v) {
            const std::uint64_t before = lo;
            lo += static_cast<std::uint64_t>(v);
            hi += (v < 0 ? -1 : 0) + (lo < before ? 1 : 0);
        }
        void add(const Wide& other) {
            const std::uint64_t before = lo;
            lo += other.lo;
            hi += other.hi + (lo < before ? 1 : 0);
        }
        // Adds this·2^scale to total exactly, in 32-bit pieces (each an exact double).
        void add_to(ExactSum& total, int scale) const {
            total.add(std::ldexp(static_cast<double>(lo & 0xFFFFFFFFu), scale));
            total.add(std::ldexp(static_cast<double>(lo >> 32), scale + 32));
            total.add(std::ldexp(static_cast<double>(hi), scale + 64));
        }
    };

    double s1_ = 0.0;
    double s2_ = 0.0;
    std::uint64_t b1_ = 0;
    std::uint64_t b2_ = 0;
    int k_ = 0;
    Wide level1_;
    Wide level2_;
};

// The exact sum of n terms read a block at a time (see sum_blocks), for short sums and the cases
// extraction cannot take.
template <class Fill>
double exact_blocks(std::size_t n, Fill fill) {
    double buffer[kBlock];
    ExactSum s;
    for (std::size_t start = 0; start < n; start += kBlock) {
        const std::size_t len = n - start < kBlock ? n - start : kBlock;
        const double* x = fill(start, len, buffer);
        for (std::size_t j = 0; j < len; ++j) s.add(x[j]);
    }
    return s.value();
}

// Chunks of whole blocks, each at least kParallelGrain terms.
struct BlockChunks {
    std::size_t n, blocks, chunks;
    explicit BlockChunks(std::size_t terms)
        : n(terms), blocks((terms + kBlock - 1) / kBlock), chunks(chunk_count(terms, kParallelGrain)) {}
    std::pair<std::size_t, std::size_t> blocks_of(std::size_t c) const {
        return {blocks * c / chunks, blocks * (c + 1) / chunks};
    }
};

template <class Fill>
double sum_blocks(std::size_t n, Fill fill);

// sum_blocks once a bound largest ≥ max |term| is known: the extraction pass (+inf: no bound is
// known, and sum_blocks finds the largest term first). With the largest |term| itself as the
// bound the result is sum_blocks's, bit for bit; any bound gives a fixed function of the multiset
// of terms and the bound, with the error bound of the binade the bound is in.
template <class Fill>
double sum_blocks_below(std::size_t n, double largest, Fill fill) {
#if defined(__FAST_MATH__)
    (void)largest;
    return exact_blocks(n, fill);
#else
    if (n < kReproducibleSumMinTerms) return exact_blocks(n, fill);
    if (!(largest < std::numeric_limits<double>::infinity())) return sum_blocks(n, fill);
    if (largest == 0.0) return 0.0;
    int e = 0;
    std::frexp(largest, &e);  // largest < 2^e
    const int k = e + 2;
    if (k > 1022 || k - 50 < -1022) return exact_blocks(n, fill);  // σ or the second level's σ not a normal double
    const BlockChunks split(n);
    Extractor parts[64];
    parallel_chunks(split.chunks, [&](std::size_t c) {
        double buffer[kBlock];
        Extractor extractor(k);
        const auto [first, last] = split.blocks_of(c);
        for (std::size_t b = first; b < last; ++b) {
            const std::size_t start = b * kBlock;
            const std::size_t len = n - start < kBlock ? n - start : kBlock;
            extractor.add(fill(start, len, buffer), len);
        }
        parts[c] = extractor;
    });
    for (std::size_t c = 1; c < split.chunks; ++c) parts[0].merge(parts[c]);
    return parts[0].value();
#endif
}

// The sum of n terms read a block at a time: fill(start, len, buffer) returns a pointer to terms
// start .. start + len − 1, either buffer after writing them there or the terms in place. Long
// sums run in chunks on two threads (parallel.hpp); the chunks' integer lane sums are added
// exactly, so the result is the same however the chunks are shared.
template <class Fill>
double sum_blocks(std::size_t n, Fill fill) {
#if defined(__FAST_MATH__)
    return exact_blocks(n, fill);  // -ffast-math would fold (σ + p) − σ to p
#else
    if (n < kReproducibleSumMinTerms) return exact_blocks(n, fill);
    const BlockChunks split(n);
    double largest_of[64];
    bool finite_of[64];
    parallel_chunks(split.chunks, [&](std::size_t c) {
        double buffer[kBlock];
        bool finite = true;
        double largest = 0.0;
        const auto [first, last] = split.blocks_of(c);
        for (std::size_t b = first; b < last; ++b) {
            const std::size_t start = b * kBlock;
            const std::size_t len = n - start < kBlock ? n - start : kBlock;
            const double m = block_max(fill(start, len, buffer), len, finite);
            largest = m > largest ? m : largest;
        }
        largest_of[c] = largest;
        finite_of[c] = finite;
    });
    double largest = 0.0;
    for (std::size_t c = 0; c < split.chunks; ++c) {
        if (!finite_of[c]) return exact_blocks(n, fill);
        largest = largest_of[c] > largest ? largest_of[c] : largest;
    }
    return sum_blocks_below(n, largest, fill);
#endif
}

}  // namespace reproducible

// The order-independent sum of term(0) .. term(n − 1). The terms are evaluated twice (once for the
// largest magnitude, once to extract), a block at a time into a buffer on the stack, so term must
// be cheap and give the same value both times.
template <class F>
double reproducible_sum(std::size_t n, F term) {
    return reproducible::sum_blocks(n, [&](std::size_t start, std::size_t len, double* buffer) -> const double* {
        for (std::size_t j = 0; j < len; ++j) buffer[j] = term(start + j);
        return buffer;
    });
}

// Most sums that reproducible_sums takes at once.
inline constexpr std::size_t kMaxSums = 8;

namespace reproducible {
// Calls step(k, terms, len) for each block of the rows in chunk c and each of the K sums, with the
// block's terms of sum k evaluated into a buffer.
template <class F, class Step>
void for_blocks_of_sums(const BlockChunks& split, std::size_t c, std::size_t K, F& term, Step step) {
    double buffer[kBlock];
    const auto [first, last] = split.blocks_of(c);
    for (std::size_t b = first; b < last; ++b) {
        const std::size_t start = b * kBlock;
        const std::size_t len = split.n - start < kBlock ? split.n - start : kBlock;
        for (std::size_t k = 0; k < K; ++k) {
            for (std::size_t j = 0; j < len; ++j) buffer[j] = term(k, start + j);
            step(k, buffer, len);
        }
    }
}
}  // namespace reproducible

// reproducible_sums when the caller knows, for each sum k, a bound largest[k] ≥ max_i |term(k, i)|
// (+inf if it does not, for reproducible_sum's two passes): the extraction pass alone. Each result
// is a fixed function of the multiset of terms and the bound, so it, too, does not depend on row
// order; with the largest |term| itself as the bound it is reproducible_sum's result, bit for bit.
template <class F>
void reproducible_sums_below(std::size_t n, std::size_t K, const double* largest, F term, double* out) {
    using namespace reproducible;
    auto one = [&](std::size_t k) { return reproducible_sum(n, [&](std::size_t i) { return term(k, i); }); };
#if defined(__FAST_MATH__)
    (void)largest;
    for (std::size_t k = 0; k < K; ++k) out[k] = one(k);
    return;
#else
    if (n < kReproducibleSumMinTerms || K > kMaxSums) {
        for (std::size_t k = 0; k < K; ++k) out[k] = one(k);
        return;
    }
    int exponent[kMaxSums];
    bool extract[kMaxSums];
    bool any = false;
    for (std::size_t k = 0; k < K; ++k) {
        const double m = largest[k];
        int e = 0;
        std::frexp(m, &e);
        exponent[k] = e + 2;
        extract[k] = m < std::numeric_limits<double>::infinity() && m != 0.0 && exponent[k] <= 1022 &&
                     exponent[k] - 50 >= -1022;
        if (!extract[k]) out[k] = m == 0.0 ? 0.0 : one(k);  // zero, or the two passes (exact if need be)
        any = any || extract[k];
    }
    if (!any) return;
    const BlockChunks split(n);
    Extractor parts[64][kMaxSums];
    parallel_chunks(split.chunks, [&](std::size_t c) {
        for (std::size_t k = 0; k < K; ++k)
            if (extract[k]) parts[c][k] = Extractor(exponent[k]);
        for_blocks_of_sums(split, c, K, term, [&](std::size_t k, const double* x, std::size_t len) {
            if (extract[k]) parts[c][k].add(x, len);
        });
    });
    for (std::size_t k = 0; k < K; ++k) {
        if (!extract[k]) continue;
        for (std::size_t c = 1; c < split.chunks; ++c) parts[0][k].merge(parts[c][k]);
        out[k] = parts[0][k].value();
    }
#endif
}

// K order-independent sums at once (K ≤ kMaxSums): out[k] = Σ_i term(k, i). The K sums share
// each pass over the rows (and its fork-join), and each is reproducible_sum's result for that k,
// bit for bit: the same terms, the same boundary, the same exact integer sums.
template <class F>
void reproducible_sums(std::size_t n, std::size_t K, F term, double* out) {
    using namespace reproducible;
#if !defined(__FAST_MATH__)
    if (n >= kReproducibleSumMinTerms && K <= kMaxSums) {
        // The first pass: each sum's largest |term| (+inf for a sum with a term not finite, which
        // then takes the exact accumulator, as in sum_blocks).
        const BlockChunks split(n);
        double largest_in[64][kMaxSums];
        bool finite_in[64][kMaxSums];
        parallel_chunks(split.chunks, [&](std::size_t c) {
            for (std::size_t k = 0; k < K; ++k) {
                largest_in[c][k] = 0.0;
                finite_in[c][k] = true;
            }
            for_blocks_of_sums(split, c, K, term, [&](std::size_t k, const double* x, std::size_t len) {
                const double m = block_max(x, len, finite_in[c][k]);
                largest_in[c][k] = m > largest_in[c][k] ? m : largest_in[c][k];
            });
        });
        double largest[kMaxSums];
        for (std::size_t k = 0; k < K; ++k) {
            largest[k] = 0.0;
            for (std::size_t c = 0; c < split.chunks; ++c) {
                if (!finite_in[c][k]) largest[k] = std::numeric_limits<double>::infinity();
                largest[k] = largest_in[c][k] > largest[k] ? largest_in[c][k] : largest[k];
            }
        }
        reproducible_sums_below(n, K, largest, term, out);
        return;
    }
#endif
    reproducible_sums_below(n, K, nullptr, term, out);  // short or many sums: one at a time
}

// The order-independent sum of x[0] .. x[n − 1], read in place.
inline double reproducible_sum(const double* x, std::size_t n) {
    return reproducible::sum_blocks(n, [x](std::size_t start, std::size_t, double*) -> const double* { return x + start; });
}

// The largest |x[i]|, or +inf if any x[i] is not finite: sum_blocks's first pass, for a column
// whose largest value bounds several sums (the population in every population-weighted sum).
inline double largest_magnitude(const double* x, std::size_t n) {
    using namespace reproducible;
    const std::size_t chunks = chunk_count(n, kParallelGrain);
    double largest_of[64];
    parallel_chunks(chunks, [&](std::size_t c) {
        const auto [begin, end] = chunk_range(n, chunks, c);
        bool finite = true;
        double largest = 0.0;
        for (std::size_t start = begin; start < end; start += kBlock) {
            const std::size_t len = end - start < kBlock ? end - start : kBlock;
            const double m = block_max(x + start, len, finite);
            largest = m > largest ? m : largest;
        }
        largest_of[c] = finite ? largest : std::numeric_limits<double>::infinity();
    });
    double largest = 0.0;
    for (std::size_t c = 0; c < chunks; ++c) largest = largest_of[c] > largest ? largest_of[c] : largest;
    return largest;
}

// The order-independent sum of term(0) .. term(n − 1) given a bound largest ≥ max |term(i)|, such
// as a product of the factors' largest values: the extraction pass alone (sum_blocks_below; +inf,
// no bound known, is reproducible_sum).
template <class F>
double reproducible_sum_below(std::size_t n, double largest, F term) {
    return reproducible::sum_blocks_below(n, largest, [&](std::size_t start, std::size_t len, double* buffer) -> const double* {
        for (std::size_t j = 0; j < len; ++j) buffer[j] = term(start + j);
        return buffer;
    });
}

// A running total of amounts expected to be whole numbers, with what it takes to know that it is
// exact: whole numbers whose magnitudes sum below 2^53 add exactly in any order, so such a total,
// and any sum of such totals, does not depend on the order of the amounts.
struct WholeTally {
    double total = 0.0;
    double magnitude = 0.0;
    double fractions = 0.0;  // amounts that were not whole (or not finite), counted in a double
    void add(double x) {
        const double a = std::fabs(x);
        total += x;
        magnitude += a;
        fractions += ((a + 0x1p52) - 0x1p52) == a ? 0.0 : 1.0;
    }
    WholeTally& operator+=(const WholeTally& other) {
        total += other.total;
        magnitude += other.magnitude;
        fractions += other.fractions;
        return *this;
    }
    bool exact() const {
#if defined(__FAST_MATH__)
        return false;  // (a + 2^52) − 2^52 would fold to a
#else
        return fractions == 0.0 && magnitude < 0x1p53;
#endif
    }
};

// The sum of term(0) .. term(n − 1) when the terms are expected to be whole numbers (money in
// whole rounding units, bounds): if every term is an integer and Σ|term| < 2^53, every partial sum
// of them is exact in any order, so one plain pass in four lanes gives the exact, order-independent
// total. Otherwise (a fraction, or too large a total) it is reproducible_sum's result.
template <class F>
double whole_sum(std::size_t n, F term) {
    // Per chunk, four lanes of WholeTally's running values, in arrays so that the loop vectorises.
    const std::size_t chunks = chunk_count(n, kParallelGrain);
    WholeTally parts[64];
    parallel_chunks(chunks, [&](std::size_t c) {
        const auto [begin, end] = chunk_range(n, chunks, c);
        double total[4] = {0.0, 0.0, 0.0, 0.0};
        double magnitude[4] = {0.0, 0.0, 0.0, 0.0};
        double fractions[4] = {0.0, 0.0, 0.0, 0.0};
        auto add = [&](double x, std::size_t j) {
            const double a = std::fabs(x);
            fractions[j] += ((a + 0x1p52) - 0x1p52) == a ? 0.0 : 1.0;  // a fraction, NaN or infinity
            total[j] += x;
            magnitude[j] += a;
        };
        std::size_t i = begin;
        for (; i + 4 <= end; i += 4)
            for (std::size_t j = 0; j < 4; ++j) add(term(i + j), j);
        for (; i < end; ++i) add(term(i), 0);
        parts[c].total = (total[0] + total[1]) + (total[2] + total[3]);
        parts[c].magnitude = (magnitude[0] + magnitude[1]) + (magnitude[2] + magnitude[3]);
        parts[c].fractions = (fractions[0] + fractions[1]) + (fractions[2] + fractions[3]);
    });
    WholeTally all;
    for (std::size_t c = 0; c < chunks; ++c) all += parts[c];
    if (all.exact()) return all.total;
    return reproducible_sum(n, term);
}

}  // namespace fairer::detail
