// Proportionate-universalism allocation engine (specification allocation.md §1–3, §5–8).
//
// A fixed budget of T pence is shared among units "universally, but with a scale and intensity
// proportionate to need" (Marmot, Fair Society Healthy Lives, 2010) with the mechanics of the UK
// funding formulas (NHS England weighted capitation, the ACRA public-health grant):
//   1. validate (§3)  2. need index per component (§4, need_index.hpp)  3. blend with a universal
//   share and target A* (§5)  4. pace-of-change proposal a (§6)  5. floors/caps and the bounded
//   fit A (§6.4, §7)  6. largest-remainder rounding to whole units Â (§8).
// Every intermediate vector is kept in AllocationResult as an audit trail. Money is exact: the
// rounded allocation is int64 pence and sums to the budget to the penny. All totals are
// order-independent sums (detail::sum_of), so every output is invariant under a permutation of the
// rows.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <new>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <functional>
#include <utility>
#include <vector>

#include "fairer/detail/allocation_numerics.hpp"
#include "fairer/errors.hpp"
#include "fairer/need_index.hpp"

namespace fairer {

// A column of an allocation's results: a std::vector whose new elements are left uninitialised
// (detail::default_init_allocator), because the engine sizes each column just before a pass that
// fills it, and zero-filling them first cost about a tenth of an allocation over England's LSOAs.
// In every other way it is a std::vector<T>; std::vector<T>(c.begin(), c.end()) copies one.
template <class T>
using ResultColumn = std::vector<T, detail::default_init_allocator<T>>;

// A column of doubles that either owns its values or views memory owned by the caller (a numpy
// buffer), so that bindings hand data to the engine without copying. Copies share the values.
class Column {
public:
    Column() = default;
    Column(std::vector<double> values)  // NOLINT: implicit, so `units.population = {...}` reads naturally
        : owned_(std::make_shared<const std::vector<double>>(std::move(values))), view_(*owned_) {}
    Column(std::initializer_list<double> values) : Column(std::vector<double>(values)) {}
    // A view of n values at data; the caller keeps them alive while the column is used.
    static Column view(const double* data, std::size_t n) {
        Column c;
        c.view_ = ConstSpan(data, n);
        return c;
    }
    std::size_t size() const noexcept { return view_.size(); }
    bool empty() const noexcept { return view_.empty(); }
    double operator[](std::size_t i) const noexcept { return view_[i]; }
    ConstSpan span() const noexcept { return view_; }
    operator ConstSpan() const noexcept { return view_; }  // NOLINT: a column is usable wherever a span is
    std::vector<double> to_vector() const { return {view_.begin(), view_.end()}; }

private:
    std::shared_ptr<const std::vector<double>> owned_;
    ConstSpan view_;
};

// The units' ids. They do not change once a table is built, so the table and every result
// computed from it share one copy: copying England's 33,755 LSOA codes into each result would
// cost a tenth of the allocation itself. Reads like a const std::vector<std::string>.
class UnitIds {
public:
    UnitIds() = default;
    UnitIds(std::vector<std::string> ids)  // NOLINT: implicit, so `units.ids = {...}` reads naturally
        : ids_(std::make_shared<const std::vector<std::string>>(std::move(ids))) {}
    UnitIds(std::initializer_list<std::string> ids) : UnitIds(std::vector<std::string>(ids)) {}
    const std::vector<std::string>& strings() const noexcept { return ids_ ? *ids_ : none(); }
    operator const std::vector<std::string>&() const noexcept { return strings(); }  // NOLINT: usable as the vector
    std::size_t size() const noexcept { return strings().size(); }
    bool empty() const noexcept { return strings().empty(); }
    const std::string& operator[](std::size_t i) const noexcept { return strings()[i]; }
    std::vector<std::string>::const_iterator begin() const noexcept { return strings().begin(); }
    std::vector<std::string>::const_iterator end() const noexcept { return strings().end(); }
    friend bool operator==(const UnitIds& a, const UnitIds& b) { return a.ids_ == b.ids_ || a.strings() == b.strings(); }
    friend bool operator!=(const UnitIds& a, const UnitIds& b) { return !(a == b); }

private:
    static const std::vector<std::string>& none() {
        static const std::vector<std::string> empty;
        return empty;
    }
    std::shared_ptr<const std::vector<std::string>> ids_;
};

// §1.1 The units table. Optional columns are empty when absent; money columns (baseline, floor,
// cap) are in pence. A missing (NaN) floor or cap means "no bound" for that unit.
struct AllocationUnits {
    UnitIds ids;                               // unique, non-empty; also the final tie-break of §8
    Column population;                         // P_i ≥ 0
    std::vector<std::string> indicator_names;  // names of the indicator columns
    std::vector<Column> indicators;            // same order as indicator_names
    std::vector<int> group;                    // 1..G, 1 = highest need (group gradients)
    Column deprivation;                        // higher = more deprived (diagnostics order)
    Column cost_factor;                        // C_i > 0 (§5.3)
    Column baseline;                           // B_i ≥ 0, pence (§6)
    Column floor;                              // absolute floor, pence
    Column cap;                                // absolute cap, pence
    // True once verify_ids() has found the ids unique and non-empty; allocate() then does not hash
    // them again. Whoever changes ids afterwards must reset it (the Python wrapper's ids are
    // read-only, so it verifies them once, when the table is built).
    bool ids_verified = false;

    // The indicator column called name, or nullptr.
    const Column* indicator(const std::string& name) const {
        for (std::size_t k = 0; k < indicator_names.size(); ++k)
            if (indicator_names[k] == name) return k < indicators.size() ? &indicators[k] : nullptr;
        return nullptr;
    }
    void add_indicator(std::string name, Column values) {
        indicator_names.push_back(std::move(name));
        indicators.push_back(std::move(values));
    }
};

// Kinds of need specification (§4).
enum class NeedKind { population, direct, composite, imd, gradient, power };

// One component's need specification (§4). Only the fields of its kind are read.
struct NeedSpec {
    NeedKind kind = NeedKind::population;
    std::string indicator;                  // direct: the index N; power: the positive indicator x
    double exponent = 1.0;                  // power γ; imd γ (N = IMDlike^γ)
    std::vector<std::string> indicators;    // composite: indicator columns; imd: domain rank columns
    std::vector<int> directions;            // composite: +1 higher = more need, −1 lower = more need
    std::vector<double> weights;            // composite: indicator weights; imd: domain weights (empty =
                                            // IoD); gradient: explicit group weights w_1..w_G (optional)
    CompositeTransform transform = CompositeTransform::exp;
    std::optional<double> beta;             // composite exp: β, or
    std::optional<double> ratio;            // composite exp: max/min need ratio ρ (exactly one of the two)
    std::optional<double> slope;            // composite linear: λ
    double rank_count = 0.0;                // imd: m, the number of units the ranks are among (0 = n)
    bool renormalise = false;               // imd: divide the domain weights by their sum
    double epsilon = 1e-6;                  // imd and rank_exp: floor on the index
    int groups = 10;                        // gradient: G (default deciles)
    double w_low = 1.0;                     // gradient: weight of group G
    double w_high = 2.0;                    // gradient: weight of group 1
    GradientShape shape = GradientShape::linear;
    bool normalise_weights = false;         // composite/imd: rescale weights instead of error E5

    static NeedSpec population_only() { return {}; }
    static NeedSpec direct(std::string column) {
        NeedSpec s;
        s.kind = NeedKind::direct;
        s.indicator = std::move(column);
        return s;
    }
    static NeedSpec power(std::string column, double gamma) {
        NeedSpec s;
        s.kind = NeedKind::power;
        s.indicator = std::move(column);
        s.exponent = gamma;
        return s;
    }
    static NeedSpec gradient(int groups, double w_low, double w_high, GradientShape shape = GradientShape::linear) {
        NeedSpec s;
        s.kind = NeedKind::gradient;
        s.groups = groups;
        s.w_low = w_low;
        s.w_high = w_high;
        s.shape = shape;
        return s;
    }
    static NeedSpec composite(std::vector<std::string> columns, std::vector<int> directions, std::vector<double> weights,
                              CompositeTransform transform = CompositeTransform::exp) {
        NeedSpec s;
        s.kind = NeedKind::composite;
        s.indicators = std::move(columns);
        s.directions = std::move(directions);
        s.weights = std::move(weights);
        s.transform = transform;
        return s;
    }
    static NeedSpec imd(std::vector<std::string> domain_rank_columns, double rank_count, double gamma = 1.0) {
        NeedSpec s;
        s.kind = NeedKind::imd;
        s.indicators = std::move(domain_rank_columns);
        s.rank_count = rank_count;
        s.exponent = gamma;
        return s;
    }
};

// A need component with its weight π_c (§5.1).
struct Component {
    std::string name;
    NeedSpec need;
    double weight = 1.0;
};

enum class PaceMode { none, damped, gap_closing };
enum class Redistribution { proportional, per_capita };
enum class MissingPolicy { error, mean_impute };

// §6.4 bounds, each optional.
struct BoundsParameters {
    std::optional<double> min_growth;             // g_min > −1: floor B_i(1 + g_min)
    std::optional<double> max_growth;             // g_max: cap B_i(1 + g_max)
    std::optional<double> max_below_target;       // δ in [0, 1): floor (1 − δ)A*_i
    std::optional<double> over_target_threshold;  // τ: with over_target_growth, cap B_i(1 + g_cap) if DfT0_i > τ
    std::optional<double> over_target_growth;     // g_cap
    Redistribution redistribution = Redistribution::proportional;
};

// §1.3 parameters with their defaults.
struct AllocationParameters {
    double universal_share = 0.0;          // α in [0, 1]
    std::optional<double> target_ratio;    // ρ: if set, α is calibrated from it (§5.4) instead
    std::vector<Component> components;     // empty = one component, need = population
    bool normalise_weights = false;        // rescale component weights instead of error E5
    bool cost_adjust = false;              // apply cost_factor (§5.3)
    PaceMode pace = PaceMode::none;
    double theta = 1.0;                    // damping θ in [0, 1] (§6.2)
    BoundsParameters bounds;
    std::int64_t rounding_unit = 100;      // u in pence (1 = penny, 100 = pound)
    MissingPolicy missing = MissingPolicy::error;
    std::uint64_t seed = 0;                // §10 Monte Carlo (used by the sensitivity module)
    std::int64_t draws = 0;
    double sigma = 0.0;
    unsigned threads = 0;                  // threads for one allocation: 1 = this thread only, 0 = up to 2
};

enum class BoundStatus : std::uint8_t { free, floor, cap };

// §3 E8 feasibility of the bounds: a solution exists iff no L_i > U_i, Σ L ≤ T and T ≤ the
// largest reachable total (Σ U over units that can move, Σ L over those that cannot).
struct Feasibility {
    bool feasible = true;
    double sum_lower = 0.0;           // smallest reachable total: Σ L of movable units + fixed amounts (pence)
    double max_reachable = 0.0;       // largest total the bounded fit can reach (pence; +inf if uncapped)
    std::int64_t budget = 0;          // T (pence)
    std::vector<std::string> crossed; // units with L_i > U_i
    std::string message;              // empty when feasible
};

// The result with its audit trail (§2, §9 per-unit columns). Money is in pence.
struct AllocationResult {
    UnitIds ids;                                // the units' ids, shared with the table
    ResultColumn<double> population;
    std::vector<std::string> component_names;
    std::vector<double> component_weights;      // π_c as used (after any normalisation)
    std::vector<std::vector<double>> need;      // N_c per component (§4)
    ResultColumn<double> blended_need;          // Ñ_i = Σ_c π_c N_ci/N̄_c (§5.2; mean_P = 1)
    ResultColumn<double> blend_shares;          // b_i (§5.1)
    ResultColumn<double> shares;                // s_i after cost adjustment (§5.3)
    ResultColumn<double> target;                // A*_i = T s_i (§5.5)
    ResultColumn<double> rebased_baseline;      // B̃_i (§6.1; empty without pace)
    ResultColumn<double> distance_from_target0; // DfT0_i (§6.1; empty without pace)
    ResultColumn<double> proposal;              // a_i (§6)
    ResultColumn<double> lower;                 // L_i, whole rounding units (§6.4)
    ResultColumn<double> upper;                 // U_i, whole rounding units (+inf = none)
    ResultColumn<double> bounded;               // A_i (§7)
    ResultColumn<std::int64_t> rounded;         // Â_i (§8), multiples of rounding_unit, Σ = budget
    ResultColumn<BoundStatus> bound_status;     // where A_i sits
    double universal_share = 0.0;               // α used (calibrated if target_ratio was set)
    double overall_growth = std::numeric_limits<double>::quiet_NaN(); // g (§6.1)
    double scale = 1.0;                         // κ (proportional) or λ (per_capita) of §7
    std::int64_t budget = 0;                    // T (pence)
    std::int64_t rounding_unit = 100;
    std::size_t at_floor = 0;
    std::size_t at_cap = 0;
    Feasibility feasibility;
    std::vector<std::string> warnings;          // non-fatal findings (§3)
    std::vector<std::string> need_floored;      // units whose IMD-style index was raised to ε (§4.3)
};

// ---------------------------------------------------------------------------------------------
// Building blocks, usable alone.

// §1.2 A budget in pounds to integer pence, T_p = round(100 T). Error E2 if negative, not finite
// or given with more than 2 decimals.
inline std::int64_t budget_to_pence(double pounds) {
    if (!std::isfinite(pounds) || pounds < 0.0)
        throw AllocationError("E2", "budget " + detail::format_number(pounds) + " must be a finite non-negative amount");
    const double pence = std::round(pounds * 100.0);
    if (std::fabs(pounds * 100.0 - pence) > 1e-6 * std::max(1.0, std::fabs(pence)))
        throw AllocationError("E2", "budget " + detail::format_number(pounds) + " has more than 2 decimals");
    if (pence > 9.2e18) throw AllocationError("E2", "budget " + detail::format_number(pounds) + " is too large");
    return static_cast<std::int64_t>(pence);
}

// §5.4 α calibrated to a per-head ratio ρ between the highest- and lowest-need units (C ≡ 1):
//   α = (M − ρ m)/(M − ρ m + ρ − 1),  M = max Ñ, m = min Ñ over units with P_i > 0,
// valid iff 1 ≤ ρ ≤ M/m (else E10). When every unit has the same need (M = m) only ρ = 1 is
// possible and every α gives the same allocation; α = 1 is returned.
inline double calibrate_universal_share(ConstSpan blended_need, ConstSpan population, double ratio) {
    double hi = -std::numeric_limits<double>::infinity();
    double lo = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < blended_need.size(); ++i)
        if (population[i] > 0.0) {
            hi = std::max(hi, blended_need[i]);
            lo = std::min(lo, blended_need[i]);
        }
    if (!(lo > 0.0)) throw AllocationError("E10", "cannot calibrate the universal share: no unit has population");
    if (!std::isfinite(ratio) || ratio < 1.0 || ratio > hi / lo * (1.0 + 1e-12))
        throw AllocationError("E10", "target ratio " + detail::format_number(ratio) + " is outside [1, " +
                                         detail::format_number(hi / lo) + "], the range the need indices allow");
    if (hi == lo) return 1.0;
    const double alpha = (hi - ratio * lo) / (hi - ratio * lo + ratio - 1.0);
    return std::clamp(alpha, 0.0, 1.0);
}

// §6.2's damped proposal B̃ + θ (A* − B̃), evaluated as (1 − θ) B̃ + θ A*: the same number, but
// exactly A* at θ = 1 and exactly B̃ at θ = 0 (invariant I11), where the first form loses the
// digits of a small target next to a large rebased baseline.
inline double damped_proposal(double rebased, double target, double theta) {
    return (1.0 - theta) * rebased + theta * target;
}

// §6.2 damped pace of change: a_i = B̃_i + θ (A*_i − B̃_i), B̃_i = B_i T/ΣB (Σ a = T).
inline std::vector<double> pace_damped(ConstSpan rebased_baseline, ConstSpan target, double theta) {
    std::vector<double> a(target.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        a[i] = damped_proposal(rebased_baseline[i], target[i], theta);
    return a;
}

// §6.3 gap-closing pace of change (all growth to the under-funded; the Malawi district formula
// generalised). ΔT = T − ΣB, gap_i = max(0, A*_i − B_i), ex_i = max(0, B_i − A*_i):
//   0 ≤ ΔT ≤ G: a = B + ΔT gap/G;   ΔT > G: a = max(A*, B) + (ΔT − G) A*/ΣA*;
//   −E ≤ ΔT < 0: a = B + ΔT ex/E;   ΔT < −E: a = min(A*, B) + (ΔT + E) A*/ΣA*.
inline std::vector<double> pace_gap_closing(ConstSpan baseline, ConstSpan target, double budget) {
    const std::size_t n = target.size();
    const double sum_b = detail::sum_of(baseline);
    const double sum_t = detail::sum_of(target);
    const double delta = budget - sum_b;
    const double gap = detail::sum_of(n, [&](std::size_t i) { return std::max(0.0, target[i] - baseline[i]); });
    const double excess = detail::sum_of(n, [&](std::size_t i) { return std::max(0.0, baseline[i] - target[i]); });
    std::vector<double> a(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double b = baseline[i];
        const double t = target[i];
        if (delta >= 0.0) {
            if (delta <= gap && gap > 0.0)
                a[i] = b + delta * std::max(0.0, t - b) / gap;
            else
                a[i] = std::max(t, b) + (delta - gap) * t / sum_t;
        } else {
            if (-delta <= excess && excess > 0.0)
                a[i] = b + delta * std::max(0.0, b - t) / excess;
            else
                a[i] = std::min(t, b) + (delta + excess) * t / sum_t;
        }
    }
    return a;
}

// The result of the bounded fit (§7).
struct BoundedFit {
    ResultColumn<double> allocation;        // A_i
    ResultColumn<BoundStatus> status;
    double scale = 0.0;                     // κ or λ
    std::size_t at_floor = 0;               // units at their floors
    std::size_t at_cap = 0;                 // units at their caps
    Feasibility feasibility;                // the E8 check that preceded the fit
};

// §3 E8: checks whether Σ clamp(·, L, U) can equal the budget. movable[i] says whether unit i
// moves with the scale (a_i > 0 for proportional, P_i > 0 for per capita); fixed units sit at
// clamp(fixed_value_i, L_i, U_i), which counts in both the smallest and the largest total (for
// proportional fits that is L_i, as in the spec's conditions; a per-capita fit cannot move a
// zero-population unit, so its proposal counts).
inline Feasibility check_feasibility(ConstSpan lower, ConstSpan upper, const std::vector<char>& movable,
                                     ConstSpan fixed_value, std::int64_t budget,
                                     const std::vector<std::string>* ids = nullptr) {
    Feasibility f;
    f.budget = budget;
    const std::size_t n = lower.size();
    bool unbounded = false;
    bool fixed_above_floor = false;
    const bool no_fixed_values = fixed_value.empty();  // all 0, as for a proportional fit
    auto fixed_amount = [&](std::size_t i) {
        return std::clamp(no_fixed_values ? 0.0 : fixed_value[i], lower[i], std::max(lower[i], upper[i]));
    };
    // One pass finds crossed bounds, uncapped movers and fixed amounts above their floors, and
    // adds up both totals: bounds are whole rounding units, so each total is usually an exact
    // plain sum (whole numbers whose magnitudes sum below 2^53 add exactly in any order); if not,
    // it is summed again, order-independently.
    struct Part {
        double crossed = 0.0;
        bool unbounded = false;
        bool fixed_above_floor = false;
        detail::WholeTally lower;  // Σ (movable ? L : fixed amount)
        detail::WholeTally reach;  // Σ (movable ? U : fixed amount)
    };
    const std::size_t chunks = detail::chunk_count(n, detail::kParallelGrain);
    Part parts[64];
    detail::parallel_chunks(chunks, [&](std::size_t c) {
        const auto [begin, end] = detail::chunk_range(n, chunks, c);
        const double inf = std::numeric_limits<double>::infinity();
        Part p;
        for (std::size_t i = begin; i < end; ++i) {
            const bool moves = movable[i] != 0;
            const double lo = lower[i];
            const double hi = upper[i];
            p.crossed += lo > hi ? 1.0 : 0.0;
            p.unbounded = p.unbounded || (moves && hi == inf);
            const double fixed = moves ? 0.0 : fixed_amount(i);
            p.fixed_above_floor = p.fixed_above_floor || (!moves && fixed != lo);
            p.lower.add(moves ? lo : fixed);
            p.reach.add(moves ? hi : fixed);
        }
        parts[c] = p;
    });
    Part all;
    for (std::size_t c = 0; c < chunks; ++c) {
        const Part& p = parts[c];
        all.crossed += p.crossed;
        all.unbounded = all.unbounded || p.unbounded;
        all.fixed_above_floor = all.fixed_above_floor || p.fixed_above_floor;
        all.lower += p.lower;
        all.reach += p.reach;
    }
    if (all.crossed > 0.0)
        for (std::size_t i : detail::rows_where(n, [lo = lower.data(), hi = upper.data()](std::size_t i) { return lo[i] > hi[i]; }))
            f.crossed.push_back(detail::unit_name(ids, i));
    unbounded = all.unbounded;
    fixed_above_floor = all.fixed_above_floor;
    const double sum_lower = all.lower.exact() ? all.lower.total : detail::sum_of(n, [&](std::size_t i) {
        return movable[i] ? lower[i] : fixed_amount(i);
    });
    const double reach = unbounded ? 0.0 : all.reach.exact() ? all.reach.total : detail::sum_of(n, [&](std::size_t i) {
        return movable[i] ? upper[i] : fixed_amount(i);
    });
    f.sum_lower = sum_lower;
    f.max_reachable = unbounded ? std::numeric_limits<double>::infinity() : reach;
    const double t = static_cast<double>(budget);
    if (!f.crossed.empty()) {
        f.feasible = false;
        f.message = "lower bound above upper bound for " + detail::list_units(f.crossed);
    } else if (f.sum_lower > t) {
        f.feasible = false;
        f.message = std::string(fixed_above_floor ? "the floors, with the fixed amounts of zero-population units,"
                                                  : "the floors") +
                    " sum to " + detail::format_number(f.sum_lower) + " pence, more than the budget " +
                    std::to_string(budget) + " pence";
    } else if (t > f.max_reachable) {
        f.feasible = false;
        f.message = "the budget " + std::to_string(budget) + " pence exceeds the largest reachable total " +
                    detail::format_number(f.max_reachable) + " pence (caps of units that can grow, floors of the rest)";
    }
    return f;
}

namespace detail {

// Solves Σ_i clamp(o_i + t w_i, L_i, U_i) = T for t by the breakpoint method (§7.2). The sum F
// is piecewise linear and non-decreasing in t with kinks at (L_i − o_i)/w_i and (U_i − o_i)/w_i
// (w_i > 0). Instead of sorting all kinks, the kink interval holding the solution is narrowed
// by evaluating F at pivots: a Newton step on F (which usually settles nearly every unit in the
// first two passes), or the median kink of the units still in play when Newton steps stop
// halving them (O(n) per step, O(n log n) at worst, with no sort). A unit is settled once it sits
// in the same place (floor, free or cap) at both ends of the bracket: x = o + t·w only grows with
// t, so it stays there in between; a unit whose kink is an end of the bracket (as after a
// median-kink pivot) takes its place on the open interval from its kinks. On the final interval
// the free set Φ is constant and
//   t = (T − Σ_{i∉Φ} clamp_i − Σ_{i∈Φ} o_i) / Σ_{i∈Φ} w_i
// with order-independent sums, so the result does not depend on row order. Units with w_i = 0 sit
// at clamp(o_i, L_i, U_i). The caller has checked feasibility; at_floors is F at −∞ (Σ L_i over
// units with w_i > 0 plus the fixed units' amounts, the feasibility check's sum_lower). smallest_t
// is the lowest admissible t (0 for κ ≥ 0), used when the floors alone meet the budget.
// first_pivot, unless NaN, is where F is evaluated first, in the pass that lists the units that
// move (κ = 1, the proposal itself, for a proposal near the budget); NaN starts from a Newton step
// from t = 0, which takes a pass of its own.
template <bool HasOffset>
BoundedFit solve_breakpoints_with(ConstSpan offset, ConstSpan slope, ConstSpan lower, ConstSpan upper, double total,
                                  double smallest_t, double at_floors, double first_pivot) {
    const std::size_t n = slope.size();
    // o_i, or 0 without offsets (the proportional fit): +0.0 is added all the same, so both give
    // the same bits, but no column of zeros is read on every pass.
    const auto off = [offset](std::size_t i) -> double {
        if constexpr (HasOffset) return offset[i];
        (void)i;
        return 0.0;
    };
    const double inf = std::numeric_limits<double>::infinity();
    // Where a unit sits: at its floor, free, or at its cap.
    constexpr std::uint8_t at_floor = 0;
    constexpr std::uint8_t is_free = 1;
    constexpr std::uint8_t at_cap = 2;
    auto value_at = [&](std::size_t i, double t) {
        return slope[i] > 0.0 ? std::min(std::max(off(i) + t * slope[i], lower[i]), upper[i])
                              : std::clamp(off(i), lower[i], upper[i]);
    };
    double t;
    BoundedFit fit;
    if (at_floors >= total) {
        resize_all(n, fit.allocation, fit.status);
        double first_kink = inf;  // where the first unit leaves its floor
        for (std::size_t i = 0; i < n; ++i)
            if (slope[i] > 0.0) first_kink = std::min(first_kink, (lower[i] - off(i)) / slope[i]);
        const double first = std::isfinite(first_kink) ? first_kink : 0.0;
        t = std::isfinite(smallest_t) ? std::min(smallest_t, first) : first;
    } else {
        // place_prev and place_next say where each unit with w > 0 sits at the ends of the bracket
        // (prev, next); units in the same place at both ends are settled and enter F through
        // running totals, the others stay active.
        static_assert(at_floor == 0, "places start at the floor: zero-filled");
        std::vector<std::uint8_t> place_prev;
        std::vector<std::uint8_t> place_next;
        std::vector<std::uint8_t> place_pivot;
        resize_all(n, fit.allocation, fit.status, place_prev, place_next, place_pivot);
        ItemList active{scratch<std::size_t, 0>(n), n};
        WholeTally settled;         // the fixed amounts of settled units
        double settled_slope = 0.0; // Σ w of settled free units
        double prev = -inf;  // F(prev) < T
        double next = inf;   // F(next) ≥ T
        // F and its slope at the last pivot, for the Newton guess, and whether each active unit
        // sits at its floor, free or at its cap there.
        double f_pivot = 0.0;
        double f_at = 0.0;
        double f_slope = 0.0;
        // The passes over the active units run in chunks on two threads, each chunk with its own
        // running totals. Their lambdas take the columns by value: a copy is not reloaded after
        // each store to the byte-sized place vectors, which may alias anything.
        std::uint8_t* const next_place = place_next.data();
        std::uint8_t* const pivot_place = place_pivot.data();
        // Where unit i sits at t, with its term of F and of F's slope added to f and w.
        const auto place_at = [=](std::size_t i, double t, double& f, double& w) {
            const double x = off(i) + t * slope[i];
            const bool below = x <= lower[i];
            const bool above = !below && x >= upper[i];
            f += std::min(std::max(x, lower[i]), upper[i]);
            w += below || above ? 0.0 : slope[i];
            pivot_place[i] = static_cast<std::uint8_t>(below ? at_floor : (above ? at_cap : is_free));
        };
        // The passes' running totals: the settled amounts (a WholeTally: when every amount is whole,
        // as bounds in whole rounding units are unless offsets are fractional, the settled total is
        // exact, and so the order-independent fixed part of F with no pass of its own at the end)
        // and slopes, and F and its slope at a pivot.
        struct Totals {
            WholeTally settled;
            double settled_slope = 0.0;
            double f = 0.0;
            double w = 0.0;
            Totals& operator+=(const Totals& other) {
                settled += other.settled;
                settled_slope += other.settled_slope;
                f += other.f;
                w += other.w;
                return *this;
            }
        };
        // Whether F has been evaluated at f_pivot over the active units (a pass that settles units
        // also evaluates F at the next guess when that guess does not depend on how many it
        // settles, which saves a pass over the units per step).
        const bool first_given = !std::isnan(first_pivot);
        bool evaluated = first_given;
        // F at the first pivot (or at t = 0) from the units that move, with the list of those
        // units, in one pass: units that do not move are settled at clamp(o, L, U).
        {
            Totals sums{};
            filter_items<true>(active, sums, [=](std::size_t i, Totals& s) {
                const bool moves = slope[i] > 0.0;
                // capped unless U = ∞
                next_place[i] = moves ? static_cast<std::uint8_t>(is_free + (upper[i] < inf ? 1 : 0)) : at_floor;
                if (!moves) {
                    s.settled.add(std::clamp(off(i), lower[i], upper[i]));
                } else if (first_given) {
                    place_at(i, first_pivot, s.f, s.w);
                } else {
                    s.f += off(i);
                    s.w += slope[i];
                }
                return moves;
            });
            settled = sums.settled;
            f_pivot = first_given ? first_pivot : 0.0;
            f_at = settled.total + sums.f;
            f_slope = sums.w;
        }
        // F(t) ≥ T, from F at t in f (after a pass that recorded each active unit's place at t)?
        // The plain sum decides unless it is within rounding of T; then an order-independent sum
        // over all units does, so that the decision, too, is independent of row order.
        auto reaches = [&](double t, double f) {
            if (std::fabs(f - total) > 1e-9 * std::max(1.0, std::fabs(total))) return f >= total;
            return sum_of(n, [&](std::size_t i) { return value_at(i, t); }) >= total;
        };
        // When F at the pivot is within rounding of T and no unit in play has a kink near it, F is
        // linear around the pivot and the solution is close enough that every unit in play sits
        // where it sits at the pivot: they take those places, which ends the search (without the
        // order-independent sum over all units that reaches would need to decide the side).
        auto near_solution = [&](double t) {
            const double tolerance = 1e-9 * std::max(1.0, std::fabs(total));
            if (!(std::fabs(f_at - total) <= tolerance) || !(f_slope > 0.0)) return false;
            // |F(t) − T| is below 1.01 times the tolerance, so on a line of slope f_slope the
            // solution is within half the window of t; the window is wide enough, too, that the
            // rounding of a kink or of o + t·w cannot move a unit outside it.
            const double window = std::max(2.0 * tolerance / f_slope, 1e-12 * std::fabs(t));
            const double from = t - window;
            const double to = t + window;
            if (!(from > prev && to < next)) return false;
            for (std::size_t i : active) {
                const double lb = (lower[i] - off(i)) / slope[i];
                const double ub = (upper[i] - off(i)) / slope[i];
                if ((lb >= from && lb <= to) || (ub >= from && ub <= to)) return false;
                // the place the kinks give must be the one the pass found at t
                const std::uint8_t place = lb > to ? at_floor : (ub < from ? at_cap : is_free);
                if (place != pivot_place[i]) return false;
            }
            for (std::size_t i : active) place_next[i] = pivot_place[i];
            return true;
        };
        // The pivot is a Newton step on F from the last pivot (F is piecewise linear, so near the
        // solution one step lands within a few kinks of it and settles almost every unit in one
        // pass), or, if that leaves the bracket, the secant between F at its ends. After two
        // passes in a row that fail to halve the units in play, the median kink of the units in
        // play is used instead, which halves them by construction. NaN: no guess in the bracket.
        int stalls = 0;
        double f_prev = std::numeric_limits<double>::quiet_NaN();
        double f_next = std::numeric_limits<double>::quiet_NaN();
        auto guess = [&]() {
            // Until F is known on both sides of T, a Newton step is doubled so that it crosses
            // the solution instead of approaching it from one side (the first guess excepted).
            const bool one_sided = std::isnan(f_prev) != std::isnan(f_next);
            const double step = f_slope > 0.0 ? (total - f_at) / f_slope : 0.0;
            double pivot = f_pivot + (one_sided ? 2.0 * step : step);
            if (!(pivot > prev && pivot < next) && std::isfinite(prev) && std::isfinite(next) && f_next > f_prev)
                pivot = prev + (total - f_prev) * ((next - prev) / (f_next - f_prev));
            return pivot > prev && pivot < next ? pivot : std::numeric_limits<double>::quiet_NaN();
        };
        std::vector<double> kinks;
        while (active.size > 0) {
            if (!evaluated) {
                double pivot = stalls >= 2 ? std::numeric_limits<double>::quiet_NaN() : guess();
                if (std::isnan(pivot)) {
                    kinks.clear();
                    for (std::size_t i : active) {
                        const double lb = (lower[i] - off(i)) / slope[i];
                        const double ub = (upper[i] - off(i)) / slope[i];
                        if (lb > prev && lb < next) kinks.push_back(lb);
                        if (ub > prev && ub < next) kinks.push_back(ub);
                    }
                    if (kinks.empty()) {
                        // The units still in play have a kink at an end of the bracket (a median-kink
                        // pivot is one), so their place at that end differs from the one they keep
                        // on the open interval (prev, next); their kinks say which it is.
                        for (std::size_t i : active) {
                            const double lb = (lower[i] - off(i)) / slope[i];
                            const double ub = (upper[i] - off(i)) / slope[i];
                            place_next[i] = lb >= next ? at_floor : (ub <= prev ? at_cap : is_free);
                        }
                        break;
                    }
                    const auto mid = kinks.begin() + static_cast<std::ptrdiff_t>(kinks.size() / 2);
                    std::nth_element(kinks.begin(), mid, kinks.end());
                    pivot = *mid;
                }
                double f = settled.total + pivot * settled_slope;
                double w = settled_slope;
                add_over(active, f, w, [=](std::size_t i, double& fc, double& wc) { place_at(i, pivot, fc, wc); });
                f_pivot = pivot;
                f_at = f;
                f_slope = w;
            }
            const double pivot = f_pivot;
            if (near_solution(pivot)) break;
            const bool up = reaches(pivot, f_at);
            if (up) {
                next = pivot;
                f_next = f_at;
            } else {
                prev = pivot;
                f_prev = f_at;
            }
            // Units in the same place at both ends of the bracket are settled. Unless the median
            // kink is already due, the next pivot is a guess that needs only F at the ends and at
            // this pivot, so the same pass evaluates F there over the units that stay (wasted if
            // this pass, too, fails to halve them, which makes the median kink due).
            const double ahead = stalls < 2 ? guess() : std::numeric_limits<double>::quiet_NaN();
            evaluated = !std::isnan(ahead);
            std::vector<std::uint8_t>& moved = up ? place_next : place_prev;
            const std::size_t before = active.size;
            std::uint8_t* const moved_place = moved.data();
            const std::uint8_t* const prev_place = place_prev.data();
            Totals sums{};
            filter_items(active, sums, [=](std::size_t i, Totals& s) {
                const std::uint8_t where = pivot_place[i];
                moved_place[i] = where;
                if (prev_place[i] != next_place[i]) {
                    if (evaluated) place_at(i, ahead, s.f, s.w);
                    return true;
                }
                s.settled.add(where == at_floor ? lower[i] : (where == at_cap ? upper[i] : off(i)));
                s.settled_slope += where == is_free ? slope[i] : 0.0;
                return false;
            });
            settled += sums.settled;
            settled_slope += sums.settled_slope;
            if (evaluated) {
                f_pivot = ahead;
                f_at = settled.total + ahead * settled_slope + sums.f;
                f_slope = settled_slope + sums.w;
            }
            const std::size_t keep = active.size;
            stalls = 2 * keep <= before ? 0 : stalls + 1;
            evaluated = evaluated && stalls < 2;
        }
        auto fixed_part = [&](std::size_t i) {
            if (!(slope[i] > 0.0)) return std::clamp(off(i), lower[i], upper[i]);
            const std::uint8_t where = place_next[i];
            return where == at_floor ? lower[i] : (where == at_cap ? upper[i] : off(i));
        };
        // The fixed part of F on the final interval: the settled total, with the units still in play
        // when the search ended (placed by their kinks or at a pivot beside the solution), is exact
        // and so independent of row order when every amount was whole (as bounds in whole rounding
        // units are, unless offsets are fractional); otherwise an order-independent pass.
        for (std::size_t i : active) settled.add(fixed_part(i));
        const double fixed = settled.exact() ? settled.total : whole_sum(n, fixed_part);
        // The slope on the final interval: an order-independent sum over the free units, bounded by
        // the largest slope of all (found by one SIMD scan, cheaper than the sum's own first pass).
        const double w = reproducible_sum_below(n, largest_magnitude(slope.data(), n), [&](std::size_t i) {
            return slope[i] > 0.0 && place_next[i] == is_free ? slope[i] : 0.0;
        });
        // With no free unit F is flat between the kinks, which only rounding of a kink can cause;
        // the spec's first breakpoint with F ≥ T (next) is then the answer, not an arbitrary t.
        t = w > 0.0 ? (total - fixed) / w : (std::isfinite(next) ? next : (std::isfinite(prev) ? prev : 0.0));
    }
    fit.scale = t;
    // With the counts of units at their floors and caps; the columns by value, as in the passes
    // of the fit (status is byte-sized).
    const std::size_t chunks = chunk_count(n, kParallelGrain);
    std::size_t floors[64];
    std::size_t caps[64];
    parallel_chunks(chunks, [&, allocation = fit.allocation.data(), status = fit.status.data()](std::size_t c) {
        const auto [begin, end] = chunk_range(n, chunks, c);
        double at_floors = 0.0;  // counts in doubles, which vectorise
        double at_caps = 0.0;
        for (std::size_t i = begin; i < end; ++i) {
            const double x = off(i) + t * slope[i];
            const bool below = x <= lower[i];
            const bool above = !below && x >= upper[i];
            allocation[i] = std::min(std::max(x, lower[i]), upper[i]);
            status[i] = below ? BoundStatus::floor : (above ? BoundStatus::cap : BoundStatus::free);
            at_floors += below ? 1.0 : 0.0;
            at_caps += above ? 1.0 : 0.0;
        }
        floors[c] = static_cast<std::size_t>(at_floors);
        caps[c] = static_cast<std::size_t>(at_caps);
    });
    fit.at_floor = std::accumulate(floors, floors + chunks, std::size_t{0});
    fit.at_cap = std::accumulate(caps, caps + chunks, std::size_t{0});
    return fit;
}

// Solves the breakpoint problem above; an empty offset means o_i = 0 for every unit.
inline BoundedFit solve_breakpoints(ConstSpan offset, ConstSpan slope, ConstSpan lower, ConstSpan upper, double total,
                                    double smallest_t, double at_floors,
                                    double first_pivot = std::numeric_limits<double>::quiet_NaN()) {
    return offset.empty() ? solve_breakpoints_with<false>(offset, slope, lower, upper, total, smallest_t, at_floors, first_pivot)
                          : solve_breakpoints_with<true>(offset, slope, lower, upper, total, smallest_t, at_floors, first_pivot);
}

}  // namespace detail

// §7 bounded fit. proportional: A_i = clamp(κ a_i, L_i, U_i) with the smallest κ ≥ 0 such that
// Σ A = T; per_capita: A_i = clamp(a_i + λ P_i, L_i, U_i). Solved exactly by breakpoints (§7.2),
// which also handles the case where every unit is clamped at once (Example 5b). Error E8 with
// the conflicting totals when no solution exists.
inline BoundedFit bounded_fit(ConstSpan proposal, ConstSpan lower, ConstSpan upper, std::int64_t budget,
                              Redistribution mode = Redistribution::proportional, ConstSpan population = {},
                              const std::vector<std::string>* ids = nullptr) {
    const std::size_t n = proposal.size();
    if (lower.size() != n || upper.size() != n || (mode == Redistribution::per_capita && population.size() != n))
        throw AllocationError("E1", "bounded fit: the proposal, bounds and populations differ in length");
    std::vector<char> movable(n);
    const bool proportional = mode == Redistribution::proportional;
    detail::for_each_unit(n, [=, out = movable.data()](std::size_t i) {
        out[i] = proportional ? proposal[i] > 0.0 : population[i] > 0.0;
    });
    // A proportional fit has no offsets and fixes units at 0 (empty spans).
    const ConstSpan fixed = proportional ? ConstSpan() : proposal;
    const Feasibility f = check_feasibility(lower, upper, movable, fixed, budget, ids);
    if (!f.feasible) throw AllocationError("E8", "infeasible bounds: " + f.message, f.crossed);
    BoundedFit fit = proportional
                         ? detail::solve_breakpoints(ConstSpan(), proposal, lower, upper, static_cast<double>(budget), 0.0,
                                                     f.sum_lower, 1.0)
                         : detail::solve_breakpoints(proposal, population, lower, upper, static_cast<double>(budget),
                                                     -std::numeric_limits<double>::infinity(), f.sum_lower);
    fit.feasibility = f;
    return fit;
}

#if defined(FAIRER_AVX2_DISPATCH)
namespace detail {
// largest_remainder's quotas, whole parts and remainder keys for a[0 .. n − n % 4) on AVX2, with
// the same operations (a floor below 2^51 is t rounded to an integer by adding and subtracting
// 1.5·2^52, less 1 where that went up; whole numbers below 2^52 convert to integers through their
// bits). Returns false, for the scalar code to redo the range, if a quota reaches 2^50 units.
FAIRER_TARGET_AVX2 inline bool quotas_avx2(const double* a, std::size_t n, double ud_, double factor_, double snap_,
                                           std::int64_t* whole, std::uint64_t* key, std::int64_t& sum) {
    const __m256d ud = _mm256_set1_pd(ud_), factor = _mm256_set1_pd(factor_), snap = _mm256_set1_pd(snap_);
    const __m256d half = _mm256_set1_pd(0.5), one = _mm256_set1_pd(1.0), tiny = _mm256_set1_pd(1e-9), scale = _mm256_set1_pd(1e12);
    const __m256d magic = _mm256_set1_pd(0x1.8p52), two52 = _mm256_set1_pd(0x1p52), limit = _mm256_set1_pd(0x1p50);
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFF));
    const __m256i two52_bits = _mm256_castpd_si256(two52);
    __m256i total = _mm256_setzero_si256();
    __m256d big = _mm256_setzero_pd();
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256d x = _mm256_mul_pd(_mm256_div_pd(_mm256_loadu_pd(a + i), ud), factor);
        big = _mm256_or_pd(big, _mm256_cmp_pd(x, limit, _CMP_NLT_UQ));
        // floor(t) for 0 <= t < 2^51: t rounded to the nearest integer by adding and subtracting
        // 1.5·2^52, less 1 where that went up
        const __m256d t = _mm256_add_pd(x, half);
        const __m256d rt = _mm256_sub_pd(_mm256_add_pd(t, magic), magic);
        const __m256d nearest = _mm256_sub_pd(rt, _mm256_and_pd(_mm256_cmp_pd(rt, t, _CMP_GT_OQ), one));
        const __m256d tol = _mm256_min_pd(_mm256_mul_pd(tiny, _mm256_max_pd(x, one)), snap);
        const __m256d snapped = _mm256_cmp_pd(_mm256_and_pd(_mm256_sub_pd(x, nearest), abs_mask), tol, _CMP_LE_OQ);
        const __m256d q = _mm256_blendv_pd(x, nearest, snapped);
        const __m256d rq = _mm256_sub_pd(_mm256_add_pd(q, magic), magic);
        const __m256d f = _mm256_sub_pd(rq, _mm256_and_pd(_mm256_cmp_pd(rq, q, _CMP_GT_OQ), one));
        const __m256d u = _mm256_add_pd(_mm256_mul_pd(_mm256_sub_pd(q, f), scale), half);
        const __m256d ru = _mm256_sub_pd(_mm256_add_pd(u, magic), magic);
        const __m256d k = _mm256_sub_pd(ru, _mm256_and_pd(_mm256_cmp_pd(ru, u, _CMP_GT_OQ), one));
        const __m256i fi = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(f, two52)), two52_bits);
        const __m256i ki = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(k, two52)), two52_bits);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(whole + i), fi);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(key + i), ki);
        total = _mm256_add_epi64(total, fi);
    }
    if (_mm256_movemask_pd(big) != 0) return false;
    std::int64_t lanes[4];
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes), total);
    sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    return true;
}
}  // namespace detail
#endif

// §8 Largest remainder (Hamilton) rounding of amounts (in minor units) to multiples of unit so
// that the result sums to total exactly. Quotas q_i = A_i/u are rescaled so Σ q = total/u,
// snapped to an integer within min(1e-9·max(1, |q|), 0.25/n), floored, and the R = total/u − Σ⌊q⌋ leftover
// units go to the largest remainders. Ties (remainders equal to 12 decimals) go to the larger
// quota, then to the smaller id in byte order, so they never depend on row order. Whole-unit
// bounds met by the amounts are kept (§8.3). Error E2 for a bad unit or total; E99 if the
// remainder count is out of range (an internal fault).
inline ResultColumn<std::int64_t> largest_remainder(ConstSpan amounts, std::int64_t total, std::int64_t unit,
                                                    const std::vector<std::string>& ids) {
    const std::size_t n = amounts.size();
    if (unit < 1) throw AllocationError("E2", "rounding unit " + std::to_string(unit) + " must be at least 1");
    if (total < 0 || total % unit != 0)
        throw AllocationError("E2", "total " + std::to_string(total) + " is negative or not a multiple of the rounding unit " +
                                        std::to_string(unit));
    if (ids.size() != n) throw AllocationError("E1", "largest remainder: ids and amounts differ in length");
    if (n == 0) {
        if (total != 0) throw AllocationError("E1", "no units to round into");
        return {};
    }
    // One SIMD scan checks the amounts and finds the largest, which spares their sum its own first pass.
    std::vector<std::string> bad;
    const double largest = detail::largest_non_negative(amounts, ids, bad);
    if (!bad.empty()) throw AllocationError("E4", "cannot round negative or non-finite amounts of " + detail::list_units(bad), bad);
    if (total / unit >= (std::int64_t{1} << 62))
        throw AllocationError("E2", "total " + std::to_string(total) + " is too many rounding units to round into");
    const double units_total = static_cast<double>(total / unit);
    const double sum = detail::reproducible_sum_below(n, largest, [a = amounts.data()](std::size_t i) { return a[i]; }) /
                       static_cast<double>(unit);
    if (!(sum > 0.0) && total > 0) throw AllocationError("E4", "cannot round: every amount is 0 but the total is not");
    const double factor = sum > 0.0 ? units_total / sum : 0.0;
    const double ud = static_cast<double>(unit);
    // The relative snap tolerance is capped at 0.25/n units: for quotas above ~1e8 units, 1e-9·|q|
    // would reach a whole unit and snapping would then push Σ⌊q⌋ past the total. With the cap the
    // snapped-up units' remainders alone exceed their count minus 1/4, so R stays ≥ 0.
    const double snap_cap = 0.25 / static_cast<double>(n);
    // q_i ≥ 0 and below 2^63 (the total is an int64), so truncation is the floor; "nearest" only
    // matters within the snap tolerance of an integer, where x + 0.5 truncated finds it.
    auto quota = [&](std::size_t i) {
        const double x = amounts[i] / ud * factor;
        const double nearest = static_cast<double>(static_cast<std::int64_t>(x + 0.5));
        const double tolerance = std::min(1e-9 * std::max(x, 1.0), snap_cap);
        return std::fabs(x - nearest) <= tolerance ? nearest : x;
    };
    // Remainders to 12 decimals as integer keys (below 2^40), so that equal remainders tie exactly.
    // The leftover units go to the largest keys, found by a radix selection on the keys' top 12
    // bits (below); each chunk counts its keys by those bits while they are in cache.
    constexpr unsigned shift = 28;
    constexpr std::size_t buckets = std::size_t{1} << 12;
    ResultColumn<std::int64_t> whole(n);
    std::uint64_t* const key = detail::scratch<std::uint64_t, 0>(n);
    const std::size_t chunks = detail::chunk_count(n, detail::kParallelGrain);
    std::uint32_t* const chunk_counts = detail::scratch<std::uint32_t, 0>(chunks * buckets);
    std::int64_t floor_sum = 0;
    {
        std::int64_t floor_sums[64];
        detail::parallel_chunks(chunks, [&](std::size_t c) {
            auto [begin, end] = detail::chunk_range(n, chunks, c);
            std::int64_t sum = 0;
#if defined(FAIRER_AVX2_DISPATCH)
            const std::size_t len = end - begin;
            if (detail::reproducible::cpu_has_avx2() &&
                detail::quotas_avx2(amounts.data() + begin, len, ud, factor, snap_cap, whole.data() + begin, key + begin, sum))
                begin = end - len % 4;
            else
                sum = 0;
#endif
            for (std::size_t i = begin; i < end; ++i) {
                const double x = quota(i);
                const auto f = static_cast<std::int64_t>(x);
                whole[i] = f;
                key[i] = static_cast<std::uint64_t>(static_cast<std::int64_t>((x - static_cast<double>(f)) * 1e12 + 0.5));
                sum += f;
            }
            floor_sums[c] = sum;
            std::uint32_t* const h = chunk_counts + c * buckets;
            std::fill(h, h + buckets, 0U);
            const auto [first, last] = detail::chunk_range(n, chunks, c);
            for (std::size_t i = first; i < last; ++i) ++h[key[i] >> shift];
        });
        for (std::size_t c = 0; c < chunks; ++c) floor_sum += floor_sums[c];
    }
    const std::int64_t leftover = total / unit - floor_sum;
    if (leftover < 0 || leftover >= static_cast<std::int64_t>(n))
        throw AllocationError("E99", "internal error in largest remainder: " + std::to_string(leftover) +
                                         " units left over for " + std::to_string(n) + " units");
    if (leftover > 0) {
        // Radix selection: every unit in the buckets above the one where the count of keys (from
        // the top) reaches the leftover takes one unit, and only the units of that bucket are
        // ordered by the full rule (key, then quota, then id).
        std::vector<std::uint32_t> count(chunk_counts, chunk_counts + buckets);
        for (std::size_t c = 1; c < chunks; ++c)
            for (std::size_t b = 0; b < buckets; ++b) count[b] += chunk_counts[c * buckets + b];
        std::size_t bucket = count.size();
        std::size_t above = 0;
        const auto wanted = static_cast<std::size_t>(leftover);
        while (above + count[bucket - 1] < wanted) above += count[--bucket];
        --bucket;
        std::vector<std::size_t> candidates;
        candidates.reserve(count[bucket]);
        const std::uint64_t first_above = static_cast<std::uint64_t>(bucket + 1) << shift;
        {
            std::vector<std::size_t> in_chunk[64];
            // The same pass turns whole units into amounts (the bucket's winners take one unit more below).
            detail::parallel_chunks(chunks, [&](std::size_t c) {
                const auto [begin, end] = detail::chunk_range(n, chunks, c);
                for (std::size_t i = begin; i < end; ++i) {
                    whole[i] = (whole[i] + (key[i] >= first_above ? 1 : 0)) * unit;  // branch-free: about half take one
                    if ((key[i] >> shift) == bucket) in_chunk[c].push_back(i);
                }
            });
            for (std::size_t c = 0; c < chunks; ++c) candidates.insert(candidates.end(), in_chunk[c].begin(), in_chunk[c].end());
        }
        auto before = [&](std::size_t a, std::size_t b) {
            if (key[a] != key[b]) return key[a] > key[b];
            const double qa = quota(a);
            const double qb = quota(b);
            if (qa != qb) return qa > qb;
            return ids[a] < ids[b];
        };
        const std::size_t take = wanted - above;
        if (take < candidates.size())
            std::nth_element(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(take - 1),
                             candidates.end(), before);
        for (std::size_t k = 0; k < take; ++k) whole[candidates[k]] += unit;
    } else {
        detail::for_each_unit(n, [&](std::size_t i) { whole[i] *= unit; });
    }
    return whole;
}

// ---------------------------------------------------------------------------------------------

namespace detail {

// The indicator x with missing values handled by the policy: x itself when nothing is missing
// (no copy); otherwise error E4, or a copy in storage with the population-weighted mean of the
// observed values in place of each NaN (reported in the warnings).
inline ConstSpan impute_column(ConstSpan x, ConstSpan population, MissingPolicy missing, const std::string& name,
                               const std::vector<std::string>& ids, std::vector<std::string>& warnings,
                               std::vector<double>& storage) {
    const std::vector<std::string> missing_units =
        ids_of(ids, rows_where(x.size(), [v = x.data()](std::size_t i) { return v[i] != v[i]; }));
    if (missing_units.empty()) return x;
    if (missing == MissingPolicy::error)
        throw AllocationError("E4", "indicator '" + name + "' is missing for " + list_units(missing_units) +
                                        " (set missing = mean_impute to impute)",
                              missing_units);
    const std::size_t n = x.size();
    const double observed_population = sum_of(n, [&](std::size_t i) { return std::isnan(x[i]) ? 0.0 : population[i]; });
    if (!(observed_population > 0.0))
        throw AllocationError("E4", "indicator '" + name + "' cannot be imputed: no populated unit has a value",
                              missing_units);
    const double weighted = sum_of(n, [&](std::size_t i) { return std::isnan(x[i]) ? 0.0 : population[i] * x[i]; });
    const double mean = weighted / observed_population;
    storage.assign(x.begin(), x.end());
    for (double& v : storage)
        if (std::isnan(v)) v = mean;
    warnings.push_back("indicator '" + name + "': " + std::to_string(missing_units.size()) +
                       " missing values imputed by the population-weighted mean " + format_number(mean) + " (" +
                       list_units(missing_units) + ")");
    return storage;
}

inline const Column& require_column(const AllocationUnits& u, const std::string& name, const std::string& component) {
    const Column* c = u.indicator(name);
    if (c == nullptr)
        throw AllocationError("E6", "component '" + component + "' uses indicator '" + name + "', which is not a column");
    return *c;
}

// §4: the need index of one component, checked positive and finite (E4). need_bound, if given,
// receives a bound on the largest index when the map gives one cheaply (+inf otherwise).
inline std::vector<double> component_need(const AllocationUnits& u, const Component& comp, MissingPolicy missing,
                                          std::vector<std::string>& warnings, std::vector<std::string>& floored,
                                          PopulationSummary pop, double* need_bound = nullptr) {
    if (need_bound != nullptr) *need_bound = std::numeric_limits<double>::infinity();
    const NeedSpec& spec = comp.need;
    const std::size_t n = u.ids.size();
    const auto* ids = &u.ids.strings();
    // The named indicator column, missing values handled by the policy (storage holds any copy).
    auto column = [&](const std::string& name, std::vector<double>& storage) {
        return impute_column(require_column(u, name, comp.name), u.population, missing, name, u.ids, warnings, storage);
    };
    // The spec's indicator columns likewise, one storage vector each.
    auto columns = [&](std::vector<std::vector<double>>& storage) {
        storage.resize(spec.indicators.size());
        std::vector<ConstSpan> spans;
        for (std::size_t k = 0; k < spec.indicators.size(); ++k) spans.push_back(column(spec.indicators[k], storage[k]));
        return spans;
    };
    std::vector<double> need;
    switch (spec.kind) {
        case NeedKind::population:
            need.assign(n, 1.0);
            break;
        case NeedKind::direct: {
            std::vector<double> storage;
            const ConstSpan x = column(spec.indicator, storage);
            need.assign(x.begin(), x.end());
            break;
        }
        case NeedKind::power: {
            std::vector<double> storage;
            const ConstSpan x = column(spec.indicator, storage);
            need = power_need_index(x, spec.exponent, ids);
            break;
        }
        case NeedKind::composite: {
            // One scan of the indicator columns finds the ranges that bound the composite's sums,
            // and which columns may have missing values: only those go to the missing-value
            // policy (in order, as all of them used to).
            const std::size_t K = spec.indicators.size();
            std::vector<ConstSpan> spans(K);
            std::size_t scanned = 0;  // the leading columns that exist and have n rows
            while (scanned < K) {
                const Column* c = u.indicator(spec.indicators[scanned]);
                if (c == nullptr || c->size() != n) break;
                spans[scanned++] = *c;
            }
            std::vector<ColumnScan> scans =
                scan_columns(std::vector<ConstSpan>(spans.begin(), spans.begin() + static_cast<std::ptrdiff_t>(scanned)), n);
            std::vector<std::vector<double>> storage(K);
            for (std::size_t k = 0; k < K; ++k) {
                if (k < scanned && scans[k].finite) continue;  // no NaN: impute_column would return it as it is
                spans[k] = column(spec.indicators[k], storage[k]);
                if (k < scanned) scans[k] = scan_columns({spans[k]}, n).front();
            }
            ScoreRange range;
            auto score = composite_score_with(u.population, pop, spans, std::move(scans), spec.directions, spec.weights,
                                              spec.normalise_weights, ids, &spec.indicators, &range);
            switch (spec.transform) {
                case CompositeTransform::exp: {
                    if (spec.beta.has_value() == spec.ratio.has_value())
                        throw AllocationError("E6", "component '" + comp.name +
                                                        "': give exactly one of beta and ratio for the exponential map");
                    double beta = 0.0;
                    if (spec.beta) {
                        beta = *spec.beta;
                    } else if (range.finite && n > 0) {
                        check_need_ratio(*spec.ratio);
                        beta = exponent_for_range(range.low, range.high, *spec.ratio);
                    } else {
                        beta = calibrate_exponent(score, *spec.ratio);  // the error that names the row
                    }
                    const double high = range.finite ? range.high : std::numeric_limits<double>::infinity();
                    const double largest = exp_need_in_place(score, u.population, beta, pop, high);
                    if (need_bound != nullptr) *need_bound = largest;
                    need = std::move(score);
                    break;
                }
                case CompositeTransform::linear:
                    if (!spec.slope)
                        throw AllocationError("E6", "component '" + comp.name + "': the linear map needs a slope");
                    need = linear_need_index(score, *spec.slope, ids);
                    break;
                case CompositeTransform::rank_exp: {
                    std::vector<std::size_t> rows;
                    need = rank_exp_need_index(score, spec.epsilon, &rows, ids);
                    for (auto r : rows) floored.push_back(u.ids[r]);
                    break;
                }
            }
            break;
        }
        case NeedKind::imd: {
            std::vector<std::vector<double>> storage;
            const std::vector<ConstSpan> spans = columns(storage);
            const std::vector<double> w =
                spec.weights.empty() ? std::vector<double>(iod_domain_weights.begin(), iod_domain_weights.end()) : spec.weights;
            const double wsum = sum_of(w);
            if (!spec.renormalise && std::fabs(wsum - 1.0) > 1e-9)
                warnings.push_back("component '" + comp.name + "': IoD domain weights sum to " + format_number(wsum) +
                                   ", used as published");
            const double m = spec.rank_count > 0.0 ? spec.rank_count : static_cast<double>(n);
            const auto combined = imd_combine(spans, m, w, spec.renormalise, ids);
            if (!(spec.exponent > 0.0) || !std::isfinite(spec.exponent))
                throw AllocationError("E6", "component '" + comp.name + "': IMD exponent must be > 0");
            need.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                need[i] = std::pow(combined[i], spec.exponent);
                if (need[i] < spec.epsilon) {
                    need[i] = spec.epsilon;
                    floored.push_back(u.ids[i]);
                }
            }
            break;
        }
        case NeedKind::gradient: {
            if (u.group.empty())
                throw AllocationError("E6", "component '" + comp.name + "' is a group gradient but the units have no group");
            const std::vector<double> w =
                spec.weights.empty() ? gradient_weights(spec.groups, spec.w_low, spec.w_high, spec.shape) : spec.weights;
            if (w.size() < 2) throw AllocationError("E6", "component '" + comp.name + "': a gradient needs at least 2 groups");
            const int groups = static_cast<int>(w.size());
            std::vector<std::string> bad;
            need.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                const int g = u.group[i];
                if (g < 1 || g > groups) {
                    bad.push_back(u.ids[i]);
                    continue;
                }
                need[i] = w[static_cast<std::size_t>(g - 1)];
            }
            if (!bad.empty())
                throw AllocationError("E6", "group outside 1.." + std::to_string(groups) + " for " + list_units(bad), bad);
            break;
        }
    }
    const std::vector<std::string> bad = ids_of(u.ids, failing_rows<not_positive_finite>(need.data(), n));
    if (!bad.empty())
        throw AllocationError("E4", "component '" + comp.name + "': need index is not positive and finite for " +
                                        list_units(bad),
                              bad);
    return need;
}

// §3 E1: ids unique and non-empty, found by open addressing over string views (no per-id
// allocation).
inline void check_ids(const std::vector<std::string>& ids) {
    const std::size_t n = ids.size();
    std::vector<std::string> empty_or_dup;
    std::size_t capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    std::vector<std::uint32_t> slots(capacity, 0);
    const std::hash<std::string_view> hash;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string_view id = ids[i];
        if (id.empty()) {
            empty_or_dup.push_back("row " + std::to_string(i));
            continue;
        }
        std::size_t h = hash(id) & (capacity - 1);
        bool duplicate = false;
        while (slots[h] != 0) {
            if (ids[slots[h] - 1] == id) {
                duplicate = true;
                break;
            }
            h = (h + 1) & (capacity - 1);
        }
        if (duplicate)
            empty_or_dup.push_back(ids[i]);
        else
            slots[h] = static_cast<std::uint32_t>(i + 1);
    }
    if (!empty_or_dup.empty())
        throw AllocationError("E1", "ids must be unique and non-empty: " + list_units(empty_or_dup), empty_or_dup);
}

// §3 checks of the units table (E1, E3, E6); returns the total population.
inline PopulationSummary check_units(const AllocationUnits& u) {
    const std::size_t n = u.ids.size();
    if (n == 0) throw AllocationError("E1", "no units");
    auto same = [&](std::size_t size, const char* what, bool optional) {
        if ((optional && size == 0) || size == n) return;
        throw AllocationError("E1", std::string("column '") + what + "' has " + std::to_string(size) + " values for " +
                                        std::to_string(n) + " units");
    };
    same(u.population.size(), "population", false);
    if (u.indicators.size() != u.indicator_names.size())
        throw AllocationError("E1", "indicator names and columns differ in number");
    for (std::size_t k = 0; k < u.indicators.size(); ++k) same(u.indicators[k].size(), u.indicator_names[k].c_str(), false);
    same(u.group.size(), "group", true);
    same(u.deprivation.size(), "deprivation", true);
    same(u.cost_factor.size(), "cost_factor", true);
    same(u.baseline.size(), "baseline", true);
    same(u.floor.size(), "floor", true);
    same(u.cap.size(), "cap", true);
    if (!u.ids_verified) check_ids(u.ids);
    // One SIMD scan checks the population and finds its largest value, which bounds every
    // population-weighted sum of the need steps and spares ΣP its own first pass.
    std::vector<std::string> bad;
    PopulationSummary pop;
    pop.largest = largest_non_negative(u.population, u.ids, bad);
    if (!bad.empty())
        throw AllocationError("E3", "population must be finite and non-negative; it is not for " + list_units(bad), bad);
    pop.total = reproducible_sum_below(n, pop.largest, [p = u.population.span().data()](std::size_t i) { return p[i]; });
    if (!(pop.total > 0.0)) throw AllocationError("E3", "total population is 0");
    if (!u.cost_factor.empty()) {
        bad = ids_of(u.ids, failing_rows<not_positive_finite>(u.cost_factor.span().data(), n));
        if (!bad.empty())
            throw AllocationError("E6", "cost factor must be positive and finite; it is not for " + list_units(bad), bad);
    }
    auto money = [&](const Column& c, const char* what) {
        for (std::size_t i = 0; i < c.size(); ++i)
            if (c[i] < 0.0 || std::isinf(c[i])) bad.push_back(u.ids[i]);
        if (!bad.empty())
            throw AllocationError("E6", std::string(what) + " must be non-negative and finite (or missing); it is not for " +
                                            list_units(bad),
                                  bad);
    };
    money(u.floor, "floor");
    money(u.cap, "cap");
    return pop;
}

inline void check_range(bool ok, const std::string& what) {
    if (!ok) throw AllocationError("E6", what);
}

inline void check_parameters(const AllocationParameters& p) {
    check_range(p.universal_share >= 0.0 && p.universal_share <= 1.0,
                "universal share " + format_number(p.universal_share) + " is outside [0, 1]");
    if (p.target_ratio)
        check_range(*p.target_ratio >= 1.0, "target ratio " + format_number(*p.target_ratio) + " is below 1");
    check_range(p.theta >= 0.0 && p.theta <= 1.0, "pace theta " + format_number(p.theta) + " is outside [0, 1]");
    const auto& b = p.bounds;
    if (b.min_growth)
        check_range(*b.min_growth > -1.0 && std::isfinite(*b.min_growth),
                    "min_growth " + format_number(*b.min_growth) + " must be above -1");
    if (b.max_growth)
        check_range(*b.max_growth > -1.0 && std::isfinite(*b.max_growth),
                    "max_growth " + format_number(*b.max_growth) + " must be above -1");
    if (b.max_below_target)
        check_range(*b.max_below_target >= 0.0 && *b.max_below_target < 1.0,
                    "max_below_target " + format_number(*b.max_below_target) + " is outside [0, 1)");
    check_range(b.over_target_threshold.has_value() == b.over_target_growth.has_value(),
                "over_target_threshold and over_target_growth go together");
    if (b.over_target_growth)
        check_range(*b.over_target_growth > -1.0 && std::isfinite(*b.over_target_growth) &&
                        std::isfinite(*b.over_target_threshold),
                    "over_target_growth " + format_number(*b.over_target_growth) + " must be above -1");
    const bool pace_bounds = b.min_growth || b.max_growth || b.max_below_target || b.over_target_growth;
    check_range(!pace_bounds || p.pace != PaceMode::none,
                "growth and distance-from-target bounds need a pace-of-change mode (damped or gap_closing)");
}

}  // namespace detail

// Checks that the ids are unique and non-empty (E1 naming the offenders) and marks the table so
// that later allocations over it skip the check.
inline void verify_ids(AllocationUnits& units) {
    detail::check_ids(units.ids);
    units.ids_verified = true;
}

// Runs the pipeline of §2 steps 1–6 (validation, need, blend, pace, bounds, rounding) on the
// units for a budget in pence. Errors: AllocationError E1–E8, E10 as in §3.
inline AllocationResult allocate(const AllocationUnits& units, std::int64_t budget_pence, const AllocationParameters& params) {
    using detail::sum_of;
    using detail::format_number;
    using detail::for_each_unit;
    const detail::ParallelScope parallel(params.threads, units.ids.size());
    const detail::PopulationSummary pop_summary = detail::check_units(units);
    const double total_pop = pop_summary.total;
    const std::size_t n = units.ids.size();
    const std::int64_t u = params.rounding_unit;
    if (u < 1) throw AllocationError("E2", "rounding unit " + std::to_string(u) + " must be at least 1");
    if (budget_pence < 0) throw AllocationError("E2", "budget " + std::to_string(budget_pence) + " pence is negative");
    if (budget_pence % u != 0)
        throw AllocationError("E2", "budget " + std::to_string(budget_pence) + " pence is not a multiple of the rounding unit " +
                                        std::to_string(u) + " pence");
    detail::check_parameters(params);

    AllocationResult r;
    // The audit trail's columns are copied and sized up front, shared between the two threads
    // (zero-filling a column of 33,755 values is not free either). The ids are shared, not copied.
    r.ids = units.ids;
    {
        const bool pace_columns = params.pace != PaceMode::none;
        ResultColumn<double>* columns[] = {&r.blended_need, &r.blend_shares, &r.shares, &r.target, &r.lower, &r.upper,
                                          &r.rebased_baseline, &r.distance_from_target0, &r.proposal};
        const std::size_t sized = pace_columns ? 9 : 6;
        detail::run_jobs(1 + sized, [&](std::size_t job) {
            if (job == 0)
                r.population.assign(units.population.span().begin(), units.population.span().end());
            else
                columns[job - 1]->resize(n);
        });
    }
    r.budget = budget_pence;
    r.rounding_unit = u;
    const ConstSpan pop = units.population;
    const double T = static_cast<double>(budget_pence);
    const double inf = std::numeric_limits<double>::infinity();

    // §4–5: need per component and the blend.
    std::vector<Component> comps = params.components;
    if (comps.empty()) comps.push_back({"population", NeedSpec{}, 1.0});
    {
        std::vector<std::string> bad;
        detail::ExactSum ws;
        for (const auto& c : comps) {
            if (!(c.weight >= 0.0) || !std::isfinite(c.weight)) bad.push_back(c.name);
            ws.add(c.weight);
        }
        if (!bad.empty())
            throw AllocationError("E5", "component weights must be non-negative: " + detail::list_units(bad));
        const double total_w = ws.value();
        if (!(total_w > 0.0)) throw AllocationError("E5", "component weights sum to 0");
        if (!params.normalise_weights && std::fabs(total_w - 1.0) > 1e-9)
            throw AllocationError("E5", "component weights sum to " + format_number(total_w) +
                                            ", not 1 (set normalise_weights to rescale them)");
        for (auto& c : comps) c.weight /= total_w;
    }
    for (const auto& c : comps) {
        double need_bound = 0.0;
        auto need = detail::component_need(units, c, params.missing, r.warnings, r.need_floored, pop_summary, &need_bound);
        const double pn = detail::reproducible_sum_below(n, detail::product_bound(pop_summary.largest, need_bound),
                                                         [&](std::size_t i) { return pop[i] * need[i]; });
        if (!(pn > 0.0))
            throw AllocationError("E3", "component '" + c.name + "': the population-weighted need sums to 0");
        const double mean_need = pn / total_pop;
        const double w = c.weight;
        if (r.need.empty())
            for_each_unit(n, [&](std::size_t i) { r.blended_need[i] = w * need[i] / mean_need; });
        else
            for_each_unit(n, [&](std::size_t i) { r.blended_need[i] += w * need[i] / mean_need; });
        r.component_names.push_back(c.name);
        r.component_weights.push_back(c.weight);
        r.need.push_back(std::move(need));
    }
    const double alpha =
        params.target_ratio ? calibrate_universal_share(r.blended_need, pop, *params.target_ratio) : params.universal_share;
    r.universal_share = alpha;
    // b_i = (P_i/ΣP)·[α + (1 − α) Ñ_i], the closed form of §5.2, identical to the sum of §5.1.
    for_each_unit(n, [&](std::size_t i) { r.blend_shares[i] = pop[i] / total_pop * (alpha + (1.0 - alpha) * r.blended_need[i]); });
    if (params.cost_adjust) {
        if (units.cost_factor.empty()) throw AllocationError("E6", "cost_adjust is set but the units have no cost_factor");
        const double cb = sum_of(n, [&](std::size_t i) { return units.cost_factor[i] * r.blend_shares[i]; });
        for_each_unit(n, [&](std::size_t i) {
            r.shares[i] = units.cost_factor[i] * r.blend_shares[i] / cb;
            r.target[i] = T * r.shares[i];
        });
    } else {
        const double sb = sum_of(ConstSpan(r.blend_shares));
        for_each_unit(n, [&](std::size_t i) {
            r.shares[i] = r.blend_shares[i] / sb;
            r.target[i] = T * r.shares[i];
        });
    }

    // §6: pace of change. The damped proposal, the rebased baseline and the distance from target are
    // unit by unit, so they are computed in the bounds' pass below, chunk by chunk.
    const bool pace = params.pace != PaceMode::none;
    const bool damped = params.pace == PaceMode::damped;
    double sum_b = 0.0;
    if (pace) {
        if (units.baseline.empty()) throw AllocationError("E7", "pace of change needs a baseline");
        const ConstSpan b = units.baseline;
        // One SIMD scan checks the baseline and finds its largest value, which spares its sum the
        // first pass.
        std::vector<std::string> bad;
        const double largest = detail::largest_non_negative(b, units.ids, bad);
        if (!bad.empty())
            throw AllocationError("E7", "baseline must be complete and non-negative; it is not for " + detail::list_units(bad),
                                  bad);
        sum_b = detail::reproducible_sum_below(n, largest, [p = b.data()](std::size_t i) { return p[i]; });
        if (!(sum_b > 0.0)) throw AllocationError("E7", "the baseline sums to 0");
        r.overall_growth = T / sum_b - 1.0;
        if (!damped) {
            const std::vector<double> a = pace_gap_closing(b, r.target, T);
            r.proposal.assign(a.begin(), a.end());
        }
    } else {
        r.proposal = r.target;
    }

    // §6.4: bounds, in whole rounding units.
    const double ud = static_cast<double>(u);
    const auto& bp = params.bounds;
    ResultColumn<double>& lo = r.lower;
    ResultColumn<double>& hi = r.upper;
    // Each bound is its own pass over a chunk of units, so that every loop is a plain vectorisable
    // one while the chunk's values stay in cache.
    std::size_t zero_pop_floor = 0;
    {
        const std::size_t chunks = detail::chunk_count(n, detail::kParallelGrain);
        std::size_t zero_pop_floors[64];
        std::size_t far_from_target[64];
        detail::parallel_chunks(chunks, [&](std::size_t c) {
            const auto [begin, end] = detail::chunk_range(n, chunks, c);
            far_from_target[c] = 0;
            if (pace) {
                const double theta = params.theta;
                double* const rebased = r.rebased_baseline.data();
                double* const distance = r.distance_from_target0.data();
                double* const proposal = r.proposal.data();
                const double* const b = units.baseline.span().data();
                const double* const target = r.target.data();
                for (std::size_t i = begin; i < end; ++i) {
                    rebased[i] = b[i] * T / sum_b;
                    distance[i] = (rebased[i] - target[i]) / target[i];
                }
                if (damped)
                    for (std::size_t i = begin; i < end; ++i) proposal[i] = damped_proposal(rebased[i], target[i], theta);
                far_from_target[c] =
                    detail::count_where(begin, end, [distance](std::size_t i) { return std::fabs(distance[i]) > 0.5; });
            }
            for (std::size_t i = begin; i < end; ++i) {
                lo[i] = 0.0;
                hi[i] = inf;
            }
            if (!units.floor.empty())
                for (std::size_t i = begin; i < end; ++i) lo[i] = units.floor[i] > lo[i] ? units.floor[i] : lo[i];  // NaN: no floor
            if (!units.cap.empty())
                for (std::size_t i = begin; i < end; ++i) hi[i] = units.cap[i] < hi[i] ? units.cap[i] : hi[i];  // NaN: no cap
            if (pace) {
                const ConstSpan b = units.baseline;
                if (bp.min_growth) {
                    const double g = 1.0 + *bp.min_growth;
                    for (std::size_t i = begin; i < end; ++i) lo[i] = std::max(lo[i], b[i] * g);
                }
                if (bp.max_below_target) {
                    const double share = 1.0 - *bp.max_below_target;
                    for (std::size_t i = begin; i < end; ++i) lo[i] = std::max(lo[i], share * r.target[i]);
                }
                if (bp.max_growth) {
                    const double g = 1.0 + *bp.max_growth;
                    for (std::size_t i = begin; i < end; ++i) hi[i] = std::min(hi[i], b[i] * g);
                }
                if (bp.over_target_growth) {
                    const double g = 1.0 + *bp.over_target_growth;
                    const double tau = *bp.over_target_threshold;
                    for (std::size_t i = begin; i < end; ++i)
                        hi[i] = r.distance_from_target0[i] > tau ? std::min(hi[i], b[i] * g) : hi[i];
                }
            }
            // Bounds become whole rounding units: floors rounded up, caps down (within 1e-9 of a
            // unit, to the nearest, so that a bound meant to be whole is not moved by
            // representation error).
            detail::to_whole_units(lo.data() + begin, end - begin, ud, true);
            detail::to_whole_units(hi.data() + begin, end - begin, ud, false);
            zero_pop_floors[c] = detail::count_where(begin, end, [p = pop.data(), l = lo.data()](std::size_t i) {
                return (p[i] == 0.0) & (l[i] > 0.0);
            });
        });
        std::size_t far = 0;
        for (std::size_t c = 0; c < chunks; ++c) {
            zero_pop_floor += zero_pop_floors[c];
            far += far_from_target[c];
        }
        if (far > 0)
            r.warnings.push_back(std::to_string(far) + " units have a rebased baseline more than 50% from target");
    }
    if (zero_pop_floor > 0)
        r.warnings.push_back(std::to_string(zero_pop_floor) + " units with zero population have a floor above 0");

    // §7: bounded fit.
    BoundedFit fit = bounded_fit(r.proposal, r.lower, r.upper, budget_pence, bp.redistribution, pop, &r.ids.strings());
    r.feasibility = std::move(fit.feasibility);
    r.bounded = std::move(fit.allocation);
    r.bound_status = std::move(fit.status);
    r.scale = fit.scale;
    r.at_floor = fit.at_floor;
    r.at_cap = fit.at_cap;

    // §8: rounding.
    r.rounded = largest_remainder(r.bounded, budget_pence, u, r.ids);
    return r;
}

}  // namespace fairer
