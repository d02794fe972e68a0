// phe_proportion's own expected values (upstream/sysdata/test_Prop*.csv, from an Excel tool).
#include <doctest/doctest.h>

#include <cstdint>
#include <map>

#include "basic_reference.hpp"
#include "fairer/proportion.hpp"

using basic_reference::same;

namespace {
Eigen::Map<const Eigen::ArrayXd> column(const std::vector<double>& v) {
    return Eigen::Map<const Eigen::ArrayXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}
}  // namespace

TEST_CASE("proportion row by row at 95% and 99.8% with multipliers 1 and 100") {
    const auto t = basic_reference::read_sysdata("test_Prop");
    const auto x = t.numbers("Numerator"), n = t.numbers("Denominator"), m = t.numbers("multiplier");
    const auto value = t.numbers("value"), l95 = t.numbers("lower95_0cl"), u95 = t.numbers("upper95_0cl"),
               l998 = t.numbers("lower99_8cl"), u998 = t.numbers("upper99_8cl");
    REQUIRE(x.size() == 19);
    for (std::size_t i = 0; i < x.size(); ++i) {
        CAPTURE(i);
        const std::vector<double> xi{x[i]}, ni{n[i]};
        const auto r = fairer::proportion(column(xi), column(ni), {0.95, 0.998}, m[i]);
        CHECK(same(r.value[0], value[i]));
        CHECK(same(r.lower[0][0], l95[i]));
        CHECK(same(r.upper[0][0], u95[i]));
        CHECK(same(r.lower[1][0], l998[i]));
        CHECK(same(r.upper[1][0], u998[i]));
        CHECK(r.numerator.empty());
    }
}

TEST_CASE("grouped proportion sums numerators and denominators first") {
    const auto in = basic_reference::read_sysdata("test_Prop_g");
    const auto expected = basic_reference::read_sysdata("test_Prop_g_results");
    // As the upstream test: the eight multiplier-1 rows twice over, then the three NA rows once.
    basic_reference::GroupedRows rows;
    const auto xs = in.numbers("Numerator"), ns = in.numbers("Denominator"), ms = in.numbers("multiplier");
    const auto areas = in.text("Area");
    for (int copy = 0; copy < 2; ++copy)
        for (std::size_t i = 0; i < xs.size(); ++i) {
            if (ms[i] != 1.0 || (copy == 1 && i >= 8)) continue;
            rows.add(areas[i], xs[i], ns[i]);
        }
    const auto r = fairer::proportion(column(rows.x), column(rows.n), {95}, 1.0, &rows.groups);
    basic_reference::check_grouped(r, expected, rows);
}

TEST_CASE("proportion rejects bad input naming the group and row") {
    const std::vector<double> x{1, 5, 12}, n{10, 10, 10};
    fairer::RowGroups g{{0, 1, 1}, {"A", "B"}};
    CHECK_THROWS_WITH_AS(fairer::proportion(column(x), column(n), {0.95}, 1.0, &g),
                         doctest::Contains("group 'B', row index 2"), fairer::StatisticsError);
    const std::vector<double> neg{1, -1, 2};
    CHECK_THROWS_WITH_AS(fairer::proportion(column(neg), column(n)), doctest::Contains("row index 1"),
                         fairer::StatisticsError);
    const std::vector<double> zero{10, 0, 10};
    CHECK_THROWS_WITH_AS(fairer::proportion(column(x), column(zero)), doctest::Contains("denominators"),
                         fairer::StatisticsError);
    const std::vector<double> inf{1, HUGE_VAL, 2};
    CHECK_THROWS_AS(fairer::proportion(column(inf), column(n)), fairer::StatisticsError);
    const std::vector<double> short_n{10, 10};
    CHECK_THROWS_WITH_AS(fairer::proportion(column(x), column(short_n)), doctest::Contains("lengths differ"),
                         fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::proportion(column(x), column(n), {1.0}), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::proportion(column(x), column(n), {0.95}, 0.0), fairer::StatisticsError);
}
