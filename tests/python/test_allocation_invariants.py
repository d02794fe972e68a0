"""The fifteen invariants of the allocation specification (allocation.md §12) as property-based
tests over random small inputs, run against the compiled engine (fairer._core) so that the
11,000+ examples stay fast. Independent checks: closed forms of the blend (§5.2), a numpy oracle
of the pipeline, and a bisection on F(κ) for the bounded fit."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fairer
from fairer import _core

FAST = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

units_count = st.integers(min_value=1, max_value=12)
pop_value = st.one_of(st.just(0.0), st.floats(min_value=1.0, max_value=1e5, allow_nan=False))
need_value = st.floats(min_value=0.05, max_value=20.0, allow_nan=False)
unit_choice = st.sampled_from([1, 100, 1000])


@st.composite
def tables(draw, n_min=1, positive_pop=False):
    n = draw(st.integers(min_value=n_min, max_value=12))
    pv = st.floats(min_value=1.0, max_value=1e5) if positive_pop else pop_value
    pop = np.array(draw(st.lists(pv, min_size=n, max_size=n)))
    assume(pop.sum() > 0)
    need = np.array(draw(st.lists(need_value, min_size=n, max_size=n)))
    # ids in a random order so that tie-breaking by id is exercised against row order
    ids = draw(st.permutations([f"u{i:02d}" for i in range(n)]))
    return list(ids), pop, need


def params(alpha=0.0, components=True):
    p = _core.AllocationParameters()
    p.universal_share = alpha
    p.rounding_unit = 1
    if components:
        spec = _core.NeedSpec()
        spec.kind = _core.NeedKind.direct
        spec.indicator = "need"
        p.components = [_core.Component("need", spec, 1.0)]
    return p


def run(ids, pop, need, budget, p, **cols):
    return _core.allocate(_core.AllocationUnits(ids, pop, ["need"], [need], **cols), budget, p)


def oracle_target(pop, need, alpha, budget):
    """§5.1 computed directly with numpy (no closed form shortcuts)."""
    b = alpha * pop / pop.sum() + (1 - alpha) * pop * need / (pop * need).sum()
    return budget * b / b.sum()


# I1-I4: exact total, non-negative, bounds kept, each rounded value next to A -----------------
@settings(max_examples=3000, **FAST)
@given(tables(), st.floats(0, 1), unit_choice, st.integers(0, 10**7), st.data())
def test_i1_to_i4_total_sign_bounds_and_nearness(table, alpha, u, budget_units, data):
    ids, pop, need = table
    n = len(ids)
    budget = budget_units * u
    p = params(alpha)
    p.rounding_unit = u
    cols = {}
    if data.draw(st.booleans(), label="pace"):
        cols["baseline"] = np.array(data.draw(st.lists(st.floats(1.0, 1e6), min_size=n, max_size=n)))
        p.pace = data.draw(st.sampled_from([_core.PaceMode.damped, _core.PaceMode.gap_closing]))
        p.theta = data.draw(st.floats(0, 1))
        b = _core.BoundsParameters()
        b.min_growth = data.draw(st.one_of(st.none(), st.floats(-0.5, 0.1)))
        b.max_below_target = data.draw(st.one_of(st.none(), st.floats(0, 0.99)))
        if data.draw(st.booleans()):
            b.over_target_threshold = data.draw(st.floats(0, 0.5))
            b.over_target_growth = data.draw(st.floats(-0.5, 0.5))
        b.redistribution = data.draw(st.sampled_from([_core.Redistribution.proportional,
                                                      _core.Redistribution.per_capita]))
        p.bounds = b
    if data.draw(st.booleans(), label="absolute bounds"):
        cols["floor"] = np.array(data.draw(st.lists(st.one_of(st.just(np.nan), st.floats(0, budget / n + 1)),
                                                    min_size=n, max_size=n)))
        cols["cap"] = np.array(data.draw(st.lists(st.one_of(st.just(np.nan), st.floats(0, 2 * budget / n + 1)),
                                                  min_size=n, max_size=n)))
    try:
        r = run(ids, pop, need, budget, p, **cols)
    except fairer.AllocationError as e:
        assert e.code == "E8"
        return
    rounded = np.asarray(r.rounded)
    assert int(rounded.sum()) == budget  # I1
    assert (rounded % u == 0).all()
    assert (rounded >= 0).all()  # I2
    lower, upper = np.asarray(r.lower), np.asarray(r.upper)
    assert (lower <= rounded).all() and (rounded <= upper).all()  # I3
    a = np.asarray(r.bounded)
    assert ((rounded == u * np.floor(a / u + 1e-9)) | (rounded == u * np.ceil(a / u - 1e-9))).all()  # I4


# I5, I6: monotone in need and the universal floor (no pace, no bounds, C = 1) ---------------
@settings(max_examples=1000, **FAST)
@given(tables(n_min=2), st.floats(0, 1), unit_choice, st.integers(1, 10**6))
def test_i5_i6_monotone_in_need_and_universal_floor(table, alpha, u, budget_units):
    ids, pop, need = table
    budget = budget_units * u
    p = params(alpha)
    p.rounding_unit = u
    r = run(ids, pop, need, budget, p)
    nt = np.asarray(r.blended_need)
    target = np.asarray(r.target)
    rounded = np.asarray(r.rounded)
    live = pop > 0
    head = target[live] / pop[live]
    rhead = rounded[live] / pop[live]
    nl = nt[live]
    pl = pop[live]
    for i in range(len(nl)):
        for j in range(len(nl)):
            if nl[i] >= nl[j]:
                assert head[i] >= head[j] * (1 - 1e-12)
                assert rhead[i] >= rhead[j] - u / min(pl[i], pl[j]) * (1 + 1e-9)
    assert (head >= alpha * budget / pop.sum() * (1 - 1e-12)).all()


# I7: α = 1 gives one per-head amount; α = 0 with one component is proportional to P·N --------
@settings(max_examples=700, **FAST)
@given(tables(), st.integers(1, 10**8))
def test_i7_extremes_of_the_universal_share(table, budget):
    ids, pop, need = table
    flat = np.asarray(run(ids, pop, need, budget, params(1.0)).target)
    live = pop > 0
    assert flat[live] / pop[live] == pytest.approx(np.full(live.sum(), budget / pop.sum()), rel=1e-12)
    prop = np.asarray(run(ids, pop, need, budget, params(0.0)).target)
    assert prop == pytest.approx(budget * pop * need / (pop * need).sum(), rel=1e-12, abs=1e-9)


# I8: scaling all populations or all needs leaves the shares unchanged ------------------------
@settings(max_examples=700, **FAST)
@given(tables(), st.floats(0, 1), st.floats(1e-3, 1e3))
def test_i8_scale_invariance(table, alpha, k):
    ids, pop, need = table
    s = np.asarray(run(ids, pop, need, 10**6, params(alpha)).shares)
    assert np.asarray(run(ids, pop * k, need, 10**6, params(alpha)).shares) == pytest.approx(s, rel=1e-12, abs=1e-15)
    assert np.asarray(run(ids, pop, need * k, 10**6, params(alpha)).shares) == pytest.approx(s, rel=1e-12, abs=1e-15)


# I9: reordering rows permutes every output identically, rounding ties included --------------
@settings(max_examples=1500, **FAST)
@given(tables(), st.floats(0, 1), unit_choice, st.integers(0, 10**5), st.booleans(), st.data())
def test_i9_permutation_invariance(table, alpha, u, budget_units, tied, data):
    ids, pop, need = table
    n = len(ids)
    if tied:  # equal units produce exact remainder ties
        pop = np.full(n, pop.max() if pop.max() > 0 else 1.0)
        need = np.ones(n)
    perm = np.array(data.draw(st.permutations(range(n))))
    p = params(alpha)
    p.rounding_unit = u
    a = run(ids, pop, need, budget_units * u, p)
    b = run([ids[k] for k in perm], pop[perm], need[perm], budget_units * u, p)
    for name in ("target", "bounded", "rounded", "shares"):
        assert np.array_equal(np.asarray(getattr(b, name)), np.asarray(getattr(a, name))[perm]), name


# I10: the target is linear in the budget ----------------------------------------------------
@settings(max_examples=700, **FAST)
@given(tables(), st.floats(0, 1), st.integers(1, 10**8), st.integers(2, 1000))
def test_i10_linearity_in_budget(table, alpha, budget, k):
    ids, pop, need = table
    t1 = np.asarray(run(ids, pop, need, budget, params(alpha)).target)
    tk = np.asarray(run(ids, pop, need, budget * k, params(alpha)).target)
    assert tk == pytest.approx(k * t1, rel=1e-12, abs=1e-9)


# I11: pace of change at its extremes ------------------------------------------------------
@settings(max_examples=1000, **FAST)
@given(tables(positive_pop=True), st.floats(0, 1), st.integers(1, 10**8), st.data())
def test_i11_pace_extremes(table, alpha, budget, data):
    ids, pop, need = table
    n = len(ids)
    base = np.array(data.draw(st.lists(st.floats(1.0, 1e7), min_size=n, max_size=n)))
    p = params(alpha)
    p.pace = _core.PaceMode.damped
    p.theta = 1.0
    r = run(ids, pop, need, budget, p, baseline=base)
    assert np.asarray(r.bounded) == pytest.approx(np.asarray(r.target), rel=1e-9)
    p.theta = 0.0
    r = run(ids, pop, need, budget, p, baseline=base)
    assert np.asarray(r.bounded) == pytest.approx(base * budget / base.sum(), rel=1e-9)
    # a baseline equal to the target with an unchanged total stays where it is, in either mode
    target = np.asarray(run(ids, pop, need, budget, params(alpha)).target)
    for mode in (_core.PaceMode.damped, _core.PaceMode.gap_closing):
        p.pace = mode
        p.theta = data.draw(st.floats(0, 1))
        r = run(ids, pop, need, budget, p, baseline=target)
        assert np.asarray(r.bounded) == pytest.approx(target, rel=1e-9, abs=1e-6)


def test_i11_full_damping_keeps_a_small_target_next_to_a_large_baseline():
    # Found by hypothesis: unit u03's target (0.00166 pence) sits next to a rebased baseline of
    # about 16,400 pence. B̃ + θ(A* − B̃) at θ = 1 kept only the digits left after cancelling
    # 16,400 (a relative error of 1e-9 in A); the engine's (1 − θ)B̃ + θA* gives A* exactly.
    ids = [f"u{k:02d}" for k in range(8)]
    pop = np.array([1, 1, 1, 1, 1, 1, 8.5686e4, 9.4192e4])
    need = np.array([1, 1, 1, 0.05078125, 1, 3, 11, 14.0])
    base = np.array([1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0])
    p = params(0.0)
    p.pace = _core.PaceMode.damped
    p.theta = 1.0
    r = run(ids, pop, need, 73931, p, baseline=base)
    assert np.array_equal(np.asarray(r.proposal), np.asarray(r.target))
    assert np.asarray(r.bounded) == pytest.approx(np.asarray(r.target), rel=1e-12)


# I12: the breakpoint solution equals a bisection on F(κ) or F(λ) ---------------------------
def bisect_fit(a, lo, hi, total, pop):
    """F(t) = Σ clip(t·a, L, U) (or clip(a + t·P, L, U)) solved for the total by 400 halvings."""
    def f(t):
        x = t * a if pop is None else a + t * pop
        return np.clip(x, lo, hi).sum()
    left, right = (0.0, 1.0) if pop is None else (-1e12, 1e12)
    while pop is None and f(right) < total:
        right *= 2
    for _ in range(400):
        mid = 0.5 * (left + right)
        if f(mid) < total:
            left = mid
        else:
            right = mid
    x = right * a if pop is None else a + right * pop
    return np.clip(x, lo, hi)


@settings(max_examples=1000, **FAST)
@given(st.integers(1, 10), st.data())
def test_i12_bounded_fit_agrees_with_bisection(n, data):
    a = np.array(data.draw(st.lists(st.one_of(st.just(0.0), st.floats(1, 1e6)), min_size=n, max_size=n)))
    lo = np.array(data.draw(st.lists(st.floats(0, 1e6), min_size=n, max_size=n)))
    hi = lo + np.array(data.draw(st.lists(st.one_of(st.just(np.inf), st.floats(0, 1e6)), min_size=n, max_size=n)))
    per_capita = data.draw(st.booleans())
    pop = np.array(data.draw(st.lists(st.floats(1, 1e4), min_size=n, max_size=n))) if per_capita else None
    reach = (np.where(a > 0, hi, lo) if pop is None else hi).sum()
    top = min(reach, lo.sum() + 2e6)
    total = data.draw(st.integers(int(np.ceil(lo.sum())), int(np.floor(top)))) if top >= np.ceil(lo.sum()) else None
    assume(total is not None)
    mode = _core.Redistribution.per_capita if per_capita else _core.Redistribution.proportional
    got, _ = _core.bounded_fit(a, lo, hi, total, mode, pop)
    want = bisect_fit(a, lo, hi, total, pop)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-6)
    assert got.sum() == pytest.approx(total, rel=1e-12, abs=1e-6)


# I13: determinism, and agreement with a numpy oracle -----------------------------------------
@settings(max_examples=500, **FAST)
@given(tables(), st.floats(0, 1), st.integers(1, 10**9))
def test_i13_determinism_and_oracle(table, alpha, budget):
    ids, pop, need = table
    a = run(ids, pop, need, budget * 100, params(alpha))
    b = run(ids, pop, need, budget * 100, params(alpha))
    for name in ("blended_need", "shares", "target", "bounded", "rounded"):
        assert np.array_equal(np.asarray(getattr(a, name)), np.asarray(getattr(b, name)))
    assert np.asarray(a.target) == pytest.approx(oracle_target(pop, need, alpha, budget * 100), rel=1e-9, abs=1e-9)


# I14: units without population get nothing from the blend ----------------------------------
@settings(max_examples=500, **FAST)
@given(tables(), st.floats(0, 1), st.integers(0, 10**8))
def test_i14_zero_population_gets_zero(table, alpha, budget):
    ids, pop, need = table
    r = run(ids, pop, need, budget * 100, params(alpha))
    assert (np.asarray(r.target)[pop == 0] == 0).all()
    assert (np.asarray(r.rounded)[pop == 0] == 0).all()


# I15: with α = 0 the per-head ratio between groups is the weight ratio -----------------------
@settings(max_examples=500, **FAST)
@given(st.integers(2, 10), st.floats(1.0, 5.0), st.sampled_from(["linear", "geometric"]), st.data())
def test_i15_group_gradient_ratio(groups, w_high, shape, data):
    pop = np.array(data.draw(st.lists(st.floats(1, 1e5), min_size=groups, max_size=groups)))
    spec = _core.NeedSpec()
    spec.kind = _core.NeedKind.gradient
    spec.groups = groups
    spec.w_low = 1.0
    spec.w_high = w_high
    spec.shape = _core.GradientShape.linear if shape == "linear" else _core.GradientShape.geometric
    p = _core.AllocationParameters()
    p.components = [_core.Component("g", spec, 1.0)]
    units = _core.AllocationUnits([f"g{g}" for g in range(groups)], pop, group=list(range(1, groups + 1)))
    target = np.asarray(_core.allocate(units, 10**9, p).target)
    w = np.asarray(_core.gradient_weights(groups, 1.0, w_high, spec.shape))
    head = target / pop
    assert head / head[-1] == pytest.approx(w / w[-1], rel=1e-12)
    assert head[0] / head[-1] == pytest.approx(w_high, rel=1e-12)
