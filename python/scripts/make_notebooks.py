"""Writes notebooks/02_inequality.ipynb, 03_allocation.ipynb and 04_monitoring.ipynb from the cells
below and executes them in place (outputs saved), so that the notebooks and this script never
drift apart. Run from the repository root with fairer importable:
``python python/scripts/make_notebooks.py``."""
from __future__ import annotations

import pathlib

import nbclient
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = pathlib.Path(__file__).resolve().parents[2]

INEQUALITY = [
    new_markdown_cell("""# Measuring the gap: summary measures of health inequality

How unequal is healthy life expectancy across Cheshire and Merseyside's nine places, and how
steep is the social gradient? This notebook builds a *subgroup table* (one row per place) from
the embedded Beacon data, orders the places by deprivation, and computes WHO HEAT's summary
measures with `fairer.summary_measures`; then it looks at the spread of deprivation across the
sub-region's LSOAs with `fairer.distribution`."""),
    new_code_cell("""import numpy as np
import pandas as pd
import fairer

data = fairer.load_default()
# keys as plain text (to_pandas gives categoricals, which map every category, used or not)
obs = fairer.io.to_pandas(data.observations).astype({"indicator_id": str, "area_code": str, "period": str, "sex": str})
places = {a.code: a for a in data.areas.places()}
imd = {d.place_code: d.mean_imd_score for d in fairer.summarise_deprivation(data.iod2019)}"""),
    new_markdown_cell("""## The subgroup table
B02, healthy life expectancy at birth, in the latest period, for each place and sex. Places are
ordered by their population-weighted IMD 2019 score (order 1 = most deprived); the standard
error comes from the published 95% limits; populations are the places' mid-year estimates."""),
    new_code_cell("""hle = obs[(obs.indicator_id == "B02") & obs.area_code.isin(places)].copy()
latest = hle.period.max()
hle = hle[hle.period == latest]
rank = pd.Series(imd).rank(ascending=False).astype(int)      # 1 = highest IMD score
table = pd.DataFrame({
    "sex": hle.sex,
    "subgroup": hle.area_code.map(lambda c: places[c].name),
    "subgroup_order": hle.area_code.map(rank),
    "population": hle.area_code.map(lambda c: places[c].population),
    "estimate": hle.value,
    "se": (hle.upper_ci95 - hle.lower_ci95) / (2 * 1.959963984540054),
    "favourable_indicator": 1,
    "ordered_dimension": 1,
    "indicator_scale": 1,
}).sort_values(["sex", "subgroup_order"])
print("period", latest)
table"""),
    new_markdown_cell("""## Summary measures
Every measure HEAT applies to an ordered dimension with nine subgroups: difference (D) and ratio
(R) between the most and least deprived place, the absolute and relative concentration indices
(ACI, RCI), the slope and relative indices of inequality (SII, RII) and the population
attributable fraction and risk (PAF, PAR). `mode="corrected"` (the default) fixes the scale
errors of the reference engines that the spec lists; `mode="heat6"` reproduces HEAT 6.0 exactly.

HEAT's default slope index fits a logistic model, which treats the estimate as a share of
people (at most 1 on scale 1, 100 on a percent scale). Years of healthy life are not a share,
so fairer returns the SII and RII missing *with the reason* rather than a number from a model
that does not fit:"""),
    new_code_cell("""measures = fairer.summary_measures(table, by="sex")
pd.set_option("display.max_colwidth", 120)
measures[measures.sex == "Female"].round(3)"""),
    new_markdown_cell("""## Two slope indices that fit years
For an unbounded outcome, choose the slope explicitly: WHO's linear model (`"who_linear"`,
healthequal's `linear = TRUE`) or PHE/Fingertips' weighted regression on the midpoint of each
subgroup's cumulative population rank (`"phe"`). Both say the same thing here: the least deprived
end of the sub-region can expect 11 to 13 more years of healthy life than the most deprived."""),
    new_code_cell("""both = pd.concat([
    fairer.summary_measures(table, by="sex", measures=["SII", "RII"], slope=s).assign(slope=s)
    for s in ("who_linear", "phe")])
both.pivot_table(index=["sex", "measure"], columns="slope", values=["estimate", "lower", "upper"]).round(2)"""),
    new_markdown_cell("""## Deprivation across the sub-region's LSOAs
`fairer.distribution` works on unit-level rows: here every LSOA of Cheshire and Merseyside with
its IMD 2019 score, weighted by population. The Gini coefficient and Lorenz curve describe how
unevenly deprivation is spread; Theil's T splits it into inequality *between* the nine places
and *within* them."""),
    new_code_cell("""iod = data.iod2019
lsoa = pd.DataFrame({"score": iod.imd_scores, "population": iod.populations,
                     "place": [places[c].name for c in iod.place_codes]}).dropna()
from fairer import distribution
print("LSOAs:", len(lsoa))
print("Gini of IMD score:", round(distribution.gini("score", "population", data=lsoa), 4))
theil = distribution.theil_decomposition("score", "place", "population", data=lsoa)
print(f"Theil T {theil.total:.4f} = between places {theil.between:.4f} + within places {theil.within:.4f}")"""),
    new_code_cell("""import matplotlib.pyplot as plt

curve = distribution.lorenz_curve("score", "population", data=lsoa)
fig, ax = plt.subplots(figsize=(4, 4))
ax.plot(curve.population_share, curve.outcome_share, label="IMD score")
ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="equal")
ax.set_xlabel("cumulative share of population")
ax.set_ylabel("cumulative share of IMD score")
ax.legend()
plt.show()"""),
]

ALLOCATION = [
    new_markdown_cell("""# Proportionate universalism: a weighted funding formula

*All Together Fairer* asks for resources to be allocated universally but with scale and
intensity proportionate to need. `fairer.allocation` is the engine: need indices, a blend of a
universal share with need-weighted shares, pace of change from a baseline with floors and
caps, and rounding to the penny so that the allocations sum to the budget exactly.
`fairer.allocation_analysis` adds equity diagnostics, Monte Carlo sensitivity and scenarios.
The formulas are in the docstrings; the specification is `specs/allocation.md`."""),
    new_code_cell("""import pandas as pd
import fairer
from fairer import allocation_analysis as aa

data = fairer.load_default()"""),
    new_markdown_cell("""## £10 million among the nine places
Half the budget is shared per head (the universal share, α = 0.5); the other half follows need,
measured here by each place's population-weighted IMD 2019 score. Amounts are rounded to whole
pounds (`rounding_unit=100` pence)."""),
    new_code_cell("""result, units = aa.cheshire_and_merseyside_allocation(10_000_000, universal_share=0.5)
names = dict(zip(units["id"], units["name"]))
result.table.assign(place=result.table["id"].map(names))[
    ["place", "population", "need", "allocation", "per_head", "index"]].round(3)"""),
    new_code_cell("""print("budget (pence):", result.summary["budget_pence"], " allocated (pence):", result.summary["total_pence"])
print("highest / lowest per head:", round(result.summary["max_min_per_head_ratio"], 3))"""),
    new_markdown_cell("""## Adding Beacon indicators to the need measure
A second component combines Beacon indicators (here B10 unemployment and B16 fuel poverty) as a
population-weighted z-score composite, mapped to a need index whose highest place gets twice the
per-head weight of the lowest."""),
    new_code_cell("""result2, units2 = aa.cheshire_and_merseyside_allocation(10_000_000, universal_share=0.5,
                                                        indicators=["B10", "B16"])
print(units2.attrs.get("indicators"))
pd.DataFrame({"place": result.table["id"].map(names),
              "deprivation only": result.table["allocation"],
              "with B10 and B16": result2.table["allocation"]}).assign(
    change=lambda d: d["with B10 and B16"] - d["deprivation only"])"""),
    new_markdown_cell("""## Equity diagnostics
Is the money where deprivation is? The concentration index of spend per head against
deprivation is negative when spend favours the more deprived; the horizontal-inequity index
compares it with the concentration of need (the inverse-care-law check)."""),
    new_code_cell("""diag = aa.equity_diagnostics(result, deprivation=units["deprivation"].to_numpy())
{k: v for k, v in diag.items() if not isinstance(v, pd.DataFrame)}"""),
    new_markdown_cell("""## How sensitive is it?
Monte Carlo over the need index (log-normal noise, σ = ln 1.5) with the portable generator of
the spec, so C++ and Python give identical draws for one seed: the spread of each place's
allocation and how likely its rank is to change."""),
    new_code_cell("""import numpy as np
from fairer.allocation import component, direct_need

formula = dict(components=[component("deprivation", direct_need("imd_score"), 1.0)], universal_share=0.5)
mc = aa.allocation_monte_carlo(units, 10_000_000, seed=20240601, draws=2000, need_sigma=np.log(1.5), **formula)
mc.assign(place=mc["id"].map(names)) if "id" in mc else mc"""),
    new_markdown_cell("""## What if?
Named scenarios against the base run: a steeper formula (a smaller universal share) and a flat
per-head split. Gainers and losers, and how the equity diagnostics move."""),
    new_code_cell("""what_if = aa.compare_scenarios(units, 10_000_000, {"steeper (α = 0.2)": {"universal_share": 0.2},
                                                   "flat per head (α = 1)": {"universal_share": 1.0}},
                               **formula)
what_if["summary"]"""),
]

MONITORING = [
    new_markdown_cell("""# Monitoring the Beacon indicators

For each Beacon indicator and place: how does it compare with England (Fingertips' comparator
methods and labels), is it improving (Fingertips' recent-trend test), how far has it moved since
the 2022 baseline, and has the gap to England narrowed? `fairer report` prints all of this per
theme; here are the pieces."""),
    new_code_cell("""import pandas as pd
import fairer
from fairer import monitoring

data = fairer.load_default()
names = {a.code: a.name for a in data.areas}"""),
    new_markdown_cell("""## Compared with England
B02, healthy life expectancy, latest period: each place's 95% interval against England's
(method "single overlap 95", polarity from the framework)."""),
    new_code_cell("""cmp = monitoring.compare(data)
b02 = cmp[(cmp.indicator_id == "B02")]
latest = b02.period.astype(str).max()
(b02[b02.period.astype(str) == latest]
   .assign(area=lambda d: d.area_code.map(names))
   [["area", "sex", "period", "value", "lower_ci95", "upper_ci95", "benchmark_value", "label"]])"""),
    new_markdown_cell("""## Every place against every other
An n × n comparison of the nine places (double overlap of 95% intervals)."""),
    new_code_cell("""pairs = monitoring.compare_places(data[0] if isinstance(data, tuple) else data)
p = pairs[(pairs.indicator_id == "B02") & (pairs.sex == "Female") & (pairs.period.astype(str) == latest)]
p.assign(area=p.area_code.map(names), other=p.benchmark_code.map(names)).pivot(
    index="area", columns="other", values="label")"""),
    new_markdown_cell("""## Change since the 2022 baseline and the gap to England"""),
    new_code_cell("""change = monitoring.baseline_change(data)
change[change.assessment != "not assessed"].assign(area=lambda d: d.area_code.map(names))[
    ["indicator_id", "area", "sex", "baseline_period", "latest_period", "change", "change_lower", "change_upper",
     "assessment"]].head(12)"""),
    new_code_cell("""gaps = monitoring.gap_to_england(data)
gaps[gaps.movement != "not assessed"].assign(area=lambda d: d.area_code.map(names))[
    ["indicator_id", "area", "sex", "gap_baseline", "gap_now", "gap_change", "movement"]].head(12)"""),
    new_markdown_cell("""## In plain English
Sentences follow the tests: they never claim a significant difference or change that the test
did not find."""),
    new_code_cell("""latest_b02 = cmp[(cmp.indicator_id == "B02") & (cmp.period.astype(str) == latest) & (cmp.sex == "Female")]
for s in monitoring.sentences(latest_b02, gaps, areas=data.areas):
    print(s)"""),
]


def write(name: str, cells: list) -> None:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()
    nbformat.write(nb, ROOT / "notebooks" / name)
    print("wrote", name)


if __name__ == "__main__":
    write("02_inequality.ipynb", INEQUALITY)
    write("03_allocation.ipynb", ALLOCATION)
    write("04_monitoring.ipynb", MONITORING)
