// Life expectancy (Chiang II with Silcocks' final band) against the worked examples written inline
// in PHEindicatormethods' own tests (upstream/inline/le_*.csv), whose expected values come from
// OHID's Excel Life Expectancy Calculator. As in the package's test, both sides are rounded to 4
// decimal places and then compared with testthat's default rule.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/life_expectancy.hpp"

namespace {

const std::string inline_dir = std::string(FAIRER_SHARED_DIR) + "/reference/pheindicatormethods/upstream/inline/";

// Columns of a CSV by header name; "NA" and blanks become NaN, text columns are kept as text.
struct Table {
    std::map<std::string, std::vector<double>> numbers;
    std::map<std::string, std::vector<std::string>> text;
    std::size_t rows = 0;
};

Table read_table(const std::string& name) {
    auto reader = fairer::detail::CsvReader::from_file(inline_dir + name);
    std::vector<std::string_view> fields;
    REQUIRE(reader.next(fields));
    std::vector<std::string> header(fields.begin(), fields.end());
    Table t;
    while (reader.next(fields)) {
        REQUIRE(fields.size() == header.size());
        for (std::size_t j = 0; j < header.size(); ++j) {
            double v = 0.0;
            t.text[header[j]].emplace_back(fields[j]);
            t.numbers[header[j]].push_back(fairer::detail::parse_double(fields[j], v) ? v : std::nan(""));
        }
        ++t.rows;
    }
    return t;
}

double round4(double x) { return std::round(x * 1e4) / 1e4; }

// testthat 3rd edition's expect_equal after rounding both sides to 4 dp: equal NaN positions and
// mean |a - e| / mean |e| below sqrt(machine epsilon).
void check_rounded(const std::vector<double>& actual, const std::vector<double>& expected, std::size_t from,
                   const char* what) {
    INFO(std::string(what));
    REQUIRE(actual.size() >= from + expected.size());
    double diff = 0.0, scale = 0.0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const double a = actual[from + i];
        const double e = expected[i];
        CHECK(std::isnan(a) == std::isnan(e));
        if (std::isnan(a) || std::isnan(e)) continue;
        diff += std::fabs(round4(a) - round4(e));
        scale += std::fabs(round4(e));
    }
    if (scale > 0.0) CHECK(diff / scale < 1.4901161193847656e-08);
}

std::vector<double> level(const std::vector<double>& flat, std::size_t k, std::size_t rows) {
    return std::vector<double>(flat.begin() + static_cast<std::ptrdiff_t>(k * rows),
                               flat.begin() + static_cast<std::ptrdiff_t>((k + 1) * rows));
}

std::vector<double> ages_of(const Table& t, const char* column) { return t.numbers.at(column); }

fairer::LifeTableCheck check_of(const char* file) {
    const Table t = read_table(file);
    const std::vector<std::uint32_t> offsets{0, static_cast<std::uint32_t>(t.rows)};
    const auto r = fairer::life_expectancy_chiang(t.numbers.at("deaths"), t.numbers.at("pop"), ages_of(t, "age"), offsets);
    REQUIRE(r.group_check.size() == 1);
    for (double v : r.value) CHECK(std::isnan(v));
    return r.group_check[0];
}

}  // namespace

TEST_CASE("life expectancy: df1 worked example matches the Excel calculator at 4 dp") {
    const Table df = read_table("le_df1.csv");
    const Table answer = read_table("le_answer1.csv");
    const Table cum = read_table("le_df1_cum.csv");
    const std::vector<std::uint32_t> offsets{0, static_cast<std::uint32_t>(df.rows)};
    const auto r = fairer::life_expectancy_chiang(df.numbers.at("deaths"), df.numbers.at("pops"), ages_of(df, "startage"),
                                                  offsets);
    REQUIRE(r.value.size() == 20);
    CHECK(r.group_check[0] == fairer::LifeTableCheck::ok);
    CHECK(r.wide_interval_count == 0);
    check_rounded(r.value, answer.numbers.at("value"), 0, "value");
    check_rounded(r.lower, answer.numbers.at("lowercl"), 0, "lowercl");
    check_rounded(r.upper, answer.numbers.at("uppercl"), 0, "uppercl");
    // the cumulative counts are sums of integers: exact
    CHECK(r.pops_used == cum.numbers.at("pops_used"));
    CHECK(r.dths_used == cum.numbers.at("dths_used"));
    // the published e0 to the 8 decimals the package's documentation prints
    CHECK(r.value[0] == doctest::Approx(80.16960813).epsilon(1e-10));
}

TEST_CASE("life expectancy: a percentage level gives the same limits as the fraction") {
    const Table df = read_table("le_df1.csv");
    const std::vector<std::uint32_t> offsets{0, 20};
    const auto a = fairer::life_expectancy_chiang(df.numbers.at("deaths"), df.numbers.at("pops"), ages_of(df, "startage"),
                                                  offsets, {95.0, 99.8});
    const auto b = fairer::life_expectancy_chiang(df.numbers.at("deaths"), df.numbers.at("pops"), ages_of(df, "startage"),
                                                  offsets, {0.95, 0.998});
    CHECK(a.confidence == std::vector<double>{0.95, 0.998});
    CHECK(a.lower == b.lower);
    // the 99.8% half-width is z(0.998) / z(0.95) times the 95% one, a second route to the limits
    for (std::size_t i = 0; i < 20; ++i) {
        const double h95 = a.upper[i] - a.value[i];
        const double h998 = a.upper[20 + i] - a.value[i];
        CHECK(h998 / h95 == doctest::Approx(3.090232306167813 / 1.959963984540054).epsilon(1e-12));
    }
}

TEST_CASE("life expectancy: wide intervals suppress the value but keep the limits; bad groups are NaN") {
    const Table df = read_table("le_df_widecis_plus.csv");
    const Table answer = read_table("le_answer_widecis.csv");
    REQUIRE(df.rows == 40);
    // rows are already grouped and in age order: Area 1 then Area 2
    const std::vector<std::uint32_t> offsets{0, 20, 40};
    const auto r = fairer::life_expectancy_chiang(df.numbers.at("deaths"), df.numbers.at("pops"), ages_of(df, "startage"),
                                                  offsets, {0.95, 0.998});
    // Area 1 has 312 deaths among 311 people aged 90+; Area 2 is calculated. The answer lists
    // Area 2's rows first, then the suppressed Area 1.
    CHECK(r.group_check[0] == fairer::LifeTableCheck::deaths_exceed_population);
    CHECK(r.group_problem_row[0] == 19);
    CHECK(r.group_check[1] == fairer::LifeTableCheck::ok);
    const auto& v = answer.numbers.at("value");
    const auto& lo = answer.numbers.at("lower95_0cl");
    const auto& up = answer.numbers.at("upper95_0cl");
    const std::vector<double> v2(v.begin(), v.begin() + 20), lo2(lo.begin(), lo.begin() + 20), up2(up.begin(), up.begin() + 20);
    check_rounded(r.value, v2, 20, "Area 2 value");
    check_rounded(level(r.lower, 0, 40), lo2, 20, "Area 2 lower95");
    check_rounded(level(r.upper, 0, 40), up2, 20, "Area 2 upper95");
    const std::vector<double> v1(v.begin() + 20, v.end());
    check_rounded(r.value, v1, 0, "Area 1 value (all NaN)");
    check_rounded(level(r.lower, 1, 40), std::vector<double>(20, std::nan("")), 0, "Area 1 lower99.8");
    CHECK(r.wide_interval_count == 11);
}

TEST_CASE("life expectancy: each suppression rule of the package's test data") {
    CHECK(check_of("le_df_neg_deaths.csv") == fairer::LifeTableCheck::negative_deaths);
    CHECK(check_of("le_df_zero_pop.csv") == fairer::LifeTableCheck::nonpositive_population);
    CHECK(check_of("le_df_missing_age.csv") == fairer::LifeTableCheck::wrong_band_count);
    CHECK(check_of("le_df_deaths_greater_pops.csv") == fairer::LifeTableCheck::deaths_exceed_population);
    CHECK(check_of("le_df_low_pops.csv") == fairer::LifeTableCheck::small_population);
    CHECK(std::string(fairer::life_table_check_message(fairer::LifeTableCheck::small_population)) ==
          "some groups have a total population of less than 5,000; outputs have been suppressed to NAs");
}

TEST_CASE("life expectancy: a total population of exactly 5000 is suppressed, 5001 is not") {
    std::vector<double> pops(20, 250.0), deaths(20, 1.0);
    std::vector<double> ages(fairer::standard_life_table_ages.begin(), fairer::standard_life_table_ages.end());
    auto r = fairer::life_expectancy_chiang(deaths, pops, ages, {0, 20});
    CHECK(r.group_check[0] == fairer::LifeTableCheck::small_population);
    pops[0] = 251.0;
    r = fairer::life_expectancy_chiang(deaths, pops, ages, {0, 20});
    CHECK(r.group_check[0] == fairer::LifeTableCheck::ok);
}

TEST_CASE("life expectancy: no deaths aged 90+ gives a missing value, not infinity") {
    const Table df = read_table("le_df1.csv");
    auto deaths = df.numbers.at("deaths");
    deaths[19] = 0.0;
    const auto r = fairer::life_expectancy_chiang(deaths, df.numbers.at("pops"), ages_of(df, "startage"), {0, 20});
    CHECK(r.group_check[0] == fairer::LifeTableCheck::ok);
    for (double v : r.value) CHECK(std::isnan(v));
}

TEST_CASE("life expectancy: a missing count gives missing results, never zero") {
    const Table df = read_table("le_df1.csv");
    auto deaths = df.numbers.at("deaths");
    deaths[10] = std::nan("");
    const auto r = fairer::life_expectancy_chiang(deaths, df.numbers.at("pops"), ages_of(df, "startage"), {0, 20});
    CHECK(r.group_check[0] == fairer::LifeTableCheck::missing_values);
    CHECK(r.group_problem_row[0] == 10);
    for (std::size_t i = 0; i < 20; ++i) CHECK(std::isnan(r.value[i]));
    for (double v : r.upper) CHECK(std::isnan(v));
    CHECK(std::isnan(r.dths_used[0]));
    CHECK(r.pops_used[0] == 787954.0);
}

TEST_CASE("life expectancy: bad input throws StatisticsError naming the problem") {
    const Table df = read_table("le_df1.csv");
    const auto& d = df.numbers.at("deaths");
    const auto& p = df.numbers.at("pops");
    auto ages = ages_of(df, "startage");
    CHECK_THROWS_WITH_AS(fairer::life_expectancy_chiang(d, p, ages, {0, 20}, {0.8}),
                         doctest::Contains("all confidence levels must be between 90 and 100 or between 0.9 and 1"),
                         fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::life_expectancy_chiang(d, p, ages, {0, 20}, {100.0}), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::life_expectancy_chiang(d, p, ages, {0, 20}, {std::nan("")}), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::life_expectancy_chiang(d, p, ages, {0, 19}), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::life_expectancy_chiang(d, std::vector<double>(19, 1.0), ages, {0, 20}), fairer::StatisticsError);
    ages[5] = ages[4];
    CHECK_THROWS_WITH_AS(fairer::life_expectancy_chiang(d, p, ages, {0, 20}),
                         doctest::Contains("group index 0, row index 5"), fairer::StatisticsError);
    ages = ages_of(df, "startage");
    auto inf_deaths = d;
    inf_deaths[3] = HUGE_VAL;
    CHECK_THROWS_WITH_AS(fairer::life_expectancy_chiang(inf_deaths, p, ages, {0, 20}),
                         doctest::Contains("infinite deaths in group index 0, row index 3"), fairer::StatisticsError);
}
