// Python bindings of the HEAT simple, ordered and impact measures (fairer/heat_measures.hpp) over
// many subgroup tables at once: flat numpy columns (one row per subgroup, tables contiguous) and
// per-table columns, read without copying. The pandas grouping lives in python/fairer/inequality.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <string>
#include <unordered_map>
#include <vector>

#include "fairer/heat_measures.hpp"
#include "fairer/heat_nonordered.hpp"
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

fairer::SlopeIndexMethod parse_slope(const std::string& s) {
    if (s == "who_logistic" || s == "who" || s == "logistic") return fairer::SlopeIndexMethod::who_logistic;
    if (s == "who_linear" || s == "linear") return fairer::SlopeIndexMethod::who_linear;
    if (s == "phe") return fairer::SlopeIndexMethod::phe;
    throw fairer::InequalityError("unknown slope method '" + s + "' (expected who_logistic, who_linear or phe)");
}

fairer::RciCorrection parse_correction(const std::string& s) {
    if (s == "none") return fairer::RciCorrection::none;
    if (s == "wagstaff") return fairer::RciCorrection::wagstaff;
    if (s == "erreygers") return fairer::RciCorrection::erreygers;
    throw fairer::InequalityError("unknown RCI correction '" + s + "' (expected none, wagstaff or erreygers)");
}

// Fills table k of the flat columns into t, reusing t's storage.
struct Batch {
    const double *order, *population, *estimate, *se, *reference;
    const std::int64_t* offsets;
    const double *favourable, *ordered, *scale, *setting_average;

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

py::dict heat_measures_batch(const Column& order, const Column& population, const Column& estimate, const Column& se,
                             const Column& reference, const Offsets& offsets, const Column& favourable,
                             const Column& ordered, const Column& scale, const Column& setting_average,
                             const std::vector<std::string>& measures, bool only_applicable, const std::string& mode,
                             double confidence, const std::string& slope, const std::string& rci_correction,
                             double lower_bound, double upper_bound, double rci_scale, const std::string& range_check,
                             const py::object& table_names, const py::object& labels) {
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

    fairer::HeatOptions o;
    o.mode = fairer::parse_heat_mode(mode);
    o.confidence = confidence;
    o.slope = parse_slope(slope);
    o.rci_correction = parse_correction(rci_correction);
    o.lower_bound = lower_bound;
    o.upper_bound = upper_bound;
    o.rci_scale = rci_scale;
    if (range_check == "on")
        o.range_check = fairer::HeatOptions::RangeCheck::on;
    else if (range_check == "off")
        o.range_check = fairer::HeatOptions::RangeCheck::off;
    else if (range_check != "by_mode")
        throw fairer::InequalityError("range_check must be by_mode, on or off, got '" + range_check + "'");
    static const std::vector<std::string> mine{"D", "R", "ACI", "RCI", "SII", "RII", "PAF", "PAR"};
    const std::vector<std::string>& wanted_all = measures.empty() ? mine : measures;
    for (const auto& m : wanted_all) {
        const auto& all = fairer::heat_measure_names();
        if (std::find(all.begin(), all.end(), m) == all.end() ||
            !(fairer::is_simple_measure(m) || fairer::is_ordered_measure(m)))
            throw fairer::InequalityError("'" + m + "' is not one of D, R, ACI, RCI, SII, RII, PAF, PAR");
    }

    const Batch batch{order.data(), population.data(), estimate.data(), se.data(), reference.data(), off,
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
        std::vector<std::string> wanted;
        std::vector<std::int32_t> wanted_index;
        for (std::size_t k = 0; k < tables && failed == tables; ++k) {
            batch.fill(k, t);
            try {
                t.validate();
                wanted.clear();
                wanted_index.clear();
                for (std::size_t i = 0; i < wanted_all.size(); ++i) {
                    if (only_applicable && !fairer::applicability_reason(wanted_all[i], t.size(), t.ordered).empty())
                        continue;
                    wanted.push_back(wanted_all[i]);
                    wanted_index.push_back(static_cast<std::int32_t>(i));
                }
                const auto res = fairer::heat_measures(t, fairer::prepare_table(t), wanted, o);
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
        batch.fill(failed, t);
        t.name = table_names.is_none() ? "#" + std::to_string(failed + 1)
                                       : py::str(table_names[py::int_(failed)]).cast<std::string>();
        if (!labels.is_none()) {
            for (auto i = static_cast<std::size_t>(off[failed]); i < static_cast<std::size_t>(off[failed + 1]); ++i)
                t.subgroup.push_back(py::str(labels[py::int_(i)]).cast<std::string>());
        }
        t.validate();
        fairer::heat_measures(t, fairer::prepare_table(t), wanted_all, o);
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

// A numpy array that takes over a vector's buffer (no copy).
template <class T>
py::array_t<T> adopt(std::vector<T>&& v) {
    auto* owner = new std::vector<T>(std::move(v));
    py::capsule free_owner(owner, [](void* q) { delete static_cast<std::vector<T>*>(q); });
    return py::array_t<T>(static_cast<py::ssize_t>(owner->size()), owner->data(), free_owner);
}

// All 21 HEAT measures in one pass: each table is filled, validated and prepared once, and its
// results come out in HEAT's display order, so Python only wraps the arrays.
py::dict heat_summary_batch(const Column& order, const Column& population, const Column& estimate, const Column& se,
                            const Column& reference, const Offsets& offsets, const Column& favourable,
                            const Column& ordered, const Column& scale, const Column& setting_average,
                            const std::vector<std::string>& measures, const std::string& mode, double confidence,
                            const std::string& slope, const std::string& rci_correction, double lower_bound,
                            double upper_bound, double rci_scale, const std::string& range_check, std::size_t draws,
                            std::uint32_t seed, const std::string& rng, const py::object& table_names,
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

    fairer::HeatOptions o;
    o.mode = fairer::parse_heat_mode(mode);
    o.confidence = confidence;
    o.slope = parse_slope(slope);
    o.rci_correction = parse_correction(rci_correction);
    o.lower_bound = lower_bound;
    o.upper_bound = upper_bound;
    o.rci_scale = rci_scale;
    fairer::NonorderedOptions no;
    no.mode = o.mode;
    no.confidence = confidence;
    no.draws = draws;
    no.seed = seed;
    no.rng = fairer::parse_simulation_rng(rng);
    if (range_check == "on") {
        o.range_check = fairer::HeatOptions::RangeCheck::on;
        no.range_check = fairer::NonorderedOptions::RangeCheck::on;
    } else if (range_check == "off") {
        o.range_check = fairer::HeatOptions::RangeCheck::off;
        no.range_check = fairer::NonorderedOptions::RangeCheck::off;
    } else if (range_check != "by_mode") {
        throw fairer::InequalityError("range_check must be by_mode, on or off, got '" + range_check + "'");
    }
    const auto& all = fairer::heat_measure_names();
    std::vector<bool> wanted_measure(all.size(), measures.empty());
    for (const auto& m : measures) {
        const auto it = std::find(all.begin(), all.end(), m);
        if (it == all.end()) throw fairer::InequalityError("'" + m + "' is not one of the 21 HEAT measures");
        wanted_measure[static_cast<std::size_t>(it - all.begin())] = true;
    }
    const bool only_applicable = measures.empty();

    const Batch batch{order.data(), population.data(), estimate.data(), se.data(), reference.data(), off,
                      favourable.data(), ordered.data(), scale.data(), setting_average.data()};
    std::vector<std::int64_t> out_table;
    std::vector<std::int8_t> out_measure;
    std::vector<std::int32_t> out_reason;
    std::vector<double> out_est, out_se, out_lo, out_hi;
    const std::size_t guess = tables * (measures.empty() ? 12 : measures.size());
    for (auto* v : {&out_est, &out_se, &out_lo, &out_hi}) v->reserve(guess);
    out_table.reserve(guess);
    out_measure.reserve(guess);
    out_reason.reserve(guess);
    std::vector<std::string> reasons;
    std::unordered_map<std::string, std::int32_t> reason_code;
    std::size_t failed = tables;
    std::string failure;
    {
        // Safe without the GIL: only the arrays' buffers (kept alive by the caller's references)
        // and C++ objects are touched; names for messages are looked up after the GIL is back.
        py::gil_scoped_release release;
        fairer::SubgroupTable t;
        fairer::NonorderedWorkspace ws;
        std::vector<fairer::MeasureResult> mine, theirs;
        std::vector<std::string> want_mine, want_theirs;
        std::vector<const fairer::MeasureResult*> slot(all.size());
        for (std::size_t k = 0; k < tables && failed == tables; ++k) {
            batch.fill(k, t);
            try {
                t.validate();
                const fairer::PreparedTable p = fairer::prepare_table(t);
                want_mine.clear();
                want_theirs.clear();
                for (std::size_t i = 0; i < all.size(); ++i) {
                    if (!wanted_measure[i]) continue;
                    if (only_applicable && !fairer::applicability_reason(all[i], t.size(), t.ordered).empty()) continue;
                    (fairer::is_nonordered_measure(all[i]) ? want_theirs : want_mine).push_back(all[i]);
                }
                mine = fairer::heat_measures(t, p, want_mine, o);
                theirs.clear();
                if (!want_theirs.empty()) fairer::heat_nonordered_measures(t, p, want_theirs, no, ws, theirs);
                std::fill(slot.begin(), slot.end(), nullptr);
                for (const auto* group : {&mine, &theirs})
                    for (const auto& r : *group)
                        slot[static_cast<std::size_t>(std::find(all.begin(), all.end(), r.measure) - all.begin())] = &r;
                for (std::size_t i = 0; i < all.size(); ++i) {
                    if (slot[i] == nullptr) continue;
                    const auto& r = *slot[i];
                    out_table.push_back(static_cast<std::int64_t>(k));
                    out_measure.push_back(static_cast<std::int8_t>(i));
                    out_est.push_back(r.estimate);
                    out_se.push_back(r.se);
                    out_lo.push_back(r.lower);
                    out_hi.push_back(r.upper);
                    if (r.reason.empty()) {
                        out_reason.push_back(-1);
                        continue;
                    }
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
        batch.fill(failed, t);
        t.name = table_names.is_none() ? "#" + std::to_string(failed + 1)
                                       : py::str(table_names[py::int_(failed)]).cast<std::string>();
        if (!labels.is_none()) {
            for (auto i = static_cast<std::size_t>(off[failed]); i < static_cast<std::size_t>(off[failed + 1]); ++i)
                t.subgroup.push_back(py::str(labels[py::int_(i)]).cast<std::string>());
        }
        t.validate();
        const auto p = fairer::prepare_table(t);
        fairer::heat_measures(t, p, all, o);
        fairer::NonorderedWorkspace ws;
        std::vector<fairer::MeasureResult> res;
        fairer::heat_nonordered_measures(t, p, {}, no, ws, res);
        throw fairer::InequalityError(failure);
    }
    py::dict d;
    d["table"] = adopt(std::move(out_table));
    d["measure"] = adopt(std::move(out_measure));
    d["estimate"] = adopt(std::move(out_est));
    d["se"] = adopt(std::move(out_se));
    d["lower"] = adopt(std::move(out_lo));
    d["upper"] = adopt(std::move(out_hi));
    d["reason_code"] = adopt(std::move(out_reason));
    d["reasons"] = reasons;
    return d;
}

}  // namespace

void register_heat(py::module_& m) {
    m.def("heat_measures_batch", &heat_measures_batch, py::arg("order"), py::arg("population"), py::arg("estimate"),
          py::arg("se"), py::arg("reference"), py::arg("offsets"), py::arg("favourable"), py::arg("ordered"),
          py::arg("scale"), py::arg("setting_average"), py::arg("measures") = std::vector<std::string>{}, py::arg("only_applicable") = true,
          py::arg("mode") = "corrected", py::arg("confidence") = 0.95, py::arg("slope") = "who_logistic",
          py::arg("rci_correction") = "none", py::arg("lower_bound") = std::nan(""),
          py::arg("upper_bound") = std::nan(""), py::arg("rci_scale") = 1.0, py::arg("range_check") = "by_mode",
          py::arg("table_names") = py::none(), py::arg("labels") = py::none(),
          "HEAT D, R, ACI, RCI, SII, RII, PAF and PAR (fairer/heat_measures.hpp) for many subgroup tables.\n\n"
          "Rows of table k are [offsets[k], offsets[k+1]); row columns order, population, estimate, se, reference\n"
          "(1 = reference), table columns favourable, ordered (1/0), scale, setting_average (NaN = none).\n"
          "measures: names (empty = all 8); only_applicable skips measures that do not apply to a table's\n"
          "shape. mode: corrected, heat6 or healthequal. slope: who_logistic, who_linear or phe.\n"
          "rci_correction: none, wagstaff or erreygers (needs lower_bound, upper_bound). Returns a dict of\n"
          "arrays: table, measure (index into measures), estimate, se, lower, upper, reason_code (index into\n"
          "reasons), plus the lists reasons and measures. Raises InequalityError naming the table and\n"
          "subgroup for invalid input.");
    m.def("heat_summary_batch", &heat_summary_batch, py::arg("order"), py::arg("population"), py::arg("estimate"),
          py::arg("se"), py::arg("reference"), py::arg("offsets"), py::arg("favourable"), py::arg("ordered"),
          py::arg("scale"), py::arg("setting_average"), py::arg("measures") = std::vector<std::string>{},
          py::arg("mode") = "corrected", py::arg("confidence") = 0.95, py::arg("slope") = "who_logistic",
          py::arg("rci_correction") = "none", py::arg("lower_bound") = std::nan(""),
          py::arg("upper_bound") = std::nan(""), py::arg("rci_scale") = 1.0, py::arg("range_check") = "by_mode",
          py::arg("draws") = 0, py::arg("seed") = 123456, py::arg("rng") = "by_mode",
          py::arg("table_names") = py::none(), py::arg("labels") = py::none(),
          "All 21 HEAT measures (heat_measures_batch and heat_nonordered_batch in one pass) for many subgroup\n"
          "tables. measures: names (empty = every measure applicable to each table's shape; named measures\n"
          "that do not apply come back missing with the reason). draws: simulated tables for the simulated\n"
          "intervals (0 = none). Returns a dict of arrays in table order, then HEAT's measure order: table,\n"
          "measure (int8 index into heat_measure_names()), estimate, se, lower, upper, reason_code (-1 = no\n"
          "reason, else index into the list reasons).");
    m.def("heat_measure_names", &fairer::heat_measure_names, "The 21 HEAT measures in display order.");
    m.def("applicable_measures", &fairer::applicable_measures, py::arg("subgroups"), py::arg("ordered"),
          "HEAT 6.0's measures for a table of this many subgroups (spec inequality-measures.md §1).");
}
