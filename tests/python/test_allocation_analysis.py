"""Equity diagnostics, Monte Carlo sensitivity and scenarios (allocation spec §9-11, Example 12).

Independent sources: the spec's worked examples (figures computed by an independent
implementation), published engines (healthequal's RCI, PySAL's Gini, PHEindicatormethods' SII),
and second methods written here with numpy/pandas (pairwise Gini, weighted least squares, a
pure-Python Monte Carlo on the pure-Python generator).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import fairer
from fairer import _core
from fairer import allocation as al
from fairer import allocation_analysis as aa

EX1 = pd.DataFrame({"id": list("ABCD"), "population": [10_000, 20_000, 30_000, 40_000],
                    "need": [2.0, 1.5, 1.0, 0.5], "n1": [2, 1.5, 1, 0.5], "n2": [1.2, 1.4, 0.9, 0.8]})


# --- the random stream ---------------------------------------------------------------------------

def test_splitmix64_test_vector_and_example12_uniforms():
    g = aa.SplitMix64(1234567)
    assert [g.next() for _ in range(3)] == [6457827717110365317, 3203168211198807973, 9817491932198370423]
    u = aa.SplitMix64(20240601)
    assert [u.uniform() for _ in range(3)] == pytest.approx([0.025503484180, 0.634088447531, 0.008307466683],
                                                             abs=5e-13)


@pytest.mark.parametrize("seed, position", [(0, 0), (20240601, 0), (2**64 - 1, 17), (99, 10**12)])
def test_python_and_cpp_streams_are_identical(seed, position):
    py = aa.SplitMix64(seed, position)
    raw = [py.next() for _ in range(50)]
    assert _core.alloc_splitmix64(seed, 50, position).tolist() == raw
    py = aa.SplitMix64(seed, position)
    assert _core.alloc_uniforms(seed, 50, position).tolist() == [py.uniform() for _ in range(50)]
    py = aa.SplitMix64(seed, position)
    assert _core.alloc_normals(seed, 50, position).tolist() == [py.normal() for _ in range(50)]


# --- Example 12 -----------------------------------------------------------------------------------

EX12_UNIT1 = [128_876.01, 134_253.86, 139_299.46]
EX12_UNIT4 = [316_733.36, 324_611.68, 333_005.54]


def test_example12_monte_carlo_arrays():
    t = aa.monte_carlo(EX1["population"], EX1[["n1", "n2"]].to_numpy(), [0.6, 0.4], budget=1_000_000,
                       universal_share=0.5, seed=20240601, draws=2000, sigma=math.log(1.5), ids=list("ABCD"))
    assert list(t.columns) == ["id", "base", "mean", "p5", "p50", "p95", "rank_change_probability"]
    assert t.loc[0, ["p5", "p50", "p95"]].tolist() == pytest.approx(EX12_UNIT1, rel=1e-6)
    assert t.loc[3, ["p5", "p50", "p95"]].tolist() == pytest.approx(EX12_UNIT4, rel=1e-6)


def test_example12_through_allocate():
    comps = [al.component("n1", al.direct_need("n1"), 0.6), al.component("n2", al.direct_need("n2"), 0.4)]
    t = aa.allocation_monte_carlo(EX1, 1_000_000, components=comps, universal_share=0.5, seed=20240601, draws=2000,
                                  sigma=math.log(1.5))
    assert t["id"].tolist() == list("ABCD")
    assert t.loc[0, ["p5", "p50", "p95"]].tolist() == pytest.approx(EX12_UNIT1, rel=1e-6)
    assert t.loc[3, ["p5", "p50", "p95"]].tolist() == pytest.approx(EX12_UNIT4, rel=1e-6)
    # base = the engine's own unrounded target
    r = al.allocate(EX1, 1_000_000, components=comps, universal_share=0.5, rounding_unit=1)
    assert t["base"].tolist() == pytest.approx(r.table["target"].tolist(), rel=1e-12)


def python_monte_carlo(population, need, weights, alpha, budget, cost, seed, draws, sigma, tau, quantiles):
    """The §10 procedure written out in numpy on the pure-Python stream (a second implementation)."""
    population = np.asarray(population, float)
    need = np.asarray(need, float)
    n, c = need.shape
    g = aa.SplitMix64(seed)
    out = np.empty((draws, n))
    ranks_changed = np.zeros(n)

    def alloc(w, nd):
        b = alpha * population / population.sum() + (1 - alpha) * (
            (population[:, None] * nd / (population[:, None] * nd).sum(axis=0)) * w).sum(axis=1)
        cb = cost * b
        return budget * cb / cb.sum()

    def ranks(a):
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(population > 0, a / population, np.nan)
        s = pd.Series(y)
        return s.rank(method="min", ascending=False).to_numpy()

    base = alloc(np.asarray(weights), need)
    base_rank = ranks(base)
    for d in range(draws):
        e = np.array([weights[k] * math.exp(sigma * (2 * g.uniform() - 1)) for k in range(c)])
        w = e / e.sum()
        nd = need
        if tau > 0:
            nd = need * np.exp(tau * np.array([[g.normal() for _ in range(c)] for _ in range(n)]))
        out[d] = alloc(w, nd)
        ranks_changed += ranks(out[d]) != base_rank
    srt = np.sort(out, axis=0)
    ks = [max(1, math.ceil(q * draws - 1e-9)) for q in quantiles]
    return base, srt[[k - 1 for k in ks]].T, ranks_changed / draws


@pytest.mark.parametrize("tau", [0.0, 0.15])
def test_cpp_monte_carlo_matches_python_implementation(tau):
    rng = np.random.default_rng(7)
    n = 12
    pop = rng.integers(500, 5000, n).astype(float)
    need = rng.uniform(0.5, 2.0, (n, 3))
    cost = rng.uniform(0.9, 1.1, n)
    q = (0.05, 0.5, 0.95)
    base, pct, changed = python_monte_carlo(pop, need, [0.5, 0.3, 0.2], 0.3, 1e6, cost, 11, 600, 0.5, tau, q)
    t = aa.monte_carlo(pop, need, [0.5, 0.3, 0.2], budget=1e6, universal_share=0.3, cost_factor=cost, seed=11,
                       draws=600, sigma=0.5, need_sigma=tau, quantiles=q)
    assert t["base"].to_numpy() == pytest.approx(base, rel=1e-9)
    assert t[["p5", "p50", "p95"]].to_numpy() == pytest.approx(pct, rel=1e-9)
    assert t["rank_change_probability"].to_numpy() == pytest.approx(changed, abs=1e-12)


def test_monte_carlo_is_identical_on_any_thread_count_and_reports_progress(capsys):
    rng = np.random.default_rng(3)
    pop = rng.uniform(100, 1000, 3000)
    need = rng.uniform(0.5, 2, (3000, 2))
    kw = dict(budget=1e7, universal_share=0.2, seed=5, draws=800, sigma=0.3, need_sigma=0.05)
    one = aa.monte_carlo(pop, need, [0.7, 0.3], threads=1, **kw)
    two = aa.monte_carlo(pop, need, [0.7, 0.3], threads=2, progress=True, **kw)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    err = capsys.readouterr().err
    assert "monte carlo [" in err and "100%" in err
    seen = []
    aa.monte_carlo(pop, need, [0.7, 0.3], threads=2, progress=lambda d, t: seen.append((d, t)), **kw)
    assert seen[-1] == (800 + 3000, 800 + 3000)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))


def test_progress_callback_exception_stops_the_run():
    def stop(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        aa.monte_carlo([1.0, 2.0], [1.0, 2.0], budget=10, draws=100, progress=stop)


def test_monte_carlo_errors_are_typed():
    with pytest.raises(fairer.AllocationError) as e:
        aa.monte_carlo([1.0, 2.0], [[1.0, 1.0], [1.0, 1.0]], [0.5, 0.6], budget=10)
    assert e.value.code == "E5"
    with pytest.raises(fairer.AllocationError) as e:
        aa.monte_carlo([1.0, 2.0], [[1.0, 1.0], [1.0, 1.0]], budget=10)  # two components, no weights
    assert e.value.code == "E5"
    with pytest.raises(fairer.AllocationError) as e:
        aa.monte_carlo([1.0, 2.0], [1.0, -1.0], budget=10, ids=["a", "b"])
    assert e.value.code == "E4"
    assert e.value.units == ["b"]
    with pytest.raises(fairer.AllocationError) as e:
        aa.monte_carlo([1.0, 2.0, 3.0], [[1.0], [1.0]], [1.0], budget=10)
    assert e.value.code == "E1"
    with pytest.raises(fairer.AllocationError) as e:
        aa.allocation_monte_carlo(EX1.assign(baseline=[1.0, 1, 1, 1]), 1000, need=al.direct_need("need"),
                                  pace="damped", draws=10)
    assert e.value.code == "E6"


# --- diagnostics ---------------------------------------------------------------------------------

def test_example1_and_example2_diagnostics_through_allocate():
    r = al.allocate(EX1, 1_000_000, need=al.direct_need("need"), universal_share=0.5)
    d = aa.equity_diagnostics(r)
    assert d["concentration_index"] == pytest.approx(-0.135, rel=1e-12)
    assert d["need_concentration_index"] == pytest.approx(-0.270, rel=1e-12)
    assert d["horizontal_inequity"] == pytest.approx(0.135, rel=1e-12)
    assert not d["inverse_care"]
    assert d["monotonicity_violations"].empty

    deciles = pd.DataFrame({"id": [f"d{g}" for g in range(1, 11)], "group": range(1, 11),
                            "population": [3000, 2500, 2200, 2000, 1800, 1700, 1600, 1500, 1400, 1300]})
    r2 = al.allocate(deciles, 1_000_000, need=al.gradient_need(10, 1.0, 2.0))
    d2 = aa.equity_diagnostics(r2, deprivation=11 - deciles["group"])
    assert d2["concentration_index"] == pytest.approx(-0.115124, abs=5e-7)
    assert d2["gini"] == pytest.approx(0.115124, abs=5e-7)


def numpy_concentration_index(y, p, dep):
    """Second method: sort by deprivation (most deprived first), midpoint ranks per tie block with
    pandas, then CI = 2·cov_w(y, R)/μ."""
    df = pd.DataFrame({"y": y, "p": p, "dep": dep})
    df = df[df.p > 0]
    w = df.p / df.p.sum()
    block = df.groupby("dep")["p"].sum().sort_index(ascending=False) / df.p.sum()
    start = block.cumsum() - block
    rank = df.dep.map(start + block / 2)
    mu = (w * df.y).sum()
    return 2 * (w * (df.y - mu) * (rank - (w * rank).sum())).sum() / mu


def test_diagnostics_against_numpy_second_methods():
    rng = np.random.default_rng(11)
    n = 400
    p = rng.integers(0, 3000, n).astype(float)
    dep = rng.integers(1, 40, n).astype(float)  # many ties
    y = rng.gamma(3.0, 2.0, n) + 0.05 * dep
    need = rng.uniform(0.5, 2.0, n)
    assert aa.concentration_index(y, p, dep) == pytest.approx(numpy_concentration_index(y, p, dep), rel=1e-10)
    # Gini: the pairwise mean absolute difference ΣΣ w_i w_j |y_i − y_j| / 2μ
    w = p / p.sum()
    mu = (w * y).sum()
    pairwise = (w[:, None] * w[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (2 * mu)
    assert aa.gini(y, p) == pytest.approx(pairwise, rel=1e-10)
    # slope index: numpy weighted least squares of y on 1 − R
    keep = p > 0
    rank = aa.fractional_rank(p, dep)
    X = np.column_stack([np.ones(keep.sum()), 1 - rank[keep]])
    sw = np.sqrt(w[keep])
    beta = np.linalg.lstsq(X * sw[:, None], y[keep] * sw, rcond=None)[0]
    assert aa.slope_index(y, p, dep) == pytest.approx(beta[1], rel=1e-10)
    # weighted correlation: numpy's weighted covariance
    cov = np.cov(need[keep], y[keep], aweights=p[keep])
    assert aa.weighted_correlation(need, y, p) == pytest.approx(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]), rel=1e-10)
    # Lorenz points: cumulative sums in numpy
    order = np.argsort(y[keep], kind="stable")
    lz = aa.lorenz_curve(y, p)
    assert lz["outcome_share"].to_numpy()[1:] == pytest.approx(np.cumsum((p * y)[keep][order]) / (p * y).sum(), rel=1e-12)
    assert lz["population_share"].iloc[-1] == pytest.approx(1.0)


def test_diagnostics_against_published_engines(shared_dir):
    ref = shared_dir / "reference" / "inequality"
    tables = pd.concat([pd.read_csv(ref / "hq_tests_input.csv"), pd.read_csv(ref / "hq_samples_input.csv")])
    expected = pd.read_csv(ref / "generated_engines_expected.csv", keep_default_na=False)
    for case in ["hq_test_ordered5", "hq_sample_ordered_sba", "hq_sample_ordered_u5mr"]:
        t = tables[tables.case_id == case]
        want = expected[(expected.case_id == case) & (expected.engine == "healthequal-1.0.1") &
                        (expected.measure == "RCI") & (expected.options == "")]["estimate"].astype(float)
        assert len(want) == 1
        got = aa.concentration_index(t.estimate, t.population, -t.subgroup_order)
        assert got == pytest.approx(want.iloc[0], rel=1e-9)
    pysal = pd.read_csv(ref / "pysal_expected.csv")
    mexico = pd.read_csv(ref / "pysal_mexico_input.csv")
    g = pysal[(pysal.measure == "Gini") & (pysal.variable == "pcgdp1940")].iloc[0]
    assert aa.gini(mexico.pcgdp1940) == pytest.approx(g.estimate, abs=g.abs_tolerance)
    sii = pd.read_csv(ref / "phe_sii_testdata.csv").iloc[:10]
    assert aa.slope_index(sii.Value, sii.Population, -sii.Quantile) == pytest.approx(-sii.sii.iloc[0], rel=1e-9)


def test_monotonicity_violations_name_units():
    v = aa.monotonicity_violations([3, 2, 1], [10.0, 10.5, 10.49], [100, 100, 100], rounding_unit=1.0,
                                   ids=["x", "y", "z"])
    assert v.to_dict("records") == [{"higher_need": "x", "lower_need": "y", "per_head_shortfall": pytest.approx(0.5)}]


def test_diagnostic_errors_are_typed():
    with pytest.raises(fairer.AllocationError) as e:
        aa.concentration_index([1, 2, 3], [1, -1, 1], [1, 2, 3])
    assert e.value.code == "E3"
    with pytest.raises(fairer.AllocationError) as e:
        aa.gini([1, 2], [1, 2, 3])
    assert e.value.code == "E1"
    assert math.isnan(aa.concentration_index([1, np.nan, 3], [1, 1, 1], [1, 2, 3]))


# --- scenarios -----------------------------------------------------------------------------------

def test_scenarios_on_example1_closed_forms():
    out = aa.compare_scenarios(EX1, 1_000_000, {"steeper": {"universal_share": 0.2}, "same": {}},
                               need=al.direct_need("need"), universal_share=0.5)
    s = out["summary"].set_index("scenario")
    assert s.loc["steeper", ["gainers", "losers", "unchanged"]].tolist() == [2, 1, 1]
    assert s.loc["steeper", "total_gain"] == pytest.approx(60_000)
    # CI(spend) = (1 − α)·CI(need) with CI(need) = −0.27 (spec §9)
    assert s.loc["steeper", "change_concentration_index"] == pytest.approx((0.8 - 0.5) * -0.27, rel=1e-12)
    assert s.loc["steeper", "change_horizontal_inequity"] == pytest.approx((0.2 - 0.5) * 0.27, rel=1e-12)
    t = out["scenarios"]["steeper"]["table"]
    assert t["change_per_head"].tolist() == pytest.approx([3.0, 1.5, 0.0, -1.5])
    assert t["change_percent"].tolist() == pytest.approx([20.0, 12.0, 0.0, -20.0])
    assert s.loc["same", ["gainers", "losers"]].tolist() == [0, 0]


# --- Cheshire and Merseyside ----------------------------------------------------------------------

def test_cheshire_and_merseyside_allocation_by_place():
    data = fairer.load_default()
    r, units = aa.cheshire_and_merseyside_allocation(10_000_000, universal_share=0.4, data=data)
    assert r.table["allocation_pence"].sum() == 1_000_000_000
    places = {a.code: a for a in data.areas.places()}
    assert len(units) == 9
    assert units["population"].tolist() == [places[c].population for c in units["id"]]
    # a single direct component: per head ∝ α + (1 − α)·IMD/mean_P(IMD) (§5.2), rounded to £1
    imd = units["deprivation"].to_numpy()
    pop = units["population"].to_numpy()
    per_head = 10_000_000 / pop.sum() * (0.4 + 0.6 * imd / ((pop * imd).sum() / pop.sum()))
    assert r.table["per_head"].to_numpy() == pytest.approx(per_head, abs=1.0 / pop.min())
    d = aa.equity_diagnostics(r, deprivation=units["deprivation"])
    assert d["horizontal_inequity"] == pytest.approx(-0.4 * d["need_concentration_index"], rel=1e-5)
    assert d["concentration_index"] < 0


def test_cheshire_and_merseyside_with_beacon_indicators():
    r, units = aa.cheshire_and_merseyside_allocation(5_000_000, indicators=["B10", "B18"], indicator_weight=0.3)
    assert r.table["allocation_pence"].sum() == 500_000_000
    info = units.attrs["indicators"]
    assert info["B10"]["direction"] == 1 and info["B18"]["direction"] == -1
    assert units[["B10", "B18"]].notna().all().all()
    obs = fairer.io.to_pandas(fairer.load_default().observations)
    b10 = obs[(obs.indicator_id == "B10") & (obs.period.astype(str) == info["B10"]["period"]) &
              (obs.sex.astype(str) == "Persons")]
    liverpool = b10[b10.area_code.astype(str) == "E08000012"]["value"]
    assert units.set_index("id").loc["E08000012", "B10"] == pytest.approx(liverpool.mean())
    with pytest.raises(fairer.AllocationError):
        aa.cheshire_and_merseyside_allocation(5_000_000, indicators=["B99"])
