#include <doctest/doctest.h>

#include "support.hpp"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "fairer/deprivation.hpp"

#ifndef FAIRER_TEST_DATA_DIR
#error "FAIRER_TEST_DATA_DIR must point at tests/data"
#endif

namespace {

const std::string kSmall = std::string(FAIRER_TEST_DATA_DIR) + "/model/deprivation_small.csv";

std::string edited(const std::string& from, const std::string& to) { return fairer_test::edited_file(kSmall, from, to); }

std::string error_of(const std::string& text) {
    return fairer_test::data_error_of([](const std::string& t, const std::string& n) { return fairer::parse_deprivation(t, n); }, text, "lsoa.csv");
}

}  // namespace

TEST_CASE("deprivation: the small lookup reads by LSOA and by column") {
    const fairer::DeprivationLookup d = fairer::read_deprivation(kSmall);
    REQUIRE(d.size() == 5);
    CHECK(d.lsoa_codes() ==
          std::vector<std::string>{"E01000101", "E01000201", "E01000102", "E01000202", "E01000203"});
    CHECK(d.places() == std::vector<std::string>{"E06000901", "E06000902"});
    CHECK(d.imd_ranks() == std::vector<int>{20001, 9000, 1200, 3000, 150});
    CHECK(d.imd_deciles() == std::vector<int>{5, 3, 1, 1, 1});
    CHECK(d.imd_scores()[2] == 40.0);
    CHECK(std::isnan(d.populations()[3]));
    CHECK(d.population_periods()[3].empty());
    CHECK(d.column_names() == std::vector<std::string>{"income_score", "income_rank", "income_decile"});
    CHECK(d.column("income_score")[4] == 0.45);
    CHECK(std::isnan(d.column("income_rank")[2]));
    CHECK(d.value("E01000203", "income_rank") == 120.0);
    CHECK(d.has_column("income_decile"));
    CHECK_FALSE(d.has_column("health_rank"));
    CHECK_THROWS_WITH_AS(d.column("health_rank"), "[fairer.deprivation] no column named 'health_rank'", fairer::Error);

    const fairer::DeprivationRecord r = d.at("E01000202");
    CHECK(r.lsoa_name == "Place B 001B");
    CHECK(r.place_code == "E06000902");
    CHECK(r.imd_score == 30.0);
    CHECK(r.imd_rank == 3000);
    CHECK(r.imd_decile == 1);
    CHECK(std::isnan(r.population));
    CHECK(d.contains("E01000101"));
    CHECK_FALSE(d.contains("E01999999"));
    CHECK_THROWS_WITH_AS(d.at("E01999999"), "[fairer.deprivation] unknown LSOA code 'E01999999'", fairer::Error);
}

TEST_CASE("deprivation: per-place summary, checked by hand") {
    const auto s = fairer::summarise_deprivation(fairer::read_deprivation(kSmall));
    REQUIRE(s.size() == 2);
    // Place A: scores 10 and 40 with populations 1000 and 3000:
    // (10*1000 + 40*3000) / 4000 = 130000 / 4000 = 32.5; deciles 5 and 1 -> 1 of 2 in decile 1.
    CHECK(s[0].place_code == "E06000901");
    CHECK(s[0].lsoa_count == 2);
    CHECK(s[0].population == 4000.0);
    CHECK(s[0].mean_imd_score == doctest::Approx(32.5).epsilon(1e-15));
    CHECK(s[0].share_most_deprived_decile == 0.5);
    // Place B: one population is blank, so its population and weighted mean are missing;
    // deciles 3, 1, 1 -> 2 of 3 in decile 1.
    CHECK(s[1].place_code == "E06000902");
    CHECK(s[1].lsoa_count == 3);
    CHECK(std::isnan(s[1].population));
    CHECK(std::isnan(s[1].mean_imd_score));
    CHECK(s[1].share_most_deprived_decile == doctest::Approx(2.0 / 3.0).epsilon(1e-15));
    CHECK(fairer::summarise_deprivation(fairer::DeprivationLookup{}).empty());
}

TEST_CASE("deprivation: each malformed file names the row, column and value") {
    const std::string p = "[fairer.data] lsoa.csv: ";
    CHECK(error_of(edited("lsoa_code,lsoa_name,place_code", "lsoa11_code,lsoa_name,place_code")) ==
          p + "row 1: wrong header; expected it to start with 'lsoa_code,lsoa_name,place_code,imd_score,imd_rank,"
              "imd_decile,population,population_period' (value 'lsoa11_code,lsoa_name,place_code,imd_score,imd_rank,"
              "imd_decile,population,population_period,income_score,income_rank,income_decile')");
    CHECK(error_of(edited("income_rank,income_decile", "income_rank,income_rank")) ==
          p + "row 1, column 'income_rank': duplicate column name (value 'income_rank')");
    CHECK(error_of(edited("E01000202,Place B 001B", "E01000101,Place B 001B")) ==
          p + "row 5, column 'lsoa_code': duplicate LSOA code (value 'E01000101')");
    CHECK(error_of(edited(",20001,5,", ",20001,11,")) ==
          p + "row 2, column 'imd_decile': decile must be a whole number from 1 to 10 (value '11')");
    CHECK(error_of(edited(",20001,5,", ",20001,0,")) ==
          p + "row 2, column 'imd_decile': decile must be a whole number from 1 to 10 (value '0')");
    CHECK(error_of(edited(",20001,5,", ",0,5,")) ==
          p + "row 2, column 'imd_rank': rank must be a whole number of at least 1 (value '0')");
    CHECK(error_of(edited(",20001,5,", ",20001.5,5,")) ==
          p + "row 2, column 'imd_rank': rank must be a whole number of at least 1 (value '20001.5')");
    CHECK(error_of(edited(",3000,mid-2015", ",-3000,mid-2015")) ==
          p + "row 4, column 'population': negative population (value '-3000')");
    CHECK(error_of(edited(",0.45,120,1", ",0.45,120,one")) ==
          p + "row 6, column 'income_decile': not a number (value 'one')");
    CHECK(error_of(edited(",0.45,120,1", ",0.45,0,1")) ==
          p + "row 6, column 'income_rank': rank must be a whole number of at least 1 (value '0')");
    CHECK(error_of(edited("Place B 001C,E06000902,60,", "Place B 001C,E06000902,high,")) ==
          p + "row 6, column 'imd_score': not a number (value 'high')");
    CHECK(error_of(edited("Place B 001C,E06000902,60,", "Place B 001C,E06000902,,")) ==
          p + "row 6, column 'imd_score': missing value; every LSOA needs an IMD score, rank and decile (value '')");
    CHECK(error_of(edited(",0.45,120,1", ",0.45,120")) == p + "row 6: expected 11 fields, found 10");
    CHECK(error_of(edited("Place B 001C,E06000902,", "Place B 001C,,")) ==
          p + "row 6, column 'place_code': missing place code (value '')");
}

#ifndef FAIRER_DEFAULT_DATA_DIR
#error "FAIRER_DEFAULT_DATA_DIR must point at python/fairer/data"
#endif
#ifndef FAIRER_SHARED_DIR
#error "FAIRER_SHARED_DIR must point at the shared reference folder"
#endif

namespace {

struct Published {
    double average_score = 0.0;
    double proportion_decile_1 = 0.0;
};

// The "Index of Multiple Deprivation" rows of an MHCLG File 10 LA summary (long form).
std::map<std::string, Published> file10_imd(const std::string& path) {
    auto reader = fairer::detail::CsvReader::from_file(path);
    std::vector<std::string_view> f;
    REQUIRE(reader.next(f));
    REQUIRE(f[2] == "index_domain");
    REQUIRE(f[5] == "average_score");
    REQUIRE(f[7] == "proportion_lsoas_most_deprived_10pc");
    std::map<std::string, Published> out;
    while (reader.next(f)) {
        if (f[2] != "Index of Multiple Deprivation") continue;
        out[std::string(f[0])] = Published{std::stod(std::string(f[5])), std::stod(std::string(f[7]))};
    }
    return out;
}

}  // namespace

// The LA summaries MHCLG publish (IoD2019 File 10) round the population-weighted mean score to
// 3 dp and the share of LSOAs in national decile 1 to 4 dp; the summary of the embedded LSOA
// file must reproduce both for each of the nine places.
TEST_CASE("deprivation: IoD2019 LSOA file reproduces MHCLG File 10 for the nine places") {
    const auto d = fairer::read_deprivation(std::string(FAIRER_DEFAULT_DATA_DIR) + "/lsoa_iod2019.csv");
    const auto published = file10_imd(std::string(FAIRER_SHARED_DIR) + "/data/iod2019_lad19_summaries_long.csv");
    const auto summary = fairer::summarise_deprivation(d);
    REQUIRE(summary.size() == 9);
    for (const auto& s : summary) {
        CAPTURE(s.place_code);
        REQUIRE(published.count(s.place_code) == 1);
        const auto& p = published.at(s.place_code);
        CHECK(std::abs(s.mean_imd_score - p.average_score) <= 0.0005);
        CHECK(std::abs(s.share_most_deprived_decile - p.proportion_decile_1) <= 0.00005);
    }
    // LSOA counts quoted in shared/data/README.md from the full England file.
    const std::map<std::string, std::size_t> counts{
        {"E06000049", 234}, {"E06000050", 212}, {"E06000006", 79},  {"E08000011", 98}, {"E08000012", 298},
        {"E08000014", 189}, {"E08000013", 119}, {"E06000007", 127}, {"E08000015", 206}};
    for (const auto& s : summary) CHECK(s.lsoa_count == counts.at(s.place_code));
    CHECK(d.has_column("income_score"));
}

TEST_CASE("deprivation: IoD2025 LSOA file reproduces the published decile-1 shares") {
    const auto d = fairer::read_deprivation(std::string(FAIRER_DEFAULT_DATA_DIR) + "/lsoa_iod2025.csv");
    const auto published = file10_imd(std::string(FAIRER_SHARED_DIR) + "/data/iod2025_lad24_summaries_long.csv");
    const auto summary = fairer::summarise_deprivation(d);
    REQUIRE(summary.size() == 9);
    std::size_t lsoas = 0;
    double in_decile_1 = 0.0;
    for (const auto& s : summary) {
        CAPTURE(s.place_code);
        REQUIRE(published.count(s.place_code) == 1);
        CHECK(std::abs(s.share_most_deprived_decile - published.at(s.place_code).proportion_decile_1) <= 0.00005);
        lsoas += s.lsoa_count;
        in_decile_1 += s.share_most_deprived_decile * static_cast<double>(s.lsoa_count);
    }
    // shared/data/README.md: Liverpool has 302 LSOAs (2021); the ICB summary gives 20.11% of
    // Cheshire and Merseyside LSOAs in the most deprived national decile.
    CHECK(d.places().size() == 9);
    for (const auto& s : summary)
        if (s.place_code == "E08000012") CHECK(s.lsoa_count == 302);
    CHECK(std::abs(in_decile_1 / static_cast<double>(lsoas) - 0.2011) <= 0.00005);
}

namespace {

// Every LSOA of an embedded lookup against the full England file it was cut from:
// same place (LA code), IMD score, rank and decile, and, where the England file has the
// population denominator, the same population.
void check_against_england(const fairer::DeprivationLookup& d, const std::string& england_path,
                           const char* population_column) {
    auto reader = fairer::detail::CsvReader::from_file(england_path);
    std::vector<std::string_view> f;
    REQUIRE(reader.next(f));
    REQUIRE(f[2].substr(0, 3) == "lad");
    REQUIRE(f[4] == "imd_score");
    REQUIRE(f[5] == "imd_rank");
    REQUIRE(f[6] == "imd_decile");
    std::size_t pop = 0;
    for (std::size_t i = 0; population_column && i < f.size(); ++i)
        if (f[i] == population_column) pop = i;
    REQUIRE((population_column == nullptr || pop > 0));
    std::size_t matched = 0, mismatched = 0;
    while (reader.next(f)) {
        const std::string code(f[0]);
        if (!d.contains(code)) continue;
        const auto r = d.at(code);
        ++matched;
        const bool same = r.place_code == f[2] && r.imd_score == std::stod(std::string(f[4])) &&
                          r.imd_rank == std::stoi(std::string(f[5])) && r.imd_decile == std::stoi(std::string(f[6])) &&
                          (pop == 0 || r.population == std::stod(std::string(f[pop])));
        if (!same) {
            ++mismatched;
            CAPTURE(code);
            CHECK(same);
        }
    }
    CHECK(matched == d.size());
    CHECK(mismatched == 0);
}

}  // namespace

TEST_CASE("deprivation: embedded LSOA rows equal the England IoD files") {
    const std::string shared = std::string(FAIRER_SHARED_DIR) + "/data/";
    check_against_england(fairer::read_deprivation(std::string(FAIRER_DEFAULT_DATA_DIR) + "/lsoa_iod2019.csv"),
                          shared + "iod2019_lsoa11_england.csv", "pop_total_mid2015");
    check_against_england(fairer::read_deprivation(std::string(FAIRER_DEFAULT_DATA_DIR) + "/lsoa_iod2025.csv"),
                          shared + "iod2025_lsoa21_england.csv", nullptr);
}
