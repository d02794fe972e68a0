// Python bindings of the funnel plot methods (include/fairer/funnels.hpp) over numpy arrays.
// Inputs bind as C-contiguous float64 arrays (no copy when they already are); results are moved
// into numpy arrays without copying. The pandas layer (column names, output tables, the package's
// argument checks) is python/fairer/methods/_funnels.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fairer/errors.hpp"
#include "fairer/funnels.hpp"
#include "numpy_support.hpp"

namespace py = pybind11;

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

fairer::FunnelColumn column(const Array& a, const char* name) {
    if (a.ndim() != 1) throw fairer::StatisticsError(std::string(name) + " must be one-dimensional");
    return {a.data(), static_cast<std::size_t>(a.shape(0))};
}

fairer::FunnelColumn optional_column(const std::optional<Array>& a, const char* name) {
    return a ? column(*a, name) : fairer::FunnelColumn();
}

using numpy_support::to_numpy;

py::array_t<std::int8_t> codes(std::vector<fairer::FunnelSignificance>&& s) {
    std::vector<std::int8_t> out(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) out[i] = static_cast<std::int8_t>(s[i]);
    return to_numpy(std::move(out));
}

fairer::RatioType ratio_type(const std::string& t) {
    if (t == "count") return fairer::RatioType::count;
    if (t == "isr") return fairer::RatioType::isr;
    throw fairer::StatisticsError("ratio_type must be one of count, isr; got '" + t + "'");
}

fairer::RateType rate_type(const std::string& t) {
    if (t == "dsr") return fairer::RateType::dsr;
    if (t == "crude") return fairer::RateType::crude;
    throw fairer::StatisticsError("rate_type must be one of dsr, crude; got '" + t + "'");
}

py::dict proportion_limits(const Array& numerator, const Array& denominator, double multiplier) {
    const auto x = column(numerator, "numerator");
    const auto n = column(denominator, "denominator");
    fairer::ProportionFunnelLimits r;
    {
        // Safe without the GIL: the input buffers are owned by the caller's arguments for the call.
        py::gil_scoped_release release;
        r = fairer::proportion_funnel_limits(x, n, multiplier);
    }
    py::dict d;
    d["Population"] = to_numpy(std::move(r.population));
    d["lower_2s_limit"] = to_numpy(std::move(r.lower_2s_limit));
    d["upper_2s_limit"] = to_numpy(std::move(r.upper_2s_limit));
    d["lower_3s_limit"] = to_numpy(std::move(r.lower_3s_limit));
    d["upper_3s_limit"] = to_numpy(std::move(r.upper_3s_limit));
    d["baseline"] = r.baseline;
    return d;
}

py::dict ratio_limits(const Array& observed, const Array& expected, const std::string& type) {
    const auto o = column(observed, "numerator");
    const auto e = column(expected, "denominator");
    const auto t = ratio_type(type);
    fairer::RatioFunnelLimits r;
    {
        // Safe without the GIL: the input buffers are owned by the caller's arguments for the call.
        py::gil_scoped_release release;
        r = fairer::ratio_funnel_limits(o, e, t);
    }
    py::dict d;
    d["Observed_events"] = to_numpy(std::move(r.observed_events));
    d["lower_2s_exp_events"] = to_numpy(std::move(r.lower_2s_exp_events));
    d["lower_2s_limit"] = to_numpy(std::move(r.lower_2s_limit));
    d["upper_2s_exp_events"] = to_numpy(std::move(r.upper_2s_exp_events));
    d["upper_2s_limit"] = to_numpy(std::move(r.upper_2s_limit));
    d["lower_3s_exp_events"] = to_numpy(std::move(r.lower_3s_exp_events));
    d["lower_3s_limit"] = to_numpy(std::move(r.lower_3s_limit));
    d["upper_3s_exp_events"] = to_numpy(std::move(r.upper_3s_exp_events));
    d["upper_3s_limit"] = to_numpy(std::move(r.upper_3s_limit));
    return d;
}

py::dict rate_limits(const Array& numerator, const Array& rate, const std::optional<Array>& denominator,
                     const std::string& type, double multiplier, double years_of_data) {
    const auto x = column(numerator, "numerator");
    const auto r = column(rate, "rate");
    const auto n = optional_column(denominator, "denominator");
    const auto t = rate_type(type);
    fairer::RateFunnelLimits out;
    {
        // Safe without the GIL: the input buffers are owned by the caller's arguments for the call.
        py::gil_scoped_release release;
        out = fairer::rate_funnel_limits(x, r, n, t, multiplier, years_of_data);
    }
    py::dict d;
    d["Events"] = to_numpy(std::move(out.events));
    d["lower_2s_population_1_year"] = to_numpy(std::move(out.lower_2s_population_1_year));
    d["lower_2s_limit"] = to_numpy(std::move(out.lower_2s_limit));
    d["upper_2s_population_1_year"] = to_numpy(std::move(out.upper_2s_population_1_year));
    d["upper_2s_limit"] = to_numpy(std::move(out.upper_2s_limit));
    d["lower_3s_population_1_year"] = to_numpy(std::move(out.lower_3s_population_1_year));
    d["lower_3s_limit"] = to_numpy(std::move(out.lower_3s_limit));
    d["upper_3s_population_1_year"] = to_numpy(std::move(out.upper_3s_population_1_year));
    d["upper_3s_limit"] = to_numpy(std::move(out.upper_3s_limit));
    d["baseline"] = out.baseline;
    return d;
}

py::array_t<std::int8_t> proportion_significance(const Array& numerator, const Array& denominator) {
    const auto x = column(numerator, "numerator");
    const auto n = column(denominator, "denominator");
    std::vector<fairer::FunnelSignificance> s;
    {
        // Safe without the GIL: the input buffers are owned by the caller's arguments for the call.
        py::gil_scoped_release release;
        s = fairer::proportion_funnel_significance(x, n);
    }
    return codes(std::move(s));
}

py::array_t<std::int8_t> ratio_significance(const Array& observed, const Array& expected) {
    const auto o = column(observed, "numerator");
    const auto e = column(expected, "denominator");
    std::vector<fairer::FunnelSignificance> s;
    {
        // Safe without the GIL: the input buffers are owned by the caller's arguments for the call.
        py::gil_scoped_release release;
        s = fairer::ratio_funnel_significance(o, e);
    }
    return codes(std::move(s));
}

py::array_t<std::int8_t> rate_significance(const Array& numerator, const Array& rate,
                                           const std::optional<Array>& denominator, const std::string& type,
                                           double multiplier) {
    const auto x = column(numerator, "numerator");
    const auto r = column(rate, "rate");
    const auto n = optional_column(denominator, "denominator");
    const auto t = rate_type(type);
    std::vector<fairer::FunnelSignificance> s;
    {
        // Safe without the GIL: the input buffers are owned by the caller's arguments for the call.
        py::gil_scoped_release release;
        s = fairer::rate_funnel_significance(x, r, n, t, multiplier);
    }
    return codes(std::move(s));
}

py::tuple rate_points(const Array& numerator, const Array& rate, const std::optional<Array>& denominator,
                      const std::string& type, double multiplier, double years_of_data) {
    const auto x = column(numerator, "numerator");
    const auto r = column(rate, "rate");
    const auto n = optional_column(denominator, "denominator");
    const auto t = rate_type(type);
    fairer::RateFunnelPoints p;
    {
        // Safe without the GIL: the input buffers are owned by the caller's arguments for the call.
        py::gil_scoped_release release;
        p = fairer::rate_funnel_points(x, r, n, t, multiplier, years_of_data);
    }
    return py::make_tuple(to_numpy(std::move(p.rate_chart)), to_numpy(std::move(p.denominator_derived)));
}

}  // namespace

void register_funnels(py::module_& m) {
    m.def("funnel_proportion_limits", &proportion_limits, py::arg("numerator"), py::arg("denominator"),
          py::arg("multiplier"),
          "Wilson funnel limits for proportions at 100 population points: dict of the package's columns "
          "(arrays) and 'baseline' (a float).");
    m.def("funnel_ratio_limits", &ratio_limits, py::arg("observed"), py::arg("expected"), py::arg("ratio_type"),
          "Poisson funnel limits for observed/expected ratios ('count' or 'isr') at 100 observed-event points.");
    m.def("funnel_rate_limits", &rate_limits, py::arg("numerator"), py::arg("rate"), py::arg("denominator"),
          py::arg("rate_type"), py::arg("multiplier"), py::arg("years_of_data"),
          "Poisson funnel limits for crude or directly standardised rates at 100 event points.");
    m.def("funnel_proportion_significance", &proportion_significance, py::arg("numerator"), py::arg("denominator"),
          "Funnel significance codes (int8: 0 High (0.001), 1 High (0.025), 2 Low (0.001), 3 Low (0.025), "
          "4 Not significant, 5 Not applicable, -1 missing) for proportions.");
    m.def("funnel_ratio_significance", &ratio_significance, py::arg("observed"), py::arg("expected"),
          "Funnel significance codes for observed/expected ratios (see funnel_proportion_significance).");
    m.def("funnel_rate_significance", &rate_significance, py::arg("numerator"), py::arg("rate"),
          py::arg("denominator"), py::arg("rate_type"), py::arg("multiplier"),
          "Funnel significance codes for crude or directly standardised rates.");
    m.def("funnel_rate_points", &rate_points, py::arg("numerator"), py::arg("rate"), py::arg("denominator"),
          py::arg("rate_type"), py::arg("multiplier"), py::arg("years_of_data"),
          "The rate to chart and the derived denominator per year for each record (tuple of two arrays).");
}
