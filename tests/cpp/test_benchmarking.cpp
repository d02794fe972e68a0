// Benchmark comparisons. Expected labels come from hand-worked cases (the arithmetic is in the
// comments), from the worked examples in the Fingertips test suite (fingertips-open,
// PholioVisualisationWS AnalysisTest: SpcForProportionsComparerTest, SpcForDsrComparerTest,
// QuintilesCalculatorTest, QuintilesComparerTest; values from real indicators 1, 514 and 501),
// and from published values (Wilson 50/100, Garwood exact Poisson limits for 10 events, as R gives them).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "fairer/benchmarking.hpp"

using namespace fairer;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const Polarity hi = Polarity::higher_is_better;
const Polarity lo = Polarity::lower_is_better;
const Polarity bob = Polarity::no_judgement;
const Polarity na = Polarity::not_applicable;
}  // namespace

TEST_CASE("polarity and method names") {
    CHECK(parse_polarity("higher is better") == hi);
    CHECK(parse_polarity("RAG - High is good") == hi);
    CHECK(parse_polarity("Lower is better") == lo);
    CHECK(parse_polarity("RAG - Low is good") == lo);
    CHECK(parse_polarity("BOB - Blue orange blue") == bob);
    CHECK(parse_polarity("no judgement") == bob);
    CHECK(parse_polarity("not_applicable") == na);
    CHECK_THROWS_AS(parse_polarity("higher is worse"), StatisticsError);
    CHECK_THROWS_WITH(parse_polarity("sideways"), doctest::Contains("'sideways'"));
    CHECK(parse_comparator_method("17") == ComparatorMethod::two_level_overlap);
    CHECK(parse_comparator_method("-1") == ComparatorMethod::none);
    CHECK(parse_comparator_method("spc_dsr") == ComparatorMethod::spc_dsr);
    for (auto m : {ComparatorMethod::none, ComparatorMethod::single_overlap, ComparatorMethod::two_level_overlap,
                   ComparatorMethod::double_overlap, ComparatorMethod::spc_proportion, ComparatorMethod::spc_dsr,
                   ComparatorMethod::quintiles, ComparatorMethod::quartiles})
        CHECK(parse_comparator_method(to_string(m)) == m);
    CHECK_THROWS_AS(parse_comparator_method("7"), StatisticsError);
}

TEST_CASE("single overlapping 95% limits, every polarity") {
    // Area 10 (8, 12). Benchmark 7 lies below the limits: the area is higher.
    CHECK(compare_single_overlap(10, 8, 12, 7, hi).label == "Better");
    CHECK(compare_single_overlap(10, 8, 12, 7, lo).label == "Worse");
    CHECK(compare_single_overlap(10, 8, 12, 7, bob).label == "Higher");
    CHECK(compare_single_overlap(10, 8, 12, 13, hi).label == "Worse");
    CHECK(compare_single_overlap(10, 8, 12, 13, lo).label == "Better");
    CHECK(compare_single_overlap(10, 8, 12, 13, bob).label == "Lower");
    // A benchmark on a limit is inside it (Fingertips compares strictly).
    CHECK(compare_single_overlap(10, 8, 12, 12, hi).label == "Similar");
    CHECK(compare_single_overlap(10, 8, 12, 8, lo).label == "Similar");
    const auto c = compare_single_overlap(10, 8, 12, 7, hi);
    CHECK(c.compared);
    CHECK(c.direction == 1);
    CHECK(c.level == 0.95);
    CHECK(c.method == ComparatorMethod::single_overlap);
    const auto n = compare_single_overlap(10, 8, 12, 7, na);
    CHECK_FALSE(n.compared);
    CHECK(n.label == "Not compared");
    CHECK(n.reason == "polarity not applicable");
}

TEST_CASE("a missing benchmark, value or limit is stated, never labelled") {
    auto b = compare_single_overlap(10, 8, 12, kNaN, hi);
    CHECK(b.label == "Not compared");
    CHECK(b.reason == "benchmark has no value");
    CHECK(compare_single_overlap(kNaN, 8, 12, 9, hi).reason == "no value");
    CHECK(compare_single_overlap(10, kNaN, 12, 9, hi).reason == "no 95% confidence limits");
    CHECK(compare_two_level(10, 8, 12, kNaN, 13, 9, hi).reason == "no 99.8% confidence limits");
    CHECK(compare_double_overlap(10, 8, 12, 9, kNaN, 10, hi).reason == "benchmark has no 95% confidence limits");
    CHECK(compare_spc_proportion(10, kNaN, 9, 100, hi).reason == "no denominator");
    CHECK(compare_spc_dsr(10, 0, 9, 100000, hi).reason == "no denominator");
}

TEST_CASE("two levels: Better/Best and Worse/Worst") {
    // 95% limits (8, 12), 99.8% limits (7, 13).
    CHECK(compare_two_level(10, 8, 12, 7, 13, 9, hi).label == "Similar");
    CHECK(compare_two_level(10, 8, 12, 7, 13, 7.5, hi).label == "Better");   // outside 95%, inside 99.8%
    CHECK(compare_two_level(10, 8, 12, 7, 13, 6, hi).label == "Best");       // outside both
    CHECK(compare_two_level(10, 8, 12, 7, 13, 6, lo).label == "Worst");
    CHECK(compare_two_level(10, 8, 12, 7, 13, 12.5, hi).label == "Worse");
    CHECK(compare_two_level(10, 8, 12, 7, 13, 14, hi).label == "Worst");
    CHECK(compare_two_level(10, 8, 12, 7, 13, 14, lo).label == "Best");
    const auto b = compare_two_level(10, 8, 12, 7, 13, 14, bob);
    CHECK(b.label == "Lower");
    CHECK(b.level == 0.998);
    CHECK(compare_two_level(10, 8, 12, 7, 13, 12.5, bob).level == 0.95);
}

TEST_CASE("double overlapping limits") {
    // Area (8, 12); benchmark limits (12.5, 14) do not overlap: the area is lower.
    CHECK(compare_double_overlap(10, 8, 12, 13, 12.5, 14, hi).label == "Worse");
    CHECK(compare_double_overlap(10, 8, 12, 13, 12.5, 14, lo).label == "Better");
    CHECK(compare_double_overlap(10, 8, 12, 13, 12.5, 14, bob).label == "Lower");
    // Benchmark value 13 is outside (8, 12) but its limits (11, 15) overlap: Similar under
    // method 12 although method 1 finds a difference.
    CHECK(compare_double_overlap(10, 8, 12, 13, 11, 15, hi).label == "Similar");
    CHECK(compare_single_overlap(10, 8, 12, 13, hi).label == "Worse");
    CHECK(compare_double_overlap(10, 8, 12, 6, 5, 7.9, hi).label == "Better");
    CHECK(compare_double_overlap(10, 8, 12, 6, 5, 8, hi).label == "Similar");  // touching limits overlap
}

TEST_CASE("SPC control limits for a proportion: Wilson 50/100 round the benchmark") {
    // Benchmark 50% with N = 100: E = 50, the Wilson 95% limits of 50/100 are 0.4038315303659957
    // and 0.5961684696340043 (R: prop.test(50, 100, correct = FALSE)$conf.int, which is Wilson's).
    const Interval l = spc_proportion_limits(50, 100, 100, 0.95);
    CHECK(l.lower == doctest::Approx(40.38315303659957).epsilon(1e-12));
    CHECK(l.upper == doctest::Approx(59.61684696340043).epsilon(1e-12));
    CHECK(compare_spc_proportion(40.3, 100, 50, 100, hi).label == "Worse");
    CHECK(compare_spc_proportion(40.4, 100, 50, 100, hi).label == "Similar");
    CHECK(compare_spc_proportion(59.7, 100, 50, 100, lo).label == "Worse");
    CHECK(compare_spc_proportion(59.7, 100, 50, 100, bob).label == "Higher");
    CHECK_THROWS_AS(compare_spc_proportion(40, -1, 50, 100, hi), StatisticsError);
    CHECK_THROWS_AS(compare_spc_proportion(40, 100, 50, 100, hi, 1.5), StatisticsError);
}

TEST_CASE("SPC for proportions: Fingertips' worked examples (indicators 1 and 514, low is good)") {
    struct Case { double value, denominator, benchmark; const char* at95; const char* at998; };
    const Case cases[] = {
        {7.7065767284991562, 5930, 8.9611086876279327, "Better", "Better"},
        {9.8988121425428961, 2273, 8.9611086876279327, "Similar", "Similar"},
        {12.474645030425965, 1972, 8.9611086876279327, "Worse", "Worse"},
        {10.9783420463032, 1339, 12.8379546895717, "Better", "Similar"},
        {15.9065628476085, 899, 12.8379546895717, "Worse", "Similar"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.value);
        CHECK(compare_spc_proportion(c.value, c.denominator, c.benchmark, 100, lo, 0.95).label == c.at95);
        CHECK(compare_spc_proportion(c.value, c.denominator, c.benchmark, 100, lo, 0.998).label == c.at998);
    }
}

TEST_CASE("SPC for DSRs: exact Poisson limits round the benchmark") {
    // Benchmark 10 per 1,000 on a population of 1,000: E = 10 events, whose exact 95% limits
    // are 4.795389 and 18.390356 (Garwood 1936; R: qchisq(0.025, 20) / 2, qchisq(0.975, 22) / 2).
    const Interval l = spc_dsr_limits(10, 1000, 1000, 0.95);
    CHECK(l.lower == doctest::Approx(4.795389).epsilon(1e-6));
    CHECK(l.upper == doctest::Approx(18.390356).epsilon(1e-6));
    CHECK(compare_spc_dsr(18.5, 1000, 10, 1000, lo).label == "Worse");
    CHECK(compare_spc_dsr(18.3, 1000, 10, 1000, lo).label == "Similar");
    CHECK(compare_spc_dsr(4.7, 1000, 10, 1000, lo).label == "Better");
    // Fingertips' worked example: MRSA per 100,000, 2011 (indicator 501), low is good.
    const double england = 2.132708657734625;
    CHECK(compare_spc_dsr(1.1358436559886544, 616282, england, 100000, lo, 0.95).label == "Better");
    CHECK(compare_spc_dsr(1.1358436559886544, 616282, england, 100000, lo, 0.998).label == "Similar");
    CHECK(compare_spc_dsr(2.657913272289925, 601976, england, 100000, lo, 0.95).label == "Similar");
    CHECK(compare_spc_dsr(2.657913272289925, 601976, england, 100000, lo, 0.998).label == "Similar");
    CHECK(compare_spc_dsr(4.1515156695295845, 409489, england, 100000, lo, 0.95).label == "Worse");
    CHECK(compare_spc_dsr(4.1515156695295845, 409489, england, 100000, lo, 0.998).label == "Similar");
}

TEST_CASE("quintiles and quartiles: Fingertips' worked examples") {
    std::vector<double> one_to_fifty;
    for (int i = 1; i <= 50; ++i) one_to_fifty.push_back(i);
    const auto b = quantile_bounds(one_to_fifty, 5);
    REQUIRE(b.size() == 6);
    CHECK(b[0] == 1);
    CHECK(b[1] == doctest::Approx(10.8));
    CHECK(b[2] == doctest::Approx(20.6));
    CHECK(b[3] == doctest::Approx(30.4));
    CHECK(b[4] == doctest::Approx(40.2));
    CHECK(b[5] == 50);

    const std::vector<double> one_to_ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const auto low = compare_quantiles(one_to_ten, 5, lo);
    const auto high = compare_quantiles(one_to_ten, 5, hi);
    // values 1, 3, 5, 7, 9 are at positions 0, 2, 4, 6, 8
    const int expect_low[] = {1, 2, 3, 4, 5};
    const int expect_high[] = {5, 4, 3, 2, 1};
    for (int k = 0; k < 5; ++k) {
        CHECK(low[static_cast<std::size_t>(2 * k)].category == expect_low[k]);
        CHECK(high[static_cast<std::size_t>(2 * k)].category == expect_high[k]);
    }
    CHECK(low[0].label == "Lowest quintile");
    CHECK(high[0].label == "Lowest quintile");
    CHECK(high[9].label == "Highest quintile");
    CHECK(low[4].label == "Middle quintile");
    CHECK(high[4].method == ComparatorMethod::quintiles);

    // Quartiles of 1..9: bounds 1, 3, 5, 7, 9 (type 7); 3 is in the lowest, 4 in the second.
    const std::vector<double> nine{1, 2, 3, 4, 5, 6, 7, 8, 9};
    const auto q = compare_quantiles(nine, 4, bob);
    CHECK(q[2].label == "Lowest quartile");
    CHECK(q[3].label == "2nd lowest quartile");
    CHECK(q[5].label == "2nd highest quartile");
    CHECK(q[8].label == "Highest quartile");

    const auto few = compare_quantiles({1, 2, 3, 4}, 5, lo);
    CHECK(few[0].label == "Not compared");
    CHECK(few[0].reason == "fewer than 5 values to rank");
    const auto gap = compare_quantiles({1, 2, kNaN, 3, 4, 5}, 5, lo);
    CHECK(gap[2].reason == "no value");
    CHECK(gap[0].category == 1);
    CHECK_THROWS_AS(compare_quantiles(nine, 3, lo), StatisticsError);
}

TEST_CASE("many rows at once agree with the single-row functions and name a bad row") {
    ComparisonInput in;
    in.value = {10, 10, 10, kNaN};
    in.lower95 = {8, 8, 8, 8};
    in.upper95 = {12, 12, 12, 12};
    in.benchmark = {7, 13, 9, 9};
    const auto r = compare_many(ComparatorMethod::single_overlap, in, lo);
    REQUIRE(r.size() == 4);
    CHECK(r[0].label == "Worse");
    CHECK(r[1].label == "Better");
    CHECK(r[2].label == "Similar");
    CHECK(r[3].label == "Not compared");
    in.denominator = {100, -5, 100, 100};
    CHECK_THROWS_WITH(compare_many(ComparatorMethod::spc_proportion, in, lo), doctest::Contains("row 1"));
    in.benchmark = {1, 2};
    CHECK_THROWS_AS(compare_many(ComparatorMethod::single_overlap, in, lo), StatisticsError);
}
