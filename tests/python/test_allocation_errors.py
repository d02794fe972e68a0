"""Bad input raises the specification's typed errors (allocation.md §3, E1-E10): a
fairer.AllocationError (a ValueError) with .code, the offending units in .units and a message
that names them (and, for infeasible bounds, the conflicting totals)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import fairer
from fairer import allocation as al


def units(**extra):
    base = {"id": ["A", "B", "C", "D"], "population": [10_000.0, 20_000, 30_000, 40_000],
            "need": [2.0, 1.5, 1.0, 0.5]}
    base.update(extra)
    return pd.DataFrame(base)


def raises(code, fn, *, units=None, match=None):
    with pytest.raises(fairer.AllocationError) as info:
        fn()
    e = info.value
    assert isinstance(e, ValueError)
    assert e.code == code
    assert str(e).startswith(f"[fairer.allocation.{code}] ")
    if units is not None:
        assert list(e.units) == units
        for u in units[:5]:
            assert u in str(e)
    if match is not None:
        assert match in str(e), str(e)
    return e


NEED = al.direct_need("need")


# E1 -------------------------------------------------------------------------------------------
def test_e1_duplicate_and_empty_ids():
    raises("E1", lambda: al.allocate(units(id=["A", "B", "A", "D"]), 1000, need=NEED), units=["A"],
           match="unique")
    raises("E1", lambda: al.allocate(units(id=["A", "", "C", "D"]), 1000, need=NEED), units=["row 1"])


def test_e1_no_units_and_unequal_lengths():
    empty = pd.DataFrame({"id": pd.Series([], dtype=object), "population": pd.Series([], dtype=float)})
    raises("E1", lambda: al.allocate(empty, 0), match="no units")
    cols = {"id": ["A", "B", "C"], "population": np.array([1.0, 2.0])}
    raises("E1", lambda: al.allocate(cols, 100), match="'population' has 2 values for 3 units")


# E2 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("budget, message", [(-5, "non-negative"), (math.inf, "finite"), (math.nan, "finite"),
                                             (1000.005, "more than 2 decimals")])
def test_e2_bad_budget(budget, message):
    raises("E2", lambda: al.allocate(units(), budget, need=NEED), match=message)


def test_e2_budget_not_whole_rounding_units_and_bad_unit():
    raises("E2", lambda: al.allocate(units(), 1000.50, need=NEED), match="not a multiple of the rounding unit 100")
    raises("E2", lambda: al.allocate(units(), 1000, need=NEED, rounding_unit=0), match="at least 1")


# E3 -------------------------------------------------------------------------------------------
def test_e3_population():
    raises("E3", lambda: al.allocate(units(population=[1.0, -2, np.nan, 4]), 1000), units=["B", "C"])
    raises("E3", lambda: al.allocate(units(population=[0.0] * 4), 1000), match="total population is 0")


# E4 -------------------------------------------------------------------------------------------
def test_e4_need_not_positive_or_missing():
    raises("E4", lambda: al.allocate(units(need=[2.0, 0.0, -1, 1]), 1000, need=NEED), units=["B", "C"],
           match="not positive")
    raises("E4", lambda: al.allocate(units(need=[2.0, np.nan, 1, 1]), 1000, need=NEED), units=["B"],
           match="missing")


def test_e4_missing_is_imputed_only_on_request():
    r = al.allocate(units(need=[2.0, np.nan, 1, 1]), 1000, need=NEED, missing="mean_impute")
    assert "imputed" in r.summary["warnings"][0]
    assert r.audit["need"]["need"][1] == pytest.approx((2 * 10_000 + 30_000 + 40_000) / 80_000)


# E5 -------------------------------------------------------------------------------------------
def test_e5_component_weights():
    comps = [al.component("a", NEED, 0.7), al.component("b", al.direct_need("need"), 0.4)]
    raises("E5", lambda: al.allocate(units(), 1000, components=comps), match="sum to 1.1")
    neg = [al.component("a", NEED, 1.2), al.component("b", al.direct_need("need"), -0.2)]
    raises("E5", lambda: al.allocate(units(), 1000, components=neg), match="b")
    ok = al.allocate(units(), 1000, components=comps, normalise_weights=True)
    assert ok.audit["component_weights"]["a"] == pytest.approx(0.7 / 1.1)


def test_e5_indicator_weights():
    u = units(x=[1.0, 2, 3, 4], y=[4.0, 1, 3, 2])
    need = al.composite_need(["x", "y"], [1, 1], [0.5, 0.6], beta=1.0)
    raises("E5", lambda: al.allocate(u, 1000, need=need), match="indicator weights sum to 1.1")


# E6 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    ({"universal_share": 1.5}, "universal share 1.5"),
    ({"universal_share": -0.1}, "universal share -0.1"),
    ({"target_ratio": 0.5}, "target ratio 0.5"),
    ({"pace": "damped", "theta": 1.2, "baseline": True}, "theta 1.2"),
    ({"pace": "damped", "max_below_target": 1.0, "baseline": True}, "max_below_target 1"),
    ({"pace": "damped", "min_growth": -1.0, "baseline": True}, "min_growth -1"),
    ({"min_growth": 0.02}, "need a pace-of-change mode"),
])
def test_e6_parameters_out_of_range(kwargs, message):
    with_baseline = kwargs.pop("baseline", False)
    u = units(baseline=[1.0, 2, 3, 4]) if with_baseline else units()
    raises("E6", lambda: al.allocate(u, 1000, need=NEED, **kwargs), match=message)


def test_e6_groups():
    u = units(group=[1, 2, 11, 0])
    raises("E6", lambda: al.allocate(u, 1000, need=al.gradient_need(10)), units=["C", "D"], match="outside 1..10")
    raises("E6", lambda: al.allocate(units(group=[1, 1, 1, 1]), 1000, need=al.gradient_need(1)),
           match="at least 2 groups")


# E7 -------------------------------------------------------------------------------------------
def test_e7_baseline():
    raises("E7", lambda: al.allocate(units(), 1000, need=NEED, pace="damped"), match="needs a baseline")
    raises("E7", lambda: al.allocate(units(baseline=[1.0, np.nan, 2, -1]), 1000, need=NEED, pace="damped"),
           units=["B", "D"])
    raises("E7", lambda: al.allocate(units(baseline=[0.0] * 4), 1000, need=NEED, pace="gap_closing"),
           match="sums to 0")


# E8 -------------------------------------------------------------------------------------------
def test_e8_floor_above_cap_names_the_units():
    u = units(floor=[100.0, 500, np.nan, np.nan], cap=[np.nan, 400, np.nan, np.nan])
    raises("E8", lambda: al.allocate(u, 1000, need=NEED), units=["B"], match="lower bound above upper bound")


def test_e8_reports_the_conflicting_totals():
    u = units(floor=[300.0, 300, 300, 300])
    e = raises("E8", lambda: al.allocate(u, 1000, need=NEED), units=[])
    assert "floors sum to 120000 pence, more than the budget 100000 pence" in str(e)
    capped = units(cap=[100.0, 100, 100, 100])
    e = raises("E8", lambda: al.allocate(capped, 1000, need=NEED), units=[])
    assert "budget 100000 pence exceeds the largest reachable total 40000 pence" in str(e)


# E9 / E10 -------------------------------------------------------------------------------------
def test_e9_zero_variance_indicator():
    u = units(x=[5.0, 5, 5, 5], y=[1.0, 2, 3, 4])
    need = al.composite_need(["x", "y"], [1, 1], [0.5, 0.5], ratio=2)
    raises("E9", lambda: al.allocate(u, 1000, need=need), match="x has zero population-weighted variance")


def test_e10_impossible_calibration():
    raises("E10", lambda: al.allocate(units(), 1000, need=NEED, target_ratio=4.5), match="outside [1, 4]")
    u = units(x=[1.0, 2, 3, 4], y=[4.0, 3, 2, 1], population=[1.0, 1, 1, 1])
    flat = al.composite_need(["x", "y"], [1, 1], [0.5, 0.5], ratio=2)
    raises("E10", lambda: al.allocate(u, 1000, need=flat), match="same composite score")
