// Python bindings of the allocation analysis: equity diagnostics (allocation_diagnostics.hpp),
// Monte Carlo sensitivity with the portable splitmix64 stream (allocation_sensitivity.hpp) and
// scenario comparison of two allocations (allocation_scenarios.hpp). numpy float64 C-contiguous
// arrays are viewed, not copied. The pandas layer is python/fairer/allocation_analysis.py; names
// here carry an alloc_ prefix so they cannot collide with other areas' functions in _core.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fairer/allocation_diagnostics.hpp"
#include "fairer/allocation_scenarios.hpp"
#include "fairer/allocation_sensitivity.hpp"
#include "numpy_support.hpp"

namespace py = pybind11;

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;
using fairer::ConstSpan;

ConstSpan column(const Array& a, const char* name) {
    if (a.ndim() != 1)
        throw fairer::AllocationError("E1", std::string(name) + " must be one-dimensional, not " +
                                                std::to_string(a.ndim()) + "-dimensional");
    return ConstSpan(a.data(), static_cast<std::size_t>(a.shape(0)));
}

using numpy_support::to_numpy;

py::dict lorenz_dict(const std::vector<fairer::LorenzPoint>& points) {
    std::vector<double> x, y;
    for (const auto& p : points) {
        x.push_back(p.population_share);
        y.push_back(p.outcome_share);
    }
    py::dict d;
    d["population_share"] = to_numpy(std::move(x));
    d["outcome_share"] = to_numpy(std::move(y));
    return d;
}

py::dict violations_dict(const std::vector<fairer::MonotonicityViolation>& v) {
    std::vector<std::int64_t> hi, lo;
    std::vector<double> gap;
    for (const auto& x : v) {
        hi.push_back(static_cast<std::int64_t>(x.higher_need));
        lo.push_back(static_cast<std::int64_t>(x.lower_need));
        gap.push_back(x.per_head_shortfall);
    }
    py::dict d;
    d["higher_need"] = to_numpy(std::move(hi));
    d["lower_need"] = to_numpy(std::move(lo));
    d["per_head_shortfall"] = to_numpy(std::move(gap));
    return d;
}

py::dict diagnostics_dict(const fairer::EquityDiagnostics& e) {
    py::dict d;
    d["concentration_index"] = e.concentration_index;
    d["need_concentration_index"] = e.need_concentration_index;
    d["horizontal_inequity"] = e.horizontal_inequity;
    d["inverse_care"] = e.inverse_care;
    d["gini"] = e.gini;
    d["slope_index"] = e.slope_index;
    d["need_correlation"] = e.need_correlation;
    d["max_min_per_head_ratio"] = e.max_min_per_head_ratio;
    d["lorenz"] = lorenz_dict(e.lorenz);
    d["monotonicity_violations"] = violations_dict(e.monotonicity_violations);
    return d;
}

}  // namespace

void register_allocation_analysis(py::module_& m) {
    m.def(
        "alloc_fractional_rank",
        [](const Array& population, const Array& deprivation) {
            return to_numpy(fairer::fractional_rank(column(population, "population"),
                                                    column(deprivation, "deprivation")));
        },
        py::arg("population"), py::arg("deprivation"));
    m.def(
        "alloc_concentration_index",
        [](const Array& y, const Array& population, const Array& deprivation) {
            return fairer::concentration_index(column(y, "values"), column(population, "population"),
                                               column(deprivation, "deprivation"));
        },
        py::arg("values"), py::arg("population"), py::arg("deprivation"));
    m.def(
        "alloc_horizontal_inequity",
        [](const Array& y, const Array& need, const Array& population, const Array& deprivation) {
            return fairer::horizontal_inequity(column(y, "per_head"), column(need, "need"),
                                               column(population, "population"), column(deprivation, "deprivation"));
        },
        py::arg("per_head"), py::arg("need"), py::arg("population"), py::arg("deprivation"));
    m.def(
        "alloc_lorenz_curve",
        [](const Array& y, const Array& population) {
            return lorenz_dict(fairer::lorenz_curve(column(y, "values"), column(population, "population")));
        },
        py::arg("values"), py::arg("population"));
    m.def(
        "alloc_gini",
        [](const Array& y, const Array& population) {
            return fairer::gini(column(y, "values"), column(population, "population"));
        },
        py::arg("values"), py::arg("population"));
    m.def(
        "alloc_slope_index",
        [](const Array& y, const Array& population, const Array& deprivation) {
            return fairer::slope_index(column(y, "values"), column(population, "population"),
                                       column(deprivation, "deprivation"));
        },
        py::arg("values"), py::arg("population"), py::arg("deprivation"));
    m.def(
        "alloc_weighted_correlation",
        [](const Array& x, const Array& y, const Array& population) {
            return fairer::weighted_correlation(column(x, "x"), column(y, "y"), column(population, "population"));
        },
        py::arg("x"), py::arg("y"), py::arg("population"));
    m.def(
        "alloc_monotonicity_violations",
        [](const Array& need, const Array& per_head, const Array& population, double unit) {
            return violations_dict(fairer::monotonicity_violations(column(need, "need"), column(per_head, "per_head"),
                                                                   column(population, "population"), unit));
        },
        py::arg("need"), py::arg("per_head"), py::arg("population"), py::arg("rounding_unit"));
    m.def(
        "alloc_equity_diagnostics",
        [](const Array& population, const Array& allocation, const Array& need, const std::optional<Array>& deprivation,
           double unit) {
            fairer::EquityInput in;
            in.population = column(population, "population");
            in.allocation = column(allocation, "allocation");
            in.need = column(need, "need");
            if (deprivation) in.deprivation = column(*deprivation, "deprivation");
            in.rounding_unit = unit;
            fairer::EquityDiagnostics e;
            {
                // safe: the arrays are held by the caller's references and the core touches no Python object
                py::gil_scoped_release release;
                e = fairer::equity_diagnostics(in);
            }
            return diagnostics_dict(e);
        },
        py::arg("population"), py::arg("allocation"), py::arg("need"), py::arg("deprivation"),
        py::arg("rounding_unit"));
    m.def(
        "alloc_compare_allocations",
        [](const std::string& name, const Array& population, const Array& base, const Array& base_need,
           const Array& scenario, const Array& scenario_need, const Array& deprivation, double unit) {
            const fairer::ScenarioComparison c = fairer::compare_allocations(
                name, column(population, "population"), column(base, "base"), column(base_need, "base_need"),
                column(scenario, "scenario"), column(scenario_need, "scenario_need"),
                column(deprivation, "deprivation"), unit);
            py::dict d;
            d["name"] = c.name;
            d["change"] = to_numpy(std::vector<double>(c.change));
            d["change_percent"] = to_numpy(std::vector<double>(c.change_percent));
            d["change_per_head"] = to_numpy(std::vector<double>(c.change_per_head));
            d["gainers"] = c.gainers;
            d["losers"] = c.losers;
            d["unchanged"] = c.unchanged;
            d["total_gain"] = c.total_gain;
            d["base"] = diagnostics_dict(c.base_diagnostics);
            d["scenario"] = diagnostics_dict(c.scenario_diagnostics);
            d["change_concentration_index"] = c.change_concentration_index;
            d["change_horizontal_inequity"] = c.change_horizontal_inequity;
            d["change_gini"] = c.change_gini;
            return d;
        },
        py::arg("name"), py::arg("population"), py::arg("base"), py::arg("base_need"), py::arg("scenario"),
        py::arg("scenario_need"), py::arg("deprivation"), py::arg("rounding_unit"));

    m.def(
        "alloc_splitmix64",
        [](std::uint64_t seed, std::size_t count, std::uint64_t position) {
            fairer::SplitMix64 g = fairer::SplitMix64::at(seed, position);
            std::vector<std::uint64_t> out(count);
            for (auto& x : out) x = g.next();
            return to_numpy(std::move(out));
        },
        py::arg("seed"), py::arg("count"), py::arg("position") = 0,
        "The raw splitmix64 outputs from stream position `position` (spec §10.1).");
    m.def(
        "alloc_uniforms",
        [](std::uint64_t seed, std::size_t count, std::uint64_t position) {
            fairer::SplitMix64 g = fairer::SplitMix64::at(seed, position);
            std::vector<double> out(count);
            for (auto& x : out) x = g.uniform();
            return to_numpy(std::move(out));
        },
        py::arg("seed"), py::arg("count"), py::arg("position") = 0);
    m.def(
        "alloc_normals",
        [](std::uint64_t seed, std::size_t count, std::uint64_t position) {
            fairer::SplitMix64 g = fairer::SplitMix64::at(seed, position);
            std::vector<double> out(count);
            for (auto& x : out) x = g.normal();
            return to_numpy(std::move(out));
        },
        py::arg("seed"), py::arg("count"), py::arg("position") = 0);

    m.def(
        "alloc_monte_carlo",
        [](const Array& population, const Array& need, const std::vector<double>& weights, double universal_share,
           double budget, const std::optional<Array>& cost_factor, std::uint64_t seed, std::size_t draws,
           double sigma, double need_sigma, const std::vector<double>& quantiles, bool rank_changes,
           unsigned threads, const std::optional<py::function>& progress,
           const std::optional<std::vector<std::string>>& ids) {
            fairer::MonteCarloModel model;
            model.population = column(population, "population");
            const std::size_t n = model.population.size();
            if (need.ndim() == 1) {
                model.need = column(need, "need");
                model.components = 1;
            } else if (need.ndim() == 2) {
                model.need = ConstSpan(need.data(), static_cast<std::size_t>(need.size()));
                model.components = static_cast<std::size_t>(need.shape(1));
                if (static_cast<std::size_t>(need.shape(0)) != n)
                    throw fairer::AllocationError("E1", "need has " + std::to_string(need.shape(0)) + " rows for " +
                                                            std::to_string(n) + " units");
            } else {
                throw fairer::AllocationError("E1", "need must be a units × components array");
            }
            model.weights = weights;
            model.universal_share = universal_share;
            model.budget = budget;
            if (cost_factor) model.cost_factor = column(*cost_factor, "cost_factor");
            if (ids) model.ids = &*ids;
            fairer::MonteCarloOptions o;
            o.seed = seed;
            o.draws = draws;
            o.sigma = sigma;
            o.need_sigma = need_sigma;
            o.quantiles = quantiles;
            o.rank_changes = rank_changes;
            o.threads = threads;
            if (progress) {
                const py::function callback = *progress;
                o.progress = [callback](std::size_t done, std::size_t total) {
                    // called on the thread that released the GIL below, so taking it back is safe
                    py::gil_scoped_acquire acquire;
                    callback(done, total);
                };
            }
            fairer::MonteCarloResult r;
            {
                // safe: the core reads only the numpy buffers (kept alive by the arguments) and
                // calls back into Python only through the progress wrapper, which retakes the GIL
                py::gil_scoped_release release;
                r = fairer::monte_carlo(model, o);
            }
            py::dict d;
            d["base"] = to_numpy(std::move(r.base));
            d["mean"] = to_numpy(std::move(r.mean));
            py::array_t<double> pct(std::vector<py::ssize_t>{static_cast<py::ssize_t>(r.units),
                                                            static_cast<py::ssize_t>(r.quantiles.size())});
            std::copy(r.percentiles.begin(), r.percentiles.end(), pct.mutable_data());
            d["percentiles"] = pct;
            d["quantiles"] = r.quantiles;
            d["rank_change_probability"] = to_numpy(std::move(r.rank_change_probability));
            d["draws"] = r.draws;
            return d;
        },
        py::arg("population"), py::arg("need"), py::arg("weights"), py::arg("universal_share"), py::arg("budget"),
        py::arg("cost_factor"), py::arg("seed"), py::arg("draws"), py::arg("sigma"), py::arg("need_sigma"),
        py::arg("quantiles"), py::arg("rank_changes"), py::arg("threads"), py::arg("progress"),
        py::arg("ids") = py::none());
}
