#include <doctest/doctest.h>

#include "fairer/errors.hpp"

TEST_CASE("errors: every fairer error is a std::invalid_argument with a stable id") {
    try {
        throw fairer::StatisticsError("group 'Liverpool', row 3: numerator 5 above denominator 4");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) == "[fairer.statistics] group 'Liverpool', row 3: numerator 5 above denominator 4");
    }
    fairer::AllocationError a("E3", "weights do not sum to 1", {"Halton"});
    CHECK(a.id() == "allocation.E3");
    CHECK(a.code() == "E3");
    CHECK(a.units() == std::vector<std::string>{"Halton"});
}

TEST_CASE("errors: a data problem names file, row, column and value") {
    fairer::DataError e(fairer::DataProblem{"obs.csv", 7, "value", "abc", "not a number"});
    CHECK(std::string(e.what()) == "[fairer.data] obs.csv: row 7, column 'value': not a number (value 'abc')");
    fairer::DataError many(std::vector<fairer::DataProblem>{{"a.csv", 2, "x", "1", "p1"}, {"a.csv", 0, "", "", "p2"}});
    CHECK(many.problems().size() == 2);
    CHECK(std::string(many.what()) ==
          "[fairer.data] 2 problems:\n  a.csv: row 2, column 'x': p1 (value '1')\n  a.csv: p2");
}
