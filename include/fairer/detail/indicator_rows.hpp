// Row checks and group sums shared by the crude indicator methods (proportion, rate). Missing
// values (NaN) pass the checks and propagate through the sums, as R's sum() does without na.rm.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "fairer/confidence_intervals.hpp"
#include "fairer/errors.hpp"
#include "fairer/row_groups.hpp"

namespace fairer {

// A read-only column of numbers; numpy float64 arrays bind to it without a copy.
using ConstColumn = Eigen::Ref<const Eigen::ArrayXd>;

namespace detail {

inline void check_lengths(const ConstColumn& x, const ConstColumn& n, const RowGroups* groups) {
    if (x.size() != n.size())
        throw StatisticsError("numerator and denominator lengths differ: " + std::to_string(x.size()) + " and " +
                              std::to_string(n.size()));
    if (groups != nullptr) groups->check(static_cast<std::size_t>(x.size()));
}

// Numerators: missing allowed; otherwise finite and >= 0 (package message kept as the prefix).
inline void check_numerators(const ConstColumn& x, const RowGroups* groups) {
    for (Eigen::Index i = 0; i < x.size(); ++i) {
        const double v = x[i];
        if (v < 0.0 || std::isinf(v))
            throw StatisticsError("numerators must be greater than or equal to zero and finite: " +
                                  where(groups, static_cast<std::size_t>(i)) + " has " + number_text(v));
    }
}

// Denominators: missing allowed; otherwise finite and > 0.
inline void check_denominators(const ConstColumn& n, const RowGroups* groups) {
    for (Eigen::Index i = 0; i < n.size(); ++i) {
        const double v = n[i];
        if (v <= 0.0 || std::isinf(v))
            throw StatisticsError("denominators must be greater than zero and finite: " +
                                  where(groups, static_cast<std::size_t>(i)) + " has " + number_text(v));
    }
}

inline void check_multiplier(double multiplier) {
    if (!(multiplier > 0.0) || !std::isfinite(multiplier))
        throw StatisticsError("multiplier must be a finite number greater than zero, got " + number_text(multiplier));
}

// Levels as fractions (percent rule applied), each in (0, 1).
inline std::vector<double> scaled_levels(const std::vector<double>& confidence) {
    std::vector<double> out;
    out.reserve(confidence.size());
    for (double c : confidence) out.push_back(scale_confidence(c));
    return out;
}

inline std::vector<double> sum_by_group(const ConstColumn& v, const RowGroups& groups) {
    std::vector<double> sums(groups.size(), 0.0);
    for (Eigen::Index i = 0; i < v.size(); ++i) sums[groups.codes[static_cast<std::size_t>(i)]] += v[i];
    return sums;
}

// The counts a statistic is computed from: the input rows, or with groups the group sums, which
// are stored in numerator and denominator (the result reports them).
struct CountRows {
    const double* x;
    const double* n;
    std::size_t size;
};

inline CountRows count_rows(const ConstColumn& x, const ConstColumn& n, const RowGroups* groups,
                            std::vector<double>& numerator, std::vector<double>& denominator) {
    if (groups == nullptr) return {x.data(), n.data(), static_cast<std::size_t>(x.size())};
    numerator = sum_by_group(x, *groups);
    denominator = sum_by_group(n, *groups);
    return {numerator.data(), denominator.data(), numerator.size()};
}

}  // namespace detail
}  // namespace fairer
