"""Recent trends: the Fingertips recent-trend marker, and a trend test for overlapping pooled periods.

:func:`recent_trend` reproduces the marker Fingertips prints in its "Recent trend" column
("Increasing and getting better", "No significant change", "Cannot be calculated", ...) for every
series of a tidy observations table; :func:`pooled_trend` tests series of overlapping pooled
periods (3-year life expectancy, healthy life expectancy), which Fingertips never marks. The
statistics are computed in C++ (``include/fairer/trends.hpp``, whose header comment gives every
rule, formula and reference); this module groups, orders and checks the periods.

Both functions take a DataFrame with the tidy column names of :mod:`fairer.io` (``period``,
``value``, ``lower_ci95``, ``upper_ci95``, ``count``, ``denominator``; others by keyword) and
return one row per series with the label and the statistics behind it.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _core

__all__ = ["recent_trend", "pooled_trend", "TREND_CHI_SQUARE_998", "TREND_LABELS"]

#: The 99.8% point of chi-square on 1 df used by both tests (Fingertips' constant).
TREND_CHI_SQUARE_998 = _core.TREND_CHI_SQUARE_998

#: Every label either function can give.
TREND_LABELS = (
    "Cannot be calculated", "No significant change", "Increasing", "Decreasing",
    "Increasing and getting better", "Increasing and getting worse",
    "Decreasing and getting better", "Decreasing and getting worse",
)

_DEFAULT_GROUPS = ("indicator_id", "area_code", "sex", "age", "category_type", "category")
_MARKERS = ("Cannot be calculated", "No significant change", "Increasing", "Decreasing")
_METHODS = ("weighted regression", "chi-square test for trend")
# Value types Fingertips tests, and the others it knows (framework and Fingertips spellings).
_TESTED = {"proportion", "crude rate", "directly standardised rate"}
_UNTESTED = {"indirectly standardised ratio", "indirectly standardised proportion", "life expectancy", "mean",
             "median", "score", "count", "other", "ratio", "gap", "slope index of inequality"}
_SUB_YEAR = {"quarter", "month"}

Setting = Union[None, str, bool, Mapping]


def _data_error(message: str, column: str = "", value: str = "") -> Exception:
    err = _core.DataError(f"[fairer.data] {message}")
    err.id = "data"
    err.problems = [dict(file="<DataFrame>", row=0, column=column, value=value, problem=message)]
    err.file, err.row, err.column, err.value = "<DataFrame>", 0, column, value
    return err


def _group_columns(df: pd.DataFrame, group_by) -> list:
    if group_by is None:
        return [c for c in _DEFAULT_GROUPS if c in df.columns]
    cols = [group_by] if isinstance(group_by, str) else list(group_by)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise _data_error(f"group_by column(s) {missing} are not in the table", column=str(missing[0]))
    return cols


def _require(df: pd.DataFrame, cols: Sequence[str]) -> None:
    for c in cols:
        if c not in df.columns:
            raise _data_error(f"the table has no column '{c}'", column=c)


def _per_group(setting: Setting, name: str, df: pd.DataFrame, first_rows: pd.DataFrame, indicator: str,
               default=None) -> np.ndarray:
    """One setting per group: a scalar for all, a mapping by indicator, or a column of the table."""
    n = len(first_rows)
    if setting is None and name in df.columns:
        return first_rows[name].to_numpy(dtype=object)
    if setting is None:
        if default is None:
            raise _data_error(f"give {name}= (one value, or a mapping from indicator to value) "
                              f"or a '{name}' column", column=name)
        return np.full(n, default, dtype=object)
    if isinstance(setting, Mapping):
        if indicator not in first_rows.columns:
            raise _data_error(f"{name} is given by indicator but the table has no column '{indicator}'",
                              column=indicator)
        keys = first_rows[indicator].astype(str).to_numpy()
        lookup = {str(k): v for k, v in setting.items()}
        out = np.empty(n, dtype=object)
        for i, k in enumerate(keys):
            if k in lookup:
                out[i] = lookup[k]
            elif default is not None:
                out[i] = default
            else:
                raise _data_error(f"no {name} given for indicator '{k}'", column=indicator, value=k)
        return out
    return np.full(n, setting, dtype=object)


def _periods(df: pd.DataFrame, period: str, year_type: str):
    """Parse each distinct period once: kind, length in months, first year, sortable key."""
    texts = df[period]
    if texts.isna().any():
        row = int(np.flatnonzero(texts.isna().to_numpy())[0])
        raise _data_error(f"period is missing in row {row} of the table", column=period)
    codes, uniques = pd.factorize(texts.astype(str), sort=False)
    yt = getattr(_core.YearType, year_type)
    parsed = [_core.TimePeriod.parse(u, yt) for u in uniques]
    kind = np.array([p.kind.name for p in parsed], dtype=object)[codes]
    months = np.array([p.months for p in parsed], dtype=np.int64)[codes]
    first = np.array([p.first_year for p in parsed], dtype=np.int64)[codes]
    key = np.array([p.start.toordinal() * 10000 + p.months for p in parsed], dtype=np.int64)[codes]
    return kind, months, first, key


def _prepare(df: pd.DataFrame, group_by, period: str, year_type: str):
    """Sort rows by group then period; check that no group repeats a period or mixes period shapes."""
    cols = _group_columns(df, group_by)
    kind, months, first, key = _periods(df, period, year_type)
    if cols:
        gcode = df.groupby(cols, sort=True, dropna=False, observed=True).ngroup().to_numpy()
    else:
        gcode = np.zeros(len(df), dtype=np.int64)
    order = np.lexsort((key, gcode))
    g_sorted, k_sorted = gcode[order], key[order]
    same = (g_sorted[1:] == g_sorted[:-1])
    dup = same & (k_sorted[1:] == k_sorted[:-1])
    if dup.any():
        row = order[int(np.flatnonzero(dup)[0]) + 1]
        where = ", ".join(f"{c}={df[c].iloc[row]!r}" for c in cols)
        raise _data_error(f"period {df[period].iloc[row]!r} appears more than once in the series {where}",
                          column=period, value=str(df[period].iloc[row]))
    shape = np.char.add(kind[order].astype(str), months[order].astype(str))
    mixed = same & (shape[1:] != shape[:-1])
    if mixed.any():
        i = int(np.flatnonzero(mixed)[0])
        a, b = order[i], order[i + 1]
        where = ", ".join(f"{c}={df[c].iloc[a]!r}" for c in cols)
        raise _data_error(f"periods of different shapes in one series ({df[period].iloc[a]!r} and "
                          f"{df[period].iloc[b]!r}) in {where}", column=period, value=str(df[period].iloc[b]))
    starts = np.flatnonzero(np.r_[True, ~same]) if len(order) else np.array([], dtype=np.int64)
    offsets = np.r_[starts, len(order)].astype(np.int64)
    return cols, order, offsets, kind[order], months[order], first[order]


def _numbers(df: pd.DataFrame, column: Optional[str], order: np.ndarray) -> np.ndarray:
    if column is None or column not in df.columns:
        return np.full(len(order), np.nan)
    return pd.to_numeric(df[column], errors="raise").to_numpy(dtype=float)[order]


def _labels(markers: np.ndarray, polarity: np.ndarray) -> np.ndarray:
    cache = {}
    out = np.empty(len(markers), dtype=object)
    for i, (m, p) in enumerate(zip(markers.tolist(), polarity.tolist())):
        k = (m, p)
        if k not in cache:
            cache[k] = _core.trend_label(int(m), str(p))
        out[i] = cache[k]
    return out


def _result_frame(df, cols, order, offsets, res, polarity, period, extra: dict) -> pd.DataFrame:
    starts = order[offsets[:-1]]
    out = df.iloc[starts][cols].reset_index(drop=True) if cols else pd.DataFrame(index=range(len(starts)))
    periods = df[period].to_numpy(dtype=object)
    first_row, last_row = res["first_row"], res["last_row"]
    has = first_row >= 0
    first_p = np.full(len(starts), None, dtype=object)
    last_p = np.full(len(starts), None, dtype=object)
    first_p[has] = periods[order[first_row[has]]]
    last_p[has] = periods[order[last_row[has]]]
    reasons = {}
    out["trend"] = _labels(res["marker"], polarity)
    out["marker"] = np.array(_MARKERS, dtype=object)[res["marker"]]
    out["polarity"] = [str(_core.parse_trend_polarity(str(p))) for p in polarity]
    for k, v in extra.items():
        out[k] = v
    out["reason"] = [reasons.setdefault(int(r), _core.trend_reason_text(int(r))) for r in res["reason"]]
    out["slope"] = res["slope"]
    out["slope_se"] = res["slope_se"]
    out["chi_square"] = res["chi_square"]
    out["threshold"] = TREND_CHI_SQUARE_998
    out["leave_one_out_same_sign"] = res["leave_one_out_same_sign"]
    out["tested"] = res["tested"]
    out["n_periods"] = np.diff(offsets)
    out["points_used"] = res["points_used"]
    out["first_period"] = first_p
    out["last_period"] = last_p
    out["invalid_skipped"] = res["invalid_skipped"]
    return out


def recent_trend(df: pd.DataFrame, *, polarity: Setting = None, value_type: Setting = None,
                 use_proportions: Setting = False, group_by=None, period: str = "period", value: str = "value",
                 lower: str = "lower_ci95", upper: str = "upper_ci95", count: str = "count",
                 denominator: str = "denominator", indicator: str = "indicator_id",
                 year_type: str = "financial", untested: str = "fingertips") -> pd.DataFrame:
    """The Fingertips recent-trend marker of every series in a tidy table.

    A series is the rows sharing ``group_by`` (default: those of indicator_id, area_code, sex, age,
    category_type, category that the table has), ordered by period. Fingertips' rules, exactly
    (details and formulas in ``include/fairer/trends.hpp``): only proportions, crude rates and
    directly standardised rates of single-year (or quarterly/monthly) periods are tested; a series
    needs 5 rows and 5 valid points (value, count and denominator present; invalid points are
    skipped); a valid point with count == denominator stops the test; the 5 most recent valid
    points are tested, by weighted regression of value on time (weights from the 95% limits) or,
    with ``use_proportions``, by the chi-square test for trend on counts and denominators; the
    trend is significant when chi^2 > 9.5495 (99.8%) and all six slopes (all points and each
    point left out) have the same sign. Pooled multi-year periods get "Cannot be calculated"
    (use :func:`pooled_trend`).

    Some series pass Fingertips' rules but cannot really be tested: fewer than 5 valid points
    with 95% limits, a zero-width interval, or a count of 0 under a significant proportions
    test. Fingertips still prints a marker for them, from its arithmetic on what it has (almost
    always "No significant change"); ``untested="fingertips"`` (default) gives that marker and
    ``untested="cannot"`` gives "Cannot be calculated". Either way ``tested`` is False and
    ``reason`` says why, so a report can avoid claiming a test that was not done.

    polarity, value_type, use_proportions: one value for every series, a mapping from indicator
    (the ``indicator`` column) to value, or None to read a column of that name (polarity and
    value_type are then required). Polarity accepts the framework's names and Fingertips'
    ("High is good", "RAG - Low is good", "Not applicable", ...).

    A period repeated within a series, or periods of different shapes (a year and a quarter)
    in one series, raise fairer.DataError naming the series; an unknown polarity or value type
    raises fairer.Error. Returns one row per series: the group columns, ``trend`` (the label
    Fingertips prints), ``marker``, ``polarity``, ``value_type``, ``method``, ``reason`` (why it
    cannot be calculated), ``slope`` (per period; log-odds for the proportions test),
    ``slope_se``, ``chi_square``, ``threshold``, ``leave_one_out_same_sign``, ``tested``, ``n_periods``,
    ``points_used``, ``first_period``, ``last_period`` and ``invalid_skipped`` (invalid periods
    inside the span tested: the points were not consecutive).
    """
    if untested not in ("fingertips", "cannot"):
        raise _core.Error(f"[fairer.trend] untested must be 'fingertips' or 'cannot', got {untested!r}")
    _require(df, [period, value])
    cols, order, offsets, kind, months, _ = _prepare(df, group_by, period, year_type)
    starts = order[offsets[:-1]]
    first_rows = df.iloc[starts]
    pol = _per_group(polarity, "polarity", df, first_rows, indicator)
    vt = _per_group(value_type, "value_type", df, first_rows, indicator)
    prop = _per_group(use_proportions, "use_proportions", df, first_rows, indicator, default=False)

    ngroups = len(starts)
    precheck = np.zeros(ngroups, dtype=np.int8)
    vt_names = np.empty(ngroups, dtype=object)
    for g in range(ngroups):
        name = str(vt[g]).strip().lower()
        if name not in _TESTED and name not in _UNTESTED:
            raise _core.Error(f"[fairer.trend] unknown value type {vt[g]!r}; expected one of "
                              f"{sorted(_TESTED | _UNTESTED)}")
        vt_names[g] = name
        k = kind[offsets[g]]
        if name not in _TESTED:
            precheck[g] = 1
        elif not ((k == "year" and months[offsets[g]] == 12) or k in _SUB_YEAR):
            precheck[g] = 2
    methods = np.array([1 if bool(p) else 0 for p in prop], dtype=np.int8)
    res = _core.fingertips_recent_trends(
        _numbers(df, value, order), _numbers(df, lower, order), _numbers(df, upper, order),
        _numbers(df, count, order), _numbers(df, denominator, order), offsets, methods, precheck,
        untested == "fingertips")
    return _result_frame(df, cols, order, offsets, res, pol, period,
                         {"value_type": vt_names, "method": np.array(_METHODS, dtype=object)[res["method"]]})


def pooled_trend(df: pd.DataFrame, *, polarity: Setting = None, group_by=None, points: int = 5,
                 period: str = "period", value: str = "value", lower: str = "lower_ci95",
                 upper: str = "upper_ci95", indicator: str = "indicator_id",
                 year_type: str = "financial") -> pd.DataFrame:
    """Trend test for series of overlapping pooled periods (e.g. life expectancy "2018 - 20").

    Fingertips gives such series no marker because consecutive periods share years. fairer fits
    a straight line through the most recent ``points`` (default 5) periods with value and 95%
    limits by generalised least squares, with the covariance that pooling implies: two m-year
    estimates whose first years are k apart share max(0, m - k) years, correlation
    max(0, m - k) / m (each pooled estimate modelled as the mean of m independent yearly
    estimates of equal variance). The test and the labels follow the Fingertips rules: chi^2 =
    (slope / SE)^2 > 9.5495 (99.8%) and the slope keeping its sign when each point is left out.
    Single-year series (m = 1) give Fingertips' weighted regression. Gaps between periods are
    allowed (the covariance follows the years apart) and reported in ``first_period`` /
    ``last_period``. All periods of a series must have the same length; a repeated period
    raises fairer.DataError. polarity as in :func:`recent_trend`.

    Returns the columns of :func:`recent_trend` with ``method`` = "GLS for overlapping pooled
    periods" and ``pool_years``; ``slope`` is per year.
    """
    _require(df, [period, value, lower, upper])
    cols, order, offsets, kind, months, first = _prepare(df, group_by, period, year_type)
    starts = order[offsets[:-1]]
    pol = _per_group(polarity, "polarity", df, df.iloc[starts], indicator)
    pools = np.zeros(len(starts), dtype=np.int64)
    for g in range(len(starts)):
        k, m = kind[offsets[g]], int(months[offsets[g]])
        if k not in ("year", "pooled_years") or m % 12:
            raise _data_error(f"pooled_trend needs whole-year periods; got {df[period].iloc[starts[g]]!r}",
                              column=period, value=str(df[period].iloc[starts[g]]))
        pools[g] = m // 12
    frames = []
    for m in np.unique(pools):
        sel = np.flatnonzero(pools == m)
        rows = np.concatenate([np.arange(offsets[g], offsets[g + 1]) for g in sel]) if len(sel) else np.array([], int)
        sub_offsets = np.r_[0, np.cumsum(np.diff(offsets)[sel])].astype(np.int64)
        sub_order = order[rows]
        res = _core.pooled_period_trends(_numbers(df, value, sub_order), _numbers(df, lower, sub_order),
                                         _numbers(df, upper, sub_order), first[rows].astype(np.int32),
                                         sub_offsets, int(m), int(points))
        part = _result_frame(df, cols, sub_order, sub_offsets, res, pol[sel], period,
                             {"method": "GLS for overlapping pooled periods", "pool_years": int(m)})
        part.index = sel
        frames.append(part)
    if not frames:
        return _result_frame(df, cols, order, offsets, _core.pooled_period_trends(
            np.empty(0), np.empty(0), np.empty(0), np.empty(0, np.int32), np.zeros(1, np.int64), 1, int(points)),
            pol, period, {"method": "GLS for overlapping pooled periods", "pool_years": 0})
    return pd.concat(frames).sort_index().reset_index(drop=True)
