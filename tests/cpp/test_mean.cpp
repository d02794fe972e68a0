// phe_mean's own expected values (upstream/sysdata/test_Mean_results.csv, from an Excel tool).
#include <doctest/doctest.h>

#include <cstdint>

#include "basic_reference.hpp"
#include "fairer/mean.hpp"

using basic_reference::same;

namespace {
Eigen::Map<const Eigen::ArrayXd> column(const std::vector<double>& v) {
    return Eigen::Map<const Eigen::ArrayXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}
}  // namespace

TEST_CASE("mean with Student's t limits, grouped and ungrouped") {
    const auto in = basic_reference::read_sysdata("test_Mean");
    const auto ex = basic_reference::read_sysdata("test_Mean_results");
    const auto values = in.numbers("values");
    const auto areas = in.text("area");
    fairer::RowGroups g;
    g.names = {"Area1", "Area2"};
    for (const auto& a : areas) g.codes.push_back(a == "Area1" ? 0u : 1u);
    const auto grouped = fairer::mean(column(values), {0.95, 0.998}, &g);
    const auto all = fairer::mean(column(values), {0.95, 0.998});
    const auto sum = ex.numbers("value_sum"), count = ex.numbers("value_count"), sd = ex.numbers("stdev"),
               value = ex.numbers("value"), l95 = ex.numbers("lower95_0cl"), u95 = ex.numbers("upper95_0cl"),
               l998 = ex.numbers("lower99_8cl"), u998 = ex.numbers("upper99_8cl");
    for (std::size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        const auto& r = i < 2 ? grouped : all;
        const std::size_t k = i < 2 ? i : 0;
        CHECK(same(r.value_sum[k], sum[i]));
        CHECK(r.value_count[k] == count[i]);
        CHECK(same(r.stdev[k], sd[i]));
        CHECK(same(r.value[k], value[i]));
        CHECK(same(r.lower[0][k], l95[i]));
        CHECK(same(r.upper[0][k], u95[i]));
        CHECK(same(r.lower[1][k], l998[i]));
        CHECK(same(r.upper[1][k], u998[i]));
    }
}

TEST_CASE("missing values and one-row groups give missing statistics") {
    const std::vector<double> x{1.0, std::nan(""), 3.0, 7.0};
    fairer::RowGroups g{{0, 0, 1, 1}, {"A", "B"}};
    const auto r = fairer::mean(column(x), {0.95}, &g);
    CHECK(std::isnan(r.value_sum[0]));
    CHECK(r.value_count[0] == 2.0);
    CHECK(std::isnan(r.lower[0][0]));
    // Group B: mean 5, sd sqrt(8), t(0.975; 1) = 12.7062047361747 (published t table).
    CHECK(same(r.value[1], 5.0));
    CHECK(same(r.stdev[1], std::sqrt(8.0), 1e-15));
    CHECK(same(r.upper[0][1], 5.0 + 12.7062047361747 * 2.0, 1e-12));
    const std::vector<double> one{4.0};
    const auto s = fairer::mean(column(one));
    CHECK(s.value[0] == 4.0);
    CHECK(std::isnan(s.stdev[0]));
    CHECK(std::isnan(s.lower[0][0]));
    const fairer::RowGroups too_few{{0, 1}, {"A", "B"}};
    CHECK_THROWS_AS(fairer::mean(column(x), {0.95}, &too_few), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::mean(column(x), {1.5}), fairer::StatisticsError);
}
