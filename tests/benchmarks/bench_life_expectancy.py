"""Life expectancy benchmark: ``life_expectancy_1k``, 1,000 areas x 20 age bands (0, 1-4, ..., 90+),
the spec's generator (realistic band populations scaled by U(0.3, 2) per area, deaths ~
Poisson(population x an England-like mortality schedule)), computed grouped by area from Python.
PHEindicatormethods 2.1.0 took 164.7 s (phe_life_expectancy(group_by(d, area), ...)).
Run through bench_indicator_methods.py, or alone: ``python bench_life_expectancy.py``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from fairer.methods._life_expectancy import STANDARD_AGE_BANDS, life_expectancy

# A local authority's population by band (about 400,000 people) and death rates per person-year
# shaped like England's (infant mortality, a minimum in childhood, then rising about 9% a year).
BAND_POPULATION = np.array([4400, 18500, 24000, 23500, 22500, 26000, 28000, 27500, 26500, 25000, 26500, 28500,
                            28000, 24500, 21500, 20500, 15000, 10500, 6300, 3600], dtype=float)
DEATH_RATE = np.array([0.0039, 0.00011, 0.00007, 0.00009, 0.00025, 0.0004, 0.0005, 0.0007, 0.001, 0.0015, 0.0022,
                       0.0033, 0.005, 0.0078, 0.012, 0.019, 0.032, 0.058, 0.105, 0.22])


def make_input(areas: int = 1000, seed: int = 20240103) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.3, 2.0, size=areas)
    pops = np.round(np.outer(scale, BAND_POPULATION)).ravel()
    deaths = rng.poisson(pops * np.tile(DEATH_RATE, areas)).astype(float)
    return pd.DataFrame({
        "area": np.repeat([f"E{i:08d}" for i in range(areas)], len(STANDARD_AGE_BANDS)),
        "startage": np.tile(STANDARD_AGE_BANDS, areas),
        "pops": pops,
        "deaths": deaths,
    })


def workloads():
    d = make_input()
    return [("life_expectancy_1k", lambda: life_expectancy(d, "deaths", "pops", "startage", group_by="area"))]


if __name__ == "__main__":
    from _measure import measure

    for name, fn in workloads():
        measure(name, fn)
