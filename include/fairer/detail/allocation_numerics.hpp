// Numerical building blocks of the allocation engine: a non-owning view of a column, an
// order-independent sum, and the helpers that name units in error messages.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <new>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/detail/exact_sum.hpp"  // detail::ExactSum, used by the diagnostics
#include "fairer/detail/reproducible_sum.hpp"

namespace fairer::detail {

// A read-only view of contiguous values (a std::vector or a numpy buffer). It never owns memory:
// whoever builds one keeps the storage alive for as long as the view is used.
template <class T>
class Span {
public:
    Span() = default;
    Span(const T* data, std::size_t size) : data_(data), size_(size) {}
    template <class Allocator>
    Span(const std::vector<T, Allocator>& v) : data_(v.data()), size_(v.size()) {}  // NOLINT: implicit by design
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    const T* begin() const noexcept { return data_; }
    const T* end() const noexcept { return data_ + size_; }

private:
    const T* data_ = nullptr;
    std::size_t size_ = 0;
};

// A std::allocator whose value-initialisation of a new element (as in resize(n) or vector(n)) is
// default-initialisation: a column of doubles sized for a pass that fills it is not first filled
// with zeros. Every other construction is std::allocator's.
template <class T>
struct default_init_allocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = default_init_allocator<U>;
    };
    default_init_allocator() = default;
    template <class U>
    default_init_allocator(const default_init_allocator<U>&) noexcept {}  // NOLINT: as std::allocator's
    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible<U>::value) {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

// Result columns compare with plain vectors of the same values (found by argument-dependent
// lookup through the allocator's namespace; two result columns compare as any two vectors).
template <class T, class A>
using if_other_allocator = std::enable_if_t<!std::is_same<A, default_init_allocator<T>>::value, bool>;

template <class T, class A, if_other_allocator<T, A> = true>
bool operator==(const std::vector<T, default_init_allocator<T>>& a, const std::vector<T, A>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}
template <class T, class A, if_other_allocator<T, A> = true>
bool operator==(const std::vector<T, A>& a, const std::vector<T, default_init_allocator<T>>& b) {
    return b == a;
}
template <class T, class A, if_other_allocator<T, A> = true>
bool operator!=(const std::vector<T, default_init_allocator<T>>& a, const std::vector<T, A>& b) {
    return !(a == b);
}
template <class T, class A, if_other_allocator<T, A> = true>
bool operator!=(const std::vector<T, A>& a, const std::vector<T, default_init_allocator<T>>& b) {
    return !(b == a);
}

// The order-independent sum of term(0) .. term(n − 1) (reproducible_sum.hpp): every allocation
// total goes through it, so each output depends only on the multiset of rows, never on their
// order (invariant I9, including the rounding ties).
template <class F>
double sum_of(std::size_t n, F term) {
    return reproducible_sum(n, term);
}

inline double sum_of(Span<double> x) { return reproducible_sum(x.data(), x.size()); }

// Calls f(i) for every unit i < n, in chunks on up to two threads (parallel.hpp); f writes unit
// i's own outputs only, so the result is the same as a plain loop's.
template <class F>
void for_each_unit(std::size_t n, F f) {
    parallel_for(n, kParallelGrain, [&](std::size_t begin, std::size_t end) {
        F local = f;  // a copy whose address stays here, so that stores through char pointers in f
                      // do not force its captures to be reloaded on every item
        for (std::size_t i = begin; i < end; ++i) local(i);
    });
}

// How many i in [begin, end) have flagged(i) true, counted in four double lanes: GCC vectorises
// that for SSE2, where a count in integers or a running "any" stays scalar (3 to 4 times slower).
template <class Pred>
std::size_t count_where(std::size_t begin, std::size_t end, Pred flagged) {
    double k[4] = {0.0, 0.0, 0.0, 0.0};
    std::size_t i = begin;
    for (; i + 4 <= end; i += 4)
        for (std::size_t j = 0; j < 4; ++j) k[j] += flagged(i + j) ? 1.0 : 0.0;
    for (; i < end; ++i) k[0] += flagged(i) ? 1.0 : 0.0;
    return static_cast<std::size_t>((k[0] + k[1]) + (k[2] + k[3]));
}

// The value checks of the engine's columns. Each is written with & rather than &&, so that a count
// over it vectorises (see rows_where).
inline bool not_finite(double x) { return !(std::fabs(x) < std::numeric_limits<double>::infinity()); }
inline bool negative_or_not_finite(double x) {  // populations, money
    return !((x >= 0.0) & (x < std::numeric_limits<double>::infinity()));
}
inline bool not_positive_finite(double x) {  // need indices, cost factors
    return !((x > 0.0) & (x < std::numeric_limits<double>::infinity()));
}

// The rows i < n, in order, where flagged(i) is true: a vectorisable count per chunk, and a
// second look only at chunks that have any (the usual case, valid input, has none). The count
// vectorises when flagged takes its columns as pointers, by value, and tests them with & rather
// than && (a capture by reference, or a short-circuit, leaves it scalar and 2 to 3 times slower).
template <class Pred>
std::vector<std::size_t> rows_where(std::size_t n, Pred flagged) {
    const std::size_t chunks = chunk_count(n, kParallelGrain);
    std::size_t count[64];
    parallel_chunks(chunks, [&](std::size_t c) {
        const auto [begin, end] = chunk_range(n, chunks, c);
        count[c] = count_where(begin, end, flagged);
    });
    std::vector<std::size_t> rows;
    for (std::size_t c = 0; c < chunks; ++c) {
        if (count[c] == 0) continue;
        const auto [begin, end] = chunk_range(n, chunks, c);
        for (std::size_t i = begin; i < end; ++i)
            if (flagged(i)) rows.push_back(i);
    }
    return rows;
}

// A list of row numbers in memory owned elsewhere (a scratch vector), with its current length.
struct ItemList {
    std::size_t* items;
    std::size_t size;
    std::size_t* begin() const { return items; }
    std::size_t* end() const { return items + size; }
};

// Keeps the items of v for which keep(item, totals) is true, in their order; keep adds to totals
// (running totals of any type with +=) whatever it needs (the bounded fit adds the amounts of the
// items it drops and evaluates the ones it keeps). v is cut into chunks (by position) that are
// filtered in place on up to two threads, each with its own totals, which are then added to sums
// in chunk order; then the kept items are closed up. With AllRows, v starts as the rows
// 0 .. v.size − 1, which need not have been written to it.
template <bool AllRows = false, class Totals, class Keep>
void filter_items(ItemList& v, Totals& sums, Keep keep) {
    const std::size_t m = v.size;
    const std::size_t chunks = chunk_count(m, kParallelGrain);
    std::size_t kept[64];
    Totals part[64];
    parallel_chunks(chunks, [&](std::size_t c) {
        const auto [begin, end] = chunk_range(m, chunks, c);
        Keep local = keep;  // as in for_each_unit
        std::size_t* items = v.items;
        std::size_t out = begin;
        Totals totals{};
        for (std::size_t j = begin; j < end; ++j) {
            const std::size_t item = AllRows ? j : items[j];
            items[out] = item;
            out += local(item, totals) ? 1 : 0;  // branch-free: whether an item stays is hard to predict
        }
        kept[c] = out - begin;
        part[c] = totals;
    });
    std::size_t size = kept[0];
    for (std::size_t c = 1; c < chunks; ++c) {
        const std::size_t begin = chunk_range(m, chunks, c).first;
        std::copy(v.items + begin, v.items + begin + kept[c], v.items + size);
        size += kept[c];
    }
    v.size = size;
    for (std::size_t c = 0; c < chunks; ++c) sums += part[c];
}

// Σ term(v[j]) over the items of v, as two running totals f and w: term(item, f, w) adds to them.
// In chunks on up to two threads, each with its own totals, added to f and w in chunk order.
template <class Term>
void add_over(const ItemList& v, double& f, double& w, Term term) {
    const std::size_t m = v.size;
    const std::size_t chunks = chunk_count(m, kParallelGrain);
    double part_f[64];
    double part_w[64];
    parallel_chunks(chunks, [&](std::size_t c) {
        const auto [begin, end] = chunk_range(m, chunks, c);
        Term local = term;  // as in for_each_unit
        const std::size_t* items = v.items;
        double fc = 0.0;
        double wc = 0.0;
        for (std::size_t j = begin; j < end; ++j) local(items[j], fc, wc);
        part_f[c] = fc;
        part_w[c] = wc;
    });
    for (std::size_t c = 0; c < chunks; ++c) {
        f += part_f[c];
        w += part_w[c];
    }
}

// Runs job(k) for k < count, shared between the two threads, for jobs that allocate (filling
// and copying long columns); a std::bad_alloc in any of them is rethrown here.
template <class Job>
void run_jobs(std::size_t count, Job job) {
    std::atomic<bool> out_of_memory{false};
    parallel_chunks(count, [&](std::size_t k) {
        try {
            job(k);
        } catch (const std::bad_alloc&) {
            out_of_memory = true;
        }
    });
    if (out_of_memory) throw std::bad_alloc();
}

// Resizes each vector to n zero values, the vectors shared between the two threads (zero-filling
// long columns one after another is a serial cost worth halving).
template <class... Vectors>
void resize_all(std::size_t n, Vectors&... vectors) {
    run_jobs(sizeof...(Vectors), [&](std::size_t job) {
        std::size_t k = 0;
        ((k++ == job ? vectors.resize(n) : void()), ...);
    });
}

// A work vector of at least n elements, kept per thread and reused from one call to the next
// (slot tells a function's vectors apart): its contents are left over from the last use, so the
// caller writes every element it reads. Long allocations over the same table then skip the
// allocation and the zero-filling of their temporaries; the memory stays with the thread.
template <class T, int Slot>
T* scratch(std::size_t n) {
    thread_local std::vector<T> storage;
    if (storage.size() < n) storage.resize(n);
    return storage.data();
}

// The rows of the column v[0 .. n) whose value fails: bad is one of the checks above.
template <bool (*Bad)(double)>
std::vector<std::size_t> failing_rows(const double* v, std::size_t n) {
    return rows_where(n, [v](std::size_t i) { return Bad(v[i]); });
}

// The ids of the given rows, for error messages.
inline std::vector<std::string> ids_of(const std::vector<std::string>& ids, const std::vector<std::size_t>& rows) {
    std::vector<std::string> names;
    names.reserve(rows.size());
    for (std::size_t i : rows) names.push_back(ids[i]);
    return names;
}

// Bounds to whole rounding units in place: v ← u·⌈v/u − 1e-9⌉ (up) or u·⌊v/u + 1e-9⌋ (down), the
// 1e-9 keeping a bound meant to be whole from moving by representation error; +0 for −1 < v/u ≤ 0;
// infinities and NaN pass through. It runs over every unit, and x86-64's baseline SSE2 has no
// rounding instruction, so instead of a libm call per value: below 2^51 in magnitude, adding and
// subtracting 1.5·2^52 rounds y = v/u ± 1e-9 to the nearest integer r, which is stepped by one if
// it lies on the wrong side of y; larger magnitudes are already integers.
#if defined(FAIRER_AVX2_DISPATCH) && !defined(__FAST_MATH__)
// to_whole_units' loop on AVX2 (the same operations, four values at a time) over v[0 .. n − n % 4).
FAIRER_TARGET_AVX2 inline void to_whole_units_avx2(double* v, std::size_t n, double unit, double nudge, double step, bool up) {
    const __m256d u = _mm256_set1_pd(unit);
    const __m256d d = _mm256_set1_pd(nudge);
    const __m256d s = _mm256_set1_pd(step);
    const __m256d magic = _mm256_set1_pd(0x1.8p52);
    const __m256d limit = _mm256_set1_pd(0x1p51);
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFF));
    for (std::size_t i = 0; i + 4 <= n; i += 4) {
        const __m256d y = _mm256_add_pd(_mm256_div_pd(_mm256_loadu_pd(v + i), u), d);
        const __m256d r = _mm256_sub_pd(_mm256_add_pd(y, magic), magic);
        const __m256d wrong_side = up ? _mm256_cmp_pd(r, y, _CMP_LT_OQ) : _mm256_cmp_pd(r, y, _CMP_GT_OQ);
        const __m256d whole = _mm256_add_pd(_mm256_add_pd(r, _mm256_and_pd(wrong_side, s)), _mm256_setzero_pd());
        const __m256d small = _mm256_cmp_pd(_mm256_and_pd(y, abs_mask), limit, _CMP_LT_OQ);
        const __m256d out = _mm256_or_pd(_mm256_and_pd(small, whole), _mm256_andnot_pd(small, y));
        _mm256_storeu_pd(v + i, _mm256_mul_pd(u, out));
    }
}
#endif

inline void to_whole_units(double* v, std::size_t n, double unit, bool up) {
    const double nudge = up ? -1e-9 : 1e-9;
    const double step = up ? 1.0 : -1.0;
    std::size_t i = 0;
#if defined(FAIRER_AVX2_DISPATCH) && !defined(__FAST_MATH__)
    if (reproducible::cpu_has_avx2()) {
        to_whole_units_avx2(v, n, unit, nudge, step, up);
        i = n - n % 4;
    }
#endif
#if defined(FAIRER_HAVE_SSE2) && !defined(__FAST_MATH__)
    const __m128d u = _mm_set1_pd(unit);
    const __m128d d = _mm_set1_pd(nudge);
    const __m128d s = _mm_set1_pd(step);
    const __m128d magic = _mm_set1_pd(0x1.8p52);
    const __m128d limit = _mm_set1_pd(0x1p51);
    const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7FFFFFFFFFFFFFFF));
    for (; i + 2 <= n; i += 2) {
        const __m128d y = _mm_add_pd(_mm_div_pd(_mm_loadu_pd(v + i), u), d);
        const __m128d r = _mm_sub_pd(_mm_add_pd(y, magic), magic);
        const __m128d wrong_side = up ? _mm_cmplt_pd(r, y) : _mm_cmpgt_pd(r, y);
        const __m128d whole = _mm_add_pd(_mm_add_pd(r, _mm_and_pd(wrong_side, s)), _mm_setzero_pd());
        const __m128d small = _mm_cmplt_pd(_mm_and_pd(y, abs_mask), limit);
        const __m128d out = _mm_or_pd(_mm_and_pd(small, whole), _mm_andnot_pd(small, y));
        _mm_storeu_pd(v + i, _mm_mul_pd(u, out));
    }
#endif
    for (; i < n; ++i) {
        const double y = v[i] / unit + nudge;
#if defined(__FAST_MATH__)
        const double whole = up ? std::ceil(y) + 0.0 : std::floor(y) + 0.0;
#else
        const double r = (y + 0x1.8p52) - 0x1.8p52;
        const double whole = ((up ? r < y : r > y) ? r + step : r) + 0.0;
#endif
        v[i] = unit * (std::fabs(y) < 0x1p51 ? whole : y);
    }
}

// The name a unit has in messages: its id when ids are known, else its 0-based row.
inline std::string unit_name(const std::vector<std::string>* ids, std::size_t i) {
    if (ids != nullptr && i < ids->size()) return (*ids)[i];
    return "row " + std::to_string(i);
}

// At most a few names in a message, then "and k more"; the error's units() has them all.
inline std::string list_units(const std::vector<std::string>& names) {
    std::string s;
    const std::size_t shown = names.size() < 5 ? names.size() : 5;
    for (std::size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + names[i];
    if (names.size() > shown) s += " and " + std::to_string(names.size() - shown) + " more";
    return s;
}

// Shortest text that reads back as the same double, for numbers quoted in messages.
inline std::string format_number(double x) { return format_double(x); }

}  // namespace fairer::detail
