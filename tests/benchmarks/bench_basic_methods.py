"""Workloads for the crude indicator methods (proportion_1m, rate_1m): 1,000,000 ungrouped rows
from the spec's generator (n = round(10^U(0, 6)), x ~ Binomial(n, U(0.01, 0.9)), seeded), timed
as the Python API call that builds the package-shaped output table.
PHEindicatormethods 2.1.0 on this machine class: proportion_1m 0.27 s, rate_1m 1.75 s."""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from fairer.methods import _basic

ROWS = 1_000_000


def counts(rows: int = ROWS, seed: int = 20240601) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = np.round(10.0 ** rng.uniform(0.0, 6.0, rows))
    x = rng.binomial(n.astype(np.int64), rng.uniform(0.01, 0.9, rows)).astype(np.float64)
    return pd.DataFrame({"x": x, "n": n})


def workloads():
    data = counts()
    return [
        ("proportion_1m", lambda: _basic.proportion(data, "x", "n")),
        ("rate_1m", lambda: _basic.rate(data, "x", "n")),
    ]


if __name__ == "__main__":
    from _measure import measure

    wanted = set(sys.argv[1:])
    for name, fn in workloads():
        if not wanted or name in wanted:
            measure(name, fn)
