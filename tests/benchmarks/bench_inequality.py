"""Benchmark workloads of issue 4 (summary measures of health inequality). Prints one line per
workload, ``<workload> <seconds> <peak_MiB>``:

* ``heat_10k``: every applicable HEAT measure for 10,000 subgroup tables of 10 subgroups (5,000
  ordered deciles, 5,000 non-ordered tables of 10 regions, one of them the reference), no
  simulation; goal < 0.2 s.
* ``heat_10k_sim100``: the same with 100 simulation draws for the simulated measures; goal < 2 s.
* ``unit_level_10m``: Gini, Theil T and L and the concentration index over 10,000,000 weighted
  unit-level rows fed in chunks of 1,000,000 through ``fairer.distribution.UnitLevelInequality``;
  goal < 1 s with peak memory that does not grow with the row count.
* ``unit_level_1m``: the same over 1,000,000 rows (one chunk), to compare the two peak_MiB figures.

Other engineers append their workloads to ``workloads()``. Run: ``python tests/benchmarks/bench_inequality.py``
(each workload in its own process; name workloads as arguments to run only those).
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def heat_tables(tables: int = 10_000, subgroups: int = 10, seed: int = 10_000) -> pd.DataFrame:
    """Seeded subgroup tables: populations ~ U(1000, 20000); a percentage estimate rising from 55 to 85
    across the orders plus N(0, 3); se ~ U(0.5, 2.5). Half the tables ordered, half non-ordered with
    the first subgroup as reference; alternate tables favourable / adverse."""
    rng = np.random.default_rng(seed)
    n = tables * subgroups
    table = np.repeat(np.arange(tables), subgroups)
    ordered = (table % 2 == 0).astype(np.int64)
    position = np.tile(np.arange(1, subgroups + 1), tables)
    return pd.DataFrame({
        "indicator": np.where(table % 4 < 2, "B03", "B07"),
        "area": table,
        "subgroup": np.tile(np.array([f"S{k}" for k in range(1, subgroups + 1)], dtype=object), tables),
        "subgroup_order": np.where(ordered == 1, position, np.nan),
        "population": rng.uniform(1000, 20000, n),
        "estimate": np.clip(np.tile(np.linspace(55, 85, subgroups), tables) + rng.normal(0, 3, n), 0, 100),
        "se": rng.uniform(0.5, 2.5, n),
        "favourable_indicator": (table % 3 != 0).astype(np.int64),
        "ordered_dimension": ordered,
        "reference_subgroup": ((ordered == 0) & (position == 1)).astype(np.int64),
        "indicator_scale": 100.0,
        "setting_average": np.nan,
    })


def unit_level_chunks(chunks: int = 2, rows: int = 1_000_000, seed: int = 20_000) -> list[dict]:
    """Seeded unit-level chunks (float64 columns, read in place by the core): rank = an LSOA's IMD rank
    1..32,844 (England's LSOA 2011 count), outcome = an age-like value recorded to 0.1 years with a
    gradient across the rank (gamma noise, so Gini bins stay bounded by the resolution), weights ~
    U(0.5, 2) recorded to 0.001. The benchmark feeds this pool of chunks repeatedly (chunk k is pool
    entry k mod len(pool)), so its own input memory is fixed before timing starts."""
    rng = np.random.default_rng(seed)
    pool = []
    for _ in range(chunks):
        rank = rng.integers(1, 32_845, rows).astype(np.float64)
        outcome = np.round(55.0 + 20.0 * rank / 32_844 + rng.gamma(2.0, 2.5, rows), 1)
        weights = np.round(rng.uniform(0.5, 2.0, rows), 3)
        pool.append({"outcome": outcome, "weights": weights, "rank": rank})
    return pool


def unit_level_workload(pool: list[dict], chunks: int):
    """Feeds ``chunks`` chunks from ``pool`` and computes Gini, Theil T/L and the concentration index."""
    from fairer.distribution import UnitLevelInequality

    def run():
        acc = UnitLevelInequality()
        for k in range(chunks):
            acc.add(**pool[k % len(pool)])
        r = acc.result()
        return r.gini, r.theil_t, r.theil_l, r.concentration.estimate

    return run


def workloads():
    from fairer.inequality import summary_measures

    d = heat_tables()
    pool = unit_level_chunks()

    def heat_10k():
        return summary_measures(d, by=["indicator", "area"])

    def heat_10k_sim100():
        return summary_measures(d, by=["indicator", "area"], simulate=True, draws=100)

    return [("heat_10k", heat_10k), ("heat_10k_sim100", heat_10k_sim100),
            ("unit_level_1m", unit_level_workload(pool, 1)), ("unit_level_10m", unit_level_workload(pool, 10))]


if __name__ == "__main__":
    import subprocess
    import sys

    from _measure import measure

    if len(sys.argv) > 1:
        for name, fn in workloads():
            if name in sys.argv[1:]:
                measure(name, fn)
    else:
        # One fresh process per workload: peak_MiB is the growth of the resident set, and memory
        # freed by an earlier workload but kept by the allocator would hide the growth of a later one
        # (so unit_level_1m and unit_level_10m are comparable).
        for name, _ in workloads():
            subprocess.run([sys.executable, __file__, name], check=True)
