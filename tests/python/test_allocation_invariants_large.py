"""The allocation invariants on tables of 256 to 100,000 units (the spec's "n up to 1e5").

At these sizes the engine's totals take its long order-independent path
(include/fairer/detail/reproducible_sum.hpp, used from 256 terms) and the breakpoint solver pivots
over thousands of kinks, neither of which the small-table tests in test_allocation_invariants.py
reach. Hypothesis draws the size, the parameters and a seed; numpy draws the columns from the
seed, so that a large table costs one draw instead of n. Independent checks: integer arithmetic for
the total, the bounds and the nearness of each rounded amount (I1-I4), a permuted rerun (I9), and a
bisection on F(κ) or F(λ) for the bounded fit (I12).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fairer
from fairer import _core
from test_allocation_invariants import bisect_fit

FAST = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

sizes = st.one_of(st.integers(256, 3000), st.integers(3000, 100_000))


@st.composite
def large_cases(draw):
    """A table like England's LSOAs (populations around 1,600, a few empty units, two deprivation
    indicators, last year's allocation) with random pace, bounds and rounding."""
    n = draw(sizes, label="n")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    pop = rng.lognormal(7.4, 0.3, n)
    pop[rng.random(n) < 0.005] = 0.0
    if pop.sum() == 0:
        pop[0] = 1.0
    x = rng.normal(size=(2, n))
    baseline = np.round(np.maximum(pop, 1.0) * 25.0 * rng.uniform(0.7, 1.3, n), 2) * 100  # pence
    ids = [f"L{k:06d}" for k in rng.permutation(n)]
    p = _core.AllocationParameters()
    spec = _core.NeedSpec()
    spec.kind = _core.NeedKind.composite
    spec.indicators = ["x1", "x2"]
    spec.directions = [1, -1]
    spec.weights = [0.6, 0.4]
    spec.ratio = draw(st.floats(1.0, 5.0), label="need ratio")
    p.components = [_core.Component("need", spec, 1.0)]
    p.universal_share = draw(st.floats(0, 1), label="alpha")
    p.rounding_unit = draw(st.sampled_from([1, 100, 1000]), label="unit")
    if draw(st.booleans(), label="pace"):
        p.pace = draw(st.sampled_from([_core.PaceMode.damped, _core.PaceMode.gap_closing]))
        p.theta = draw(st.floats(0, 1), label="theta")
        b = _core.BoundsParameters()
        b.min_growth = draw(st.one_of(st.none(), st.floats(-0.3, 0.05)), label="min growth")
        b.max_below_target = draw(st.one_of(st.none(), st.floats(0, 0.5)), label="max below target")
        if draw(st.booleans(), label="over-target cap"):
            b.over_target_threshold = draw(st.floats(0, 0.3))
            b.over_target_growth = draw(st.floats(-0.1, 0.1))
        b.redistribution = draw(st.sampled_from([_core.Redistribution.proportional,
                                                 _core.Redistribution.per_capita]))
        p.bounds = b
    growth = draw(st.floats(0.8, 1.3), label="budget / baseline")
    budget = int(round(baseline.sum() * growth / p.rounding_unit)) * p.rounding_unit
    return ids, pop, x, baseline, p, budget


def run(ids, pop, x, baseline, p, budget):
    units = _core.AllocationUnits(ids, pop, ["x1", "x2"], [x[0], x[1]], baseline=baseline)
    return _core.allocate(units, budget, p)


@settings(max_examples=60, **FAST)
@given(large_cases(), st.data())
def test_large_tables_keep_the_total_the_bounds_and_the_row_order(case, data):
    ids, pop, x, baseline, p, budget = case
    try:
        r = run(ids, pop, x, baseline, p, budget)
    except fairer.AllocationError as e:
        assert e.code == "E8"  # bounds that cannot meet the budget are reported, not clamped
        return
    u = p.rounding_unit
    rounded = np.asarray(r.rounded)
    assert int(rounded.sum()) == budget  # I1, in int64
    assert (rounded % u == 0).all() and (rounded >= 0).all()  # I2
    lower, upper = np.asarray(r.lower), np.asarray(r.upper)
    assert (lower <= rounded).all() and (rounded <= upper).all()  # I3
    a = np.asarray(r.bounded)
    assert ((rounded == u * np.floor(a / u + 1e-9)) | (rounded == u * np.ceil(a / u - 1e-9))).all()  # I4
    assert a.sum() == pytest.approx(budget, rel=1e-12)
    # I9: the same table in another row order gives the same numbers, permuted, bit for bit
    n = len(ids)
    perm = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="perm seed")).permutation(n)
    s = run([ids[k] for k in perm], pop[perm], x[:, perm], baseline[perm], p, budget)
    for name in ("target", "proposal", "lower", "upper", "bounded", "rounded"):
        assert np.array_equal(np.asarray(getattr(s, name)), np.asarray(getattr(r, name))[perm]), name
    assert np.array_equal(np.asarray(s.need[0]), np.asarray(r.need[0])[perm])
    assert s.scale == r.scale


@settings(max_examples=40, **FAST)
@given(sizes, st.integers(0, 2**32 - 1), st.booleans(), st.floats(0.05, 0.95))
def test_large_bounded_fit_agrees_with_bisection(n, seed, per_capita, position):
    rng = np.random.default_rng(seed)
    a = rng.lognormal(10, 1, n)
    a[rng.random(n) < 0.01] = 0.0
    lo = np.round(a * rng.uniform(0.5, 1.0, n))
    hi = np.where(rng.random(n) < 0.3, np.inf, np.round(lo + a * rng.uniform(0.0, 1.0, n)))
    pop = rng.lognormal(7.4, 0.3, n) if per_capita else None
    reach = (hi if pop is not None else np.where(a > 0, hi, lo)).sum()
    top = min(reach, 2 * a.sum() + lo.sum())
    total = int(np.ceil(lo.sum() + position * (top - lo.sum())))
    mode = _core.Redistribution.per_capita if per_capita else _core.Redistribution.proportional
    got, _ = _core.bounded_fit(a, lo, hi, total, mode, pop)
    want = bisect_fit(a, lo, hi, total, pop)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-6)
    assert got.sum() == pytest.approx(total, rel=1e-12)


@settings(max_examples=25, **FAST)
@given(large_cases())
def test_large_tables_give_the_same_bits_on_one_thread_and_two(case):
    ids, pop, x, baseline, p, budget = case
    p.threads = 1
    try:
        one = run(ids, pop, x, baseline, p, budget)
    except fairer.AllocationError as e:
        p.threads = 2
        with pytest.raises(fairer.AllocationError) as again:
            run(ids, pop, x, baseline, p, budget)
        assert again.value.code == e.code and str(again.value) == str(e)
        return
    p.threads = 2
    two = run(ids, pop, x, baseline, p, budget)
    for name in ("blended_need", "blend_shares", "shares", "target", "rebased_baseline", "distance_from_target0",
                 "proposal", "lower", "upper", "bounded", "rounded"):
        a, b = np.asarray(getattr(one, name)), np.asarray(getattr(two, name))
        assert a.tobytes() == b.tobytes(), name
    assert np.asarray(one.need[0]).tobytes() == np.asarray(two.need[0]).tobytes()
    assert one.scale == two.scale and one.warnings == two.warnings


def _allocate_in_child(n):
    case_ids = [f"L{k:06d}" for k in range(n)]
    rng = np.random.default_rng(5)
    pop = rng.lognormal(7.4, 0.3, n)
    units = _core.AllocationUnits(case_ids, pop, [], [])
    return int(np.asarray(_core.allocate(units, 10_000 * n, _core.AllocationParameters()).rounded).sum())


def test_a_forked_process_allocates_with_its_own_helper_thread():
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    n = 50_000
    assert _allocate_in_child(n) == 10_000 * n  # starts the helper thread in this process
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(_allocate_in_child, (n,)).get(timeout=120) == 10_000 * n


def test_allocations_from_python_threads_at_once_agree():
    from concurrent.futures import ThreadPoolExecutor

    n = 40_000
    rng = np.random.default_rng(9)
    ids = [f"L{k:06d}" for k in range(n)]
    x = rng.normal(size=(2, n))
    pop = rng.lognormal(7.4, 0.3, n)
    baseline = np.round(pop * 2500.0)
    p = fairer.allocation.allocation_parameters(
        components=fairer.allocation.composite_need(["x1", "x2"], [1, 1], [0.5, 0.5], ratio=2.0),
        universal_share=0.2, pace="damped", theta=0.5, min_growth=0.0, rounding_unit=100)
    units = _core.AllocationUnits(ids, pop, ["x1", "x2"], [x[0], x[1]], baseline=baseline)
    budget = int(baseline.sum() * 1.05) // 100 * 100
    expected = np.asarray(_core.allocate(units, budget, p).rounded)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: np.asarray(_core.allocate(units, budget, p).rounded), range(12)))
    for r in results:
        assert np.array_equal(r, expected)


@pytest.mark.parametrize("threads", [-1, 1.5, True, "2"])
def test_threads_must_be_a_whole_number(threads):
    with pytest.raises(fairer.AllocationError, match="threads"):
        fairer.allocation.allocation_parameters(threads=threads)
