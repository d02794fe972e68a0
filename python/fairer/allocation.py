"""Proportionate-universalism allocation: weighted funding formulas with exact money.

A fixed budget is shared among units (places, LSOAs, deprivation deciles, ...) universally but
with a scale and intensity proportionate to need (Marmot 2010), with the mechanics of the UK
funding formulas (NHS England weighted capitation, the ACRA public-health grant). The engine is
C++ (``fairer._core``; headers ``fairer/allocation.hpp`` and ``fairer/need_index.hpp``); this
module takes pandas DataFrames or numpy arrays, names the parameters in the analyst's words and
returns tables. The pipeline (specification ``allocation.md`` §2):

1. validate; 2. a need index per component (:func:`direct_need`, :func:`composite_need`,
:func:`imd_need`, :func:`gradient_need`, :func:`power_need`); 3. the blend
``b_i = P_i/ΣP · [α + (1 − α) Ñ_i]`` with a universal share α (or α calibrated from a target
highest/lowest per-head ratio) and optional cost factors, giving the target ``A*``; 4. pace of
change from a baseline (damped or gap-closing); 5. floors and caps solved exactly by the
breakpoint method; 6. largest-remainder rounding to pence, pounds or any unit, so the total is
exactly the budget and no bound is broken.

Money: the budget is in pounds with at most 2 decimals (``money="pounds"``, the default) or an
integer number of pence (``money="pence"``); baseline, floor and cap columns use the same unit.
Internally everything is integer pence.

Bad input raises :class:`fairer.AllocationError` (a ``ValueError``) with ``.code`` (``"E1"`` ..
``"E10"``) and ``.units`` (the offending ids).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from fairer import _core

__all__ = [
    "Allocation",
    "allocate",
    "allocation_units",
    "allocation_parameters",
    "component",
    "direct_need",
    "power_need",
    "composite_need",
    "imd_need",
    "gradient_need",
    "gradient_weights",
    "imd_transform",
    "imd_combine",
    "zscore_composite",
    "exp_need_index",
    "largest_remainder",
    "budget_to_pence",
    "IOD_DOMAIN_WEIGHTS",
]

#: IoD 2019 domain weights (income, employment, education, health, crime, barriers, living
#: environment), summing to 0.999 as published (MHCLG IoD 2019 Technical Report, table 3.1).
IOD_DOMAIN_WEIGHTS = tuple(_core.iod_domain_weights())

_TRANSFORMS = {"exp": _core.CompositeTransform.exp, "linear": _core.CompositeTransform.linear,
               "rank_exp": _core.CompositeTransform.rank_exp}
_SHAPES = {"linear": _core.GradientShape.linear, "geometric": _core.GradientShape.geometric}
_PACE = {None: _core.PaceMode.none, "none": _core.PaceMode.none, "damped": _core.PaceMode.damped,
         "gap_closing": _core.PaceMode.gap_closing}
_REDISTRIBUTION = {"proportional": _core.Redistribution.proportional,
                   "per_capita": _core.Redistribution.per_capita}
_MISSING = {"error": _core.MissingPolicy.error, "mean_impute": _core.MissingPolicy.mean_impute}
_STATUS = np.array(["free", "floor", "cap"], dtype=object)


def _error(code: str, message: str, units: list) -> _core.AllocationError:
    """The same error the C++ engine raises, for problems found on the Python side."""
    e = _core.AllocationError(f"[fairer.allocation.{code}] {message}")
    e.id = f"allocation.{code}"
    e.code = code
    e.units = list(units)
    return e


def _choice(table: Mapping, value, what: str):
    try:
        return table[value]
    except (KeyError, TypeError):
        raise _error("E6", f"{what} {value!r} is not one of {sorted(k for k in table if k)}",
                                    []) from None


# --- need specifications (§4) ------------------------------------------------------------------

def direct_need(column: str) -> _core.NeedSpec:
    """Need index supplied directly in ``column`` (§4.1), e.g. an NHS practice need index
    ``WP_i/P_i`` or an SMR. Its scale is irrelevant (normalised in the blend). Must be > 0."""
    s = _core.NeedSpec()
    s.kind = _core.NeedKind.direct
    s.indicator = column
    return s


def power_need(column: str, gamma: float = 1.0) -> _core.NeedSpec:
    """Power need index ``N_i = x_i^γ`` of a positive indicator (§4.5); γ = 1 is proportional."""
    s = _core.NeedSpec()
    s.kind = _core.NeedKind.power
    s.indicator = column
    s.exponent = float(gamma)
    return s


def composite_need(columns: Sequence[str], directions: Sequence[int], weights: Sequence[float], *,
                   transform: str = "exp", beta: float | None = None, ratio: float | None = None,
                   slope: float | None = None, normalise_weights: bool = False,
                   epsilon: float = 1e-6) -> _core.NeedSpec:
    """Population-weighted z-score composite (§4.2): ``z_ik = d_k (x_ik − m_k)/s_k`` with
    population-weighted mean and standard deviation (ddof 0), ``S_i = Σ_k w_k z_ik``, mapped to a
    positive index by ``transform``:

    * ``"exp"`` (default): ``N_i = exp(β S_i)/mean_P(exp(β S))``; give exactly one of ``beta`` or
      ``ratio`` (the max/min need ratio ρ, giving ``β = ln ρ/(S_max − S_min)``);
    * ``"linear"``: ``N_i = 1 + slope·S_i`` (error E4 if any index ≤ 0);
    * ``"rank_exp"``: the IMD exponential transform of the ranks of S (§4.3), floored at ``epsilon``.

    ``directions`` are +1 (higher value = more need) or −1; ``weights`` must sum to 1 (E5) unless
    ``normalise_weights``.
    """
    s = _core.NeedSpec()
    s.kind = _core.NeedKind.composite
    s.indicators = list(columns)
    s.directions = [int(d) for d in directions]
    s.weights = [float(w) for w in weights]
    s.transform = _choice(_TRANSFORMS, transform, "transform")
    s.beta = None if beta is None else float(beta)
    s.ratio = None if ratio is None else float(ratio)
    s.slope = None if slope is None else float(slope)
    s.normalise_weights = bool(normalise_weights)
    s.epsilon = float(epsilon)
    return s


def imd_need(domain_rank_columns: Sequence[str], rank_count: float = 0, *, gamma: float = 1.0,
             weights: Sequence[float] | None = None, renormalise: bool = False,
             epsilon: float = 1e-6) -> _core.NeedSpec:
    """IMD-style need (§4.3): each domain rank (1 = most deprived among ``rank_count`` units,
    default the number of units) becomes ``X = −23 ln(1 − R(1 − e^(−100/23)))`` with
    ``R = (m − rank + 1)/m``; ``IMDlike_i = Σ_d ω_d X_di`` with the IoD 2019 weights (sum 0.999,
    used as published; ``renormalise=True`` divides by Σω); ``N_i = IMDlike_i^γ`` floored at
    ``epsilon`` (the floored units are reported in the result)."""
    s = _core.NeedSpec()
    s.kind = _core.NeedKind.imd
    s.indicators = list(domain_rank_columns)
    s.rank_count = float(rank_count)
    s.exponent = float(gamma)
    s.weights = [] if weights is None else [float(w) for w in weights]
    s.renormalise = bool(renormalise)
    s.epsilon = float(epsilon)
    return s


def gradient_need(groups: int = 10, w_low: float = 1.0, w_high: float = 2.0, shape: str = "linear",
                  weights: Sequence[float] | None = None) -> _core.NeedSpec:
    """Group gradient (§4.4) over the units' ``group`` column (1 = highest need .. G):
    linear ``w_g = w_low + (w_high − w_low)(G − g)/(G − 1)`` or geometric
    ``w_g = w_low (w_high/w_low)^((G − g)/(G − 1))``. Defaults: deciles weighted 2.0 down to 1.0.
    ``weights`` (w_1..w_G) replaces the formula."""
    s = _core.NeedSpec()
    s.kind = _core.NeedKind.gradient
    s.groups = int(groups)
    s.w_low = float(w_low)
    s.w_high = float(w_high)
    s.shape = _choice(_SHAPES, shape, "gradient shape")
    s.weights = [] if weights is None else [float(w) for w in weights]
    return s


def component(name: str, need: _core.NeedSpec, weight: float = 1.0) -> _core.Component:
    """A need component with its weight π_c in the blend (§5.1)."""
    return _core.Component(name, need, float(weight))


def _components(components) -> list:
    if components is None:
        return []
    if isinstance(components, _core.NeedSpec):
        return [_core.Component("need", components, 1.0)]
    out = []
    for c in components:
        if isinstance(c, _core.Component):
            out.append(c)
        elif isinstance(c, Mapping):
            out.append(component(c.get("name", f"component{len(out) + 1}"), c["need"], c.get("weight", 1.0)))
        else:
            name, need, weight = c
            out.append(component(name, need, weight))
    return out


def _indicator_columns(components: list) -> list[str]:
    names: list[str] = []
    for c in components:
        need = c.need
        for col in ([need.indicator] if need.indicator else []) + list(need.indicators):
            if col not in names:
                names.append(col)
    return names


# --- units and parameters ---------------------------------------------------------------------

def _float_array(values) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(values, dtype=np.float64))


def allocation_units(units: pd.DataFrame | Mapping[str, Any], *, indicators: Iterable[str] = (),
                     id: str = "id", population: str = "population", group: str | None = "group",
                     deprivation: str | None = "deprivation", cost_factor: str | None = "cost_factor",
                     baseline: str | None = "baseline", floor: str | None = "floor", cap: str | None = "cap",
                     money: str = "pounds") -> _core.AllocationUnits:
    """The compiled units table from a DataFrame (or a mapping of column name to array).

    Optional columns are used when present under the given names (None = ignore). Float64
    columns are viewed without copying; ``money="pounds"`` converts baseline, floor and cap to
    pence (a copy). Reuse the returned object across many :func:`allocate` calls to avoid
    converting the ids each time."""
    return _units_and_ids(units, indicators=indicators, id=id, population=population, group=group,
                          deprivation=deprivation, cost_factor=cost_factor, baseline=baseline, floor=floor, cap=cap,
                          money=money)[0]


def _ids(column) -> list[str]:
    """The ids as text; a column that is already all text is taken as it is (no str() per row).
    A missing id (None, NaN, NA) is error E1 naming its rows, not the text "nan"."""
    raw = np.asarray(column, dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=False) == "string":
        return raw.tolist()
    missing = np.flatnonzero(pd.isna(raw))
    if missing.size:
        rows = [f"row {i}" for i in missing]
        raise _error("E1", f"ids must be unique and non-empty: the id is missing in {', '.join(rows[:5])}"
                     + (f" and {len(rows) - 5} more" if len(rows) > 5 else ""), rows)
    return [str(x) for x in raw]


def _units_and_ids(units, *, indicators, id, population, group, deprivation, cost_factor, baseline, floor, cap,
                   money) -> tuple[_core.AllocationUnits, list[str]]:
    """allocation_units, also returning the ids as text so that the result table can reuse them."""
    scale = _money_scale(money)
    cols = units if isinstance(units, Mapping) else {c: units[c] for c in units.columns}

    def has(name):
        return name is not None and name in cols

    if not has(id):
        raise _error("E1", f"the units have no id column '{id}'", [])
    ids = _ids(cols[id])
    if not has(population):
        raise _error("E1", f"the units have no population column '{population}'", [])
    names = list(indicators)
    for name in names:
        if name not in cols:
            raise _error("E6", f"indicator '{name}' is not a column of the units", [])

    def money_col(name):
        if not has(name):
            return None
        a = _float_array(cols[name])
        return a * scale if scale != 1 else a

    groups = None
    if has(group):
        g = np.asarray(cols[group], dtype=np.float64)
        bad = [ids[i] for i in np.flatnonzero(~np.isfinite(g) | (g != np.round(g)))]
        if bad:
            raise _error("E6", f"group must be a whole number; it is not for {', '.join(bad[:5])}", bad)
        groups = g.astype(np.int64).tolist()
    return _core.AllocationUnits(
        ids, _float_array(cols[population]), names, [_float_array(cols[n]) for n in names], groups,
        _float_array(cols[deprivation]) if has(deprivation) else None,
        _float_array(cols[cost_factor]) if has(cost_factor) else None,
        money_col(baseline), money_col(floor), money_col(cap)), ids


def _money_scale(money: str) -> int:
    return _choice({"pounds": 100, "pence": 1}, money, "money unit")


def _optional_float(x):
    return None if x is None else float(x)


def allocation_parameters(*, components=None, universal_share: float = 0.0, target_ratio: float | None = None,
                          normalise_weights: bool = False, cost_adjust: bool = False, pace: str | None = None,
                          theta: float = 1.0, min_growth: float | None = None, max_growth: float | None = None,
                          max_below_target: float | None = None, over_target_threshold: float | None = None,
                          over_target_growth: float | None = None, redistribution: str = "proportional",
                          rounding_unit: int = 100, missing: str = "error", threads: int = 0) -> _core.AllocationParameters:
    """The compiled parameter set (§1.3); see :func:`allocate` for the meaning of each."""
    p = _core.AllocationParameters()
    p.components = _components(components)
    p.universal_share = float(universal_share)
    p.target_ratio = _optional_float(target_ratio)
    p.normalise_weights = bool(normalise_weights)
    p.cost_adjust = bool(cost_adjust)
    p.pace = _choice(_PACE, pace, "pace")
    p.theta = float(theta)
    b = _core.BoundsParameters()
    b.min_growth = _optional_float(min_growth)
    b.max_growth = _optional_float(max_growth)
    b.max_below_target = _optional_float(max_below_target)
    b.over_target_threshold = _optional_float(over_target_threshold)
    b.over_target_growth = _optional_float(over_target_growth)
    b.redistribution = _choice(_REDISTRIBUTION, redistribution, "redistribution")
    p.bounds = b
    if isinstance(rounding_unit, bool) or int(rounding_unit) != rounding_unit:
        raise _error("E2", f"rounding unit {rounding_unit!r} must be a whole number of pence", [])
    p.rounding_unit = int(rounding_unit)
    p.missing = _choice(_MISSING, missing, "missing-value policy")
    if isinstance(threads, bool) or int(threads) != threads or threads < 0:
        raise _error("E6", f"threads {threads!r} must be a whole number >= 0 (0 = up to 2, 1 = the calling thread only)", [])
    p.threads = int(threads)
    return p


def budget_to_pence(budget, money: str = "pounds") -> int:
    """The budget as integer pence: ``round(100·T)`` for pounds with at most 2 decimals (§1.2),
    or the integer itself for ``money="pence"``. Error E2 otherwise."""
    if _money_scale(money) == 1:
        if isinstance(budget, (bool, np.bool_)) or not float(budget).is_integer() or budget < 0:
            raise _error("E2", f"budget {budget!r} must be a non-negative whole number of pence", [])
        return int(budget)
    return _core.budget_to_pence(float(budget))


# --- the result -------------------------------------------------------------------------------

@dataclass
class Allocation:
    """An allocation and its audit trail.

    ``table``: one row per unit (money in the unit of the call): ``id``, ``population``,
    ``need`` (blended normalised need Ñ, population mean 1), ``share`` (s), ``target`` (A*),
    ``proposal`` (a), ``lower``/``upper`` (L, U; NaN upper = none), ``bounded`` (A),
    ``allocation`` (Â), ``allocation_pence`` (Â as int64), ``per_head``, ``index`` (per head over
    the average per head), ``distance_from_target`` ((Â − A*)/A*), ``growth`` (Â/B − 1 with a
    baseline) and ``bound_status`` (free/floor/cap).
    ``audit``: every intermediate vector in pence (need per component, blend shares, rebased
    baseline, DfT0, ...). ``summary``: budget, total, α used, κ or λ, counts at floor/cap,
    feasibility, warnings. ``core``: the compiled result (for the diagnostics and Monte Carlo).
    """

    table: pd.DataFrame
    audit: dict
    summary: dict
    core: Any = field(repr=False)


def _result(core, money: str, baseline: np.ndarray | None, ids: list[str] | None = None) -> Allocation:
    """The Allocation of a compiled result; ids, if given, are the units' ids in row order (the
    result keeps the input order), which saves converting them back from C++."""
    scale = _money_scale(money)
    pop = np.asarray(core.population)
    rounded = np.asarray(core.rounded)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_head = np.where(pop > 0, rounded / 100.0 / pop, np.nan)
        average = core.budget / 100.0 / pop.sum()
        target = np.asarray(core.target)
        table = pd.DataFrame({
            "id": core.ids if ids is None else ids,
            "population": pop.copy(),
            "need": np.asarray(core.blended_need).copy(),
            "share": np.asarray(core.shares).copy(),
            "target": target / scale,
            "proposal": np.asarray(core.proposal) / scale,
            "lower": np.asarray(core.lower) / scale,
            "upper": np.where(np.isinf(core.upper), np.nan, np.asarray(core.upper) / scale),
            "bounded": np.asarray(core.bounded) / scale,
            "allocation": rounded / scale if scale != 1 else rounded.copy(),
            "allocation_pence": rounded.copy(),
            "per_head": per_head,
            "index": per_head / average,
            "distance_from_target": (rounded - target) / target,
            "growth": rounded / baseline - 1.0 if baseline is not None else np.full(len(pop), np.nan),
            "bound_status": pd.Categorical.from_codes(np.asarray(core.bound_status, dtype=np.int8),
                                                      categories=list(_STATUS)),
        })
    audit = {"need": {name: np.asarray(v).copy() for name, v in zip(core.component_names, core.need)},
             "component_weights": dict(zip(core.component_names, core.component_weights))}
    for name in ("blended_need", "blend_shares", "shares", "target", "rebased_baseline", "distance_from_target0",
                 "proposal", "lower", "upper", "bounded", "rounded"):
        audit[name] = np.asarray(getattr(core, name)).copy()
    f = core.feasibility
    summary = {
        "budget_pence": core.budget,
        "total_pence": int(rounded.sum()),
        "rounding_unit": core.rounding_unit,
        "universal_share": core.universal_share,
        "overall_growth": core.overall_growth,
        "scale": core.scale,
        "at_floor": core.at_floor,
        "at_cap": core.at_cap,
        "feasibility": {"feasible": f.feasible, "sum_lower": f.sum_lower, "max_reachable": f.max_reachable,
                        "budget": f.budget, "message": f.message},
        "max_min_per_head_ratio": float(np.nanmax(per_head) / np.nanmin(per_head))
        if np.nanmin(per_head) > 0 else math.inf,
        "warnings": list(core.warnings),
        "need_floored": list(core.need_floored),
    }
    return Allocation(table, audit, summary, core)


def allocate(units: pd.DataFrame | Mapping[str, Any] | _core.AllocationUnits, budget, *, components=None,
             need: _core.NeedSpec | None = None, universal_share: float = 0.0, target_ratio: float | None = None,
             normalise_weights: bool = False, cost_adjust: bool = False, pace: str | None = None, theta: float = 1.0,
             min_growth: float | None = None, max_growth: float | None = None,
             max_below_target: float | None = None, over_target_threshold: float | None = None,
             over_target_growth: float | None = None, redistribution: str = "proportional",
             rounding_unit: int = 100, missing: str = "error", threads: int = 0, money: str = "pounds", id: str = "id",
             population: str = "population", group: str | None = "group", deprivation: str | None = "deprivation",
             cost_factor: str | None = "cost_factor", baseline: str | None = "baseline", floor: str | None = "floor",
             cap: str | None = "cap") -> Allocation:
    """Allocate ``budget`` among ``units`` by proportionate universalism (allocation spec §1–8).

    Parameters (defaults as the specification's §1.3):

    * ``units``: a DataFrame (or mapping of arrays) with ``id`` and ``population`` columns, the
      indicator columns the need specifications name, and optionally ``group`` (1 = highest
      need), ``deprivation``, ``cost_factor``, ``baseline``, ``floor``, ``cap`` (money columns in
      ``money`` units; a missing floor/cap means none); or a ready :func:`allocation_units`.
    * ``budget``: pounds with at most 2 decimals (or integer pence with ``money="pence"``); must
      be a whole number of rounding units (E2).
    * ``components``: list of :func:`component` (or ``(name, need, weight)`` tuples or dicts);
      weights must sum to 1 unless ``normalise_weights``. ``need``: shorthand for one component.
      Default: need = population (a flat per-head split).
    * ``universal_share`` α in [0, 1]: the fraction shared strictly per head, so per head
      ``= (T/ΣP)·[α + (1 − α) Ñ_i]`` (§5.2). ``target_ratio`` ρ instead calibrates
      ``α = (M − ρm)/(M − ρm + ρ − 1)`` from the highest/lowest per-head ratio (§5.4; E10 if
      ρ is outside [1, M/m]).
    * ``cost_adjust``: multiply by ``cost_factor`` and renormalise (§5.3).
    * ``pace``: ``None``, ``"damped"`` (``a = B̃ + θ(A* − B̃)``, B̃ the baseline rebased to the
      budget) or ``"gap_closing"`` (growth to the under-funded first, §6.3); needs a baseline.
    * Bounds (with a pace mode): ``min_growth`` (floor ``B(1 + g_min)``), ``max_growth`` (cap
      ``B(1 + g_max)``), ``max_below_target`` δ (floor ``(1 − δ)A*``), ``over_target_threshold``
      τ with ``over_target_growth`` (cap ``B(1 + g_cap)`` where ``DfT0 > τ``). Absolute ``floor``
      and ``cap`` columns always apply. ``redistribution``: ``"proportional"`` (scale κ) or
      ``"per_capita"`` (shift λ per head), solved exactly by breakpoints (§7); E8 names the
      conflicting totals when the bounds cannot meet the budget.
    * ``rounding_unit``: in pence (1 = penny, 100 = pound, default); largest remainder (§8).
    * ``missing``: ``"error"`` (E4 on a missing indicator) or ``"mean_impute"``
      (population-weighted mean; reported in the warnings).
    * ``threads``: 0 (default) lets one allocation over many units (more than 4,096) share its
      passes with one helper thread; 1 keeps it on the calling thread. The result is identical,
      bit for bit, either way.

    Returns an :class:`Allocation` whose ``allocation_pence`` column sums to the budget exactly.
    """
    comps = _components(need if need is not None else components)
    params = allocation_parameters(
        components=comps, universal_share=universal_share, target_ratio=target_ratio,
        normalise_weights=normalise_weights, cost_adjust=cost_adjust, pace=pace, theta=theta, min_growth=min_growth,
        max_growth=max_growth, max_below_target=max_below_target, over_target_threshold=over_target_threshold,
        over_target_growth=over_target_growth, redistribution=redistribution, rounding_unit=rounding_unit,
        missing=missing, threads=threads)
    base = None
    if isinstance(units, _core.AllocationUnits):
        compiled, ids = units, None
    else:
        compiled, ids = _units_and_ids(units, indicators=_indicator_columns(comps), id=id, population=population,
                                       group=group, deprivation=deprivation, cost_factor=cost_factor,
                                       baseline=baseline, floor=floor, cap=cap, money=money)
        if baseline is not None and baseline in units:
            base = np.asarray(units[baseline], dtype=np.float64) * _money_scale(money)
    core = _core.allocate(compiled, budget_to_pence(budget, money), params)
    return _result(core, money, base, ids)


# --- building blocks --------------------------------------------------------------------------

def largest_remainder(amounts, total: int, unit: int = 1, ids: Sequence[str] | None = None) -> np.ndarray:
    """Largest-remainder (Hamilton) rounding (§8): integers that are multiples of ``unit``, sum to
    ``total`` exactly, each within one unit of the amount rescaled to the total; ties go to the
    larger amount, then to the smaller id (byte order), never to row order. ``ids`` default to
    the row numbers written with leading zeros (so byte order is row order)."""
    a = _float_array(amounts)
    if ids is None:
        width = len(str(max(len(a) - 1, 0)))
        ids = [str(i).zfill(width) for i in range(len(a))]
    return _core.largest_remainder(a, int(total), int(unit), [str(i) for i in ids])


def gradient_weights(groups: int, w_low: float = 1.0, w_high: float = 2.0, shape: str = "linear") -> np.ndarray:
    """Group gradient weights w_1 (highest need) .. w_G (§4.4), linear or geometric."""
    return np.asarray(_core.gradient_weights(int(groups), float(w_low), float(w_high), _choice(_SHAPES, shape, "shape")))


def imd_transform(rank, count: float) -> np.ndarray:
    """IoD exponential transform of ranks (1 = most deprived) among ``count`` units (§4.3):
    ``X = −23 ln(1 − R(1 − e^(−100/23)))``, ``R = (count − rank + 1)/count``."""
    return _core.imd_rank_transform(_float_array(np.atleast_1d(rank)), float(count))


def imd_combine(domain_ranks: Sequence, count: float, weights: Sequence[float] | None = None,
                renormalise: bool = False) -> np.ndarray:
    """IMD-style combination ``Σ_d ω_d X(rank_d)`` of domain ranks (§4.3) with the IoD 2019
    weights by default (sum 0.999 as published; ``renormalise`` divides by Σω)."""
    return _core.imd_combine([_float_array(r) for r in domain_ranks], float(count),
                             None if weights is None else _float_array(weights), bool(renormalise))


def zscore_composite(population, indicators: Sequence, directions: Sequence[int], weights: Sequence[float],
                     normalise: bool = False) -> np.ndarray:
    """Population-weighted composite z-score ``S_i = Σ_k w_k d_k (x_ik − m_k)/s_k`` (§4.2)."""
    return _core.composite_score(_float_array(population), [_float_array(x) for x in indicators],
                                 [int(d) for d in directions], _float_array(weights), bool(normalise))


def exp_need_index(score, population, beta: float | None = None, ratio: float | None = None) -> np.ndarray:
    """Exponential need index ``exp(βS)/mean_P(exp(βS))`` (§4.2), β given or calibrated from the
    max/min ratio ρ as ``β = ln ρ/(S_max − S_min)``."""
    s = _float_array(score)
    if (beta is None) == (ratio is None):
        raise _error("E6", "give exactly one of beta and ratio", [])
    b = float(beta) if beta is not None else _core.calibrate_exponent(s, float(ratio))
    return _core.exp_need_index(s, _float_array(population), b)
