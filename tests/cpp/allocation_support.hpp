// Shared by the allocation test files: inputs of the spec's worked examples (specs/allocation.md
// §14; the expected figures stay in each test) and the error code a call raises.
#pragma once

#include <string>

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

}  // namespace allocation_support
