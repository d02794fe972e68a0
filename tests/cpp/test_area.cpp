#include <doctest/doctest.h>

#include "support.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "fairer/area.hpp"

#ifndef FAIRER_TEST_DATA_DIR
#error "FAIRER_TEST_DATA_DIR must point at tests/data"
#endif

namespace {

const std::string kAreas = std::string(FAIRER_TEST_DATA_DIR) + "/model/areas_small.csv";

std::vector<std::string> codes_of(const std::vector<const fairer::Area*>& areas) {
    std::vector<std::string> out;
    for (const auto* a : areas) out.push_back(a->code);
    return out;
}

std::string edited(const std::string& from, const std::string& to) { return fairer_test::edited_file(kAreas, from, to); }

std::string error_of(const std::string& text) {
    return fairer_test::data_error_of([](const std::string& t, const std::string& n) { return fairer::parse_areas(t, n); }, text, "areas.csv");
}

}  // namespace

TEST_CASE("area: the small hierarchy reads with every field") {
    const fairer::AreaHierarchy h = fairer::read_areas(kAreas);
    REQUIRE(h.size() == 11);
    const auto& ce = h.at("E06000049");
    CHECK(ce.name == "Cheshire East");
    CHECK(ce.type == fairer::AreaType::local_authority);
    CHECK(ce.detail == "unitary authority");
    CHECK(ce.parents == std::vector<std::string>{"SR-CW", "E54000008", "E12000002"});
    CHECK(ce.population == 386667.0);
    CHECK(ce.population_period == "mid-2020");
    CHECK(ce.population_source == "ONS mid-year estimates, 2020");
    CHECK(h.at("E01006512").population == 1500.5);
    CHECK(std::isnan(h.at("E01006513").population));
    CHECK(std::isnan(h.at("E92000001").population));
    CHECK(h.at("E54000008").type == fairer::AreaType::icb);
    CHECK(h.at("SR-CW").type == fairer::AreaType::sub_region);
    CHECK(h.contains("E47000004"));
    CHECK_FALSE(h.contains("E08000011"));
    CHECK(h.find("E08000011") == nullptr);
    CHECK_THROWS_WITH_AS(h.at("E08000011"), "[fairer.area] unknown area code 'E08000011'", fairer::Error);
    CHECK(h.codes().front() == "E92000001");
    CHECK(h.codes().back() == "E06000006");
    std::size_t n = 0;
    for (const auto& a : h) n += a.code.empty() ? 0 : 1;
    CHECK(n == 11);
}

TEST_CASE("area: children, ancestors, descendants, types and places") {
    const fairer::AreaHierarchy h = fairer::read_areas(kAreas);
    CHECK(codes_of(h.places()) == std::vector<std::string>{"E06000049", "E08000012", "E06000006"});
    CHECK(codes_of(h.children("SR-LCR")) == std::vector<std::string>{"E08000012", "E06000006"});
    CHECK(codes_of(h.children("E54000008")) ==
          std::vector<std::string>{"SR-CW", "SR-LCR", "E06000049", "E08000012", "E06000006"});
    CHECK(h.children("E01006512").empty());
    // Breadth-first: direct parents first, then theirs; the region and England once each.
    CHECK(codes_of(h.ancestors("E01006512")) ==
          std::vector<std::string>{"E08000012", "SR-LCR", "E47000004", "E54000008", "E12000002", "E92000001"});
    CHECK(h.ancestors("E92000001").empty());
    CHECK(h.ancestor_of_type("E01006512", fairer::AreaType::sub_region)->code == "SR-LCR");
    CHECK(h.ancestor_of_type("E06000049", fairer::AreaType::icb)->code == "E54000008");
    CHECK(h.ancestor_of_type("E06000049", fairer::AreaType::combined_authority) == nullptr);
    CHECK(codes_of(h.descendants("E47000004")) ==
          std::vector<std::string>{"E08000012", "E06000006", "E01006512", "E01006513"});
    CHECK(h.descendants("E92000001").size() == 10);
    CHECK(codes_of(h.areas_of_type(fairer::AreaType::lsoa)) == std::vector<std::string>{"E01006512", "E01006513"});
    CHECK(h.areas_of_type(fairer::AreaType::combined_authority).size() == 1);
    CHECK_THROWS_AS(h.children("nowhere"), fairer::Error);
}

TEST_CASE("area: write then read gives equal areas") {
    const fairer::AreaHierarchy a = fairer::read_areas(kAreas);
    const std::string text = fairer::write_areas(a);
    const fairer::AreaHierarchy b = fairer::parse_areas(text, "written");
    CHECK(a.areas() == b.areas());
    CHECK(fairer::write_areas(b) == text);
    CHECK(text == fairer::detail::read_text_file(kAreas));
}

TEST_CASE("area: type text forms") {
    for (const auto& item : fairer::detail::area_type_names())
        CHECK(fairer::area_type_from_string(fairer::to_string(item.first)) == item.first);
    CHECK(fairer::to_string(fairer::AreaType::combined_authority) == "combined authority");
    CHECK_THROWS_WITH_AS(fairer::area_type_from_string("Region"),
                         "[fairer.value] unknown area type 'Region'; expected 'England', 'region', 'ICB', "
                         "'sub-region', 'combined authority', 'local authority' or 'LSOA'",
                         fairer::Error);
}

TEST_CASE("area: each malformed file names the row, column and value") {
    const std::string p = "[fairer.data] areas.csv: ";
    CHECK(error_of(edited("population_period,population_source", "period,source")) ==
          p + "row 1: wrong header; expected 'code,name,type,detail,parents,population,population_period,"
              "population_source' (value 'code,name,type,detail,parents,population,period,source')");
    CHECK(error_of(edited("E01006513,Liverpool 001B", "E01006512,Liverpool 001B")) ==
          p + "row 11, column 'code': duplicate area code (value 'E01006512')");
    CHECK(error_of(edited("Liverpool 001A,LSOA", "Liverpool 001A,lsoa")) ==
          p + "row 10, column 'type': unknown area type; expected 'England', 'region', 'ICB', 'sub-region', "
              "'combined authority', 'local authority' or 'LSOA' (value 'lsoa')");
    CHECK(error_of(edited("Liverpool 001A,LSOA,,E08000012", "Liverpool 001A,LSOA,,E08000099")) ==
          p + "row 10, column 'parents': parent is not an area in the file (value 'E08000099')");
    CHECK(error_of(edited("Liverpool 001A,LSOA,,E08000012", "Liverpool 001A,LSOA,,E08000012;E08000012")) ==
          p + "row 10, column 'parents': parent listed twice (value 'E08000012')");
    CHECK(error_of(edited(",1500.5,", ",-3,")) == p + "row 10, column 'population': negative population (value '-3')");
    CHECK(error_of(edited(",1500.5,", ",1 500,")) ==
          p + "row 10, column 'population': population is not a number (value '1 500')");
    CHECK(error_of(edited(",1500.5,", ",n/a,")) ==
          p + "row 10, column 'population': population is not a number (value 'n/a')");
    CHECK(error_of(edited("England,England,,,", "England,England,,E01006512,")) ==
          p + "row 2, column 'parents': cycle in the parent links: E92000001 -> E01006512 -> E08000012 -> SR-LCR -> "
              "E54000008 -> E12000002 -> E92000001 (value 'E01006512')");
    CHECK(error_of(edited("SR-CW,Cheshire and Warrington,sub-region,no combined authority,E54000008",
                          "SR-CW,Cheshire and Warrington,sub-region,no combined authority,SR-CW")) ==
          p + "row 6, column 'parents': cycle in the parent links: SR-CW -> SR-CW (value 'SR-CW')");
    CHECK(error_of(edited(",invented\n", ",invented,extra\n")) == p + "row 10: expected 8 fields, found 9");
    CHECK(error_of(edited("E01006513,Liverpool 001B", ",Liverpool 001B")) ==
          p + "row 11, column 'code': missing area code (value '')");
}

TEST_CASE("area: areas built in code are validated too") {
    fairer::Area top{"A", "Top", fairer::AreaType::england, "", {}, 10.0, "", ""};
    fairer::Area child{"B", "Child", fairer::AreaType::region, "", {"A"}, 4.0, "", ""};
    const fairer::AreaHierarchy h({top, child});
    CHECK(codes_of(h.children("A")) == std::vector<std::string>{"B"});
    child.parents = {"C"};
    CHECK_THROWS_WITH_AS(fairer::AreaHierarchy({top, child}),
                         "[fairer.data] <input>: column 'parents': parent is not an area in the file (value 'C')",
                         fairer::DataError);
    child.parents = {"A"};
    child.population = -1.0;
    CHECK_THROWS_WITH_AS(fairer::AreaHierarchy({top, child}),
                         "[fairer.data] <input>: column 'population': negative population (value '-1')",
                         fairer::DataError);
}

#ifndef FAIRER_DEFAULT_DATA_DIR
#error "FAIRER_DEFAULT_DATA_DIR must point at python/fairer/data"
#endif
#ifndef FAIRER_SHARED_DIR
#error "FAIRER_SHARED_DIR must point at the shared reference folder"
#endif

// The nine places, their names, groupings and mid-2023 populations, checked against the
// independently built shared/data/places_cheshire_merseyside.csv (ONS lookups and estimates).
TEST_CASE("area: the embedded areas match the ONS lookups of the nine places") {
    const fairer::AreaHierarchy h = fairer::read_areas(std::string(FAIRER_DEFAULT_DATA_DIR) + "/areas.csv");
    auto reader = fairer::detail::CsvReader::from_file(std::string(FAIRER_SHARED_DIR) +
                                                       "/data/places_cheshire_merseyside.csv");
    std::vector<std::string_view> f;
    REQUIRE(reader.next(f));
    const std::vector<std::string> header(f.begin(), f.end());
    auto col = [&](const char* name) {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i] == name) return i;
        FAIL("no column " << name);
        return std::size_t{0};
    };
    const std::size_t code = col("lad_code"), name = col("lad_name"), sub = col("sub_region"),
                      ca = col("cauth23_code"), icb = col("icb24_code"), region = col("region_code"),
                      pop = col("pop_mid2023_ons_via_fingertips92708");
    std::size_t n = 0;
    double icb_population = 0.0;
    while (reader.next(f)) {
        ++n;
        const std::string c(f[code]);
        CAPTURE(c);
        REQUIRE(h.contains(c));
        const auto& a = h.at(c);
        CHECK(a.type == fairer::AreaType::local_authority);
        CHECK(a.name == f[name]);
        CHECK(a.population == std::stod(std::string(f[pop])));
        icb_population += a.population;
        std::vector<std::string> ancestors;
        for (const auto* p : h.ancestors(c)) ancestors.push_back(p->code);
        auto has = [&](std::string_view x) {
            for (const auto& s : ancestors)
                if (s == x) return true;
            return false;
        };
        CHECK(has(f[icb]));
        CHECK(has(f[region]));
        CHECK(has("E92000001"));
        CHECK(has(f[sub] == "Liverpool City Region" ? "SR-LCR" : "SR-CW"));
        CHECK(has("E47000004") == !f[ca].empty());
    }
    CHECK(n == 9);
    CHECK(h.places().size() == 9);
    CHECK(h.children("E47000004").size() == 6);
    CHECK(h.children("SR-CW").size() == 3);
    CHECK(h.at("E54000008").type == fairer::AreaType::icb);
    CHECK(h.at("E12000002").type == fairer::AreaType::region);
    CHECK(h.at("E92000001").type == fairer::AreaType::england);
    // shared/data/README.md: Cheshire and Merseyside mid-2023 population 2,576,057.
    CHECK(icb_population == 2576057.0);
    CHECK(h.at("E54000008").population == 2576057.0);
    CHECK(fairer::parse_areas(fairer::write_areas(h), "written").areas() == h.areas());
}
