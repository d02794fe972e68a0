"""Monitoring the Beacon indicators: comparisons with benchmarks, aggregates, change since the
baseline, gaps to England, inequality between places, plain-English sentences and the report
section.

Every function takes ``data``: an :class:`fairer.ObservationTable`, the tidy DataFrame of
:func:`fairer.io.to_pandas`, or the :func:`fairer.load_default` dataset (whose framework gives
each indicator's polarity and value type, and whose areas give the places, sub-regions and
populations). The statistics are computed in C++ (``include/fairer/benchmarking.hpp`` and
``monitoring.hpp``); results are tidy DataFrames.
"""
from __future__ import annotations

import html
import math
from typing import Iterable, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _core

ENGLAND = "E92000001"
NORTH_WEST = "E12000002"
ICB = "E54000008"
SERIES_KEYS = ["indicator_id", "sex", "age", "category_type", "category"]
__all__ = ["compare", "compare_places", "aggregate", "baseline_change", "gap_to_england", "within_region_inequality",
           "sentences", "report_section_html", "COMPARATOR_METHODS", "ENGLAND"]

COMPARATOR_METHODS = ("none", "single overlap 95", "single overlap 95 and 99.8", "double overlap 95",
                      "spc proportion", "spc dsr", "quintiles", "quartiles")


def _frame(data) -> pd.DataFrame:
    """The tidy DataFrame behind ``data`` with plain text keys."""
    if isinstance(data, pd.DataFrame):
        df = data
    else:
        from .io import to_pandas
        table = getattr(data, "observations", data)
        df = to_pandas(table)
    df = df.copy()
    for c in ["indicator_id", "area_code", "period", "sex", "age", "category_type", "category"]:
        if c not in df.columns:
            raise _core.Error(f"[fairer.monitoring] the data have no column '{c}'")
        df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
    for c in ["value", "lower_ci95", "upper_ci95", "lower_ci99_8", "upper_ci99_8", "count", "denominator"]:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float) if c in df.columns else np.nan
    return df


def _framework(data, framework):
    return framework if framework is not None else getattr(data, "framework", None)


def _areas(data, areas):
    return areas if areas is not None else getattr(data, "areas", None)


def _polarity_of(indicator: str, polarity, framework) -> str:
    """Canonical polarity text for an indicator: ``polarity`` (text or mapping) first, else the
    framework's; raises fairer.StatisticsError for an unknown polarity or none at all."""
    if isinstance(polarity, Mapping):
        p = polarity.get(indicator)
    else:
        p = polarity
    if p is None and framework is not None and framework.has_indicator(indicator):
        p = framework.indicator(indicator).polarity.name.replace("_", " ")
    if p is None:
        raise _core.StatisticsError(
            f"[fairer.statistics] no polarity for indicator '{indicator}': pass polarity= or a framework")
    return _core.parse_polarity(str(p))


def _multiplier_of(indicator: str, multiplier, framework) -> float:
    if isinstance(multiplier, Mapping):
        m = multiplier.get(indicator)
    else:
        m = multiplier
    if m is None and framework is not None and framework.has_indicator(indicator):
        m = framework.indicator(indicator).multiplier
    return float(m) if m is not None and not (isinstance(m, float) and math.isnan(m)) else 100.0


def _area_name(code: str, areas) -> str:
    if areas is not None and code in areas:
        return areas[code].name
    return code


def compare(data, benchmark: Union[str, Sequence[str]] = ENGLAND, *, method: str = "single overlap 95",
            areas: Optional[Iterable[str]] = None, polarity=None, multiplier=None, confidence: float = 0.95,
            framework=None, benchmark_name: Optional[str] = None, value_type=None,
            population: Optional[Mapping[str, float]] = None) -> pd.DataFrame:
    """Compare areas with a benchmark by one Fingertips comparator method.

    ``benchmark`` is an area code present in the data (England by default, the North West
    ``E12000002``, the ICB ``E54000008``, a sub-region ``SR-CW``/``SR-LCR``) or a list of area
    codes, which are first combined with :func:`aggregate` (named ``benchmark_name``; its
    ``value_type`` and ``population`` arguments are passed on).
    ``method`` is one of :data:`COMPARATOR_METHODS` or a Fingertips id ("1", "17", "12", "5",
    "6", "15", "16"); ``polarity`` a text or a mapping indicator -> text (default: the
    framework's); ``multiplier`` (for SPC) likewise (default the framework's, else 100).
    Each area row is matched with the benchmark row of the same indicator, period, sex, age and
    category; a missing benchmark gives "Not compared" with reason "benchmark has no value".
    Quintiles and quartiles rank the compared areas among themselves (choose them with
    ``areas``). A benchmark with two rows for one series and period raises fairer.Error.

    Returns one row per compared area and period with the columns of the area's observation,
    ``benchmark_code``, ``benchmark_value``, ``benchmark_lower_ci95``, ``benchmark_upper_ci95``,
    ``polarity``, ``method``, ``label`` (Fingertips' text), ``compared``, ``direction``
    (-1 below, +1 above), ``level``, ``reason`` and ``quantile_group`` (the Fingertips quantile
    category: 1 = best under a higher/lower-is-better polarity, else 1 = lowest values; 0 when
    not a quantile method or not compared).
    """
    df = _frame(data)
    fw = _framework(data, framework)
    method = _core.parse_comparator_method(str(method))
    hierarchy = _areas(data, None)
    if isinstance(benchmark, str) and (benchmark in set(df["area_code"]) or hierarchy is None
                                       or benchmark not in hierarchy or not _members_of(benchmark, hierarchy)):
        bcode = benchmark
        bench = df[df["area_code"] == bcode]
    elif isinstance(benchmark, str):
        # A group with no rows of its own (a sub-region, the ICB): combine its places.
        bcode = benchmark
        bench = aggregate(df, {bcode: _members_of(bcode, hierarchy)}, framework=fw, areas=hierarchy,
                          population=population, value_type=value_type)
    else:
        members = list(benchmark)
        bcode = benchmark_name or "+".join(members)
        bench = aggregate(df, {bcode: members}, framework=fw, areas=hierarchy, population=population,
                          value_type=value_type)
    subjects = df[df["area_code"] != bcode]
    if areas is not None:
        wanted = list(areas)
        subjects = subjects[subjects["area_code"].isin(wanted)]
    keys = SERIES_KEYS + ["period"]
    b = bench[keys + ["value", "lower_ci95", "upper_ci95"]].rename(
        columns={"value": "benchmark_value", "lower_ci95": "benchmark_lower_ci95", "upper_ci95": "benchmark_upper_ci95"})
    dup = b.duplicated(keys)
    if dup.any():
        first = b[dup].iloc[0]
        raise _core.Error(f"[fairer.monitoring] benchmark '{bcode}' has more than one row for indicator "
                          f"'{first['indicator_id']}', period '{first['period']}', sex '{first['sex']}', "
                          f"age '{first['age']}'")
    merged = subjects.merge(b, on=keys, how="left")
    merged["benchmark_code"] = bcode
    out = []
    group_keys = SERIES_KEYS + (["period"] if method in ("quintiles", "quartiles") else [])
    for key, g in merged.groupby(group_keys if method in ("quintiles", "quartiles") else ["indicator_id"], sort=False,
                                 dropna=False):
        ind = key[0] if isinstance(key, tuple) else key
        pol = _polarity_of(ind, polarity, fw)
        mult = _multiplier_of(ind, multiplier, fw)
        r = _core.compare_benchmark(
            method, g["value"].to_numpy(float), g["lower_ci95"].to_numpy(float), g["upper_ci95"].to_numpy(float),
            g["lower_ci99_8"].to_numpy(float), g["upper_ci99_8"].to_numpy(float), g["denominator"].to_numpy(float),
            g["benchmark_value"].to_numpy(float), g["benchmark_lower_ci95"].to_numpy(float),
            g["benchmark_upper_ci95"].to_numpy(float), pol, mult, confidence)
        g = g.copy()
        g["polarity"] = pol
        for k in ("method", "label", "compared", "direction", "level", "reason"):
            g[k] = r[k]
        g["quantile_group"] = r["category"]
        out.append(g)
    if not out:
        return merged.assign(polarity=[], method=[], label=[], compared=[], direction=[], level=[], reason=[],
                             quantile_group=[])
    return pd.concat(out, ignore_index=True)


def compare_places(data, places: Optional[Sequence[str]] = None, *, method: str = "double overlap 95",
                   polarity=None, framework=None, areas=None) -> pd.DataFrame:
    """Every place against every other place (an n x n comparison), by default by double
    overlapping 95% limits (both sides are estimates). ``places`` defaults to the nine places of
    the areas hierarchy (or every non-England area in the data). Returns the columns of
    :func:`compare` with ``benchmark_code`` the other place; a place is not compared with itself.
    """
    df = _frame(data)
    hierarchy = _areas(data, areas)
    if places is None:
        if hierarchy is not None:
            places = [a.code for a in hierarchy.places()] if callable(getattr(hierarchy, "places", None)) else None
        if not places:
            places = sorted(set(df["area_code"]) - {ENGLAND})
    frames = []
    for p in places:
        others = [q for q in places if q != p]
        frames.append(compare(df, p, method=method, areas=others, polarity=polarity, framework=_framework(data, framework)))
    return pd.concat(frames, ignore_index=True)


def _members_of(code: str, hierarchy) -> list:
    """The places (local authorities) whose parents include ``code``."""
    return [a.code for a in hierarchy.places() if code in a.parents]


def _default_groups(hierarchy) -> dict:
    if hierarchy is None:
        return {}
    return {code: _members_of(code, hierarchy) for code in ("SR-CW", "SR-LCR", ICB) if code in hierarchy}


def aggregate(data, groups: Optional[Mapping[str, Sequence[str]]] = None, *, framework=None, areas=None,
              population: Optional[Mapping[str, float]] = None, value_type=None) -> pd.DataFrame:
    """Combine places into groups (default: the sub-regions ``SR-CW`` and ``SR-LCR`` and the ICB
    ``E54000008`` from the areas hierarchy), per indicator, period, sex, age and category.

    Proportions and crude rates whose members all have counts and denominators are summed and
    given Wilson or exact/Byar limits (the value the group's own data would give); anything else
    is a population-weighted mean (weights ``population`` or the areas file's populations) with
    normal limits from the members' 95% limits. ``aggregation_method`` records which, and
    ``aggregation_note`` why a result is missing (a member without a value): nothing is dropped.
    ``value_type`` (text or mapping indicator -> text) overrides the framework's.
    """
    df = _frame(data)
    fw = _framework(data, framework)
    hierarchy = _areas(data, areas)
    if groups is None:
        groups = _default_groups(hierarchy)
    if not groups:
        raise _core.StatisticsError("[fairer.statistics] no groups to aggregate: pass groups= or an areas hierarchy")
    rows = []
    keys = SERIES_KEYS + ["period"]
    for gcode, members in groups.items():
        members = list(members)
        weights = {}
        for m in members:
            w = (population or {}).get(m)
            if w is None and hierarchy is not None and m in hierarchy:
                w = hierarchy[m].population
            weights[m] = np.nan if w is None else float(w)
        sub = df[df["area_code"].isin(members)]
        for key, g in sub.groupby(keys, sort=False, dropna=False):
            ind = key[0]
            vt = value_type.get(ind) if isinstance(value_type, Mapping) else value_type
            if vt is None and fw is not None and fw.has_indicator(ind):
                vt = fw.indicator(ind).value_type.name.replace("_", " ")
            mult = _multiplier_of(ind, None, fw)
            g = g.set_index("area_code").reindex(members)
            x = g["count"].to_numpy(float)
            n = g["denominator"].to_numpy(float)
            have_counts = bool(np.isfinite(x).all() and np.isfinite(n).all())
            if have_counts and vt == "proportion":
                r = _core.aggregate_proportion(x, n, mult, members)
            elif have_counts and vt == "crude rate":
                r = _core.aggregate_crude_rate(x, n, mult, members)
            else:
                r = _core.aggregate_population_weighted(
                    g["value"].to_numpy(float), g["lower_ci95"].to_numpy(float), g["upper_ci95"].to_numpy(float),
                    [weights[m] for m in members], members)
            rows.append(dict(zip(keys, key), area_code=gcode, value=r["value"], lower_ci95=r["lower95"],
                             upper_ci95=r["upper95"], lower_ci99_8=r["lower99_8"], upper_ci99_8=r["upper99_8"],
                             count=r["count"], denominator=r["denominator"], aggregation_method=r["method"],
                             aggregation_note=r["note"], members=len(members)))
    cols = ["indicator_id", "area_code", "period", "sex", "age", "category_type", "category", "value", "lower_ci95",
            "upper_ci95", "lower_ci99_8", "upper_ci99_8", "count", "denominator", "aggregation_method",
            "aggregation_note", "members"]
    return pd.DataFrame(rows, columns=cols)


def _baseline_and_latest(g: pd.DataFrame, baseline: str):
    periods = list(g["period"])
    i = _core.find_baseline_period(periods, baseline)
    order = sorted(range(len(periods)), key=lambda k: _core.TimePeriod.parse(periods[k]))
    latest = order[-1]
    return (None if i < 0 else g.iloc[i]), g.iloc[latest]


def baseline_change(data, baseline: Optional[str] = None, *, polarity=None, framework=None,
                    confidence: float = 0.95) -> pd.DataFrame:
    """Change from the baseline period to the latest period for every area and series.

    ``baseline`` defaults to the framework's ``baseline_period`` (2022). The baseline period is
    matched with :class:`fairer.TimePeriod` (the year itself, the financial or academic year
    starting in it, else the pooled period ending in it). The change latest - baseline has
    limits from the two periods' 95% limits (Altman & Bland 2003, independent estimates) and is
    ``significant`` when they exclude 0; ``assessment`` is "improved"/"worsened" (by polarity),
    "increased"/"decreased" (no judgement), "no significant change", or "not assessed" (no
    baseline period, no limits, or the latest period is the baseline).
    """
    df = _frame(data)
    fw = _framework(data, framework)
    if baseline is None:
        baseline = fw.baseline_period if fw is not None and getattr(fw, "baseline_period", "") else "2022"
    rows = []
    for key, g in df.groupby(SERIES_KEYS + ["area_code"], sort=False, dropna=False):
        g = g.reset_index(drop=True)
        base, last = _baseline_and_latest(g, baseline)
        pol = _polarity_of(key[0], polarity, fw)
        row = dict(zip(SERIES_KEYS + ["area_code"], key), baseline=baseline, polarity=pol,
                   baseline_period=None if base is None else base["period"], latest_period=last["period"],
                   baseline_value=np.nan if base is None else base["value"], latest_value=last["value"])
        if base is None or base["period"] == last["period"]:
            d = {"estimate": np.nan, "lower": np.nan, "upper": np.nan, "significant": False, "assessed": False}
        else:
            d = _core.difference_of_estimates(last["value"], last["lower_ci95"], last["upper_ci95"], base["value"],
                                              base["lower_ci95"], base["upper_ci95"], confidence)
        row.update(change=d["estimate"], change_lower=d["lower"], change_upper=d["upper"],
                   significant=bool(d["significant"]), assessment=_assess(d, pol))
        rows.append(row)
    return pd.DataFrame(rows)


def _assess(d, polarity: str) -> str:
    if not d["assessed"]:
        return "not assessed"
    if not d["significant"]:
        return "no significant change"
    up = d["estimate"] > 0
    if polarity == "higher is better":
        return "improved" if up else "worsened"
    if polarity == "lower is better":
        return "worsened" if up else "improved"
    return "increased" if up else "decreased"


def gap_to_england(data, baseline: Optional[str] = None, *, benchmark: str = ENGLAND, framework=None,
                   confidence: float = 0.95) -> pd.DataFrame:
    """The gap of every area to England (or ``benchmark``) at the baseline and the latest
    period: absolute (area - England) and relative (area / England) with 95% limits, and the
    change in the absolute gap with its limits; ``movement`` is "narrowed", "widened",
    "reversed", "no significant change" or "not assessed" (monitoring.hpp ``gap_change``).
    """
    df = _frame(data)
    fw = _framework(data, framework)
    if baseline is None:
        baseline = fw.baseline_period if fw is not None and getattr(fw, "baseline_period", "") else "2022"
    bench = df[df["area_code"] == benchmark].set_index(SERIES_KEYS + ["period"])
    rows = []
    nan3 = (np.nan, np.nan, np.nan)
    for key, g in df[df["area_code"] != benchmark].groupby(SERIES_KEYS + ["area_code"], sort=False, dropna=False):
        g = g.reset_index(drop=True)
        base, last = _baseline_and_latest(g, baseline)

        def est(row):
            return nan3 if row is None else (row["value"], row["lower_ci95"], row["upper_ci95"])

        def bench_est(row):
            if row is None:
                return nan3
            k = tuple(key[:-1]) + (row["period"],)
            if k not in bench.index:
                return nan3
            b = bench.loc[k]
            b = b.iloc[0] if isinstance(b, pd.DataFrame) else b
            return b["value"], b["lower_ci95"], b["upper_ci95"]

        same = base is not None and base["period"] == last["period"]
        a0, b0 = est(base), bench_est(base)
        a1, b1 = est(last), bench_est(last)
        r = _core.gap_change(*a0, *b0, *a1, *b1, confidence)
        rows.append(dict(zip(SERIES_KEYS + ["area_code"], key), benchmark_code=benchmark,
                         baseline_period=None if base is None else base["period"], latest_period=last["period"],
                         gap_baseline=r["gap_baseline"]["estimate"], gap_baseline_lower=r["gap_baseline"]["lower"],
                         gap_baseline_upper=r["gap_baseline"]["upper"], gap_now=r["gap_now"]["estimate"],
                         gap_now_lower=r["gap_now"]["lower"], gap_now_upper=r["gap_now"]["upper"],
                         relative_baseline=r["relative_baseline"]["estimate"],
                         relative_now=r["relative_now"]["estimate"], relative_now_lower=r["relative_now"]["lower"],
                         relative_now_upper=r["relative_now"]["upper"], gap_change=r["change"]["estimate"],
                         gap_change_lower=r["change"]["lower"], gap_change_upper=r["change"]["upper"],
                         movement="not assessed" if same else r["movement"]))
    return pd.DataFrame(rows)


def within_region_inequality(data, places: Optional[Sequence[str]] = None, *, deprivation: Optional[Mapping[str, float]] = None,
                             population: Optional[Mapping[str, float]] = None, polarity=None, framework=None,
                             areas=None) -> pd.DataFrame:
    """Inequality between places for every indicator, series and period: the range and ratio
    between the highest and lowest value, the best and worst place by polarity, and the slope
    index of inequality across places ordered by deprivation (PHE SII, analytic 95% limits,
    population weights; needs at least 5 places). ``deprivation`` maps place -> deprivation
    score (higher = more deprived; default the population-weighted IMD 2019 score of
    :func:`fairer.load_default` data); ``population`` maps place -> population (default the
    areas file). A period in which any place lacks a value gives missing statistics and a note.
    """
    df = _frame(data)
    fw = _framework(data, framework)
    hierarchy = _areas(data, areas)
    if places is None:
        if hierarchy is None:
            raise _core.StatisticsError("[fairer.statistics] pass places= or data with an areas hierarchy")
        places = [a.code for a in hierarchy.places()]
    places = list(places)
    if deprivation is None and hasattr(data, "iod2019"):
        deprivation = {p.place_code: p.mean_imd_score for p in _core.summarise_deprivation(data.iod2019)}
    deprivation = dict(deprivation or {})
    pops = {}
    for p in places:
        w = (population or {}).get(p)
        if w is None and hierarchy is not None and p in hierarchy:
            w = hierarchy[p].population
        pops[p] = np.nan if w is None else float(w)
    names = [_area_name(p, hierarchy) for p in places]
    rows = []
    sub = df[df["area_code"].isin(places)]
    for key, g in sub.groupby(SERIES_KEYS + ["period"], sort=False, dropna=False):
        g = g.set_index("area_code").reindex(places)
        r = _core.region_inequality(g["value"].to_numpy(float), g["lower_ci95"].to_numpy(float),
                                    g["upper_ci95"].to_numpy(float), [pops[p] for p in places],
                                    [float(deprivation.get(p, np.nan)) for p in places], names)
        pol = _polarity_of(key[0], polarity, fw)
        hi = places[r["highest"]] if r["highest"] >= 0 else None
        lo = places[r["lowest"]] if r["lowest"] >= 0 else None
        best, worst = (hi, lo) if pol == "higher is better" else ((lo, hi) if pol == "lower is better" else (None, None))
        rows.append(dict(zip(SERIES_KEYS + ["period"], key), places=r["places"], range=r["range"], ratio=r["ratio"],
                         highest=hi, lowest=lo, best=best, worst=worst, sii=r["sii"], sii_lower95=r["sii_lower95"],
                         sii_upper95=r["sii_upper95"], note=r["note"]))
    return pd.DataFrame(rows)


_MOVEMENT_TEXT = {
    "widened": "the gap has widened since {b}",
    "narrowed": "the gap has narrowed since {b}",
    "reversed": "the gap has reversed since {b}",
    "no significant change": "the gap has not changed significantly since {b}",
}


def sentences(comparisons, gaps: Optional[pd.DataFrame] = None, *, areas=None,
              benchmark_name: str = "England", baseline: str = "2022") -> pd.Series:
    """Plain-English sentences, one per row of ``comparisons`` (from :func:`compare`), joined
    with the matching row of ``gaps`` (from :func:`gap_to_england`, same area and series, for the
    comparison's period being the gap's latest period) when given.

    ``comparisons`` may instead be observation data (anything :func:`compare` takes): the
    latest period of every series is then compared with England and joined with
    :func:`gap_to_england` from ``baseline``, with area names from the data's areas.

    Wording follows the test results only: "significantly better/worse" needs a significant
    comparison, "higher/lower" is used for no-judgement indicators, "similar to" when the test
    found no difference, and "could not be compared" (with the reason) when it was not made; the
    gap clause is added only when the comparison was significant and the gap change was
    assessed, e.g. "Knowsley is significantly worse than England and the gap has widened since
    2022".
    """
    if not (isinstance(comparisons, pd.DataFrame) and "label" in comparisons.columns):
        data = comparisons
        areas = _areas(data, areas)
        comparisons = compare(_latest(_frame(data)), ENGLAND, framework=_framework(data, None))
        comparisons = comparisons[comparisons["area_code"] != ENGLAND]
        if gaps is None:
            gaps = gap_to_england(data, baseline)
    out = []
    gap_index = None
    if gaps is not None and len(gaps):
        gap_index = gaps.set_index(SERIES_KEYS + ["area_code"])
    for _, c in comparisons.iterrows():
        name = _area_name(c["area_code"], areas)
        label = c["label"]
        if not bool(c["compared"]):
            reason = c.get("reason", "") or "no comparison"
            out.append(f"{name} could not be compared with {benchmark_name} ({reason}).")
            continue
        if label == "Similar":
            s = f"{name} is not significantly different from {benchmark_name}"
        elif label in ("Better", "Worse", "Best", "Worst"):
            word = "better" if label in ("Better", "Best") else "worse"
            s = f"{name} is significantly {word} than {benchmark_name}"
        elif label in ("Higher", "Lower"):
            s = f"{name} is significantly {label.lower()} than {benchmark_name}"
        else:
            s = f"{name} is in the {label.lower()} of the areas compared"
        if gap_index is not None and label not in ("Similar",) and "quint" not in label and "quart" not in label:
            k = tuple(c[x] for x in SERIES_KEYS) + (c["area_code"],)
            if k in gap_index.index:
                gr = gap_index.loc[k]
                gr = gr.iloc[0] if isinstance(gr, pd.DataFrame) else gr
                if gr["latest_period"] == c["period"] and gr["movement"] in _MOVEMENT_TEXT:
                    s += " and " + _MOVEMENT_TEXT[gr["movement"]].format(b=baseline)
        out.append(s + ".")
    return pd.Series(out, index=comparisons.index, name="sentence", dtype=object)


def _latest(df: pd.DataFrame) -> pd.DataFrame:
    """The latest period's row of every area and series (periods ordered by TimePeriod)."""
    rows = []
    for _, g in df.groupby(SERIES_KEYS + ["area_code"], sort=False, dropna=False):
        k = max(range(len(g)), key=lambda i: _core.TimePeriod.parse(g["period"].iloc[i]))
        rows.append(g.iloc[k])
    return pd.DataFrame(rows, columns=df.columns)


_ARROWS = {"improved": "\u2191 improved", "worsened": "\u2193 worsened", "increased": "\u2191 increased",
           "decreased": "\u2193 decreased", "no significant change": "\u2192 no significant change",
           "not assessed": "not assessed"}


def _trend_text(label) -> str:
    """The trend label with an arrow for its direction (the label stays, so colour and symbol
    are never the only signal)."""
    if not isinstance(label, str) or not label:
        return "Cannot be calculated"
    for word, arrow in (("Increasing", "\u2191 "), ("Decreasing", "\u2193 "), ("No significant change", "\u2192 ")):
        if label.startswith(word):
            return arrow + label
    return label


def _recent_trends(df: pd.DataFrame, fw):
    """Fingertips recent-trend labels per series from :mod:`fairer.trends` (engineer mon-b's
    module), or None when that module or the framework metadata it needs is unavailable."""
    try:
        from . import trends
    except (ImportError, AttributeError):
        # trends.py is present before its compiled part is registered in _core.
        return None
    if fw is None or not hasattr(trends, "recent_trend"):
        return None
    inds = [i for i in df["indicator_id"].unique() if fw.has_indicator(i)]
    sub = df[df["indicator_id"].isin(inds)]
    if sub.empty:
        return None
    pol = {i: fw.indicator(i).polarity.name.replace("_", " ") for i in inds}
    vt = {i: fw.indicator(i).value_type.name.replace("_", " ") for i in inds}
    t = trends.recent_trend(sub, polarity=pol, value_type=vt)
    return t[SERIES_KEYS + ["area_code", "trend"]]


def report_section_html(data, *, framework=None, areas=None, baseline: Optional[str] = None,
                        include_trend: bool = True) -> str:
    """HTML for the monitoring section of the report: for every theme, a table with one row per
    indicator, series and place giving the latest period and value, the comparison with England
    (single overlapping 95% limits), the Fingertips recent trend (from :mod:`fairer.trends`, when
    present and ``include_trend``) and the change since the baseline. Plain semantic HTML
    (caption, th scope), text labels beside any symbol, so it reads without colour.
    """
    fw = _framework(data, framework)
    hierarchy = _areas(data, areas)
    df = _frame(data)
    if df.empty:
        return "<section class=\"monitoring\"><p>No observations to monitor.</p></section>"
    latest = _latest(df)
    comp = compare(latest, ENGLAND, framework=fw)
    change = baseline_change(df, baseline, framework=fw)
    comp = comp.merge(change[SERIES_KEYS + ["area_code", "assessment", "baseline_period"]],
                      on=SERIES_KEYS + ["area_code"], how="left")
    trend = _recent_trends(df, fw) if include_trend else None
    if trend is not None:
        comp = comp.merge(trend, on=SERIES_KEYS + ["area_code"], how="left")
    parts = ["<section class=\"monitoring\">", "<h2>Monitoring: comparison with England and change since the baseline</h2>"]
    themes = list(fw.themes) if fw is not None else [None]
    for theme in themes:
        if theme is not None:
            keys = [i.key for i in fw.indicators if i.theme == theme.key]
            rows = comp[comp["indicator_id"].isin(keys)]
            title = theme.title
        else:
            rows, title = comp, "All indicators"
        if rows.empty:
            continue
        parts.append(f"<table class=\"monitoring-table\"><caption>{html.escape(title)}</caption>")
        parts.append("<thead><tr><th scope=\"col\">Indicator</th><th scope=\"col\">Place</th><th scope=\"col\">Sex</th>"
                     "<th scope=\"col\">Period</th><th scope=\"col\">Value</th>"
                     "<th scope=\"col\">Compared with England</th>"
                     + ("<th scope=\"col\">Recent trend</th>" if trend is not None else "")
                     + "<th scope=\"col\">Change since baseline</th></tr></thead><tbody>")
        for _, r in rows.iterrows():
            ind = r["indicator_id"]
            ind_title = fw.indicator(ind).title if fw is not None and fw.has_indicator(ind) else ind
            value = "" if pd.isna(r["value"]) else f"{r['value']:.1f}"
            change_text = _ARROWS.get(r.get("assessment", "not assessed"), "not assessed")
            label = r["label"] if r["compared"] or not r["reason"] else f"{r['label']} ({r['reason']})"
            cells = [f"{ind} {ind_title}", _area_name(r["area_code"], hierarchy), r["sex"], r["period"], value, label]
            if trend is not None:
                t = r.get("trend")
                cells.append(_trend_text(t))
            cells.append(change_text)
            parts.append("<tr>" + "".join(f"<td>{html.escape(str(x))}</td>" for x in cells) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "\n".join(parts)
