// Funnel plot limits, significance and points against PHEindicatormethods' own test data
// (reference/pheindicatormethods/upstream/sysdata/test_funnel_*.csv: values from the Fingertips
// Excel tools, which the package's tests compare with testthat's default tolerance), and the
// building blocks against independent formulas (Boost's Poisson and gamma functions, Wilson).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <boost/math/distributions/poisson.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "fairer/detail/csv.hpp"
#include "fairer/funnels.hpp"

#include "basic_reference.hpp"

namespace {

const std::string upstream = std::string(FAIRER_SHARED_DIR) + "/reference/pheindicatormethods/upstream/sysdata/";
const std::string cases_dir = std::string(FAIRER_SHARED_DIR) + "/reference/pheindicatormethods/cases/";

using basic_reference::Table;  // read by column name; NA (and any non-number) reads as NaN

// testthat's numeric rule (the upstream tests' tolerance): equal NaN positions and
// mean |a − e| / mean |e| < tolerance over the other entries.
void check_close(const std::vector<double>& actual, const std::vector<double>& expected, double tolerance,
                 const std::string& what) {
    INFO(what);
    REQUIRE(actual.size() == expected.size());
    double diff = 0.0;
    double scale = 0.0;
    for (std::size_t i = 0; i < actual.size(); ++i) {
        REQUIRE_MESSAGE(std::isnan(actual[i]) == std::isnan(expected[i]), "NaN position differs at row " << i + 1);
        if (std::isnan(actual[i])) continue;
        diff += std::fabs(actual[i] - expected[i]);
        scale += std::fabs(expected[i]);
    }
    CHECK(diff / scale < tolerance);
}

constexpr double testthat_tolerance = 1.4901161193847656e-08;  // sqrt(DBL_EPSILON)

std::vector<std::string> labels(const std::vector<fairer::FunnelSignificance>& s) {
    std::vector<std::string> out;
    for (auto v : s) out.emplace_back(fairer::to_string(v));
    return out;
}

std::vector<double> subset(const std::vector<double>& v, const std::vector<bool>& keep) {
    std::vector<double> out;
    for (std::size_t i = 0; i < v.size(); ++i)
        if (keep[i]) out.push_back(v[i]);
    return out;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const fairer::StatisticsError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("funnels: R's character width of whole numbers, used by the axis rounding") {
    // Known R results: nchar(1e5) is 5 because as.character(1e5) is "1e+05".
    CHECK(fairer::detail::r_whole_number_width(100000) == 5);
    CHECK(fairer::detail::r_whole_number_width(123456) == 6);
    CHECK(fairer::detail::r_whole_number_width(1200000) == 7);   // "1200000" ties "1.2e+06": fixed wins
    CHECK(fairer::detail::r_whole_number_width(12000000) == 7);  // "1.2e+07"
    CHECK(fairer::detail::r_whole_number_width(1000) == 4);      // "1000" ties "1e+03"
    CHECK(fairer::detail::r_whole_number_width(0) == 1);
    // Hence the axis ceiling of 11428572 (1.05x = 12000000.6, ceiling 12000001, 8 characters)
    // rounds up at 10^6, but that of 11428571 (ceiling 12000000, "1.2e+07") at 10^5.
    CHECK(fairer::funnel_axis_ceiling(11428571.0) == 12000000.0);
    CHECK(fairer::funnel_axis_ceiling(11428572.0) == 13000000.0);
}

TEST_CASE("funnels: Poisson series and bisection against Boost's Poisson and gamma functions") {
    for (double mean : {0.3, 4.5, 37.0, 812.5, 12000.0}) {
        const boost::math::poisson_distribution<double> d(mean);
        for (double k : {0.0, 3.0, 30.0, 800.0}) {
            INFO("mean " << mean << ", k " << k);
            CHECK(fairer::poisson_range_probability(mean, 0.0, k) == doctest::Approx(boost::math::cdf(d, k)).epsilon(1e-9));
            if (k > 0.0) {
                const double upper = boost::math::cdf(boost::math::complement(d, k - 1.0));
                if (upper > 1e-300)
                    CHECK(fairer::poisson_range_probability(mean, k, 1e10) ==
                          doctest::Approx(upper).epsilon(1e-8));
            }
        }
    }
    // P(X >= o | λ) = P(o, λ) (regularised lower incomplete gamma) and P(X <= o | λ) = Q(o + 1, λ).
    for (double o : {1.0, 7.0, 53.0, 4000.0}) {
        for (double p : {0.025, 0.001}) {
            INFO("observed " << o << ", p " << p);
            const double below = boost::math::gamma_p_inv(o, p);
            const double above = boost::math::gamma_q_inv(o + 1.0, p);
            CHECK(fairer::poisson_funnel_mean(o, p, fairer::PoissonTail::upper) == doctest::Approx(below).epsilon(2e-6));
            CHECK(fairer::poisson_funnel_mean(o, p, fairer::PoissonTail::lower) == doctest::Approx(above).epsilon(2e-6));
        }
    }
}

TEST_CASE("funnels: a Wilson funnel limit is where the Wilson interval touches the average") {
    for (double n : {40.0, 1000.0, 250000.0}) {
        for (double c : {0.95, 0.998}) {
            const fairer::Interval f = fairer::wilson_funnel_limits(n, 0.3, c);
            CHECK(fairer::wilson_interval(f.lower * n, n, c).upper == doctest::Approx(0.3).epsilon(1e-12));
            CHECK(fairer::wilson_interval(f.upper * n, n, c).lower == doctest::Approx(0.3).epsilon(1e-12));
        }
    }
}

TEST_CASE("funnels: proportion limits match test_funnel_outputs (all rows, multiplier 100)") {
    const Table in(upstream + "test_funnel_inputs.csv");
    const Table expected(upstream + "test_funnel_outputs.csv");
    const auto got = fairer::proportion_funnel_limits(in.numbers("numerator"), in.numbers("denominator"), 100.0);
    CHECK(got.population == expected.numbers("Population"));
    check_close(got.lower_2s_limit, expected.numbers("lower_2s_limit"), testthat_tolerance, "lower_2s_limit");
    check_close(got.upper_2s_limit, expected.numbers("upper_2s_limit"), testthat_tolerance, "upper_2s_limit");
    check_close(got.lower_3s_limit, expected.numbers("lower_3s_limit"), testthat_tolerance, "lower_3s_limit");
    check_close(got.upper_3s_limit, expected.numbers("upper_3s_limit"), testthat_tolerance, "upper_3s_limit");
    CHECK(got.baseline == doctest::Approx(expected.numbers("baseline")[0]).epsilon(1e-8));
}

TEST_CASE("funnels: proportion limits with a non-zero axis start match test_funnel_outputs_axis_variation") {
    const Table in(upstream + "test_funnel_inputs.csv");
    std::vector<double> x = in.numbers("numerator"), n = in.numbers("denominator");
    std::vector<bool> keep;
    for (double d : n) keep.push_back(d < 31000.0);
    const Table expected(upstream + "test_funnel_outputs_axis_variation.csv");
    const auto got = fairer::proportion_funnel_limits(subset(x, keep), subset(n, keep), 100.0);
    CHECK(got.population.front() == 10000.0);
    CHECK(got.population == expected.numbers("Population"));
    check_close(got.lower_2s_limit, expected.numbers("lower_2s_limit"), testthat_tolerance, "lower_2s_limit");
    check_close(got.upper_2s_limit, expected.numbers("upper_2s_limit"), testthat_tolerance, "upper_2s_limit");
    check_close(got.lower_3s_limit, expected.numbers("lower_3s_limit"), testthat_tolerance, "lower_3s_limit");
    check_close(got.upper_3s_limit, expected.numbers("upper_3s_limit"), testthat_tolerance, "upper_3s_limit");
}

TEST_CASE("funnels: ratio limits (count and isr) match test_funnel_ratio_outputs") {
    const Table in(upstream + "test_funnel_ratio_inputs.csv");
    const Table expected(upstream + "test_funnel_ratio_outputs.csv");
    const auto count = fairer::ratio_funnel_limits(in.numbers("obs"), in.numbers("expected"), fairer::RatioType::count);
    const auto isr = fairer::ratio_funnel_limits(in.numbers("obs"), in.numbers("expected"), fairer::RatioType::isr);
    CHECK(count.observed_events == expected.numbers("Observed_events"));
    check_close(count.lower_2s_exp_events, expected.numbers("lower_2s_exp_events"), testthat_tolerance, "lower_2s_exp");
    check_close(count.upper_2s_exp_events, expected.numbers("upper_2s_exp_events"), testthat_tolerance, "upper_2s_exp");
    check_close(count.lower_3s_exp_events, expected.numbers("lower_3s_exp_events"), testthat_tolerance, "lower_3s_exp");
    check_close(count.upper_3s_exp_events, expected.numbers("upper_3s_exp_events"), testthat_tolerance, "upper_3s_exp");
    check_close(count.lower_2s_limit, expected.numbers("lower_2s_count"), testthat_tolerance, "lower_2s_count");
    check_close(count.upper_2s_limit, expected.numbers("upper_2s_count"), testthat_tolerance, "upper_2s_count");
    check_close(count.lower_3s_limit, expected.numbers("lower_3s_count"), testthat_tolerance, "lower_3s_count");
    check_close(count.upper_3s_limit, expected.numbers("upper_3s_count"), testthat_tolerance, "upper_3s_count");
    check_close(isr.lower_2s_limit, expected.numbers("lower_2s_isr"), testthat_tolerance, "lower_2s_isr");
    check_close(isr.upper_2s_limit, expected.numbers("upper_2s_isr"), testthat_tolerance, "upper_2s_isr");
    check_close(isr.lower_3s_limit, expected.numbers("lower_3s_isr"), testthat_tolerance, "lower_3s_isr");
    check_close(isr.upper_3s_limit, expected.numbers("upper_3s_isr"), testthat_tolerance, "upper_3s_isr");
}

namespace {

void check_rate_limits(const fairer::RateFunnelLimits& got, const Table& expected) {
    CHECK(got.events == expected.numbers("Events"));
    check_close(got.lower_2s_population_1_year, expected.numbers("lower_2s_population_1_year"), testthat_tolerance,
                "lower_2s_population_1_year");
    check_close(got.lower_2s_limit, expected.numbers("lower_2s_limit"), testthat_tolerance, "lower_2s_limit");
    check_close(got.upper_2s_population_1_year, expected.numbers("upper_2s_population_1_year"), testthat_tolerance,
                "upper_2s_population_1_year");
    check_close(got.upper_2s_limit, expected.numbers("upper_2s_limit"), testthat_tolerance, "upper_2s_limit");
    check_close(got.lower_3s_population_1_year, expected.numbers("lower_3s_population_1_year"), testthat_tolerance,
                "lower_3s_population_1_year");
    check_close(got.lower_3s_limit, expected.numbers("lower_3s_limit"), testthat_tolerance, "lower_3s_limit");
    check_close(got.upper_3s_population_1_year, expected.numbers("upper_3s_population_1_year"), testthat_tolerance,
                "upper_3s_population_1_year");
    check_close(got.upper_3s_limit, expected.numbers("upper_3s_limit"), testthat_tolerance, "upper_3s_limit");
    CHECK(got.baseline == doctest::Approx(expected.numbers("baseline")[0]).epsilon(1e-8));
}

// The upstream rate tests set the largest event count to `value` for some scenarios.
std::vector<double> with_max_set(std::vector<double> v, double value) {
    *std::max_element(v.begin(), v.end()) = value;
    return v;
}

}  // namespace

TEST_CASE("funnels: rate limits match test_funnel_rate_funnels{,_2,_3}") {
    const Table in(upstream + "test_funnel_rate_funnels_input.csv");
    const std::vector<double> ev = in.numbers("ev"), rate = in.numbers("rate");
    SUBCASE("dsr per 100,000, 3 years") {
        check_rate_limits(fairer::rate_funnel_limits(ev, rate, {}, fairer::RateType::dsr, 1e5, 3.0),
                          Table(upstream + "test_funnel_rate_funnels.csv"));
    }
    SUBCASE("crude, largest count set to 5") {
        check_rate_limits(fairer::rate_funnel_limits(with_max_set(ev, 5.0), rate, {}, fairer::RateType::crude, 1e5, 3.0),
                          Table(upstream + "test_funnel_rate_funnels_2.csv"));
    }
    SUBCASE("crude with a zero count and its denominator") {
        // The upstream test builds this table inline; the harness stored it with the cases.
        const Table zero(cases_dir + "inputs/funnel_limits_rate_crude_zero.csv");
        check_rate_limits(fairer::rate_funnel_limits(zero.numbers("ev"), zero.numbers("rate"), zero.numbers("pop"),
                                                     fairer::RateType::crude, 1e5, 3.0),
                          Table(upstream + "test_funnel_rate_funnels_3.csv"));
    }
}

TEST_CASE("funnels: significance matches test_funnel_inputs, test_funnel_ratio_inputs, test_funnel_rate_inputs") {
    const Table prop(upstream + "test_funnel_inputs.csv");
    CHECK(labels(fairer::proportion_funnel_significance(prop.numbers("numerator"), prop.numbers("denominator"))) ==
          prop.text("significance"));
    const Table ratio(upstream + "test_funnel_ratio_inputs.csv");
    CHECK(labels(fairer::ratio_funnel_significance(ratio.numbers("obs"), ratio.numbers("expected"))) ==
          ratio.text("significance"));

    const Table rates(upstream + "test_funnel_rate_inputs.csv");
    const std::vector<double> count = rates.numbers("count"), pop = rates.numbers("pop");
    std::vector<bool> nonzero;
    for (double c : count) nonzero.push_back(c != 0.0);
    struct Scenario {
        std::string column, rate;
        fairer::RateType type;
        double multiplier;
    };
    const std::vector<Scenario> scenarios = {
        {"dsr_per_100000", "rate_dsr", fairer::RateType::dsr, 1e5},
        {"dsr_per_100", "rate_dsr", fairer::RateType::dsr, 100.0},
        {"crude_per_100000", "rate_crude_per_100000", fairer::RateType::crude, 1e5},
        {"crude_per_100", "rate_crude_per_100", fairer::RateType::crude, 100.0},
    };
    for (const auto& s : scenarios) {
        INFO(s.column);
        const std::vector<double> rate = rates.numbers(s.rate);
        CHECK(labels(fairer::rate_funnel_significance(count, rate, pop, s.type, s.multiplier)) ==
              rates.text(s.column + "_with_0"));
        const std::vector<std::string> all = rates.text(s.column + "_without_0");
        std::vector<std::string> expected;
        for (std::size_t i = 0; i < all.size(); ++i)
            if (nonzero[i]) expected.push_back(all[i]);
        CHECK(labels(fairer::rate_funnel_significance(subset(count, nonzero), subset(rate, nonzero), {}, s.type,
                                                      s.multiplier)) == expected);
    }
}

TEST_CASE("funnels: rate points match test_funnel_rate_funnels_input") {
    const Table in(upstream + "test_funnel_rate_funnels_input.csv");
    const std::vector<double> ev = in.numbers("ev"), rate = in.numbers("rate"), pop = in.numbers("pop");
    const auto dsr = fairer::rate_funnel_points(with_max_set(ev, 5.0), rate, {}, fairer::RateType::dsr, 1e5, 3.0);
    check_close(dsr.rate_chart, in.numbers("rate_chart"), testthat_tolerance, "rate_chart");
    check_close(dsr.denominator_derived, in.numbers("denominator_derived"), testthat_tolerance, "denominator_derived");
    const auto crude = fairer::rate_funnel_points(ev, rate, {}, fairer::RateType::crude, 1e5, 3.0);
    check_close(crude.rate_chart, in.numbers("rate_chart_crude"), testthat_tolerance, "rate_chart_crude");
    check_close(crude.denominator_derived, in.numbers("denominator_derived_crude"), testthat_tolerance,
                "denominator_derived_crude");
    const auto with_denominator =
        fairer::rate_funnel_points(with_max_set(ev, 0.0), rate, pop, fairer::RateType::crude, 1e5, 5.0);
    check_close(with_denominator.rate_chart, in.numbers("rate_chart_crude_with_denom"), testthat_tolerance,
                "rate_chart_crude_with_denom");
    check_close(with_denominator.denominator_derived, in.numbers("denominator_derived_crude_with_denom"),
                testthat_tolerance, "denominator_derived_crude_with_denom");
}

TEST_CASE("funnels: bad input raises StatisticsError naming the row") {
    const std::vector<double> x = {5, 3, 8}, n = {10, 10, 10};
    const double nan = std::nan("");
    CHECK(error_of([&] { fairer::proportion_funnel_limits(std::vector<double>{5, nan, 8}, n, 100.0); })
              .find("numerators and denominators must be provided for all records") != std::string::npos);
    CHECK(error_of([&] { fairer::proportion_funnel_significance(std::vector<double>{5, 3, 11}, n); })
              .find("numerators must be less than or equal to denominator for a proportion statistic (row 3: "
                    "numerator 11, denominator 10)") != std::string::npos);
    CHECK(error_of([&] { fairer::proportion_funnel_limits(std::vector<double>{5, -3, 8}, n, 100.0); })
              .find("numerators must be greater than or equal to zero (row 2") != std::string::npos);
    CHECK(error_of([&] { fairer::ratio_funnel_limits(x, std::vector<double>{1, 0, 2}, fairer::RatioType::isr); })
              .find("denominators must be greater than zero (row 2") != std::string::npos);
    CHECK(error_of([&] { fairer::proportion_funnel_limits(x, std::vector<double>{10, 10}, 100.0); })
              .find("the denominator has 2 values but the numerator has 3") != std::string::npos);
    CHECK(error_of([&] { fairer::proportion_funnel_limits(x, n, 0.0); }).find("multiplier") != std::string::npos);
    CHECK(error_of([&] {
              fairer::rate_funnel_limits(x, std::vector<double>{}, {}, fairer::RateType::dsr, 100.0, 1.0);
          }).find("the rate has 0 values but the numerator has 3") != std::string::npos);
    const std::vector<double> rate = {50, 30, 80};
    CHECK(error_of([&] {
              fairer::rate_funnel_limits(std::vector<double>{5, 0, 8}, rate, {}, fairer::RateType::crude, 100.0, 1.0);
          }).find("the denominator field needs to be provided using the denominator argument (row 2)") !=
          std::string::npos);
    CHECK(error_of([&] {
              fairer::rate_funnel_significance(std::vector<double>{5, 0, 8}, rate, std::vector<double>{10, nan, 10},
                                               fairer::RateType::dsr, 100.0);
          }).find("the denominator must be provided (row 2)") != std::string::npos);
    CHECK(error_of([&] {
              fairer::rate_funnel_limits(x, std::vector<double>{50, nan, 80}, {}, fairer::RateType::dsr, 100.0, 1.0);
          }).find("rates must be provided for all records, or a denominator must be provided") != std::string::npos);
    CHECK(error_of([&] {
              fairer::rate_funnel_limits(x, std::vector<double>{50, 0, 80}, {}, fairer::RateType::dsr, 100.0, 1.0);
          }).find("a rate greater than zero must be provided for every record with events (row 2: rate 0)") !=
          std::string::npos);
    CHECK(error_of([&] { fairer::rate_funnel_points(x, rate, {}, fairer::RateType::dsr, 100.0, 0.0); })
              .find("years_of_data") != std::string::npos);
}

TEST_CASE("funnels: a missing ratio input gives a missing label, not an error") {
    const auto s = fairer::ratio_funnel_significance(std::vector<double>{8, std::nan(""), 159},
                                                     std::vector<double>{6.239860227, 10, 232.9329036});
    CHECK(labels(s) == std::vector<std::string>{"Not significant", "", "Low (0.001)"});
    CHECK(s[1] == fairer::FunnelSignificance::missing);
}
