// Shared by the allocation test files: inputs of the spec's worked examples (specs/allocation.md
// §14; the expected figures stay in each test) and the error code a call raises.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "fairer/allocation.hpp"

namespace allocation_support {

// The code ("E1" ... "E10") of the AllocationError f() throws, or "" when it throws none.
template <class F>
std::string error_code(F f) {
    try {
        f();
    } catch (const fairer::AllocationError& e) {
        return e.code();
    }
    return "";
}

// Example 1: four units, populations 10,000 to 40,000, need indices 2.0, 1.5, 1.0, 0.5.
inline fairer::AllocationUnits example1_units() {
    fairer::AllocationUnits u;
    u.ids = {"A", "B", "C", "D"};
    u.population = {10000, 20000, 30000, 40000};
    u.add_indicator("need", {2.0, 1.5, 1.0, 0.5});
    return u;
}

// One component whose need index is the column "need" as given, with universal share alpha.
inline fairer::AllocationParameters direct_need(double alpha) {
    fairer::AllocationParameters p;
    p.universal_share = alpha;
    p.components = {{"need", fairer::NeedSpec::direct("need"), 1.0}};
    return p;
}

// Σ clamp(o + t·w, L, U) = total solved by bisection on t in [left, right] (right doubled until F
// reaches the total), 300 halvings: the second method the breakpoint solver is checked against.
// Returns clamp(o + t·w, L, U) at the upper end.
inline std::vector<double> bisect_fit(const std::vector<double>& o, const std::vector<double>& w,
                                      const std::vector<double>& lo, const std::vector<double>& hi, double total,
                                      double left, double right) {
    auto f = [&](double t) {
        long double s = 0.0L;
        for (std::size_t i = 0; i < o.size(); ++i) s += std::min(std::max(o[i] + t * w[i], lo[i]), hi[i]);
        return s;
    };
    while (f(right) < total) right *= 2.0;
    for (int k = 0; k < 300; ++k) {
        const double mid = 0.5 * (left + right);
        (f(mid) < total ? left : right) = mid;
    }
    std::vector<double> x(o.size());
    for (std::size_t i = 0; i < o.size(); ++i) x[i] = std::min(std::max(o[i] + right * w[i], lo[i]), hi[i]);
    return x;
}

}  // namespace allocation_support
