// Python bindings of the 13 non-ordered HEAT measures (fairer/heat_nonordered.hpp) over many
// subgroup tables at once, in the flat-column layout of heat_batch.hpp, with every option of the
// simulation exposed (the reference tests use it); and R's random stream (fairer/r_random.hpp) for
// users who need R's draws.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "fairer/heat_nonordered.hpp"
#include "fairer/r_random.hpp"
#include "fairer/subgroup_table.hpp"
#include "heat_batch.hpp"

namespace py = pybind11;

namespace {

using heat_batch::Column;
using heat_batch::Offsets;

py::dict heat_nonordered_batch(const Column& order, const Column& population, const Column& estimate, const Column& se,
                               const Column& reference, const Offsets& offsets, const Column& favourable,
                               const Column& ordered, const Column& scale, const Column& setting_average,
                               const std::vector<std::string>& measures, bool only_applicable, const std::string& mode,
                               double confidence, std::size_t draws, std::uint32_t seed, const std::string& rng,
                               std::size_t max_attempts, const std::string& range_check, const py::object& table_names,
                               const py::object& labels) {
    const heat_batch::Tables cols(order, population, estimate, se, reference, offsets, favourable, ordered, scale,
                                  setting_average);
    fairer::NonorderedOptions o;
    o.mode = fairer::parse_heat_mode(mode);
    o.confidence = confidence;
    o.draws = draws;
    o.seed = seed;
    o.rng = fairer::parse_simulation_rng(rng);
    o.max_attempts = max_attempts;
    o.range_check = heat_batch::parse_range_check(range_check, fairer::NonorderedOptions::RangeCheck::by_mode);
    for (const auto& m : measures)
        if (!fairer::is_nonordered_measure(m))
            throw fairer::InequalityError("'" + m + "' is not one of BGV, BGSD, COV, MLD, TI, IDISU, IDISW, MDBU, MDBW, "
                                          "MDMU, MDMW, MDRU, MDRW");
    const std::vector<std::string>& wanted_all = measures.empty() ? fairer::heat_nonordered_measure_names() : measures;

    heat_batch::Results out;
    fairer::SubgroupTable t;
    fairer::NonorderedWorkspace ws;
    std::vector<fairer::MeasureResult> res;
    std::vector<std::string> wanted;
    std::vector<std::size_t> wanted_index;
    heat_batch::for_each_table(
        cols.size(),
        [&](std::size_t k) {
            cols.fill(k, t);
            t.validate();
            const fairer::PreparedTable p = fairer::prepare_table(t);
            wanted.clear();
            wanted_index.clear();
            for (std::size_t i = 0; i < wanted_all.size(); ++i) {
                if (only_applicable && !fairer::applicability_reason(wanted_all[i], p.size(), t.ordered).empty())
                    continue;
                wanted.push_back(wanted_all[i]);
                wanted_index.push_back(i);
            }
            if (wanted.empty()) return;
            res.clear();
            fairer::heat_nonordered_measures(t, p, wanted, o, ws, res);
            for (std::size_t i = 0; i < res.size(); ++i) out.add(k, wanted_index[i], res[i]);
        },
        [&](std::size_t k) { fairer::heat_nonordered_measures(cols.named(k, table_names, labels), measures, o); });
    py::dict d = std::move(out).to_dict();
    d["measures"] = wanted_all;
    return d;
}

py::array_t<double> r_rnorm(std::size_t n, std::uint32_t seed, double mean, double sd) {
    py::array_t<double> out(static_cast<py::ssize_t>(n));
    double* o = out.mutable_data();
    fairer::RRandom rng(seed);
    for (std::size_t i = 0; i < n; ++i) o[i] = rng.rnorm(mean, sd);
    return out;
}

py::array_t<double> r_runif(std::size_t n, std::uint32_t seed) {
    py::array_t<double> out(static_cast<py::ssize_t>(n));
    double* o = out.mutable_data();
    fairer::RRandom rng(seed);
    for (std::size_t i = 0; i < n; ++i) o[i] = rng.unif_rand();
    return out;
}

py::array_t<double> r_qnorm(const Column& p, double mean, double sd) {
    py::array_t<double> out(p.request().shape);
    const double* in = p.data();
    double* o = out.mutable_data();
    for (py::ssize_t i = 0; i < p.size(); ++i) o[i] = fairer::r_qnorm(in[i], mean, sd);
    return out;
}

}  // namespace

void register_heat_nonordered(py::module_& m) {
    m.def("heat_nonordered_batch", &heat_nonordered_batch, py::arg("order"), py::arg("population"),
          py::arg("estimate"), py::arg("se"), py::arg("reference"), py::arg("offsets"), py::arg("favourable"),
          py::arg("ordered"), py::arg("scale"), py::arg("setting_average"),
          py::arg("measures") = std::vector<std::string>{}, py::arg("only_applicable") = true,
          py::arg("mode") = "corrected", py::arg("confidence") = 0.95, py::arg("draws") = 100,
          py::arg("seed") = 123456, py::arg("rng") = "by_mode", py::arg("max_attempts") = 1000000,
          py::arg("range_check") = "by_mode", py::arg("table_names") = py::none(), py::arg("labels") = py::none(),
          "HEAT BGV, BGSD, COV, MLD, TI, IDISU, IDISW, MDBU, MDBW, MDMU, MDMW, MDRU, MDRW\n"
          "(fairer/heat_nonordered.hpp) for many subgroup tables, with analytic (BGV, MLD, TI) or simulated\n"
          "(the others; 100 truncated-normal draws, R quantile type 7) 95% limits.\n\n"
          "Rows of table k are [offsets[k], offsets[k+1]); columns as heat_measures_batch. measures: names\n"
          "(empty = all 13); only_applicable skips measures that do not apply to a table's shape. mode:\n"
          "corrected, heat6 or healthequal. rng: by_mode (R's stream for heat6/healthequal, native for\n"
          "corrected), r or native; seed: set.seed value (HEAT: 123456), applied to every table.\n"
          "Returns a dict of arrays: table, measure (index into measures), estimate, se, lower, upper,\n"
          "reason_code (-1 = no reason, else index into reasons), plus the lists reasons and measures. Raises InequalityError\n"
          "naming the table and subgroup for invalid input.");
    m.def("heat_nonordered_measure_names", &fairer::heat_nonordered_measure_names,
          "The 13 non-ordered HEAT measures in display order.");
    m.def("r_rnorm", &r_rnorm, py::arg("n"), py::arg("seed"), py::arg("mean") = 0.0, py::arg("sd") = 1.0,
          "R's set.seed(seed); rnorm(n, mean, sd) with the default Mersenne-Twister/Inversion generators, bit for bit.");
    m.def("r_runif", &r_runif, py::arg("n"), py::arg("seed"),
          "R's set.seed(seed); runif(n) with the default Mersenne-Twister generator, bit for bit.");
    m.def("r_qnorm", &r_qnorm, py::arg("p"), py::arg("mean") = 0.0, py::arg("sd") = 1.0,
          "R's qnorm(p, mean, sd) (Wichura's AS 241), elementwise.");
}
