"""Allocation-engine benchmark, one line per workload: ``<workload> <seconds> <peak_MiB>``.

Workloads (inputs are built before timing):

* ``allocate_lsoa``: one allocation over England's 33,755 LSOAs (IoD 2025) by the compiled engine:
  a composite need index (income, employment and health deprivation scores, weights 0.4/0.4/0.2,
  exponential map calibrated to a max/min need ratio of 3), a 30 % universal share, damped pace
  of change (θ = 0.5) from a baseline with a no-cash-loss floor, a 15 % maximum distance below
  target and a 1 % growth cap for units more than 10 % over target, the breakpoint bounded fit
  and largest-remainder rounding to whole pounds.
  Timed: ``_core.allocate`` on a units table built beforehand (numpy columns viewed without a
  copy; the ids converted and checked unique once, when the table is built, as a table reused
  across runs would be), i.e. column and parameter validation, need, blend, pace, bounds, the
  bounded fit, rounding and the result with its full audit trail (C++ vectors, no pandas).
  The engine shares the passes of one allocation with one helper thread (``threads=0``, the
  default; results are identical bit for bit on one thread).
* ``allocate_lsoa_one_thread``: the same with ``threads=1``, everything on the calling thread, for
  comparison with the single-threaded numpy code.
* ``allocate_lsoa_numpy``: the same computation by a straightforward vectorised numpy
  implementation written here (the results are checked equal to the engine's before timing).
  Its inputs are likewise prepared beforehand (float arrays and the ids' sort ranks for the
  tie-break); it validates nothing and keeps only the rounded result.
* ``allocate_lsoa_dataframe``: the public pandas API (``fairer.allocation.allocate``) on a
  DataFrame, including building the units table and the result table.

LSOA 2021 populations are not published with IoD 2025; the benchmark derives them from ONS
mid-2020 LSOA 2011 estimates through the ONS best-fit lookup (a split LSOA's population shared
equally among its successors), which gives realistic sizes for timing.

Usage: ``PYTHONPATH=<site> python tests/benchmarks/bench_allocation.py [--shared DIR] [workload ...]``.
Other modules may append to :func:`workloads` (it returns a plain list).
"""
from __future__ import annotations

import argparse
import os
import pathlib
import sys

import numpy as np
import pandas as pd

from _measure import measure

import fairer
from fairer import _core
from fairer import allocation as al

DEFAULT_SHARED = pathlib.Path(os.environ.get("FAIRER_SHARED_DIR", pathlib.Path(__file__).resolve().parents[3] / "shared"))
BUDGET_POUNDS = 1_500_000_000
ALPHA = 0.3
NEED_RATIO = 3.0
INDICATORS = ["income_score", "employment_score", "health_score"]
WEIGHTS = np.array([0.4, 0.4, 0.2])
THETA, MIN_GROWTH, MAX_BELOW, OVER_TAU, OVER_GROWTH = 0.5, 0.0, 0.15, 0.10, 0.01
UNIT = 100  # whole pounds


def lsoa_table(shared: pathlib.Path) -> pd.DataFrame:
    """England's LSOAs (2021) with IoD 2025 scores, a derived population and a baseline (£)."""
    iod = pd.read_csv(shared / "data" / "iod2025_lsoa21_england.csv")
    pop11 = pd.read_csv(shared / "data" / "ons_mye2020_lsoa11_single_year_age_persons_england.csv",
                        usecols=["lsoa11_code", "all_ages"])
    look = pd.read_csv(shared / "data" / "lookup_lsoa11_lsoa21_lad22.csv", usecols=["lsoa11_code", "lsoa21_code"])
    look = look.merge(pop11, on="lsoa11_code", how="inner")
    look["share"] = look["all_ages"] / look.groupby("lsoa11_code")["lsoa21_code"].transform("size")
    pop21 = look.groupby("lsoa21_code")["share"].sum()
    df = pd.DataFrame({"id": iod["lsoa21_code"], "population": iod["lsoa21_code"].map(pop21).to_numpy()})
    df["population"] = df["population"].fillna(df["population"].median())
    for c in INDICATORS:
        df[c] = iod[c].to_numpy(dtype=float)
    # last year's allocation: £25 a head with a mild deprivation gradient (decile 1 +18 %)
    df["baseline"] = np.round(df["population"] * 25.0 * (0.9 + 0.02 * (11 - iod["imd_decile"].to_numpy())), 2)
    return df


def engine_parameters() -> _core.AllocationParameters:
    need = al.composite_need(INDICATORS, [1, 1, 1], WEIGHTS.tolist(), ratio=NEED_RATIO)
    return al.allocation_parameters(components=need, universal_share=ALPHA, pace="damped", theta=THETA,
                                    min_growth=MIN_GROWTH, max_below_target=MAX_BELOW,
                                    over_target_threshold=OVER_TAU, over_target_growth=OVER_GROWTH,
                                    rounding_unit=UNIT)


def numpy_allocate(pop, x, baseline, budget, id_rank):
    """The benchmark's straightforward numpy implementation of the same pipeline (pence)."""
    ptot = pop.sum()
    m = (pop @ x) / ptot
    sd = np.sqrt((pop @ (x - m) ** 2) / ptot)
    s = ((x - m) / sd) @ WEIGHTS
    beta = np.log(NEED_RATIO) / (s.max() - s.min())
    e = np.exp(beta * s)
    need = e / ((pop @ e) / ptot)
    b = ALPHA * pop / ptot + (1 - ALPHA) * pop * need / (pop @ need)
    target = budget * b / b.sum()
    rebased = baseline * (budget / baseline.sum())
    dft0 = (rebased - target) / target
    a = (1 - THETA) * rebased + THETA * target
    lower = np.maximum.reduce([np.zeros_like(a), baseline * (1 + MIN_GROWTH), (1 - MAX_BELOW) * target])
    upper = np.where(dft0 > OVER_TAU, baseline * (1 + OVER_GROWTH), np.inf)
    lower = UNIT * np.ceil(lower / UNIT - 1e-9)
    upper = np.where(np.isinf(upper), np.inf, UNIT * np.floor(upper / UNIT + 1e-9))
    # breakpoint method: F(k) = sum clip(k a, L, U) is piecewise linear; sort the kinks, build F at
    # each kink from cumulative sums and solve on the first interval where F reaches the budget
    lo_at, up_at = lower / a, upper / a
    at = np.concatenate([lo_at, up_at])
    dc = np.concatenate([-lower, np.where(np.isinf(upper), 0.0, upper)])
    ds = np.concatenate([a, np.where(np.isinf(upper), 0.0, -a)])
    order = np.argsort(at, kind="stable")
    at, dc, ds = at[order], dc[order], ds[order]
    finite = np.isfinite(at)
    at, dc, ds = at[finite], dc[finite], ds[finite]
    c = lower.sum() + np.concatenate([[0.0], np.cumsum(dc)])
    sl = np.concatenate([[0.0], np.cumsum(ds)])
    f_at = c[:-1] + sl[:-1] * at
    k = np.searchsorted(f_at >= budget, True)
    kappa = (budget - c[k]) / sl[k]
    alloc = np.clip(kappa * a, lower, upper)
    # largest remainder to whole units, ties by larger quota then id
    q = alloc / UNIT
    q *= (budget / UNIT) / q.sum()
    near = np.round(q)
    q = np.where(np.abs(q - near) <= 1e-9 * np.maximum(1, np.abs(q)), near, q)
    whole = np.floor(q)
    rem = q - whole
    extra = int(round(budget / UNIT - whole.sum()))
    pick = np.lexsort((id_rank, -q, -np.round(rem * 1e12)))[:extra]
    whole[pick] += 1
    return (whole * UNIT).astype(np.int64)


def workloads(shared: pathlib.Path = DEFAULT_SHARED) -> list:
    """[(name, callable)] with inputs prepared outside the callables."""
    df = lsoa_table(shared)
    budget = BUDGET_POUNDS * 100
    units = al.allocation_units(df, indicators=INDICATORS)
    params = engine_parameters()
    one_thread = engine_parameters()
    one_thread.threads = 1
    pop = df["population"].to_numpy()
    x = df[INDICATORS].to_numpy()
    baseline = df["baseline"].to_numpy() * 100
    id_rank = np.argsort(np.argsort(df["id"].to_numpy().astype(str)))

    engine = np.asarray(_core.allocate(units, budget, params).rounded)
    if not np.array_equal(engine, np.asarray(_core.allocate(units, budget, one_thread).rounded)):
        print("# warning: the engine's result on one thread differs from its result on two", file=sys.stderr)
    numpy_result = numpy_allocate(pop, x, baseline, budget, id_rank)
    if not np.array_equal(engine, numpy_result):
        diff = np.abs(engine - numpy_result)
        print(f"# warning: numpy and engine differ in {np.count_nonzero(diff)} units (max {diff.max()} pence)",
              file=sys.stderr)
    need = al.composite_need(INDICATORS, [1, 1, 1], WEIGHTS.tolist(), ratio=NEED_RATIO)

    return [
        ("allocate_lsoa", lambda: _core.allocate(units, budget, params)),
        ("allocate_lsoa_one_thread", lambda: _core.allocate(units, budget, one_thread)),
        ("allocate_lsoa_numpy", lambda: numpy_allocate(pop, x, baseline, budget, id_rank)),
        ("allocate_lsoa_dataframe", lambda: al.allocate(
            df, BUDGET_POUNDS, need=need, universal_share=ALPHA, pace="damped", theta=THETA, min_growth=MIN_GROWTH,
            max_below_target=MAX_BELOW, over_target_threshold=OVER_TAU, over_target_growth=OVER_GROWTH,
            rounding_unit=UNIT)),
    ] + monte_carlo_workloads(df)


# --- Monte Carlo workloads (engineer alloc-diag; allocation spec §10) ------------------------------
#
# * ``monte_carlo_10k``: 10,000 draws of the component weights (σ = ln 1.5, seed 20240601) over the
#   33,755 LSOAs, three need components (income and employment deprivation scores as direct
#   indices, the health score through the exponential composite map, weights 0.4/0.3/0.3), a 30 %
#   universal share: per-unit P5/P50/P95 and mean allocations and rank-change probabilities, by
#   the compiled core on all cores (fairer.allocation_analysis.monte_carlo).
# * ``monte_carlo_10k_numpy``: the same outputs by the straightforward vectorised numpy code below
#   (checked equal to the core's before timing).

MC_DRAWS, MC_SEED, MC_SIGMA = 10_000, 20240601, float(np.log(1.5))
MC_WEIGHTS = np.array([0.4, 0.3, 0.3])
MC_QUANTILES = (0.05, 0.5, 0.95)
MONTE_CARLO_REPEAT = {"monte_carlo_10k": 3, "monte_carlo_10k_numpy": 1}
_GAMMA, _MIX1, _MIX2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def numpy_uniforms(seed: int, count: int) -> np.ndarray:
    """The spec's splitmix64 uniforms (§10.1), vectorised: output k mixes seed + (k+1)·γ."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + np.arange(1, count + 1, dtype=np.uint64) * _GAMMA
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def numpy_monte_carlo(pop, need, weights, alpha, budget, seed, draws, sigma, quantiles, block=1024):
    """Monte Carlo of the blend in plain numpy: weights per draw, allocations in blocks of units,
    np.partition for the nearest-rank percentiles, and per-draw sorts for the ranks by per head."""
    n, c = need.shape
    u = numpy_uniforms(seed, draws * c).reshape(draws, c)
    e = weights * np.exp(sigma * (2.0 * u - 1.0))
    w = e / e.sum(axis=1, keepdims=True)
    norm = pop @ need
    share = pop[:, None] * need / norm
    flat = alpha * pop / pop.sum()
    ks = [max(1, int(np.ceil(q * draws - 1e-9))) - 1 for q in quantiles]
    pct = np.empty((n, len(ks)))
    mean = np.empty(n)
    for s in range(0, n, block):
        a = budget * (flat[s:s + block] + (1.0 - alpha) * (w @ share[s:s + block].T))
        mean[s:s + block] = a.mean(axis=0)
        pct[s:s + block] = np.partition(a, ks, axis=0)[ks].T
    per_head = need / norm

    def ranks(key):  # competition ranks, 1 = most per head
        neg = -key
        return np.searchsorted(np.sort(neg), neg, side="left") + 1

    base_rank = ranks(alpha / pop.sum() + (1.0 - alpha) * (per_head @ weights))
    changed = np.zeros(n)
    for s in range(0, draws, 256):
        keys = alpha / pop.sum() + (1.0 - alpha) * (w[s:s + 256] @ per_head.T)
        for row in keys:
            changed += ranks(row) != base_rank
    return pct, mean, changed / draws


def monte_carlo_workloads(df: pd.DataFrame) -> list:
    """[(name, callable)] for the Monte Carlo workloads, inputs built from the LSOA table."""
    from fairer import allocation_analysis as aa

    units = df.copy()
    comps = [al.component("income", al.direct_need("income_score"), MC_WEIGHTS[0]),
             al.component("employment", al.direct_need("employment_score"), MC_WEIGHTS[1]),
             al.component("health", al.composite_need(["health_score"], [1], [1.0], ratio=NEED_RATIO),
                          MC_WEIGHTS[2])]
    base = al.allocate(units, BUDGET_POUNDS, components=comps, universal_share=ALPHA, baseline=None)
    need = np.column_stack([base.audit["need"][k] for k in ("income", "employment", "health")])
    pop = base.table["population"].to_numpy(np.float64)

    def engine():
        return aa.monte_carlo(pop, need, MC_WEIGHTS, budget=BUDGET_POUNDS, universal_share=ALPHA, seed=MC_SEED,
                              draws=MC_DRAWS, sigma=MC_SIGMA, quantiles=MC_QUANTILES)

    def numpy_version():
        return numpy_monte_carlo(pop, need, MC_WEIGHTS, ALPHA, float(BUDGET_POUNDS), MC_SEED, MC_DRAWS, MC_SIGMA,
                                 MC_QUANTILES)

    if os.environ.get("FAIRER_BENCH_CHECK", "1") == "1":
        got = engine()
        pct, mean, changed = numpy_version()
        same = (np.allclose(got[["p5", "p50", "p95"]].to_numpy(), pct, rtol=1e-9, atol=0)
                and np.allclose(got["mean"].to_numpy(), mean, rtol=1e-9)
                and np.allclose(got["rank_change_probability"].to_numpy(), changed, rtol=0, atol=1e-3))
        if not same:
            print("# warning: numpy and engine Monte Carlo differ", file=sys.stderr)
    return [("monte_carlo_10k", engine), ("monte_carlo_10k_numpy", numpy_version)]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(DEFAULT_SHARED))
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("workload", nargs="*")
    args = ap.parse_args(argv)
    for name, fn in workloads(pathlib.Path(args.shared)):
        if not args.workload or name in args.workload:
            measure(name, fn, repeat=min(args.repeat, MONTE_CARLO_REPEAT.get(name, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
