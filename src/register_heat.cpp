// Python bindings of all 21 HEAT measures (fairer/heat_measures.hpp for the simple, ordered and
// impact measures, fairer/heat_nonordered.hpp for the rest) over many subgroup tables at once; the
// flat-column layout is in heat_batch.hpp, the pandas grouping in python/fairer/inequality.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "fairer/heat_measures.hpp"
#include "fairer/heat_nonordered.hpp"
#include "fairer/subgroup_table.hpp"
#include "heat_batch.hpp"

namespace py = pybind11;

namespace {

using heat_batch::Column;
using heat_batch::Offsets;

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
    const heat_batch::Tables batch(order, population, estimate, se, reference, offsets, favourable, ordered, scale,
                                   setting_average);
    const std::size_t tables = batch.size();
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
    o.range_check = heat_batch::parse_range_check(range_check, fairer::HeatOptions::RangeCheck::by_mode);
    no.range_check = heat_batch::parse_range_check(range_check, fairer::NonorderedOptions::RangeCheck::by_mode);
    const auto& all = fairer::heat_measure_names();
    std::vector<bool> wanted_measure(all.size(), measures.empty());
    for (const auto& m : measures) {
        const auto it = std::find(all.begin(), all.end(), m);
        if (it == all.end()) throw fairer::InequalityError("'" + m + "' is not one of the 21 HEAT measures");
        wanted_measure[static_cast<std::size_t>(it - all.begin())] = true;
    }
    const bool only_applicable = measures.empty();

    heat_batch::Results out;
    out.reserve(tables * (measures.empty() ? 12 : measures.size()));
    fairer::SubgroupTable t;
    fairer::NonorderedWorkspace ws;
    std::vector<fairer::MeasureResult> mine, theirs;
    std::vector<std::string> want_mine, want_theirs;
    std::vector<const fairer::MeasureResult*> slot(all.size());
    heat_batch::for_each_table(
        tables,
        [&](std::size_t k) {
            batch.fill(k, t);
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
            // Results come out in HEAT's display order whichever engine computed them.
            std::fill(slot.begin(), slot.end(), nullptr);
            for (const auto* group : {&mine, &theirs})
                for (const auto& r : *group)
                    slot[static_cast<std::size_t>(std::find(all.begin(), all.end(), r.measure) - all.begin())] = &r;
            for (std::size_t i = 0; i < all.size(); ++i)
                if (slot[i] != nullptr) out.add(k, i, *slot[i]);
        },
        [&](std::size_t k) {
            fairer::SubgroupTable named = batch.named(k, table_names, labels);
            named.validate();
            const auto p = fairer::prepare_table(named);
            fairer::heat_measures(named, p, all, o);
            fairer::NonorderedWorkspace w;
            std::vector<fairer::MeasureResult> res;
            fairer::heat_nonordered_measures(named, p, {}, no, w, res);
        });
    return std::move(out).to_dict();
}

}  // namespace

void register_heat(py::module_& m) {
    m.def("heat_summary_batch", &heat_summary_batch, py::arg("order"), py::arg("population"), py::arg("estimate"),
          py::arg("se"), py::arg("reference"), py::arg("offsets"), py::arg("favourable"), py::arg("ordered"),
          py::arg("scale"), py::arg("setting_average"), py::arg("measures") = std::vector<std::string>{},
          py::arg("mode") = "corrected", py::arg("confidence") = 0.95, py::arg("slope") = "who_logistic",
          py::arg("rci_correction") = "none", py::arg("lower_bound") = std::nan(""),
          py::arg("upper_bound") = std::nan(""), py::arg("rci_scale") = 1.0, py::arg("range_check") = "by_mode",
          py::arg("draws") = 0, py::arg("seed") = 123456, py::arg("rng") = "by_mode",
          py::arg("table_names") = py::none(), py::arg("labels") = py::none(),
          "All 21 HEAT measures in one pass for many subgroup tables (rows of table k are\n"
          "[offsets[k], offsets[k+1]); per-table columns favourable, ordered, scale, setting_average).\n"
          "measures: names (empty = every measure applicable to each table's shape; named measures that do not apply come back missing with the reason). draws: simulated tables for the simulated\n"
          "intervals (0 = none). Returns a dict of arrays in table order, then HEAT's measure order: table,\n"
          "measure (int8 index into heat_measure_names()), estimate, se, lower, upper, reason_code (-1 = no\n"
          "reason, else index into the list reasons).");
    m.def("heat_measure_names", &fairer::heat_measure_names, "The 21 HEAT measures in display order.");
    m.def("applicable_measures", &fairer::applicable_measures, py::arg("subgroups"), py::arg("ordered"),
          "HEAT 6.0's measures for a table of this many subgroups (spec inequality-measures.md §1).");
}
