// What-if scenarios (specs/allocation.md §11): a scenario is the base parameters with named
// overrides; each is run through allocate() on the same units and budget and compared with the
// base run, unit by unit (change in pounds, in percent, per head; gainers and losers) and in its
// equity diagnostics (§9). Every comparison is a pure function of (units, budget, parameters):
// nothing is cached between runs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "fairer/allocation.hpp"
#include "fairer/allocation_diagnostics.hpp"
#include "fairer/detail/allocation_numerics.hpp"
#include "fairer/errors.hpp"

namespace fairer {

// A named set of overrides applied to a copy of the base parameters.
struct Scenario {
    std::string name;
    std::function<void(AllocationParameters&)> overrides;
};

// One scenario against the base, per unit and in summary. Money in pounds.
struct ScenarioComparison {
    std::string name;
    std::vector<double> base;             // Â_base
    std::vector<double> scenario;         // Â_scn
    std::vector<double> change;           // Â_scn − Â_base
    std::vector<double> change_percent;   // 100·change/Â_base; NaN where Â_base = 0
    std::vector<double> change_per_head;  // change/P; NaN where P = 0
    std::size_t gainers = 0;              // change > 0
    std::size_t losers = 0;               // change < 0
    std::size_t unchanged = 0;
    double total_gain = 0.0;              // Σ of the positive changes (= Σ of the losses: the budget is fixed)
    EquityDiagnostics base_diagnostics;
    EquityDiagnostics scenario_diagnostics;
    // scenario minus base
    double change_concentration_index = std::numeric_limits<double>::quiet_NaN();
    double change_horizontal_inequity = std::numeric_limits<double>::quiet_NaN();
    double change_gini = std::numeric_limits<double>::quiet_NaN();
};

// Compares two allocations of the same units (§11). Both are in the same money unit; per head
// uses population; the equity diagnostics of each use its own need Ñ (so HI is measured against
// the need that run targets) and the same order `deprivation`, so the concentration indices are
// comparable. rounding_unit is in the money unit (monotonicity tolerance). Errors E1 for columns
// of different lengths, and those of equity_diagnostics.
inline ScenarioComparison compare_allocations(std::string name, ConstSpan population, ConstSpan base_allocation,
                                              ConstSpan base_need, ConstSpan scenario_allocation,
                                              ConstSpan scenario_need, ConstSpan deprivation, double rounding_unit) {
    const std::size_t n = population.size();
    detail::check_diagnostic_columns("compare_allocations", n,
                                     {base_allocation.size(), base_need.size(), scenario_allocation.size(),
                                      scenario_need.size(), deprivation.size()});
    ScenarioComparison c;
    c.name = std::move(name);
    c.base.assign(base_allocation.begin(), base_allocation.end());
    c.scenario.assign(scenario_allocation.begin(), scenario_allocation.end());
    c.change.resize(n);
    c.change_percent.resize(n);
    c.change_per_head.resize(n);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    detail::ExactSum gain;
    for (std::size_t i = 0; i < n; ++i) {
        const double d = scenario_allocation[i] - base_allocation[i];
        c.change[i] = d;
        c.change_percent[i] = base_allocation[i] != 0.0 ? 100.0 * d / base_allocation[i] : nan;
        c.change_per_head[i] = population[i] > 0.0 ? d / population[i] : nan;
        if (d > 0.0) {
            ++c.gainers;
            gain.add(d);
        } else if (d < 0.0) {
            ++c.losers;
        } else if (d == 0.0) {
            ++c.unchanged;
        }
    }
    c.total_gain = gain.value();
    c.base_diagnostics = equity_diagnostics({population, base_allocation, base_need, deprivation, rounding_unit});
    c.scenario_diagnostics =
        equity_diagnostics({population, scenario_allocation, scenario_need, deprivation, rounding_unit});
    c.change_concentration_index =
        c.scenario_diagnostics.concentration_index - c.base_diagnostics.concentration_index;
    c.change_horizontal_inequity =
        c.scenario_diagnostics.horizontal_inequity - c.base_diagnostics.horizontal_inequity;
    c.change_gini = c.scenario_diagnostics.gini - c.base_diagnostics.gini;
    return c;
}

// Runs the base and every scenario through allocate() and compares each with the base, in
// pounds, from the rounded allocations Â. The order for the concentration indices is the units'
// deprivation column, or the base run's Ñ when there is none (the same order for every scenario,
// so that a scenario that changes the need definition is still compared along one axis).
inline std::vector<ScenarioComparison> compare_scenarios(const AllocationUnits& units, std::int64_t budget_pence,
                                                         const AllocationParameters& base_parameters,
                                                         const std::vector<Scenario>& scenarios) {
    const AllocationResult base = allocate(units, budget_pence, base_parameters);
    const auto pounds = [](const AllocationResult& r) {
        std::vector<double> v(r.rounded.size());
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(r.rounded[i]) / 100.0;
        return v;
    };
    const std::vector<double> base_pounds = pounds(base);
    const ConstSpan order = units.deprivation.empty() ? ConstSpan(base.blended_need) : units.deprivation.span();
    std::vector<ScenarioComparison> out;
    out.reserve(scenarios.size());
    for (const Scenario& s : scenarios) {
        AllocationParameters p = base_parameters;
        if (s.overrides) s.overrides(p);
        const AllocationResult run = allocate(units, budget_pence, p);
        const std::vector<double> run_pounds = pounds(run);
        // each run rounds to its own unit; the tolerance uses the coarser of the two
        const double unit = static_cast<double>(std::max(base.rounding_unit, run.rounding_unit)) / 100.0;
        out.push_back(compare_allocations(s.name, base.population, base_pounds, base.blended_need, run_pounds,
                                          run.blended_need, order, unit));
    }
    return out;
}

}  // namespace fairer
