// Need indices (allocation.md §4) against the worked examples of §14, whose figures were
// computed by an independent implementation, and against closed forms.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
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

TEST_CASE("Composite score on large tables: the indicators share passes, with the same bits as one at a time") {
    // A composite built indicator by indicator from the same definitions (order-independent sums
    // one per pass, the score accumulated in indicator order) must match to the bit.
    std::mt19937_64 rng(42);
    std::normal_distribution<double> z(0.0, 1.0);
    for (std::size_t n : {300U, 5000U, 40000U}) {
        for (std::size_t K : {1U, 3U, 9U}) {  // 9: more indicators than one shared pass takes
            std::vector<double> pop(n);
            for (auto& p : pop) p = std::exp(7.4 + 0.3 * z(rng));
            std::vector<std::vector<double>> cols(K, std::vector<double>(n));
            for (auto& c : cols)
                for (auto& v : c) v = z(rng);
            std::vector<ConstSpan> spans(cols.begin(), cols.end());
            std::vector<int> dirs(K, 1);
            dirs[0] = -1;
            std::vector<double> w(K, 1.0 / static_cast<double>(K));
            std::vector<double> got;
            {
                const fairer::detail::ParallelScope two(2, n);
                got = fairer::composite_score(pop, spans, dirs, w, true);
            }
            fairer::detail::ExactSum exact_wt;
            for (double v : w) exact_wt.add(v);
            const double wtotal = exact_wt.value();
            const double ptotal = fairer::detail::sum_of(ConstSpan(pop));
            std::vector<double> expected(n, 0.0);
            for (std::size_t k = 0; k < K; ++k) {
                const auto& x = cols[k];
                const double mean = fairer::detail::sum_of(n, [&](std::size_t i) { return pop[i] * x[i]; }) / ptotal;
                const double sd = std::sqrt(
                    fairer::detail::sum_of(n, [&](std::size_t i) { return pop[i] * (x[i] - mean) * (x[i] - mean); }) / ptotal);
                const double f = dirs[k] * (w[k] / wtotal) / sd;
                for (std::size_t i = 0; i < n; ++i)
                    expected[i] = k == 0 ? f * (x[i] - mean) + 0.0 : expected[i] + f * (x[i] - mean);
            }
            REQUIRE(got.size() == n);
            bool same = true;
            for (std::size_t i = 0; i < n; ++i) same = same && std::memcmp(&got[i], &expected[i], sizeof(double)) == 0;
            CHECK(same);
        }
    }
}

TEST_CASE("Composite errors keep the order of a loop over the indicators") {
    const std::size_t n = 10000;
    std::vector<double> pop(n, 1000.0);
    std::vector<double> good(n), flat(n, 2.0), odd(n), short_col(n - 1, 1.0);
    for (std::size_t i = 0; i < n; ++i) good[i] = odd[i] = static_cast<double>(i % 97);
    odd[1234] = std::nan("");
    const std::vector<int> dirs{1, 1};
    const std::vector<double> w{0.5, 0.5};
    auto code = [&](ConstSpan a, ConstSpan b) {
        return error_code([&] {
            const fairer::detail::ParallelScope two(2, n);
            fairer::composite_score(pop, {a, b}, dirs, w);
        });
    };
    CHECK(code(flat, odd) == "E9");       // the first indicator's zero variance comes first
    CHECK(code(odd, flat) == "E4");       // the first indicator's missing value comes first
    CHECK(code(good, odd) == "E4");
    CHECK(code(flat, short_col) == "E9");
    CHECK(code(good, short_col) == "E1");
    CHECK(code(short_col, odd) == "E1");
    try {
        const fairer::detail::ParallelScope two(2, n);
        fairer::composite_score(pop, {ConstSpan(good), ConstSpan(odd)}, dirs, w);
    } catch (const fairer::AllocationError& e) {
        CHECK(std::string(e.what()).find("row 1234") != std::string::npos);
    }
}

TEST_CASE("Several order-independent sums at once equal the sums one at a time, bit for bit") {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> z(0.0, 1.0);
    for (std::size_t n : {10U, 255U, 256U, 4097U, 33755U}) {
        std::vector<std::vector<double>> cols(6, std::vector<double>(n));
        for (std::size_t k = 0; k < cols.size(); ++k)
            for (auto& v : cols[k]) v = std::ldexp(z(rng), static_cast<int>(k) * 7 - 20);
        for (auto& v : cols[3]) v = 0.0;                         // all zero
        cols[4][n / 2] = std::numeric_limits<double>::infinity();  // not finite: the exact path
        cols[5][0] = 1e300;                                     // extreme: the exact path
        for (unsigned threads : {1U, 2U}) {
            const fairer::detail::ParallelScope scope(threads, n);
            double together[6];
            fairer::detail::reproducible_sums(n, cols.size(), [&](std::size_t k, std::size_t i) { return cols[k][i]; },
                                              together);
            for (std::size_t k = 0; k < cols.size(); ++k) {
                const double alone = fairer::detail::reproducible_sum(cols[k].data(), n);
                CHECK(std::memcmp(&together[k], &alone, sizeof(double)) == 0);
            }
        }
    }
}
