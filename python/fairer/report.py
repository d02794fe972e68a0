"""The Cheshire and Merseyside report: one static, self-contained HTML page.

The framework's themes with their indicators and status, a coverage matrix of which indicator
has data for which place and latest period, the places with their populations and deprivation,
and the monitoring section (:func:`fairer.monitoring.report_section_html`): per theme, every
place's comparison with England, recent trend and change since the 2022 baseline, in a table
and in plain English. Everything shown is computed here from the loaded
dataset, so the same page can be written for another framework's data folder.
"""
from __future__ import annotations

import html
import math
import pathlib
from typing import Iterable

import pandas as pd

from . import _core, monitoring
from .io import to_pandas

#: Columns of the coverage matrix after the places, in this order (when present in the areas).
COMPARATOR_TYPES = ("region", "England")


def _latest_first_key(period: str) -> tuple:
    p = _core.TimePeriod.parse(period)
    return (p.sortable, p.end)


def place_table(data) -> pd.DataFrame:
    """The places (local authorities) with population and deprivation, in area-file order.

    Columns: code, name, detail, groupings (the names of the sub-region and combined authority),
    population and population_period (from the area file); for IoD 2019 (LSOA 2011) the number
    of LSOAs, the population-weighted mean IMD score and the share of LSOAs in the most deprived
    national decile (the MHCLG File 10 "average score" and "proportion of LSOAs in most deprived
    10% nationally"); for IoD 2025 (LSOA 2021) the number of LSOAs and that share.
    The weighted mean is missing (NaN) when any LSOA population is missing, never a mean over
    the rest.
    """
    areas = data.areas
    dep19 = {p.place_code: p for p in _core.summarise_deprivation(data.iod2019)}
    dep25 = {p.place_code: p for p in _core.summarise_deprivation(data.iod2025)}
    rows = []
    for area in areas.places():
        groupings = [areas[c].name for c in area.parents
                     if areas[c].type in (_core.AreaType.sub_region, _core.AreaType.combined_authority)]
        d19, d25 = dep19.get(area.code), dep25.get(area.code)
        rows.append({
            "code": area.code,
            "name": area.name,
            "detail": area.detail,
            "groupings": "; ".join(groupings),
            "population": area.population,
            "population_period": area.population_period,
            "lsoas_2019": d19.lsoa_count if d19 else 0,
            "imd2019_mean_score": d19.mean_imd_score if d19 else math.nan,
            "imd2019_share_most_deprived_decile": d19.share_most_deprived_decile if d19 else math.nan,
            "lsoas_2025": d25.lsoa_count if d25 else 0,
            "imd2025_share_most_deprived_decile": d25.share_most_deprived_decile if d25 else math.nan,
        })
    return pd.DataFrame(rows)


def grouping_table(data) -> pd.DataFrame:
    """The groupings above the places (ICB, combined authority, sub-regions, region, England):
    code, name, type, population, population_period and the number of places they contain."""
    areas = data.areas
    place_codes = {a.code for a in areas.places()}
    rows = []
    for area in areas:
        if area.type in (_core.AreaType.local_authority, _core.AreaType.lsoa):
            continue
        contained = [a for a in areas.descendants(area.code) if a.code in place_codes]
        rows.append({"code": area.code, "name": area.name, "type": area.type.text,
                     "population": area.population, "population_period": area.population_period,
                     "places": len(contained)})
    return pd.DataFrame(rows)


def indicator_table(data) -> pd.DataFrame:
    """One row per indicator of the framework, in framework order, with its metadata and data
    availability: the number of observations in the dataset and the latest period held."""
    obs = to_pandas(data.observations)
    counts = obs.groupby("indicator_id").size()
    rows = []
    for ind in data.framework.indicators:
        periods = obs.loc[obs.indicator_id == ind.key, "period"].unique()
        latest = max(periods, key=_latest_first_key) if len(periods) else ""
        rows.append({
            "key": ind.key, "number": ind.number, "theme": ind.theme, "title": ind.title,
            "polarity": ind.polarity.text, "status": ind.status.text, "sexes": "; ".join(ind.sexes),
            "unit": ind.unit, "value_type": ind.value_type.text,
            "fingertips_id": ind.fingertips_id if ind.fingertips_id is not None else "",
            "observations": int(counts.get(ind.key, 0)), "latest_period": latest,
        })
    return pd.DataFrame(rows)


def coverage_table(data) -> pd.DataFrame:
    """The coverage matrix: rows are the framework's indicators (by key), columns the places
    (area-file order) then the region and England; a cell holds the latest period with at least
    one non-missing value for that indicator and area (any sex, age or category), or "" when
    there is none."""
    obs = to_pandas(data.observations)
    obs = obs[obs.value.notna()]
    columns = [a.code for a in data.areas.places()]
    columns += [a.code for t in COMPARATOR_TYPES for a in data.areas if a.type.text == t]
    latest: dict[tuple[str, str], str] = {}
    for (ind, area), periods in obs.groupby(["indicator_id", "area_code"])["period"]:
        latest[(ind, area)] = max(periods.unique(), key=_latest_first_key)
    keys = [ind.key for ind in data.framework.indicators]
    table = pd.DataFrame([[latest.get((k, c), "") for c in columns] for k in keys], index=keys, columns=columns)
    table.index.name = "indicator"
    return table


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:2rem;color:#1b1b1b;max-width:80rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #005eb8}
h3{font-size:1.05rem;margin-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.85rem}
th,td{border:1px solid #c8c8c8;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#eef3f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.none{background:#f6f6f6;color:#888}td.has{background:#e3f1e4}
.status-anchor{color:#7a4d00}.status-discontinued{color:#8a1c1c}
p.note{font-size:.85rem;color:#444}
"""


def _e(value) -> str:
    return html.escape(str(value))


def _num(value, digits: int = 0, percent: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if percent:
        return f"{value * 100:.1f}%"
    return f"{value:,.{digits}f}"


def _table(headers: Iterable[str], rows: Iterable[Iterable[tuple[str, str]]]) -> str:
    """rows: sequences of (css class, already-escaped cell html)."""
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in headers), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>" for c, v in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def render_html(data) -> str:
    """The report as one self-contained HTML document (no external files, scripts or fonts)."""
    fw = data.framework
    places = place_table(data)
    groups = grouping_table(data)
    indicators = indicator_table(data)
    coverage = coverage_table(data)
    area_names = {a.code: a.name for a in data.areas}
    title = f"{fw.name}: {fw.region}"

    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{_e(title)}</title>",
             f"<style>{_CSS}{monitoring.REPORT_CSS}</style></head><body>",
             f"<h1>{_e(title)}</h1>",
             f"<p class=\"note\">Framework <b>{_e(fw.key)}</b> version {_e(fw.version)}, baseline period "
             f"{_e(fw.baseline_period)}. Source: {_e(fw.source)}. Written by fairer {_e(_core.__version__)} "
             f"from the data in {_e(pathlib.Path(data.directory).name)}/ ({len(data.observations):,} observations).</p>"]

    # Places
    parts.append("<h2>Places</h2>")
    parts.append(_table(
        ["Place", "Code", "Type", "Groupings", "Population", "Period", "LSOAs (2011)",
         "IMD 2019 average score", "LSOAs in most deprived 10% (IoD 2019)", "LSOAs (2021)",
         "LSOAs in most deprived 10% (IoD 2025)"],
        ([("", _e(r.name)), ("", _e(r.code)), ("", _e(r.detail)), ("", _e(r.groupings)),
          ("num", _num(r.population)), ("", _e(r.population_period)), ("num", _num(r.lsoas_2019)),
          ("num", _num(r.imd2019_mean_score, 3)), ("num", _num(r.imd2019_share_most_deprived_decile, percent=True)),
          ("num", _num(r.lsoas_2025)), ("num", _num(r.imd2025_share_most_deprived_decile, percent=True))]
         for r in places.itertuples())))
    parts.append("<p class=\"note\">IMD average score: population-weighted mean of the LSOA scores (the MHCLG "
                 "File 10 method). Deprivation deciles are national: decile 1 is the most deprived 10% of LSOAs "
                 "in England.</p>")
    parts.append("<h3>Groupings</h3>")
    parts.append(_table(["Area", "Code", "Type", "Places", "Population", "Period"],
                        ([("", _e(r.name)), ("", _e(r.code)), ("", _e(r.type)), ("num", _num(r.places)),
                          ("num", _num(r.population)), ("", _e(r.population_period))]
                         for r in groups.itertuples())))

    # Themes and indicators
    parts.append("<h2>Themes and indicators</h2>")
    for theme in fw.themes:
        rows = indicators[indicators.theme == theme.key]
        # A theme that is not a Marmot principle is a headline outcome; say so unless its title does.
        label = "" if theme.marmot_principle or "headline" in theme.title else " (headline outcome)"
        parts.append(f"<h3>{_e(theme.key)}: {_e(theme.title)}{_e(label)}</h3>")
        parts.append(f"<p class=\"note\">Life course: {_e(theme.life_course)}. {len(rows)} indicator(s).</p>")
        if rows.empty:
            continue
        parts.append(_table(
            ["#", "Indicator", "Status", "Polarity", "Sexes", "Unit", "Fingertips id", "Observations",
             "Latest period"],
            ([("num", _e(r.number)), ("", _e(r.title)), (f"status-{r.status}", _e(r.status)), ("", _e(r.polarity)),
              ("", _e(r.sexes)), ("", _e(r.unit)), ("", _e(r.fingertips_id)), ("num", _e(r.observations)),
              ("", _e(r.latest_period) if r.latest_period else "no data")]
             for r in rows.itertuples())))

    # Coverage
    parts.append("<h2>Coverage: latest period with data</h2>")
    titles = dict(zip(indicators.key, indicators.title))
    headers = ["Indicator"] + [area_names[c] for c in coverage.columns]
    parts.append(_table(headers, (
        [("", f"{_e(k)} {_e(titles[k])}")] +
        [("has", _e(v)) if v else ("none", "&mdash;") for v in coverage.loc[k]]
        for k in coverage.index)))
    empty = indicators[indicators.observations == 0]
    if not empty.empty:
        parts.append("<p class=\"note\">No data in the embedded dataset for: " +
                     "; ".join(f"{_e(r.key)} {_e(r.title)} ({_e(r.status)})" for r in empty.itertuples()) +
                     ". They are shown as missing, never estimated.</p>")

    # Monitoring: comparison with England, recent trend and change since the baseline
    parts.append(monitoring.report_section_html(data))
    parts.append("</body></html>\n")
    return "".join(parts)


def write_report(out_dir, data=None) -> pathlib.Path:
    """Write ``index.html`` for the default dataset (or ``data``) into ``out_dir``; returns its path."""
    if data is None:
        from . import load_default
        data = load_default()
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "index.html"
    path.write_text(render_html(data), encoding="utf-8")
    return path
