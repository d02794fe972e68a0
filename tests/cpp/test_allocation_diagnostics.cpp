// Equity diagnostics against independent figures: the worked examples of specs/allocation.md §14
// (Examples 1 and 2), the concentration index of WHO's healthequal (RCI), PySAL's Gini and Lorenz
// points, and PHEindicatormethods' SII test workbook (reference/inequality).
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "fairer/allocation_diagnostics.hpp"
#include "fairer/detail/csv.hpp"

namespace {

using Vec = std::vector<double>;

// Rows of a reference CSV as name -> text maps.
std::vector<std::map<std::string, std::string>> read_reference(const std::string& file) {
    const std::string path = std::string(FAIRER_SHARED_DIR) + "/reference/inequality/" + file;
    fairer::detail::CsvReader reader(fairer::detail::read_text_file(path), path);
    std::vector<std::string_view> fields;
    REQUIRE(reader.next(fields));
    std::vector<std::string> header(fields.begin(), fields.end());
    std::vector<std::map<std::string, std::string>> rows;
    while (reader.next(fields)) {
        std::map<std::string, std::string> row;
        for (std::size_t k = 0; k < header.size() && k < fields.size(); ++k) row[header[k]] = std::string(fields[k]);
        rows.push_back(row);
    }
    return rows;
}

double number(const std::string& text) { return std::stod(text); }

// Example 1 of the spec: P, N and per head of the α = 0.5 blend.
const Vec ex1_population{10000, 20000, 30000, 40000};
const Vec ex1_need{2.0, 1.5, 1.0, 0.5};
const Vec ex1_allocation{150000, 250000, 300000, 300000};

// Example 2: decile populations, linear weights 2 .. 1, rounded allocation in pounds.
const Vec ex2_population{3000, 2500, 2200, 2000, 1800, 1700, 1600, 1500, 1400, 1300};
const Vec ex2_allocation{199704, 157175, 130177, 110947, 93195, 81731, 71006, 61021, 51775, 43269};

Vec ex2_deprivation() {
    Vec d;
    for (int decile = 1; decile <= 10; ++decile) d.push_back(11.0 - decile);
    return d;
}

}  // namespace

TEST_CASE("Example 1: concentration of spend and need, horizontal inequity (spec §14)") {
    const Vec y = fairer::per_head(ex1_allocation, ex1_population);
    CHECK(y[0] == doctest::Approx(15.0));
    CHECK(fairer::concentration_index(y, ex1_population, ex1_need) == doctest::Approx(-0.135).epsilon(1e-12));
    CHECK(fairer::concentration_index(ex1_need, ex1_population, ex1_need) == doctest::Approx(-0.270).epsilon(1e-12));
    CHECK(fairer::horizontal_inequity(y, ex1_need, ex1_population, ex1_need) == doctest::Approx(0.135).epsilon(1e-12));

    const fairer::EquityDiagnostics d = fairer::equity_diagnostics({ex1_population, ex1_allocation, ex1_need, {}, 1.0});
    CHECK(d.horizontal_inequity == doctest::Approx(0.135).epsilon(1e-12));
    CHECK_FALSE(d.inverse_care);
    // need and spend per head are exactly linear in each other (y = 5 + 5N): correlation 1
    CHECK(d.need_correlation == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(d.max_min_per_head_ratio == doctest::Approx(2.0));
    CHECK(d.monotonicity_violations.empty());
}

TEST_CASE("Example 2: decile gradient CI and Gini, and the curve form of the CI (spec §14)") {
    const Vec dep = ex2_deprivation();
    const Vec y = fairer::per_head(ex2_allocation, ex2_population);
    const double ci = fairer::concentration_index(y, ex2_population, dep);
    CHECK(ci == doctest::Approx(-0.115124).epsilon(1e-6 / 0.115124));
    CHECK(fairer::gini(y, ex2_population) == doctest::Approx(0.115124).epsilon(1e-6 / 0.115124));

    // second method: 1 − Σ w_i (L_{i−1} + L_i) on the concentration curve (units already in
    // deprivation order, no ties)
    double total_p = 0, total_py = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        total_p += ex2_population[i];
        total_py += ex2_allocation[i];
    }
    double l_prev = 0, curve = 1;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double l = l_prev + ex2_allocation[i] / total_py;
        curve -= ex2_population[i] / total_p * (l_prev + l);
        l_prev = l;
    }
    CHECK(ci == doctest::Approx(curve).epsilon(1e-12));
}

TEST_CASE("Tied deprivation shares one rank, so row order cannot matter") {
    const Vec p{100, 300, 200, 400};
    const Vec dep{2, 1, 2, 1};  // two tie blocks
    const Vec y{5, 3, 7, 1};
    const Vec rank = fairer::fractional_rank(p, dep);
    CHECK(rank[0] == doctest::Approx(0.15));  // block {0, 2}: 300 of 1000, mid-point 0.15
    CHECK(rank[2] == doctest::Approx(0.15));
    CHECK(rank[1] == doctest::Approx(0.65));
    const double ci = fairer::concentration_index(y, p, dep);
    // the same data with rows reversed
    const Vec p2{400, 200, 300, 100}, dep2{1, 2, 1, 2}, y2{1, 7, 3, 5};
    CHECK(fairer::concentration_index(y2, p2, dep2) == doctest::Approx(ci).epsilon(1e-15));
    // merging each tie block into one unit (its population-weighted mean) gives the same CI
    const Vec pm{300, 700}, depm{2, 1}, ym{(100 * 5 + 200 * 7) / 300.0, (300 * 3 + 400 * 1) / 700.0};
    CHECK(fairer::concentration_index(ym, pm, depm) == doctest::Approx(ci).epsilon(1e-12));
}

TEST_CASE("Concentration index reproduces healthequal's relative concentration index (RCI)") {
    const auto inputs = read_reference("hq_samples_input.csv");
    const auto tests = read_reference("hq_tests_input.csv");
    const auto expected = read_reference("generated_engines_expected.csv");
    for (const std::string case_id : {"hq_test_ordered5", "hq_sample_ordered_sba", "hq_sample_ordered_u5mr"}) {
        CAPTURE(case_id);
        Vec p, y, dep;
        for (const auto* table : {&inputs, &tests}) {
            for (const auto& r : *table) {
                if (r.at("case_id") != case_id) continue;
                p.push_back(number(r.at("population")));
                y.push_back(number(r.at("estimate")));
                dep.push_back(-number(r.at("subgroup_order")));  // order 1 = most disadvantaged
            }
        }
        REQUIRE(p.size() == 5);
        double want = std::nan("");
        for (const auto& r : expected) {
            if (r.at("case_id") == case_id && r.at("engine") == "healthequal-1.0.1" && r.at("measure") == "RCI" &&
                r.at("options").empty()) {
                want = number(r.at("estimate"));
            }
        }
        REQUIRE(std::isfinite(want));
        CHECK(fairer::concentration_index(y, p, dep) == doctest::Approx(want).epsilon(1e-9));
    }
}

TEST_CASE("Gini and Lorenz points reproduce PySAL") {
    const auto expected = read_reference("pysal_expected.csv");
    const auto mexico = read_reference("pysal_mexico_input.csv");
    Vec y, ones;
    for (const auto& r : mexico) {
        y.push_back(number(r.at("pcgdp1940")));
        ones.push_back(1.0);
    }
    REQUIRE(y.size() == 32);
    for (const auto& r : expected) {
        if (r.at("measure") == "Gini" && r.at("variable") == "pcgdp1940") {
            CHECK(std::fabs(fairer::gini(y, ones) - number(r.at("estimate"))) <= number(r.at("abs_tolerance")));
        }
    }
    const Vec small{1, 2, 3, 4, 5}, w{1, 1, 1, 1, 1};
    const auto points = fairer::lorenz_curve(small, w);
    REQUIRE(points.size() == 6);
    int checked = 0;
    for (const auto& r : expected) {
        if (r.at("measure") != "Lorenz_cum_share") continue;
        const std::size_t k = static_cast<std::size_t>(std::stoi(r.at("param").substr(6)));
        CHECK(std::fabs(points[k].outcome_share - number(r.at("estimate"))) <= number(r.at("abs_tolerance")));
        CHECK(points[k].population_share == doctest::Approx(static_cast<double>(k) / 5.0));
        ++checked;
    }
    CHECK(checked == 6);
}

TEST_CASE("Slope index is minus PHEindicatormethods' SII (axis reversed)") {
    const auto rows = read_reference("phe_sii_testdata.csv");
    Vec p, y, dep;
    double want = std::nan("");
    for (std::size_t k = 0; k < 10; ++k) {
        const auto& r = rows[k];
        REQUIRE(r.at("Area") == "area1");
        p.push_back(number(r.at("Population")));
        y.push_back(number(r.at("Value")));
        dep.push_back(-number(r.at("Quantile")));  // quantile 1 = most deprived
        if (k == 0) want = number(r.at("sii"));
    }
    CHECK(fairer::slope_index(y, p, dep) == doctest::Approx(-want).epsilon(1e-9));
}

TEST_CASE("Weighted correlation equals the weighted covariance over the standard deviations (second method)") {
    const Vec x{1, 4, 2, 8}, y{3, 1, 4, 1}, p{1, 2, 3, 4};
    // duplicating rows by their integer weights gives the unweighted Pearson correlation
    Vec xs, ys;
    for (std::size_t i = 0; i < 4; ++i) {
        for (int k = 0; k < static_cast<int>(p[i]); ++k) {
            xs.push_back(x[i]);
            ys.push_back(y[i]);
        }
    }
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        mx += xs[i] / 10.0;
        my += ys[i] / 10.0;
    }
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        sxy += (xs[i] - mx) * (ys[i] - my);
        sxx += (xs[i] - mx) * (xs[i] - mx);
        syy += (ys[i] - my) * (ys[i] - my);
    }
    CHECK(fairer::weighted_correlation(x, y, p) == doctest::Approx(sxy / std::sqrt(sxx * syy)).epsilon(1e-12));
}

TEST_CASE("Monotonicity violations: adjacent pairs in need order beyond the rounding tolerance") {
    const Vec need{3, 2, 1, 0.5};
    const Vec p{100, 100, 100, 0};
    // unit 1 gets 0.5 per head more than unit 0 (higher need): beyond 1/100; unit 2 vs 1 within
    const Vec y{10.0, 10.5, 10.495, std::nan("")};
    const auto v = fairer::monotonicity_violations(need, y, p, 1.0);
    REQUIRE(v.size() == 1);
    CHECK(v[0].higher_need == 0);
    CHECK(v[0].lower_need == 1);
    CHECK(v[0].per_head_shortfall == doctest::Approx(0.5));
    CHECK(fairer::monotonicity_violations(need, y, p, 60.0).empty());  // 0.6 per head tolerance
}

TEST_CASE("Zero-population units carry no weight; missing values stay missing") {
    const Vec p{10000, 20000, 0, 30000, 40000};
    const Vec need{2.0, 1.5, 7.0, 1.0, 0.5};
    const Vec y{15.0, 12.5, std::nan(""), 10.0, 7.5};
    CHECK(fairer::concentration_index(y, p, need) == doctest::Approx(-0.135).epsilon(1e-12));
    const Vec y_missing{15.0, std::nan(""), 0.0, 10.0, 7.5};
    CHECK(std::isnan(fairer::concentration_index(y_missing, p, need)));
    CHECK(std::isnan(fairer::concentration_index(Vec{0, 0, 0, 0, 0}, p, need)));  // μ = 0
    CHECK(std::isnan(fairer::slope_index(y, p, Vec{1, 1, 1, 1, 1})));  // no spread in rank
}

TEST_CASE("Bad input raises typed allocation errors naming the rows") {
    const Vec p{1, 2, 3};
    try {
        fairer::concentration_index(Vec{1, 2}, p, p);
        FAIL("no error");
    } catch (const fairer::AllocationError& e) {
        CHECK(e.code() == "E1");
    }
    try {
        fairer::gini(Vec{1, 2, 3}, Vec{1, -2, 3});
        FAIL("no error");
    } catch (const fairer::AllocationError& e) {
        CHECK(e.code() == "E3");
        CHECK(e.units() == std::vector<std::string>{"row 1"});
    }
    try {
        fairer::concentration_index(Vec{1, 2, 3}, p, Vec{1, std::nan(""), 3});
        FAIL("no error");
    } catch (const fairer::AllocationError& e) {
        CHECK(e.code() == "E4");
        CHECK(std::string(e.what()).find("row 1") != std::string::npos);
    }
    CHECK_THROWS_AS(fairer::gini(Vec{1, 2, 3}, Vec{0, 0, 0}), fairer::AllocationError);
    CHECK_THROWS_AS(fairer::gini(Vec{1, -2, 3}, p), fairer::AllocationError);
}
