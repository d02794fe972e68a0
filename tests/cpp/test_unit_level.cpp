#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/detail/exact_sum.hpp"
#include "fairer/unit_level.hpp"

using fairer::ConcentrationKind;
using fairer::ConcentrationOptions;
using fairer::DistributionView;
using fairer::UnitLevelAccumulator;
using fairer::UnitLevelChunk;
using fairer::UnitLevelOptions;
using fairer::UnitLevelResult;

namespace {

doctest::Approx rel(double expected) { return doctest::Approx(expected).scale(0.0); }

struct Data {
    std::vector<double> y, w, rank;
    std::vector<std::int64_t> group;
    UnitLevelChunk chunk(std::size_t from, std::size_t to, bool weighted = true) const {
        UnitLevelChunk c;
        c.outcome = y.data() + from;
        c.weights = weighted ? w.data() + from : nullptr;
        c.rank = rank.data() + from;
        c.group = group.data() + from;
        c.size = to - from;
        return c;
    }
};

Data make_data(std::size_t n, unsigned seed) {
    std::mt19937_64 gen(seed);
    std::uniform_int_distribution<int> ranks(1, 40);
    std::poisson_distribution<int> outcome(30);
    std::uniform_real_distribution<double> weight(0.2, 3.0);
    std::uniform_int_distribution<int> groups(0, 4);
    Data d;
    for (std::size_t i = 0; i < n; ++i) {
        const int r = ranks(gen);
        d.rank.push_back(r);
        d.y.push_back(outcome(gen) * 0.25 + 0.05 * r);
        d.w.push_back(weight(gen));
        d.group.push_back(groups(gen) * 10);
    }
    return d;
}

UnitLevelOptions options() {
    UnitLevelOptions o;
    o.atkinson_epsilons = {0.5, 2.0};
    return o;
}

// Bitwise comparison of everything result() reports.
void same(const UnitLevelResult& a, const UnitLevelResult& b) {
    CHECK(a.rows == b.rows);
    CHECK(a.mean == b.mean);
    CHECK(a.total_weight == b.total_weight);
    CHECK(a.gini == b.gini);
    CHECK(a.theil_t == b.theil_t);
    CHECK(a.theil_l == b.theil_l);
    REQUIRE(a.atkinson.size() == b.atkinson.size());
    for (std::size_t k = 0; k < a.atkinson.size(); ++k) {
        CHECK(a.atkinson[k].index == b.atkinson[k].index);
        CHECK(a.atkinson[k].ede == b.atkinson[k].ede);
    }
    CHECK(a.theil_t_groups.between == b.theil_t_groups.between);
    CHECK(a.theil_l_groups.within == b.theil_l_groups.within);
    CHECK(a.concentration.estimate == b.concentration.estimate);
    CHECK(a.concentration.se == b.concentration.se);
}

}  // namespace

TEST_CASE("ExactSum is exact and independent of order") {
    fairer::detail::ExactSum s;
    for (double x : {1e100, 1.0, -1e100}) s.add(x);
    CHECK(s.value() == 1.0);
    fairer::detail::ExactSum tenth;
    for (int k = 0; k < 10; ++k) tenth.add(0.1);
    CHECK(tenth.value() == 1.0);  // math.fsum([0.1] * 10) == 1.0, whereas naive summation gives 0.9999999999999999
    fairer::detail::ExactSum tiny;
    tiny.add(5e-324);
    tiny.add(5e-324);
    CHECK(tiny.value() == 1e-323);
    fairer::detail::ExactSum negative;
    negative.add(-2.5);
    negative.add(0.75);
    CHECK(negative.value() == -1.75);

    std::mt19937_64 gen(7);
    std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
    std::uniform_int_distribution<int> exponent(-60, 60);
    std::vector<double> xs;
    for (int k = 0; k < 2000; ++k) xs.push_back(std::ldexp(mantissa(gen), exponent(gen)));
    fairer::detail::ExactSum forward;
    for (double x : xs) forward.add(x);
    const double expected = forward.value();
    for (int trial = 0; trial < 5; ++trial) {
        std::shuffle(xs.begin(), xs.end(), gen);
        fairer::detail::ExactSum a, b;
        for (std::size_t k = 0; k < xs.size(); ++k) (k % 3 == 0 ? a : b).add(xs[k]);
        b.merge(a);
        CHECK(b.value() == expected);
    }
    // x and -x cancel exactly, leaving nothing
    fairer::detail::ExactSum cancel;
    for (double x : xs) {
        cancel.add(x);
        cancel.add(-x);
    }
    CHECK(cancel.value() == 0.0);
    fairer::detail::ExactSum special;
    special.add(std::numeric_limits<double>::quiet_NaN());
    CHECK(std::isnan(special.value()));
}

TEST_CASE("chunked, merged and one-shot results are identical bit for bit") {
    const Data d = make_data(20000, 11);
    UnitLevelAccumulator one(options());
    one.add(d.chunk(0, d.y.size()));
    const auto expected = one.result();

    std::mt19937_64 gen(3);
    for (int trial = 0; trial < 3; ++trial) {
        std::vector<UnitLevelAccumulator> parts;
        std::size_t at = 0;
        while (at < d.y.size()) {
            const std::size_t len = std::min<std::size_t>(d.y.size() - at, 1 + gen() % 3000);
            parts.emplace_back(options());
            parts.back().add(d.chunk(at, at + len));
            at += len;
        }
        // sequential feeding into one accumulator
        UnitLevelAccumulator seq(options());
        at = 0;
        for (std::size_t len : {std::size_t{1}, std::size_t{999}, std::size_t{7000}, d.y.size() - 8000}) {
            seq.add(d.chunk(at, at + len));
            at += len;
        }
        same(seq.result(), expected);
        // merging the parts in a shuffled order as a tree
        std::shuffle(parts.begin(), parts.end(), gen);
        while (parts.size() > 1) {
            std::vector<UnitLevelAccumulator> next;
            for (std::size_t k = 0; k + 1 < parts.size(); k += 2) {
                next.push_back(parts[k + 1]);
                next.back().merge(parts[k]);
            }
            if (parts.size() % 2) next.push_back(parts.back());
            parts.swap(next);
        }
        same(parts.front().result(), expected);
    }
}

TEST_CASE("a chunk longer than the rank block gives the same state as small chunks") {
    // Rank bins are filled block by block (2^20 rows); a chunk of 2^20 + 1234 rows with missing rows
    // on both sides of the block boundary must match feeding the same rows in chunks of 1000.
    const std::size_t n = (std::size_t{1} << 20) + 1234;
    Data d = make_data(n, 5);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t at : {std::size_t{0}, (std::size_t{1} << 20) - 1, std::size_t{1} << 20, n - 1}) d.y[at] = nan;
    d.rank[(std::size_t{1} << 20) + 1] = nan;
    UnitLevelAccumulator big(options());
    big.add(d.chunk(0, n));
    UnitLevelAccumulator small(options());
    for (std::size_t at = 0; at < n; at += 1000) small.add(d.chunk(at, std::min(n, at + 1000)));
    CHECK(big.missing() == 5);
    same(big.result({}, true), small.result({}, true));
    CHECK(big.result({}, true).distinct_ranks == 40);
}

TEST_CASE("unit-level results agree with the grouped functions on the same rows") {
    const Data d = make_data(5000, 5);
    UnitLevelAccumulator acc(options());
    acc.add(d.chunk(0, 2500));
    acc.add(d.chunk(2500, 5000));
    const auto r = acc.result();
    const DistributionView view(d.y, d.w);
    CHECK(r.gini == rel(fairer::gini(view)).epsilon(1e-12));
    CHECK(r.theil_t == rel(fairer::theil_t(view)).epsilon(1e-10));
    CHECK(r.theil_l == rel(fairer::theil_l(view)).epsilon(1e-10));
    CHECK(r.atkinson[0].index == rel(fairer::atkinson(view, 1.0).index).epsilon(1e-10));
    CHECK(r.atkinson[1].index == rel(fairer::atkinson(view, 0.5).index).epsilon(1e-10));
    CHECK(r.atkinson[2].ede == rel(fairer::atkinson(view, 2.0).ede).epsilon(1e-12));
    const auto dec = fairer::theil_decomposition(view, d.group.data(), fairer::TheilKind::t);
    // the between part is small (1e-5) here, so ln(s/P) loses digits to cancellation in both methods
    CHECK(r.theil_t_groups.between == rel(dec.between).epsilon(1e-8));
    CHECK(r.theil_t_groups.within == rel(dec.within).epsilon(1e-10));
    const auto decl = fairer::theil_decomposition(view, d.group.data(), fairer::TheilKind::l);
    CHECK(r.theil_l_groups.between == rel(decl.between).epsilon(1e-8));
    CHECK(r.theil_l_groups.within == rel(decl.within).epsilon(1e-10));
    CHECK(r.theil_l_groups.groups.size() == 5);
    const auto ci = fairer::concentration_index(view, d.rank.data());
    CHECK(r.concentration.estimate == rel(ci.estimate).epsilon(1e-12));
    CHECK(r.concentration.se == rel(ci.se).epsilon(1e-8));
    CHECK(r.distinct_ranks == 40);
}

TEST_CASE("unit-level concentration index reproduces healthequal's survey ACI point estimate") {
    // hq_vignette_expected.csv: ACI of sba over wealth quintiles on the individual sample with
    // survey weights = 0.07801353 (printed to 7 significant digits). The point estimate of the
    // survey-weighted regression is the weighted concentration index with tied quintiles.
    auto reader = fairer::detail::CsvReader::from_file(std::string(FAIRER_SHARED_DIR) +
                                                      "/reference/inequality/hq_individual_sample_input.csv");
    std::vector<std::string_view> f;
    REQUIRE(reader.next(f));
    std::vector<double> y, w, rank;
    while (reader.next(f)) {
        double v = 0;
        REQUIRE(fairer::detail::parse_double(f[6], v));
        y.push_back(v);
        REQUIRE(fairer::detail::parse_double(f[3], v));
        w.push_back(v);
        REQUIRE(fairer::detail::parse_double(f[5], v));
        rank.push_back(v);
    }
    UnitLevelAccumulator acc;
    for (std::size_t at = 0; at < y.size(); at += 4000) {
        UnitLevelChunk c;
        c.outcome = y.data() + at;
        c.weights = w.data() + at;
        c.rank = rank.data() + at;
        c.size = std::min<std::size_t>(4000, y.size() - at);
        acc.add(c);
    }
    ConcentrationOptions o;
    o.kind = ConcentrationKind::generalized;
    CHECK(acc.result(o).concentration.estimate == rel(0.07801353).epsilon(1e-6));
    CHECK(acc.result().distinct_outcomes == 2);
}

TEST_CASE("unit-level missing rows and bad input") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> y{1, nan, 3, 4};
    std::vector<double> rank{1, 2, 3, 4};
    UnitLevelChunk c;
    c.outcome = y.data();
    c.rank = rank.data();
    c.size = y.size();
    UnitLevelAccumulator acc;
    acc.add(c);
    CHECK(acc.missing() == 1);
    CHECK(std::isnan(acc.result().gini));
    CHECK(std::isnan(acc.result().concentration.estimate));
    const auto skipped = acc.result({}, true);
    const std::vector<double> complete{1, 3, 4};
    CHECK(skipped.gini == rel(fairer::gini(DistributionView(complete))).epsilon(1e-14));
    CHECK(skipped.rows == 4);

    // a negative outcome names the row counted over all chunks, and leaves the state unchanged
    std::vector<double> bad{2, -1};
    UnitLevelChunk b;
    b.outcome = bad.data();
    b.rank = rank.data();
    b.size = 2;
    CHECK_THROWS_WITH_AS(acc.add(b), doctest::Contains("row 6"), fairer::InequalityError);
    CHECK(acc.rows() == 4);
    // a chunk without the rank column after chunks with one
    b.rank = nullptr;
    CHECK_THROWS_AS(acc.add(b), fairer::InequalityError);

    UnitLevelOptions small;
    small.max_distinct = 2;
    UnitLevelAccumulator limited(small);
    std::vector<double> many{1, 2, 3};
    UnitLevelChunk m;
    m.outcome = many.data();
    m.size = 3;
    CHECK_THROWS_WITH_AS(limited.add(m), doctest::Contains("distinct outcome"), fairer::InequalityError);
    CHECK_THROWS_AS(limited.result(), fairer::InequalityError);
}
