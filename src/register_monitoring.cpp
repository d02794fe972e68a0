// Python bindings of the monitoring core: benchmark comparisons (benchmarking.hpp), aggregation,
// differences, gaps, within-region inequality and baseline matching (monitoring.hpp). The pandas
// layer is python/fairer/monitoring.py. Inputs arrive as float64 numpy arrays; the comparison
// core takes std::vector columns, so they are copied once (small next to the work per row).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fairer/benchmarking.hpp"
#include "fairer/monitoring.hpp"

namespace py = pybind11;

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::vector<double> to_vector(const std::optional<Array>& a) {
    if (!a) return {};
    const auto r = a->unchecked<1>();
    return std::vector<double>(r.data(0), r.data(0) + r.shape(0));
}

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
    py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
    std::copy(v.begin(), v.end(), out.mutable_data());
    return out;
}

py::dict comparisons_to_dict(const std::vector<fairer::Comparison>& cs) {
    std::vector<std::string> label, reason, method;
    std::vector<bool> compared;
    std::vector<std::int8_t> direction;
    std::vector<double> level;
    std::vector<std::int32_t> category;
    for (const auto& c : cs) {
        label.push_back(c.label);
        reason.push_back(c.reason);
        method.push_back(fairer::to_string(c.method));
        compared.push_back(c.compared);
        direction.push_back(static_cast<std::int8_t>(c.direction));
        level.push_back(c.level);
        category.push_back(c.category);
    }
    py::dict d;
    d["label"] = label;
    d["reason"] = reason;
    d["method"] = method;
    py::array_t<bool> comp(static_cast<py::ssize_t>(compared.size()));
    for (std::size_t i = 0; i < compared.size(); ++i) comp.mutable_data()[i] = compared[i];
    d["compared"] = comp;
    d["direction"] = to_numpy(direction);
    d["level"] = to_numpy(level);
    d["category"] = to_numpy(category);
    return d;
}

py::dict compare(const std::string& method, const Array& value, const std::optional<Array>& lower95,
                 const std::optional<Array>& upper95, const std::optional<Array>& lower99_8,
                 const std::optional<Array>& upper99_8, const std::optional<Array>& denominator,
                 const std::optional<Array>& benchmark, const std::optional<Array>& benchmark_lower95,
                 const std::optional<Array>& benchmark_upper95, const std::string& polarity, double multiplier,
                 double confidence) {
    const auto m = fairer::parse_comparator_method(method);
    const auto p = fairer::parse_polarity(polarity);
    const double c = fairer::scale_confidence(confidence);
    fairer::ComparisonInput in;
    in.value = to_vector(value);
    in.lower95 = to_vector(lower95);
    in.upper95 = to_vector(upper95);
    in.lower99_8 = to_vector(lower99_8);
    in.upper99_8 = to_vector(upper99_8);
    in.denominator = to_vector(denominator);
    in.benchmark = to_vector(benchmark);
    in.benchmark_lower95 = to_vector(benchmark_lower95);
    in.benchmark_upper95 = to_vector(benchmark_upper95);
    std::vector<fairer::Comparison> out;
    {
        // Safe without the GIL: the inputs were copied into C++ vectors above.
        py::gil_scoped_release release;
        out = fairer::compare_many(m, in, p, multiplier, c);
    }
    return comparisons_to_dict(out);
}

py::dict aggregate_to_dict(const fairer::Aggregate& a) {
    py::dict d;
    d["value"] = a.value;
    d["lower95"] = a.lower95;
    d["upper95"] = a.upper95;
    d["lower99_8"] = a.lower99_8;
    d["upper99_8"] = a.upper99_8;
    d["count"] = a.count;
    d["denominator"] = a.denominator;
    d["method"] = std::string(fairer::to_string(a.method));
    d["note"] = a.note;
    return d;
}

py::dict difference_to_dict(const fairer::Difference& x) {
    py::dict d;
    d["estimate"] = x.estimate;
    d["lower"] = x.lower;
    d["upper"] = x.upper;
    d["se"] = x.se;
    d["significant"] = x.significant;
    d["assessed"] = x.assessed;
    return d;
}

using Codes = py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast>;

py::dict baseline_changes(std::size_t groups, const Codes& group, const Codes& period_code,
                          const std::vector<std::string>& periods, const std::string& baseline, const Array& value,
                          const Array& lower95, const Array& upper95, double confidence) {
    const auto n = static_cast<std::size_t>(group.size());
    for (const auto* a : {&value, &lower95, &upper95})
        if (static_cast<std::size_t>(a->size()) != n)
            throw fairer::StatisticsError("value and limit arrays must have one entry per row (" + std::to_string(n) + ")");
    const std::vector<std::uint32_t> g(group.data(), group.data() + n);
    const std::vector<std::uint32_t> p(period_code.data(), period_code.data() + period_code.size());
    const double c = fairer::scale_confidence(confidence);
    std::vector<fairer::BaselineChange> out;
    {
        // Safe without the GIL: codes and texts were copied above and the value arrays are owned
        // by the caller's references for the duration of the call and only read.
        py::gil_scoped_release release;
        out = fairer::baseline_changes(groups, g, p, periods, baseline, value.data(), lower95.data(), upper95.data(), c);
    }
    const auto m = static_cast<py::ssize_t>(out.size());
    py::array_t<std::int64_t> base_row(m), latest_row(m);
    py::array_t<double> est(m), lo(m), hi(m);
    py::array_t<bool> sig(m), assessed(m);
    for (py::ssize_t i = 0; i < m; ++i) {
        const auto& r = out[static_cast<std::size_t>(i)];
        base_row.mutable_data()[i] = r.baseline_row;
        latest_row.mutable_data()[i] = r.latest_row;
        est.mutable_data()[i] = r.change.estimate;
        lo.mutable_data()[i] = r.change.lower;
        hi.mutable_data()[i] = r.change.upper;
        sig.mutable_data()[i] = r.change.significant;
        assessed.mutable_data()[i] = r.change.assessed;
    }
    py::dict d;
    d["baseline_row"] = base_row;
    d["latest_row"] = latest_row;
    d["estimate"] = est;
    d["lower"] = lo;
    d["upper"] = hi;
    d["significant"] = sig;
    d["assessed"] = assessed;
    return d;
}

}  // namespace

void register_monitoring(py::module_& m) {
    m.def("parse_polarity", [](const std::string& t) { return std::string(fairer::to_string(fairer::parse_polarity(t))); },
          py::arg("text"), "Canonical polarity name for a framework or Fingertips polarity text.");
    m.def("parse_comparator_method",
          [](const std::string& t) { return std::string(fairer::to_string(fairer::parse_comparator_method(t))); },
          py::arg("text"), "Canonical comparator-method name for a name or Fingertips id.");
    m.def("compare_benchmark", &compare, py::arg("method"), py::arg("value"), py::arg("lower95") = py::none(),
          py::arg("upper95") = py::none(), py::arg("lower99_8") = py::none(), py::arg("upper99_8") = py::none(),
          py::arg("denominator") = py::none(), py::arg("benchmark") = py::none(),
          py::arg("benchmark_lower95") = py::none(), py::arg("benchmark_upper95") = py::none(),
          py::arg("polarity") = "higher is better", py::arg("multiplier") = 100.0, py::arg("confidence") = 0.95,
          "Compares every row with its benchmark by one Fingertips comparator method (benchmarking.hpp).");
    m.def(
        "aggregate_proportion",
        [](const std::vector<double>& x, const std::vector<double>& n, double multiplier, const std::vector<std::string>& names) {
            return aggregate_to_dict(fairer::aggregate_proportion(x, n, multiplier, names));
        },
        py::arg("counts"), py::arg("denominators"), py::arg("multiplier") = 100.0, py::arg("names") = std::vector<std::string>{});
    m.def(
        "aggregate_crude_rate",
        [](const std::vector<double>& x, const std::vector<double>& n, double multiplier, const std::vector<std::string>& names) {
            return aggregate_to_dict(fairer::aggregate_crude_rate(x, n, multiplier, names));
        },
        py::arg("counts"), py::arg("denominators"), py::arg("multiplier") = 100000.0,
        py::arg("names") = std::vector<std::string>{});
    m.def(
        "aggregate_population_weighted",
        [](const std::vector<double>& v, const std::vector<double>& lo, const std::vector<double>& hi,
           const std::vector<double>& w, const std::vector<std::string>& names) {
            return aggregate_to_dict(fairer::aggregate_population_weighted(v, lo, hi, w, names));
        },
        py::arg("values"), py::arg("lower95"), py::arg("upper95"), py::arg("weights"),
        py::arg("names") = std::vector<std::string>{});
    m.def(
        "difference_of_estimates",
        [](double a, double al, double au, double b, double bl, double bu, double c) {
            return difference_to_dict(fairer::difference_of_estimates(a, al, au, b, bl, bu, fairer::scale_confidence(c)));
        },
        py::arg("a"), py::arg("a_lower95"), py::arg("a_upper95"), py::arg("b"), py::arg("b_lower95"), py::arg("b_upper95"),
        py::arg("confidence") = 0.95);
    m.def(
        "gap_change",
        [](double a0, double a0l, double a0u, double b0, double b0l, double b0u, double a1, double a1l, double a1u, double b1,
           double b1l, double b1u, double c) {
            const auto g = fairer::gap_change(a0, a0l, a0u, b0, b0l, b0u, a1, a1l, a1u, b1, b1l, b1u, fairer::scale_confidence(c));
            py::dict d;
            d["gap_baseline"] = difference_to_dict(g.gap_baseline);
            d["gap_now"] = difference_to_dict(g.gap_now);
            d["relative_baseline"] = difference_to_dict(g.relative_baseline);
            d["relative_now"] = difference_to_dict(g.relative_now);
            d["change"] = difference_to_dict(g.change);
            d["movement"] = std::string(fairer::to_string(g.movement));
            return d;
        },
        py::arg("a0"), py::arg("a0_lower95"), py::arg("a0_upper95"), py::arg("b0"), py::arg("b0_lower95"),
        py::arg("b0_upper95"), py::arg("a1"), py::arg("a1_lower95"), py::arg("a1_upper95"), py::arg("b1"),
        py::arg("b1_lower95"), py::arg("b1_upper95"), py::arg("confidence") = 0.95);
    m.def(
        "region_inequality",
        [](const std::vector<double>& v, const std::vector<double>& lo, const std::vector<double>& hi,
           const std::vector<double>& pop, const std::vector<double>& score, const std::vector<std::string>& names) {
            const auto r = fairer::region_inequality(v, lo, hi, pop, score, names);
            py::dict d;
            d["places"] = r.places;
            d["range"] = r.range;
            d["ratio"] = r.ratio;
            d["highest"] = r.highest;
            d["lowest"] = r.lowest;
            d["sii"] = r.sii;
            d["sii_lower95"] = r.sii_lower95;
            d["sii_upper95"] = r.sii_upper95;
            d["note"] = r.note;
            return d;
        },
        py::arg("values"), py::arg("lower95"), py::arg("upper95"), py::arg("population"), py::arg("deprivation_score"),
        py::arg("names") = std::vector<std::string>{});
    m.def("find_baseline_period", &fairer::find_baseline_period, py::arg("periods"), py::arg("baseline"),
          "Index of the period matching the baseline (TimePeriod rules in monitoring.hpp), or -1.");
    m.def("baseline_changes", &baseline_changes, py::arg("groups"), py::arg("group"), py::arg("period_code"),
          py::arg("periods"), py::arg("baseline"), py::arg("value"), py::arg("lower95"), py::arg("upper95"),
          py::arg("confidence") = 0.95,
          "Baseline and latest rows and the change latest - baseline for every series (monitoring.hpp "
          "baseline_changes): rows coded by series and by period text.");
}
