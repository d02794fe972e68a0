"""Life expectancy by Chiang's abridged life table with Silcocks' final-band variance, grouped over
areas, with the columns, suppression rules and warnings of PHEindicatormethods 2.1.0's
``phe_life_expectancy`` (specs/indicator-methods.md §7). The arithmetic is in the C++ core
(``fairer::life_expectancy_chiang``); this module handles labels, grouping and the output table.
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from fairer import _core

#: Start ages of the 20 standard bands: 0, 1-4, 5-9, ..., 85-89, 90+ (the package's default
#: ``age_contents``).
STANDARD_AGE_BANDS = (0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)

METHOD = "Chiang, using Silcocks et al for confidence limits"
_TYPES = ("full", "standard", "value", "lower", "upper")
_FIRST_NUMBER = re.compile(r"\D*(\d+)")
# Short descriptions of the suppression rules (codes of fairer::LifeTableCheck) for strict mode.
_PROBLEMS = {
    1: "negative deaths",
    2: "a population of zero or less",
    3: "a number of age bands other than 20",
    4: "more deaths than population",
    5: "a total population of 5,000 or less",
    6: "missing deaths or population",
}


class LifeExpectancyWarning(UserWarning):
    """Some life expectancies were suppressed (set to NaN) or an argument was ignored; the message
    is PHEindicatormethods' own, followed by the groups concerned."""


def _label(value) -> str:
    """An age band as text, as R's as.character gives it (5 and 5.0 are both "5")."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return str(int(v)) if np.isfinite(v) and v.is_integer() else repr(v)
    return str(value)


def _start_age(label: str) -> int:
    """The start age of a band label: its first run of digits ("10 - 14" -> 10, "90 +" -> 90)."""
    m = _FIRST_NUMBER.match(label)
    if m is None:
        raise _core.StatisticsError(f"age band {label!r} has no start age (a label must contain a number)")
    return int(m.group(1))


def _as_list(value) -> list:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _confidence_levels(confidence) -> list[float]:
    try:
        levels = [float(c) for c in _as_list(confidence)]
    except (TypeError, ValueError):
        raise _core.StatisticsError(
            f"all confidence levels must be between 90 and 100 or between 0.9 and 1; got {confidence!r}") from None
    return list(_core.life_expectancy_confidence(levels))


def _level_name(c: float) -> str:
    return f"{c * 100:.1f}".replace(".", "_")


def _numeric_column(df: pd.DataFrame, name: str) -> np.ndarray:
    try:
        return np.asarray(df[name], dtype=np.float64)
    except (TypeError, ValueError):
        raise _core.StatisticsError(f"column {name!r} must be numeric") from None


def _group_names(names: list[str], groups: np.ndarray) -> str:
    shown = ", ".join(repr(names[g]) for g in groups[:5])
    more = f" and {len(groups) - 5} more" if len(groups) > 5 else ""
    return f"{'group' if len(groups) == 1 else 'groups'} {shown}{more}"


def _as_frame(data, deaths, population, startage, group_by):
    """The input as a DataFrame plus the column names; numpy arrays are wrapped (column names
    "startage", "deaths", "population" and "group")."""
    if data is not None:
        if not isinstance(data, pd.DataFrame):
            raise TypeError("data must be a pandas DataFrame (or None with deaths, population and startage arrays)")
        group_cols = [] if group_by is None else _as_list(group_by)
        for role, col in [("deaths", deaths), ("population", population), ("startage", startage)] + \
                [("group_by", c) for c in group_cols]:
            if col not in data.columns:
                raise _core.StatisticsError(f"{role} column {col!r} is not in the data")
        return data, deaths, population, startage, group_cols
    if isinstance(group_by, str) or (group_by is not None and not isinstance(group_by, Iterable)):
        raise TypeError("without data, group_by must be an array of group keys, one per row")
    columns = {"startage": np.asarray(startage), "deaths": np.asarray(deaths), "population": np.asarray(population)}
    if group_by is not None:
        columns["group"] = np.asarray(group_by)
    lengths = {k: len(v) for k, v in columns.items()}
    if len(set(lengths.values())) > 1:
        raise _core.StatisticsError(f"arrays of different lengths: {lengths}")
    return pd.DataFrame(columns), "deaths", "population", "startage", ([] if group_by is None else ["group"])


def life_expectancy(data, deaths, population, startage, *, group_by=None, age_contents=None, le_age="all",
                    type="full", confidence=0.95, strict=False) -> pd.DataFrame:
    """Life expectancy at the start of each age band with confidence limits, per group, by Chiang's
    abridged life table (method II) with Silcocks et al's variance for the final, open band: the
    method of OHID's Life Expectancy Calculator and of PHEindicatormethods' ``phe_life_expectancy``.

    Formula (band i of 20, start age s_i, deaths D_i, population P_i): M_i = D_i / P_i;
    n_i = s_{i+1} - s_i; a_i = 0.1 for age 0, else 0.5; q_i = n_i M_i / (1 + n_i M_i (1 - a_i))
    (1 if D_i > P_i / n_i / a_i); l_1 = 100000, l_{i+1} = l_i (1 - q_i); L_i = n_i (l_{i+1} + a_i d_i),
    L_20 = l_20 / M_20; e_i = sum_{j>=i} L_j / l_i; var: q_i^2 (1 - q_i) / D_i weighted by
    l_i^2 ((1 - a_i) n_i + e_{i+1})^2, final band (l_20 / 2)^2 4 / (D_20 M_20^2);
    limits e_i -/+ z SE_i. References: Chiang CL (1968) Introduction to Stochastic Processes in
    Biostatistics 189-214; Silcocks PBS et al, J Epidemiol Community Health 2001;55:38-43.

    Parameters
    ----------
    data : pandas.DataFrame, or None to pass numpy arrays as deaths, population and startage
        (and, optionally, group keys as ``group_by``).
    deaths, population, startage : column names in ``data`` (or arrays when data is None).
        ``startage`` holds the age band labels: numbers (0, 1, 5, ...) or text such as "10 - 14";
        the start age is the first number in the label.
    group_by : column name or list of names; one life table per group (default: the whole data is
        one life table, and a failed check returns the input with NaN ``value``, ``lowercl`` and
        ``uppercl``, as the package does).
    age_contents : the age band labels in ascending order (default :data:`STANDARD_AGE_BANDS`). The
        first must start at 0, and the labels in ``startage`` must be exactly these.
    le_age : "all" (default) or one or more labels of ``age_contents`` to keep.
    type : "full" (default; adds ``pops_used``, ``dths_used``, ``confidence``, ``statistic`` and
        ``method``), "standard" (value and limits), "value", "lower" or "upper".
    confidence : a level or a sequence of levels, each a fraction in [0.9, 1) or a percentage in
        [90, 100); default 0.95. One level gives ``lowercl``/``uppercl``; several give
        ``lower95_0cl, lower99_8cl, ..., upper95_0cl, upper99_8cl``.
    strict : if True, raise StatisticsError for a group the package would suppress instead of
        warning (default False, the package's behaviour).

    Returns
    -------
    pandas.DataFrame: the input columns except deaths and population (in age order within each group,
    groups in sorted key order, suppressed groups last), then ``value``, the limits and, for
    ``type="full"``, ``pops_used`` and ``dths_used`` (population and deaths in the band and all
    older bands), ``confidence`` ("95%"), ``statistic`` ("life expectancy at <band>") and ``method``.

    Suppression (a :class:`LifeExpectancyWarning` each, naming the groups; the values are NaN): a
    group with negative deaths, a population of zero or less, other than 20 bands, more deaths than
    population in a band, or a total population of 5,000 or less; and a single value whose 95%
    interval is wider than 20 years (its limits are kept). With no deaths aged 90+ the values are
    NaN. Differences from the package: a group with missing deaths or population is suppressed too
    (the package returns wrong finite values for it); ``type`` is validated and "value", "lower" and
    "upper" keep those columns (the package treats any type but "full" as "standard"); a mix of
    fraction and percent levels is accepted; 100% and missing start ages are errors.

    Raises
    ------
    fairer.StatisticsError: first age band not 0, bands not ascending, a confidence level out of
    range, start age labels not matching ``age_contents``, a repeated band within a group, infinite
    counts, a bad ``type``; messages name the group and row where there is one.
    """
    df, deaths, population, startage, group_cols = _as_frame(data, deaths, population, startage, group_by)
    if type not in _TYPES:
        raise _core.StatisticsError("type must be one of value, lower, upper, standard or full")

    contents = [_label(v) for v in (STANDARD_AGE_BANDS if age_contents is None else _as_list(age_contents))]
    if not contents:
        raise _core.StatisticsError("age_contents is empty")
    starts = [_start_age(label) for label in contents]
    if starts[0] != 0:
        raise _core.StatisticsError("first age band in age_contents must be 0")
    ordered = sorted(starts)
    if starts != ordered:
        misplaced = ", ".join(c for c, s, o in zip(contents, starts, ordered) if s != o)
        raise _core.StatisticsError("age_contents doesn't appear to be in ascending order; "
                                    f"the following age bands appear out of position: {misplaced}")
    levels = _confidence_levels(confidence)

    codes, uniques = pd.factorize(df[startage], use_na_sentinel=True)
    if (codes < 0).any():
        raise _core.StatisticsError(f"missing start age in row index {int(np.flatnonzero(codes < 0)[0])}")
    labels = [_label(u) for u in uniques]
    if len(set(contents)) != len(contents) or set(labels) != set(contents):
        absent = [c for c in contents if c not in set(labels)]
        extra = sorted(set(labels) - set(contents))
        raise _core.StatisticsError(
            "the contents in the startage field do not match the contents of the age_contents vector"
            f" (bands missing from the data: {absent}; labels not in age_contents: {extra}"
            f"{'; age_contents repeats a band' if len(set(contents)) != len(contents) else ''})")
    start_of = dict(zip(contents, starts))
    unique_start = np.array([start_of[label] for label in labels], dtype=np.float64)
    row_start = unique_start[codes]

    if group_cols:
        gcodes = df.groupby(group_cols, sort=True, dropna=False).ngroup().to_numpy()
    else:
        gcodes = np.zeros(len(df), dtype=np.int64)
    order = np.lexsort((row_start, gcodes))
    g_sorted = gcodes[order]
    n_groups = int(g_sorted[-1]) + 1 if len(g_sorted) else 0
    offsets = np.zeros(n_groups + 1, dtype=np.uint32)
    np.cumsum(np.bincount(g_sorted, minlength=n_groups), out=offsets[1:])
    if group_cols:
        firsts = df[group_cols].to_numpy()[order[offsets[:-1]]]
        names = [", ".join(str(k) for k in key) for key in firsts]
    else:
        names = ["all rows"] if n_groups else []

    res = _core.life_expectancy_chiang(_numeric_column(df, deaths)[order], _numeric_column(df, population)[order],
                                       row_start[order], offsets, levels, names, order)

    checks = res["group_check"]
    messages = _core.life_table_check_messages
    for code in range(1, len(messages)):
        bad = np.flatnonzero(checks == code)
        if len(bad) == 0:
            continue
        if strict:
            g = bad[0]
            row = int(order[res["group_problem_row"][g]]) if res["group_problem_row"][g] < len(order) else None
            where = f", row index {row}" if row is not None and code != 3 and code != 5 else ""
            raise _core.StatisticsError(f"life expectancy: group {names[g]!r}{where}: {_PROBLEMS[code]}")
        suffix = f" ({_group_names(names, bad)})" if group_cols else ""
        warnings.warn(messages[code] + suffix, LifeExpectancyWarning, stacklevel=2)
        if not group_cols:
            # The package returns the input at once, sorted by age, with NA value and limits.
            out = df.iloc[order].reset_index(drop=True)
            return out.assign(value=np.nan, lowercl=np.nan, uppercl=np.nan)
    if res["wide_interval_count"]:
        warnings.warn(_core.life_expectancy_wide_interval_message, LifeExpectancyWarning, stacklevel=2)

    # Computed groups first, then the suppressed ones by rule, each in key order (the package's order).
    perm = np.argsort(checks[g_sorted], kind="stable")
    rows = order[perm]
    lower_names = ["lowercl"] if len(levels) == 1 else [f"lower{_level_name(c)}cl" for c in levels]
    upper_names = ["uppercl"] if len(levels) == 1 else [f"upper{_level_name(c)}cl" for c in levels]
    new = {"value": res["value"][perm]}
    for k, name in enumerate(lower_names):
        new[name] = res["lower"][k][perm]
    for k, name in enumerate(upper_names):
        new[name] = res["upper"][k][perm]
    new["pops_used"] = res["pops_used"][perm]
    new["dths_used"] = res["dths_used"][perm]
    new["confidence"] = ", ".join(f"{c * 100:.15g}%" for c in levels)
    statistic = np.array([f"life expectancy at {label}" for label in labels], dtype=object)
    new["statistic"] = statistic[codes[rows]]
    new["method"] = METHOD

    if not (isinstance(le_age, str) and le_age == "all"):
        wanted = {_label(v) for v in _as_list(le_age)}
        if not any(c in wanted for c in contents):
            warnings.warn("le_age not in the vector described by age_contents; all life expectancies will be returned",
                          LifeExpectancyWarning, stacklevel=2)
        else:
            keep_label = np.array([label in wanted for label in labels])
            keep = keep_label[codes[rows]]
            rows = rows[keep]
            new = {k: (v[keep] if isinstance(v, np.ndarray) else v) for k, v in new.items()}

    kept = {"full": list(new), "standard": ["value"] + lower_names + upper_names, "value": ["value"],
            "lower": lower_names, "upper": upper_names}[type]
    base = df[[c for c in df.columns if c not in (deaths, population)]].iloc[rows].reset_index(drop=True)
    extra = pd.DataFrame({k: new[k] for k in kept}, index=base.index)
    return pd.concat([base, extra], axis=1)
