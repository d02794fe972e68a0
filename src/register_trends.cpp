// Python bindings of the recent-trend tests (include/fairer/trends.hpp) over numpy arrays of
// series stored end to end. Inputs bind as C-contiguous arrays (no copy when they already are);
// results come back as numpy arrays in a dict. The pandas layer (grouping, period checks, value
// types, labels) is python/fairer/trends.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fairer/errors.hpp"
#include "fairer/trends.hpp"
#include "numpy_support.hpp"

namespace py = pybind11;

namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Sizes = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using Codes = py::array_t<std::int8_t, py::array::c_style | py::array::forcecast>;
using Years = py::array_t<int, py::array::c_style | py::array::forcecast>;

const double* column(const Doubles& a, std::size_t rows, const char* name) {
    if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != rows)
        throw fairer::StatisticsError(std::string(name) + " must be one-dimensional with one entry per row");
    return a.data();
}

std::vector<std::size_t> offsets_of(const Sizes& a) {
    std::vector<std::size_t> out(static_cast<std::size_t>(a.size()));
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (a.data()[i] < 0) throw fairer::StatisticsError("trend group offsets must not be negative");
        out[i] = static_cast<std::size_t>(a.data()[i]);
    }
    return out;
}

using numpy_support::to_numpy;

py::dict results_dict(const std::vector<fairer::TrendResult>& res) {
    const std::size_t n = res.size();
    std::vector<std::int8_t> marker(n), reason(n), method(n);
    std::vector<double> slope(n), se(n), chi(n);
    std::vector<bool> loo(n), tested(n);
    std::vector<std::int64_t> points(n), skipped(n), first(n), last(n);
    for (std::size_t g = 0; g < n; ++g) {
        const auto& r = res[g];
        marker[g] = static_cast<std::int8_t>(r.marker);
        reason[g] = static_cast<std::int8_t>(r.reason);
        method[g] = static_cast<std::int8_t>(r.method);
        slope[g] = r.slope;
        se[g] = r.slope_se;
        chi[g] = r.chi_square;
        loo[g] = r.leave_one_out_same_sign;
        tested[g] = r.tested;
        points[g] = static_cast<std::int64_t>(r.points_used);
        skipped[g] = static_cast<std::int64_t>(r.invalid_skipped);
        first[g] = r.points_used ? static_cast<std::int64_t>(r.used[0]) : -1;
        last[g] = r.points_used ? static_cast<std::int64_t>(r.used[r.points_used - 1]) : -1;
    }
    std::vector<std::uint8_t> loo_bytes(loo.begin(), loo.end()), tested_bytes(tested.begin(), tested.end());
    py::dict d;
    d["marker"] = to_numpy(std::move(marker));
    d["reason"] = to_numpy(std::move(reason));
    d["method"] = to_numpy(std::move(method));
    d["slope"] = to_numpy(std::move(slope));
    d["slope_se"] = to_numpy(std::move(se));
    d["chi_square"] = to_numpy(std::move(chi));
    d["leave_one_out_same_sign"] = to_numpy(std::move(loo_bytes)).attr("astype")("bool");
    d["tested"] = to_numpy(std::move(tested_bytes)).attr("astype")("bool");
    d["points_used"] = to_numpy(std::move(points));
    d["invalid_skipped"] = to_numpy(std::move(skipped));
    d["first_row"] = to_numpy(std::move(first));
    d["last_row"] = to_numpy(std::move(last));
    return d;
}

py::dict recent_trends(const Doubles& value, const Doubles& lower95, const Doubles& upper95, const Doubles& count,
                       const Doubles& denominator, const Sizes& offsets, const Codes& methods, const Codes& precheck,
                       bool untested_as_fingertips) {
    const auto rows = static_cast<std::size_t>(value.size());
    const fairer::TrendSeries all{column(value, rows, "value"), column(lower95, rows, "lower95"),
                                  column(upper95, rows, "upper95"), column(count, rows, "count"),
                                  column(denominator, rows, "denominator"), rows};
    const auto off = offsets_of(offsets);
    std::vector<fairer::TrendMethod> m(static_cast<std::size_t>(methods.size()));
    for (std::size_t g = 0; g < m.size(); ++g) {
        const auto c = methods.data()[g];
        if (c != 0 && c != 1) throw fairer::StatisticsError("trend method codes are 0 (weighted) or 1 (proportions)");
        m[g] = static_cast<fairer::TrendMethod>(c);
    }
    std::vector<fairer::TrendReason> pre(static_cast<std::size_t>(precheck.size()));
    for (std::size_t g = 0; g < pre.size(); ++g) pre[g] = static_cast<fairer::TrendReason>(precheck.data()[g]);
    std::vector<fairer::TrendResult> res;
    {
        // Safe without the GIL: only the numpy buffers kept alive by the arguments and local vectors are touched.
        py::gil_scoped_release release;
        res = fairer::fingertips_recent_trends(all, off, m, pre,
                                               untested_as_fingertips ? fairer::UntestedSeries::as_fingertips
                                                                      : fairer::UntestedSeries::cannot_be_calculated);
    }
    return results_dict(res);
}

py::dict pooled_trends(const Doubles& value, const Doubles& lower95, const Doubles& upper95, const Years& first_year,
                       const Sizes& offsets, int pool_years, std::size_t points) {
    const auto rows = static_cast<std::size_t>(value.size());
    if (first_year.ndim() != 1 || static_cast<std::size_t>(first_year.shape(0)) != rows)
        throw fairer::StatisticsError("first_year must be one-dimensional with one entry per row");
    const fairer::PooledSeries all{column(value, rows, "value"), column(lower95, rows, "lower95"),
                                   column(upper95, rows, "upper95"), first_year.data(), rows};
    const auto off = offsets_of(offsets);
    std::vector<fairer::TrendResult> res;
    {
        // Safe without the GIL: only the numpy buffers kept alive by the arguments and local vectors are touched.
        py::gil_scoped_release release;
        res = fairer::pooled_period_trends(all, off, pool_years, points);
    }
    return results_dict(res);
}

}  // namespace

void register_trends(py::module_& m) {
    m.attr("TREND_CHI_SQUARE_998") = fairer::kTrendChiSquare998;
    m.def("fingertips_recent_trends", &recent_trends, py::arg("value"), py::arg("lower95"), py::arg("upper95"),
          py::arg("count"), py::arg("denominator"), py::arg("offsets"), py::arg("methods"), py::arg("precheck"),
          py::arg("untested_as_fingertips") = true,
          "Fingertips recent-trend markers of series stored end to end (group g = rows offsets[g]..offsets[g+1]-1, "
          "oldest first); methods 0 = weighted regression, 1 = chi-square test for trend in proportions; a "
          "non-zero precheck code marks a group Cannot be calculated; untested_as_fingertips=False gives series "
          "that cannot really be tested 'Cannot be calculated' instead of Fingertips' marker. Returns a dict of "
          "numpy arrays.");
    m.def("pooled_period_trends", &pooled_trends, py::arg("value"), py::arg("lower95"), py::arg("upper95"),
          py::arg("first_year"), py::arg("offsets"), py::arg("pool_years"), py::arg("points") = fairer::kTrendPoints,
          "Trend test for overlapping pooled periods (GLS with the covariance of shared years); same output as "
          "fingertips_recent_trends.");
    m.def(
        "trend_label",
        [](int marker, const std::string& polarity) {
            if (marker < 0 || marker > 3) throw fairer::StatisticsError("trend marker codes are 0..3");
            return fairer::trend_label(static_cast<fairer::TrendMarker>(marker), fairer::parse_trend_polarity(polarity));
        },
        py::arg("marker"), py::arg("polarity"), "The label Fingertips prints for a marker code and a polarity.");
    m.def(
        "trend_reason_text",
        [](int reason) {
            if (reason < 0 || reason > 8) throw fairer::StatisticsError("trend reason codes are 0..8");
            return std::string(fairer::describe(static_cast<fairer::TrendReason>(reason)));
        },
        py::arg("reason"), "Plain text of a trend reason code (empty for 0).");
    m.def(
        "parse_trend_polarity",
        [](const std::string& text) { return std::string(fairer::to_string(fairer::parse_trend_polarity(text))); },
        py::arg("text"), "The framework's polarity name for a framework or Fingertips polarity text.");
}
