#include <doctest/doctest.h>

#include "support.hpp"

#include <string>

#include "fairer/framework.hpp"

#ifndef FAIRER_TEST_DATA_DIR
#error "FAIRER_TEST_DATA_DIR must point at tests/data"
#endif

namespace {

const std::string kSmall = std::string(FAIRER_TEST_DATA_DIR) + "/model/small.framework";

std::string small_text() { return fairer::detail::read_text_file(kSmall); }

std::string edited(const std::string& from, const std::string& to) { return fairer_test::edited_file(kSmall, from, to); }

std::string error_of(const std::string& text) {
    return fairer_test::data_error_of([](const std::string& t, const std::string& n) { return fairer::parse_framework(t, n); }, text, "bad.framework");
}

}  // namespace

TEST_CASE("framework: the small fixture reads with every field") {
    const fairer::Framework fw = fairer::read_framework(kSmall);
    CHECK(fw.key == "test-framework");
    CHECK(fw.name == "A test framework");
    CHECK(fw.region == "Nowhere");
    CHECK(fw.version == "2024-01");
    CHECK(fw.baseline_period == "2022");
    CHECK(fw.source == "Invented for the tests");
    CHECK(fw.licence == "CC0");
    REQUIRE(fw.themes.size() == 3);
    CHECK(fw.themes[0].key == "LE");
    CHECK_FALSE(fw.themes[0].marmot_principle);
    CHECK(fw.themes[1].marmot_principle);
    CHECK(fw.theme("T3").life_course == "live well");
    REQUIRE(fw.recommendations.size() == 4);
    CHECK(fw.recommendation("R6").title == "Develop anchor institutions and social value");
    REQUIRE(fw.indicators.size() == 4);

    const auto& b01 = fw.indicator("B01");
    CHECK(b01.number == 1);
    CHECK(b01.sexes == std::vector<std::string>{"Female", "Male"});
    CHECK(b01.value_type == fairer::ValueType::life_expectancy);
    CHECK(b01.ci_method == fairer::CiMethod::chiang);
    CHECK(b01.period_type == fairer::PeriodType::pooled_3_year_calendar);
    CHECK_FALSE(b01.disclosure_threshold.has_value());
    CHECK(b01.fingertips_id == 90366);
    CHECK(b01.fingertips_id_status == fairer::FingertipsIdStatus::confirmed);
    CHECK(b01.definition == "Average years a newborn would live, at current mortality rates");
    CHECK(b01.notes.empty());

    const auto& b04 = fw.indicator("B04");
    CHECK(b04.title == "Good level of development, end of Reception");
    CHECK(b04.definition == "Children with a \"good level of development\"");
    CHECK(b04.multiplier == 100.0);
    CHECK(b04.is_proportion());
    CHECK(b04.disclosure_threshold == 5);
    CHECK(b04.fingertips_id_status == fairer::FingertipsIdStatus::unverified);
    CHECK(b04.recommendations == std::vector<std::string>{"R1", "R4"});
    CHECK(b04.period_type == fairer::PeriodType::academic_year);

    const auto& b12 = fw.indicator("B12");
    CHECK(b12.status == fairer::IndicatorStatus::anchor);
    CHECK_FALSE(b12.fingertips_id.has_value());
    CHECK_FALSE(b12.fingertips_id_status.has_value());
    CHECK(fw.indicator("B15").status == fairer::IndicatorStatus::discontinued);
    CHECK(fw.indicator("B15").polarity == fairer::Polarity::lower_is_better);
    CHECK(fw.indicator("B15").recommendations.empty());
}

TEST_CASE("framework: lookups by theme and recommendation, unknown keys throw") {
    const fairer::Framework fw = fairer::read_framework(kSmall);
    const auto t3 = fw.indicators_for_theme("T3");
    REQUIRE(t3.size() == 2);
    CHECK(t3[0].key == "B12");
    CHECK(t3[1].key == "B15");
    CHECK(fw.indicators_for_theme("T1").size() == 1);
    const auto r1 = fw.indicators_for_recommendation("R1");
    REQUIRE(r1.size() == 1);
    CHECK(r1[0].key == "B04");
    CHECK(fw.indicator_keys() == std::vector<std::string>{"B01", "B04", "B12", "B15"});
    CHECK(fw.has_indicator("B12"));
    CHECK_FALSE(fw.has_indicator("B02"));
    CHECK_THROWS_WITH_AS(fw.indicator("B99"),
                         "[fairer.framework] unknown indicator key 'B99' in framework 'test-framework'",
                         fairer::Error);
    CHECK_THROWS_WITH_AS(fw.theme("T9"), "[fairer.framework] unknown theme key 'T9' in framework 'test-framework'",
                         fairer::Error);
    CHECK_THROWS_AS(fw.indicators_for_theme("T9"), fairer::Error);
    CHECK_THROWS_AS(fw.recommendation("R2"), fairer::Error);
}

TEST_CASE("framework: read, write, read gives an identical framework and text") {
    const fairer::Framework a = fairer::read_framework(kSmall);
    const std::string text = fairer::write_framework(a);
    CHECK(text.rfind("#fairer-framework,1\n[framework]\nfield,value\nkey,test-framework\n", 0) == 0);
    const fairer::Framework b = fairer::parse_framework(text, "written");
    CHECK(a == b);
    CHECK(fairer::write_framework(b) == text);

    fairer::Framework c = b;
    c.indicators[1].multiplier = 1000.0;
    CHECK(c != a);
    const std::string path = "/tmp/fairer_model_roundtrip.framework";
    fairer::write_framework_file(c, path);
    CHECK(fairer::read_framework(path) == c);
}

TEST_CASE("framework: enum text forms round trip and reject unknown text") {
    using fairer::from_string;
    using fairer::to_string;
    for (const auto& item : fairer::detail::EnumText<fairer::PeriodType>::items)
        CHECK(from_string<fairer::PeriodType>(to_string(item.first)) == item.first);
    for (const auto& item : fairer::detail::EnumText<fairer::ValueType>::items)
        CHECK(from_string<fairer::ValueType>(to_string(item.first)) == item.first);
    CHECK(to_string(fairer::Polarity::no_judgement) == "no judgement");
    CHECK(to_string(fairer::CiMethod::exact_poisson) == "exact poisson");
    CHECK(from_string<fairer::IndicatorStatus>("anchor") == fairer::IndicatorStatus::anchor);
    CHECK_THROWS_WITH_AS(from_string<fairer::IndicatorStatus>("Live"),
                         "[fairer.value] unknown status 'Live'; expected 'live', 'anchor' or 'discontinued'",
                         fairer::Error);
}

TEST_CASE("framework: each malformed file names the row, column and value") {
    const std::string p = "[fairer.data] bad.framework: ";
    CHECK(error_of(edited("#fairer-framework,1", "key,title")) ==
          p + "row 1: the first line must be '#fairer-framework,1' (is this a fairer framework file?) (value 'key')");
    CHECK(error_of(edited("#fairer-framework,1", "#fairer-framework,2")) ==
          p + "row 1, column 'version': unsupported framework file version; this reader reads version 1 (value '2')");
    CHECK(error_of(edited("[recommendations]", "[recs]")) ==
          p + "row 16, column 'section': unknown section; expected [framework], [themes], [recommendations] or "
              "[indicators] (value '[recs]')");
    CHECK(error_of(edited("[recommendations]", "[themes]")) ==
          p + "row 16, column 'section': duplicate section (first started on row 3) (value '[themes]')");
    {
        std::string text = small_text();
        const auto from = text.find("[recommendations]");
        const auto to = text.find("[framework]");
        text.erase(from, to - from);
        CHECK(error_of(text) == "[fairer.data] bad.framework: missing section (value '[recommendations]')");
    }
    CHECK(error_of(edited("key,title,life_course,marmot_principle", "key,title,life_course")) ==
          p + "row 4: wrong header; expected 'key,title,life_course,marmot_principle' (value 'key,title,life_course')");
    CHECK(error_of(edited("B12,12,", "B04,12,")) ==
          p + "row 13, column 'key': duplicate indicator key (value 'B04')");
    CHECK(error_of(edited("R6,Develop", "R4,Develop")) ==
          p + "row 20, column 'key': duplicate recommendation key (value 'R4')");
    CHECK(error_of(edited("B15,15,T3,", "B15,15,T9,")) ==
          p + "row 14, column 'theme': not a key in the [themes] section (value 'T9')");
    CHECK(error_of(edited("R1;R4", "R1;R9")) ==
          p + "row 12, column 'recommendations': not a key in the [recommendations] section (value 'R9')");
    CHECK(error_of(edited("lower is better,discontinued", "lower is worse,discontinued")) ==
          p + "row 14, column 'polarity': unknown polarity; expected 'higher is better', 'lower is better', "
              "'no judgement' or 'not applicable' (value 'lower is worse')");
    CHECK(error_of(edited(",wilson,academic year,", ",wilsons,academic year,")) ==
          p + "row 12, column 'ci_method': unknown confidence interval method; expected 'wilson', 'byar', "
              "'exact poisson', 'dobson', 'student t', 'chiang', 'published' or 'none' (value 'wilsons')");
    CHECK(error_of(edited("B12,12,", "B12,12a,")) == p + "row 13, column 'number': not an integer (value '12a')");
    CHECK(error_of(edited("B12,12,", "B12,4,")) ==
          p + "row 13, column 'number': duplicate indicator number (also used by B04) (value '4')");
    CHECK(error_of(edited("annual,5,90631", "annual,5.5,90631")) ==
          p + "row 12, column 'disclosure_threshold': not an integer (value '5.5')");
    CHECK(error_of(edited("annual,5,90631", "annual,-1,90631")) ==
          p + "row 12, column 'disclosure_threshold': out of range; expected an integer of at least 0 (value '-1')");
    CHECK(error_of(edited("proportion,%,100,none", "proportion,%,0,none")) ==
          p + "row 13, column 'multiplier': bad multiplier; expected a positive number (100 for %) (value '0')");
    CHECK(error_of(edited("proportion,%,100,none", "proportion,%,hundred,none")) ==
          p + "row 13, column 'multiplier': bad multiplier; expected a positive number (100 for %) (value 'hundred')");
    CHECK(error_of(edited("Persons,5 yrs", "Person,5 yrs")) ==
          p + "row 12, column 'sexes': unknown sex 'Person'; expected 'Persons', 'Male' or 'Female' (value 'Person')");
    CHECK(error_of(edited("start well,yes", "start well,maybe")) ==
          p + "row 6, column 'marmot_principle': expected 'yes' or 'no' (value 'maybe')");
    CHECK(error_of(edited("R7,Monitor progress with shared indicators and accountability",
                          "R7,Monitor progress,with shared indicators")) ==
          p + "row 21: expected 2 fields, found 3");
    CHECK(error_of(edited(",,,R6,", ",,unverified,R6,")) ==
          p + "row 13, column 'fingertips_id_status': status given for a blank fingertips_id (value 'unverified')");
    CHECK(error_of(edited("licence,CC0\n", "")) ==
          p + "row 23, column 'field': missing field in the [framework] section (value 'licence')");
    CHECK(error_of(edited("licence,CC0", "licence,CC0\nregion,Somewhere")) ==
          p + "row 32, column 'field': duplicate [framework] field (value 'region')");
    CHECK(error_of(edited("licence,CC0", "license,CC0")) ==
          p + "row 31, column 'field': unknown [framework] field; expected key, name, region, version, "
              "baseline_period, source or licence (value 'license')");
    CHECK(error_of(edited("# recommendations come last here\n", "stray,record\n")) ==
          p + "row 15: expected 21 fields, found 2");
    CHECK(error_of(edited("# A two-theme test framework; sections deliberately out of the canonical order.\n",
                          "stray,record\n")) ==
          p + "row 2: record before the first section (value 'stray')");
    CHECK(error_of(edited("[framework]\nfield,value\n", "[framework]\n[themes]\n")) ==
          p + "row 23, column 'section': section has no header row (value '[framework]')");
    CHECK(error_of(small_text() + "[extra]\n") ==
          p + "row 32, column 'section': unknown section; expected [framework], [themes], [recommendations] or "
              "[indicators] (value '[extra]')");
    {
        std::string text = small_text();
        text.erase(text.find("field,value\n"), 12);
        text.erase(text.find("[framework]\n"));
        CHECK(error_of(text + "[framework]\n") == p + "row 23, column 'section': section has no header row (value '[framework]')");
    }
}

TEST_CASE("framework: a bad file on disk is reported with its path") {
    const std::string path = std::string(FAIRER_TEST_DATA_DIR) + "/model/bad_theme.framework";
    try {
        fairer::read_framework(path);
        FAIL("no DataError");
    } catch (const fairer::DataError& e) {
        REQUIRE(e.problems().size() == 1);
        CHECK(e.first().file == path);
        CHECK(e.first().row == 14);
        CHECK(e.first().column == "theme");
        CHECK(e.first().value == "T9");
    }
    CHECK_THROWS_WITH_AS(fairer::read_framework("/nonexistent/x.framework"),
                         "[fairer.data] /nonexistent/x.framework: cannot open file for reading", fairer::DataError);
}

#ifndef FAIRER_DEFAULT_DATA_DIR
#error "FAIRER_DEFAULT_DATA_DIR must point at python/fairer/data"
#endif

// Facts about the shipped All Together Fairer framework, taken from the programme papers as
// summarised in the project's framework specification (22 Beacon indicators, 8 Marmot themes plus
// the life-expectancy headline, 7 system recommendations, anchor and discontinued indicators).
TEST_CASE("framework: the embedded All Together Fairer framework matches the programme papers") {
    const std::string path = std::string(FAIRER_DEFAULT_DATA_DIR) + "/all_together_fairer.framework";
    const fairer::Framework fw = fairer::read_framework(path);
    CHECK(fw.key == "all-together-fairer");
    CHECK(fw.region == "Cheshire and Merseyside");
    CHECK(fw.baseline_period == "2022");

    REQUIRE(fw.themes.size() == 9);
    const std::vector<std::string> theme_keys{"LE", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8"};
    for (std::size_t i = 0; i < theme_keys.size(); ++i) {
        CHECK(fw.themes[i].key == theme_keys[i]);
        CHECK(fw.themes[i].marmot_principle == (theme_keys[i] != "LE"));
    }
    CHECK(fw.theme("T7").title == "Tackle racism, discrimination and their outcomes");
    REQUIRE(fw.recommendations.size() == 7);
    for (std::size_t i = 0; i < 7; ++i) CHECK(fw.recommendations[i].key == "R" + std::to_string(i + 1));

    // Theme and polarity of indicators 1..22 (H higher, L lower, N no judgement) as in the papers.
    const std::vector<std::string> themes{"LE", "LE", "T1", "T1", "T2", "T2", "T2", "T2", "T2", "T3", "T3",
                                          "T3", "T3", "T4", "T4", "T4", "T5", "T6", "T6", "T7", "T8", "T8"};
    const std::string polarity = "HHHHHHLLHLNHLLLLLHLNHH";
    REQUIRE(fw.indicators.size() == 22);
    for (std::size_t i = 0; i < 22; ++i) {
        const auto& m = fw.indicators[i];
        const int n = static_cast<int>(i) + 1;
        CAPTURE(m.key);
        CHECK(m.key == (n < 10 ? "B0" : "B") + std::to_string(n));
        CHECK(m.number == n);
        CHECK(m.theme == themes[i]);
        const auto want = polarity[i] == 'H'   ? fairer::Polarity::higher_is_better
                          : polarity[i] == 'L' ? fairer::Polarity::lower_is_better
                                               : fairer::Polarity::no_judgement;
        CHECK(m.polarity == want);
        const auto status = (n == 12 || n == 20 || n == 21) ? fairer::IndicatorStatus::anchor
                            : n == 15                       ? fairer::IndicatorStatus::discontinued
                                                            : fairer::IndicatorStatus::live;
        CHECK(m.status == status);
    }
    CHECK(fw.indicator("B01").sexes == std::vector<std::string>{"Female", "Male"});
    CHECK(fw.indicator("B02").sexes == std::vector<std::string>{"Female", "Male"});
    CHECK(fw.indicators_for_theme("LE").size() == 2);
    CHECK(fw.indicators_for_theme("T2").size() == 5);

    // The shipped file survives a write/read cycle unchanged.
    CHECK(fairer::parse_framework(fairer::write_framework(fw), "written") == fw);
}
