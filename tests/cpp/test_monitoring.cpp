// Monitoring statistics. Expected numbers are hand-worked (arithmetic in the comments) or come
// from a second method written out in the test (closed-form weighted least squares for the SII,
// R's prop.test for a Wilson interval).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fairer/monitoring.hpp"

using namespace fairer;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double z95 = 1.959963984540054;
}  // namespace

TEST_CASE("aggregating counts: a proportion with Wilson limits") {
    // 30/100 and 20/100 pool to 50/200 = 25%; R prop.test(50, 200, correct = FALSE) gives
    // 0.1950817 .. 0.3143410.
    const Aggregate a = aggregate_proportion({30, 20}, {100, 100}, 100);
    CHECK(a.method == AggregationMethod::wilson_counts);
    CHECK(a.value == doctest::Approx(25.0));
    CHECK(a.count == 50);
    CHECK(a.denominator == 200);
    CHECK(a.lower95 == doctest::Approx(19.508168006817497).epsilon(1e-12));
    CHECK(a.upper95 == doctest::Approx(31.434098312045833).epsilon(1e-12));
    CHECK(a.lower99_8 < a.lower95);
    // The pooled value is the denominator-weighted mean of the members' proportions.
    const Aggregate w = aggregate_population_weighted({30, 20}, {25, 15}, {35, 25}, {100, 100});
    CHECK(w.value == doctest::Approx(a.value));
    CHECK(w.method == AggregationMethod::population_weighted);
}

TEST_CASE("aggregating counts: a crude rate with Byar limits") {
    // 40 + 60 = 100 events in 50,000 + 50,000: 100 per 100,000. Byar's limits for 100 events,
    // written out: L = 100 (1 - 1/900 - z/30)^3, U = 101 (1 - 1/909 + z/(3 sqrt 101))^3.
    const Aggregate a = aggregate_crude_rate({40, 60}, {50000, 50000}, 100000);
    CHECK(a.method == AggregationMethod::poisson_counts);
    CHECK(a.value == doctest::Approx(100.0));
    const double l = 100 * std::pow(1 - 1.0 / 900 - z95 / 30, 3);
    const double u = 101 * std::pow(1 - 1.0 / 909 + z95 / (3 * std::sqrt(101.0)), 3);
    CHECK(a.lower95 == doctest::Approx(l).epsilon(1e-12));
    CHECK(a.upper95 == doctest::Approx(u).epsilon(1e-12));
}

TEST_CASE("aggregates with a missing member are missing and say which member") {
    const Aggregate a = aggregate_proportion({30, kNaN}, {100, 100}, 100, {"Halton", "Knowsley"});
    CHECK(a.method == AggregationMethod::incomplete);
    CHECK(std::isnan(a.value));
    CHECK(a.note == "'Knowsley' has no count or denominator");
    const Aggregate w = aggregate_population_weighted({1, kNaN}, {0, 0}, {2, 2}, {5, 5}, {"A", "B"});
    CHECK(std::isnan(w.value));
    CHECK(w.note == "'B' has no value");
    const Aggregate nolimits = aggregate_population_weighted({1, 3}, {0, kNaN}, {2, kNaN}, {1, 1});
    CHECK(nolimits.value == doctest::Approx(2.0));
    CHECK(std::isnan(nolimits.lower95));
    CHECK(nolimits.note == "member 1 has no 95% limits, so the aggregate has none");
    CHECK_THROWS_AS(aggregate_proportion({-1, 2}, {10, 10}), StatisticsError);
    CHECK_THROWS_AS(aggregate_proportion({1, 2}, {10}), StatisticsError);
    CHECK_THROWS_WITH(aggregate_population_weighted({1, 2}, {0, 1}, {2, 3}, {1, kNaN}, {"A", "B"}),
                      doctest::Contains("'B'"));
}

TEST_CASE("population-weighted mean and its limits") {
    // Values 10 and 20, SEs 1 and 2 (limits -/+ 1.96 SE), weights 1 and 3:
    // mean (10 + 60) / 4 = 17.5; SE = sqrt(1*1 + 9*4) / 4 = sqrt(37) / 4.
    const Aggregate a = aggregate_population_weighted({10, 20}, {10 - z95, 20 - 2 * z95}, {10 + z95, 20 + 2 * z95}, {1, 3});
    CHECK(a.value == doctest::Approx(17.5));
    const double se = std::sqrt(37.0) / 4.0;
    CHECK(a.lower95 == doctest::Approx(17.5 - z95 * se).epsilon(1e-12));
    CHECK(a.upper95 == doctest::Approx(17.5 + z95 * se).epsilon(1e-12));
    CHECK(a.upper99_8 == doctest::Approx(17.5 + 3.090232306167813 * se).epsilon(1e-12));
}

TEST_CASE("difference and ratio of two estimates") {
    // 10 (SE 1) and 7 (SE 1): d = 3, SE sqrt 2, limits 3 -/+ 1.96 sqrt 2 = 0.2282 .. 5.7718.
    const Difference d = difference_of_estimates(10, 10 - z95, 10 + z95, 7, 7 - z95, 7 + z95);
    CHECK(d.estimate == doctest::Approx(3));
    CHECK(d.se == doctest::Approx(std::sqrt(2.0)));
    CHECK(d.lower == doctest::Approx(3 - z95 * std::sqrt(2.0)));
    CHECK(d.significant);
    CHECK(d.assessed);
    // 10 and 8 (SE 1 each): d = 2 < 1.96 sqrt 2 = 2.77: not significant.
    CHECK_FALSE(difference_of_estimates(10, 10 - z95, 10 + z95, 8, 8 - z95, 8 + z95).significant);
    const Difference m = difference_of_estimates(10, kNaN, kNaN, 8, 7, 9);
    CHECK_FALSE(m.assessed);
    CHECK_FALSE(m.significant);
    // Ratio 20 / 10 with SEs 2 and 1: log SEs 0.1 each, limits 2 exp(-/+ 1.96 sqrt 0.02).
    const Difference r = ratio_of_estimates(20, 20 - 2 * z95, 20 + 2 * z95, 10, 10 - z95, 10 + z95);
    CHECK(r.estimate == doctest::Approx(2));
    CHECK(r.lower == doctest::Approx(2 * std::exp(-z95 * std::sqrt(0.02))));
    CHECK(r.upper == doctest::Approx(2 * std::exp(z95 * std::sqrt(0.02))));
    CHECK(r.significant);
}

TEST_CASE("gap to England at baseline and now: narrowed, widened, reversed, unchanged") {
    // Every estimate has SE 0.5 (limits -/+ 0.98). Change SE = sqrt(4 * 0.25) = 1, so a change
    // in the gap is significant when it exceeds 1.96.
    const double h = 0.5 * z95;
    auto gap = [&](double a0, double b0, double a1, double b1) {
        return gap_change(a0, a0 - h, a0 + h, b0, b0 - h, b0 + h, a1, a1 - h, a1 + h, b1, b1 - h, b1 + h);
    };
    const GapChange widened = gap(70, 75, 68, 76);  // -5 -> -8
    CHECK(widened.gap_baseline.estimate == doctest::Approx(-5));
    CHECK(widened.gap_now.estimate == doctest::Approx(-8));
    CHECK(widened.change.estimate == doctest::Approx(-3));
    CHECK(widened.change.se == doctest::Approx(1.0));
    CHECK(widened.movement == GapMovement::widened);
    CHECK(widened.relative_now.estimate == doctest::Approx(68.0 / 76.0));
    CHECK(gap(70, 75, 74, 76).movement == GapMovement::narrowed);   // -5 -> -2
    CHECK(gap(70, 75, 79, 76).movement == GapMovement::reversed);   // -5 -> +3
    CHECK(gap(70, 75, 71, 75).movement == GapMovement::no_significant_change);  // change 1 < 1.96
    CHECK(gap(80, 75, 84, 75).movement == GapMovement::widened);    // +5 -> +9
    const GapChange missing = gap_change(70, kNaN, kNaN, 75, 74, 76, 71, 70, 72, 75, 74, 76);
    CHECK(missing.movement == GapMovement::not_assessed);
    CHECK(std::string(to_string(GapMovement::no_significant_change)) == "no significant change");
}

TEST_CASE("within-region inequality: range, ratio and the SII across places") {
    // Five places of equal population ordered by deprivation (scores 50 > 40 > ... > 10): their
    // relative ranks are 0.1, 0.3, 0.5, 0.7, 0.9. Values 10 + 8 b lie on a line of slope 8.
    const std::vector<double> score{50, 40, 30, 20, 10};
    const std::vector<double> pop{1000, 1000, 1000, 1000, 1000};
    std::vector<double> v, lo, hi;
    for (double b : {0.1, 0.3, 0.5, 0.7, 0.9}) {
        v.push_back(10 + 8 * b);
        lo.push_back(10 + 8 * b - 1);
        hi.push_back(10 + 8 * b + 1);
    }
    const RegionInequality r = region_inequality(v, lo, hi, pop, score);
    CHECK(r.places == 5);
    CHECK(r.range == doctest::Approx(6.4));
    CHECK(r.ratio == doctest::Approx(17.2 / 10.8));
    CHECK(r.lowest == 0);
    CHECK(r.highest == 4);
    CHECK(r.sii == doctest::Approx(8.0));
    CHECK(r.sii_lower95 < 8.0);
    CHECK(r.sii_upper95 > 8.0);

    // Unequal populations and values off the line, given in shuffled order: the slope must
    // equal the closed-form weighted least squares slope
    // beta = sum a (b - bbar)(v - vbar) / sum a (b - bbar)^2 over places in deprivation order.
    const std::vector<double> s2{10, 40, 25, 30, 5};
    const std::vector<double> p2{300, 100, 200, 400, 250};
    const std::vector<double> v2{80, 71, 74, 72, 79};
    const std::vector<double> l2{79, 70, 73, 71, 78}, u2{81, 72, 75, 73, 80};
    const std::size_t order[] = {1, 3, 2, 0, 4};  // by descending score
    double total = 0;
    for (double p : p2) total += p;
    std::vector<double> a, b, vv;
    double cum = 0;
    for (std::size_t k : order) {
        a.push_back(p2[k] / total);
        b.push_back(cum + p2[k] / total / 2);
        cum += p2[k] / total;
        vv.push_back(v2[k]);
    }
    double bbar = 0, vbar = 0;
    for (std::size_t k = 0; k < 5; ++k) {
        bbar += a[k] * b[k];
        vbar += a[k] * vv[k];
    }
    double sxy = 0, sxx = 0;
    for (std::size_t k = 0; k < 5; ++k) {
        sxy += a[k] * (b[k] - bbar) * (vv[k] - vbar);
        sxx += a[k] * (b[k] - bbar) * (b[k] - bbar);
    }
    const RegionInequality r2 = region_inequality(v2, l2, u2, p2, s2);
    CHECK(r2.sii == doctest::Approx(sxy / sxx).epsilon(1e-10));
    CHECK(r2.range == doctest::Approx(9.0));

    const RegionInequality gap = region_inequality({1, kNaN, 3}, {0, 0, 2}, {2, 2, 4}, {1, 1, 1}, {3, 2, 1}, {"A", "B", "C"});
    CHECK(std::isnan(gap.range));
    CHECK(gap.note == "'B' has no value");
    const RegionInequality nosii = region_inequality({1, 2, 3}, {0, 1, 2}, {2, 3, 4}, {1, 1, 1}, {3, kNaN, 1});
    CHECK(nosii.range == doctest::Approx(2));
    CHECK(std::isnan(nosii.sii));
    CHECK(nosii.note == "member 1 has no deprivation score, so there is no slope index");
    const RegionInequality three = region_inequality({1, 2, 3}, {0, 1, 2}, {2, 3, 4}, {1, 1, 1}, {3, 2, 1});
    CHECK(std::isnan(three.sii));
    CHECK(three.note == "the slope index needs at least 5 places, got 3");
    CHECK_THROWS_AS(region_inequality({1}, {0}, {2}, {1}, {1}), StatisticsError);
}

TEST_CASE("baseline periods are matched through TimePeriod") {
    CHECK(find_baseline_period({"2020", "2021", "2022", "2023"}, "2022") == 2);
    CHECK(find_baseline_period({"2020/21", "2021/22", "2022/23"}, "2022") == 2);
    CHECK(find_baseline_period({"2019 - 21", "2020 - 22", "2021 - 23"}, "2022") == 1);
    CHECK(find_baseline_period({"2021/22", "2022/23"}, "2022/23") == 1);
    CHECK(find_baseline_period({"2018", "2019"}, "2022") == -1);
    CHECK_THROWS_AS(find_baseline_period({"2018", "last year"}, "2022"), Error);
}

TEST_CASE("baseline changes for many series in one pass") {
    // Series 0: 2021, 2022, 2023 (SE 1 each): change 2023 - 2022 = 13 - 10 = 3, SE sqrt(2),
    // limits 3 -/+ 1.96 sqrt(2) = (0.228, 5.772), significant. Series 1: 2020 - 22 then 2021 - 23,
    // rows given latest first: baseline the pooled period ending in 2022, change 2 - 1 = 1 with
    // SE sqrt(2): not significant. Series 2: only 2022, so the latest is the baseline. Series 3:
    // no baseline period.
    const std::vector<std::string> periods{"2021", "2022", "2023", "2020 - 22", "2021 - 23", "2019"};
    const std::vector<std::uint32_t> group{0, 0, 0, 1, 1, 2, 3};
    const std::vector<std::uint32_t> code{0, 1, 2, 4, 3, 1, 5};
    const std::vector<double> v{9, 10, 13, 2, 1, 5, 7};
    std::vector<double> lo(v.size()), hi(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        lo[i] = v[i] - z95;
        hi[i] = v[i] + z95;
    }
    const auto r = baseline_changes(4, group, code, periods, "2022", v.data(), lo.data(), hi.data());
    REQUIRE(r.size() == 4);
    CHECK(r[0].baseline_row == 1);
    CHECK(r[0].latest_row == 2);
    CHECK(r[0].change.estimate == doctest::Approx(3.0));
    CHECK(r[0].change.lower == doctest::Approx(3.0 - z95 * std::sqrt(2.0)));
    CHECK(r[0].change.significant);
    CHECK(r[1].baseline_row == 4);
    CHECK(r[1].latest_row == 3);
    CHECK(r[1].change.estimate == doctest::Approx(1.0));
    CHECK(r[1].change.assessed);
    CHECK_FALSE(r[1].change.significant);
    CHECK(r[2].baseline_row == 5);
    CHECK(r[2].latest_row == 5);
    CHECK_FALSE(r[2].change.assessed);
    CHECK(std::isnan(r[2].change.estimate));
    CHECK(r[3].baseline_row == -1);
    CHECK(r[3].latest_row == 6);
    CHECK_FALSE(r[3].change.assessed);
    CHECK_THROWS_AS(baseline_changes(3, group, code, periods, "2022", v.data(), lo.data(), hi.data()), StatisticsError);
    CHECK_THROWS_AS(baseline_changes(4, group, std::vector<std::uint32_t>{0, 1}, periods, "2022", v.data(), lo.data(),
                                     hi.data()),
                    StatisticsError);
}
