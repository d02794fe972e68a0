// Tests of fairer::TimePeriod. Expected dates come from the definitions (calendar year
// Jan-Dec, financial year Apr-Mar, academic year Sep-Aug, calendar quarters from January,
// financial quarters from April), expected texts from the Fingertips formatter's own test
// cases (PholioVisualisation TimePeriodFormatterTest), and the data checks from the public
// files in /work/shared/data (their ONS ISO 8601 period column is an independent source of dates).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/time_period.hpp"

using fairer::Date;
using fairer::PeriodKind;
using fairer::TimePeriod;
using fairer::YearType;

namespace {

struct Expected {
    const char* text;
    YearType hint;
    YearType year_type;
    PeriodKind kind;
    Date start;
    Date end;
    int months;
    long long days;
    int sortable;
};

// Days are counted by hand from month lengths (leap years 2000, 2020, 2024 have 366 days).
const std::vector<Expected>& cases() {
    static const std::vector<Expected> all = {
        {"2022", YearType::financial, YearType::calendar, PeriodKind::year, {2022, 1, 1}, {2022, 12, 31}, 12, 365, 20220000},
        {"2020", YearType::financial, YearType::calendar, PeriodKind::year, {2020, 1, 1}, {2020, 12, 31}, 12, 366, 20200000},
        {"2021/22", YearType::financial, YearType::financial, PeriodKind::year, {2021, 4, 1}, {2022, 3, 31}, 12, 365, 20210000},
        {"2019/20", YearType::financial, YearType::financial, PeriodKind::year, {2019, 4, 1}, {2020, 3, 31}, 12, 366, 20190000},
        {"2021/22", YearType::academic, YearType::academic, PeriodKind::year, {2021, 9, 1}, {2022, 8, 31}, 12, 365, 20210000},
        {"1999/00", YearType::financial, YearType::financial, PeriodKind::year, {1999, 4, 1}, {2000, 3, 31}, 12, 366, 19990000},
        {"2018 - 20", YearType::financial, YearType::calendar, PeriodKind::pooled_years, {2018, 1, 1}, {2020, 12, 31}, 36, 365 + 365 + 366, 20180000},
        {"2016 - 18", YearType::financial, YearType::calendar, PeriodKind::pooled_years, {2016, 1, 1}, {2018, 12, 31}, 36, 366 + 365 + 365, 20160000},
        {"2021 - 23", YearType::financial, YearType::calendar, PeriodKind::pooled_years, {2021, 1, 1}, {2023, 12, 31}, 36, 3 * 365, 20210000},
        {"2006 - 07", YearType::financial, YearType::calendar, PeriodKind::pooled_years, {2006, 1, 1}, {2007, 12, 31}, 24, 2 * 365, 20060000},
        {"2019 - 23", YearType::financial, YearType::calendar, PeriodKind::pooled_years, {2019, 1, 1}, {2023, 12, 31}, 60, 4 * 365 + 366, 20190000},
        {"1999 - 01", YearType::financial, YearType::calendar, PeriodKind::pooled_years, {1999, 1, 1}, {2001, 12, 31}, 36, 365 + 366 + 365, 19990000},
        {"2020/21 - 24/25", YearType::financial, YearType::financial, PeriodKind::pooled_years, {2020, 4, 1}, {2025, 3, 31}, 60, 4 * 365 + 366, 20200000},
        {"2006/07 - 07/08", YearType::financial, YearType::financial, PeriodKind::pooled_years, {2006, 4, 1}, {2008, 3, 31}, 24, 365 + 366, 20060000},
        {"2016/17 - 18/19", YearType::academic, YearType::academic, PeriodKind::pooled_years, {2016, 9, 1}, {2019, 8, 31}, 36, 3 * 365, 20160000},
        {"1998/99 - 00/01", YearType::financial, YearType::financial, PeriodKind::pooled_years, {1998, 4, 1}, {2001, 3, 31}, 36, 365 + 366 + 365, 19980000},
        {"2022 Q1", YearType::financial, YearType::calendar, PeriodKind::quarter, {2022, 1, 1}, {2022, 3, 31}, 3, 31 + 28 + 31, 20220100},
        {"2024 Q4", YearType::financial, YearType::calendar, PeriodKind::quarter, {2024, 10, 1}, {2024, 12, 31}, 3, 31 + 30 + 31, 20240400},
        {"2021/22 Q1", YearType::financial, YearType::financial, PeriodKind::quarter, {2021, 4, 1}, {2021, 6, 30}, 3, 30 + 31 + 30, 20210100},
        {"2021/22 Q3", YearType::financial, YearType::financial, PeriodKind::quarter, {2021, 10, 1}, {2021, 12, 31}, 3, 31 + 30 + 31, 20210300},
        {"2021/22 Q4", YearType::financial, YearType::financial, PeriodKind::quarter, {2022, 1, 1}, {2022, 3, 31}, 3, 31 + 28 + 31, 20210400},
        {"2023/24 Q4", YearType::financial, YearType::financial, PeriodKind::quarter, {2024, 1, 1}, {2024, 3, 31}, 3, 31 + 29 + 31, 20230400},
        {"2021/22 Q1", YearType::academic, YearType::academic, PeriodKind::quarter, {2021, 9, 1}, {2021, 11, 30}, 3, 30 + 31 + 30, 20210100},
        {"2021/22 Q2", YearType::academic, YearType::academic, PeriodKind::quarter, {2021, 12, 1}, {2022, 2, 28}, 3, 31 + 31 + 28, 20210200},
        {"2006/07 Q2 - 2007/08 Q1", YearType::financial, YearType::financial, PeriodKind::quarter_range, {2006, 7, 1}, {2007, 6, 30}, 12, 365, 20060200},
        {"2006/07 Q1 - 2008/09 Q4", YearType::financial, YearType::financial, PeriodKind::quarter_range, {2006, 4, 1}, {2009, 3, 31}, 36, 365 + 366 + 365, 20060100},
        {"2013/14 Q1 - 2013/14 Q2", YearType::financial, YearType::financial, PeriodKind::quarter_range, {2013, 4, 1}, {2013, 9, 30}, 6, 30 + 31 + 30 + 31 + 31 + 30, 20130100},
        {"2006 Q2 - 2007 Q1", YearType::financial, YearType::calendar, PeriodKind::quarter_range, {2006, 4, 1}, {2007, 3, 31}, 12, 365, 20060200},
        {"2006 Q4 - 2009 Q3", YearType::financial, YearType::calendar, PeriodKind::quarter_range, {2006, 10, 1}, {2009, 9, 30}, 36, 365 + 366 + 365, 20060400},
        {"2006/07 Q1-Q2", YearType::financial, YearType::financial, PeriodKind::cumulative_quarters, {2006, 4, 1}, {2006, 9, 30}, 6, 30 + 31 + 30 + 31 + 31 + 30, 20060200},
        {"2006/07 Q1-Q4", YearType::financial, YearType::financial, PeriodKind::cumulative_quarters, {2006, 4, 1}, {2007, 3, 31}, 12, 365, 20060400},
        {"Jan 2009", YearType::financial, YearType::calendar, PeriodKind::month, {2009, 1, 1}, {2009, 1, 31}, 1, 31, 20090001},
        {"Feb 2024", YearType::financial, YearType::calendar, PeriodKind::month, {2024, 2, 1}, {2024, 2, 29}, 1, 29, 20240002},
        {"Dec 2023", YearType::financial, YearType::calendar, PeriodKind::month, {2023, 12, 1}, {2023, 12, 31}, 1, 31, 20230012},
        {"Apr 2023 - Mar 2024", YearType::financial, YearType::calendar, PeriodKind::month_range, {2023, 4, 1}, {2024, 3, 31}, 12, 366, 20230004},
        {"Jan 2022 - Dec 2022", YearType::financial, YearType::calendar, PeriodKind::month_range, {2022, 1, 1}, {2022, 12, 31}, 12, 365, 20220001},
        {"Aug 2006 - Jul 2009", YearType::financial, YearType::calendar, PeriodKind::month_range, {2006, 8, 1}, {2009, 7, 31}, 36, 365 + 366 + 365, 20060008},
        {"Dec 2009 - Nov 2010", YearType::financial, YearType::calendar, PeriodKind::month_range, {2009, 12, 1}, {2010, 11, 30}, 12, 365, 20090012},
        {"2024-04-17", YearType::financial, YearType::calendar, PeriodKind::day, {2024, 4, 17}, {2024, 4, 17}, 0, 1, 20240417},
        {"2024-02-29", YearType::financial, YearType::calendar, PeriodKind::day, {2024, 2, 29}, {2024, 2, 29}, 0, 1, 20240229},
    };
    return all;
}

std::string error_of(const std::string& text, YearType hint = YearType::financial) {
    try {
        TimePeriod::parse(text, hint);
    } catch (const fairer::Error& e) {
        CHECK(e.id() == "period");
        return e.what();
    }
    return "<no error>";
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::vector<TimePeriod> all_case_periods() {
    std::vector<TimePeriod> out;
    for (const auto& c : cases()) out.push_back(TimePeriod::parse(c.text, c.hint));
    return out;
}

}  // namespace

TEST_CASE("every form parses to the dates, length, kind and sort key of its definition") {
    for (const auto& c : cases()) {
        CAPTURE(c.text);
        CAPTURE(fairer::to_string(c.hint));
        const TimePeriod p = TimePeriod::parse(c.text, c.hint);
        CHECK(p.year_type() == c.year_type);
        CHECK(p.kind() == c.kind);
        CHECK(p.start() == c.start);
        CHECK(p.end() == c.end);
        CHECK(p.months() == c.months);
        CHECK(p.days() == c.days);
        CHECK(p.sortable() == c.sortable);
        CHECK(p.first_year() == c.sortable / 10000);
    }
}

TEST_CASE("to_string gives back the canonical text and parse(to_string(p)) == p") {
    for (const auto& c : cases()) {
        CAPTURE(c.text);
        const TimePeriod p = TimePeriod::parse(c.text, c.hint);
        CHECK(p.to_string() == c.text);
        const TimePeriod again = TimePeriod::parse(p.to_string(), p.year_type() == YearType::calendar ? c.hint : p.year_type());
        CHECK(again == p);
        CHECK(again.hash() == p.hash());
    }
}

TEST_CASE("full month names are read and printed in Fingertips' three-letter form") {
    CHECK(TimePeriod::parse("April 2023").to_string() == "Apr 2023");
    CHECK(TimePeriod::parse("September 2024") == TimePeriod::parse("Sep 2024"));
    CHECK(TimePeriod::parse("May 2025").to_string() == "May 2025");
    const TimePeriod mixed = TimePeriod::parse("October 2023 - Sep 2024");
    CHECK(mixed.to_string() == "Oct 2023 - Sep 2024");
    CHECK(mixed.start() == Date{2023, 10, 1});
    CHECK(mixed.end() == Date{2024, 9, 30});
}

TEST_CASE("units counts years, quarters, months or days") {
    CHECK(TimePeriod::parse("2018 - 20").units() == 3);
    CHECK(TimePeriod::parse("2020/21 - 24/25").units() == 5);
    CHECK(TimePeriod::parse("2006/07 Q2 - 2007/08 Q1").units() == 4);
    CHECK(TimePeriod::parse("2006/07 Q1-Q3").units() == 3);
    CHECK(TimePeriod::parse("Apr 2023 - Mar 2024").units() == 12);
    CHECK(TimePeriod::parse("2024-04-17").units() == 1);
}

TEST_CASE("the same text means different periods for financial and academic years") {
    const TimePeriod fin = TimePeriod::parse("2021/22");
    const TimePeriod acad = TimePeriod::parse("2021/22", YearType::academic);
    CHECK(fin != acad);
    CHECK(fin.to_string() == acad.to_string());
    CHECK(fin.sortable() == acad.sortable());
    CHECK(fin < acad);  // same sort key, April starts before September
    CHECK(fin.overlaps(acad));
    // A calendar hint only matters for split years; plain years are calendar whatever the hint.
    CHECK(TimePeriod::parse("2022", YearType::academic).year_type() == YearType::calendar);
}

TEST_CASE("overlap is symmetric and counts shared days only") {
    const auto p = [](const char* t, YearType h = YearType::financial) { return TimePeriod::parse(t, h); };
    struct Pair { TimePeriod a, b; bool overlap; };
    const std::vector<Pair> pairs = {
        {p("2018 - 20"), p("2020/21"), true},               // Apr-Dec 2020 shared
        {p("2021"), p("2021/22 Q4"), false},                // Q4 is Jan-Mar 2022
        {p("2022"), p("2021/22 Q4"), true},
        {p("2021/22"), p("2022/23"), false},                // end 31 Mar, next starts 1 Apr
        {p("2022-03-31"), p("2021/22"), true},              // last day
        {p("2022-04-01"), p("2021/22"), false},
        {p("2022-04-01"), p("2022/23"), true},              // first day
        {p("2021/22", YearType::academic), p("2022 Q3"), true},   // Jul-Aug 2022
        {p("2021/22", YearType::academic), p("2022 Q4"), false},
        {p("Apr 2023 - Mar 2024"), p("2023/24"), true},
        {p("Mar 2024"), p("2024/25 Q1"), false},
        {p("2006/07 Q1-Q3"), p("Dec 2006"), true},
        {p("2006/07 Q1-Q3"), p("Jan 2007"), false},
        {p("2016 - 18"), p("2019 - 21"), false},
        {p("2016 - 18"), p("2018 - 20"), true},
    };
    for (const auto& pr : pairs) {
        CAPTURE(pr.a.to_string());
        CAPTURE(pr.b.to_string());
        CHECK(pr.a.overlaps(pr.b) == pr.overlap);
        CHECK(pr.b.overlaps(pr.a) == pr.overlap);
        CHECK(pr.a.overlaps(pr.a));
    }
}

TEST_CASE("ordering is a strict total order that never contradicts the Fingertips sort key") {
    const std::vector<TimePeriod> ps = all_case_periods();
    for (const auto& a : ps) {
        CHECK_FALSE(a < a);
        for (const auto& b : ps) {
            CAPTURE(a.to_string());
            CAPTURE(b.to_string());
            // exactly one of a < b, b < a, a == b
            CHECK(static_cast<int>(a < b) + static_cast<int>(b < a) + static_cast<int>(a == b) == 1);
            CHECK((a <= b) == !(b < a));
            CHECK((a >= b) == !(a < b));
            CHECK((a > b) == (b < a));
            if (a.sortable() < b.sortable()) CHECK(a < b);
            if (a == b) CHECK(a.hash() == b.hash());
            for (const auto& c : ps) {
                if (a < b && b < c) CHECK(a < c);
            }
        }
    }
}

TEST_CASE("a series sorts chronologically and ties on the sort key are broken by dates") {
    std::vector<TimePeriod> ps;
    for (const char* t : {"2023/24 Q1", "2021/22 Q4", "2022/23 Q2", "2022/23 Q1", "2021/22 Q3"}) ps.push_back(TimePeriod::parse(t));
    std::sort(ps.begin(), ps.end());
    std::vector<std::string> texts;
    for (const auto& p : ps) texts.push_back(p.to_string());
    CHECK(texts == std::vector<std::string>{"2021/22 Q3", "2021/22 Q4", "2022/23 Q1", "2022/23 Q2", "2023/24 Q1"});
    for (std::size_t i = 1; i < ps.size(); ++i) CHECK(ps[i - 1].start() < ps[i].start());

    // 2021, 2021/22 and 2021 - 23 all have Fingertips sort key 20210000.
    const TimePeriod y = TimePeriod::parse("2021"), fy = TimePeriod::parse("2021/22"), pooled = TimePeriod::parse("2021 - 23");
    CHECK(y.sortable() == 20210000);
    CHECK(fy.sortable() == 20210000);
    CHECK(pooled.sortable() == 20210000);
    CHECK(y < pooled);   // same start, ends earlier
    CHECK(pooled < fy);  // starts earlier (January before April)
    CHECK(TimePeriod::parse("2020 - 22") < y);
    CHECK(TimePeriod::parse("Dec 2023") < TimePeriod::parse("Jan 2024"));
    CHECK(TimePeriod::parse("2023-12-31") < TimePeriod::parse("2024-01-01"));
}

TEST_CASE("periods hash consistently with equality") {
    std::unordered_set<TimePeriod> set;
    for (const char* t : {"2022", "2022", "2021/22", "2018 - 20", "2021/22 Q1", "Mar 2024", "March 2024"}) set.insert(TimePeriod::parse(t));
    CHECK(set.size() == 5);
    set.insert(TimePeriod::parse("2021/22", YearType::academic));
    CHECK(set.size() == 6);
}

TEST_CASE("bad texts are rejected with fairer::Error id 'period' naming the text") {
    CHECK(error_of("2021/23") ==
          "[fairer.period] '2021/23' is not a split year: its two years must be consecutive (expected '2021/22')");
    CHECK(contains(error_of("2018 - 17"), "'2018 - 17' is not a pooled period: its last year must come 1 to 9 years after its first year 2018"));
    CHECK(contains(error_of("2018 - 18"), "'2018 - 18' is not a pooled period"));
    CHECK(contains(error_of("2010 - 20"), "'2010 - 20' is not a pooled period"));  // 11 years
    CHECK(contains(error_of("20x1"), "'20x1' is not a Fingertips time period: expected a four-digit year at the start, found '20x1'"));
    CHECK(contains(error_of(""), "[fairer.period] '' is empty"));
    CHECK(contains(error_of("2022 abc"), "'2022 abc' is not a Fingertips time period: expected '/', ' Q', ' - ' or the end of the text after '2022', found ' abc'"));
    CHECK(contains(error_of("2018 - 2020"), "'2018 - 2020' is not a Fingertips time period: expected the end of the text after '2018 - 20', found '20'"));
    CHECK(contains(error_of("2021/22 Q1x"), "expected '-Q', ' - ' or the end of the text after '2021/22 Q1', found 'x'"));
    CHECK(contains(error_of("2022 "), "found ' '"));
    CHECK(contains(error_of(" 2022"), "' 2022' is not a Fingertips time period: expected a four-digit year at the start"));
    CHECK(contains(error_of("2018-20"), "'2018-20' is not a Fingertips time period: expected an ISO date YYYY-MM-DD"));
    CHECK(contains(error_of("2018 - "), "'2018 - ' is not a Fingertips time period: expected a two-digit last year after '2018 - ', found the end of the text"));
    CHECK(contains(error_of("22"), "'22' is not a Fingertips time period: expected a four-digit year"));
    CHECK(contains(error_of("0999"), "'0999' has a year before 1000"));
    CHECK(contains(error_of("2022 Q5"), "'2022 Q5' has quarter 5; quarters are 1 to 4"));
    CHECK(contains(error_of("2022 Q0"), "'2022 Q0' has quarter 0"));
    CHECK(contains(error_of("2021/22 Q2-Q3"), "'2021/22 Q2-Q3' is not a cumulative quarter period"));
    CHECK(contains(error_of("2021/22 Q1-Q1"), "is not a cumulative quarter period"));
    CHECK(contains(error_of("2021/22 Q2 - 2021/22 Q2"), "'2021/22 Q2 - 2021/22 Q2' is not a quarter range: it must end after it starts"));
    CHECK(contains(error_of("2022 Q2 - 2021 Q3"), "is not a quarter range"));
    CHECK(contains(error_of("2021/22 Q2 - 2022 Q1"), "expected '/' (both ends of a quarter range have the same year type)"));
    CHECK(contains(error_of("2020/21 - 24"), "expected '/' (both ends of a pooled split-year period are split years)"));
    CHECK(contains(error_of("2020/21 - 24/26"), "'2020/21 - 24/26' is not a split year: its two years must be consecutive (expected '2024/25')"));
    CHECK(contains(error_of("Foo 2022"), "'Foo 2022' has an unknown month name 'Foo'"));
    CHECK(contains(error_of("mar 2022"), "unknown month name 'mar'"));
    CHECK(contains(error_of("Mar 2024 - Feb 2024"), "'Mar 2024 - Feb 2024' is not a month range: it must end after it starts"));
    CHECK(contains(error_of("Mar 2024 - Mar 2024"), "is not a month range"));
    CHECK(contains(error_of("Mar 24"), "expected a four-digit year after 'Mar ', found '24'"));
    CHECK(contains(error_of("2023-02-29"), "'2023-02-29' is not a valid date"));
    CHECK(contains(error_of("2023-13-01"), "is not a valid date"));
    CHECK(contains(error_of("2021/22", YearType::calendar), "'2021/22' is a split (financial or academic) year, but calendar periods were requested"));
    CHECK(contains(error_of("9999 - 01"), "ends after the year 9999"));
    CHECK_THROWS_AS(TimePeriod::parse("2021/23"), std::invalid_argument);
}

TEST_CASE("Date helpers") {
    CHECK(Date{2021, 4, 1}.to_string() == "2021-04-01");
    CHECK(Date{1999, 12, 31}.to_string() == "1999-12-31");
    CHECK(fairer::detail::days_since_epoch(Date{1970, 1, 1}) == 0);
    CHECK(fairer::detail::days_since_epoch(Date{2000, 3, 1}) == 11017);  // 30 years incl. 7 leap days + Jan, Feb 2000
    CHECK(fairer::detail::days_since_epoch(Date{1969, 12, 31}) == -1);
    CHECK(Date{2021, 4, 1} < Date{2021, 4, 2});
    CHECK(std::string(fairer::to_string(YearType::academic)) == "academic");
    CHECK(std::string(fairer::to_string(PeriodKind::cumulative_quarters)) == "cumulative_quarters");
}

namespace {

std::set<std::string> distinct_column(const std::string& path, const std::string& column) {
    auto reader = fairer::detail::CsvReader::from_file(path);
    std::vector<std::string_view> fields;
    REQUIRE(reader.next(fields));
    const auto it = std::find(fields.begin(), fields.end(), column);
    REQUIRE(it != fields.end());
    const auto index = static_cast<std::size_t>(it - fields.begin());
    std::set<std::string> out;
    while (reader.next(fields)) {
        REQUIRE(index < fields.size());
        out.emplace(fields[index]);
    }
    return out;
}

// NOMIS writes month names in full; Fingertips abbreviates them to three letters.
std::string abbreviate_full_month_names(std::string text) {
    for (const char* name : {"January", "February", "March", "April", "June", "July", "August", "September", "October",
                             "November", "December"}) {
        const std::string full = name;
        for (std::size_t at = text.find(full); at != std::string::npos; at = text.find(full, at)) text.erase(at + 3, full.size() - 3);
    }
    return text;
}

}  // namespace

TEST_CASE("every period in the shared public data parses and prints back") {
    const std::string dir = FAIRER_SHARED_DIR "/data/";
    int identical = 0, abbreviated = 0;
    for (const char* file : {"la_indicators_trafford_datalab_long.csv", "ons_explore_local_statistics_selected_england.csv"}) {
        const auto periods = distinct_column(dir + file, "period");
        CHECK(periods.size() > 90);
        for (const auto& text : periods) {
            CAPTURE(file);
            CAPTURE(text);
            const TimePeriod p = TimePeriod::parse(text);
            const std::string expected = abbreviate_full_month_names(text);
            CHECK(p.to_string() == expected);
            if (expected == text) {
                ++identical;
            } else {
                ++abbreviated;  // the only texts that legitimately differ: "April 2023" prints as "Apr 2023"
                CHECK(p.kind() == PeriodKind::month);
            }
            CHECK(TimePeriod::parse(p.to_string()) == p);
        }
    }
    // 100 + 112 distinct texts; 37 Trafford texts name months in full, of which "May 2023",
    // "May 2024" and "May 2025" are already three letters long.
    CHECK(identical == 100 + 112 - 34);
    CHECK(abbreviated == 34);
}

TEST_CASE("ONS ISO 8601 periods agree with the dates of the readable period") {
    // ons_explore_local_statistics_selected_england.csv publishes period_iso ("2021-04-01/P1Y",
    // "2019-01-01/P5Y", "2024-04-17") next to the readable period: an independent statement of
    // the start date and length. Years starting 1 January, 1 April (financial) or 1 September
    // (academic) must match exactly; ONS surveys whose year starts on 1 August (school
    // absence) or 16 November (Active Lives) have no Fingertips year type and are skipped.
    auto reader = fairer::detail::CsvReader::from_file(FAIRER_SHARED_DIR "/data/ons_explore_local_statistics_selected_england.csv");
    std::vector<std::string_view> fields;
    REQUIRE(reader.next(fields));
    const auto col = [&](const char* name) {
        const auto it = std::find(fields.begin(), fields.end(), name);
        REQUIRE(it != fields.end());
        return static_cast<std::size_t>(it - fields.begin());
    };
    const std::size_t period_col = col("period"), iso_col = col("period_iso");
    std::set<std::pair<std::string, std::string>> pairs;
    while (reader.next(fields)) pairs.emplace(std::string(fields[period_col]), std::string(fields[iso_col]));

    int checked = 0, skipped = 0;
    for (const auto& [text, iso] : pairs) {
        CAPTURE(text);
        CAPTURE(iso);
        REQUIRE(iso.size() >= 10);
        const Date start{std::stoi(iso.substr(0, 4)), std::stoi(iso.substr(5, 2)), std::stoi(iso.substr(8, 2))};
        if (iso.size() == 10) {
            const TimePeriod p = TimePeriod::parse(text);
            CHECK(p.kind() == PeriodKind::day);
            CHECK(p.start() == start);
            CHECK(p.end() == start);
            ++checked;
            continue;
        }
        REQUIRE(iso.substr(10, 2) == "/P");
        REQUIRE(iso.back() == 'Y');
        const int years = std::stoi(iso.substr(12, iso.size() - 13));
        if (start.day != 1 || (start.month != 1 && start.month != 4 && start.month != 9)) {
            CHECK(((start.month == 8 && start.day == 1) || (start.month == 11 && start.day == 16)));
            ++skipped;
            continue;
        }
        const TimePeriod p = TimePeriod::parse(text, start.month == 9 ? YearType::academic : YearType::financial);
        CHECK(p.start() == start);
        CHECK(p.months() == 12 * years);
        // ISO 8601 "start/PnY" is the half-open interval [start, start + n years): the day
        // after the inclusive end is the same date n years on.
        CHECK(fairer::detail::days_since_epoch(p.end()) + 1 ==
              fairer::detail::days_since_epoch(Date{start.year + years, start.month, start.day}));
        ++checked;
    }
    CHECK(checked == 116);
    CHECK(skipped == 28);
}
