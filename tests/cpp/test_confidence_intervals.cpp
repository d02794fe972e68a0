// Building blocks checked against the package's own independent expected values
// (upstream/sysdata/test_BW.csv, from an Excel tool) and against closed forms.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fairer/confidence_intervals.hpp"
#include "fairer/detail/csv.hpp"

namespace {

struct BwRow {
    double x, n, lower, upper, confidence;
    std::string method;
};

double field_number(std::string_view v) {
    double d = 0;
    return fairer::detail::parse_double(v, d) ? d : std::nan("");
}

std::vector<BwRow> read_bw() {
    auto r = fairer::detail::CsvReader::from_file(std::string(FAIRER_SHARED_DIR) +
                                                  "/reference/pheindicatormethods/upstream/sysdata/test_BW.csv");
    std::vector<std::string_view> f;
    r.next(f);  // header x,n,lowercl,uppercl,confidence,method
    std::vector<BwRow> rows;
    while (r.next(f)) {
        const double c = f[4] == "95%" ? 0.95 : 0.998;
        rows.push_back({field_number(f[0]), field_number(f[1]), field_number(f[2]), field_number(f[3]), c,
                        std::string(f[5])});
    }
    return rows;
}

// The upstream tests' tolerance is 1.5e-8 relative; these are single values, so compare each.
bool close(double a, double e, double rel = 1e-9) {
    if (std::isnan(e)) return std::isnan(a);
    return std::fabs(a - e) <= rel * std::fabs(e);
}

}  // namespace

TEST_CASE("z_value is the two-sided normal quantile") {
    CHECK(fairer::z_value(0.95) == doctest::Approx(1.959963984540054).epsilon(1e-15));
    CHECK(fairer::z_value(0.998) == doctest::Approx(3.090232306167813).epsilon(1e-15));
    CHECK_THROWS_AS(fairer::z_value(1.0), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::z_value(0.0), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::z_value(std::nan("")), fairer::StatisticsError);
}

TEST_CASE("scale_confidence applies the percent rule") {
    CHECK(fairer::scale_confidence(95) == 0.95);
    CHECK(fairer::scale_confidence(99.8) == doctest::Approx(0.998).epsilon(1e-15));
    CHECK(fairer::scale_confidence(0.8) == 0.8);
    CHECK_THROWS_AS(fairer::scale_confidence(50), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::scale_confidence(100), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::scale_confidence(-0.5), fairer::StatisticsError);
}

TEST_CASE("Byar's and Wilson limits match the package's test_BW expected values") {
    const auto rows = read_bw();
    REQUIRE(rows.size() == 13);
    int byars = 0, wilson = 0;
    for (const auto& row : rows) {
        CAPTURE(row.x);
        CAPTURE(row.confidence);
        if (row.method == "Byars") {
            const auto ci = fairer::byars_interval(row.x, row.confidence);
            CHECK(close(ci.lower, row.lower));
            CHECK(close(ci.upper, row.upper));
            ++byars;
        } else {
            const auto ci = fairer::wilson_interval(row.x, row.n, row.confidence);
            CHECK(close(ci.lower, row.lower));
            CHECK(close(ci.upper, row.upper));
            ++wilson;
        }
    }
    CHECK(byars == 7);
    CHECK(wilson == 6);
}

TEST_CASE("exact Poisson limits") {
    // x = 0: the upper limit solves P(X = 0) = 0.025, i.e. -log(0.025).
    auto ci = fairer::exact_poisson_interval(0, 0.95);
    CHECK(ci.lower == 0.0);
    CHECK(close(ci.upper, -std::log(0.025), 1e-14));
    // x = 1: the lower limit solves P(X >= 1) = 0.025, i.e. -log(0.975); the upper limit
    // solves P(X <= 1) = exp(-u)(1 + u) = 0.025 (checked by substitution, a second method).
    ci = fairer::exact_poisson_interval(1, 0.95);
    CHECK(close(ci.lower, -std::log(0.975), 1e-14));
    CHECK(std::exp(-ci.upper) * (1.0 + ci.upper) == doctest::Approx(0.025).epsilon(1e-13));
    // Published table values (Garwood 1936; e.g. Ulm 1990 Am J Epidemiol 131:373) for x = 5 at 95%.
    ci = fairer::exact_poisson_interval(5, 0.95);
    CHECK(ci.lower == doctest::Approx(1.6235).epsilon(1e-4));
    CHECK(ci.upper == doctest::Approx(11.6683).epsilon(1e-4));
    // Non-integer counts are allowed (fractional degrees of freedom): limits are monotone in x.
    const auto a = fairer::exact_poisson_interval(9.0, 0.95);
    const auto b = fairer::exact_poisson_interval(9.5, 0.95);
    const auto c = fairer::exact_poisson_interval(10.0, 0.95);
    CHECK(a.lower < b.lower);
    CHECK(b.lower < c.lower);
    CHECK(a.upper < b.upper);
    CHECK(b.upper < c.upper);
    CHECK_THROWS_AS(fairer::exact_poisson_interval(-1, 0.95), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::exact_poisson_interval(3, 1.5), fairer::StatisticsError);
}

TEST_CASE("poisson_count_interval switches from exact to Byar's at 10") {
    const auto below = fairer::poisson_count_interval(9.999, 0.95);
    const auto exact = fairer::exact_poisson_interval(9.999, 0.95);
    CHECK(below.lower == exact.lower);
    CHECK(below.upper == exact.upper);
    const auto at = fairer::poisson_count_interval(10, 0.95);
    const auto byars = fairer::byars_interval(10, 0.95);
    CHECK(at.lower == byars.lower);
    CHECK(at.upper == byars.upper);
    // Byar's is an approximation to the exact limits: within 1% at x = 10.
    const auto ex10 = fairer::exact_poisson_interval(10, 0.95);
    CHECK(at.lower == doctest::Approx(ex10.lower).epsilon(0.01));
    CHECK(at.upper == doctest::Approx(ex10.upper).epsilon(0.01));
}

TEST_CASE("building blocks reject bad input with StatisticsError") {
    CHECK_THROWS_AS(fairer::wilson_interval(-1, 10, 0.95), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::wilson_interval(1, 0, 0.95), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::wilson_interval(11, 10, 0.95), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::wilson_interval(1, 10, 95), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::wilson_interval(std::nan(""), 10, 0.95), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::byars_interval(-3, 0.95), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::byars_interval(HUGE_VAL, 0.95), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::poisson_count_interval(4, 0.0), fairer::StatisticsError);
}

TEST_CASE("indicator_confidence_levels follows the package's argument rules") {
    using fairer::indicator_confidence_levels;
    CHECK(indicator_confidence_levels({0.95}) == std::vector<double>{0.95});
    CHECK(indicator_confidence_levels({99.8}) == std::vector<double>{0.998});
    CHECK(indicator_confidence_levels({0.95, 0.998}) == std::vector<double>{0.95, 0.998});
    // Deliberate difference: the package refuses c(95, 99.8) although it accepts 95 alone.
    CHECK(indicator_confidence_levels({95, 99.8}) == std::vector<double>{0.95, 0.998});
    CHECK(indicator_confidence_levels({}).empty());
    CHECK_THROWS_WITH_AS(indicator_confidence_levels({0.8}), doctest::Contains("between 90 and 100"),
                         fairer::StatisticsError);
    CHECK_THROWS_AS(indicator_confidence_levels({50}), fairer::StatisticsError);
    CHECK_THROWS_AS(indicator_confidence_levels({130}), fairer::StatisticsError);
    // Deliberate difference: 100% is refused (the package gives [0, 1] or infinite limits).
    CHECK_THROWS_AS(indicator_confidence_levels({1.0}), fairer::StatisticsError);
    CHECK_THROWS_WITH_AS(indicator_confidence_levels({0.95, 0.998, 0.8}), doctest::Contains("maximum of two"),
                         fairer::StatisticsError);
    CHECK_THROWS_WITH_AS(indicator_confidence_levels({0.95, 0.98}), doctest::Contains("0.95 and 0.998"),
                         fairer::StatisticsError);
    CHECK_THROWS_AS(indicator_confidence_levels({0.998, 0.95}), fairer::StatisticsError);
}
