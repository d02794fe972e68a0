#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "fairer/subgroup_table.hpp"
#include "subgroup_reference.hpp"

using fairer::InequalityError;
using fairer::SubgroupTable;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

SubgroupTable quintiles() {
    SubgroupTable t;
    t.name = "B03 / Liverpool / 2022";
    t.subgroup = {"Q1", "Q2", "Q3", "Q4", "Q5"};
    t.order = {1, 2, 3, 4, 5};
    t.population = {100, 100, 200, 50, 50};
    t.estimate = {20, 30, 40, 50, 60};
    t.se = {1, 1, 1, 1, 1};
    t.ordered = true;
    t.scale = 100;
    return t;
}

std::string error_of(const SubgroupTable& t) {
    try {
        t.validate();
    } catch (const InequalityError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("validate names the table and subgroup of bad input") {
    CHECK(error_of(quintiles()).empty());

    auto t = quintiles();
    t.order[2] = kNaN;
    CHECK(error_of(t) == "[fairer.inequality] table 'B03 / Liverpool / 2022', subgroup 'Q3': an ordered table needs an "
                         "order for every subgroup (value missing)");

    t = quintiles();
    t.population[1] = -5;
    CHECK(error_of(t).find("subgroup 'Q2': population must be non-negative and finite (value -5)") != std::string::npos);

    t = quintiles();
    t.estimate[4] = 100.5;
    CHECK(error_of(t).find("subgroup 'Q5': estimate is above 100 on the percent scale (value 100.5)") != std::string::npos);

    t = quintiles();
    t.estimate[0] = -1;
    CHECK(error_of(t).find("subgroup 'Q1': estimate must be non-negative") != std::string::npos);

    t = quintiles();
    t.se[3] = -0.1;
    CHECK(error_of(t).find("subgroup 'Q4': standard error must be non-negative") != std::string::npos);

    t = quintiles();
    t.reference = {1, 0, 0, 1, 0};
    CHECK(error_of(t).find("subgroup 'Q4': more than one reference subgroup") != std::string::npos);

    t = quintiles();
    t.scale = 0;
    CHECK(error_of(t).find("table 'B03 / Liverpool / 2022': indicator scale must be a positive number") != std::string::npos);

    t = quintiles();
    t.population.pop_back();
    CHECK(error_of(t).find("population has 4 entries but estimate has 5") != std::string::npos);

    t = quintiles();
    t.subgroup.clear();
    t.population[2] = std::numeric_limits<double>::infinity();
    CHECK(error_of(t).find("subgroup #3") != std::string::npos);
}

TEST_CASE("validate accepts missing values and non-ordered tables without orders") {
    auto t = quintiles();
    t.estimate[1] = kNaN;
    t.population[2] = kNaN;
    t.se[0] = kNaN;
    CHECK(error_of(t).empty());

    SubgroupTable u;
    u.name = "regions";
    u.population = {1, 2, 3};
    u.estimate = {1, 2, 3};
    CHECK(error_of(u).empty());
    u.ordered = true;
    CHECK(error_of(u).find("order has 0 entries") != std::string::npos);
}

TEST_CASE("applicability follows HEAT 6.0's table (spec §1)") {
    using V = std::vector<std::string>;
    CHECK(fairer::applicable_measures(1, false).empty());
    CHECK(fairer::applicable_measures(2, true) == V{"D", "R", "PAF", "PAR"});
    CHECK(fairer::applicable_measures(2, false) == V{"D", "R", "PAF", "PAR"});
    CHECK(fairer::applicable_measures(5, true) == V{"D", "R", "ACI", "RCI", "SII", "RII", "PAF", "PAR"});
    const auto non = fairer::applicable_measures(3, false);
    CHECK(non.size() == 17);
    CHECK(std::find(non.begin(), non.end(), "ACI") == non.end());
    CHECK(std::find(non.begin(), non.end(), "MDRW") != non.end());
    CHECK(fairer::heat_measure_names().size() == 21);
    CHECK(fairer::applicability_reason("SII", 5, false) == "SII needs an ordered dimension");
    CHECK(fairer::applicability_reason("BGV", 5, true) == "BGV applies to non-ordered dimensions only");
    CHECK(fairer::applicability_reason("ACI", 2, true) == "ACI needs more than 2 subgroups");
    CHECK(fairer::applicability_reason("D", 2, true).empty());
}

TEST_CASE("85% completeness rule") {
    CHECK(fairer::complete_enough(17, 20));   // exactly 85%
    CHECK_FALSE(fairer::complete_enough(16, 20));
    CHECK(fairer::complete_enough(6, 7));     // 85.7%
    CHECK_FALSE(fairer::complete_enough(5, 7));
    CHECK_FALSE(fairer::complete_enough(0, 0));
}

TEST_CASE("prepare_table drops missing estimates, re-normalises shares and ranks by midpoints") {
    auto t = quintiles();
    t.estimate[1] = kNaN;  // Q2 dropped: populations 100, 200, 50, 50 of 400
    const auto p = fairer::prepare_table(t);
    CHECK(p.total == 5);
    CHECK(p.size() == 4);
    CHECK_FALSE(p.complete());
    CHECK(p.row == std::vector<std::size_t>{0, 2, 3, 4});
    CHECK(p.share == std::vector<double>{0.25, 0.5, 0.125, 0.125});
    // X = cumulative share before + half own share
    CHECK(p.rank == std::vector<double>{0.125, 0.5, 0.8125, 0.9375});
    CHECK(p.mean == doctest::Approx(0.25 * 20 + 0.5 * 40 + 0.125 * 50 + 0.125 * 60).epsilon(1e-15));
}

TEST_CASE("prepare_table sorts by order and gives tied orders one midpoint rank") {
    SubgroupTable t;
    t.name = "ties";
    t.order = {3, 2, 1, 2};
    t.population = {1, 1, 1, 1};
    t.estimate = {4, 2, 1, 3};
    t.ordered = true;
    const auto p = fairer::prepare_table(t);
    CHECK(p.row == std::vector<std::size_t>{2, 1, 3, 0});  // stable: tied rows keep input order
    CHECK(p.rank == std::vector<double>{0.125, 0.5, 0.5, 0.875});
}

TEST_CASE("mean falls back on the setting average when a population is missing") {
    auto t = quintiles();
    t.population[0] = kNaN;
    CHECK(std::isnan(fairer::prepare_table(t).mean));
    t.setting_average = 37.5;
    const auto p = fairer::prepare_table(t);
    CHECK(p.mean == 37.5);
    CHECK_FALSE(p.all_population);
    CHECK(std::isnan(p.share[0]));
}

TEST_CASE("reference flags survive preparation") {
    auto t = quintiles();
    t.ordered = false;
    t.reference = {0, 0, 1, 0, 0};
    t.estimate[0] = kNaN;
    auto p = fairer::prepare_table(t);
    CHECK(p.reference == 1);  // Q3 is the second kept row
    t.estimate[2] = kNaN;
    p = fairer::prepare_table(t);
    CHECK(p.reference == -1);
    CHECK(p.reference_missing);
}

TEST_CASE("HEAT outlier post-processing") {
    fairer::MeasureResult r{"RII", 750, 0.1, 700, 800, ""};
    fairer::heat_outlier_to_na(r);
    CHECK(std::isnan(r.estimate));
    CHECK(std::isnan(r.upper));
    CHECK(r.reason.find("outside HEAT's plausible range [0, 700]") != std::string::npos);
    fairer::MeasureResult d{"D", -99998, 1, -99999, -99997, ""};
    fairer::heat_outlier_to_na(d);
    CHECK(d.estimate == -99998);
    fairer::MeasureResult inf{"R", std::numeric_limits<double>::infinity(), kNaN, kNaN, kNaN, ""};
    fairer::heat_outlier_to_na(inf);
    CHECK(std::isnan(inf.estimate));
}

TEST_CASE("modes parse and print") {
    CHECK(fairer::parse_heat_mode("heat6") == fairer::HeatMode::heat6);
    CHECK(std::string(fairer::to_string(fairer::HeatMode::healthequal)) == "healthequal");
    CHECK_THROWS_AS(fairer::parse_heat_mode("heat5"), InequalityError);
}

TEST_CASE("every reference input table validates") {
    for (const char* f : {"hq_tests_input.csv", "hq_samples_input.csv"}) {
        for (const auto& kv : fairer_test::read_subgroup_tables(f)) {
            CAPTURE(kv.first);
            CHECK(error_of(kv.second).empty());
        }
    }
}
