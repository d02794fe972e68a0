// Monte Carlo sensitivity against the spec's test vectors (§10.1, Example 12 of §14), a brute-force
// second implementation written here (all draws kept, sorted, ranked by full sort), and the
// determinism the spec requires (any thread count, same bits).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "fairer/allocation_sensitivity.hpp"

namespace {

using Vec = std::vector<double>;

// A small model with every feature: 3 components, cost factors, a zero-population unit and two
// units tied in need and cost (their ranks must move together).
struct Fixture {
    Vec population{1200, 800, 0, 2500, 400, 400, 3100, 950};
    Vec need{1.8, 1.1, 0.7,  //
             1.2, 0.9, 1.4,  //
             2.0, 2.0, 2.0,  //
             0.6, 1.0, 1.1,  //
             1.5, 1.5, 0.8,  //
             1.5, 1.5, 0.8,  //
             0.9, 0.7, 1.3,  //
             1.3, 1.6, 0.5};
    Vec cost{1.02, 0.98, 1.0, 1.1, 1.0, 1.0, 0.95, 1.05};
    fairer::MonteCarloModel model() const {
        fairer::MonteCarloModel m;
        m.population = population;
        m.need = need;
        m.components = 3;
        m.weights = {0.5, 0.3, 0.2};
        m.universal_share = 0.25;
        m.cost_factor = cost;
        m.budget = 2500000.0;
        return m;
    }
};

// The allocation by direct evaluation of the spec's formulas (§5.1, §5.3) for given weights and needs.
Vec direct_allocation(const Fixture& f, const Vec& w, const Vec& need, double alpha, double budget, bool cost) {
    const std::size_t n = f.population.size(), c = w.size();
    double total_p = 0;
    for (double p : f.population) total_p += p;
    Vec norm(c, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < c; ++k) norm[k] += f.population[i] * need[i * c + k];
    Vec b(n);
    double cb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double s = 0;
        for (std::size_t k = 0; k < c; ++k) s += w[k] * f.population[i] * need[i * c + k] / norm[k];
        b[i] = alpha * f.population[i] / total_p + (1 - alpha) * s;
        cb += (cost ? f.cost[i] : 1.0) * b[i];
    }
    for (std::size_t i = 0; i < n; ++i) b[i] = budget * (cost ? f.cost[i] : 1.0) * b[i] / cb;
    return b;
}

// Competition ranks of per-head values, descending, by a full sort (units with P = 0 left at 0).
std::vector<int> ranks_by_sort(const Vec& a, const Vec& p) {
    std::vector<int> r(a.size(), 0);
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (p[i] <= 0) continue;
        int above = 0;
        for (std::size_t j = 0; j < a.size(); ++j)
            if (p[j] > 0 && a[j] / p[j] > a[i] / p[i] * (1 + 1e-12)) ++above;
        r[i] = above + 1;
    }
    return r;
}

}  // namespace

TEST_CASE("splitmix64 reproduces the spec's test vectors (§10.1, Example 12)") {
    fairer::SplitMix64 g(1234567);
    CHECK(g.next() == 6457827717110365317ULL);
    CHECK(g.next() == 3203168211198807973ULL);
    CHECK(g.next() == 9817491932198370423ULL);
    fairer::SplitMix64 u(20240601);
    CHECK(u.uniform() == doctest::Approx(0.025503484180).epsilon(1e-11));
    CHECK(u.uniform() == doctest::Approx(0.634088447531).epsilon(1e-11));
    CHECK(u.uniform() == doctest::Approx(0.008307466683).epsilon(1e-10));
}

TEST_CASE("Jumping ahead equals stepping") {
    fairer::SplitMix64 g(42);
    for (int k = 0; k < 1000; ++k) g.next();
    fairer::SplitMix64 j = fairer::SplitMix64::at(42, 1000);
    CHECK(j.next() == g.next());
    // Box–Muller consumes two uniforms: sqrt(-2 ln(1-u1)) cos(2 pi u2)
    fairer::SplitMix64 a(7), b(7);
    const double u1 = b.uniform(), u2 = b.uniform();
    CHECK(a.normal() == std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * 3.141592653589793 * u2));
}

TEST_CASE("Example 12: Monte Carlo percentiles (seed 20240601, sigma ln 1.5, 2000 draws)") {
    const Vec p{10000, 20000, 30000, 40000};
    const Vec need{2, 1.2, 1.5, 1.4, 1, 0.9, 0.5, 0.8};  // (N1, N2) per unit
    fairer::MonteCarloModel m;
    m.population = p;
    m.need = need;
    m.components = 2;
    m.weights = {0.6, 0.4};
    m.universal_share = 0.5;
    m.budget = 1000000.0;
    fairer::MonteCarloOptions o;
    o.seed = 20240601;
    o.sigma = std::log(1.5);
    o.draws = 2000;
    const fairer::MonteCarloResult r = fairer::monte_carlo(m, o);
    REQUIRE(r.percentiles.size() == 12);
    const double rel = 1e-6;
    CHECK(r.percentiles[0] == doctest::Approx(128876.01).epsilon(rel));
    CHECK(r.percentiles[1] == doctest::Approx(134253.86).epsilon(rel));
    CHECK(r.percentiles[2] == doctest::Approx(139299.46).epsilon(rel));
    CHECK(r.percentiles[9] == doctest::Approx(316733.36).epsilon(rel));
    CHECK(r.percentiles[10] == doctest::Approx(324611.68).epsilon(rel));
    CHECK(r.percentiles[11] == doctest::Approx(333005.54).epsilon(rel));
    // Per head the units keep their order under every draw here (their need order is the same in
    // both components), so no rank ever changes.
    for (double pr : r.rank_change_probability) CHECK(pr == 0.0);
}

TEST_CASE("Monte Carlo agrees with a brute-force second implementation") {
    const Fixture f;
    for (double tau : {0.0, 0.2}) {
        CAPTURE(tau);
        fairer::MonteCarloOptions o;
        o.seed = 99;
        o.sigma = 0.4;
        o.need_sigma = tau;
        o.draws = 1500;  // above the size where the bracketing selection is used
        o.quantiles = {0.01, 0.05, 0.5, 0.95, 1.0};
        const fairer::MonteCarloResult r = fairer::monte_carlo(f.model(), o);

        const std::size_t n = f.population.size(), c = 3;
        const Vec base = direct_allocation(f, {0.5, 0.3, 0.2}, f.need, 0.25, 2500000.0, true);
        const std::vector<int> base_rank = ranks_by_sort(base, f.population);
        std::vector<Vec> per_unit(n);
        std::vector<int> changed(n, 0);
        fairer::SplitMix64 g(99);  // one sequential stream: the draws' blocks follow each other
        for (std::size_t d = 0; d < o.draws; ++d) {
            Vec w(c);
            double tot = 0;
            const Vec pi{0.5, 0.3, 0.2};
            for (std::size_t k = 0; k < c; ++k) {
                w[k] = pi[k] * std::exp(o.sigma * (2 * g.uniform() - 1));
                tot += w[k];
            }
            for (double& x : w) x /= tot;
            Vec need = f.need;
            if (tau > 0)
                for (double& x : need) x *= std::exp(tau * g.normal());
            const Vec a = direct_allocation(f, w, need, 0.25, 2500000.0, true);
            const std::vector<int> rk = ranks_by_sort(a, f.population);
            for (std::size_t i = 0; i < n; ++i) {
                per_unit[i].push_back(a[i]);
                changed[i] += rk[i] != base_rank[i];
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            CAPTURE(i);
            CHECK(r.base[i] == doctest::Approx(base[i]).epsilon(1e-12));
            std::sort(per_unit[i].begin(), per_unit[i].end());
            for (std::size_t j = 0; j < o.quantiles.size(); ++j) {
                const auto k = static_cast<std::size_t>(std::max(1.0, std::ceil(o.quantiles[j] * 1500 - 1e-9)));
                CHECK(r.percentiles[i * 5 + j] == doctest::Approx(per_unit[i][k - 1]).epsilon(1e-12));
            }
            if (f.population[i] > 0) {
                CHECK(r.rank_change_probability[i] == doctest::Approx(changed[i] / 1500.0));
            } else {
                CHECK(std::isnan(r.rank_change_probability[i]));
                CHECK(r.percentiles[i * 5 + 2] == 0.0);
            }
        }
        // without need noise the tied units 4 and 5 move together (with it, each has its own noise)
        if (tau == 0.0) CHECK(r.rank_change_probability[4] == r.rank_change_probability[5]);
    }
}

TEST_CASE("Results are bit-identical on any number of threads") {
    const Fixture f;
    fairer::MonteCarloOptions o;
    o.seed = 5;
    o.sigma = 0.3;
    o.need_sigma = 0.1;
    o.draws = 700;
    o.threads = 1;
    const auto one = fairer::monte_carlo(f.model(), o);
    for (unsigned t : {2U, 3U, 8U}) {
        o.threads = t;
        const auto many = fairer::monte_carlo(f.model(), o);
        CHECK(many.percentiles == one.percentiles);
        CHECK(many.mean == one.mean);
        for (std::size_t i = 0; i < one.units; ++i) {
            if (f.population[i] > 0) CHECK(many.rank_change_probability[i] == one.rank_change_probability[i]);
        }
    }
}

TEST_CASE("No noise: every draw is the unperturbed allocation (Example 1)") {
    const Vec p{10000, 20000, 30000, 40000}, need{2.0, 1.5, 1.0, 0.5};
    fairer::MonteCarloModel m;
    m.population = p;
    m.need = need;
    m.weights = {1.0};
    m.universal_share = 0.5;
    m.budget = 1000000.0;
    fairer::MonteCarloOptions o;
    o.draws = 50;
    o.sigma = 0.7;  // one component: its normalised weight is always 1
    const auto r = fairer::monte_carlo(m, o);
    const Vec want{150000, 250000, 300000, 300000};
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(r.base[i] == doctest::Approx(want[i]).epsilon(1e-12));
        for (std::size_t j = 0; j < 3; ++j) CHECK(r.percentiles[i * 3 + j] == doctest::Approx(want[i]).epsilon(1e-12));
        CHECK(r.rank_change_probability[i] == 0.0);
    }
}

TEST_CASE("Order statistics are exact, ties and all, whatever the size") {
    fairer::SplitMix64 g(3);
    fairer::detail::SelectionScratch scratch;
    for (std::size_t m : {1UL, 7UL, 4096UL, 5000UL, 20000UL}) {
        for (double levels : {3.0, 300.0, 1e9}) {  // from heavy ties to almost none
            CAPTURE(m);
            CAPTURE(levels);
            std::vector<double> values(m);
            for (double& v : values) v = std::floor(g.uniform() * levels);
            std::vector<double> sorted = values;
            std::sort(sorted.begin(), sorted.end());
            std::vector<std::size_t> ks{1, (m + 1) / 2, m};
            for (double q : {0.01, 0.05, 0.95, 0.99}) ks.push_back(fairer::detail::nearest_rank(q, m));
            double sum = 0.0;  // in index order, as the returned sum must be
            for (double v : values) sum += v;
            std::vector<double> out(ks.size());
            CHECK(fairer::detail::select_order_statistics(values, ks, out.data(), scratch) == sum);
            for (std::size_t j = 0; j < ks.size(); ++j) CHECK(out[j] == sorted[ks[j] - 1]);
        }
    }
    CHECK(fairer::detail::nearest_rank(0.95, 2000) == 1900);
    CHECK(fairer::detail::nearest_rank(0.05, 2000) == 100);
    CHECK(fairer::detail::nearest_rank(0.0001, 2000) == 1);
}

TEST_CASE("Quickselect helpers agree with a full sort, ties and all") {
    fairer::SplitMix64 g(5);
    for (std::size_t n : {1UL, 2UL, 33UL, 100UL, 1000UL, 5000UL}) {
        for (double levels : {2.0, 50.0, 1e9}) {
            CAPTURE(n);
            CAPTURE(levels);
            std::vector<double> values(n);
            for (double& v : values) v = std::floor(g.uniform() * levels) - levels / 3.0;
            std::vector<double> sorted = values;
            std::sort(sorted.begin(), sorted.end());
            std::vector<std::size_t> positions{0, n / 7, n / 2, n / 2 + 1, n - 2, n - 1};
            positions.erase(std::remove_if(positions.begin(), positions.end(), [&](std::size_t p) { return p >= n; }),
                            positions.end());
            std::sort(positions.begin(), positions.end());
            positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
            std::vector<double> copy, tmp(n);
            for (std::size_t p : positions) {
                copy = values;
                CHECK(fairer::detail::select_kth(copy.data(), tmp.data(), n, p) == sorted[p]);
            }
            copy = values;
            std::vector<double> got(positions.size());
            fairer::detail::select_positions(copy.data(), tmp.data(), n, positions.data(), positions.size(), 0,
                                             got.data());
            for (std::size_t j = 0; j < positions.size(); ++j) CHECK(got[j] == sorted[positions[j]]);
        }
    }
}

TEST_CASE("sum_columns adds the components from 0.0 in order, whatever their number") {
    fairer::SplitMix64 g(6);
    const std::size_t len = 37;
    for (std::size_t c = 1; c <= 6; ++c) {
        CAPTURE(c);
        std::vector<double> coef(c), table(c * len);
        for (double& x : coef) x = g.uniform() - 0.5;
        // zeros of both signs, so that the sign of a zero sum shows whether it started from 0.0
        for (double& x : table) x = g.uniform() < 0.2 ? (g.uniform() < 0.5 ? 0.0 : -0.0) : g.uniform() * 10.0 - 5.0;
        std::vector<double> got(len);
        fairer::detail::sum_columns(c, coef.data(), table.data(), len, got.data(),
                                    [](std::size_t i, double s) { return s * static_cast<double>(i + 1); });
        for (std::size_t i = 0; i < len; ++i) {
            double s = 0.0;
            for (std::size_t k = 0; k < c; ++k) s += coef[k] * table[k * len + i];
            const double expected = s * static_cast<double>(i + 1);
            CHECK(got[i] == expected);
            CHECK(std::signbit(got[i]) == std::signbit(expected));
        }
    }
}

TEST_CASE("Competition ranks with long runs of ties equal ranks from a full sort") {
    fairer::SplitMix64 g(9);
    const std::size_t n = 20000;
    std::vector<double> key(n);
    std::vector<std::uint32_t> units, rank(n, 0);
    std::vector<std::uint64_t> a, b;
    for (int round = 0; round < 3; ++round) {  // the same buffers reused, as the draws do
        for (std::size_t i = 0; i < n; ++i) {
            // few distinct values (runs far longer than 16), signed zeros, and near-equal keys
            const double level = std::floor(g.uniform() * (round == 0 ? 6.0 : round == 1 ? 400.0 : 5000.0)) - 2.0;
            key[i] = g.uniform() < 0.1 ? (g.uniform() < 0.5 ? 0.0 : -0.0)
                                      : level * (1.0 + (g.uniform() < 0.5 ? 0.0 : 1e-15));
        }
        units.clear();
        for (std::size_t i = 0; i < n; ++i)
            if (i % 97 != 5) units.push_back(static_cast<std::uint32_t>(i));  // some units left out
        std::fill(rank.begin(), rank.end(), 0U);
        fairer::detail::competition_ranks(key, units, rank, a, b);
        std::vector<std::uint32_t> by_key = units;
        std::sort(by_key.begin(), by_key.end(), [&](std::uint32_t x, std::uint32_t y) { return key[x] > key[y]; });
        std::vector<std::uint32_t> expected(n, 0);
        for (std::size_t k = 0; k < by_key.size(); ++k) {
            const bool tie = k > 0 && key[by_key[k]] == key[by_key[k - 1]];
            expected[by_key[k]] = tie ? expected[by_key[k - 1]] : static_cast<std::uint32_t>(k + 1);
        }
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < n; ++i) wrong += rank[i] != expected[i] ? 1U : 0U;
        CHECK(wrong == 0);
    }
}

TEST_CASE("Competition ranks by radix sort equal ranks by counting") {
    fairer::SplitMix64 g(8);
    const std::size_t n = 3000;
    std::vector<double> key(n);
    for (std::size_t i = 0; i < n; ++i) {
        // ties, values that differ only in low mantissa bits, negatives and a NaN
        const double base = std::floor(g.uniform() * 50.0) - 10.0;
        key[i] = g.uniform() < 0.3 ? base : base * (1.0 + 1e-13 * std::floor(g.uniform() * 4.0));
    }
    key[17] = std::nan("");
    std::vector<std::uint32_t> order, rank(n, 0);
    for (std::size_t i = 0; i < n; ++i)
        if (i != 17) order.push_back(static_cast<std::uint32_t>(i));
    std::vector<std::uint64_t> a, b;
    fairer::detail::competition_ranks(key, order, rank, a, b);
    for (std::size_t i = 0; i < n; ++i) {
        if (i == 17) {
            CHECK(rank[i] == 0);
            continue;
        }
        std::uint32_t above = 0;
        for (std::size_t j = 0; j < n; ++j)
            if (j != 17 && key[j] > key[i]) ++above;
        CHECK(rank[i] == above + 1);
    }
}

TEST_CASE("Progress reports from the calling thread; an exception there stops the run") {
    const Fixture f;
    fairer::MonteCarloOptions o;
    o.draws = 400;
    o.threads = 2;
    std::size_t last = 0, calls = 0, total = 0;
    o.progress = [&](std::size_t done, std::size_t all) {
        CHECK(done >= last);
        last = done;
        total = all;
        ++calls;
    };
    fairer::monte_carlo(f.model(), o);
    CHECK(calls >= 2);
    CHECK(last == total);
    CHECK(total == 400 + f.population.size());
    o.progress = [](std::size_t, std::size_t) { throw std::runtime_error("stop"); };
    CHECK_THROWS_WITH_AS(fairer::monte_carlo(f.model(), o), "stop", std::runtime_error);
}

TEST_CASE("Bad input raises the spec's typed errors") {
    const Fixture f;
    const auto code_of = [&](auto edit) {
        fairer::MonteCarloModel m = f.model();
        fairer::MonteCarloOptions o;
        o.draws = 10;
        Vec storage;
        edit(m, o, storage);
        try {
            fairer::monte_carlo(m, o);
        } catch (const fairer::AllocationError& e) {
            return e.code();
        }
        return std::string("none");
    };
    CHECK(code_of([](auto& m, auto&, Vec&) { m.components = 2; }) == "E1");
    CHECK(code_of([](auto& m, auto&, Vec& s) {
              s = {1, 1, 1, 1, 1, 1, 1};
              m.cost_factor = s;
          }) == "E1");
    CHECK(code_of([](auto& m, auto&, Vec&) { m.budget = -1; }) == "E2");
    CHECK(code_of([&](auto& m, auto&, Vec& s) {
              s = f.population;
              s[3] = -5;
              m.population = s;
          }) == "E3");
    CHECK(code_of([&](auto& m, auto&, Vec& s) {
              s = f.need;
              s[4] = 0;
              m.need = s;
          }) == "E4");
    CHECK(code_of([](auto& m, auto&, Vec&) { m.weights = {0.5, 0.3, 0.3}; }) == "E5");
    CHECK(code_of([](auto& m, auto&, Vec&) { m.weights = {1.2, -0.2, 0.0}; }) == "E5");
    CHECK(code_of([](auto& m, auto&, Vec&) { m.universal_share = 1.5; }) == "E6");
    CHECK(code_of([](auto&, auto& o, Vec&) { o.sigma = -0.1; }) == "E6");
    CHECK(code_of([](auto&, auto& o, Vec&) { o.quantiles = {0.0}; }) == "E6");
    CHECK(code_of([](auto&, auto& o, Vec&) { o.draws = 0; }) == "E6");
    // the error names the unit
    Vec bad = f.population;
    bad[1] = std::nan("");
    fairer::MonteCarloModel m = f.model();
    m.population = bad;
    const std::vector<std::string> ids{"a", "b", "c", "d", "e", "f", "g", "h"};
    m.ids = &ids;
    try {
        fairer::monte_carlo(m, {});
        FAIL("no error");
    } catch (const fairer::AllocationError& e) {
        CHECK(e.units() == std::vector<std::string>{"b"});
    }
}
