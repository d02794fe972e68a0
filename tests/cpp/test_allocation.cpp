// The allocation pipeline (allocation.md §1–3, §5–8) against the worked examples of §14 (figures
// computed by an independent implementation), and the bounded fit against a bisection.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "fairer/allocation.hpp"

#include "allocation_support.hpp"

using allocation_support::direct_need;
using allocation_support::error_code;
using allocation_support::example1_units;

TEST_CASE("Example 1: the 50/50 blend gives the exact shares") {
    const auto r = fairer::allocate(example1_units(), 100000000, direct_need(0.5));
    const std::vector<double> shares{3.0 / 20, 1.0 / 4, 3.0 / 10, 3.0 / 10};
    const std::vector<std::int64_t> pounds{150000, 250000, 300000, 300000};
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(r.shares[i] == doctest::Approx(shares[i]).epsilon(1e-15));
        CHECK(r.rounded[i] == pounds[i] * 100);
    }
    auto calibrated = direct_need(0.0);
    calibrated.target_ratio = 2.0;
    CHECK(fairer::allocate(example1_units(), 100000000, calibrated).universal_share == doctest::Approx(0.5).epsilon(1e-15));
    calibrated.target_ratio = 3.0;
    const auto r3 = fairer::allocate(example1_units(), 100000000, calibrated);
    CHECK(r3.universal_share == doctest::Approx(0.2).epsilon(1e-15));
    const std::vector<double> per_head{18, 14, 10, 6};
    for (std::size_t i = 0; i < 4; ++i) CHECK(r3.target[i] / 100 / r3.population[i] == doctest::Approx(per_head[i]));
    calibrated.target_ratio = 4.5;  // the need indices allow at most 2/0.5 = 4
    CHECK(error_code([&] { fairer::allocate(example1_units(), 100000000, calibrated); }) == "E10");
}

TEST_CASE("Example 2: decile gradient 2.0 .. 1.0 rounded to whole pounds") {
    fairer::AllocationUnits u;
    u.population = {3000, 2500, 2200, 2000, 1800, 1700, 1600, 1500, 1400, 1300};
    std::vector<std::string> ids;
    for (int g = 1; g <= 10; ++g) {
        ids.push_back("decile" + std::to_string(g));
        u.group.push_back(g);
    }
    u.ids = ids;
    fairer::AllocationParameters p;
    p.components = {{"deprivation", fairer::NeedSpec::gradient(10, 1.0, 2.0), 1.0}};
    const auto r = fairer::allocate(u, 100000000, p);
    const std::vector<std::int64_t> pounds{199704, 157175, 130177, 110947, 93195, 81731, 71006, 61021, 51775, 43269};
    const std::vector<double> targets{199704.14, 157174.56, 130177.51, 110946.75, 93195.27,
                                      81730.77,  71005.92,  61020.71,  51775.15,  43269.23};
    for (std::size_t i = 0; i < 10; ++i) {
        CHECK(r.target[i] / 100 == doctest::Approx(targets[i]).epsilon(0.006 / targets[i]));
        CHECK(r.rounded[i] == pounds[i] * 100);
    }
    CHECK((r.target[0] / 3000) / (r.target[9] / 1300) == doctest::Approx(2.0).epsilon(1e-14));
}

TEST_CASE("Example 5: damping, minimum growth, maximum distance below target and over-target cap") {
    fairer::AllocationUnits u;
    u.ids = {"U1", "U2", "U3", "U4", "U5"};
    u.population = {1, 1, 1, 1, 1};
    u.add_indicator("share", {0.11, 0.20, 0.16, 0.06, 0.47});
    u.baseline = {10000000, 20000000, 15000000, 5000000, 50000000};
    fairer::AllocationParameters p;
    p.components = {{"share", fairer::NeedSpec::direct("share"), 1.0}};
    p.pace = fairer::PaceMode::damped;
    p.theta = 0.5;
    p.bounds.min_growth = 0.03;
    p.bounds.max_below_target = 0.08;
    p.bounds.over_target_threshold = 0.05;
    p.bounds.over_target_growth = 0.03;
    const auto r = fairer::allocate(u, 104000000, p);
    const std::vector<double> proposal{109200, 208000, 161200, 57200, 504400};
    const std::vector<double> lower{105248, 206000, 154500, 57408, 515000};
    const std::vector<double> bounded{105642.92, 206000, 155949.08, 57408, 515000};
    const std::vector<std::int64_t> pounds{105643, 206000, 155949, 57408, 515000};
    for (std::size_t i = 0; i < 5; ++i) {
        CHECK(r.proposal[i] / 100 == doctest::Approx(proposal[i]).epsilon(1e-12));
        CHECK(r.lower[i] / 100 == doctest::Approx(lower[i]).epsilon(1e-12));
        CHECK(r.bounded[i] / 100 == doctest::Approx(bounded[i]).epsilon(0.006 / bounded[i]));
        CHECK(r.rounded[i] == pounds[i] * 100);
    }
    CHECK(std::isinf(r.upper[0]));
    CHECK(r.upper[4] == 51500000);
    CHECK(r.scale == doctest::Approx(32699.0 / 33800.0).epsilon(1e-13));
    CHECK(r.bound_status[1] == fairer::BoundStatus::floor);
    CHECK(r.bound_status[0] == fairer::BoundStatus::free);
    CHECK(r.at_floor == 3);
}

TEST_CASE("Example 5b: every unit clamped in one pass, solved by breakpoints") {
    const std::vector<double> a{126000, 189000, 183750, 68250, 483000};
    const std::vector<double> lo{102000, 204000, 153000, 51000, 510000};
    const std::vector<double> hi{110000, 220000, 165000, 55000, 550000};
    const auto fit = fairer::bounded_fit(a, lo, hi, 1050000);
    CHECK(fit.scale == doctest::Approx(516.0 / 483.0).epsilon(1e-14));
    const std::vector<double> expected{110000, 204000, 165000, 55000, 516000};
    for (std::size_t i = 0; i < 5; ++i) CHECK(fit.allocation[i] == doctest::Approx(expected[i]).epsilon(1e-14));
    CHECK(error_code([&] { fairer::bounded_fit(a, lo, hi, 1019999); }) == "E8");
    CHECK(error_code([&] { fairer::bounded_fit(a, lo, hi, 1200000); }) == "E8");
}

TEST_CASE("Bounded fit agrees with bisection on F (I12)") {
    const std::vector<double> a{5, 0, 12.5, 3, 40, 7.25, 0.5};
    const std::vector<double> lo{10, 4, 0, 6, 30, 0, 2};
    const std::vector<double> hi{20, 9, 25, 1e300, 60, 14, 3};
    for (double T : {60.0, 75.5, 100.0, 150.0, 170.0}) {
        for (auto mode : {fairer::Redistribution::proportional, fairer::Redistribution::per_capita}) {
            const std::vector<double> pop{1, 2, 3, 1, 5, 2, 0};
            const auto fit = fairer::bounded_fit(a, lo, hi, static_cast<std::int64_t>(T * 1000) / 1000, mode, pop);
            const double target = static_cast<double>(static_cast<std::int64_t>(T * 1000) / 1000);
            const bool proportional = mode == fairer::Redistribution::proportional;
            const std::vector<double> zeros(a.size(), 0.0);
            const auto want = proportional ? allocation_support::bisect_fit(zeros, a, lo, hi, target, -1e6, 1e6)
                                           : allocation_support::bisect_fit(a, pop, lo, hi, target, -1e6, 1e6);
            for (std::size_t i = 0; i < a.size(); ++i) CHECK(fit.allocation[i] == doctest::Approx(want[i]).epsilon(1e-9));
        }
    }
}

TEST_CASE("Bounded fit on 20,000 units agrees with bisection and ignores row order (I9, I12)") {
    // Many kinks close to the solution, where the solver's Newton pivots, secant steps and
    // median fallback all take part; a bisection on F is the independent answer.
    std::uint64_t state = 12345;
    auto uniform = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) * 0x1.0p-53;
    };
    const std::size_t n = 20000;
    std::vector<double> a(n), lo(n), hi(n), pop(n);
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = 1000.0 + 99000.0 * uniform();
        lo[i] = std::floor(a[i] * (0.8 + 0.25 * uniform()));
        hi[i] = uniform() < 0.3 ? lo[i] + std::floor(a[i] * 0.1 * uniform()) + 1.0 : 1e300;
        pop[i] = 1.0 + 500.0 * uniform();
    }
    const double sum_a = std::accumulate(a.begin(), a.end(), 0.0);
    for (auto mode : {fairer::Redistribution::proportional, fairer::Redistribution::per_capita}) {
        const auto budget = static_cast<std::int64_t>(sum_a);
        const auto fit = fairer::bounded_fit(a, lo, hi, budget, mode, pop);
        const std::vector<double> zeros(n, 0.0);
        const auto want = mode == fairer::Redistribution::proportional
                              ? allocation_support::bisect_fit(zeros, a, lo, hi, static_cast<double>(budget), -1e7, 1e7)
                              : allocation_support::bisect_fit(a, pop, lo, hi, static_cast<double>(budget), -1e7, 1e7);
        std::size_t off = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (std::fabs(fit.allocation[i] - want[i]) > 1e-6 + 1e-9 * want[i]) ++off;
        CHECK(off == 0);
        std::vector<double> ra(a.rbegin(), a.rend()), rl(lo.rbegin(), lo.rend()), rh(hi.rbegin(), hi.rend()),
            rp(pop.rbegin(), pop.rend());
        const auto reversed = fairer::bounded_fit(ra, rl, rh, budget, mode, rp);
        std::size_t differ = 0;
        for (std::size_t i = 0; i < n; ++i) differ += reversed.allocation[n - 1 - i] != fit.allocation[i] ? 1U : 0U;
        CHECK(differ == 0);
    }
}

TEST_CASE("Example 6: gap-closing pace rule") {
    const std::vector<double> b{300, 300, 400};
    auto targets = [](double T) { return std::vector<double>{0.40 * T, 0.35 * T, 0.25 * T}; };
    auto a = fairer::pace_gap_closing(b, targets(1100), 1100);
    CHECK(a[0] == doctest::Approx(362.2222).epsilon(1e-6));
    CHECK(a[1] == doctest::Approx(337.7778).epsilon(1e-6));
    CHECK(a[2] == doctest::Approx(400));
    a = fairer::pace_gap_closing(b, targets(1200), 1200);
    CHECK(a == std::vector<double>{420, 380, 400});
    a = fairer::pace_gap_closing(b, targets(900), 900);
    for (double x : a) CHECK(x == doctest::Approx(300));
}

TEST_CASE("Example 7: largest remainder test vectors") {
    const std::vector<double> votes{47000, 16000, 15800, 12000, 6100, 3100};
    const auto seats = fairer::largest_remainder(votes, 10, 1, {"a", "b", "c", "d", "e", "f"});
    CHECK(seats == std::vector<std::int64_t>{5, 2, 1, 1, 1, 0});
    const std::vector<double> thirds{1, 1, 1};
    CHECK(fairer::largest_remainder(thirds, 10000, 1, {"y", "x", "z"}) == std::vector<std::int64_t>{3333, 3334, 3333});
    CHECK(error_code([&] { fairer::largest_remainder(thirds, 10001, 100, {"y", "x", "z"}); }) == "E2");
}

TEST_CASE("Rows in any order give the same allocation, ties included (I9)") {
    fairer::AllocationUnits u;
    u.ids = {"c", "a", "d", "b", "e"};
    u.population = {100, 100, 100, 100, 100};
    const auto base = fairer::allocate(u, 100 * 1003, {});
    std::vector<std::size_t> perm{4, 2, 0, 3, 1};
    fairer::AllocationUnits v;
    std::vector<std::string> permuted;
    for (auto k : perm) permuted.push_back(u.ids[k]);
    v.ids = permuted;
    v.population = {100, 100, 100, 100, 100};
    const auto other = fairer::allocate(v, 100 * 1003, {});
    for (std::size_t j = 0; j < perm.size(); ++j) CHECK(other.rounded[j] == base.rounded[perm[j]]);
    CHECK(base.rounded == std::vector<std::int64_t>{20100, 20100, 20000, 20100, 20000});
}

TEST_CASE("Validation errors carry the spec's codes and the offending units") {
    auto u = example1_units();
    std::vector<std::string> ids = u.ids;
    ids[2] = "A";
    u.ids = ids;
    try {
        fairer::allocate(u, 100, {});
        FAIL("expected E1");
    } catch (const fairer::AllocationError& e) {
        CHECK(e.code() == "E1");
        CHECK(e.units() == std::vector<std::string>{"A"});
    }
    CHECK(error_code([] { fairer::allocate(example1_units(), 150, {}); }) == "E2");
    CHECK(error_code([] { fairer::budget_to_pence(1.001); }) == "E2");
    CHECK(fairer::budget_to_pence(1234.56) == 123456);
    fairer::AllocationParameters p;
    p.pace = fairer::PaceMode::damped;
    CHECK(error_code([&] { fairer::allocate(example1_units(), 100, p); }) == "E7");
}

TEST_CASE("Short totals are exact and independent of the order of the terms") {
    // Plain double arithmetic loses the 1 in 1e16 + 1 − 1e16; the exact sum keeps it. The exact
    // value of 0.1 + 0.2 − 0.3 (as doubles) is 2^-55 = 2.7755575615628914e-17 (checked with
    // Python's fractions.Fraction).
    using fairer::detail::sum_of;
    CHECK(sum_of(std::vector<double>{1e16, 1.0, -1e16}) == 1.0);
    CHECK(sum_of(std::vector<double>{0.1, 0.2, -0.3}) == 2.7755575615628914e-17);
    CHECK(sum_of(std::vector<double>{}) == 0.0);
    CHECK(sum_of(std::vector<double>{5e-324, 5e-324}) == 1e-323);
    CHECK(sum_of(std::vector<double>{-2.5, 1.25}) == -1.25);
    std::vector<double> y{1e16, 1.0, -1e16, 0.1, 0.2, -0.3, 1e300, -1e300};
    std::sort(y.begin(), y.end());
    const double first = sum_of(y);
    CHECK(first == 1.0);
    int orders = 0;
    do {
        CHECK(sum_of(y) == first);
        ++orders;
    } while (std::next_permutation(y.begin(), y.end()) && orders < 5000);
}

namespace {
// The exact sum by the long accumulator, the second method the fast sum is checked against.
double exact_total(const std::vector<double>& x) {
    fairer::detail::ExactSum s;
    for (double v : x) s.add(v);
    return s.value();
}
}  // namespace

TEST_CASE("Long totals are order independent and within the stated error bound") {
    using fairer::detail::sum_of;
    std::mt19937_64 gen(20261123);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    // Sizes on both sides of the exact-sum threshold and of the 512-term blocks.
    for (std::size_t n : {255u, 256u, 511u, 512u, 513u, 1024u, 4099u, 33755u}) {
        for (int decades : {1, 8, 16}) {
            std::vector<double> x(n);
            for (auto& v : x) v = (unit(gen) < 0.5 ? -1.0 : 1.0) * std::pow(10.0, decades * unit(gen)) * unit(gen);
            const double got = sum_of(x);
            const double largest = std::fabs(*std::max_element(x.begin(), x.end(), [](double a, double b) {
                return std::fabs(a) < std::fabs(b);
            }));
            int e = 0;
            std::frexp(largest, &e);
            // reproducible_sum.hpp: |error| ≤ n·2^(e−101), plus the final rounding (half an ulp).
            const double exact = exact_total(x);
            const double bound = static_cast<double>(n) * std::ldexp(1.0, e - 101) + 0.5 * std::fabs(exact) * 0x1p-52;
            CAPTURE(n);
            CAPTURE(decades);
            CHECK(std::fabs(got - exact) <= bound);
            for (int k = 0; k < 20; ++k) {
                std::shuffle(x.begin(), x.end(), gen);
                CHECK(sum_of(x) == got);
            }
            // the functor form evaluates the same terms and gives the same double
            CHECK(sum_of(n, [&](std::size_t i) { return x[i]; }) == got);
        }
    }
}

TEST_CASE("Long totals: cancellation, integers, non-finite terms and extreme magnitudes") {
    using fairer::detail::sum_of;
    std::vector<double> x(1000, 0.0);
    x[3] = 1e16;
    x[500] = 1.0;
    x[997] = -1e16;
    CHECK(sum_of(x) == 1.0);  // plain summation gives 0
    // Whole pence: the sum of integer-valued doubles is exact (second method: int64).
    std::mt19937_64 gen(7);
    std::vector<double> pence(50000);
    std::int64_t integer_total = 0;
    for (auto& v : pence) {
        const auto p = static_cast<std::int64_t>(gen() % 90000000000ULL);
        integer_total += p;
        v = static_cast<double>(p);
    }
    CHECK(sum_of(pence) == static_cast<double>(integer_total));
    // Non-finite terms follow IEEE addition whatever their position.
    std::vector<double> y(3000, 1.0);
    y[1234] = std::numeric_limits<double>::infinity();
    CHECK(sum_of(y) == std::numeric_limits<double>::infinity());
    y[2] = -std::numeric_limits<double>::infinity();
    CHECK(std::isnan(sum_of(y)));
    y[2] = std::numeric_limits<double>::quiet_NaN();
    CHECK(std::isnan(sum_of(y)));
    // Magnitudes where the extraction boundaries would leave the normal range are summed exactly.
    std::vector<double> tiny(2000, 3e-320);
    tiny[5] = -1e-310;
    CHECK(sum_of(tiny) == exact_total(tiny));
    std::vector<double> huge(2000, 1e308);
    for (std::size_t i = 0; i < huge.size(); i += 2) huge[i] = -1e308;
    huge[7] = 1.0;
    CHECK(sum_of(huge) == exact_total(huge));
}

TEST_CASE("Bounded sums: any bound at or above the largest term gives an order-independent total within its error bound") {
    // A sum given a bound on its terms skips the scan for the largest; the error bound is then the
    // bound's binade's, n·2^(e−101) with bound < 2^e. Second method: the exact long accumulator.
    using fairer::detail::reproducible_sum_below;
    std::mt19937_64 gen(20261124);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (std::size_t n : {255u, 256u, 1000u, 4097u, 33755u}) {
        std::vector<double> x(n);
        for (auto& v : x) v = (unit(gen) < 0.3 ? -1.0 : 1.0) * std::pow(10.0, 6.0 * unit(gen)) * unit(gen);
        double largest = 0.0;
        for (double v : x) largest = std::max(largest, std::fabs(v));
        const double exact = exact_total(x);
        auto term = [&](std::size_t i) { return x[i]; };
        CAPTURE(n);
        // the largest term itself as the bound: the two-pass sum's bits
        CHECK(reproducible_sum_below(n, largest, term) == fairer::detail::sum_of(x));
        // no bound known (+inf): the two-pass sum
        CHECK(reproducible_sum_below(n, std::numeric_limits<double>::infinity(), term) == fairer::detail::sum_of(x));
        CHECK(fairer::detail::largest_magnitude(x.data(), n) == largest);
        for (double scale : {1.0, 1.5, 2.0, 1e3, 0x1p40}) {
            const double bound = largest * scale;
            const double got = reproducible_sum_below(n, bound, term);
            int e = 0;
            std::frexp(bound, &e);
            CAPTURE(scale);
            const double tolerance = static_cast<double>(n) * std::ldexp(1.0, e - 101) + 0.5 * std::fabs(exact) * 0x1p-52;
            CHECK(std::fabs(got - exact) <= tolerance);
            std::vector<double> y = x;
            for (int k = 0; k < 5; ++k) {
                std::shuffle(y.begin(), y.end(), gen);
                CHECK(reproducible_sum_below(n, bound, [&](std::size_t i) { return y[i]; }) == got);
            }
        }
        // several sums at once: each is the single sum's result, bit for bit
        const double bounds[3] = {largest, 4.0 * largest, std::numeric_limits<double>::infinity()};
        double together[3];
        const auto scaled = [&](std::size_t k, std::size_t i) { return x[i] * static_cast<double>(k + 1); };
        fairer::detail::reproducible_sums_below(n, 3, bounds, scaled, together);
        for (std::size_t k = 0; k < 3; ++k) {
            const double alone = reproducible_sum_below(n, bounds[k], [&](std::size_t i) { return scaled(k, i); });
            CHECK(together[k] == alone);
        }
    }
    // non-finite terms under an infinite bound follow IEEE addition, as sum_of does
    std::vector<double> y(3000, 1.0);
    y[17] = std::numeric_limits<double>::infinity();
    CHECK(reproducible_sum_below(y.size(), std::numeric_limits<double>::infinity(), [&](std::size_t i) { return y[i]; }) ==
          std::numeric_limits<double>::infinity());
    CHECK(fairer::detail::largest_magnitude(y.data(), y.size()) == std::numeric_limits<double>::infinity());
}

TEST_CASE("Column scans: the range and finiteness agree with a plain loop") {
    std::mt19937_64 gen(99);
    std::normal_distribution<double> z(0.0, 1e3);
    for (std::size_t n : {1u, 2u, 3u, 5u, 4096u, 4099u, 33755u}) {
        std::vector<double> x(n);
        for (auto& v : x) v = z(gen);
        if (n > 3) x[n / 2] = -0.0;
        const auto scan = fairer::detail::scan_columns({fairer::ConstSpan(x)}, n).front();
        CAPTURE(n);
        CHECK(scan.finite);
        CHECK(scan.low == *std::min_element(x.begin(), x.end()));
        CHECK(scan.high == *std::max_element(x.begin(), x.end()));
        CHECK(scan.largest() == std::max(std::fabs(scan.low), std::fabs(scan.high)));
        for (double odd : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()}) {
            for (std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
                std::vector<double> y = x;
                y[at] = odd;
                CHECK_FALSE(fairer::detail::scan_columns({fairer::ConstSpan(y)}, n).front().finite);
            }
        }
    }
}

TEST_CASE("Bounded fit: a solution on a kink, fractional bounds, and the counts at floors and caps") {
    // Unit 4 leaves its floor at κ = 150/400 = 0.375, where F = 0.375·600 + 150 = 375: a budget of
    // 375 puts the solution on the kink, where the search cannot end at a pivot beside the solution
    // and decides by the order-independent sum. Second method: bisection.
    const std::vector<double> a{100, 200, 300, 400};
    const std::vector<double> lo{0, 0, 0, 150};
    const std::vector<double> hi{1e300, 1e300, 1e300, 1e300};
    const auto fit = fairer::bounded_fit(a, lo, hi, 375);
    CHECK(fit.scale == doctest::Approx(0.375).epsilon(1e-15));
    const std::vector<double> zeros(a.size(), 0.0);
    const auto want = allocation_support::bisect_fit(zeros, a, lo, hi, 375.0, -10.0, 10.0);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(fit.allocation[i] == doctest::Approx(want[i]).epsilon(1e-12));
    // Fractional floors and caps: the settled total is not whole, so the fixed part of F is summed
    // again at the end; 3,000 units in two orders give the same bits.
    std::mt19937_64 gen(5);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const std::size_t n = 3000;
    std::vector<double> w(n), l(n), h(n);
    for (std::size_t i = 0; i < n; ++i) {
        // a third with high floors, a third with low caps, a third with neither that binds
        w[i] = 10.0 + 90.0 * unit(gen);
        const double high_floor = w[i] * (0.9 + 0.1 * unit(gen));
        const double low_cap = w[i] * (0.5 + 0.2 * unit(gen));
        l[i] = i % 3 == 0 ? high_floor : w[i] * 0.1 * unit(gen);
        h[i] = i % 3 == 1 ? low_cap : std::numeric_limits<double>::infinity();
    }
    const double sum_w = std::accumulate(w.begin(), w.end(), 0.0);
    const auto budget = static_cast<std::int64_t>(sum_w * 0.85);
    const auto big = fairer::bounded_fit(w, l, h, budget);
    const std::vector<double> none(n, 0.0);
    const auto expected = allocation_support::bisect_fit(none, w, l, h, static_cast<double>(budget), -10.0, 10.0);
    std::size_t off = 0;
    for (std::size_t i = 0; i < n; ++i) off += std::fabs(big.allocation[i] - expected[i]) > 1e-9 * expected[i] ? 1U : 0U;
    CHECK(off == 0);
    std::vector<double> rw(w.rbegin(), w.rend()), rl(l.rbegin(), l.rend()), rh(h.rbegin(), h.rend());
    const auto reversed = fairer::bounded_fit(rw, rl, rh, budget);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < n; ++i) differ += reversed.allocation[n - 1 - i] != big.allocation[i] ? 1U : 0U;
    CHECK(differ == 0);
    // the counts come from the pass that writes the statuses; count the statuses again
    const auto count = [&](fairer::BoundStatus s) {
        return static_cast<std::size_t>(std::count(big.status.begin(), big.status.end(), s));
    };
    CHECK(big.at_floor == count(fairer::BoundStatus::floor));
    CHECK(big.at_cap == count(fairer::BoundStatus::cap));
    CHECK(big.at_floor > 0);
    CHECK(big.at_cap > 0);
}

TEST_CASE("Results share the table's ids and their columns compare with plain vectors") {
    const auto u = example1_units();
    const auto r = fairer::allocate(u, 100000000, direct_need(0.5));
    CHECK(&r.ids.strings() == &u.ids.strings());
    CHECK(r.ids == u.ids);
    const std::vector<std::string> plain_ids(r.ids.begin(), r.ids.end());
    CHECK(plain_ids == std::vector<std::string>{"A", "B", "C", "D"});
    const std::vector<std::int64_t> rounded(r.rounded.begin(), r.rounded.end());
    CHECK(r.rounded == rounded);
    CHECK(rounded == r.rounded);
    std::vector<std::int64_t> other = rounded;
    other[0] += 100;
    CHECK(r.rounded != other);
    CHECK(other != r.rounded);
}

TEST_CASE("Bounds to whole rounding units agree with std::ceil and std::floor") {
    // The second method is the libm rounding the engine avoids for speed; odd lengths exercise
    // both the two-at-a-time and the one-at-a-time paths.
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> values{0.0,    -0.0,   1e-12,  -1e-12, 99.99999999, 100.0,  100.0000001, 150.5, 199.9999,
                               250.0,  1e15,   3e17,   9e18,   inf,         -350.0, -349.5,      0.75,  123456789.123};
    std::mt19937_64 gen(11);
    std::uniform_real_distribution<double> any(-1e6, 1e12);
    for (int k = 0; k < 2001; ++k) values.push_back(any(gen));
    for (double unit : {1.0, 100.0, 1000.0}) {
        for (bool up : {true, false}) {
            std::vector<double> got = values;
            fairer::detail::to_whole_units(got.data(), got.size(), unit, up);
            for (std::size_t i = 0; i < values.size(); ++i) {
                const double y = values[i] / unit + (up ? -1e-9 : 1e-9);
                const double want = unit * ((up ? std::ceil(y) : std::floor(y)) + 0.0);
                CAPTURE(values[i]);
                CAPTURE(unit);
                CHECK(got[i] == want);
                CHECK(std::signbit(got[i]) == std::signbit(want));
            }
        }
    }
    std::vector<double> missing{std::nan(""), 5.0, std::nan("")};
    fairer::detail::to_whole_units(missing.data(), missing.size(), 1.0, true);
    CHECK(std::isnan(missing[0]));
    CHECK(missing[1] == 5.0);
    CHECK(std::isnan(missing[2]));
}

TEST_CASE("Largest remainder on long tables agrees with the rule applied one unit at a time") {
    // The rule of §8 written out directly: quotas rescaled to the total, snapped to an integer
    // within min(1e-9·max(1, q), 0.25/n), floored; the leftover units to the largest remainders
    // (to 12 decimals), then the larger quota, then the smaller id. Quotas of 2^50 units and more
    // take the engine's scalar path, the rest its vector path where the CPU has one.
    std::mt19937_64 rng(2026);
    std::lognormal_distribution<double> size(12.0, 1.5);
    for (int round = 0; round < 12; ++round) {
        const std::size_t n = 5000 + static_cast<std::size_t>(rng() % 30000);
        const std::int64_t unit = round % 3 == 0 ? 1 : 100;
        std::vector<double> amounts(n);
        std::vector<std::string> ids(n);
        for (std::size_t i = 0; i < n; ++i) {
            amounts[i] = size(rng);
            if (i % 5 == 0) amounts[i] = std::round(amounts[i] / 100.0) * 100.0;  // whole pounds: snapped
            if (i % 11 == 0) amounts[i] = 0.0;
            ids[i] = "U" + std::to_string(rng() % 1000000000) + "_" + std::to_string(i);
        }
        if (round == 11) amounts[7] = 0x1p52 * static_cast<double>(unit);  // a quota beyond 2^50 units
        double sum = 0.0;
        for (double a : amounts) sum += a;
        const std::int64_t total = static_cast<std::int64_t>(sum / static_cast<double>(unit) * 0.999) * unit;
        const auto got = fairer::largest_remainder(amounts, total, unit, ids);

        const double ud = static_cast<double>(unit);
        const double factor = static_cast<double>(total / unit) / (fairer::detail::sum_of(amounts) / ud);
        std::vector<double> q(n);
        std::vector<std::int64_t> expected(n);
        std::vector<std::uint64_t> key(n);
        std::int64_t floors = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double x = amounts[i] / ud * factor;
            const double nearest = std::floor(x + 0.5);
            const double tolerance = std::min(1e-9 * std::max(x, 1.0), 0.25 / static_cast<double>(n));
            q[i] = std::fabs(x - nearest) <= tolerance ? nearest : x;
            expected[i] = static_cast<std::int64_t>(std::floor(q[i]));
            key[i] = static_cast<std::uint64_t>(std::floor((q[i] - std::floor(q[i])) * 1e12 + 0.5));
            floors += expected[i];
        }
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            if (key[a] != key[b]) return key[a] > key[b];
            if (q[a] != q[b]) return q[a] > q[b];
            return ids[a] < ids[b];
        });
        const auto leftover = static_cast<std::size_t>(total / unit - floors);
        for (std::size_t k = 0; k < leftover; ++k) expected[order[k]] += 1;
        for (auto& e : expected) e *= unit;
        CHECK(got == expected);
    }
}
