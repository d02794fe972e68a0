// Python bindings of the crude indicator methods (proportion, rate, mean) and of the shared
// confidence-interval building blocks, vectorised over numpy arrays. Inputs bind as Eigen::Ref
// (no copy for float64 arrays); results are moved into numpy arrays without copying. The pandas
// layer (column names, grouping, output tables) is python/fairer/methods/_basic.py.
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "fairer/confidence_intervals.hpp"
#include "fairer/mean.hpp"
#include "fairer/proportion.hpp"
#include "fairer/rate.hpp"
#include "fairer/row_groups.hpp"
#include "numpy_support.hpp"

namespace py = pybind11;

namespace {

using Column = Eigen::Ref<const Eigen::ArrayXd>;
using Codes = py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast>;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using numpy_support::to_numpy;

py::list to_numpy_list(std::vector<std::vector<double>>&& vs) {
    py::list out;
    for (auto& v : vs) out.append(to_numpy(std::move(v)));
    return out;
}

std::optional<fairer::RowGroups> make_groups(const std::optional<Codes>& codes,
                                             const std::optional<std::vector<std::string>>& names) {
    if (!codes) return std::nullopt;
    fairer::RowGroups g;
    const auto c = codes->unchecked<1>();
    g.codes.assign(c.data(0), c.data(0) + c.shape(0));
    g.names = names ? *names : std::vector<std::string>{};
    if (!names) {
        std::uint32_t k = 0;
        for (auto code : g.codes) k = std::max(k, code + 1);
        for (std::uint32_t i = 0; i < k; ++i) g.names.push_back(std::to_string(i));
    }
    return g;
}

// Runs f(i) for every row; a StatisticsError from a building block is re-raised naming the row.
template <class F>
void each_row(Eigen::Index rows, F&& f) {
    Eigen::Index i = 0;
    try {
        for (; i < rows; ++i) f(i);
    } catch (const fairer::StatisticsError& e) {
        std::string what = e.what();
        const std::string prefix = "[fairer.statistics] ";
        if (what.rfind(prefix, 0) == 0) what.erase(0, prefix.size());
        throw fairer::StatisticsError("row index " + std::to_string(i) + ": " + what);
    }
}

// Lower and upper limits for `rows` rows, interval(i) giving row i's, computed without the GIL
// (interval must read only buffers the caller keeps alive; the outputs are not yet visible).
template <class F>
py::tuple interval_rows(Eigen::Index rows, F interval) {
    py::array_t<double> lower(rows), upper(rows);
    double* lo = lower.mutable_data();
    double* hi = upper.mutable_data();
    {
        py::gil_scoped_release release;
        each_row(rows, [&](Eigen::Index i) {
            const fairer::Interval ci = interval(i);
            lo[i] = ci.lower;
            hi[i] = ci.upper;
        });
    }
    return py::make_tuple(lower, upper);
}

py::tuple limits_1(const Column& x, double confidence, fairer::Interval (*method)(double, double)) {
    const double c = fairer::scale_confidence(confidence);
    return interval_rows(x.size(), [&](Eigen::Index i) {
        return std::isnan(x[i]) ? fairer::Interval{kNaN, kNaN} : method(x[i], c);
    });
}

py::tuple wilson_limits(const Column& x, const Column& n, double confidence) {
    if (x.size() != n.size())
        throw fairer::StatisticsError("x and n lengths differ: " + std::to_string(x.size()) + " and " +
                                      std::to_string(n.size()));
    const double c = fairer::scale_confidence(confidence);
    return interval_rows(x.size(), [&](Eigen::Index i) {
        return std::isnan(x[i]) || std::isnan(n[i]) ? fairer::Interval{kNaN, kNaN}
                                                    : fairer::wilson_interval(x[i], n[i], c);
    });
}

py::dict proportion(const Column& x, const Column& n, const std::vector<double>& confidence, double multiplier,
                    const std::optional<Codes>& codes, const std::optional<std::vector<std::string>>& names) {
    const auto groups = make_groups(codes, names);
    fairer::ProportionResult r;
    {
        // Safe without the GIL: pure C++ over buffers the caller keeps alive.
        py::gil_scoped_release release;
        r = fairer::proportion(x, n, confidence, multiplier, groups ? &*groups : nullptr);
    }
    py::dict d;
    d["numerator"] = to_numpy(std::move(r.numerator));
    d["denominator"] = to_numpy(std::move(r.denominator));
    d["value"] = to_numpy(std::move(r.value));
    d["confidence"] = r.confidence;
    d["lower"] = to_numpy_list(std::move(r.lower));
    d["upper"] = to_numpy_list(std::move(r.upper));
    return d;
}

py::dict rate(const Column& x, const Column& n, const std::vector<double>& confidence, double multiplier,
              const std::optional<Codes>& codes, const std::optional<std::vector<std::string>>& names) {
    const auto groups = make_groups(codes, names);
    fairer::RateResult r;
    {
        // Safe without the GIL: pure C++ over buffers the caller keeps alive.
        py::gil_scoped_release release;
        r = fairer::rate(x, n, confidence, multiplier, groups ? &*groups : nullptr);
    }
    py::array_t<std::int8_t> method(static_cast<py::ssize_t>(r.method.size()));
    static_assert(sizeof(fairer::RateMethod) == sizeof(std::int8_t));
    if (!r.method.empty()) std::memcpy(method.mutable_data(), r.method.data(), r.method.size());
    py::dict d;
    d["numerator"] = to_numpy(std::move(r.numerator));
    d["denominator"] = to_numpy(std::move(r.denominator));
    d["value"] = to_numpy(std::move(r.value));
    d["confidence"] = r.confidence;
    d["lower"] = to_numpy_list(std::move(r.lower));
    d["upper"] = to_numpy_list(std::move(r.upper));
    d["method"] = method;
    return d;
}

py::dict mean(const Column& x, const std::vector<double>& confidence, const std::optional<Codes>& codes,
              const std::optional<std::vector<std::string>>& names) {
    const auto groups = make_groups(codes, names);
    fairer::MeanResult r;
    {
        // Safe without the GIL: pure C++ over a buffer the caller keeps alive.
        py::gil_scoped_release release;
        r = fairer::mean(x, confidence, groups ? &*groups : nullptr);
    }
    py::dict d;
    d["value_sum"] = to_numpy(std::move(r.value_sum));
    d["value_count"] = to_numpy(std::move(r.value_count));
    d["stdev"] = to_numpy(std::move(r.stdev));
    d["value"] = to_numpy(std::move(r.value));
    d["confidence"] = r.confidence;
    d["lower"] = to_numpy_list(std::move(r.lower));
    d["upper"] = to_numpy_list(std::move(r.upper));
    return d;
}

}  // namespace

void register_methods(py::module_& m) {
    m.def("z_value", &fairer::z_value, py::arg("confidence"),
          "Two-sided standard normal quantile Phi^-1((1 + c) / 2); 0.95 -> 1.959963984540054.");
    m.def("scale_confidence", &fairer::scale_confidence, py::arg("confidence"),
          "The percent rule: a level >= 90 is divided by 100; the result must lie in (0, 1).");
    m.def("indicator_confidence_levels", &fairer::indicator_confidence_levels, py::arg("levels"),
          "The package's confidence argument rules (at most two levels, 95% and 99.8%, each in [0.9, 1)).");
    m.def("wilson_limits", &wilson_limits, py::arg("x"), py::arg("n"), py::arg("confidence") = 0.95,
          "Wilson score limits (proportions of 1) for arrays x and n; missing in, missing out.");
    m.def(
        "byars_limits", [](const Column& x, double c) { return limits_1(x, c, &fairer::byars_interval); },
        py::arg("x"), py::arg("confidence") = 0.95, "Byar's limits for Poisson counts x (a negative lower limit is NaN).");
    m.def(
        "exact_poisson_limits",
        [](const Column& x, double c) { return limits_1(x, c, &fairer::exact_poisson_interval); }, py::arg("x"),
        py::arg("confidence") = 0.95, "Exact (chi-square) Poisson limits for counts x.");
    m.def(
        "poisson_count_limits",
        [](const Column& x, double c) { return limits_1(x, c, &fairer::poisson_count_interval); }, py::arg("x"),
        py::arg("confidence") = 0.95, "Poisson limits by the package's rule: exact below 10, Byar's from 10.");
    m.def("proportion", &proportion, py::arg("x"), py::arg("n"), py::arg("confidence"), py::arg("multiplier"),
          py::arg("group_codes") = py::none(), py::arg("group_names") = py::none(),
          "Proportions with Wilson limits (see fairer.methods.proportion).");
    m.def("rate", &rate, py::arg("x"), py::arg("n"), py::arg("confidence"), py::arg("multiplier"),
          py::arg("group_codes") = py::none(), py::arg("group_names") = py::none(),
          "Crude rates with exact/Byar's limits (see fairer.methods.rate).");
    m.def("mean", &mean, py::arg("x"), py::arg("confidence"), py::arg("group_codes") = py::none(),
          py::arg("group_names") = py::none(), "Means with Student's t limits (see fairer.methods.mean).");
}
