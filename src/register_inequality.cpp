// Python bindings of the inequality methods: the slope and relative index of inequality
// (fairer/sii.hpp) and deprivation quantiles (fairer/quantiles.hpp). These take flat numpy
// columns without copying; grouping, sorting and the pandas conveniences live in
// python/fairer/methods/_sii.py.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fairer/quantiles.hpp"
#include "fairer/sii.hpp"

namespace py = pybind11;

namespace {

using Column = py::array_t<double, py::array::c_style | py::array::forcecast>;

const double* column_data(const std::optional<Column>& c, std::size_t rows, const char* name) {
    if (!c) return nullptr;
    if (c->ndim() != 1 || static_cast<std::size_t>(c->shape(0)) != rows)
        throw fairer::InequalityError(std::string(name) + " must be a one-dimensional array of " + std::to_string(rows) +
                                      " values, got " + std::to_string(c->size()));
    return c->data();
}

py::dict sii_binding(const Column& population, const std::optional<Column>& value, const std::optional<Column>& count,
                     const std::optional<Column>& se, const std::optional<Column>& lower_cl,
                     const std::optional<Column>& upper_cl, std::vector<std::size_t> offsets,
                     std::vector<std::string> group_labels, std::vector<std::int64_t> row_ids, int value_type, bool transform,
                     double multiplier, std::size_t repetitions, std::vector<double> confidence, bool reliability,
                     const std::string& method, std::uint64_t seed, bool rii, std::size_t threads,
                     const std::function<void(std::size_t, std::size_t)>& progress) {
    if (population.ndim() != 1) throw fairer::InequalityError("population must be a one-dimensional array");
    fairer::SiiInput in;
    in.rows = static_cast<std::size_t>(population.shape(0));
    in.population = population.data();
    in.value = column_data(value, in.rows, "value");
    in.count = column_data(count, in.rows, "x");
    in.se = column_data(se, in.rows, "se");
    in.lower_cl = column_data(lower_cl, in.rows, "lower_cl");
    in.upper_cl = column_data(upper_cl, in.rows, "upper_cl");
    in.offsets = std::move(offsets);
    in.group_labels = std::move(group_labels);
    in.row_ids = std::move(row_ids);

    fairer::SiiOptions o;
    if (value_type < 0 || value_type > 2) throw fairer::InequalityError("value_type should be 0, 1 or 2");
    o.value_type = static_cast<fairer::SiiValueType>(value_type);
    o.transform = transform;
    o.multiplier = multiplier;
    o.repetitions = repetitions;
    o.confidence = std::move(confidence);
    o.reliability = reliability;
    o.seed = seed;
    o.threads = threads;
    if (method == "simulation")
        o.method = fairer::SiiMethod::simulation;
    else if (method == "analytic")
        o.method = fairer::SiiMethod::analytic;
    else
        throw fairer::InequalityError("method must be \"simulation\" or \"analytic\", got \"" + method + "\"");
    if (progress) {
        // The callback runs while the GIL is released: take it back for the Python call.
        o.progress = [&progress](std::size_t done, std::size_t total) {
            py::gil_scoped_acquire gil;
            progress(done, total);
        };
    }

    std::vector<fairer::SiiGroupResult> res;
    {
        // Safe without the GIL: the numpy buffers are kept alive by the arguments of this call and
        // the core neither touches Python objects nor keeps the pointers after it returns.
        py::gil_scoped_release release;
        res = fairer::slope_index_of_inequality(in, o, rii);
    }

    const auto groups = static_cast<py::ssize_t>(res.size());
    const auto levels = static_cast<py::ssize_t>(o.confidence.size());
    py::array_t<double> sii(groups), rii_v(groups), intercept(groups);
    py::array_t<double> sii_lo({groups, levels}), sii_hi({groups, levels}), rii_lo({groups, levels}), rii_hi({groups, levels});
    py::array_t<double> sii_mad({groups, levels}), rii_mad({groups, levels});
    auto s = sii.mutable_unchecked<1>(), r = rii_v.mutable_unchecked<1>(), it = intercept.mutable_unchecked<1>();
    auto sl = sii_lo.mutable_unchecked<2>(), sh = sii_hi.mutable_unchecked<2>();
    auto rl = rii_lo.mutable_unchecked<2>(), rh = rii_hi.mutable_unchecked<2>();
    auto sm = sii_mad.mutable_unchecked<2>(), rm = rii_mad.mutable_unchecked<2>();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (py::ssize_t g = 0; g < groups; ++g) {
        const auto& x = res[static_cast<std::size_t>(g)];
        s(g) = x.sii;
        r(g) = x.rii;
        it(g) = x.intercept;
        for (py::ssize_t l = 0; l < levels; ++l) {
            const auto li = static_cast<std::size_t>(l);
            sl(g, l) = x.sii_limits[li].lower;
            sh(g, l) = x.sii_limits[li].upper;
            rl(g, l) = x.rii_limits[li].lower;
            rh(g, l) = x.rii_limits[li].upper;
            sm(g, l) = li < x.sii_mad.size() ? x.sii_mad[li] : nan;
            rm(g, l) = li < x.rii_mad.size() ? x.rii_mad[li] : nan;
        }
    }
    py::dict out;
    out["sii"] = sii;
    out["rii"] = rii_v;
    out["intercept"] = intercept;
    out["sii_lower"] = sii_lo;
    out["sii_upper"] = sii_hi;
    out["rii_lower"] = rii_lo;
    out["rii_upper"] = rii_hi;
    out["sii_mad"] = sii_mad;
    out["rii_mad"] = rii_mad;
    return out;
}

py::tuple quantile_binding(const Column& values, const std::optional<py::array_t<std::uint32_t, py::array::c_style |
                                                                                   py::array::forcecast>>& group,
                           std::size_t groups, const std::vector<bool>& invert, int nquantiles) {
    if (values.ndim() != 1) throw fairer::InequalityError("values must be a one-dimensional array");
    const auto rows = static_cast<std::size_t>(values.shape(0));
    const std::uint32_t* g = nullptr;
    if (group) {
        if (group->ndim() != 1 || static_cast<std::size_t>(group->shape(0)) != rows)
            throw fairer::InequalityError("group codes must be a one-dimensional array of " + std::to_string(rows) + " values");
        g = group->data();
    }
    fairer::QuantileAssignment a;
    {
        // Safe without the GIL: only the numpy buffers held by this call's arguments are read.
        py::gil_scoped_release release;
        a = fairer::assign_quantiles(values.data(), rows, g, groups, invert, nquantiles);
    }
    py::array_t<double> q(static_cast<py::ssize_t>(rows));
    std::copy(a.quantile.begin(), a.quantile.end(), q.mutable_data());
    return py::make_tuple(q, a.groups_without_quantiles);
}

}  // namespace

void register_inequality(py::module_& m) {
    m.def("sii", &sii_binding, py::arg("population"), py::arg("value"), py::arg("count"), py::arg("se"), py::arg("lower_cl"),
          py::arg("upper_cl"), py::arg("offsets"), py::arg("group_labels"), py::arg("row_ids"), py::arg("value_type"),
          py::arg("transform"), py::arg("multiplier"), py::arg("repetitions"), py::arg("confidence"),
          py::arg("reliability"), py::arg("method"), py::arg("seed"), py::arg("rii"), py::arg("threads"), py::arg("progress"),
          "Slope and relative index of inequality per contiguous group (fairer/sii.hpp); see fairer.methods.sii.");
    m.def("sii_confidence_levels", &fairer::sii_confidence_levels, py::arg("confidence"),
          "The SII confidence levels as fractions, checked by the package's rule.");
    m.def("assign_quantiles", &quantile_binding, py::arg("values"), py::arg("group"), py::arg("groups"), py::arg("invert"),
          py::arg("nquantiles"),
          "Deprivation quantiles per row (fairer/quantiles.hpp); returns (quantiles, groups without quantiles).");
}
