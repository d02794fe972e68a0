"""SII benchmark workload (specs/indicator-methods.md, "Benchmark workloads"): ``sii_300``, 300
areas x 10 deciles, 100,000 repetitions, value + se, normal type. PHEindicatormethods 2.1.0 took
93.7 s; the goal is 1.9 s. Run through bench_indicator_methods.py, or alone:
``python tests/benchmarks/bench_sii.py``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def sii_300_input(seed: int = 300) -> pd.DataFrame:
    """Population per decile ~ U(5000, 30000); value = a gradient from 75 to 84 across the deciles
    plus N(0, 0.8); se ~ U(0.3, 1.5)."""
    rng = np.random.default_rng(seed)
    areas, deciles = 300, 10
    return pd.DataFrame({
        "area": np.repeat([f"A{i:03d}" for i in range(areas)], deciles),
        "decile": np.tile(np.arange(1, deciles + 1), areas),
        "population": rng.uniform(5000, 30000, areas * deciles),
        "value": np.tile(np.linspace(75, 84, deciles), areas) + rng.normal(0, 0.8, areas * deciles),
        "se": rng.uniform(0.3, 1.5, areas * deciles),
    })


def workloads():
    from fairer.methods._sii import sii

    d = sii_300_input()

    def run():
        return sii(d, "decile", "population", value="value", se="se", group_by="area", repetitions=100_000, seed=1)

    return [("sii_300", run)]


if __name__ == "__main__":
    from _measure import measure

    for name, fn in workloads():
        measure(name, fn)
