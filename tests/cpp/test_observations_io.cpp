#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fairer/observations_io.hpp"

using fairer::DataError;
using fairer::DataProblem;
using fairer::Flag;
using fairer::ObservationTable;
using fairer::ReadOptions;

namespace {

const std::string header =
    "indicator_id,area_code,period,sex,age,category_type,category,value,lower_ci95,upper_ci95,"
    "lower_ci99_8,upper_ci99_8,count,denominator,value_note,flags\n";
// A valid row: value 50 within 40..60 (95%) and 35..65 (99.8%), count 50 of 100.
const std::string good = "B01,E08000012,2022,Persons,All ages,,,50,40,60,35,65,50,100,,\n";

std::string data_path(const std::string& name) { return std::string(FAIRER_TEST_DATA_DIR) + "/io/" + name; }
std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Replaces field k (0-based) of a CSV row without quotes.
std::string with_field(std::string row, std::size_t k, const std::string& value) {
    std::vector<std::string> f;
    std::string cur;
    for (char c : row) {
        if (c == ',' || c == '\n') { f.push_back(cur); cur.clear(); }
        else cur.push_back(c);
    }
    f[k] = value;
    std::string out;
    for (std::size_t i = 0; i < f.size(); ++i) out += (i ? "," : "") + f[i];
    return out + "\n";
}

// The single problem reported when reading text (asserting that reading fails).
DataProblem problem_of(const std::string& text, const ReadOptions& options = {}) {
    try {
        fairer::parse_tidy_csv(text, "obs.csv", options);
    } catch (const DataError& e) {
        REQUIRE(e.problems().size() == 1);
        CHECK(std::string(e.what()) == "[fairer.data] " + e.first().describe());
        return e.first();
    }
    FAIL("no DataError for:\n" << text);
    return {};
}

void check_problem(const DataProblem& p, std::size_t row, const std::string& column, const std::string& value,
                   const std::string& problem) {
    CHECK(p.file == "obs.csv");
    CHECK(p.row == row);
    CHECK(p.column == column);
    CHECK(p.value == value);
    CHECK(p.problem == problem);
}

}  // namespace

TEST_CASE("tidy: the fixture reads with every column kept") {
    const ObservationTable t = fairer::read_tidy_csv(data_path("tidy_small.csv"));
    REQUIRE(t.size() == 8);
    const auto r0 = t.row(0);
    CHECK(r0.indicator == "B01");
    CHECK(r0.area == "E08000012");
    CHECK(r0.period == "2017 - 19");
    CHECK(r0.sex == "Male");
    CHECK(r0.value == 76.3);
    CHECK(r0.lower_ci99_8 == 75.8);
    CHECK(std::isnan(r0.count));
    CHECK(r0.flags == 0);

    const auto r3 = t.row(3);
    CHECK(r3.category_type == "District & UA deprivation deciles in England (IMD2019, 4/23 geography)");
    CHECK(r3.category == "Most deprived decile (IMD2019)");
    CHECK(r3.count == 397001);
    CHECK(r3.denominator == 1109857);

    const auto r4 = t.row(4);  // suppressed: every number missing, never zero
    CHECK(std::isnan(r4.value));
    CHECK(std::isnan(r4.lower_ci95));
    CHECK(std::isnan(r4.denominator));
    CHECK(r4.has(Flag::suppressed_disclosure));
    CHECK(r4.value_note == "Value suppressed: fewer than 5 events, \"small numbers\"");

    const auto r5 = t.row(5);  // zero is a value
    CHECK(r5.value == 0.0);
    CHECK(r5.upper_ci95 == 1.2e-05);
    CHECK(r5.flags == (fairer::flag_bit(Flag::estimated) | fairer::flag_bit(Flag::break_in_series)));
    CHECK(t.row(6).period == "2021/22 Q1");
    CHECK(t.row(7).has(Flag::suppressed_reliability));
    CHECK(t.row(7).count == 3);
}

TEST_CASE("tidy: writing gives back the file byte for byte, and the same table") {
    const std::string text = slurp(data_path("tidy_small.csv"));
    const ObservationTable t = fairer::parse_tidy_csv(text, "tidy_small.csv");
    CHECK(fairer::format_tidy_csv(t) == text);
    const std::string path = "/tmp/fairer_io_test_tidy.csv";
    fairer::write_tidy_csv(t, path);
    CHECK(fairer::read_tidy_csv(path) == t);
    std::remove(path.c_str());
}

TEST_CASE("tidy: numbers are written in the shortest text that reads back exactly") {
    ObservationTable t;
    fairer::Observation o;
    o.indicator = "B01";
    o.area = "E08000012";
    o.period = "2022";
    o.sex = "Persons";
    o.age = "All ages";
    o.value = 0.1 + 0.2;  // 0.30000000000000004 is not 0.3
    o.lower_ci95 = 1.0 / 7.0;
    o.upper_ci95 = 1e300;
    o.count = 5e-324;
    t.append(o);
    const ObservationTable back = fairer::parse_tidy_csv(fairer::format_tidy_csv(t), "x");
    CHECK(back.value()[0] == 0.1 + 0.2);
    CHECK(back.lower_ci95()[0] == 1.0 / 7.0);
    CHECK(back.upper_ci95()[0] == 1e300);
    CHECK(back.count()[0] == 5e-324);
    CHECK(fairer::format_tidy_csv(t).find("0.30000000000000004,0.14285714285714285,1e+300") != std::string::npos);
}

TEST_CASE("tidy: a BOM, CRLF line ends and blank lines are accepted") {
    const std::string text = "\xEF\xBB\xBF" + header.substr(0, header.size() - 1) + "\r\n" +
                             good.substr(0, good.size() - 1) + "\r\n\r\n";
    const ObservationTable t = fairer::parse_tidy_csv(text, "x");
    REQUIRE(t.size() == 1);
    CHECK(t.row(0).denominator == 100);
}

// ---------------------------------------------------------------------------------------------
// Bad input: one test per kind of problem, each checking the row, column, value and message.

TEST_CASE("bad input 1: missing column") {
    const std::string h = header.substr(0, header.find(",flags")) + "\n";
    check_problem(problem_of(h), 1, "flags", "", "missing column");
}

TEST_CASE("bad input 2: extra column") {
    const std::string h = header.substr(0, header.size() - 1) + ",comment\n";
    check_problem(problem_of(h), 1, "comment", "comment", "unexpected column at position 17");
}

TEST_CASE("bad input 3: misordered columns") {
    const std::string h =
        "indicator_id,area_code,period,sex,age,category_type,category,value,upper_ci95,lower_ci95,"
        "lower_ci99_8,upper_ci99_8,count,denominator,value_note,flags\n";
    check_problem(problem_of(h + good), 1, "upper_ci95", "upper_ci95",
                  "column out of order: position 9 should be 'lower_ci95'");
}

TEST_CASE("bad input 4: unknown indicator") {
    ReadOptions o;
    o.known_indicators = {"B01", "B02"};
    check_problem(problem_of(header + good + with_field(good, 0, "B99"), o), 3, "indicator_id", "B99",
                  "unknown indicator");
}

TEST_CASE("bad input 5: unknown area code") {
    ReadOptions o;
    o.known_areas = {"E08000012"};
    check_problem(problem_of(header + with_field(good, 1, "E08000099"), o), 2, "area_code", "E08000099",
                  "unknown area code");
}

TEST_CASE("bad input 6: blank area code") {
    check_problem(problem_of(header + with_field(good, 1, "")), 2, "area_code", "", "missing area code");
}

TEST_CASE("bad input 7: duplicate key") {
    const std::string again = with_field(good, 7, "51");
    check_problem(problem_of(header + good + with_field(good, 3, "Male") + again), 4, "",
                  "B01 / E08000012 / 2022 / Persons / All ages",
                  "duplicate key (indicator, area, period, sex, age, category type, category) of row 2");
}

TEST_CASE("bad input 8: duplicate key among breakdown rows") {
    const std::string decile = with_field(with_field(good, 5, "Deprivation deciles"), 6, "Most deprived decile");
    const std::string other = with_field(decile, 6, "Least deprived decile");
    CHECK(fairer::parse_tidy_csv(header + good + decile + other, "obs.csv").size() == 3);
    check_problem(problem_of(header + good + decile + other + decile), 5, "",
                  "B01 / E08000012 / 2022 / Persons / All ages / Deprivation deciles / Most deprived decile",
                  "duplicate key (indicator, area, period, sex, age, category type, category) of row 3");
}

TEST_CASE("bad input 9: unparseable period") {
    const DataProblem p = problem_of(header + with_field(good, 2, "20x2"));
    CHECK(p.row == 2);
    CHECK(p.column == "period");
    CHECK(p.value == "20x2");
    CHECK(p.problem.rfind("unparseable period: [fairer.period] '20x2'", 0) == 0);
}

TEST_CASE("bad input 10: text in a numeric column") {
    check_problem(problem_of(header + with_field(good, 7, "fifty")), 2, "value", "fifty", "not a number");
    check_problem(problem_of(header + with_field(good, 12, "1,000")), 2, "", "17 fields",
                  "wrong number of fields (expected 16)");
    check_problem(problem_of(header + with_field(good, 13, "100 people")), 2, "denominator", "100 people",
                  "not a number");
}

TEST_CASE("bad input 11: non-finite number") {
    check_problem(problem_of(header + with_field(good, 9, "inf")), 2, "upper_ci95", "inf", "non-finite number");
    check_problem(problem_of(header + with_field(good, 7, "NaN")), 2, "value", "NaN", "non-finite number");
    check_problem(problem_of(header + with_field(good, 13, "1e999")), 2, "denominator", "1e999", "non-finite number");
}

TEST_CASE("bad input 12: lower 95% limit above the value") {
    check_problem(problem_of(header + with_field(good, 8, "50.5")), 2, "lower_ci95", "50.5",
                  "lower 95% limit above the value 50");
}

TEST_CASE("bad input 13: upper 95% limit below the value") {
    check_problem(problem_of(header + with_field(good, 9, "49")), 2, "upper_ci95", "49",
                  "upper 95% limit below the value 50");
}

TEST_CASE("bad input 14: lower 99.8% limit above the value") {
    const std::string row = with_field(with_field(good, 8, ""), 10, "51");
    check_problem(problem_of(header + row), 2, "lower_ci99_8", "51", "lower 99.8% limit above the value 50");
}

TEST_CASE("bad input 15: upper 99.8% limit below the value") {
    const std::string row = with_field(with_field(good, 9, ""), 11, "45");
    check_problem(problem_of(header + row), 2, "upper_ci99_8", "45", "upper 99.8% limit below the value 50");
}

TEST_CASE("bad input 16: 95% interval wider than the 99.8% one") {
    check_problem(problem_of(header + with_field(good, 10, "41")), 2, "lower_ci95", "40",
                  "95% interval wider than the 99.8% one (lower 99.8% limit 41)");
    check_problem(problem_of(header + with_field(good, 11, "59")), 2, "upper_ci95", "60",
                  "95% interval wider than the 99.8% one (upper 99.8% limit 59)");
}

TEST_CASE("bad input 17: lower limit above the upper one for a missing value") {
    const std::string row = with_field(with_field(with_field(good, 7, ""), 8, "61"), 9, "60");
    check_problem(problem_of(header + with_field(with_field(row, 10, ""), 11, "")), 2, "lower_ci95", "61",
                  "lower 95% limit above the upper limit 60");
}

TEST_CASE("bad input 18: count above its denominator for a proportion indicator") {
    const std::string row = with_field(good, 12, "101");
    ReadOptions o;
    o.proportion_indicators = {"B01"};
    check_problem(problem_of(header + row, o), 2, "count", "101",
                  "count above its denominator 100 for a proportion indicator");
    // a rate's count may exceed its denominator (events per person-year)
    o.proportion_indicators = {"B02"};
    CHECK(fairer::parse_tidy_csv(header + row, "obs.csv", o).size() == 1);
}

TEST_CASE("bad input 19: negative count or denominator") {
    check_problem(problem_of(header + with_field(good, 12, "-1")), 2, "count", "-1", "negative count");
    check_problem(problem_of(header + with_field(good, 13, "-100")), 2, "denominator", "-100", "negative denominator");
}

TEST_CASE("bad input 20: unknown flag") {
    check_problem(problem_of(header + with_field(good, 15, "provisional;revised")), 2, "flags",
                  "provisional;revised", "unknown flag 'revised'");
}

TEST_CASE("bad input 21: unknown sex") {
    check_problem(problem_of(header + with_field(good, 3, "persons")), 2, "sex", "persons",
                  "unknown sex (expected Persons, Male or Female)");
}

TEST_CASE("bad input 22: unterminated quote") {
    const std::string row = with_field(good, 14, "\"open note");
    const DataProblem p = problem_of(header + good + row);
    CHECK(p.row == 3);
    CHECK(p.problem == "unterminated quoted field");
}

TEST_CASE("bad input 23: wrong number of fields") {
    check_problem(problem_of(header + good + "B01,E08000012,2021\n"), 3, "", "3 fields",
                  "wrong number of fields (expected 16)");
}

TEST_CASE("bad input 24: a value given for a suppressed observation") {
    check_problem(problem_of(header + with_field(good, 15, "suppressed_disclosure")), 2, "value", "50",
                  "value given for a suppressed observation");
}

TEST_CASE("bad input 25: category without a category type, and the reverse") {
    check_problem(problem_of(header + with_field(good, 6, "Most deprived decile")), 2, "category_type", "",
                  "category given without a category type");
    check_problem(problem_of(header + with_field(good, 5, "Deprivation deciles")), 2, "category", "",
                  "category type given without a category");
}

TEST_CASE("bad input 26: blank indicator") {
    check_problem(problem_of(header + with_field(good, 0, "")), 2, "indicator_id", "", "missing indicator");
}

TEST_CASE("bad input 27: empty file") {
    try {
        fairer::parse_tidy_csv("", "obs.csv");
        FAIL("no error");
    } catch (const DataError& e) {
        CHECK(e.first().problem == "empty file (no header row)");
        CHECK(std::string(e.what()) == "[fairer.data] obs.csv: empty file (no header row)");
    }
}

TEST_CASE("bad input 28: a file that cannot be opened") {
    CHECK_THROWS_WITH_AS(fairer::read_tidy_csv("/nonexistent/obs.csv"),
                         "[fairer.data] /nonexistent/obs.csv: cannot open file for reading", DataError);
}

TEST_CASE("collect_problems: every problem of the file in one error, in file order") {
    ReadOptions o;
    o.collect_problems = true;
    o.known_areas = {"E08000012"};
    const std::string text = header + with_field(good, 7, "x") + with_field(good, 1, "E1") +
                             with_field(good, 3, "M") + "B01\n" + good;
    try {
        fairer::parse_tidy_csv(text, "obs.csv", o);
        FAIL("no error");
    } catch (const DataError& e) {
        const auto& ps = e.problems();
        REQUIRE(ps.size() == 5);
        CHECK(ps[0].row == 2);
        CHECK(ps[0].problem == "not a number");
        CHECK(ps[1].row == 3);
        CHECK(ps[1].problem == "unknown area code");
        CHECK(ps[2].row == 4);
        CHECK(ps[2].problem == "unknown sex (expected Persons, Male or Female)");
        CHECK(ps[3].row == 5);
        CHECK(ps[3].problem == "wrong number of fields (expected 16)");
        CHECK(ps[4].row == 6);
        CHECK(ps[4].problem.rfind("duplicate key", 0) == 0);
        CHECK(std::string(e.what()).rfind("[fairer.data] 5 problems:\n  obs.csv: row 2, column 'value'", 0) == 0);
    }
}

TEST_CASE("collect_problems: a row with several problems reports each") {
    ReadOptions o;
    o.collect_problems = true;
    const std::string row = with_field(with_field(good, 12, "-5"), 8, "70");
    try {
        fairer::parse_tidy_csv(header + row, "obs.csv", o);
        FAIL("no error");
    } catch (const DataError& e) {
        REQUIRE(e.problems().size() == 2);
        CHECK(e.problems()[0].problem == "negative count");
        CHECK(e.problems()[1].problem == "lower 95% limit above the value 50");
    }
}

TEST_CASE("allow_duplicate_keys and check_intervals keep such rows as published") {
    ReadOptions o;
    o.allow_duplicate_keys = true;
    o.check_intervals = false;
    const ObservationTable t = fairer::parse_tidy_csv(header + good + with_field(good, 8, "55"), "obs.csv", o);
    REQUIRE(t.size() == 2);
    CHECK(t.lower_ci95()[1] == 55);
}

TEST_CASE("validate_observations checks a table built in memory") {
    ObservationTable t = fairer::parse_tidy_csv(header + good, "x");
    fairer::Observation o = t.row(0);
    o.sex = "All";
    t.append(o);
    try {
        fairer::validate_observations(t, "<frame>");
        FAIL("no error");
    } catch (const DataError& e) {
        CHECK(e.first().file == "<frame>");
        CHECK(e.first().row == 3);
        CHECK(e.first().problem == "unknown sex (expected Persons, Male or Female)");
    }
}

// ---------------------------------------------------------------------------------------------
// Fingertips export

TEST_CASE("fingertips: the 26-column export reads, keeps its side columns and writes back the same file") {
    const std::string path = data_path("fingertips_export_26.csv");
    const std::string text = slurp(path);
    const ObservationTable t = fairer::read_fingertips_csv(path);
    REQUIRE(t.size() == 10);
    const auto r = t.row(3);  // Liverpool 2022/23, from the fixture text
    CHECK(r.indicator == "93701");
    CHECK(r.area == "E08000012");
    CHECK(r.period == "2022/23");
    CHECK(r.age == "<16 yrs");
    CHECK(r.value == 24.8);
    CHECK(r.lower_ci95 == 24.38);
    CHECK(r.upper_ci95 == 25.2);
    CHECK(std::isnan(r.lower_ci99_8));
    CHECK(r.count == 20983);
    CHECK(r.denominator == 84655);
    CHECK(t.find_side_column("Area Name")->values[3] == "Liverpool");
    CHECK(t.find_side_column("Compared to Region value or percentiles") != nullptr);
    CHECK(t.find_side_column("Recent Trend")->values[3] == "No significant change");
    CHECK(t.find_side_column("Time period Sortable")->values[3] == "20220000");
    CHECK(t.find_side_column("Time period range") == nullptr);
    const auto last = t.row(9);
    CHECK(std::isnan(last.value));
    CHECK(last.value_note == "Value suppressed for disclosure control");
    CHECK(fairer::format_fingertips_csv(t) == text);
}

TEST_CASE("fingertips: the 27-column export with another parent comparison and 'Target data'") {
    const std::string path = data_path("fingertips_export_27.csv");
    const ObservationTable t = fairer::read_fingertips_csv(path);
    REQUIRE(t.size() == 9);
    CHECK(t.find_side_column("Compared to Regions (statistical) value or percentiles") != nullptr);
    CHECK(t.find_side_column("Target data") != nullptr);
    CHECK(t.find_side_column("Time period range") != nullptr);
    CHECK(fairer::format_fingertips_csv(t) == slurp(path));
    const std::string out = "/tmp/fairer_io_test_ft27.csv";
    fairer::write_fingertips_csv(t, out);
    CHECK(fairer::read_fingertips_csv(out) == t);
    std::remove(out.c_str());
}

TEST_CASE("fingertips: a tidy table is written in the 27-column layout with computed sort keys") {
    // Fingertips indicator IDs are integers: give the framework keys numbers first.
    std::string tidy = slurp(data_path("tidy_small.csv"));
    for (const auto& [key, id] : {std::pair<std::string, std::string>{"\nB01,", "\n90366,"}, {"\nB09,", "\n93701,"},
                                  {"\nB12,", "\n90813,"}})
        for (auto at = tidy.find(key); at != std::string::npos; at = tidy.find(key)) tidy.replace(at, key.size(), id);
    const ObservationTable t = fairer::parse_tidy_csv(tidy, "tidy");
    const std::string text = fairer::format_fingertips_csv(t);
    const ObservationTable back = fairer::parse_fingertips_csv(text, "x");
    REQUIRE(back.size() == t.size());
    CHECK(back.side_columns().size() == 12);
    CHECK(back.find_side_column("Time period Sortable")->values[2] ==
          std::to_string(fairer::TimePeriod::parse("2021/22").sortable()));
    CHECK(back.find_side_column("Time period range")->values[0] == "");
    // Everything but the flags, which the export has no column for, comes back.
    for (std::size_t i = 0; i < t.size(); ++i) {
        auto a = t.row(i);
        auto b = back.row(i);
        CHECK(a.period == b.period);
        CHECK(a.value_note == b.value_note);
        CHECK(a.category_type == b.category_type);
        CHECK((a.value == b.value || (std::isnan(a.value) && std::isnan(b.value))));
        CHECK(b.flags == 0);
    }
}

TEST_CASE("fingertips bad input: wrong parent comparison column, wrong width, non-integer ID") {
    const std::string text = slurp(data_path("fingertips_export_26.csv"));
    std::string renamed = text;
    const std::string from = "Compared to Region value or percentiles";
    renamed.replace(renamed.find(from), from.size(), "Compared to England value");
    try {
        fairer::parse_fingertips_csv(renamed, "ft.csv");
        FAIL("no error");
    } catch (const DataError& e) {
        CHECK(e.first().row == 1);
        CHECK(e.first().column == "Compared to England value");
        CHECK(e.first().problem ==
              "column 23 should be the parent comparison ('Compared to <parent> value or percentiles')");
    }

    const std::string narrow = text.substr(0, text.find(",Compared to goal")) + "\n";
    try {
        fairer::parse_fingertips_csv(narrow, "ft.csv");
        FAIL("no error");
    } catch (const DataError& e) {
        CHECK(e.first().value == "25 columns");
        CHECK(e.first().problem == "a Fingertips export has 26 or 27 columns");
    }

    std::string bad_id = text;
    bad_id.replace(bad_id.find("\n93701,") + 1, 5, "9370A");
    try {
        fairer::parse_fingertips_csv(bad_id, "ft.csv");
        FAIL("no error");
    } catch (const DataError& e) {
        CHECK(e.first().row == 2);
        CHECK(e.first().column == "Indicator ID");
        CHECK(e.first().value == "9370A");
        CHECK(e.first().problem == "indicator ID is not an integer");
    }

    std::string bad_ci = text;
    bad_ci.replace(bad_ci.find(",16.4,15.8,"), 11, ",16.4,16.5,");
    try {
        fairer::parse_fingertips_csv(bad_ci, "ft.csv");
        FAIL("no error");
    } catch (const DataError& e) {
        CHECK(e.first().row == 2);
        CHECK(e.first().column == "Lower CI 95.0 limit");
        CHECK(e.first().problem == "lower 95% limit above the value 16.4");
    }
}

TEST_CASE("the parent comparison column rule") {
    CHECK(fairer::detail::is_parent_comparison_column("Compared to Region value or percentiles"));
    CHECK(fairer::detail::is_parent_comparison_column("Compared to percentiles"));
    CHECK(fairer::detail::is_parent_comparison_column("Compared to Regions (statistical) value or percentiles"));
    CHECK_FALSE(fairer::detail::is_parent_comparison_column("Compared to England value or percentiles"));
    CHECK_FALSE(fairer::detail::is_parent_comparison_column("Compared to goal"));
    CHECK_FALSE(fairer::detail::is_parent_comparison_column("Comparedto Region"));
}

// ---------------------------------------------------------------------------------------------
// FingertipsNext

TEST_CASE("fingertips next: periods rebuilt from the start year") {
    CHECK(fairer::period_from_start_year(2018, "calendar year") == "2018");
    CHECK(fairer::period_from_start_year(2018, "financial year") == "2018/19");
    CHECK(fairer::period_from_start_year(1999, "academic year") == "1999/00");
    CHECK(fairer::period_from_start_year(2018, "3-year pooled calendar") == "2018 - 20");
    CHECK(fairer::period_from_start_year(2018, "3-year pooled financial") == "2018/19 - 20/21");
    for (const char* type : {"calendar year", "financial year", "3-year pooled calendar", "3-year pooled financial"})
        CHECK(fairer::TimePeriod::parse(fairer::period_from_start_year(2021, type)).sortable() ==
              fairer::TimePeriod::parse(fairer::period_from_start_year(2021, "calendar year")).sortable());
    CHECK_THROWS_WITH_AS(fairer::period_from_start_year(2018, "financial quarter"),
                         "[fairer.data] cannot rebuild a 'financial quarter' period from a start year", fairer::Error);
}

TEST_CASE("fingertips next: the real extract, strictly and as published") {
    const std::string path = std::string(FAIRER_SHARED_DIR) + "/data/fingertips_subset_fingertipsnext_2025-02.csv";
    ReadOptions strict;
    strict.collect_problems = true;
    std::size_t duplicates = 0, limits = 0;
    try {
        fairer::read_fingertips_next_csv(path, strict);
        FAIL("the extract has repeated keys and limits on another scale");
    } catch (const DataError& e) {
        for (const auto& p : e.problems()) {
            if (p.problem.rfind("duplicate key", 0) == 0) ++duplicates;
            else if (p.problem.find("limit") != std::string::npos) ++limits;
        }
        CHECK(duplicates + limits == e.problems().size());
    }
    // Counted independently with pandas: 3107 rows repeat an earlier row's
    // (IndicatorID, AreaCode, Year, SexID, AgeID, CategoryType, Category); 30 lower limits lie
    // above their value and 1 upper limit below it.
    CHECK(duplicates == 3107);
    CHECK(limits == 31);

    ReadOptions lenient;
    lenient.allow_duplicate_keys = true;
    lenient.check_intervals = false;
    std::map<std::string, std::string> types{{"93701", "financial year"}};
    const ObservationTable t = fairer::read_fingertips_next_csv(path, lenient, types);
    REQUIRE(t.size() == 44452);
    // First data row of the file: 241, A82003, 2018, Persons, 17+ yrs, 7.88875662807056 ...
    const auto r = t.row(0);
    CHECK(r.indicator == "241");
    CHECK(r.area == "A82003");
    CHECK(r.period == "2018");
    CHECK(r.age == "17+ yrs");
    CHECK(r.value == 7.88875662807056);
    CHECK(r.lower_ci95 == 7.35648739880458);
    CHECK(r.upper_ci95 == 8.45602237036968);
    CHECK(r.count == 729);
    CHECK(r.denominator == 9241);
    CHECK(t.find_side_column("Year")->values[0] == "2018");
    CHECK(t.find_side_column("ValueType")->values[0] == "Proportion");
    CHECK(t.side_columns().size() == 8);

    std::size_t financial = 0;
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t.indicator()[i] == "93701") {
            ++financial;
            CHECK(t.period()[i] == t.find_side_column("Year")->values[i] + "/" +
                                       std::to_string((std::stoi(t.find_side_column("Year")->values[i]) + 1) % 100));
        }
    CHECK(financial == 245);

    const std::string out = "/tmp/fairer_io_test_next.csv";
    fairer::write_tidy_csv(t, out);
    CHECK(fairer::read_tidy_csv(out, lenient) == t.without_side_columns());
    std::remove(out.c_str());
}

TEST_CASE("fingertips next bad input: missing column, year not an integer") {
    const std::string h = "IndicatorID,AreaCode,Year,Sex,Age,CategoryType,Category,Value,LowerCI,Count,Denominator\n";
    try {
        fairer::parse_fingertips_next_csv(h, "next.csv");
        FAIL("no error");
    } catch (const DataError& e) {
        CHECK(e.first().row == 1);
        CHECK(e.first().column == "UpperCI");
        CHECK(e.first().problem == "missing column");
    }
    const std::string h2 = "IndicatorId,Year,AreaCode,Sex,Age,CategoryType,Category,Value,LowerCI,UpperCI,Count,Denominator,Trend\n";
    const ObservationTable ok = fairer::parse_fingertips_next_csv(h2 + "93015,2019,E08000012,Persons,19+ yrs,,,27.1,25.2,29.1,,,\n", "next.csv");
    CHECK(ok.row(0).period == "2019");
    CHECK(ok.row(0).value == 27.1);
    try {
        fairer::parse_fingertips_next_csv(h2 + "93015,2019/20,E08000012,Persons,19+ yrs,,,27.1,25.2,29.1,,,\n", "next.csv",
                                          {}, {{"93015", "financial year"}});
        FAIL("no error");
    } catch (const DataError& e) {
        CHECK(e.first().row == 2);
        CHECK(e.first().column == "Year");
        CHECK(e.first().value == "2019/20");
        CHECK(e.first().problem == "year is not an integer");
    }
}

TEST_CASE("fingertips next: written in the export layout with its names, area types and trends") {
    const std::string text =
        "IndicatorID,IndicatorName,AreaCode,AreaName,AreaType,Year,SexID,Sex,AgeID,Age,CategoryType,Category,Value,"
        "LowerCI,UpperCI,Count,Denominator,Trend,ValueType\n"
        "93701,Children in absolute low income families aged 15 years and under,E08000012,Liverpool,"
        "Counties and Unitary Authorities,2022,4,Persons,169,<16 yrs,,,24.8,24.38,25.2,20983,84655,"
        "No significant change,Proportion\n";
    const ObservationTable t = fairer::parse_fingertips_next_csv(text, "next.csv", {}, {{"93701", "financial year"}});
    const ObservationTable back = fairer::parse_fingertips_csv(fairer::format_fingertips_csv(t), "export.csv");
    REQUIRE(back.size() == 1);
    CHECK(back.find_side_column("Indicator Name")->values[0] ==
          "Children in absolute low income families aged 15 years and under");
    CHECK(back.find_side_column("Area Name")->values[0] == "Liverpool");
    CHECK(back.find_side_column("Area Type")->values[0] == "Counties and Unitary Authorities");
    CHECK(back.find_side_column("Recent Trend")->values[0] == "No significant change");
    CHECK(back.find_side_column("Time period range") != nullptr);
    CHECK(back.find_side_column("Parent Code")->values[0] == "");
    CHECK(back.row(0).period == "2022/23");
    CHECK(back.row(0).value == 24.8);
    CHECK(back.row(0).denominator == 84655);
}

TEST_CASE("header problems name the header's own line") {
    const DataProblem p = problem_of("\n\n" + header.substr(0, header.find(",flags")) + "\n");
    CHECK(p.row == 3);
    CHECK(p.column == "flags");
    CHECK(p.problem == "missing column");
}
