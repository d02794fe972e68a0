// Need indices (allocation.md §4) against the worked examples of §14, whose figures were
// computed by an independent implementation, and against closed forms.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fairer/need_index.hpp"

#include "allocation_support.hpp"

using fairer::ConstSpan;
using allocation_support::error_code;

TEST_CASE("IMD exponential transform reproduces Example 8") {
    CHECK(fairer::imd_exponential_transform(1.0) == doctest::Approx(100.0).epsilon(1e-12));
    CHECK(fairer::imd_exponential_transform(0.0) == 0.0);
    CHECK(fairer::imd_exponential_transform(0.9) == doctest::Approx(50.426654).epsilon(1e-8));
    CHECK(fairer::imd_exponential_transform(0.5) == doctest::Approx(15.646790).epsilon(1e-8));
    CHECK(fairer::imd_exponential_transform(0.99) == doctest::Approx(86.957279).epsilon(1e-8));
    CHECK(fairer::imd_rank_transform(3285, 32844) == doctest::Approx(50.429131).epsilon(1e-8));
    CHECK(fairer::imd_rank_transform(32844, 32844) == doctest::Approx(0.000691).epsilon(1e-3));
    CHECK(error_code([] { fairer::imd_exponential_transform(1.5); }) == "E6");
    CHECK(error_code([] { fairer::imd_rank_transform(0, 10); }) == "E6");
}

TEST_CASE("IMD-style domain combination reproduces Example 8's toy LSOA") {
    const std::vector<double> ranks{100, 250, 5000, 900, 12000, 30000, 20000};
    std::vector<std::vector<double>> cols;
    for (double r : ranks) cols.push_back({r});
    const std::vector<ConstSpan> spans(cols.begin(), cols.end());
    CHECK(fairer::imd_combine(spans, 32844)[0] == doctest::Approx(60.534732).epsilon(1e-8));
    const std::vector<double> w(fairer::iod_domain_weights.begin(), fairer::iod_domain_weights.end());
    CHECK(fairer::imd_combine(spans, 32844, w, true)[0] == doctest::Approx(60.595328).epsilon(1e-8));
    CHECK(error_code([&] { fairer::imd_combine(spans, 32844, std::vector<double>{1.0}); }) == "E5");
    cols[0][0] = 40000;
    const std::vector<ConstSpan> bad(cols.begin(), cols.end());
    CHECK(error_code([&] { fairer::imd_combine(bad, 32844); }) == "E4");
}

TEST_CASE("Average ranks put the largest value first and share ties") {
    const std::vector<double> x{3.0, 7.0, 3.0, 1.0};
    const auto r = fairer::average_ranks(x);
    CHECK(r == std::vector<double>{2.5, 1.0, 2.5, 4.0});
}

TEST_CASE("Group gradients reproduce Examples 2 and 10") {
    const auto lin = fairer::gradient_weights(10, 1.0, 2.0);
    for (int g = 1; g <= 10; ++g) CHECK(lin[static_cast<std::size_t>(g - 1)] == doctest::Approx(1.0 + (10.0 - g) / 9.0));
    const auto geo = fairer::gradient_weights(10, 1.0, 2.0, fairer::GradientShape::geometric);
    const std::vector<double> published{2, 1.851749, 1.714488, 1.587401, 1.469734, 1.360790, 1.259921, 1.166529, 1.080060, 1};
    for (std::size_t g = 0; g < 10; ++g) CHECK(geo[g] == doctest::Approx(published[g]).epsilon(1e-6));
    const auto lin5 = fairer::gradient_weights(5, 1.0, 3.0);
    CHECK(lin5 == std::vector<double>{3.0, 2.5, 2.0, 1.5, 1.0});
    const auto geo5 = fairer::gradient_weights(5, 1.0, 3.0, fairer::GradientShape::geometric);
    const std::vector<double> published5{3, 2.279507, 1.732051, 1.316074, 1};
    for (std::size_t g = 0; g < 5; ++g) CHECK(geo5[g] == doctest::Approx(published5[g]).epsilon(1e-6));
    CHECK(error_code([] { fairer::gradient_weights(1, 1.0, 2.0); }) == "E6");
}

TEST_CASE("Composite z-score and exponential index reproduce Example 9") {
    const std::vector<double> pop{1000, 2000, 1500, 500};
    const std::vector<double> income{30, 20, 12, 8}, smr{380, 300, 250, 200}, uptake{55, 65, 72, 80};
    const std::vector<ConstSpan> x{income, smr, uptake};
    const auto s = fairer::composite_score(pop, x, {1, 1, -1}, std::vector<double>{0.5, 0.3, 0.2});
    const std::vector<double> published_s{1.617372, 0.204989, -0.820520, -1.593139};
    for (std::size_t i = 0; i < 4; ++i) CHECK(s[i] == doctest::Approx(published_s[i]).epsilon(1e-6));
    const double beta = fairer::calibrate_exponent(s, 2.0);
    CHECK(beta == doctest::Approx(0.215899).epsilon(1e-6));
    const auto n = fairer::exp_need_index(s, pop, beta);
    const std::vector<double> published_n{1.384853, 1.020876, 0.818121, 0.692426};
    for (std::size_t i = 0; i < 4; ++i) CHECK(n[i] == doctest::Approx(published_n[i]).epsilon(1e-6));
    CHECK(n[0] / n[3] == doctest::Approx(2.0).epsilon(1e-12));
    double mean = 0;
    for (std::size_t i = 0; i < 4; ++i) mean += pop[i] * n[i] / 5000.0;
    CHECK(mean == doctest::Approx(1.0).epsilon(1e-12));
}

TEST_CASE("Composite errors: weights (E5), zero variance (E9), flat score calibration (E10)") {
    const std::vector<double> pop{1, 2, 3};
    const std::vector<double> a{1, 2, 3}, flat{5, 5, 5};
    CHECK(error_code([&] { fairer::composite_score(pop, {a}, {1}, std::vector<double>{0.9}); }) == "E5");
    CHECK(error_code([&] { fairer::composite_score(pop, {a}, {1}, std::vector<double>{-1.0}); }) == "E5");
    CHECK(fairer::composite_score(pop, {a}, {1}, std::vector<double>{0.9}, true).size() == 3);
    CHECK(error_code([&] { fairer::composite_score(pop, {flat}, {1}, std::vector<double>{1.0}); }) == "E9");
    CHECK(error_code([&] { fairer::calibrate_exponent(std::vector<double>{0.0, 0.0}, 2.0); }) == "E10");
    // a missing score is reported with its row, not taken for a flat score (and the extremes
    // are found in every lane of the vectorised scan: the maximum sits in the tail here)
    CHECK(error_code([&] { fairer::calibrate_exponent(std::vector<double>{std::nan(""), 1.0, 2.0}, 2.0); }) == "E4");
    CHECK(fairer::calibrate_exponent(std::vector<double>{0.5, -1.0, 0.25, 0.0, 0.1, 3.0}, 2.0) ==
          doctest::Approx(std::log(2.0) / 4.0).epsilon(1e-15));
}

TEST_CASE("Linear, rank and power indices") {
    const std::vector<double> s{1.0, 0.0, -1.0};
    CHECK(fairer::linear_need_index(s, 0.5) == std::vector<double>{1.5, 1.0, 0.5});
    std::vector<std::string> ids{"a", "b", "c"};
    try {
        fairer::linear_need_index(s, 1.0, &ids);
        FAIL("expected E4");
    } catch (const fairer::AllocationError& e) {
        CHECK(e.code() == "E4");
        CHECK(e.units() == std::vector<std::string>{"c"});
    }
    const auto r = fairer::rank_exp_need_index(s);
    CHECK(r[0] == doctest::Approx(100.0));
    CHECK(r[1] == doctest::Approx(fairer::imd_exponential_transform(2.0 / 3.0)));
    const auto p = fairer::power_need_index(std::vector<double>{4.0, 9.0}, 0.5);
    CHECK(p == std::vector<double>{2.0, 3.0});
    CHECK(error_code([] { fairer::power_need_index(std::vector<double>{0.0}, 1.0); }) == "E4");
}
