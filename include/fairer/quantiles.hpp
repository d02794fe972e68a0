// Assigning deprivation quantiles to small areas, by the rules of the PHE/OHID "Assigning
// Deprivation Categories" guidance as implemented in PHEindicatormethods 2.1.0 (phe_quantile,
// restated in specs/indicator-methods.md §9).
//
// Per group, with N non-missing values and Q quantiles:
//   r = rank(-v) if invert else rank(v)     (ties take the lowest rank; missing stays missing)
//   quantile = floor((Q + 1) - ceiling(((N + 1) - r) / (N / Q))), and 0 becomes 1
//   if N < Q every quantile in the group is missing.
// With invert (the default) the highest values go to quantile 1, so for an IMD score decile 1 is
// the most deprived. Tied values share a quantile, so quantiles can differ in size; the guidance
// advises a manual review of such boundaries.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "fairer/errors.hpp"

namespace fairer {

struct QuantileAssignment {
    std::vector<double> quantile;          // per row, NaN where none is assigned
    std::size_t groups_without_quantiles;  // groups with no value assigned (N < Q), for the package's warning
};

// Quantiles for one group's values, in the given order (formula above). Missing values (NaN)
// get NaN.
inline std::vector<double> quantiles_of(const std::vector<double>& values, int nquantiles, bool invert) {
    if (nquantiles < 1) throw InequalityError("nquantiles must be a positive whole number, got " + std::to_string(nquantiles));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> out(values.size(), nan);
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isnan(values[i])) idx.push_back(i);
    const std::size_t n = idx.size();
    if (n < static_cast<std::size_t>(nquantiles)) return out;
    const auto key = [&](std::size_t i) { return invert ? -values[i] : values[i]; };
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
    const double q = static_cast<double>(nquantiles);
    const double nd = static_cast<double>(n);
    const double size = nd / q;  // the package divides by N / Q in floating point: copied
    double rank = 1.0;
    for (std::size_t j = 0; j < n; ++j) {
        if (j == 0 || key(idx[j]) != key(idx[j - 1])) rank = static_cast<double>(j + 1);
        double v = std::floor((q + 1.0) - std::ceil(((nd + 1.0) - rank) / size));
        if (v == 0.0) v = 1.0;
        out[idx[j]] = v;
    }
    return out;
}

// Quantiles for every row of grouped data (phe_quantile): group[i] is row i's group number in
// [0, groups) (nullptr = one group) and invert[g] the direction for group g. Row order is kept.
inline QuantileAssignment assign_quantiles(const double* values, std::size_t rows, const std::uint32_t* group,
                                           std::size_t groups, const std::vector<bool>& invert, int nquantiles) {
    if (groups == 0 && rows > 0) throw InequalityError("rows were given but no groups");
    if (invert.size() != groups)
        throw InequalityError("one invert flag per group is required (" + std::to_string(groups) + " groups, " +
                              std::to_string(invert.size()) + " flags)");
    std::vector<std::vector<std::size_t>> members(groups);
    for (std::size_t i = 0; i < rows; ++i) {
        const std::size_t g = group == nullptr ? 0 : group[i];
        if (g >= groups)
            throw InequalityError("row " + std::to_string(i) + " has group number " + std::to_string(g) + ", but there are " +
                                  std::to_string(groups) + " groups");
        members[g].push_back(i);
    }
    QuantileAssignment out{std::vector<double>(rows, std::numeric_limits<double>::quiet_NaN()), 0};
    std::vector<double> v;
    for (std::size_t g = 0; g < groups; ++g) {
        v.clear();
        for (std::size_t i : members[g]) v.push_back(values[i]);
        const auto q = quantiles_of(v, nquantiles, invert[g]);
        bool any = false;
        for (std::size_t j = 0; j < q.size(); ++j) {
            out.quantile[members[g][j]] = q[j];
            any = any || !std::isnan(q[j]);
        }
        if (!any) ++out.groups_without_quantiles;
    }
    return out;
}

}  // namespace fairer
