#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "fairer/detail/csv.hpp"
#include "fairer/detail/ziggurat.hpp"
#include "fairer/sii.hpp"

using fairer::SiiGroupResult;
using fairer::SiiInput;
using fairer::SiiMethod;
using fairer::SiiOptions;
using fairer::SiiValueType;

namespace {

// The package's own SII test data (upstream/sysdata/SII_test_grouped.csv): inputs per
// (scenario, area, quantile) and, on each area's first row, the expected values from OHID's
// Excel tool, which is independent of both the R package and fairer.
struct UpstreamRow {
    int record = 0;
    std::string area;
    double population = 0, count = 0, value = 0, lower = 0, upper = 0, se = 0;
    std::map<std::string, double> expected;
};

double number(std::string_view s) {
    double v = std::numeric_limits<double>::quiet_NaN();
    if (s != "NA" && !s.empty()) fairer::detail::parse_double(s, v);
    return v;
}

const std::vector<UpstreamRow>& upstream() {
    static const std::vector<UpstreamRow> rows = [] {
        auto reader = fairer::detail::CsvReader::from_file(std::string(FAIRER_SHARED_DIR) +
                                                           "/reference/pheindicatormethods/upstream/sysdata/SII_test_grouped.csv");
        std::vector<std::string_view> f;
        reader.next(f);
        const std::vector<std::string> header(f.begin(), f.end());
        const auto col = [&](const char* name) {
            return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
        };
        std::vector<UpstreamRow> out;
        while (reader.next(f)) {
            UpstreamRow r;
            r.record = static_cast<int>(number(f[col("RecordNo")]));
            r.area = std::string(f[col("Area")]);
            r.population = number(f[col("Population")]);
            r.count = number(f[col("Count")]);
            r.value = number(f[col("Value")]);
            r.lower = number(f[col("LowerCL")]);
            r.upper = number(f[col("UpperCL")]);
            r.se = number(f[col("StandardError")]);
            for (const char* name : {"sii", "rii", "sii_lowercl_1", "sii_uppercl_1", "rii_lowercl_1", "rii_uppercl_1",
                                     "sii_lowercl_2", "sii_uppercl_2", "rii_lowercl_2", "rii_uppercl_2", "Intercept"})
                r.expected[name] = number(f[col(name)]);
            out.push_back(r);
        }
        return out;
    }();
    return rows;
}

struct Scenario {
    int first_record;
    int rows;  // per scenario (two areas)
    SiiValueType type;
    bool use_se;
    bool transform;
    double multiplier;
    std::vector<double> levels;
    bool check_limits;  // the upstream test compares the limits for this scenario
};

// The scenarios of the upstream test (testSII.R), as listed in cases/cases.csv.
const std::vector<Scenario> scenarios = {
    {1, 20, SiiValueType::normal, true, false, 1, {0.95}, true},
    {21, 20, SiiValueType::normal, false, false, 1, {0.99}, true},
    {41, 20, SiiValueType::normal, true, false, 1, {0.95}, true},
    {61, 10, SiiValueType::normal, true, false, 1, {0.95}, false},
    {71, 20, SiiValueType::rate, true, false, 1, {0.95}, true},
    {91, 20, SiiValueType::proportion, true, false, 1, {0.95}, true},
    {111, 20, SiiValueType::proportion, false, false, 100, {0.95}, true},
    {131, 20, SiiValueType::proportion, false, false, -100, {0.95}, true},
    {226, 20, SiiValueType::normal, true, false, 1, {0.95, 0.99}, true},
    {246, 20, SiiValueType::normal, false, false, 1, {0.95}, true},
    {266, 20, SiiValueType::rate, false, false, 1, {0.95}, true},
    {306, 20, SiiValueType::rate, false, true, 1, {0.95}, true},
    {326, 20, SiiValueType::proportion, false, true, 1, {0.95}, true},
    {346, 20, SiiValueType::proportion, false, true, -1, {0.95}, true},
    {366, 20, SiiValueType::rate, false, true, 1, {0.95, 0.98}, true},
    {386, 20, SiiValueType::rate, false, true, -1, {0.95}, true},
    {406, 20, SiiValueType::rate, false, true, 1, {0.98}, true},
    {426, 20, SiiValueType::rate, false, true, 1, {0.95}, true},
    {466, 20, SiiValueType::proportion, false, true, 1, {0.98}, true},
    {486, 20, SiiValueType::proportion, false, true, 1, {0.95, 0.98}, true},
};

struct Columns {
    std::vector<double> population, value, se, lower, upper;
    std::vector<std::size_t> offsets{0};
    std::vector<const UpstreamRow*> firsts;  // each area's first row (holds the expected values)
};

Columns columns_for(const Scenario& sc) {
    Columns c;
    std::string area;
    for (const auto& r : upstream()) {
        if (r.record < sc.first_record || r.record >= sc.first_record + sc.rows) continue;
        if (r.area != area) {
            if (!c.population.empty()) c.offsets.push_back(c.population.size());
            c.firsts.push_back(&r);
            area = r.area;
        }
        c.population.push_back(r.population);
        c.value.push_back(r.value);
        c.se.push_back(r.se);
        c.lower.push_back(r.lower);
        c.upper.push_back(r.upper);
    }
    c.offsets.push_back(c.population.size());
    return c;
}

SiiInput input_for(const Scenario& sc, const Columns& c) {
    SiiInput in;
    in.rows = c.population.size();
    in.population = c.population.data();
    in.value = c.value.data();
    if (sc.use_se) {
        in.se = c.se.data();
    } else {
        in.lower_cl = c.lower.data();
        in.upper_cl = c.upper.data();
    }
    in.offsets = c.offsets;
    return in;
}

SiiOptions options_for(const Scenario& sc, SiiMethod method, std::size_t reps) {
    SiiOptions o;
    o.value_type = sc.type;
    o.transform = sc.transform;
    o.multiplier = sc.multiplier;
    o.confidence = sc.levels;
    o.method = method;
    o.repetitions = reps;
    o.seed = 20240601;
    return o;
}

double relative(double a, double e) { return std::fabs(a - e) / std::fabs(e); }

// The upstream rule: mean |actual - expected| / mean |expected| over the compared numbers.
struct MeanRelative {
    double diff = 0, scale = 0;
    void add(double a, double e) {
        diff += std::fabs(a - e);
        scale += std::fabs(e);
    }
    double value() const { return diff / scale; }
};

void add_limits(MeanRelative& m, const SiiGroupResult& r, const UpstreamRow& e, std::size_t level, bool rii) {
    const std::string s = "_" + std::to_string(level + 1);
    m.add(r.sii_limits[level].lower, e.expected.at("sii_lowercl" + s));
    m.add(r.sii_limits[level].upper, e.expected.at("sii_uppercl" + s));
    if (rii) {
        m.add(r.rii_limits[level].lower, e.expected.at("rii_lowercl" + s));
        m.add(r.rii_limits[level].upper, e.expected.at("rii_uppercl" + s));
    }
}

}  // namespace

TEST_CASE("sii: point SII, RII and intercept match OHID's Excel tool on every upstream scenario") {
    for (const auto& sc : scenarios) {
        CAPTURE(sc.first_record);
        const Columns c = columns_for(sc);
        const auto res = fairer::slope_index_of_inequality(input_for(sc, c), options_for(sc, SiiMethod::simulation, 1000));
        REQUIRE(res.size() == c.firsts.size());
        for (std::size_t g = 0; g < res.size(); ++g) {
            const auto& e = c.firsts[g]->expected;
            CHECK(relative(res[g].sii, e.at("sii")) < 1e-9);
            if (!std::isnan(e.at("rii"))) CHECK(relative(res[g].rii, e.at("rii")) < 1e-9);
            if (!std::isnan(e.at("Intercept"))) CHECK(relative(res[g].intercept, e.at("Intercept")) < 1e-9);
        }
    }
}

TEST_CASE("sii: analytic limits agree with the Excel tool's simulated limits (upstream 0.05 rule)") {
    for (const auto& sc : scenarios) {
        if (!sc.check_limits || (sc.type != SiiValueType::normal && !sc.transform)) continue;
        CAPTURE(sc.first_record);
        const Columns c = columns_for(sc);
        const auto res = fairer::slope_index_of_inequality(input_for(sc, c), options_for(sc, SiiMethod::analytic, 1000));
        MeanRelative m;
        for (std::size_t g = 0; g < res.size(); ++g)
            for (std::size_t l = 0; l < sc.levels.size(); ++l) add_limits(m, res[g], *c.firsts[g], l, sc.first_record != 426);
        CHECK(m.value() < 0.05);
        // Excel used 100,000 draws: the analytic limits should be far inside the rule.
        CHECK(m.value() < 0.01);
    }
}

TEST_CASE("sii: simulated limits agree with the Excel tool (upstream 0.05 rule, 10,000 repetitions)") {
    for (const auto& sc : scenarios) {
        if (!sc.check_limits) continue;
        CAPTURE(sc.first_record);
        const Columns c = columns_for(sc);
        const auto res = fairer::slope_index_of_inequality(input_for(sc, c), options_for(sc, SiiMethod::simulation, 10000));
        MeanRelative m;
        for (std::size_t g = 0; g < res.size(); ++g)
            for (std::size_t l = 0; l < sc.levels.size(); ++l) add_limits(m, res[g], *c.firsts[g], l, sc.first_record != 426);
        CHECK(m.value() < 0.05);
    }
}

TEST_CASE("sii: simulation converges to the analytic limits (second method)") {
    // At R = 400,000 the Monte Carlo error of a 2.5% quantile is about 0.004 standard deviations of
    // the slope; allow 0.03 sd(beta) so that a wrong variance (even 1% off) fails.
    for (const auto& sc : scenarios) {
        if (sc.type != SiiValueType::normal && !sc.transform) continue;
        CAPTURE(sc.first_record);
        const Columns c = columns_for(sc);
        const auto in = input_for(sc, c);
        const auto sim = fairer::slope_index_of_inequality(in, options_for(sc, SiiMethod::simulation, 400000));
        const auto ana = fairer::slope_index_of_inequality(in, options_for(sc, SiiMethod::analytic, 1000));
        for (std::size_t g = 0; g < sim.size(); ++g) {
            for (std::size_t l = 0; l < sc.levels.size(); ++l) {
                const double z = fairer::z_value(sc.levels[l]);
                const double width = (ana[g].sii_limits[l].upper - ana[g].sii_limits[l].lower) / (2 * z);
                CHECK(std::fabs(sim[g].sii_limits[l].lower - ana[g].sii_limits[l].lower) < 0.03 * std::fabs(width));
                CHECK(std::fabs(sim[g].sii_limits[l].upper - ana[g].sii_limits[l].upper) < 0.03 * std::fabs(width));
                const double rw = std::fabs(ana[g].rii_limits[l].upper - ana[g].rii_limits[l].lower) / (2 * z);
                CHECK(std::fabs(sim[g].rii_limits[l].lower - ana[g].rii_limits[l].lower) < 0.03 * rw);
                CHECK(std::fabs(sim[g].rii_limits[l].upper - ana[g].rii_limits[l].upper) < 0.03 * rw);
            }
        }
    }
}

TEST_CASE("sii: the analytic variance equals the weighted least-squares formula") {
    // var(beta) = sum_k [a_k (b_k - bbar) / S]^2 se_k^2, bbar = sum a b, S = sum a (b - bbar)^2:
    // the slope of a regression with weights a_k, written out independently of the matrix form.
    const Scenario sc = scenarios[0];
    const Columns c = columns_for(sc);
    const auto ana = fairer::slope_index_of_inequality(input_for(sc, c), options_for(sc, SiiMethod::analytic, 1000));
    for (std::size_t g = 0; g < ana.size(); ++g) {
        const std::size_t b0 = c.offsets[g], q = c.offsets[g + 1] - b0;
        double total = 0;
        for (std::size_t k = 0; k < q; ++k) total += c.population[b0 + k];
        std::vector<double> a(q), b(q);
        double cum = 0, bbar = 0;
        for (std::size_t k = 0; k < q; ++k) {
            a[k] = c.population[b0 + k] / total;
            b[k] = cum + a[k] / 2;
            cum += a[k];
            bbar += a[k] * b[k];
        }
        double s = 0, slope = 0, var = 0;
        for (std::size_t k = 0; k < q; ++k) s += a[k] * (b[k] - bbar) * (b[k] - bbar);
        for (std::size_t k = 0; k < q; ++k) {
            const double wk = a[k] * (b[k] - bbar) / s;
            slope += wk * c.value[b0 + k];
            var += wk * wk * c.se[b0 + k] * c.se[b0 + k];
        }
        CHECK(relative(ana[g].sii, slope) < 1e-12);
        const double z = fairer::z_value(0.95);
        CHECK(relative(ana[g].sii_limits[0].lower, slope - z * std::sqrt(var)) < 1e-12);
        CHECK(relative(ana[g].sii_limits[0].upper, slope + z * std::sqrt(var)) < 1e-12);
    }
}

TEST_CASE("sii: the seed makes the simulation reproducible") {
    const Scenario sc = scenarios[0];
    const Columns c = columns_for(sc);
    const auto in = input_for(sc, c);
    auto o = options_for(sc, SiiMethod::simulation, 2000);
    const auto a = fairer::slope_index_of_inequality(in, o);
    const auto b = fairer::slope_index_of_inequality(in, o);
    o.seed += 1;
    const auto d = fairer::slope_index_of_inequality(in, o);
    CHECK(a[0].sii_limits[0].lower == b[0].sii_limits[0].lower);
    CHECK(a[1].rii_limits[0].upper == b[1].rii_limits[0].upper);
    CHECK(a[0].sii_limits[0].lower != d[0].sii_limits[0].lower);
}

TEST_CASE("sii: the reliability statistic matches the sampling error of an order statistic") {
    // For a normal slope with sd s, the p-quantile of R draws has standard error
    // s sqrt(p (1 - p) / R) / phi(z_p); two independent blocks differ by 2 se / sqrt(pi) on average.
    const Scenario sc = scenarios[0];
    const Columns c = columns_for(sc);
    const auto in = input_for(sc, c);
    auto o = options_for(sc, SiiMethod::simulation, 20000);
    o.reliability = true;
    const auto sim = fairer::slope_index_of_inequality(in, o);
    const auto ana = fairer::slope_index_of_inequality(in, options_for(sc, SiiMethod::analytic, 1000));
    const double z = fairer::z_value(0.95);
    const boost::math::normal nd;
    for (std::size_t g = 0; g < sim.size(); ++g) {
        const double sd = (ana[g].sii_limits[0].upper - ana[g].sii_limits[0].lower) / (2 * z);
        const double se = sd * std::sqrt(0.025 * 0.975 / 20000.0) / boost::math::pdf(nd, z);
        const double expected = 2 * se / std::sqrt(3.14159265358979323846);
        REQUIRE(sim[g].sii_mad.size() == 1);
        // 18 differences, each with a coefficient of variation of about 0.75: allow 45%.
        CHECK(relative(sim[g].sii_mad[0], expected) < 0.45);
    }
}

TEST_CASE("sii: errors name the problem, group and row") {
    const Scenario sc = scenarios[0];
    Columns c = columns_for(sc);
    auto o = options_for(sc, SiiMethod::simulation, 1000);
    o.repetitions = 999;
    CHECK_THROWS_WITH_AS(fairer::slope_index_of_inequality(input_for(sc, c), o),
                         doctest::Contains("number of repetitions must be 1000 or greater"), fairer::InequalityError);
    o = options_for(sc, SiiMethod::simulation, 1000);
    o.confidence = {0.8};
    CHECK_THROWS_WITH_AS(fairer::slope_index_of_inequality(input_for(sc, c), o),
                         doctest::Contains("between 90 and 100 or between 0.9 and 1"), fairer::InequalityError);
    o.confidence = {0.95, 95};
    CHECK_THROWS_AS(fairer::slope_index_of_inequality(input_for(sc, c), o), fairer::InequalityError);
    o = options_for(sc, SiiMethod::simulation, 1000);
    o.transform = true;
    CHECK_THROWS_WITH_AS(fairer::slope_index_of_inequality(input_for(sc, c), o),
                         doctest::Contains("value_type should be 1 or 2 when transform is true"), fairer::InequalityError);
    o = options_for(sc, SiiMethod::analytic, 1000);
    o.value_type = SiiValueType::rate;
    CHECK_THROWS_WITH_AS(fairer::slope_index_of_inequality(input_for(sc, c), o), doctest::Contains("linear"),
                         fairer::InequalityError);
    o = options_for(sc, SiiMethod::simulation, 1000);
    c.population[13] = 0;
    CHECK_THROWS_WITH_AS(fairer::slope_index_of_inequality(input_for(sc, c), o),
                         doctest::Contains("zero, negative or missing population (group 2, row 13"), fairer::InequalityError);
    c = columns_for(sc);
    c.se[4] = -1;
    CHECK_THROWS_WITH_AS(fairer::slope_index_of_inequality(input_for(sc, c), o),
                         doctest::Contains("negative or missing standard errors"), fairer::InequalityError);
    c = columns_for(sc);
    c.offsets = {0, 4, 20};
    CHECK_THROWS_WITH_AS(fairer::slope_index_of_inequality(input_for(sc, c), o),
                         doctest::Contains("Number of quantiles must be between 5 and 100"), fairer::InequalityError);
}

TEST_CASE("sii: a missing value gives missing results for its group only") {
    const Scenario sc = scenarios[0];
    Columns c = columns_for(sc);
    c.value[3] = std::numeric_limits<double>::quiet_NaN();
    const auto res = fairer::slope_index_of_inequality(input_for(sc, c), options_for(sc, SiiMethod::simulation, 1000));
    CHECK(std::isnan(res[0].sii));
    CHECK(std::isnan(res[0].sii_limits[0].lower));
    CHECK(relative(res[1].sii, c.firsts[1]->expected.at("sii")) < 1e-9);
}

TEST_CASE("ziggurat: tables close and the deviates are standard normal") {
    const fairer::detail::ZigguratNormal normal;
    const auto& x = normal.edges();
    // The top layer must have the common area v: x_255 (1 - f(x_255)) = v.
    CHECK(std::fabs(x[255] * (1 - std::exp(-0.5 * x[255] * x[255])) - fairer::detail::ZigguratNormal::v) < 1e-9);
    std::mt19937_64 engine(42);
    const std::size_t n = 1000000;
    std::vector<double> d(n);
    double sum = 0, sum2 = 0;
    std::size_t tail = 0;
    for (auto& v : d) {
        v = normal(engine);
        sum += v;
        sum2 += v * v;
        if (std::fabs(v) > fairer::detail::ZigguratNormal::r) ++tail;
    }
    CHECK(std::fabs(sum / n) < 5 / std::sqrt(double(n)));
    CHECK(std::fabs(sum2 / n - 1) < 5 * std::sqrt(2.0 / n));
    const boost::math::normal nd;
    const double p_tail = 2 * boost::math::cdf(boost::math::complement(nd, fairer::detail::ZigguratNormal::r));
    CHECK(std::fabs(double(tail) / n - p_tail) < 5 * std::sqrt(p_tail / n));
    // Kolmogorov-Smirnov against Phi: 1.95 / sqrt(n) is the 0.1% critical value.
    std::sort(d.begin(), d.end());
    double ks = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double p = boost::math::cdf(nd, d[i]);
        ks = std::max({ks, std::fabs(p - double(i) / n), std::fabs(p - double(i + 1) / n)});
    }
    CHECK(ks < 1.95 / std::sqrt(double(n)));
}

TEST_CASE("sii: the sampled bracket selection returns the same order statistics as a partial sort") {
    fairer::detail::Xoshiro256pp engine{7, 0};
    const fairer::detail::ZigguratNormal normal;
    std::vector<double> draws(100000);
    for (auto& d : draws) d = normal(engine);
    const std::vector<std::size_t> ks{1, 100, 2500, 50000, 97500, 99900, 100000};
    auto a = draws;
    const auto got = fairer::detail::order_statistics(a, 0, a.size(), ks);
    for (std::size_t j = 0; j < ks.size(); ++j) {
        CAPTURE(ks[j]);
        auto b = draws;
        CHECK(got[j] == fairer::detail::order_statistic_full(b, 0, b.size(), ks[j]));
    }
    // A sub-range, as the reliability blocks use.
    a = draws;
    auto b = draws;
    CHECK(fairer::detail::order_statistics(a, 30000, 60000, {750})[0] ==
          fairer::detail::order_statistic_full(b, 30000, 60000, 750));
}

TEST_CASE("sii: results do not depend on the number of threads, and a failing progress callback stops the run") {
    const Scenario sc = scenarios[0];
    const Columns c = columns_for(sc);
    const auto in = input_for(sc, c);
    auto o = options_for(sc, SiiMethod::simulation, 3000);
    o.threads = 1;
    const auto one = fairer::slope_index_of_inequality(in, o);
    o.threads = 3;
    std::size_t calls = 0;
    o.progress = [&calls](std::size_t, std::size_t total) {
        ++calls;
        CHECK(total == 2);
    };
    const auto three = fairer::slope_index_of_inequality(in, o);
    CHECK(calls == 2);
    for (std::size_t g = 0; g < 2; ++g) {
        CHECK(one[g].sii_limits[0].lower == three[g].sii_limits[0].lower);
        CHECK(one[g].rii_limits[0].upper == three[g].rii_limits[0].upper);
    }
    o.progress = [](std::size_t, std::size_t) { throw std::runtime_error("interrupted"); };
    CHECK_THROWS_WITH_AS(fairer::slope_index_of_inequality(in, o), "interrupted", std::runtime_error);
}
