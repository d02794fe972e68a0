// The fork-join of long allocation passes (detail/parallel.hpp): every chunk runs once, results do
// not depend on the threads, and callers on several threads at once are safe.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fairer/allocation.hpp"
#include "fairer/detail/allocation_numerics.hpp"
#include "fairer/detail/parallel.hpp"

namespace {

using fairer::detail::ParallelScope;

std::uint64_t bits(double x) {
    std::uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

// The running totals of a filter in the tests below: the dropped values and their count.
struct Dropped {
    double total = 0.0;
    double count = 0.0;
    Dropped& operator+=(const Dropped& other) {
        total += other.total;
        count += other.count;
        return *this;
    }
};

bool same_bits(fairer::ConstSpan a, fairer::ConstSpan b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (bits(a[i]) != bits(b[i])) return false;
    return true;
}

// A table like England's LSOAs: populations around 1,600, two indicators, a baseline in pence.
fairer::AllocationUnits lsoa_like(std::size_t n, std::uint32_t seed) {
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> pop(7.4, 0.3);
    std::normal_distribution<double> z(0.0, 1.0);
    std::uniform_real_distribution<double> spread(0.7, 1.3);
    fairer::AllocationUnits u;
    std::vector<double> population(n), x1(n), x2(n), baseline(n);
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < n; ++i) {
        ids.push_back("L" + std::to_string(100000 + i));
        population[i] = pop(rng);
        x1[i] = z(rng);
        x2[i] = z(rng);
        baseline[i] = std::round(population[i] * 2500.0 * spread(rng));
    }
    u.ids = std::move(ids);
    u.population = population;
    u.add_indicator("x1", x1);
    u.add_indicator("x2", x2);
    u.baseline = baseline;
    return u;
}

fairer::AllocationParameters bench_like(unsigned threads) {
    fairer::AllocationParameters p;
    auto need = fairer::NeedSpec::composite({"x1", "x2"}, {1, -1}, {0.6, 0.4});
    need.ratio = 3.0;
    p.components = {{"need", need, 1.0}};
    p.universal_share = 0.3;
    p.pace = fairer::PaceMode::damped;
    p.theta = 0.5;
    p.bounds.min_growth = 0.0;
    p.bounds.max_below_target = 0.15;
    p.bounds.over_target_threshold = 0.1;
    p.bounds.over_target_growth = 0.01;
    p.threads = threads;
    return p;
}

void require_same(const fairer::AllocationResult& a, const fairer::AllocationResult& b) {
    REQUIRE(a.need.size() == b.need.size());
    for (std::size_t c = 0; c < a.need.size(); ++c) CHECK(same_bits(a.need[c], b.need[c]));
    CHECK(same_bits(a.blended_need, b.blended_need));
    CHECK(same_bits(a.blend_shares, b.blend_shares));
    CHECK(same_bits(a.shares, b.shares));
    CHECK(same_bits(a.target, b.target));
    CHECK(same_bits(a.rebased_baseline, b.rebased_baseline));
    CHECK(same_bits(a.distance_from_target0, b.distance_from_target0));
    CHECK(same_bits(a.proposal, b.proposal));
    CHECK(same_bits(a.lower, b.lower));
    CHECK(same_bits(a.upper, b.upper));
    CHECK(same_bits(a.bounded, b.bounded));
    CHECK(a.rounded == b.rounded);
    CHECK(a.bound_status == b.bound_status);
    CHECK(bits(a.scale) == bits(b.scale));
    CHECK(a.warnings == b.warnings);
}

}  // namespace

TEST_CASE("parallel: every chunk runs exactly once, on one thread or two") {
    for (unsigned threads : {1U, 2U}) {
        const ParallelScope scope(threads);
        for (std::size_t count : {1U, 2U, 3U, 9U, 64U}) {
            std::vector<std::atomic<int>> runs(count);
            for (int repeat = 0; repeat < 200; ++repeat) {
                fairer::detail::parallel_chunks(count, [&](std::size_t c) { runs[c].fetch_add(1); });
            }
            for (std::size_t c = 0; c < count; ++c) CHECK(runs[c].load() == 200);
        }
    }
}

TEST_CASE("parallel: a helper that has gone to sleep is woken for the next loop") {
    const ParallelScope scope(2, 1U << 20);  // large enough to wake the helper at once
    for (int round = 0; round < 5; ++round) {
        // longer than the helper spins, so that it sleeps before the next loop is posted
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
        std::vector<std::atomic<int>> runs(16);
        fairer::detail::parallel_chunks(runs.size(), [&](std::size_t c) { runs[c].fetch_add(1); });
        for (auto& r : runs) CHECK(r.load() == 1);
    }
}

TEST_CASE("parallel: chunk ranges cover 0 .. n in order without gaps") {
    for (std::size_t n : {0U, 1U, 7U, 4096U, 4097U, 33755U, 1000000U}) {
        const std::size_t count = fairer::detail::chunk_count(n, fairer::detail::kParallelGrain);
        CHECK(count >= 1);
        CHECK(count <= 64);
        std::size_t next = 0;
        for (std::size_t c = 0; c < count; ++c) {
            const auto [begin, end] = fairer::detail::chunk_range(n, count, c);
            CHECK(begin == next);
            CHECK(end >= begin);
            next = end;
        }
        CHECK(next == n);
    }
}

TEST_CASE("parallel: sums, counts and filters give the same bits on one thread and two") {
    std::mt19937_64 rng(20261123);
    std::normal_distribution<double> z(0.0, 1.0);
    for (std::size_t n : {255U, 256U, 5000U, 33755U, 100000U}) {
        std::vector<double> x(n);
        for (auto& v : x) v = std::ldexp(z(rng), static_cast<int>(rng() % 40) - 20);
        std::vector<double> whole(n);
        for (auto& v : whole) v = std::round(z(rng) * 1e6);
        double sums[2];
        double whole_sums[2];
        std::vector<std::size_t> rows[2];
        std::vector<std::size_t> kept[2];
        std::vector<std::size_t> kept_rows[2];
        Dropped dropped[2];
        Dropped dropped_rows[2];
        for (unsigned threads : {1U, 2U}) {
            const ParallelScope scope(threads);
            const std::size_t k = threads - 1;
            sums[k] = fairer::detail::reproducible_sum(x.data(), n);
            whole_sums[k] = fairer::detail::whole_sum(n, [&](std::size_t i) { return whole[i]; });
            rows[k] = fairer::detail::rows_where(n, [&](std::size_t i) { return x[i] > 1.5; });
            kept[k].resize(n);
            for (std::size_t i = 0; i < n; ++i) kept[k][i] = i;
            const auto keep_positive = [&](std::size_t i, Dropped& s) {
                if (x[i] > 0.0) return true;
                s.total += x[i];
                s.count += 1.0;
                return false;
            };
            dropped[k] = {};
            fairer::detail::ItemList list{kept[k].data(), n};
            fairer::detail::filter_items(list, dropped[k], keep_positive);
            kept[k].resize(list.size);
            // the same filter from the rows 0 .. n − 1, without the list written first
            kept_rows[k].assign(n, n);
            dropped_rows[k] = {};
            fairer::detail::ItemList rows_list{kept_rows[k].data(), n};
            fairer::detail::filter_items<true>(rows_list, dropped_rows[k], keep_positive);
            kept_rows[k].resize(rows_list.size);
        }
        CHECK(kept_rows[0] == kept[0]);
        CHECK(kept_rows[1] == kept[1]);
        CHECK(bits(dropped_rows[0].total) == bits(dropped[0].total));
        CHECK(bits(dropped_rows[1].total) == bits(dropped[1].total));
        CHECK(bits(sums[0]) == bits(sums[1]));
        CHECK(bits(whole_sums[0]) == bits(whole_sums[1]));
        CHECK(rows[0] == rows[1]);
        CHECK(kept[0] == kept[1]);
        CHECK(bits(dropped[0].total) == bits(dropped[1].total));
        CHECK(dropped[0].count == dropped[1].count);
        // and against plain loops
        std::size_t above = 0;
        std::size_t positive = 0;
        for (double v : x) {
            above += v > 1.5 ? 1 : 0;
            positive += v > 0.0 ? 1 : 0;
        }
        CHECK(rows[0].size() == above);
        CHECK(kept[0].size() == positive);
        CHECK(dropped[0].count == static_cast<double>(n - positive));
        for (std::size_t j = 1; j < kept[0].size(); ++j) CHECK(kept[0][j - 1] < kept[0][j]);
        fairer::detail::ExactSum exact;
        for (double v : whole) exact.add(v);
        CHECK(whole_sums[0] == exact.value());
    }
}

TEST_CASE("parallel: an allocation over 33,755 units is identical on one thread and two") {
    const auto units = lsoa_like(33755, 7);
    const std::int64_t budget = 150'000'000'000;
    const auto one = fairer::allocate(units, budget, bench_like(1));
    const auto two = fairer::allocate(units, budget, bench_like(2));
    require_same(one, two);
    std::int64_t total = 0;
    for (auto v : two.rounded) total += v;
    CHECK(total == budget);
    CHECK(two.at_floor + two.at_cap > 0);  // the bounds bind, so the fit's passes all ran
}

TEST_CASE("parallel: allocations on several threads at once share the helper safely") {
    const auto units = lsoa_like(20000, 11);
    const std::int64_t budget = 90'000'000'000;
    const auto expected = fairer::allocate(units, budget, bench_like(1));
    std::vector<fairer::AllocationResult> results(4);
    std::vector<std::thread> callers;
    for (std::size_t t = 0; t < results.size(); ++t)
        callers.emplace_back([&, t] {
            for (int repeat = 0; repeat < 5; ++repeat) results[t] = fairer::allocate(units, budget, bench_like(0));
        });
    for (auto& c : callers) c.join();
    for (const auto& r : results) require_same(expected, r);
}

TEST_CASE("parallel: a scope restores the setting it replaced") {
    CHECK(fairer::detail::parallel::scope_threads() == 1);
    {
        const ParallelScope outer(2);
        CHECK(fairer::detail::parallel::scope_threads() == 2);
        {
            const ParallelScope inner(1);
            CHECK(fairer::detail::parallel::scope_threads() == 1);
        }
        CHECK(fairer::detail::parallel::scope_threads() == 2);
    }
    CHECK(fairer::detail::parallel::scope_threads() == 1);
}
