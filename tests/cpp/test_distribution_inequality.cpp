#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/distribution_inequality.hpp"

using fairer::ConcentrationKind;
using fairer::ConcentrationOptions;
using fairer::DistributionView;

namespace {

using Row = std::map<std::string, std::string>;

// doctest's Approx adds an absolute margin of epsilon by default; these comparisons are relative.
doctest::Approx rel(double expected) { return doctest::Approx(expected).scale(0.0); }

std::vector<Row> read_csv(const std::string& name) {
    auto reader = fairer::detail::CsvReader::from_file(std::string(FAIRER_SHARED_DIR) + "/reference/inequality/" + name);
    std::vector<std::string_view> fields;
    REQUIRE(reader.next(fields));
    std::vector<std::string> header(fields.begin(), fields.end());
    std::vector<Row> rows;
    while (reader.next(fields)) {
        Row r;
        for (std::size_t k = 0; k < header.size() && k < fields.size(); ++k) r[header[k]] = std::string(fields[k]);
        rows.push_back(std::move(r));
    }
    return rows;
}

double number(const std::string& s) {
    double v = std::numeric_limits<double>::quiet_NaN();
    if (!s.empty()) REQUIRE(fairer::detail::parse_double(s, v));
    return v;
}

// "y=[10,20,30]" -> {10, 20, 30}
std::vector<double> listed(const std::string& text) {
    std::vector<double> out;
    const auto open = text.find('[');
    const auto close = text.find(']');
    REQUIRE(open != std::string::npos);
    std::string item;
    for (std::size_t k = open + 1; k <= close; ++k) {
        if (text[k] == ',' || text[k] == ']') {
            out.push_back(number(item));
            item.clear();
        } else {
            item += text[k];
        }
    }
    return out;
}

struct Mexico {
    std::map<std::string, std::vector<double>> columns;
};

const Mexico& mexico() {
    static const Mexico m = [] {
        Mexico out;
        for (const auto& r : read_csv("pysal_mexico_input.csv"))
            for (const auto& [k, v] : r)
                if (k != "State") out.columns[k].push_back(number(v));
        return out;
    }();
    return m;
}

// sum_ij p_i p_j |y_i - y_j| / (2 mu): the pairwise-difference definition, a second method.
double gini_pairs(const std::vector<double>& y, const std::vector<double>& w) {
    double tw = 0, ty = 0, s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        tw += w[i];
        ty += w[i] * y[i];
    }
    for (std::size_t i = 0; i < y.size(); ++i)
        for (std::size_t j = 0; j < y.size(); ++j) s += w[i] * w[j] * std::abs(y[i] - y[j]);
    return s / (2.0 * tw * tw * (ty / tw));
}

}  // namespace

TEST_CASE("every PySAL reference row is reproduced within its tolerance") {
    const auto& mx = mexico();
    int checked = 0;
    for (const auto& r : read_csv("pysal_expected.csv")) {
        const std::string measure = r.at("measure");
        const std::string variable = r.at("variable");
        const std::string param = r.at("param");
        const double expected = number(r.at("estimate"));
        const double tol = number(r.at("abs_tolerance"));
        CAPTURE(r.at("case_id"));
        CAPTURE(measure);
        CAPTURE(variable);
        CAPTURE(param);
        const bool inline_list = variable.rfind("y=[", 0) == 0;
        const std::vector<double> y = inline_list ? listed(variable) : mx.columns.at(variable);
        const DistributionView d(y);
        double actual = std::numeric_limits<double>::quiet_NaN();
        if (measure == "Gini") {
            actual = fairer::gini(d);
        } else if (measure == "Theil_T") {
            actual = fairer::theil_t(d);
        } else if (measure == "TheilD_between" || measure == "TheilD_within") {
            std::vector<std::int64_t> groups;
            if (param.rfind("partition=[", 0) == 0) {
                for (double g : listed(param)) groups.push_back(static_cast<std::int64_t>(g));
            } else {
                for (double g : mx.columns.at(param.substr(param.find('=') + 1))) groups.push_back(static_cast<std::int64_t>(g));
            }
            const auto dec = fairer::theil_decomposition(d, groups.data(), fairer::TheilKind::t);
            actual = measure == "TheilD_between" ? dec.between : dec.within;
            CHECK(dec.total == rel(fairer::theil_t(d)).epsilon(1e-12));
        } else if (measure == "Atkinson" || measure == "Atkinson_EDE") {
            const auto a = fairer::atkinson(d, number(param.substr(param.find('=') + 1)));
            actual = measure == "Atkinson" ? a.index : a.ede;
        } else if (measure == "Wolfson") {
            actual = fairer::wolfson(d);
        } else if (measure == "Lorenz_cum_share") {
            const auto points = fairer::lorenz_curve(d);
            const auto k = static_cast<std::size_t>(number(param.substr(param.find('=') + 1)));
            REQUIRE(k < points.size());
            actual = points[k].outcome_share;
            CHECK(points[k].population_share == static_cast<double>(k) / static_cast<double>(y.size()));
        } else {
            FAIL("unknown measure in pysal_expected.csv");
        }
        CHECK(std::abs(actual - expected) <= tol);
        ++checked;
    }
    CHECK(checked == 40);
}

TEST_CASE("weighted Gini equals the pairwise definition and the replicated unweighted data") {
    const std::vector<double> y{3.5, 1.0, 7.25, 1.0, 12.0, 0.0};
    const std::vector<double> w{2, 1, 3, 4, 1, 2};
    std::vector<double> replicated;
    for (std::size_t i = 0; i < y.size(); ++i)
        for (int k = 0; k < static_cast<int>(w[i]); ++k) replicated.push_back(y[i]);
    const double g = fairer::gini(DistributionView(y, w));
    CHECK(g == rel(gini_pairs(y, w)).epsilon(1e-13));
    CHECK(g == rel(fairer::gini(DistributionView(replicated))).epsilon(1e-13));
    // Theil, Atkinson and Wolfson: weights act as frequency weights too
    CHECK(fairer::theil_t(DistributionView(y, w)) == rel(fairer::theil_t(DistributionView(replicated))).epsilon(1e-13));
    const std::vector<double> pos{3.5, 1.0, 7.25, 2.0, 12.0, 0.5};
    std::vector<double> pos_rep;
    for (std::size_t i = 0; i < pos.size(); ++i)
        for (int k = 0; k < static_cast<int>(w[i]); ++k) pos_rep.push_back(pos[i]);
    CHECK(fairer::theil_l(DistributionView(pos, w)) == rel(fairer::theil_l(DistributionView(pos_rep))).epsilon(1e-13));
    for (double e : {0.5, 1.0, 2.0})
        CHECK(fairer::atkinson(DistributionView(pos, w), e).index ==
              rel(fairer::atkinson(DistributionView(pos_rep), e).index).epsilon(1e-13));
    CHECK(fairer::wolfson(DistributionView(pos, w)) == rel(fairer::wolfson(DistributionView(pos_rep))).epsilon(1e-13));
}

TEST_CASE("generalised entropy: GE(2) is half the squared coefficient of variation") {
    const std::vector<double> y{2, 4, 4, 4, 5, 5, 7, 9};  // mean 5, population variance 4
    CHECK(fairer::generalized_entropy(DistributionView(y), 2.0) == rel(0.5 * 4.0 / 25.0).epsilon(1e-14));
    // GE(alpha) tends to T and L as alpha tends to 1 and 0
    CHECK(fairer::generalized_entropy(DistributionView(y), 1.0 + 1e-7) == rel(fairer::theil_t(DistributionView(y))).epsilon(1e-6));
    CHECK(fairer::generalized_entropy(DistributionView(y), 1e-7) == rel(fairer::theil_l(DistributionView(y))).epsilon(1e-6));
}

TEST_CASE("Theil L decomposition adds up and matches a hand computation") {
    // two groups {1, 3} and {4, 4}: mu = 3; L = (ln 3 + ln 1 + 2 ln 0.75) / 4 with signs reversed
    const std::vector<double> y{1, 3, 4, 4};
    const std::vector<std::int64_t> g{7, 7, 9, 9};
    const auto dec = fairer::theil_decomposition(DistributionView(y), g.data(), fairer::TheilKind::l);
    const double l = -(std::log(1.0 / 3.0) + std::log(1.0) + 2 * std::log(4.0 / 3.0)) / 4.0;
    CHECK(dec.total == rel(l).epsilon(1e-14));
    // between: group means 2 and 4 with shares 1/2: -(0.5 ln(2/3) + 0.5 ln(4/3))
    CHECK(dec.between == rel(-(0.5 * std::log(2.0 / 3.0) + 0.5 * std::log(4.0 / 3.0))).epsilon(1e-14));
    CHECK(dec.within == rel(0.5 * (-(std::log(0.5) + std::log(1.5)) / 2.0)).epsilon(1e-14));
    REQUIRE(dec.groups.size() == 2);
    CHECK(dec.groups[0].group == 7);
    CHECK(dec.groups[1].population_share == 0.5);
}

TEST_CASE("weighted Theil T and L equal HEAT's TI and MLD / 1000 (generated_engines_expected.csv)") {
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> tables;
    for (const auto& r : read_csv("hq_samples_input.csv")) {
        auto& t = tables[r.at("case_id")];
        t.first.push_back(number(r.at("estimate")));
        t.second.push_back(number(r.at("population")));
    }
    for (const auto& r : read_csv("hq_tests_input.csv")) {
        auto& t = tables[r.at("case_id")];
        t.first.push_back(number(r.at("estimate")));
        t.second.push_back(number(r.at("population")));
    }
    int checked = 0;
    for (const auto& r : read_csv("generated_engines_expected.csv")) {
        const auto& m = r.at("measure");
        if ((m != "TI" && m != "MLD") || r.at("engine") != "heatmeasures-HEAT6.0") continue;
        CAPTURE(r.at("case_id"));
        const auto& t = tables.at(r.at("case_id"));
        const DistributionView d(t.first, t.second);
        const double actual = 1000.0 * (m == "TI" ? fairer::theil_t(d) : fairer::theil_l(d));
        CHECK(actual == rel(number(r.at("estimate"))).epsilon(1e-9));
        ++checked;
    }
    CHECK(checked == 6);
}

TEST_CASE("concentration index forms reproduce healthequal's ACI/RCI rows") {
    std::map<std::string, std::vector<Row>> tables;
    for (const auto& r : read_csv("hq_samples_input.csv")) tables[r.at("case_id")].push_back(r);
    for (const auto& r : read_csv("hq_tests_input.csv")) tables[r.at("case_id")].push_back(r);
    int checked = 0;
    for (const auto& r : read_csv("generated_engines_expected.csv")) {
        const auto& m = r.at("measure");
        if (m != "ACI" && m != "RCI") continue;
        const auto& options = r.at("options");
        CAPTURE(r.at("case_id"));
        CAPTURE(r.at("engine"));
        CAPTURE(m);
        CAPTURE(options);
        std::vector<double> y, w, rank;
        for (const auto& s : tables.at(r.at("case_id"))) {
            y.push_back(number(s.at("estimate")));
            w.push_back(number(s.at("population")));
            rank.push_back(number(s.at("subgroup_order")));
        }
        ConcentrationOptions o;
        o.kind = m == "ACI" ? ConcentrationKind::generalized : ConcentrationKind::standard;
        if (options.find("method=wagstaff") != std::string::npos) o.kind = ConcentrationKind::wagstaff;
        if (options.find("method=erreygers") != std::string::npos) o.kind = ConcentrationKind::erreygers;
        const bool bounded = options.find("lmin=0;lmax=100") != std::string::npos;
        if (bounded) {
            o.lmin = 0;
            o.lmax = 100;
            // healthequal's bounded ACI and RCI are those of y* = (y - lmin) / (lmax - lmin)
            if (o.kind == ConcentrationKind::generalized || o.kind == ConcentrationKind::standard)
                for (auto& v : y) v /= 100.0;
        }
        const auto c = fairer::concentration_index(DistributionView(y, w), rank.data(), o);
        CHECK(c.estimate == rel(number(r.at("estimate"))).epsilon(1e-9));
        CHECK(c.se == rel(number(r.at("se"))).epsilon(1e-9));
        CHECK(c.lower == rel(number(r.at("lowerci"))).epsilon(1e-9));
        CHECK(c.upper == rel(number(r.at("upperci"))).epsilon(1e-9));
        ++checked;
    }
    CHECK(checked == 20);
}

TEST_CASE("concentration index: ties share a rank; rank order, not input order, matters") {
    const std::vector<double> y{4, 1, 2, 8};
    const std::vector<double> rank{3, 1, 1, 2};
    // ranks 1 (rows 1, 2: weight 1/2, mean 1.5, X = 1/4), 2 (X = 5/8), 3 (X = 7/8); mu = 15/4
    const double gc = 0.5 * (2 * 0.25 - 1) * 1.5 + 0.25 * (2 * 0.625 - 1) * 8 + 0.25 * (2 * 0.875 - 1) * 4;
    ConcentrationOptions o;
    o.kind = ConcentrationKind::generalized;
    CHECK(fairer::concentration_index(DistributionView(y), rank.data(), o).estimate == rel(gc).epsilon(1e-14));
    CHECK(fairer::concentration_index(DistributionView(y), rank.data()).estimate == rel(gc / 3.75).epsilon(1e-14));
    o.kind = ConcentrationKind::modified;
    o.lmin = 1.0;
    CHECK(fairer::concentration_index(DistributionView(y), rank.data(), o).estimate == rel(gc / 2.75).epsilon(1e-14));
    // ranking by the outcome itself gives the Gini
    const std::vector<double> z{5, 1, 3, 9, 2};
    CHECK(fairer::concentration_index(DistributionView(z), z.data()).estimate == rel(fairer::gini(DistributionView(z))).epsilon(1e-14));
}

TEST_CASE("missing values stay missing; bad input names the row") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> y{1, nan, 3};
    CHECK(std::isnan(fairer::gini(DistributionView(y))));
    CHECK(std::isnan(fairer::theil_t(DistributionView(y))));
    CHECK(std::isnan(fairer::atkinson(DistributionView(y), 0.5).index));
    CHECK(fairer::lorenz_curve(DistributionView(y)).empty());
    const std::vector<double> r{1, 2, nan};
    const std::vector<double> ok{1, 2, 3};
    CHECK(std::isnan(fairer::concentration_index(DistributionView(ok), r.data()).estimate));

    const std::vector<double> neg{1, -2, 3};
    CHECK_THROWS_WITH_AS(fairer::gini(DistributionView(neg)), doctest::Contains("row 2"), fairer::InequalityError);
    CHECK_THROWS_WITH_AS(fairer::gini(DistributionView(ok, std::vector<double>{1, 1, -1})), doctest::Contains("weight at row 3"),
                         fairer::InequalityError);
    CHECK_THROWS_AS(fairer::gini(DistributionView(std::vector<double>{0, 0})), fairer::InequalityError);
    CHECK_THROWS_AS(fairer::atkinson(DistributionView(ok), -1.0), fairer::InequalityError);
    ConcentrationOptions o;
    o.kind = ConcentrationKind::wagstaff;
    CHECK_THROWS_WITH_AS(fairer::concentration_index(DistributionView(ok), ok.data(), o), doctest::Contains("bounds"),
                         fairer::InequalityError);
    o.lmin = 0;
    o.lmax = 2.5;
    CHECK_THROWS_WITH_AS(fairer::concentration_index(DistributionView(ok), ok.data(), o), doctest::Contains("row 3"),
                         fairer::InequalityError);
    // the generalised index accepts negative outcomes (e.g. a change in a health score)
    o.kind = ConcentrationKind::generalized;
    const std::vector<double> changes{-1, 0.5, 2};
    CHECK(fairer::concentration_index(DistributionView(changes), ok.data(), o).estimate > 0.0);
    // a zero outcome gives Theil L = +infinity (the limit), Theil T stays finite
    const std::vector<double> zero{0, 1, 2};
    CHECK(std::isinf(fairer::theil_l(DistributionView(zero))));
    CHECK(fairer::atkinson(DistributionView(zero), 1.0).index == 1.0);
}

TEST_CASE("survey concentration index reproduces healthequal's design-based ACI (hq_vignette_expected.csv)") {
    // ACI of sba over wealth quintiles on the individual sample with weight, psu and strata:
    // 0.07801353, se 0.002950566, limits 0.07223053 / 0.08379654 (7 significant digits printed).
    std::vector<double> y, w, rank;
    std::vector<std::int64_t> psu, strata;
    for (const auto& r : read_csv("hq_individual_sample_input.csv")) {
        y.push_back(number(r.at("sba")));
        w.push_back(number(r.at("weight")));
        rank.push_back(number(r.at("subgroup_order")));
        psu.push_back(static_cast<std::int64_t>(number(r.at("psu"))));
        strata.push_back(static_cast<std::int64_t>(number(r.at("strata"))));
    }
    REQUIRE(y.size() == 17848);
    ConcentrationOptions o;
    o.kind = ConcentrationKind::generalized;
    const DistributionView d(y, w);
    const auto c = fairer::concentration_index_survey(d, rank.data(), strata.data(), psu.data(), o);
    CHECK(c.estimate == rel(0.07801353).epsilon(1e-6));
    CHECK(c.se == rel(0.002950566).epsilon(1e-6));
    CHECK(c.lower == rel(0.07223053).epsilon(1e-6));
    CHECK(c.upper == rel(0.08379654).epsilon(1e-6));
    // second method for the estimate: the one-shot weighted index on the same rows
    CHECK(c.estimate == rel(fairer::concentration_index(d, rank.data(), o).estimate).epsilon(1e-12));
    // the standard form scales estimate and se by 1 / mean
    const auto s = fairer::concentration_index_survey(d, rank.data(), strata.data(), psu.data());
    CHECK(s.estimate == rel(c.estimate / c.mean).epsilon(1e-12));
    CHECK(s.se == rel(c.se / c.mean).epsilon(1e-12));
}

TEST_CASE("survey concentration index: lonely PSU, missing values, row order") {
    const std::vector<double> y{1, 2, 3, 4, 5, 6};
    const std::vector<double> rank{1, 1, 2, 2, 3, 3};
    const std::vector<std::int64_t> psu{1, 2, 3, 4, 5, 5};
    const std::vector<std::int64_t> strata{1, 1, 1, 1, 2, 2};
    CHECK_THROWS_WITH_AS(fairer::concentration_index_survey(DistributionView(y), rank.data(), strata.data(), psu.data()),
                         doctest::Contains("stratum 2 has a single PSU"), fairer::InequalityError);
    const std::vector<std::int64_t> one_stratum{1, 1, 1, 1, 1, 1};
    const auto a = fairer::concentration_index_survey(DistributionView(y), rank.data(), one_stratum.data(), psu.data());
    CHECK(std::isfinite(a.se));
    // null strata = one stratum
    const auto b = fairer::concentration_index_survey(DistributionView(y), rank.data(), nullptr, psu.data());
    CHECK(b.se == a.se);
    // reversing the rows changes nothing but rounding
    const std::vector<double> yr(y.rbegin(), y.rend()), rr(rank.rbegin(), rank.rend());
    const std::vector<std::int64_t> pr(psu.rbegin(), psu.rend());
    const auto c = fairer::concentration_index_survey(DistributionView(yr), rr.data(), nullptr, pr.data());
    CHECK(c.estimate == rel(a.estimate).epsilon(1e-13));
    CHECK(c.se == rel(a.se).epsilon(1e-12));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> ym{1, nan, 3, 4, 5, 6};
    CHECK(std::isnan(fairer::concentration_index_survey(DistributionView(ym), rank.data(), nullptr, psu.data()).estimate));
}
