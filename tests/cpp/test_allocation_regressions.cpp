// Cases that property tests (tests/python/test_allocation_invariants.py) once found failing,
// kept as fixed examples so they are checked on every run, not only when hypothesis finds them.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "fairer/allocation.hpp"

TEST_CASE("largest remainder keeps the exact total when quotas exceed 1e8 units") {
    // 1e-9·|q| reaches a whole unit for quotas above 1e9, so snapping to the nearest integer
    // pushed Σ⌊q⌋ past the total (I10 found it: E99 "-1 units left over"). Total = 15738102·231.
    const std::int64_t total = 15738102LL * 231LL;
    const std::vector<double> amounts{8592.0, 40276.0, 45489.0};
    const std::vector<std::string> ids{"u07", "u08", "u09"};
    const auto out = fairer::largest_remainder(amounts, total, 1, ids);
    CHECK(std::accumulate(out.begin(), out.end(), std::int64_t{0}) == total);
    // Each unit gets the floor or the ceiling of its exact quota (I4), computed here in long double.
    const long double sum = 8592.0L + 40276.0L + 45489.0L;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const long double q = static_cast<long double>(amounts[i]) * static_cast<long double>(total) / sum;
        CHECK(static_cast<long double>(out[i]) >= std::floor(q));
        CHECK(static_cast<long double>(out[i]) <= std::ceil(q));
    }
}

TEST_CASE("per-capita bounded fit when the only kink rounds onto the solution") {
    // a = 26384, floor 9999.999999999998, no cap, T = 10000: the kink (L − a)/P rounds to −16384,
    // where F already equals T; the unit must end at 10000, not at its unmoved proposal (I12).
    const std::vector<double> a{26384.0};
    const std::vector<double> lo{9999.999999999998};
    const std::vector<double> hi{std::numeric_limits<double>::infinity()};
    const std::vector<double> pop{1.0};
    const auto fit = fairer::bounded_fit(a, lo, hi, 10000, fairer::Redistribution::per_capita, pop);
    REQUIRE(fit.allocation.size() == 1);
    CHECK(fit.allocation[0] == doctest::Approx(10000.0).epsilon(1e-12));
}
