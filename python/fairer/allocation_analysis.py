"""Equity diagnostics, Monte Carlo sensitivity and scenarios for allocations (allocation spec §9–11).

The numbers come from the C++ core (``include/fairer/allocation_diagnostics.hpp``,
``allocation_sensitivity.hpp``, ``allocation_scenarios.hpp``); this module adds the pandas
conveniences, a plain-text progress bar, and a pure-Python copy of the spec's random stream
(:class:`SplitMix64`) so that anyone can reproduce the Monte Carlo draws without fairer.

Conventions: populations weight every measure; units with population 0 carry no weight;
"deprivation" is larger for more deprived units and orders units most deprived first (ties share
one fractional rank). Errors are :class:`fairer.AllocationError` with the spec's codes.
"""
from __future__ import annotations

import math
import sys
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core

__all__ = [
    "SplitMix64", "concentration_index", "horizontal_inequity", "gini", "lorenz_curve", "slope_index",
    "weighted_correlation", "fractional_rank", "monotonicity_violations", "equity_diagnostics", "monte_carlo",
    "allocation_monte_carlo", "compare_allocations", "compare_scenarios", "cheshire_and_merseyside_allocation",
]


def _array(x) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64))


def _error(code: str, message: str, units: list):
    from .allocation import _error as allocation_error

    return allocation_error(code, message, units)


def _weights(values, population) -> np.ndarray:
    return np.ones(len(values)) if population is None else _array(population)


# --- the portable random stream (§10.1) --------------------------------------------------------

class SplitMix64:
    """The spec's portable generator (§10.1), in pure Python: splitmix64 (Steele, Lea & Flood,
    OOPSLA 2014) with ``state += 0x9E3779B97F4A7C15`` and the two multiply-xorshift rounds;
    ``uniform = (z >> 11)·2^−53``; ``normal`` by the Box–Muller cosine branch
    ``sqrt(−2 ln(1 − u1))·cos(2π u2)``. It yields exactly the stream of the C++ core for the
    same seed (seed 1234567 starts 6457827717110365317, 3203168211198807973, ...).
    ``position`` starts the stream after that many outputs (a jump, as the core does per draw).
    """

    _MASK = (1 << 64) - 1
    INCREMENT = 0x9E3779B97F4A7C15

    def __init__(self, seed: int = 0, position: int = 0):
        self.state = (int(seed) + int(position) * self.INCREMENT) & self._MASK

    def next(self) -> int:
        """The next 64-bit output."""
        self.state = (self.state + self.INCREMENT) & self._MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self._MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self._MASK
        return z ^ (z >> 31)

    def uniform(self) -> float:
        """A uniform in [0, 1) from the top 53 bits of the next output."""
        return (self.next() >> 11) * 2.0 ** -53

    def normal(self) -> float:
        """A standard normal from two uniforms (Box & Muller 1958, cosine branch)."""
        u1 = self.uniform()
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(6.283185307179586 * u2)


# --- equity diagnostics (§9) -------------------------------------------------------------------

def fractional_rank(population, deprivation) -> np.ndarray:
    """Fractional rank in deprivation order: ``R_i`` = population share of the more deprived units
    + half the share of i's tie block (so 0 < R < 1, most deprived near 0); NaN where P = 0."""
    return _core.alloc_fractional_rank(_array(population), _array(deprivation))


def concentration_index(values, population, deprivation) -> float:
    """Concentration index of ``values`` (e.g. spend per head) against deprivation:
    ``CI = (2/μ) Σ w_i (y_i − μ)(R_i − ½)``, ``w = P/ΣP``, ``μ = Σ w y``, ``R`` the fractional rank
    (most deprived first). Negative = concentrated among the more deprived. Equals healthequal's
    and HEAT's relative concentration index (RCI) for ordered groups.
    Reference: O'Donnell et al., Analyzing Health Equity Using Household Survey Data (World Bank,
    2008), ch. 8. NaN if μ = 0 or a weighted value is missing."""
    return _core.alloc_concentration_index(_array(values), _array(population), _array(deprivation))


def horizontal_inequity(per_head, need, population, deprivation) -> float:
    """Horizontal inequity ``HI = CI(spend per head) − CI(need)`` (O'Donnell et al. 2008, ch. 15):
    0 = spend proportional to need; for the §5 blend with universal share α, ``HI = −α·CI(need)``.
    ``HI > |CI(need)|`` flags the inverse care law (spend less pro-deprived than a flat split)."""
    return _core.alloc_horizontal_inequity(_array(per_head), _array(need), _array(population), _array(deprivation))


def lorenz_curve(values, population=None) -> pd.DataFrame:
    """Lorenz curve of ``values`` with population weights (equal weights if ``population`` is
    None): points (cumulative population share, cumulative share of Σ P·y) in ascending order of
    y, starting at (0, 0). Values must be non-negative."""
    d = _core.alloc_lorenz_curve(_array(values), _weights(values, population))
    return pd.DataFrame({"population_share": d["population_share"], "outcome_share": d["outcome_share"]})


def gini(values, population=None) -> float:
    """Gini coefficient with population weights: ``G = 1 − Σ w_i (L_{i−1} + L_i)`` on the Lorenz
    curve (= ``ΣΣ w_i w_j |y_i − y_j| / 2μ``); 0 = everyone gets the same per head. Equal weights
    if ``population`` is None (PySAL's ``Gini``). Reference: Gini (1912)."""
    return _core.alloc_gini(_array(values), _weights(values, population))


def slope_index(values, population, deprivation) -> float:
    """Slope index of inequality: population-weighted least-squares slope of ``values`` on
    ``x = 1 − R`` (0 least, 1 most deprived), i.e. the modelled most-minus-least deprived gap.
    PHEindicatormethods' ``phe_sii`` regresses on R, so its SII is the negative of this.
    Reference: Low & Low, J Public Health 2004;26:388–395."""
    return _core.alloc_slope_index(_array(values), _array(population), _array(deprivation))


def weighted_correlation(x, y, population) -> float:
    """Population-weighted Pearson correlation of ``x`` and ``y`` (e.g. need and spend per head)."""
    return _core.alloc_weighted_correlation(_array(x), _array(y), _array(population))


def monotonicity_violations(need, per_head, population, rounding_unit: float = 0.0,
                            ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Units adjacent in need order (descending) where the higher-need unit gets less per head:
    ``need_i > need_j`` but ``y_i < y_j − rounding_unit/min(P_i, P_j)`` (spec §9, invariant I5;
    ``rounding_unit`` in the money of ``per_head``). One row per violation: ``higher_need`` and
    ``lower_need`` (ids, or row numbers without ``ids``) and ``per_head_shortfall``."""
    d = _core.alloc_monotonicity_violations(_array(need), _array(per_head), _array(population), float(rounding_unit))
    return _violations_frame(d, ids)


def _violations_frame(d: Mapping, ids) -> pd.DataFrame:
    hi, lo = np.asarray(d["higher_need"]), np.asarray(d["lower_need"])
    if ids is not None:
        labels = np.asarray(list(ids), dtype=object)
        hi, lo = labels[hi], labels[lo]
    return pd.DataFrame({"higher_need": hi, "lower_need": lo, "per_head_shortfall": d["per_head_shortfall"]})


def _diagnostics(d: Mapping, ids) -> dict:
    out = {k: v for k, v in d.items() if k not in ("lorenz", "monotonicity_violations")}
    out["lorenz"] = pd.DataFrame(d["lorenz"])
    out["monotonicity_violations"] = _violations_frame(d["monotonicity_violations"], ids)
    return out


def equity_diagnostics(allocation, population=None, need=None, deprivation=None, *, rounding_unit: float = 0.0,
                       ids: Sequence[str] | None = None) -> dict:
    """Every §9 equity diagnostic of one allocation, as a dict: ``concentration_index`` (of spend
    per head), ``need_concentration_index``, ``horizontal_inequity``, ``inverse_care`` (HI >
    |CI(need)|), ``gini``, ``lorenz`` (DataFrame), ``slope_index``, ``need_correlation``,
    ``max_min_per_head_ratio`` and ``monotonicity_violations`` (DataFrame).

    ``allocation`` is either an array of money per unit (then give ``population`` and ``need``,
    the blended need Ñ) or a :class:`fairer.allocation.Allocation` (its rounded allocation in
    pounds, population, Ñ and rounding unit are used). Units are ordered by ``deprivation``
    (larger = more deprived) or, when it is None, by need, as the spec prescribes.
    """
    if hasattr(allocation, "table") and hasattr(allocation, "summary"):
        table = allocation.table
        money = np.asarray(allocation.audit["rounded"], dtype=np.float64) / 100.0
        population = table["population"].to_numpy(np.float64)
        need = table["need"].to_numpy(np.float64)
        rounding_unit = allocation.summary["rounding_unit"] / 100.0
        ids = list(table["id"])
    else:
        money = allocation
        if population is None or need is None:
            raise TypeError("equity_diagnostics: give population and need with an array of allocations")
    d = _core.alloc_equity_diagnostics(_array(population), _array(money), _array(need),
                                       None if deprivation is None else _array(deprivation), float(rounding_unit))
    return _diagnostics(d, ids)


# --- Monte Carlo (§10) -------------------------------------------------------------------------

class _TextProgress:
    """A one-line progress bar on stderr, redrawn at most every 2 percent."""

    def __init__(self, label: str = "monte carlo"):
        self.label = label
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = int(100 * done / total) if total else 100
        if self.shown == 100 or (percent - self.shown < 2 and done < total):
            return
        self.shown = percent
        bar = "#" * (percent // 4)
        sys.stderr.write(f"\r{self.label} [{bar:<25}] {percent:3d}%")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _progress(progress) -> Callable | None:
    if progress is True:
        return _TextProgress()
    if progress is False or progress is None:
        return None
    if callable(progress):
        return progress
    raise TypeError("progress must be True, False, None or a callable(done, total)")


def monte_carlo(population, need, weights: Sequence[float] | None = None, *, budget: float,
                universal_share: float = 0.0, cost_factor=None, ids: Sequence[str] | None = None, seed: int = 0,
                draws: int = 1000, sigma: float = 0.0, need_sigma: float = 0.0,
                quantiles: Sequence[float] = (0.05, 0.5, 0.95), rank_changes: bool = True,
                threads: int | None = None, progress: bool | Callable[[int, int], Any] = False) -> pd.DataFrame:
    """Monte Carlo sensitivity of the blended allocation (spec §10) over component weights and,
    optionally, need values.

    Model (§5): ``b_i = α P_i/ΣP + (1 − α) Σ_c π'_c P_i N'_ci / Σ_j P_j N'_cj`` and
    ``A_i = budget · b_i`` (with ``cost_factor``: ``budget · C_i b_i / Σ_j C_j b_j``).
    Per draw, with the §10.1 stream from ``seed``: one uniform per component,
    ``π'_c ∝ π_c exp(σ(2u_c − 1))``; then, if ``need_sigma`` τ > 0, one Box–Muller normal per
    (unit, component), unit-major: ``N'_ci = N_ci exp(τ z)``. Draw d starts at stream position
    ``d·(C + 2nC·[τ > 0])``, so the results do not depend on ``threads``.

    ``need``: array (units × components) or one column; ``weights`` π (sum 1; default one
    component of weight 1). ``progress=True`` draws a text bar on stderr; a callable gets
    ``(done, total)``. Returns one row per unit: ``id``, ``base`` (unperturbed A), ``mean``, one
    column per quantile named ``p5``, ``p50``, ... (nearest rank, ``k = max(1, ⌈q·draws⌉)``) and
    ``rank_change_probability`` (share of draws in which the unit's rank by allocation per head
    differs from its base rank; NaN for units without population).
    Pace of change and bounds are not part of the draws (see :func:`allocation_monte_carlo`).
    """
    need_array = np.ascontiguousarray(np.asarray(need, dtype=np.float64))
    components = 1 if need_array.ndim == 1 else need_array.shape[1]
    if weights is None:
        if components != 1:
            raise _error("E5", f"monte_carlo: give one weight per component ({components} components)", [])
        weights = [1.0]
    w = [float(x) for x in weights]
    d = _core.alloc_monte_carlo(
        _array(population), need_array, w, float(universal_share), float(budget),
        None if cost_factor is None else _array(cost_factor), int(seed), int(draws), float(sigma), float(need_sigma),
        [float(q) for q in quantiles], bool(rank_changes), 0 if threads is None else int(threads), _progress(progress),
        None if ids is None else [str(x) for x in ids])
    n = len(d["base"])
    table = pd.DataFrame({"id": list(ids) if ids is not None else list(range(n)), "base": d["base"],
                          "mean": d["mean"]})
    pct = np.asarray(d["percentiles"])
    for j, q in enumerate(d["quantiles"]):
        table[f"p{100 * q:g}"] = pct[:, j]
    table["rank_change_probability"] = d["rank_change_probability"]
    return table


def allocation_monte_carlo(units, budget, *, seed: int = 0, draws: int = 1000, sigma: float = 0.0,
                           need_sigma: float = 0.0, quantiles: Sequence[float] = (0.05, 0.5, 0.95),
                           rank_changes: bool = True, threads: int | None = None,
                           progress: bool | Callable[[int, int], Any] = False, **allocate_options) -> pd.DataFrame:
    """Monte Carlo (see :func:`monte_carlo`) around the allocation that
    ``fairer.allocation.allocate(units, budget, **allocate_options)`` makes: its need indices per
    component, weights, universal share (calibrated if ``target_ratio`` was given) and cost
    factors (with ``cost_adjust``). Money in pounds. Raises ``AllocationError`` E6 when pace of
    change or floors/caps are requested, because the draws do not recompute §6–7."""
    from .allocation import allocate

    bound_options = ("pace", "min_growth", "max_growth", "max_below_target", "over_target_threshold",
                     "over_target_growth")
    used = [k for k in bound_options if allocate_options.get(k) is not None]
    frame = units if isinstance(units, (pd.DataFrame, Mapping)) else {}
    used += [c for c in ("floor", "cap") if allocate_options.get(c, c) in frame]
    if used:
        raise _error("E6", "monte_carlo recomputes the blend (§5) in each draw; pace of change, floors and caps "
                           f"are not applied there, so remove {', '.join(used)} for the sensitivity run", used)
    base = allocate(units, budget, **allocate_options)
    need = np.column_stack([np.asarray(v, dtype=np.float64) for v in base.audit["need"].values()])
    weights = list(base.audit["component_weights"].values())
    cost = None
    if allocate_options.get("cost_adjust"):
        cost = np.asarray(frame[allocate_options.get("cost_factor", "cost_factor")], dtype=np.float64)
    return monte_carlo(base.table["population"].to_numpy(np.float64), need, weights,
                       budget=base.summary["budget_pence"] / 100.0, universal_share=base.summary["universal_share"],
                       cost_factor=cost, ids=list(base.table["id"]), seed=seed, draws=draws, sigma=sigma,
                       need_sigma=need_sigma, quantiles=quantiles, rank_changes=rank_changes, threads=threads,
                       progress=progress)


# --- scenarios (§11) ---------------------------------------------------------------------------

def compare_allocations(base, scenario, population, base_need, scenario_need=None, deprivation=None, *,
                        name: str = "scenario", rounding_unit: float = 0.0,
                        ids: Sequence[str] | None = None) -> dict:
    """Compare two allocations of the same units (spec §11), money in any one unit.

    Returns a dict: ``name``; ``table`` (DataFrame per unit: ``id``, ``base``, ``scenario``,
    ``change``, ``change_percent`` (NaN where base is 0), ``change_per_head`` (NaN where P = 0));
    ``gainers``, ``losers``, ``unchanged``, ``total_gain``; ``base`` and ``scenario`` equity
    diagnostics (see :func:`equity_diagnostics`); and ``change_concentration_index``,
    ``change_horizontal_inequity``, ``change_gini`` (scenario − base). Each run's HI is against its
    own need; both are ordered by ``deprivation`` (default: the base need).
    """
    base_need = _array(base_need)
    scenario_need = base_need if scenario_need is None else _array(scenario_need)
    order = base_need if deprivation is None else _array(deprivation)
    d = _core.alloc_compare_allocations(name, _array(population), _array(base), base_need, _array(scenario),
                                        scenario_need, order, float(rounding_unit))
    n = len(d["change"])
    out = {k: v for k, v in d.items() if k not in ("change", "change_percent", "change_per_head", "base", "scenario")}
    out["table"] = pd.DataFrame({"id": list(ids) if ids is not None else list(range(n)), "base": _array(base),
                                 "scenario": _array(scenario), "change": d["change"],
                                 "change_percent": d["change_percent"], "change_per_head": d["change_per_head"]})
    out["base"] = _diagnostics(d["base"], ids)
    out["scenario"] = _diagnostics(d["scenario"], ids)
    return out


def compare_scenarios(units, budget, scenarios: Mapping[str, Mapping[str, Any]], *,
                      deprivation: str | None = "deprivation", **base_options) -> dict:
    """Run named what-if scenarios against a base allocation (spec §11).

    The base is ``fairer.allocation.allocate(units, budget, **base_options)``; each scenario is
    the same call with its overrides (``{"steeper": {"universal_share": 0.2}, ...}``): a pure
    function of (units, budget, parameters). Each is compared with the base by
    :func:`compare_allocations` on the rounded allocations in pounds, ordered by the units'
    ``deprivation`` column when present, else by the base run's need. Returns
    ``{"summary": DataFrame (one row per scenario: gainers, losers, unchanged, total_gain, CI, HI,
    Gini of base and scenario and their changes), "scenarios": {name: comparison dict}}``.
    """
    from .allocation import allocate

    base = allocate(units, budget, **base_options)
    ids = list(base.table["id"])
    frame = units if isinstance(units, (pd.DataFrame, Mapping)) else {}
    order = None
    if deprivation is not None and deprivation in frame:
        order = _array(frame[deprivation])
    population = base.table["population"].to_numpy(np.float64)
    base_money = np.asarray(base.audit["rounded"], dtype=np.float64) / 100.0
    comparisons = {}
    rows = []
    for name, overrides in scenarios.items():
        run = allocate(units, budget, **{**base_options, **dict(overrides)})
        unit = max(base.summary["rounding_unit"], run.summary["rounding_unit"]) / 100.0
        c = compare_allocations(base_money, np.asarray(run.audit["rounded"], dtype=np.float64) / 100.0, population,
                                base.table["need"].to_numpy(np.float64), run.table["need"].to_numpy(np.float64),
                                order, name=name, rounding_unit=unit, ids=ids)
        comparisons[name] = c
        rows.append({"scenario": name, "gainers": c["gainers"], "losers": c["losers"], "unchanged": c["unchanged"],
                     "total_gain": c["total_gain"],
                     "base_concentration_index": c["base"]["concentration_index"],
                     "concentration_index": c["scenario"]["concentration_index"],
                     "change_concentration_index": c["change_concentration_index"],
                     "base_horizontal_inequity": c["base"]["horizontal_inequity"],
                     "horizontal_inequity": c["scenario"]["horizontal_inequity"],
                     "change_horizontal_inequity": c["change_horizontal_inequity"],
                     "base_gini": c["base"]["gini"], "gini": c["scenario"]["gini"], "change_gini": c["change_gini"]})
    return {"summary": pd.DataFrame(rows), "scenarios": comparisons}


# --- Cheshire and Merseyside convenience --------------------------------------------------------

def _beacon_values(data, keys: Sequence[str], places: Sequence[str]) -> tuple[pd.DataFrame, dict]:
    """Value of each Beacon indicator for each place in the latest period that covers all places
    (else the latest period) (Persons; the mean of Male and Female where only those are
    published), with the period used, and its need direction from the
    framework's polarity (lower is better → +1: a higher value means more need)."""
    from . import io

    obs = io.to_pandas(data.observations)
    obs = obs[obs["area_code"].astype(str).isin(places)]
    obs = obs[obs["category_type"].astype(str).isin(["", "nan"])]
    meta = {ind.key: ind for ind in data.framework.indicators}
    values = {}
    info = {}
    for key in keys:
        if key not in meta:
            raise _error("E4", f"unknown Beacon indicator {key!r}", [key])
        rows = obs[obs["indicator_id"].astype(str) == key]
        polarity = str(meta[key].polarity).rsplit(".", 1)[-1]
        if polarity not in ("lower_is_better", "higher_is_better"):
            raise _error("E4", f"indicator {key} has no need direction (polarity {polarity})", [key])
        if rows.empty:
            raise _error("E4", f"no place-level values for indicator {key}", [key])
        persons = rows[rows["sex"].astype(str) == "Persons"]
        use = persons if not persons.empty else rows
        sortable = use["period"].astype(str).map(lambda p: _core.TimePeriod.parse(p).sortable)
        # the latest period that covers every place, else the latest period (gaps then follow `missing`)
        latest = use[sortable == sortable.max()]
        for period in sorted(set(sortable), reverse=True):
            candidate = use[sortable == period]
            if set(places) <= set(candidate["area_code"].astype(str)):
                latest = candidate
                break
        by_place = latest.groupby(latest["area_code"].astype(str), observed=True)["value"].mean()
        values[key] = [by_place.get(p, np.nan) for p in places]
        info[key] = {"period": str(latest["period"].iloc[0]), "direction": 1 if polarity == "lower_is_better" else -1,
                     "sexes": sorted(set(latest["sex"].astype(str)))}
    return pd.DataFrame(values), info


def cheshire_and_merseyside_allocation(budget, *, universal_share: float = 0.5, indicators: Sequence[str] = (),
                                       indicator_weight: float = 0.5, need_ratio: float = 2.0,
                                       rounding_unit: int = 100, missing: str = "error", data=None,
                                       **allocate_options):
    """Allocate ``budget`` (pounds) among Cheshire and Merseyside's nine places from the embedded
    data (``fairer.load_default()``).

    Units: the nine places (id = GSS code, ``name``), population from ``data.areas``,
    deprivation = the population-weighted mean IoD 2019 IMD score of the place's LSOAs
    (``fairer.summarise_deprivation(data.iod2019)``), also the direct need index of the component
    ``deprivation``. With ``indicators`` (Beacon keys such as ``["B10", "B16"]``), a second
    component ``indicators`` (weight ``indicator_weight``) is the population-weighted z-score
    composite of their place values in the latest period covering all nine places (equal weights, direction from the framework's
    polarity) mapped by the exponential transform calibrated to a max/min need ratio
    ``need_ratio`` (§4.2). ``universal_share`` α as in the blend (§5). Further options go to
    ``fairer.allocation.allocate``. Returns ``(allocation, units)``: the
    :class:`fairer.allocation.Allocation` and the units DataFrame it used (with the indicator
    values and an ``attrs["indicators"]`` note of the periods used).
    """
    import fairer

    from .allocation import allocate, component, composite_need, direct_need

    data = fairer.load_default() if data is None else data
    places = data.areas.places()
    codes = [a.code for a in places]
    deprivation = {d.place_code: d.mean_imd_score for d in fairer.summarise_deprivation(data.iod2019)}
    units = pd.DataFrame({
        "id": codes,
        "name": [a.name for a in places],
        "population": [a.population for a in places],
        "deprivation": [deprivation.get(c, np.nan) for c in codes],
    })
    units["imd_score"] = units["deprivation"]
    components = [component("deprivation", direct_need("imd_score"), 1.0)]
    if indicators:
        values, info = _beacon_values(data, list(indicators), codes)
        for key in values:
            units[key] = values[key].to_numpy()
        k = len(values.columns)
        components = [
            component("deprivation", direct_need("imd_score"), 1.0 - indicator_weight),
            component("indicators", composite_need(list(values.columns), [info[c]["direction"] for c in values.columns],
                                                   [1.0 / k] * k, ratio=need_ratio, normalise_weights=True),
                      indicator_weight),
        ]
        units.attrs["indicators"] = info
    result = allocate(units, budget, components=components, universal_share=universal_share,
                      rounding_unit=rounding_unit, missing=missing, **allocate_options)
    return result, units
