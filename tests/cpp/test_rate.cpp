// phe_rate's own expected values (upstream/sysdata/test_Rate*.csv, from an Excel tool).
#include <doctest/doctest.h>

#include <cstdint>
#include <map>

#include "basic_reference.hpp"
#include "fairer/rate.hpp"

using basic_reference::same;

namespace {
Eigen::Map<const Eigen::ArrayXd> column(const std::vector<double>& v) {
    return Eigen::Map<const Eigen::ArrayXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}
const char* method_name(fairer::RateMethod m) {
    return m == fairer::RateMethod::exact ? "Exact" : m == fairer::RateMethod::byars ? "Byars" : "NA";
}
}  // namespace

TEST_CASE("rate row by row: exact below 10, Byar's from 10, both levels, x > n allowed") {
    const auto t = basic_reference::read_sysdata("test_Rate");
    const auto x = t.numbers("Numerator"), n = t.numbers("Denominator"), m = t.numbers("multiplier");
    const auto value = t.numbers("value"), l95 = t.numbers("lower95_0cl"), u95 = t.numbers("upper95_0cl"),
               l998 = t.numbers("lower99_8cl"), u998 = t.numbers("upper99_8cl");
    const auto method = t.text("method");
    REQUIRE(x.size() == 20);
    for (std::size_t i = 0; i < x.size(); ++i) {
        CAPTURE(i);
        const std::vector<double> xi{x[i]}, ni{n[i]};
        const auto r = fairer::rate(column(xi), column(ni), {0.95, 0.998}, std::isnan(m[i]) ? 100000.0 : m[i]);
        CHECK(same(r.value[0], value[i]));
        CHECK(same(r.lower[0][0], l95[i]));
        CHECK(same(r.upper[0][0], u95[i]));
        CHECK(same(r.lower[1][0], l998[i]));
        CHECK(same(r.upper[1][0], u998[i]));
        CHECK(method_name(r.method[0]) == method[i]);
    }
}

TEST_CASE("the whole test_Rate table in one call agrees with row-by-row calls") {
    const auto t = basic_reference::read_sysdata("test_Rate");
    const auto x = t.numbers("Numerator"), n = t.numbers("Denominator"), l95 = t.numbers("lower95_0cl");
    const auto r = fairer::rate(column(x), column(n), {0.95}, 100000.0);
    // Rows 9-20 are per 100,000 (rows 1-8 per 100).
    for (std::size_t i = 8; i < x.size(); ++i) CHECK(same(r.lower[0][i], l95[i]));
}

TEST_CASE("grouped rate sums counts per group first") {
    const auto in = basic_reference::read_sysdata("test_Rate");
    const auto expected = basic_reference::read_sysdata("test_Rate_g_results");
    // As the upstream test: the per-100,000 rows 9-16 twice, the NA rows 17-19 and row 20 once.
    const auto xs = in.numbers("Numerator"), ns = in.numbers("Denominator");
    const auto areas = in.text("Area");
    std::vector<std::size_t> take;
    for (std::size_t i = 8; i < 16; ++i) take.push_back(i);
    for (std::size_t i = 8; i < 20; ++i) take.push_back(i);
    basic_reference::GroupedRows rows;
    for (std::size_t i : take) rows.add(areas[i], xs[i], ns[i]);
    const auto r = fairer::rate(column(rows.x), column(rows.n), {0.95}, 100000.0, &rows.groups);
    const auto groups = basic_reference::check_grouped(r, expected, rows);
    const auto methods = expected.text("method");
    for (std::size_t i = 0; i < groups.size(); ++i) CHECK(method_name(r.method[groups[i]]) == methods[i]);
}

TEST_CASE("non-integer small counts use the exact limits directly") {
    const std::vector<double> x{9.5, 9.0}, n{1000, 1000};
    const auto r = fairer::rate(column(x), column(n), {0.95}, 1000.0);
    const auto e = fairer::exact_poisson_interval(9.5, 0.95);
    CHECK(same(r.lower[0][0], e.lower / 1000.0 * 1000.0, 1e-15));
    CHECK(same(r.upper[0][0], e.upper / 1000.0 * 1000.0, 1e-15));
    // The cached integer limits equal the direct computation.
    const auto e9 = fairer::exact_poisson_interval(9.0, 0.95);
    CHECK(r.lower[0][1] == e9.lower / 1000.0 * 1000.0);
    CHECK(r.method[0] == fairer::RateMethod::exact);
}

TEST_CASE("rate rejects bad input naming the group and row") {
    const std::vector<double> x{1, -5}, n{10, 10};
    fairer::RowGroups g{{0, 1}, {"A", "B"}};
    CHECK_THROWS_WITH_AS(fairer::rate(column(x), column(n), {0.95}, 1e5, &g),
                         doctest::Contains("group 'B', row index 1"), fairer::StatisticsError);
    const std::vector<double> ok{1, 5}, zero{10, 0};
    CHECK_THROWS_WITH_AS(fairer::rate(column(ok), column(zero)), doctest::Contains("denominators"),
                         fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::rate(column(ok), column(n), {0.5, 40.0}), fairer::StatisticsError);
}
