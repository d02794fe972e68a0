"""Workload for directly standardised rates (dsr_10k): 10,000 areas x 19 age bands with the
built-in European Standard Population 2013, from the spec's generator (population per band
~ U(200, 20000); observed ~ Poisson(population x a band rate rising from 2e-4 to 0.15 across the
19 bands, geometrically), seeded), timed as the Python API call grouped by area that builds the
package-shaped output table.
PHEindicatormethods 2.1.0 on this machine class: dsr_10k 4.47 s
(calculate_dsr(group_by(d, area), obs, pop, stdpop = esp2013))."""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from fairer.methods import _standardisation

AREAS = 10_000
BANDS = 19


def dsr_data(areas: int = AREAS, seed: int = 20240602) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    band_rate = 2e-4 * (0.15 / 2e-4) ** (np.arange(BANDS) / (BANDS - 1))
    pop = np.round(rng.uniform(200, 20000, (areas, BANDS)))
    obs = rng.poisson(pop * band_rate).astype(np.float64)
    codes = np.array([f"E{a:08d}" for a in range(areas)])
    return pd.DataFrame({
        "area": np.repeat(codes, BANDS),
        "ageband": np.tile(np.array(_standardisation.esp2013().bands), areas),
        "obs": obs.ravel(),
        "pop": pop.ravel(),
    })


def workloads():
    data = dsr_data()
    return [("dsr_10k", lambda: _standardisation.dsr(data, "obs", "pop", group_by="area"))]


if __name__ == "__main__":
    from _measure import measure

    wanted = set(sys.argv[1:])
    for name, fn in workloads():
        if not wanted or name in wanted:
            measure(name, fn)
