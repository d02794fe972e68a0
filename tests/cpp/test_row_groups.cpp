#include <doctest/doctest.h>

#include "fairer/row_groups.hpp"

TEST_CASE("RowGroups checks its codes against the rows and names") {
    fairer::RowGroups g{{0, 1, 1, 0}, {"A", "B"}};
    CHECK(g.size() == 2);
    CHECK_NOTHROW(g.check(4));
    CHECK_THROWS_AS(g.check(3), fairer::StatisticsError);
    g.codes[2] = 2;
    CHECK_THROWS_WITH_AS(g.check(4), doctest::Contains("row index 2"), fairer::StatisticsError);
    g.codes[2] = 1;
    CHECK(fairer::detail::where(&g, 2) == "group 'B', row index 2");
    CHECK(fairer::detail::where(nullptr, 7) == "row index 7");
}
