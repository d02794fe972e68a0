"""Benchmark workloads of issue 4 (summary measures of health inequality). Prints one line per
workload, ``<workload> <seconds> <peak_MiB>``:

* ``heat_10k``: every applicable HEAT measure for 10,000 subgroup tables of 10 subgroups (5,000
  ordered deciles, 5,000 non-ordered tables of 10 regions, one of them the reference), no
  simulation; goal < 0.2 s.
* ``heat_10k_sim100``: the same with 100 simulation draws for the simulated measures; goal < 2 s.

Other engineers append their workloads to ``workloads()``. Run: ``python tests/benchmarks/bench_inequality.py``.
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


def workloads():
    from fairer.inequality import summary_measures

    d = heat_tables()

    def heat_10k():
        return summary_measures(d, by=["indicator", "area"])

    def heat_10k_sim100():
        return summary_measures(d, by=["indicator", "area"], simulate=True, draws=100)

    return [("heat_10k", heat_10k), ("heat_10k_sim100", heat_10k_sim100)]


if __name__ == "__main__":
    from _measure import measure

    for name, fn in workloads():
        measure(name, fn)
