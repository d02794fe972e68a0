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
           "sentences", "monitoring_table", "report_section_html", "REPORT_CSS", "COMPARATOR_METHODS",
           "ENGLAND"]

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


def _population_of(code, population, hierarchy) -> float:
    """An area's population: from the population mapping if it has the area, else from the areas
    hierarchy, else missing (NaN)."""
    w = (population or {}).get(code)
    if w is None and hierarchy is not None and code in hierarchy:
        w = hierarchy[code].population
    return np.nan if w is None else float(w)


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
        weights = {m: _population_of(m, population, hierarchy) for m in members}
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


def _series_ends(df: pd.DataFrame, baseline: str, confidence: float = 0.95):
    """The baseline and latest rows of every area and series of ``df`` (monitoring.hpp
    ``baseline_changes``): returns the series keys (one row per series, in order of first
    appearance), the baseline row positions (-1 for none), the latest row positions, and the
    C++ result with the change latest - baseline. Series are numbered here and periods coded by
    text, so that the C++ core parses each distinct period once and walks the rows once."""
    keys = SERIES_KEYS + ["area_code"]
    group = df.groupby(keys, sort=False, dropna=False).ngroup().to_numpy(np.uint32)
    period_code, periods = pd.factorize(df["period"], sort=False)
    r = _core.baseline_changes(int(group.max()) + 1, group, period_code.astype(np.uint32), list(periods), str(baseline),
                               df["value"].to_numpy(float), df["lower_ci95"].to_numpy(float),
                               df["upper_ci95"].to_numpy(float), confidence)
    first = np.unique(group, return_index=True)[1]
    return df.iloc[first][keys].reset_index(drop=True), r["baseline_row"], r["latest_row"], r


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
    keys = SERIES_KEYS + ["area_code"]
    columns = keys + ["baseline", "polarity", "baseline_period", "latest_period", "baseline_value", "latest_value",
                      "change", "change_lower", "change_upper", "significant", "assessment"]
    if df.empty:
        return pd.DataFrame(columns=columns)
    out, base_row, latest_row, r = _series_ends(df, baseline, confidence)
    pol_of = {i: _polarity_of(i, polarity, fw) for i in out["indicator_id"].unique()}
    pol = out["indicator_id"].map(pol_of)
    has_base = base_row >= 0
    safe_base = np.where(has_base, base_row, 0)
    period_text = df["period"].to_numpy(object)
    values = df["value"].to_numpy(float)
    out["baseline"] = baseline
    out["polarity"] = pol.to_numpy(object)
    out["baseline_period"] = np.where(has_base, period_text[safe_base], None)
    out["latest_period"] = period_text[latest_row]
    out["baseline_value"] = np.where(has_base, values[safe_base], np.nan)
    out["latest_value"] = values[latest_row]
    out["change"] = r["estimate"]
    out["change_lower"] = r["lower"]
    out["change_upper"] = r["upper"]
    out["significant"] = r["significant"].astype(bool)
    out["assessment"] = _assessments(r["estimate"], r["significant"], r["assessed"], out["polarity"].to_numpy(object))
    return out[columns]


def _assessments(estimate: np.ndarray, significant: np.ndarray, assessed: np.ndarray,
                 polarity: np.ndarray) -> np.ndarray:
    """The assessment of each change: "not assessed" when no test was possible, "no significant
    change" when its interval includes 0, else "improved"/"worsened" by polarity, or
    "increased"/"decreased" when the polarity makes no judgement."""
    up = estimate > 0
    better = np.where(polarity == "higher is better", up, np.where(polarity == "lower is better", ~up, False))
    judged = (polarity == "higher is better") | (polarity == "lower is better")
    moved = np.where(judged, np.where(better, "improved", "worsened"), np.where(up, "increased", "decreased"))
    return np.where(~assessed, "not assessed", np.where(~significant, "no significant change", moved)).astype(object)


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
    columns = SERIES_KEYS + ["area_code", "benchmark_code", "baseline_period", "latest_period", "gap_baseline",
                             "gap_baseline_lower", "gap_baseline_upper", "gap_now", "gap_now_lower", "gap_now_upper",
                             "relative_baseline", "relative_baseline_lower", "relative_baseline_upper", "relative_now",
                             "relative_now_lower", "relative_now_upper",
                             "gap_change", "gap_change_lower", "gap_change_upper", "movement"]
    sub = df[df["area_code"] != benchmark].reset_index(drop=True)
    if sub.empty:
        return pd.DataFrame(columns=columns)
    out, base_row, latest_row, _ = _series_ends(sub, baseline, confidence)
    est = ["value", "lower_ci95", "upper_ci95"]
    bkeys = SERIES_KEYS + ["period"]
    bench = df[df["area_code"] == benchmark].drop_duplicates(bkeys, keep="first")[bkeys + est]
    has_base = base_row >= 0

    def at(rows: np.ndarray, present: np.ndarray):
        """The area's and the benchmark's estimates at the given rows of ``sub`` (NaN where absent)."""
        picked = sub.iloc[np.where(present, rows, 0)][bkeys + est].reset_index(drop=True)
        b = picked[bkeys].merge(bench, on=bkeys, how="left")[est].to_numpy(float)
        a = picked[est].to_numpy(float)
        a[~present] = np.nan
        b[~present] = np.nan
        return a, b

    a0, b0 = at(base_row, has_base)
    a1, b1 = at(latest_row, np.ones(len(out), dtype=bool))
    period_text = sub["period"].to_numpy(object)
    base_period = np.where(has_base, period_text[np.where(has_base, base_row, 0)], None)
    latest_period = period_text[latest_row]
    rows = []
    for i in range(len(out)):
        r = _core.gap_change(*a0[i], *b0[i], *a1[i], *b1[i], confidence)
        same = has_base[i] and base_period[i] == latest_period[i]
        rows.append(dict(benchmark_code=benchmark, baseline_period=base_period[i], latest_period=latest_period[i],
                         gap_baseline=r["gap_baseline"]["estimate"], gap_baseline_lower=r["gap_baseline"]["lower"],
                         gap_baseline_upper=r["gap_baseline"]["upper"], gap_now=r["gap_now"]["estimate"],
                         gap_now_lower=r["gap_now"]["lower"], gap_now_upper=r["gap_now"]["upper"],
                         relative_baseline=r["relative_baseline"]["estimate"],
                         relative_baseline_lower=r["relative_baseline"]["lower"],
                         relative_baseline_upper=r["relative_baseline"]["upper"],
                         relative_now=r["relative_now"]["estimate"], relative_now_lower=r["relative_now"]["lower"],
                         relative_now_upper=r["relative_now"]["upper"], gap_change=r["change"]["estimate"],
                         gap_change_lower=r["change"]["lower"], gap_change_upper=r["change"]["upper"],
                         movement="not assessed" if same else r["movement"]))
    return pd.concat([out, pd.DataFrame(rows, index=out.index)], axis=1)[columns]


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
    pops = {p: _population_of(p, population, hierarchy) for p in places}
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
        comparisons = _compare_latest(_frame(data), _framework(data, None))
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


def _compare_latest(df: pd.DataFrame, fw) -> pd.DataFrame:
    """Every area's latest period of every series compared with England in that same period
    (England's rows for every period stay, so an area whose data stop earlier is still compared
    with England's value for its own latest period)."""
    is_england = df["area_code"] == ENGLAND
    return compare(pd.concat([_latest(df[~is_england]), df[is_england]], ignore_index=True), ENGLAND, framework=fw)


def _latest(df: pd.DataFrame) -> pd.DataFrame:
    """The latest period's row of every area and series (periods ordered by TimePeriod; the
    later row on a tie)."""
    if df.empty:
        return df
    _, _, latest_row, _ = _series_ends(df.reset_index(drop=True), "2022")
    return df.iloc[latest_row]


def _trend_text(label) -> str:
    """The trend label with an arrow for its direction (the label stays, so colour and symbol
    are never the only signal)."""
    if not isinstance(label, str) or not label:
        return "Cannot be calculated"
    for word, arrow in (("Increasing", "\u2191 "), ("Decreasing", "\u2193 "), ("No significant change", "\u2192 ")):
        if label.startswith(word):
            return arrow + label
    return label


def _change_text(assessment: str, change: float, baseline_period, latest_period, baseline: str) -> str:
    """The change since the baseline in words: an arrow for the direction of the value (up or
    down, whatever the polarity), the assessment, the change and the baseline period; for a
    change not assessed, why not."""
    if assessment == "not assessed":
        if baseline_period is None or (isinstance(baseline_period, float) and math.isnan(baseline_period)):
            return f"not assessed (no {baseline} period)"
        if baseline_period == latest_period:
            return "not assessed (the latest period is the baseline)"
        return "not assessed (no confidence limits)"
    arrow = "\u2192" if assessment == "no significant change" else ("\u2191" if change > 0 else "\u2193")
    return f"{arrow} {assessment} ({change:+.1f} since {baseline_period})"


def _recent_trends(df: pd.DataFrame, fw):
    """Recent-trend labels per series from :mod:`fairer.trends`, or None when that module or the
    framework metadata it needs is unavailable.

    Series of single-year (or shorter) periods get the Fingertips marker
    (:func:`fairer.trends.recent_trend`); series whose periods are all overlapping multi-year
    pooled periods (life expectancy, healthy life expectancy), which Fingertips never tests, get
    fairer's pooled-period test (:func:`fairer.trends.pooled_trend`), with ``trend_method``
    saying which. A series no test was run on is "Cannot be calculated" with the reason, never
    Fingertips' default "No significant change", so a report never implies a test."""
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
    keys = SERIES_KEYS + ["area_code"]
    pol = {i: fw.indicator(i).polarity.name.replace("_", " ") for i in inds}
    vt = {i: fw.indicator(i).value_type.name.replace("_", " ") for i in inds}
    t = trends.recent_trend(sub, polarity=pol, value_type=vt, untested="cannot")
    t = t[keys + ["trend", "reason", "method"]].rename(columns={"reason": "trend_reason", "method": "trend_method"})
    pooled_period = {p: _core.TimePeriod.parse(p).kind == _core.PeriodKind.pooled_years for p in sub["period"].unique()}
    is_pooled = sub["period"].map(pooled_period).astype(bool)
    all_pooled = is_pooled.groupby([sub[k] for k in keys], sort=False).transform("all")
    pooled = sub[all_pooled.to_numpy()]
    if pooled.empty:
        return t
    g = trends.pooled_trend(pooled, polarity=pol)
    g["trend"] = g["trend"].where(g["tested"].astype(bool), "Cannot be calculated")
    g = g[keys + ["trend", "reason", "method"]].rename(columns={"reason": "trend_reason", "method": "trend_method"})
    t = t.set_index(keys)
    t.update(g.set_index(keys))
    return t.reset_index()


#: Style sheet for :func:`report_section_html`: Fingertips' comparison colours (better green,
#: similar amber, worse red, not compared white; lower/higher light and dark blue for no
#: judgement) and the trend arrows' colours. The text labels stay, so colour is never the only
#: signal.
REPORT_CSS = """
td.cmp-better{background:#92d050}td.cmp-similar{background:#ffc000}td.cmp-worse{background:#c00000;color:#fff}
td.cmp-lower{background:#bed2ff}td.cmp-higher{background:#5555e6;color:#fff}
td.cmp-not-compared{background:#fff;color:#555}
td.trend-better{color:#1e7b34;font-weight:600}td.trend-worse{color:#b00020;font-weight:600}
td.change-improved{color:#1e7b34}td.change-worsened{color:#b00020}
td.no-data{background:#f6f6f6;color:#666;font-style:italic}
"""

_CMP_CLASS = {"Better": "cmp-better", "Best": "cmp-better", "Similar": "cmp-similar", "Worse": "cmp-worse",
              "Worst": "cmp-worse", "Lower": "cmp-lower", "Higher": "cmp-higher"}


def _series_label(sex: str, age: str, category_type: str, category: str) -> str:
    parts = [sex] if sex else []
    if category_type or category:
        parts.append(f"{category_type}: {category}" if category_type else category)
    return "; ".join(parts)


def monitoring_table(data, *, framework=None, areas=None, baseline: Optional[str] = None,
                     include_trend: bool = True) -> pd.DataFrame:
    """The monitoring summary behind the report: one row per indicator, series and area other
    than England, for the latest period, in framework then area-file order.

    Columns: ``theme``, ``indicator_id``, ``title``, the series keys, ``area_code``,
    ``area_name``, ``period``, ``value`` and its 95% limits; the comparison with England by single
    overlapping 95% limits (:func:`compare`: ``label`` as Fingertips prints it, ``compared``,
    ``reason``, ``benchmark_value``); ``trend``, ``trend_reason`` and ``trend_method`` (the
    Fingertips recent-trend marker from :func:`fairer.trends.recent_trend`, or for series of
    overlapping pooled periods fairer's :func:`fairer.trends.pooled_trend`; why it could not be
    calculated; missing when ``include_trend`` is false); the change
    since ``baseline`` (default the framework's, 2022; :func:`baseline_change`:
    ``baseline_period``, ``change``, ``change_lower``, ``change_upper``, ``assessment``); the gap
    movement (:func:`gap_to_england`: ``gap_movement``); and ``sentence`` (:func:`sentences`).
    """
    fw = _framework(data, framework)
    hierarchy = _areas(data, areas)
    if baseline is None:
        baseline = fw.baseline_period if fw is not None and getattr(fw, "baseline_period", "") else "2022"
    df = _frame(data)
    keys = SERIES_KEYS + ["area_code"]
    columns = (["theme", "indicator_id", "title"] + SERIES_KEYS[1:] + ["area_code", "area_name", "period", "value",
               "lower_ci95", "upper_ci95", "benchmark_value", "label", "compared", "reason", "trend",
               "trend_reason", "trend_method", "baseline_period", "change", "change_lower", "change_upper",
               "assessment", "gap_movement", "sentence"])
    if df.empty:
        return pd.DataFrame(columns=columns)
    comp = _compare_latest(df, fw)
    change = baseline_change(df, baseline, framework=fw)
    gaps = gap_to_england(df, baseline, framework=fw)
    comp["sentence"] = sentences(comp, gaps, areas=hierarchy, baseline=str(baseline)).to_numpy(object)
    comp = comp.merge(change[keys + ["baseline_period", "change", "change_lower", "change_upper", "assessment"]],
                      on=keys, how="left")
    comp = comp.merge(gaps[keys + ["movement"]].rename(columns={"movement": "gap_movement"}), on=keys, how="left")
    trend = _recent_trends(df, fw) if include_trend else None
    if trend is not None:
        comp = comp.merge(trend, on=keys, how="left")
    else:
        comp["trend"] = None
        comp["trend_reason"] = ""
        comp["trend_method"] = ""
    order = [i.key for i in fw.indicators] if fw is not None else list(dict.fromkeys(comp["indicator_id"]))
    area_order = [a.code for a in hierarchy] if hierarchy is not None else []
    comp["_i"] = comp["indicator_id"].map({k: n for n, k in enumerate(order)}).fillna(len(order))
    comp["_a"] = comp["area_code"].map({k: n for n, k in enumerate(area_order)}).fillna(len(area_order))
    comp["_s"] = comp.groupby(SERIES_KEYS, sort=False).ngroup()
    comp = comp.sort_values(["_i", "_s", "_a"], kind="stable").reset_index(drop=True)
    meta = {i.key: i for i in fw.indicators} if fw is not None else {}
    comp["theme"] = [meta[k].theme if k in meta else "" for k in comp["indicator_id"]]
    comp["title"] = [meta[k].title if k in meta else k for k in comp["indicator_id"]]
    comp["area_name"] = [_area_name(c, hierarchy) for c in comp["area_code"]]
    return comp[columns]


def report_section_html(data, *, framework=None, areas=None, baseline: Optional[str] = None,
                        include_trend: bool = True, heading_level: int = 2) -> str:
    """HTML for the monitoring section of the report (styles in :data:`REPORT_CSS`): for every
    theme of the framework, a table with one row per indicator, series and place giving the
    latest period and value, the comparison with England (the Fingertips label, coloured as
    Fingertips colours it), the recent-trend marker with its arrow, the change since the
    baseline, and the plain-English sentence (see :func:`monitoring_table`). An indicator with
    no data for any place has a row saying so, with its status. Plain semantic HTML (caption,
    th scope), text beside every colour and symbol, so it reads without colour.
    """
    fw = _framework(data, framework)
    if baseline is None:
        baseline = fw.baseline_period if fw is not None and getattr(fw, "baseline_period", "") else "2022"
    table = monitoring_table(data, framework=fw, areas=areas, baseline=baseline, include_trend=include_trend)
    h, h3 = f"h{heading_level}", f"h{heading_level + 1}"
    parts = ["<section class=\"monitoring\">",
             f"<{h}>Monitoring: comparison with England, recent trend and change since {html.escape(str(baseline))}</{h}>",
             "<p class=\"note\">Comparison with England: the England value against the place's 95% confidence "
             "interval (Fingertips' single-overlap method), judged by the indicator's polarity. "
             + ("Recent trend: the Fingertips recent-trend test on the last five independent points (99.8% "
                "level). " if include_trend else "")
             + "Change since the baseline: the latest value minus the baseline value, significant when its 95% "
             "interval excludes zero.</p>"]
    if table.empty and fw is None:
        return "\n".join(parts + ["<p>No observations to monitor.</p></section>"])
    themes = [(t.key, t.title) for t in fw.themes] if fw is not None else [("", "All indicators")]
    e = html.escape
    for theme_key, theme_title in themes:
        if fw is not None:
            inds = [i for i in fw.indicators if i.theme == theme_key]
        else:
            inds = list(dict.fromkeys(table["indicator_id"]))
        if not inds:
            continue
        parts.append(f"<{h3}>{e(theme_title)}</{h3}>")
        parts.append(f"<table class=\"monitoring-table\"><caption>{e(theme_title)}: each place compared with "
                     "England</caption>")
        parts.append("<thead><tr><th scope=\"col\">Indicator</th><th scope=\"col\">Place</th>"
                     "<th scope=\"col\">Group</th><th scope=\"col\">Period</th><th scope=\"col\">Value</th>"
                     "<th scope=\"col\">Compared with England</th>"
                     + ("<th scope=\"col\">Recent trend</th>" if include_trend else "")
                     + f"<th scope=\"col\">Change since {e(str(baseline))}</th>"
                     "<th scope=\"col\">In words</th></tr></thead><tbody>")
        ncol = 8 if include_trend else 7
        for ind in inds:
            key = ind.key if fw is not None else ind
            title = ind.title if fw is not None else ind
            rows = table[table["indicator_id"] == key]
            if rows.empty:
                status = f" ({ind.status.text})" if fw is not None else ""
                parts.append(f"<tr><th scope=\"row\">{e(key)} {e(title)}</th><td class=\"no-data\" colspan=\"{ncol}\">"
                             f"No data for the places in the embedded dataset{e(status)}.</td></tr>")
                continue
            for r in rows.itertuples(index=False):
                value = "missing" if pd.isna(r.value) else f"{r.value:.1f}"
                label = r.label if r.compared or not r.reason else f"{r.label} ({r.reason})"
                cmp_class = _CMP_CLASS.get(r.label, "cmp-not-compared")
                cells = [f"<th scope=\"row\">{e(key)} {e(title)}</th>", f"<td>{e(r.area_name)}</td>",
                         f"<td>{e(_series_label(r.sex, r.age, r.category_type, r.category))}</td>",
                         f"<td>{e(r.period)}</td>", f"<td class=\"num\">{e(value)}</td>",
                         f"<td class=\"{cmp_class}\">{e(label)}</td>"]
                if include_trend:
                    t = r.trend if isinstance(r.trend, str) else ""
                    tcls = "trend-better" if "getting better" in t else ("trend-worse" if "getting worse" in t else "")
                    ttext = _trend_text(t)
                    if t == "Cannot be calculated" and isinstance(r.trend_reason, str) and r.trend_reason:
                        ttext += f" ({r.trend_reason})"
                    elif isinstance(r.trend_method, str) and r.trend_method.startswith("GLS"):
                        ttext += " (fairer's test for overlapping pooled periods)"
                    cells.append(f"<td class=\"{tcls}\">{e(ttext)}</td>" if tcls else f"<td>{e(ttext)}</td>")
                assessment = r.assessment if isinstance(r.assessment, str) else "not assessed"
                ccls = {"improved": "change-improved", "worsened": "change-worsened"}.get(assessment)
                ctext = e(_change_text(assessment, r.change, r.baseline_period, r.period, str(baseline)))
                cells.append(f"<td class=\"{ccls}\">{ctext}</td>" if ccls else f"<td>{ctext}</td>")
                cells.append(f"<td>{e(r.sentence)}</td>")
                parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "\n".join(parts)
