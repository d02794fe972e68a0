// Scenario comparisons (§11) on the spec's Example 1, whose closed forms (§5.2, §9) give the
// expected figures: per head 10·(α + (1 − α)N), CI(spend) = (1 − α)·CI(need), HI = −α·CI(need).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fairer/allocation_scenarios.hpp"

#include "allocation_support.hpp"

using allocation_support::direct_need;
using allocation_support::example1_units;

TEST_CASE("Example 1 run through allocate(): diagnostics of the result") {
    const auto r = fairer::allocate(example1_units(), 100000000, direct_need(0.5));
    const fairer::EquityDiagnostics d = fairer::equity_diagnostics(r);
    CHECK(d.concentration_index == doctest::Approx(-0.135).epsilon(1e-12));
    CHECK(d.need_concentration_index == doctest::Approx(-0.270).epsilon(1e-12));
    CHECK(d.horizontal_inequity == doctest::Approx(0.135).epsilon(1e-12));
    // slope of per head on x = 1 − R: per head is 5 + 5N, so the slope is 5 × the slope of N
    const std::vector<double> need{2.0, 1.5, 1.0, 0.5};
    const double need_slope = fairer::slope_index(need, r.population, need);
    CHECK(d.slope_index == doctest::Approx(5.0 * need_slope).epsilon(1e-12));
}

TEST_CASE("Scenario: universal share 0.5 -> 0.2 (the rho = 3 calibration of Example 1)") {
    const std::vector<fairer::Scenario> scenarios{
        {"steeper", [](fairer::AllocationParameters& p) { p.universal_share = 0.2; }},
        {"same", nullptr},
    };
    const auto out = fairer::compare_scenarios(example1_units(), 100000000, direct_need(0.5), scenarios);
    REQUIRE(out.size() == 2);
    const auto& c = out[0];
    CHECK(c.name == "steeper");
    // per head 15, 12.5, 10, 7.5 -> 18, 14, 10, 6
    const std::vector<double> change{30000, 30000, 0, -60000}, per_head{3, 1.5, 0, -1.5};
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(c.change[i] == doctest::Approx(change[i]));
        CHECK(c.change_per_head[i] == doctest::Approx(per_head[i]));
    }
    CHECK(c.change_percent[0] == doctest::Approx(20.0));
    CHECK(c.change_percent[3] == doctest::Approx(-20.0));
    CHECK(c.gainers == 2);
    CHECK(c.losers == 1);
    CHECK(c.unchanged == 1);
    CHECK(c.total_gain == doctest::Approx(60000));
    CHECK(c.change_concentration_index == doctest::Approx(0.8 * -0.27 - 0.5 * -0.27).epsilon(1e-12));
    CHECK(c.change_horizontal_inequity == doctest::Approx(0.2 * 0.27 - 0.5 * 0.27).epsilon(1e-12));
    // Gini(a + bN) = b·Gini(N)/(a + b) when mean_P(N) = 1 and b > 0, so the change is 0.3·Gini(N)
    const std::vector<double> need{2.0, 1.5, 1.0, 0.5}, pop{10000, 20000, 30000, 40000};
    CHECK(c.change_gini == doctest::Approx(0.3 * fairer::gini(need, pop)).epsilon(1e-12));
    CHECK(out[1].gainers == 0);
    CHECK(out[1].losers == 0);
    CHECK(out[1].change_gini == 0.0);
}

TEST_CASE("Scenario runs are pure: the same scenario twice gives the same numbers") {
    const std::vector<fairer::Scenario> scenarios{
        {"a", [](fairer::AllocationParameters& p) { p.rounding_unit = 1; }},
        {"a again", [](fairer::AllocationParameters& p) { p.rounding_unit = 1; }},
    };
    const auto out = fairer::compare_scenarios(example1_units(), 100000000, direct_need(0.3), scenarios);
    CHECK(out[0].change == out[1].change);
    CHECK(out[0].scenario_diagnostics.gini == out[1].scenario_diagnostics.gini);
}

TEST_CASE("compare_allocations checks its columns") {
    const std::vector<double> p{1, 2}, a{1, 2}, three{1, 2, 3};
    CHECK_THROWS_AS(fairer::compare_allocations("x", p, a, a, three, a, a, 1.0), fairer::AllocationError);
}
