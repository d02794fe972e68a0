// Python bindings of the distribution measures (include/fairer/distribution_inequality.hpp) and the
// streaming unit-level accumulator (include/fairer/unit_level.hpp). Columns bind as C-contiguous
// float64 / int64 arrays, so numpy input of that type is read in place without a copy. The pandas
// layer (column names, result objects, chunked readers) is python/fairer/distribution.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fairer/distribution_inequality.hpp"
#include "fairer/errors.hpp"
#include "fairer/unit_level.hpp"
#include "numpy_support.hpp"

namespace py = pybind11;

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Codes = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

std::size_t length(const py::array& a, const char* name) {
    if (a.ndim() != 1) throw fairer::InequalityError(std::string(name) + " must be one-dimensional");
    return static_cast<std::size_t>(a.shape(0));
}

void same_length(std::size_t n, const py::array& a, const char* name) {
    if (length(a, name) != n)
        throw fairer::InequalityError(std::string(name) + " has " + std::to_string(a.shape(0)) + " rows but the outcome has " +
                                      std::to_string(n));
}

fairer::DistributionView view(const Array& y, const std::optional<Array>& w) {
    const std::size_t n = length(y, "outcome");
    if (w) same_length(n, *w, "weights");
    return {y.data(), w ? w->data() : nullptr, n};
}

using numpy_support::to_numpy;

py::dict atkinson_dict(const fairer::AtkinsonResult& a) {
    py::dict d;
    d["index"] = a.index;
    d["ede"] = a.ede;
    d["mean"] = a.mean;
    d["epsilon"] = a.epsilon;
    return d;
}

py::dict decomposition_dict(const fairer::TheilDecomposition& t) {
    std::vector<std::int64_t> codes;
    std::vector<double> pop, out, idx;
    for (const auto& g : t.groups) {
        codes.push_back(g.group);
        pop.push_back(g.population_share);
        out.push_back(g.outcome_share);
        idx.push_back(g.index);
    }
    py::dict d;
    d["total"] = t.total;
    d["between"] = t.between;
    d["within"] = t.within;
    d["group"] = to_numpy(std::move(codes));
    d["population_share"] = to_numpy(std::move(pop));
    d["outcome_share"] = to_numpy(std::move(out));
    d["index"] = to_numpy(std::move(idx));
    return d;
}

py::dict concentration_dict(const fairer::ConcentrationResult& c) {
    py::dict d;
    d["estimate"] = c.estimate;
    d["se"] = c.se;
    d["lower"] = c.lower;
    d["upper"] = c.upper;
    d["mean"] = c.mean;
    d["kind"] = std::string(fairer::to_string(c.kind));
    return d;
}

fairer::ConcentrationOptions ci_options(const std::string& kind, double lmin, double lmax, double confidence) {
    fairer::ConcentrationOptions o;
    o.kind = fairer::parse_concentration_kind(kind);
    o.lmin = lmin;
    o.lmax = lmax;
    o.confidence = confidence;
    return o;
}

// Holds the arrays of one add() call alive and typed while the GIL is released.
struct ChunkArrays {
    Array y;
    std::optional<Array> w;
    std::optional<Array> rank;
    std::optional<Codes> group;

    fairer::UnitLevelChunk chunk() const {
        fairer::UnitLevelChunk c;
        c.size = length(y, "outcome");
        c.outcome = y.data();
        if (w) {
            same_length(c.size, *w, "weights");
            c.weights = w->data();
        }
        if (rank) {
            same_length(c.size, *rank, "rank");
            c.rank = rank->data();
        }
        if (group) {
            same_length(c.size, *group, "group");
            c.group = group->data();
        }
        return c;
    }
};

}  // namespace

void register_distribution_inequality(py::module_& m) {
    const auto nan = std::nan("");

    m.def("distribution_gini", [](const Array& y, const std::optional<Array>& w) {
        const auto d = view(y, w);
        // Safe without the GIL: the arrays are held by the call's arguments and only read.
        py::gil_scoped_release release;
        return fairer::gini(d);
    }, py::arg("y"), py::arg("weights") = py::none());

    m.def("distribution_lorenz", [](const Array& y, const std::optional<Array>& w) {
        const auto d = view(y, w);
        std::vector<fairer::LorenzPoint> points;
        {
            // Safe without the GIL: the arrays are held by the call's arguments and only read.
            py::gil_scoped_release release;
            points = fairer::lorenz_curve(d);
        }
        std::vector<double> p, s;
        for (const auto& pt : points) {
            p.push_back(pt.population_share);
            s.push_back(pt.outcome_share);
        }
        return py::make_tuple(to_numpy(std::move(p)), to_numpy(std::move(s)));
    }, py::arg("y"), py::arg("weights") = py::none());

    m.def("distribution_atkinson", [](const Array& y, const std::optional<Array>& w, double epsilon) {
        const auto d = view(y, w);
        fairer::AtkinsonResult a;
        {
            // Safe without the GIL: the arrays are held by the call's arguments and only read.
            py::gil_scoped_release release;
            a = fairer::atkinson(d, epsilon);
        }
        return atkinson_dict(a);
    }, py::arg("y"), py::arg("weights"), py::arg("epsilon"));

    m.def("distribution_generalized_entropy", [](const Array& y, const std::optional<Array>& w, double alpha) {
        const auto d = view(y, w);
        // Safe without the GIL: the arrays are held by the call's arguments and only read.
        py::gil_scoped_release release;
        return fairer::generalized_entropy(d, alpha);
    }, py::arg("y"), py::arg("weights"), py::arg("alpha"));

    m.def("distribution_theil_decomposition",
          [](const Array& y, const std::optional<Array>& w, const Codes& groups, const std::string& kind) {
              const auto d = view(y, w);
              same_length(d.size, groups, "groups");
              if (kind != "T" && kind != "L") throw fairer::InequalityError("Theil kind must be 'T' or 'L'; got '" + kind + "'");
              fairer::TheilDecomposition t;
              {
                  // Safe without the GIL: the arrays are held by the call's arguments and only read.
                  py::gil_scoped_release release;
                  t = fairer::theil_decomposition(d, groups.data(), kind == "T" ? fairer::TheilKind::t : fairer::TheilKind::l);
              }
              return decomposition_dict(t);
          },
          py::arg("y"), py::arg("weights"), py::arg("groups"), py::arg("kind"));

    m.def("distribution_wolfson", [](const Array& y, const std::optional<Array>& w) {
        const auto d = view(y, w);
        // Safe without the GIL: the arrays are held by the call's arguments and only read.
        py::gil_scoped_release release;
        return fairer::wolfson(d);
    }, py::arg("y"), py::arg("weights") = py::none());

    m.def("distribution_concentration_index",
          [](const Array& y, const Array& rank, const std::optional<Array>& w, const std::string& kind, double lmin,
             double lmax, double confidence) {
              const auto d = view(y, w);
              same_length(d.size, rank, "rank");
              const auto o = ci_options(kind, lmin, lmax, confidence);
              fairer::ConcentrationResult c;
              {
                  // Safe without the GIL: the arrays are held by the call's arguments and only read.
                  py::gil_scoped_release release;
                  c = fairer::concentration_index(d, rank.data(), o);
              }
              return concentration_dict(c);
          },
          py::arg("y"), py::arg("rank"), py::arg("weights"), py::arg("kind"), py::arg("lmin") = nan,
          py::arg("lmax") = nan, py::arg("confidence") = 0.95);

    m.def("distribution_concentration_index_survey",
          [](const Array& y, const Array& rank, const std::optional<Array>& w, const std::optional<Codes>& strata,
             const Codes& psu, const std::string& kind, double lmin, double lmax, double confidence) {
              const auto d = view(y, w);
              same_length(d.size, rank, "rank");
              same_length(d.size, psu, "psu");
              if (strata) same_length(d.size, *strata, "strata");
              const auto o = ci_options(kind, lmin, lmax, confidence);
              fairer::ConcentrationResult c;
              {
                  // Safe without the GIL: the arrays are held by the call's arguments and only read.
                  py::gil_scoped_release release;
                  c = fairer::concentration_index_survey(d, rank.data(), strata ? strata->data() : nullptr, psu.data(), o);
              }
              return concentration_dict(c);
          },
          py::arg("y"), py::arg("rank"), py::arg("weights"), py::arg("strata"), py::arg("psu"), py::arg("kind"),
          py::arg("lmin") = nan, py::arg("lmax") = nan, py::arg("confidence") = 0.95);

    py::class_<fairer::UnitLevelAccumulator>(m, "UnitLevelAccumulator")
        .def(py::init([](bool gini, std::vector<double> epsilons, std::size_t max_distinct) {
                 fairer::UnitLevelOptions o;
                 o.gini = gini;
                 o.atkinson_epsilons = std::move(epsilons);
                 o.max_distinct = max_distinct;
                 return fairer::UnitLevelAccumulator(std::move(o));
             }),
             py::arg("gini") = true, py::arg("epsilons") = std::vector<double>{}, py::arg("max_distinct") = 1000000)
        .def("add",
             [](fairer::UnitLevelAccumulator& a, const Array& y, const std::optional<Array>& w,
                const std::optional<Array>& rank, const std::optional<Codes>& group) {
                 const ChunkArrays arrays{y, w, rank, group};
                 const auto chunk = arrays.chunk();
                 // Safe without the GIL: the arrays are held by `arrays`; the accumulator is only
                 // touched by this call (concurrent use of one accumulator from threads is not supported).
                 py::gil_scoped_release release;
                 a.add(chunk);
             },
             py::arg("y"), py::arg("weights") = py::none(), py::arg("rank") = py::none(), py::arg("group") = py::none())
        .def("merge", &fairer::UnitLevelAccumulator::merge, py::arg("other"))
        .def("recode_groups", &fairer::UnitLevelAccumulator::recode_groups, py::arg("old_to_new"))
        .def("copy", [](const fairer::UnitLevelAccumulator& a) { return fairer::UnitLevelAccumulator(a); })
        .def_property_readonly("rows", &fairer::UnitLevelAccumulator::rows)
        .def_property_readonly("missing", &fairer::UnitLevelAccumulator::missing)
        .def("result",
             [](const fairer::UnitLevelAccumulator& a, const std::string& kind, double lmin, double lmax,
                double confidence, bool skip_missing) {
                 const auto o = ci_options(kind, lmin, lmax, confidence);
                 fairer::UnitLevelResult r;
                 {
                     // Safe without the GIL: result() only reads the accumulator.
                     py::gil_scoped_release release;
                     r = a.result(o, skip_missing);
                 }
                 py::dict d;
                 d["rows"] = r.rows;
                 d["missing"] = r.missing;
                 d["total_weight"] = r.total_weight;
                 d["mean"] = r.mean;
                 d["min"] = r.min;
                 d["max"] = r.max;
                 d["gini"] = r.gini;
                 d["theil_t"] = r.theil_t;
                 d["theil_l"] = r.theil_l;
                 py::list atk;
                 for (const auto& x : r.atkinson) atk.append(atkinson_dict(x));
                 d["atkinson"] = atk;
                 d["theil_t_groups"] = decomposition_dict(r.theil_t_groups);
                 d["theil_l_groups"] = decomposition_dict(r.theil_l_groups);
                 d["concentration"] = concentration_dict(r.concentration);
                 d["distinct_outcomes"] = r.distinct_outcomes;
                 d["distinct_ranks"] = r.distinct_ranks;
                 return d;
             },
             py::arg("kind") = "standard", py::arg("lmin") = nan, py::arg("lmax") = nan, py::arg("confidence") = 0.95,
             py::arg("skip_missing") = false);
}
