// Means with Student's t limits: PHEindicatormethods phe_mean (R/Means.R),
// specs/indicator-methods.md §4.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <boost/accumulators/accumulators.hpp>
#include <boost/accumulators/statistics/count.hpp>
#include <boost/accumulators/statistics/stats.hpp>
#include <boost/accumulators/statistics/sum.hpp>
#include <boost/accumulators/statistics/variance.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "fairer/confidence_intervals.hpp"
#include "fairer/detail/indicator_rows.hpp"
#include "fairer/row_groups.hpp"

namespace fairer {

struct MeanResult {
    std::vector<double> value_sum;    // per group (one entry when ungrouped)
    std::vector<double> value_count;  // rows in the group, missing ones included (as the package)
    std::vector<double> stdev;        // sample standard deviation (n - 1)
    std::vector<double> value;        // value_sum / value_count
    std::vector<double> confidence;   // the levels, as fractions
    std::vector<std::vector<double>> lower;  // lower[level][group]
    std::vector<std::vector<double>> upper;
};

// The mean of x per group (one group when ungrouped) with Student's t limits:
//   value = sum(x) / k,  limits = value -/+ t^-1((1 + c)/2; k - 1) * s / sqrt(k),
// k the number of rows and s the sample standard deviation. Reference: Student (1908)
// Biometrika 6:1-25; PHEindicatormethods 2.1.0 phe_mean. Default 95%.
// Copied from the package: one missing x makes the group's sum, stdev, value and limits missing
// while k still counts it; a one-row group has no stdev and NaN limits (the package warns, and so
// does fairer's Python layer). Throws StatisticsError for mismatched group codes or a bad level.
inline MeanResult mean(const ConstColumn& x, const std::vector<double>& confidence = {0.95},
                       const RowGroups* groups = nullptr) {
    namespace acc = boost::accumulators;
    using Stats = acc::accumulator_set<double, acc::stats<acc::tag::count, acc::tag::sum, acc::tag::variance>>;
    if (groups != nullptr) groups->check(static_cast<std::size_t>(x.size()));

    MeanResult r;
    r.confidence = detail::scaled_levels(confidence);
    const std::size_t k = groups != nullptr ? groups->size() : 1;
    std::vector<Stats> stats(k);
    for (Eigen::Index i = 0; i < x.size(); ++i)
        stats[groups != nullptr ? groups->codes[static_cast<std::size_t>(i)] : 0](x[i]);

    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    for (const Stats& s : stats) {
        const auto count = static_cast<double>(acc::count(s));
        r.value_count.push_back(count);
        r.value_sum.push_back(count > 0 ? acc::sum(s) : 0.0);
        // Boost's variance divides by k; rescale to the sample variance (k - 1).
        r.stdev.push_back(count > 1 ? std::sqrt(acc::variance(s) * count / (count - 1.0)) : nan);
        r.value.push_back(r.value_sum.back() / count);
    }
    for (double c : r.confidence) {
        std::vector<double> lo(k), hi(k);
        for (std::size_t g = 0; g < k; ++g) {
            const double df = r.value_count[g] - 1.0;
            const double t =
                df > 0 ? boost::math::quantile(boost::math::students_t(df), (1.0 + c) / 2.0) : nan;
            const double half = t * r.stdev[g] / std::sqrt(r.value_count[g]);
            lo[g] = r.value[g] - half;
            hi[g] = r.value[g] + half;
        }
        r.lower.push_back(std::move(lo));
        r.upper.push_back(std::move(hi));
    }
    return r;
}

}  // namespace fairer
