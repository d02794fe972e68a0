// Bindings for age standardisation (fairer/standardisation.hpp, fairer/standard_population.hpp).
// The functions prefixed std_ are private helpers of python/fairer/methods/_standardisation.py,
// which adds the package's argument handling and pandas output; StandardPopulation and esp2013 are
// public.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fairer/standard_population.hpp"
#include "fairer/standardisation.hpp"

namespace py = pybind11;

namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Codes = py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast>;

// A numpy array viewed as a column without copying.
Eigen::Map<const Eigen::ArrayXd> column(const Doubles& a) {
    if (a.ndim() != 1) throw fairer::StatisticsError("expected a one-dimensional array of numbers");
    return {a.data(), static_cast<Eigen::Index>(a.size())};
}

// Group codes (one per row) and one name per group; None for ungrouped.
std::optional<fairer::RowGroups> row_groups(const std::optional<Codes>& codes, const std::vector<std::string>& names) {
    if (!codes) return std::nullopt;
    fairer::RowGroups g;
    g.codes.resize(static_cast<std::size_t>(codes->size()));
    if (!g.codes.empty()) std::memcpy(g.codes.data(), codes->data(), g.codes.size() * sizeof(std::uint32_t));
    g.names = names;
    return g;
}

py::array_t<double> to_numpy(const std::vector<double>& v) { return py::array_t<double>(v.size(), v.data()); }

py::array_t<double> to_numpy(const std::vector<std::vector<double>>& levels, std::size_t groups) {
    py::array_t<double> out({levels.size(), groups});
    auto m = out.mutable_unchecked<2>();
    for (std::size_t k = 0; k < levels.size(); ++k)
        for (std::size_t g = 0; g < groups; ++g) m(k, g) = levels[k][g];
    return out;
}

py::dict dsr_dict(const fairer::DsrResult& r) {
    py::dict d;
    d["total_count"] = to_numpy(r.total_count);
    d["total_pop"] = to_numpy(r.total_pop);
    d["value"] = to_numpy(r.value);
    d["lower"] = to_numpy(r.lower, r.value.size());
    d["upper"] = to_numpy(r.upper, r.value.size());
    py::array_t<bool> suppressed(r.suppressed.size());
    auto s = suppressed.mutable_unchecked<1>();
    for (std::size_t g = 0; g < r.suppressed.size(); ++g) s(g) = r.suppressed[g];
    d["suppressed"] = suppressed;
    return d;
}

py::dict isr_dict(const fairer::IsrResult& r) {
    py::dict d;
    d["observed"] = to_numpy(r.observed);
    d["expected"] = to_numpy(r.expected);
    if (!r.ref_rate.empty()) d["ref_rate"] = to_numpy(r.ref_rate);
    d["value"] = to_numpy(r.value);
    d["lower"] = to_numpy(r.lower, r.value.size());
    d["upper"] = to_numpy(r.upper, r.value.size());
    py::array_t<std::int8_t> method(r.method.size());
    auto m = method.mutable_unchecked<1>();
    for (std::size_t g = 0; g < r.method.size(); ++g) m(g) = static_cast<std::int8_t>(r.method[g]);
    d["method"] = method;
    return d;
}

const fairer::RowGroups* ptr(const std::optional<fairer::RowGroups>& g) { return g ? &*g : nullptr; }

}  // namespace

void register_standardisation(py::module_& m) {
    py::class_<fairer::StandardPopulation>(
        m, "StandardPopulation",
        "A standard population for direct standardisation: band labels and weights in band order.\n\n"
        "Build one with StandardPopulation.custom(name, bands, weights); esp2013() gives the European\n"
        "Standard Population 2013 in 19 bands (0-4, ..., 85-89, 90+), total 100,000.")
        .def_static("custom", &fairer::StandardPopulation::custom, py::arg("name"), py::arg("bands"),
                    py::arg("weights"),
                    "A standard population from band labels and non-negative weights (at least one positive),\n"
                    "in band order. Raises StatisticsError naming the band at fault.")
        .def_property_readonly("name", &fairer::StandardPopulation::name)
        .def_property_readonly("bands", &fairer::StandardPopulation::bands)
        .def_property_readonly("weights", &fairer::StandardPopulation::weights)
        .def_property_readonly("total", &fairer::StandardPopulation::total)
        .def("__len__", &fairer::StandardPopulation::size)
        .def("__repr__", [](const fairer::StandardPopulation& p) {
            return "<StandardPopulation '" + p.name() + "', " + std::to_string(p.size()) + " bands, total " +
                   fairer::detail::number_text(p.total()) + ">";
        });
    m.def("esp2013", &fairer::esp2013,
          "The European Standard Population 2013 in the 19 bands used in England (0-4, 5-9, ..., 85-89, 90+),\n"
          "total 100,000 (Eurostat 2013; PHEindicatormethods esp2013).");

    // The loops below touch only the numpy buffers and C++ objects built before the GIL is
    // released (the arrays are kept alive by the caller's references), so releasing it is safe.
    m.def(
        "std_dsr",
        [](const Doubles& x, const Doubles& n, const Doubles& stdpop, const std::vector<double>& confidence,
           double multiplier, const std::optional<Codes>& codes, const std::vector<std::string>& names) {
            const auto groups = row_groups(codes, names);
            const auto xs = column(x), ns = column(n), ws = column(stdpop);
            fairer::DsrResult r;
            {
                py::gil_scoped_release release;  // pure C++ over buffers the caller keeps alive
                r = fairer::directly_standardised_rates(xs, ns, ws, confidence, multiplier, ptr(groups));
            }
            return dsr_dict(r);
        },
        py::arg("x"), py::arg("n"), py::arg("stdpop"), py::arg("confidence"), py::arg("multiplier"),
        py::arg("codes"), py::arg("names"));

    m.def(
        "std_dsr_by_position",
        [](const Doubles& x, const Doubles& n, const std::vector<double>& weights,
           const std::vector<double>& confidence, double multiplier, const std::optional<Codes>& codes,
           const std::vector<std::string>& names) {
            const auto groups = row_groups(codes, names);
            const auto xs = column(x), ns = column(n);
            fairer::DsrResult r;
            {
                py::gil_scoped_release release;  // pure C++ over buffers the caller keeps alive
                const auto rows = static_cast<std::size_t>(xs.size());
                const Eigen::ArrayXd w = fairer::spread_by_group_position(rows, weights, "stdpop", ptr(groups));
                r = fairer::directly_standardised_rates(xs, ns, w, confidence, multiplier, ptr(groups));
            }
            return dsr_dict(r);
        },
        py::arg("x"), py::arg("n"), py::arg("weights"), py::arg("confidence"), py::arg("multiplier"),
        py::arg("codes"), py::arg("names"));

    m.def(
        "std_dsr_non_independent",
        [](const Doubles& x, const Doubles& n, const Doubles& stdpop, const Doubles& eventfreq,
           const Codes& ageband_codes, const std::vector<std::string>& ageband_names,
           const std::vector<double>& confidence, double multiplier, const std::optional<Codes>& codes,
           const std::vector<std::string>& names) {
            const auto groups = row_groups(codes, names);
            const auto bands = row_groups(ageband_codes, ageband_names);
            const auto xs = column(x), ns = column(n), ws = column(stdpop), fs = column(eventfreq);
            fairer::DsrResult r;
            {
                py::gil_scoped_release release;  // pure C++ over buffers the caller keeps alive
                r = fairer::directly_standardised_rates_non_independent(xs, ns, ws, fs, *bands, confidence,
                                                                        multiplier, ptr(groups));
            }
            return dsr_dict(r);
        },
        py::arg("x"), py::arg("n"), py::arg("stdpop"), py::arg("eventfreq"), py::arg("ageband_codes"),
        py::arg("ageband_names"), py::arg("confidence"), py::arg("multiplier"), py::arg("codes"), py::arg("names"));

    m.def(
        "std_by_position",
        [](std::size_t rows, const std::vector<double>& values, const std::string& what,
           const std::optional<Codes>& codes, const std::vector<std::string>& names) {
            const auto groups = row_groups(codes, names);
            const Eigen::ArrayXd out = fairer::spread_by_group_position(rows, values, what, ptr(groups));
            return py::array_t<double>(static_cast<py::ssize_t>(out.size()), out.data());
        },
        py::arg("rows"), py::arg("values"), py::arg("what"), py::arg("codes"), py::arg("names"));

    m.def(
        "std_isr",
        [](bool rate, const std::optional<Doubles>& x, const Doubles& n, const Doubles& x_ref, const Doubles& n_ref,
           const std::vector<double>& confidence, double scale, const std::optional<Codes>& codes,
           const std::vector<std::string>& names, const std::optional<Doubles>& observed_totals) {
            const auto groups = row_groups(codes, names);
            const Eigen::ArrayXd no_x(0);
            const fairer::ConstColumn xs = x ? fairer::ConstColumn(column(*x)) : fairer::ConstColumn(no_x);
            const auto ns = column(n), xrs = column(x_ref), nrs = column(n_ref);
            std::optional<fairer::ConstColumn> totals;
            if (observed_totals) totals.emplace(column(*observed_totals));
            const fairer::ConstColumn* totals_ptr = totals ? &*totals : nullptr;
            fairer::IsrResult r;
            {
                py::gil_scoped_release release;  // pure C++ over buffers the caller keeps alive
                r = rate ? fairer::indirectly_standardised_rates(xs, ns, xrs, nrs, confidence, scale, ptr(groups),
                                                                 totals_ptr)
                         : fairer::indirectly_standardised_ratios(xs, ns, xrs, nrs, confidence, scale, ptr(groups),
                                                                  totals_ptr);
            }
            return isr_dict(r);
        },
        py::arg("rate"), py::arg("x"), py::arg("n"), py::arg("x_ref"), py::arg("n_ref"), py::arg("confidence"),
        py::arg("scale"), py::arg("codes"), py::arg("names"), py::arg("observed_totals"));
}
