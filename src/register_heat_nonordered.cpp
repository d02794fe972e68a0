// Python bindings of the 13 non-ordered HEAT measures (fairer/heat_nonordered.hpp) over many
// subgroup tables at once, with the same flat columns and result layout as heat_measures_batch
// (src/register_heat.cpp) so that python/fairer/inequality.py can call both alike; and R's random
// stream (fairer/r_random.hpp) for users who need R's draws.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "fairer/heat_nonordered.hpp"
#include "fairer/r_random.hpp"
#include "fairer/subgroup_table.hpp"

namespace py = pybind11;

namespace {

using Column = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Offsets = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

void check_length(const Column& c, std::size_t n, const char* name) {
    if (c.ndim() != 1 || static_cast<std::size_t>(c.shape(0)) != n)
        throw fairer::InequalityError(std::string(name) + " must be a one-dimensional array of " + std::to_string(n) +
                                      " values, got " + std::to_string(c.size()));
}

struct Columns {
    const double *order, *population, *estimate, *se, *reference;
    const std::int64_t* offsets;
    const double *favourable, *ordered, *scale, *setting_average;

    // Table k into t, reusing t's storage.
    void fill(std::size_t k, fairer::SubgroupTable& t) const {
        const auto b = static_cast<std::size_t>(offsets[k]), e = static_cast<std::size_t>(offsets[k + 1]);
        t.order.assign(order + b, order + e);
        t.population.assign(population + b, population + e);
        t.estimate.assign(estimate + b, estimate + e);
        t.se.assign(se + b, se + e);
        t.reference.resize(e - b);
        for (std::size_t i = b; i < e; ++i) t.reference[i - b] = reference[i] == 1.0 ? 1 : 0;
        t.favourable = favourable[k] != 0.0;
        t.ordered = ordered[k] != 0.0;
        t.scale = scale[k];
        t.setting_average = setting_average[k];
    }
};

py::dict heat_nonordered_batch(const Column& order, const Column& population, const Column& estimate, const Column& se,
                               const Column& reference, const Offsets& offsets, const Column& favourable,
                               const Column& ordered, const Column& scale, const Column& setting_average,
                               const std::vector<std::string>& measures, bool only_applicable, const std::string& mode,
                               double confidence, std::size_t draws, std::uint32_t seed, const std::string& rng,
                               std::size_t max_attempts, const std::string& range_check, const py::object& table_names,
                               const py::object& labels) {
    if (offsets.ndim() != 1 || offsets.shape(0) < 1) throw fairer::InequalityError("offsets must be a non-empty 1-d array");
    const auto tables = static_cast<std::size_t>(offsets.shape(0) - 1);
    const std::int64_t* off = offsets.data();
    const auto rows = static_cast<std::size_t>(estimate.shape(0));
    if (off[0] != 0 || static_cast<std::size_t>(off[tables]) != rows)
        throw fairer::InequalityError("offsets must start at 0 and end at the number of rows (" + std::to_string(rows) + ")");
    for (std::size_t k = 0; k < tables; ++k)
        if (off[k + 1] < off[k]) throw fairer::InequalityError("offsets must not decrease");
    check_length(order, rows, "order");
    check_length(population, rows, "population");
    check_length(estimate, rows, "estimate");
    check_length(se, rows, "se");
    check_length(reference, rows, "reference");
    check_length(favourable, tables, "favourable");
    check_length(ordered, tables, "ordered");
    check_length(scale, tables, "scale");
    check_length(setting_average, tables, "setting_average");

    fairer::NonorderedOptions o;
    o.mode = fairer::parse_heat_mode(mode);
    o.confidence = confidence;
    o.draws = draws;
    o.seed = seed;
    o.rng = fairer::parse_simulation_rng(rng);
    o.max_attempts = max_attempts;
    if (range_check == "on")
        o.range_check = fairer::NonorderedOptions::RangeCheck::on;
    else if (range_check == "off")
        o.range_check = fairer::NonorderedOptions::RangeCheck::off;
    else if (range_check != "by_mode")
        throw fairer::InequalityError("range_check must be by_mode, on or off, got '" + range_check + "'");
    for (const auto& m : measures)
        if (!fairer::is_nonordered_measure(m))
            throw fairer::InequalityError("'" + m + "' is not one of BGV, BGSD, COV, MLD, TI, IDISU, IDISW, MDBU, MDBW, "
                                          "MDMU, MDMW, MDRU, MDRW");
    const std::vector<std::string>& wanted_all = measures.empty() ? fairer::heat_nonordered_measure_names() : measures;

    const Columns cols{order.data(), population.data(), estimate.data(), se.data(), reference.data(), off,
                       favourable.data(), ordered.data(), scale.data(), setting_average.data()};
    std::vector<std::int64_t> out_table;
    std::vector<std::int32_t> out_measure, out_reason;
    std::vector<double> out_est, out_se, out_lo, out_hi;
    std::vector<std::string> reasons{""};
    std::unordered_map<std::string, std::int32_t> reason_code{{"", 0}};
    std::size_t failed = tables;
    std::string failure;
    {
        // Safe without the GIL: only the arrays' buffers (kept alive by the caller's references)
        // and C++ objects are touched; names for messages are looked up after the GIL is back.
        py::gil_scoped_release release;
        fairer::SubgroupTable t;
        fairer::NonorderedWorkspace ws;
        std::vector<fairer::MeasureResult> res;
        std::vector<std::string> wanted;
        std::vector<std::int32_t> wanted_index;
        for (std::size_t k = 0; k < tables && failed == tables; ++k) {
            cols.fill(k, t);
            try {
                t.validate();
                const fairer::PreparedTable p = fairer::prepare_table(t);
                wanted.clear();
                wanted_index.clear();
                for (std::size_t i = 0; i < wanted_all.size(); ++i) {
                    if (only_applicable && !fairer::applicability_reason(wanted_all[i], p.size(), t.ordered).empty())
                        continue;
                    wanted.push_back(wanted_all[i]);
                    wanted_index.push_back(static_cast<std::int32_t>(i));
                }
                if (wanted.empty()) continue;
                res.clear();
                fairer::heat_nonordered_measures(t, p, wanted, o, ws, res);
                for (std::size_t i = 0; i < res.size(); ++i) {
                    const auto& r = res[i];
                    out_table.push_back(static_cast<std::int64_t>(k));
                    out_measure.push_back(wanted_index[i]);
                    out_est.push_back(r.estimate);
                    out_se.push_back(r.se);
                    out_lo.push_back(r.lower);
                    out_hi.push_back(r.upper);
                    const auto it = reason_code.find(r.reason);
                    if (it != reason_code.end()) {
                        out_reason.push_back(it->second);
                    } else {
                        const auto code = static_cast<std::int32_t>(reasons.size());
                        reason_code.emplace(r.reason, code);
                        reasons.push_back(r.reason);
                        out_reason.push_back(code);
                    }
                }
            } catch (const fairer::InequalityError& e) {
                failed = k;
                failure = e.what();
            }
        }
    }
    if (failed < tables) {
        // Re-validate the failing table with its names so the message says which table and subgroup.
        fairer::SubgroupTable t;
        cols.fill(failed, t);
        t.name = table_names.is_none() ? "#" + std::to_string(failed + 1)
                                       : py::str(table_names[py::int_(failed)]).cast<std::string>();
        if (!labels.is_none()) {
            for (auto i = static_cast<std::size_t>(off[failed]); i < static_cast<std::size_t>(off[failed + 1]); ++i)
                t.subgroup.push_back(py::str(labels[py::int_(i)]).cast<std::string>());
        }
        fairer::heat_nonordered_measures(t, measures, o);
        throw fairer::InequalityError(failure);
    }
    py::dict d;
    d["table"] = py::array_t<std::int64_t>(static_cast<py::ssize_t>(out_table.size()), out_table.data());
    d["measure"] = py::array_t<std::int32_t>(static_cast<py::ssize_t>(out_measure.size()), out_measure.data());
    d["estimate"] = py::array_t<double>(static_cast<py::ssize_t>(out_est.size()), out_est.data());
    d["se"] = py::array_t<double>(static_cast<py::ssize_t>(out_se.size()), out_se.data());
    d["lower"] = py::array_t<double>(static_cast<py::ssize_t>(out_lo.size()), out_lo.data());
    d["upper"] = py::array_t<double>(static_cast<py::ssize_t>(out_hi.size()), out_hi.data());
    d["reason_code"] = py::array_t<std::int32_t>(static_cast<py::ssize_t>(out_reason.size()), out_reason.data());
    d["reasons"] = reasons;
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
          "reason_code (index into reasons), plus the lists reasons and measures. Raises InequalityError\n"
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
