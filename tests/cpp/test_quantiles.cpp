#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/quantiles.hpp"

namespace {

// The package's quantile test data (upstream/sysdata/test_quantiles_ug.csv): the expected
// QuantileInGrp comes from OHID's spreadsheet, independent of the package and of fairer.
struct Row {
    std::string group_set, quantile_name, ind_sex, parent;
    bool polarity = false;
    double value = 0, expected = 0;
};

double number(std::string_view s) {
    double v = std::numeric_limits<double>::quiet_NaN();
    if (s != "NA" && !s.empty()) fairer::detail::parse_double(s, v);
    return v;
}

std::vector<Row> read_rows() {
    auto reader = fairer::detail::CsvReader::from_file(std::string(FAIRER_SHARED_DIR) +
                                                       "/reference/pheindicatormethods/upstream/sysdata/test_quantiles_ug.csv");
    std::vector<std::string_view> f;
    reader.next(f);
    const std::vector<std::string> header(f.begin(), f.end());
    const auto col = [&](const char* name) {
        return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
    };
    std::vector<Row> out;
    while (reader.next(f)) {
        Row r;
        r.group_set = std::string(f[col("GroupSet")]);
        r.quantile_name = std::string(f[col("QuantileNm")]);
        r.ind_sex = std::string(f[col("IndSexRef")]);
        r.parent = std::string(f[col("ParentCode")]);
        r.polarity = f[col("Polarity")] == "TRUE";
        r.value = number(f[col("Value")]);
        r.expected = number(f[col("QuantileInGrp")]);
        out.push_back(r);
    }
    return out;
}

}  // namespace

TEST_CASE("quantiles: every upstream test row gets the spreadsheet's quantile") {
    const auto rows = read_rows();
    REQUIRE(rows.size() == 982);
    const std::map<std::string, int> nq{{"Decile", 10}, {"Septile", 7}, {"Quartile", 4}};
    std::size_t checked = 0;
    for (const std::string set : {"IndSexReg", "IndSex", "None"}) {
        std::vector<double> values;
        std::vector<std::uint32_t> group;
        std::vector<bool> invert;
        std::vector<double> expected;
        std::map<std::string, std::uint32_t> codes;
        int q = 0;
        for (const auto& r : rows) {
            if (r.group_set != set) continue;
            q = nq.at(r.quantile_name);
            const std::string key = set == "IndSexReg" ? r.ind_sex + "|" + r.parent : set == "IndSex" ? r.ind_sex : "";
            const auto it = codes.emplace(key, static_cast<std::uint32_t>(codes.size())).first;
            if (it->second == invert.size()) invert.push_back(r.polarity);
            values.push_back(r.value);
            group.push_back(it->second);
            expected.push_back(r.expected);
        }
        const auto got = fairer::assign_quantiles(values.data(), values.size(), group.data(), codes.size(), invert, q);
        for (std::size_t i = 0; i < values.size(); ++i) {
            CAPTURE(set);
            CAPTURE(i);
            if (std::isnan(expected[i]))
                CHECK(std::isnan(got.quantile[i]));
            else
                CHECK(got.quantile[i] == expected[i]);
            ++checked;
        }
    }
    CHECK(checked == rows.size());
}

TEST_CASE("quantiles: ties share the lowest rank's quantile and invert reverses the order") {
    // N = 10, Q = 5, N / Q = 2: ranks 1..10 give quantiles 1,1,2,2,3,3,4,4,5,5 by the formula.
    const std::vector<double> v{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK(fairer::quantiles_of(v, 5, false) == std::vector<double>{1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
    CHECK(fairer::quantiles_of(v, 5, true) == std::vector<double>{5, 5, 4, 4, 3, 3, 2, 2, 1, 1});
    // Three values tied at rank 2 all take rank 2's quantile.
    const std::vector<double> t{1, 2, 2, 2, 5, 6, 7, 8, 9, 10};
    CHECK(fairer::quantiles_of(t, 5, false) == std::vector<double>{1, 1, 1, 1, 3, 3, 4, 4, 5, 5});
}

TEST_CASE("quantiles: missing values stay missing and too few values give no quantiles") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto q = fairer::quantiles_of({3, nan, 1, 2, 4}, 4, false);
    CHECK(std::isnan(q[1]));
    CHECK(q[2] == 1);
    CHECK(q[4] == 4);
    const auto few = fairer::quantiles_of({1, 2, 3}, 4, false);
    CHECK((std::isnan(few[0]) && std::isnan(few[1]) && std::isnan(few[2])));
    const std::vector<double> values{1, 2, 3, 1, 2, 3, 4, 5};
    const std::vector<std::uint32_t> group{0, 0, 0, 1, 1, 1, 1, 1};
    const auto a = fairer::assign_quantiles(values.data(), values.size(), group.data(), 2, {false, false}, 5);
    CHECK(a.groups_without_quantiles == 1);
    CHECK(a.quantile[7] == 5);
    CHECK_THROWS_AS(fairer::assign_quantiles(values.data(), values.size(), group.data(), 1, {false}, 5), fairer::InequalityError);
}
