// Directly and indirectly standardised rates and ratios against the package's own independent
// expected values (upstream/sysdata/test_DSR_results.csv and test_ISR_results.csv, from Excel
// tools), run on the inputs those values were made from.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/standardisation.hpp"

namespace {

// A CSV file as text columns by name (the upstream files: "NA" is missing).
struct Table {
    std::vector<std::string> names;
    std::map<std::string, std::vector<std::string>> cols;

    std::size_t rows() const { return cols.begin()->second.size(); }
    Eigen::ArrayXd column(const std::string& name) const {
        const std::vector<double> v = numbers(name);
        return Eigen::Map<const Eigen::ArrayXd>(v.data(), static_cast<Eigen::Index>(v.size()));
    }
    std::vector<double> numbers(const std::string& name) const {
        std::vector<double> out;
        for (const auto& v : cols.at(name)) {
            double d = std::nan("");
            if (v != "NA") REQUIRE(fairer::detail::parse_double(v, d));
            out.push_back(d);
        }
        return out;
    }
    // Groups of a text column, numbered in order of first appearance.
    fairer::RowGroups groups(const std::string& name) const {
        fairer::RowGroups g;
        for (const auto& v : cols.at(name)) {
            std::uint32_t k = 0;
            while (k < g.names.size() && g.names[k] != v) ++k;
            if (k == g.names.size()) g.names.push_back(v);
            g.codes.push_back(k);
        }
        return g;
    }
};

Table read_sysdata(const std::string& object) {
    auto r = fairer::detail::CsvReader::from_file(std::string(FAIRER_SHARED_DIR) +
                                                  "/reference/pheindicatormethods/upstream/sysdata/" + object + ".csv");
    Table t;
    std::vector<std::string_view> f;
    REQUIRE(r.next(f));
    for (auto v : f) t.names.emplace_back(v);
    while (r.next(f)) {
        REQUIRE(f.size() == t.names.size());
        for (std::size_t i = 0; i < f.size(); ++i) t.cols[t.names[i]].emplace_back(f[i]);
    }
    return t;
}

// Single expected values: relative 1e-9 (the closed forms agree to ~1e-15; the non-independent
// rows of test_DSR_results are printed to 8 decimals, i.e. ~1e-12 relative).
bool close(double actual, double expected, double rel = 1e-9) {
    if (std::isnan(expected)) return std::isnan(actual);
    return std::fabs(actual - expected) <= rel * std::fabs(expected);
}

const std::vector<double> both_levels{0.95, 0.998};

}  // namespace

TEST_CASE("dsr: test_multiarea_esp per 10,000 and per 100,000 at 95% and 99.8% (test_DSR_results rows 1-3, 5-7)") {
    const Table in = read_sysdata("test_multiarea_esp");
    const Table expected = read_sysdata("test_DSR_results");
    const fairer::RowGroups groups = in.groups("area");
    REQUIRE(groups.names == std::vector<std::string>{"testdata_big", "testdata_small", "testdata_tiny"});
    const Eigen::ArrayXd x = in.column("count"), n = in.column("pop"), w = in.column("esp2013");
    const auto e_value = expected.numbers("value"), e_l95 = expected.numbers("lower95_0cl"),
               e_u95 = expected.numbers("upper95_0cl"), e_l998 = expected.numbers("lower99_8cl"),
               e_u998 = expected.numbers("upper99_8cl"), e_count = expected.numbers("total_count"),
               e_pop = expected.numbers("total_pop");
    for (const auto& [multiplier, first] : std::vector<std::pair<double, std::size_t>>{{1e4, 0}, {1e5, 4}}) {
        const auto r = fairer::directly_standardised_rates(x, n, w, both_levels, multiplier, &groups);
        for (std::size_t g = 0; g < 3; ++g) {
            const std::size_t e = first + g;
            CAPTURE(e);
            CHECK(expected.cols.at("area")[e] == groups.names[g]);
            CHECK(r.total_count[g] == e_count[e]);
            CHECK(r.total_pop[g] == e_pop[e]);
            CHECK(close(r.value[g], e_value[e]));
            CHECK(close(r.lower[0][g], e_l95[e]));
            CHECK(close(r.upper[0][g], e_u95[e]));
            CHECK(close(r.lower[1][g], e_l998[e]));
            CHECK(close(r.upper[1][g], e_u998[e]));
            CHECK(r.suppressed[g] == (expected.cols.at("statistic")[e] == "dsr NA for total count < 10"));
        }
    }
    // 99.8 given as a percentage is the same level.
    const auto pct = fairer::directly_standardised_rates(x, n, w, {99.8}, 1e5, &groups);
    CHECK(close(pct.lower[0][0], e_l998[4]));
}

TEST_CASE("dsr: the built-in ESP 2013 by position gives the same as the stdpop column") {
    const Table in = read_sysdata("test_multiarea_esp");
    const fairer::RowGroups groups = in.groups("area");
    const Eigen::ArrayXd x = in.column("count"), n = in.column("pop"), w = in.column("esp2013");
    const auto by_column = fairer::directly_standardised_rates(x, n, w, {0.95}, 1e5, &groups);
    const auto by_position = fairer::directly_standardised_rates(x, n, fairer::esp2013(), {0.95}, 1e5, &groups);
    for (std::size_t g = 0; g < 2; ++g) {
        CHECK(by_position.value[g] == by_column.value[g]);
        CHECK(by_position.lower[0][g] == by_column.lower[0][g]);
    }
    // 19 rows per group against 18 weights: the package's phe_dsr message, naming the lengths.
    const fairer::StandardPopulation esp = fairer::esp2013();
    const auto esp18 = fairer::StandardPopulation::custom(
        "short", std::vector<std::string>(esp.bands().begin(), esp.bands().end() - 1),
        std::vector<double>(esp.weights().begin(), esp.weights().end() - 1));
    CHECK_THROWS_WITH_AS(fairer::directly_standardised_rates(x, n, esp18, {0.95}, 1e5, &groups),
                         "[fairer.statistics] stdpop length must equal number of rows in each group within data: "
                         "stdpop has 18 values but each group has 19 rows",
                         fairer::StatisticsError);
}

TEST_CASE("dsr: a user-given standard population, ESP 1976 (test_DSR_results rows 4 and 8, 95% limits)") {
    const Table in = read_sysdata("test_DSR_1976");
    const Table expected = read_sysdata("test_DSR_results");
    const Eigen::ArrayXd x = in.column("count"), n = in.column("pop"), w = in.column("esp1976");
    const auto e_value = expected.numbers("value"), e_l95 = expected.numbers("lower95_0cl"),
               e_u95 = expected.numbers("upper95_0cl");
    for (const auto& [multiplier, e] : std::vector<std::pair<double, std::size_t>>{{1e4, 3}, {1e5, 7}}) {
        const auto r = fairer::directly_standardised_rates(x, n, w, {0.95}, multiplier);
        CHECK(r.total_count[0] == 804);
        CHECK(close(r.value[0], e_value[e]));
        CHECK(close(r.lower[0][0], e_l95[e]));
        CHECK(close(r.upper[0][0], e_u95[e]));
    }
    // (Those rows' 99.8% columns hold ten times the plausible values, an artefact of the upstream
    // sheet that its test never reads, so they are not compared.)
}

TEST_CASE("dsr: non-independent events (test_DSR_results rows 9-12)") {
    const Table in = read_sysdata("test_DSR_nonind");
    const Table expected = read_sysdata("test_DSR_results");
    const fairer::RowGroups groups = in.groups("area"), bands = in.groups("ageband");
    const Eigen::ArrayXd x = in.column("persons"), n = in.column("pop"), w = in.column("esp2013"),
                         f = in.column("freq");
    const auto r =
        fairer::directly_standardised_rates_non_independent(x, n, w, f, bands, both_levels, 1e5, &groups);
    const auto e_value = expected.numbers("value"), e_l95 = expected.numbers("lower95_0cl"),
               e_u95 = expected.numbers("upper95_0cl"), e_l998 = expected.numbers("lower99_8cl"),
               e_u998 = expected.numbers("upper99_8cl");
    REQUIRE(groups.size() == 4);
    for (std::size_t e = 8; e < 12; ++e) {
        std::size_t g = 0;
        while (groups.names[g] != expected.cols.at("area")[e]) ++g;
        CAPTURE(groups.names[g]);
        CHECK(r.total_count[g] == expected.numbers("total_count")[e]);
        CHECK(r.total_pop[g] == expected.numbers("total_pop")[e]);
        CHECK(close(r.value[g], e_value[e]));
        CHECK(close(r.lower[0][g], e_l95[e]));
        CHECK(close(r.upper[0][g], e_u95[e]));
        CHECK(close(r.lower[1][g], e_l998[e]));
        CHECK(close(r.upper[1][g], e_u998[e]));
    }
}

TEST_CASE("dsr: non-independent events with inconsistent populations are rejected (test_DSR_nonind_err1/2)") {
    for (const char* object : {"test_DSR_nonind_err1", "test_DSR_nonind_err2"}) {
        const Table in = read_sysdata(object);
        const fairer::RowGroups groups = in.groups("area"), bands = in.groups("ageband");
        const Eigen::ArrayXd x = in.column("persons"), n = in.column("pop"), w = in.column("esp2013"),
                             f = in.column("freq");
        CHECK_THROWS_WITH_AS(
            fairer::directly_standardised_rates_non_independent(x, n, w, f, bands, {0.95}, 1e5, &groups),
            doctest::Contains("There are rows with the same grouping variables and ageband but with different "
                              "populations (n) or standard populations (stdpop): group 'testdata_nonind_big', "
                              "ageband '00-04', row index 0"),
            fairer::StatisticsError);
    }
}

TEST_CASE("dsr: bad input names the group and the row") {
    const fairer::RowGroups groups{{0, 0, 1, 1}, {"A", "B"}};
    const Eigen::ArrayXd w = (Eigen::ArrayXd(4) << 1, 2, 1, 2).finished();
    auto col = [](std::initializer_list<double> v) {
        Eigen::ArrayXd a(static_cast<Eigen::Index>(v.size()));
        Eigen::Index i = 0;
        for (double d : v) a[i++] = d;
        return a;
    };
    const Eigen::ArrayXd ten = Eigen::ArrayXd::Constant(4, 10.0);
    auto run = [&](const Eigen::ArrayXd& x, const Eigen::ArrayXd& n, const Eigen::ArrayXd& sp) {
        return fairer::directly_standardised_rates(x, n, sp, {0.95}, 1e5, &groups);
    };
    CHECK_THROWS_WITH_AS(run(col({1, 2, -3, 4}), ten, w),
                         "[fairer.statistics] numerators must all be greater than or equal to zero and finite: "
                         "group 'B', row index 2 has -3",
                         fairer::StatisticsError);
    CHECK_THROWS_WITH_AS(run(col({1, 2, 3, 4}), col({10, 0, 10, 10}), w),
                         "[fairer.statistics] denominators must all be greater than zero and finite: group 'A', "
                         "row index 1 has 0",
                         fairer::StatisticsError);
    CHECK_THROWS_WITH_AS(run(col({1, 2, 3, 4}), col({10, 10, 10, std::nan("")}), w),
                         "[fairer.statistics] field n cannot have missing values: group 'B', row index 3",
                         fairer::StatisticsError);
    CHECK_THROWS_WITH_AS(run(col({1, 2, 3, 4}), ten, col({1, 2, -1, 2})),
                         "[fairer.statistics] stdpop must all be greater than or equal to zero and finite: group "
                         "'B', row index 2 has -1",
                         fairer::StatisticsError);
    CHECK_THROWS_AS(run(col({1, 2, 3, HUGE_VAL}), ten, w), fairer::StatisticsError);
    CHECK_THROWS_AS(run(col({1, 2, 3}), ten, w), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::directly_standardised_rates(col({1, 2, 3, 4}), ten, w, {0.95}, -1, &groups),
                    fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::directly_standardised_rates(col({1, 2, 3, 4}), ten, w, {1.5}, 1e5, &groups),
                    fairer::StatisticsError);
    // A missing count is no events; with fewer than 10 events the group is suppressed (NaN).
    const auto r = run(col({std::nan(""), 2, 30, 40}), ten, w);
    CHECK(r.total_count[0] == 2);
    CHECK(r.suppressed[0]);
    CHECK(std::isnan(r.value[0]));
    CHECK(std::isnan(r.lower[0][0]));
    CHECK_FALSE(r.suppressed[1]);
    // Two bands of one group, 30 and 40 events in 10 people each, weights 1 and 2: (3 + 8) / 3.
    CHECK(close(r.value[1], 11.0 / 3.0 * 1e5, 1e-15));
}

TEST_CASE("dsr: with a single band the Dobson limits are Byar's limits for the count over n") {
    // With one band the DSR is the crude rate x/n and var/O = 1/n^2, so the Dobson limits equal
    // Byar's limits for x divided by n: an independent check through byars_interval.
    const Eigen::ArrayXd x = Eigen::ArrayXd::Constant(1, 57), n = Eigen::ArrayXd::Constant(1, 1234),
                         w = Eigen::ArrayXd::Constant(1, 999);
    const auto r = fairer::directly_standardised_rates(x, n, w, {0.95}, 100);
    const fairer::Interval b = fairer::byars_interval(57, 0.95);
    CHECK(close(r.value[0], 57.0 / 1234.0 * 100, 1e-14));
    CHECK(close(r.lower[0][0], b.lower / 1234.0 * 100, 1e-12));
    CHECK(close(r.upper[0][0], b.upper / 1234.0 * 100, 1e-12));
}

namespace {

struct IsrInputs {
    fairer::RowGroups groups;
    Eigen::ArrayXd x, n, x_ref, n_ref;
};

// test_multiarea (or test_err2) with test_ISR_refdata matched by position within each area.
IsrInputs isr_inputs(const std::string& object) {
    const Table in = read_sysdata(object);
    const Table ref = read_sysdata("test_ISR_refdata");
    IsrInputs d;
    d.groups = in.groups("area");
    d.x = in.column("count");
    d.n = in.column("pop");
    d.x_ref = fairer::spread_by_group_position(in.rows(), ref.numbers("refcount"), "x_ref", &d.groups);
    d.n_ref = fairer::spread_by_group_position(in.rows(), ref.numbers("refpop"), "n_ref", &d.groups);
    return d;
}

void check_isr(const fairer::IsrResult& r, const std::vector<std::string>& areas, std::size_t first,
               std::size_t count, bool two_levels) {
    const Table expected = read_sysdata("test_ISR_results");
    const auto e_obs = expected.numbers("observed"), e_exp = expected.numbers("expected"),
               e_ref = expected.numbers("ref_rate"), e_value = expected.numbers("value"),
               e_l95 = expected.numbers("lower95_0cl"), e_u95 = expected.numbers("upper95_0cl"),
               e_l998 = expected.numbers("lower99_8cl"), e_u998 = expected.numbers("upper99_8cl");
    for (std::size_t g = 0; g < count; ++g) {
        const std::size_t e = first + g;
        CAPTURE(e);
        CHECK(expected.cols.at("area")[e] == areas[g]);
        CHECK(r.observed[g] == e_obs[e]);
        CHECK(close(r.expected[g], e_exp[e]));
        if (!std::isnan(e_ref[e])) CHECK(close(r.ref_rate[g], e_ref[e]));
        CHECK(close(r.value[g], e_value[e]));
        CHECK(close(r.lower[0][g], e_l95[e]));
        CHECK(close(r.upper[0][g], e_u95[e]));
        if (two_levels) {
            CHECK(close(r.lower[1][g], e_l998[e]));
            CHECK(close(r.upper[1][g], e_u998[e]));
        }
        const auto method = expected.cols.at("method")[e] == "Exact" ? fairer::RateMethod::exact
                                                                     : fairer::RateMethod::byars;
        CHECK(r.method[g] == method);
    }
}

}  // namespace

TEST_CASE("isr: rates per 100,000 and per 1,000 (test_ISR_results rows 1-6)") {
    const IsrInputs d = isr_inputs("test_multiarea");
    check_isr(fairer::indirectly_standardised_rates(d.x, d.n, d.x_ref, d.n_ref, both_levels, 1e5, &d.groups),
              d.groups.names, 0, 3, true);
    check_isr(fairer::indirectly_standardised_rates(d.x, d.n, d.x_ref, d.n_ref, both_levels, 1e3, &d.groups),
              d.groups.names, 3, 3, true);
}

TEST_CASE("isr: ratios x 1 and x 100 (test_ISR_results rows 7-12), and observed totals given separately") {
    const IsrInputs d = isr_inputs("test_multiarea");
    check_isr(fairer::indirectly_standardised_ratios(d.x, d.n, d.x_ref, d.n_ref, both_levels, 1, &d.groups),
              d.groups.names, 6, 3, true);
    check_isr(fairer::indirectly_standardised_ratios(d.x, d.n, d.x_ref, d.n_ref, both_levels, 100, &d.groups),
              d.groups.names, 9, 3, true);

    // test_ISR_lookup holds the same totals per area, given without the age breakdown.
    const Table lookup = read_sysdata("test_ISR_lookup");
    REQUIRE(lookup.cols.at("area") == d.groups.names);
    const Eigen::ArrayXd totals = lookup.column("total_count");
    const fairer::ConstColumn totals_ref(totals);
    const Eigen::ArrayXd none(0);
    check_isr(fairer::indirectly_standardised_ratios(none, d.n, d.x_ref, d.n_ref, both_levels, 1, &d.groups,
                                                     &totals_ref),
              d.groups.names, 6, 3, true);
}

TEST_CASE("isr: zero local populations are allowed (test_ISR_results rows 13-16, test_err2)") {
    const IsrInputs d = isr_inputs("test_err2");
    check_isr(fairer::indirectly_standardised_rates(d.x, d.n, d.x_ref, d.n_ref, {0.95}, 1e5, &d.groups),
              d.groups.names, 12, 2, false);
    check_isr(fairer::indirectly_standardised_ratios(d.x, d.n, d.x_ref, d.n_ref, {0.95}, 100, &d.groups),
              d.groups.names, 14, 2, false);
}

TEST_CASE("isr: below 10 events the limits are the exact Poisson limits for O divided by E") {
    const Eigen::ArrayXd x = Eigen::ArrayXd::Constant(1, 0), n = Eigen::ArrayXd::Constant(1, 100),
                         xr = Eigen::ArrayXd::Constant(1, 5), nr = Eigen::ArrayXd::Constant(1, 1000);  // E = 0.5
    const auto r = fairer::indirectly_standardised_ratios(x, n, xr, nr, {0.95});
    CHECK(r.value[0] == 0);
    CHECK(r.lower[0][0] == 0);
    // chi2^-1(0.975; 2) / 2 = -log(0.025) = 3.6888794541139363 (R: qchisq(0.975, 2) / 2).
    CHECK(close(r.upper[0][0], 3.6888794541139363 / 0.5, 1e-12));
    CHECK(r.method[0] == fairer::RateMethod::exact);
}

TEST_CASE("isr: bad input names the group and the row") {
    const fairer::RowGroups groups{{0, 1}, {"A", "B"}};
    Eigen::ArrayXd x(2), n(2), xr(2), nr(2);
    x << 1, 2;
    n << 10, 10;
    xr << 1, 1;
    nr << 100, 100;
    x[1] = -2;
    CHECK_THROWS_WITH_AS(fairer::indirectly_standardised_ratios(x, n, xr, nr, {0.95}, 1, &groups),
                         "[fairer.statistics] numerators must all be greater than or equal to zero and finite: group "
                         "'B', row index 1 has -2",
                         fairer::StatisticsError);
    x[1] = 2;
    n[0] = -1;
    CHECK_THROWS_WITH_AS(fairer::indirectly_standardised_rates(x, n, xr, nr, {0.95}, 1e5, &groups),
                         "[fairer.statistics] denominators must all be greater than or equal to zero and finite: "
                         "group 'A', row index 0 has -1",
                         fairer::StatisticsError);
    n[0] = 10;
    nr[1] = 0;
    CHECK_THROWS_AS(fairer::indirectly_standardised_rates(x, n, xr, nr, {0.95}, 1e5, &groups),
                    fairer::StatisticsError);
    nr[1] = 100;
    CHECK_THROWS_AS(fairer::indirectly_standardised_ratios(x, n, xr, nr, {0.95}, 0, &groups), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::indirectly_standardised_rates(x, n, xr, nr, {0.95}, -5, &groups), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::indirectly_standardised_rates(x, n, xr, nr, {0}, 1e5, &groups), fairer::StatisticsError);
    const fairer::RowGroups uneven{{0, 0, 1}, {"A", "B"}};
    CHECK_THROWS_WITH_AS(fairer::spread_by_group_position(3, {1, 2}, "x_ref", &uneven),
                         "[fairer.statistics] data must contain the same number of rows for each group: group 'A' "
                         "has 2 rows but group 'B' has 1",
                         fairer::StatisticsError);
}
