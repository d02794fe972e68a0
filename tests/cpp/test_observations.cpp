#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "fairer/observations.hpp"

using fairer::Flag;
using fairer::Observation;
using fairer::ObservationTable;

namespace {

Observation sample(const std::string& area, double value) {
    Observation o;
    o.indicator = "B01";
    o.area = area;
    o.period = "2017 - 19";
    o.sex = "Male";
    o.age = "All ages";
    o.value = value;
    o.lower_ci95 = value - 1;
    o.upper_ci95 = value + 1;
    return o;
}

}  // namespace

TEST_CASE("flags: text forms of format 4 and back") {
    CHECK(fairer::format_flags(0) == "");
    const std::uint8_t two = fairer::flag_bit(Flag::estimated) | fairer::flag_bit(Flag::suppressed_disclosure);
    CHECK(fairer::format_flags(two) == "suppressed_disclosure;estimated");
    CHECK(fairer::format_flags(fairer::all_flag_bits) ==
          "suppressed_disclosure;suppressed_reliability;estimated;provisional;break_in_series");

    std::uint8_t out = 0;
    std::string bad;
    CHECK(fairer::parse_flags("estimated; suppressed_disclosure", out, bad));
    CHECK(out == two);
    CHECK(fairer::parse_flags("  ", out, bad));
    CHECK(out == 0);
    CHECK(fairer::parse_flags("break_in_series;provisional;suppressed_reliability", out, bad));
    CHECK(fairer::has_flag(out, Flag::break_in_series));
    CHECK(fairer::has_flag(out, Flag::provisional));
    CHECK(fairer::has_flag(out, Flag::suppressed_reliability));
    CHECK_FALSE(fairer::has_flag(out, Flag::estimated));
    CHECK_FALSE(fairer::parse_flags("estimated;Estimated", out, bad));
    CHECK(bad == "Estimated");
    CHECK_FALSE(fairer::parse_flags("estimated;", out, bad));
    CHECK(bad == "");
}

TEST_CASE("string columns are dictionary-encoded in order of first appearance") {
    fairer::StringColumn c;
    for (const char* s : {"E08000012", "E08000012", "E08000011", "E08000012", ""}) c.push_back(s);
    REQUIRE(c.size() == 5);
    CHECK(c.levels() == std::vector<std::string>{"E08000012", "E08000011", ""});
    CHECK(c.codes() == std::vector<std::uint32_t>{0, 0, 1, 0, 2});
    CHECK(c[2] == "E08000011");
    CHECK(c[4] == "");

    c.assign({"a", "b"}, {1, 0, 1});
    CHECK(c[0] == "b");
    CHECK(c.intern("a") == 0);
    CHECK(c.intern("c") == 2);
    CHECK_THROWS_WITH_AS(c.assign({"a", "a"}, {0}), "[fairer.data] repeated level 'a' in a string column",
                         fairer::Error);
    CHECK_THROWS_WITH_AS(c.assign({"a"}, {1}), "[fairer.data] string column code 1 out of range", fairer::Error);
}

TEST_CASE("append, row and columns") {
    ObservationTable t;
    CHECK(t.empty());
    t.append(sample("E08000012", 76.3));
    Observation missing = sample("E08000011", Observation::missing);
    missing.lower_ci95 = Observation::missing;
    missing.upper_ci95 = Observation::missing;
    missing.flags = fairer::flag_bit(Flag::suppressed_disclosure);
    missing.value_note = "suppressed";
    t.append(missing);
    REQUIRE(t.size() == 2);

    const Observation r = t.row(1);
    CHECK(r.area == "E08000011");
    CHECK(std::isnan(r.value));
    CHECK(std::isnan(r.count));
    CHECK(r.has(Flag::suppressed_disclosure));
    CHECK_FALSE(r.has(Flag::estimated));
    CHECK(r.value_note == "suppressed");
    CHECK(t.value()[0] == 76.3);
    CHECK(t.upper_ci95()[0] == 77.3);
    CHECK(std::isnan(t.value()[1]));
    CHECK(t.area().levels().size() == 2);
    CHECK(t.indicator().levels().size() == 1);
    CHECK_THROWS_WITH_AS(t.row(2), "[fairer.data] row 2 out of range (size 2)", fairer::Error);
}

TEST_CASE("flags outside the five defined bits are not stored") {
    ObservationTable t;
    Observation o = sample("E08000012", 1);
    o.flags = 0xFF;
    t.append(o);
    CHECK(t.flags()[0] == fairer::all_flag_bits);
}

TEST_CASE("side columns: blank for earlier rows, carried by append") {
    ObservationTable t;
    t.append(sample("E08000012", 76.3));
    CHECK(t.add_side_column("Area Name") == 0);
    CHECK(t.side_columns()[0].values[0] == "");
    t.append(sample("E08000011", 75.0), {"Knowsley"});
    CHECK(t.find_side_column("Area Name")->values[1] == "Knowsley");
    CHECK(t.find_side_column("Area Type") == nullptr);
    t.append(sample("E08000013", 75.0));
    CHECK(t.side_columns()[0].values[2] == "");
    CHECK_THROWS_WITH_AS(t.add_side_column("Area Name"), "[fairer.data] duplicate side column 'Area Name'",
                         fairer::Error);
    CHECK_THROWS_WITH_AS(t.append(sample("E1", 1), {"a", "b"}), "[fairer.data] expected 1 side values, got 2",
                         fairer::Error);
}

TEST_CASE("equality compares content, treats NaN as equal and ignores encoding") {
    ObservationTable a, b;
    a.append(sample("E08000012", 76.3));
    a.append(sample("E08000011", Observation::missing));
    b.append(sample("E08000012", 76.3));
    b.append(sample("E08000011", Observation::missing));
    CHECK(a == b);

    ObservationTable c;  // same rows, levels interned in another order
    c.append(sample("E08000011", Observation::missing));
    ObservationTable d;
    d.append(sample("E08000012", 76.3));
    d.append(sample("E08000011", Observation::missing));
    CHECK(d == a);
    CHECK(c != a);

    b.add_side_column("Area Name");
    CHECK(a != b);
    CHECK(b.without_side_columns() == a);

    ObservationTable e;
    e.append(sample("E08000012", 76.3));
    e.append(sample("E08000011", 0.0));  // zero is a value, not a missing one
    CHECK(e != a);
}
