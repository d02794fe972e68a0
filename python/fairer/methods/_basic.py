"""Proportions, crude rates and means with confidence limits: the OHID methods of Fingertips as
PHEindicatormethods 2.1.0 implements them (phe_proportion, phe_rate, phe_mean), over numpy arrays
and grouped pandas DataFrames. The computation is in C++ (fairer._core; headers
fairer/proportion.hpp, rate.hpp, mean.hpp, confidence_intervals.hpp); this module handles
columns, grouping and the package's output tables.

Conventions shared by the three functions (specs/indicator-methods.md §0):

* ``confidence``: a fraction or a percentage (a value >= 90 is divided by 100), in [0.9, 1); at
  most two levels, and two must be 95% and 99.8% (``(0.95, 0.998)`` or ``(95, 99.8)``), giving
  both sets of limits from one call. ``None`` (or NaN) means no limits.
* ``type``: ``"full"`` (statistics plus the ``confidence``, ``statistic`` and ``method``
  columns), ``"standard"`` (without those three), ``"value"``, ``"lower"`` or ``"upper"`` (only
  that statistic).
* ``group_by``: a column name or a list of them; groups come out sorted by their keys (byte
  order for text, as the package's dplyr C locale).
* Output column names follow the package: ``value``, ``lowercl``/``uppercl`` for one level,
  ``lower95_0cl, upper95_0cl, lower99_8cl, upper99_8cl`` for two.
* The constant text columns (``confidence``, ``statistic``, ``method``) are pandas
  Categoricals: equal to the package's text, and a million rows cost no more than one.

Deliberate differences from the package (each tested in tests/python/test_basic_cases.py):
a grouped input with a single group is aggregated like any other grouping (the package returns
its rows unaggregated); two levels may be given as percentages; 100% is rejected; infinite counts
are rejected; error messages name the group and row.
"""
from __future__ import annotations

import math
import warnings
import numpy as np
import pandas as pd

from fairer import _core

__all__ = ["proportion", "rate", "mean", "StatisticsWarning", "wilson_limits", "byars_limits",
           "exact_poisson_limits", "poisson_count_limits", "z_value"]

_TYPES = ("value", "lower", "upper", "standard", "full")


class StatisticsWarning(UserWarning):
    """A statistic could be computed only in part (for example a mean of one value has no limits)."""


def z_value(confidence: float = 0.95) -> float:
    """Two-sided standard normal quantile z = Phi^-1((1 + c) / 2); ``z_value(0.95)`` is 1.959963984540054."""
    return _core.z_value(confidence)


def wilson_limits(x, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits for proportions x / n (of 1, not multiplied), element-wise over arrays:
    (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)), z = z_value(confidence).
    Reference: Wilson (1927) JASA 22:209. Missing values give missing limits; x < 0, n <= 0 or
    x > n raise fairer.StatisticsError naming the row. Returns (lower, upper)."""
    return _core.wilson_limits(_floats(x), _floats(n), confidence)


def byars_limits(x, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximate Poisson limits for counts x: L = x(1 - 1/(9x) - z/(3 sqrt x))^3,
    U = (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3 (Breslow & Day 1987, vol. II p. 69). A negative
    lower limit is NaN, as in the package. Returns (lower, upper)."""
    return _core.byars_limits(_floats(x), confidence)


def exact_poisson_limits(x, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits for counts x: L = chi2^-1((1-c)/2; 2x)/2 (0 when x = 0),
    U = chi2^-1((1+c)/2; 2x+2)/2 (Garwood 1936). Non-integer x allowed. Returns (lower, upper)."""
    return _core.exact_poisson_limits(_floats(x), confidence)


def poisson_count_limits(x, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Poisson limits for counts x by the package's rule: exact below 10, Byar's from 10."""
    return _core.poisson_count_limits(_floats(x), confidence)


def proportion(data, x, n, *, group_by=None, type: str = "full", confidence=0.95, multiplier: float = 1):
    """Proportions x / n with Wilson score limits (PHEindicatormethods ``phe_proportion``).

    value = x / n * multiplier; limits = Wilson score limits * multiplier (see ``wilson_limits``).
    Reference: Wilson EB (1927) JASA 22:209-212; OHID Fingertips technical guidance.
    Defaults as the package: 95% limits, multiplier 1 (100 gives percentages).

    ``data`` is a DataFrame and ``x``, ``n`` column names, or ``data`` is None and ``x``, ``n``
    are arrays. Ungrouped, every input row is returned with the statistics appended; grouped,
    x and n are summed per group first (a missing value makes the group missing) and one row per
    group is returned (group columns, x, n, statistics). ``statistic`` is "percentage" for
    multiplier 100, else "proportion of <multiplier>"; ``method`` is "Wilson".
    Raises fairer.StatisticsError naming the group and row for x < 0, n <= 0, x > n, infinite
    counts, mismatched lengths, a bad confidence, type or multiplier.
    """
    table, xs, ns, keys, codes, names = _prepare(data, x, n, group_by)
    _check_type(type)
    levels = _levels(confidence)
    res = _core.proportion(xs, ns, levels or [], float(multiplier), codes, names)
    statistic = "percentage" if multiplier == 100 else f"proportion of {_r_number(multiplier)}"
    return _finish(table, res, keys, x, n, levels, type, statistic, "Wilson", group_by is not None)


def rate(data, x, n, *, group_by=None, type: str = "full", confidence=0.95, multiplier: float = 100000):
    """Crude rates x / n * multiplier with Poisson limits for the count (PHEindicatormethods ``phe_rate``).

    Limits: exact (chi-square) when x < 10, Byar's approximation from 10, each divided by n and
    multiplied (see ``exact_poisson_limits``, ``byars_limits``); ``method`` says which ("Exact",
    "Byars", missing when x is missing). x > n is allowed. Defaults as the package: 95%, per 100,000.
    References: Breslow & Day (1987) vol. II p. 69; Garwood (1936) Biometrika 28:437.
    Inputs, grouping and errors as ``proportion`` (without the x <= n rule);
    ``statistic`` is "rate per <multiplier>".
    """
    table, xs, ns, keys, codes, names = _prepare(data, x, n, group_by)
    _check_type(type)
    levels = _levels(confidence)
    res = _core.rate(xs, ns, levels or [], float(multiplier), codes, names)
    method = pd.Categorical.from_codes(res["method"], categories=["Exact", "Byars"])
    statistic = f"rate per {_r_number(multiplier, scientific=False)}"
    return _finish(table, res, keys, x, n, levels, type, statistic, method, group_by is not None)


def mean(data, x, *, group_by=None, type: str = "full", confidence=0.95):
    """Means with Student's t limits (PHEindicatormethods ``phe_mean``), one row per group (one
    row in all when ungrouped).

    value_sum = sum x, value_count = rows (missing ones included, as the package), stdev = sample
    standard deviation, value = value_sum / value_count, limits = value -/+
    t^-1((1+c)/2; value_count - 1) * stdev / sqrt(value_count). Reference: Student (1908)
    Biometrika 6:1. One missing x makes its group's statistics missing. A one-row group has no
    limits: they are NaN and a StatisticsWarning is issued (the package warns too).
    Differences from the package: x must be a numeric column (the package does not check), and
    ``confidence=None`` is refused (a mean without limits is ``numpy.mean``).
    """
    if data is None:
        table = pd.DataFrame({"x": _floats(x)})
        x = "x"
    else:
        table = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    _check_type(type)
    levels = _levels(confidence, allow_none=False)
    xs = _column(table, x)
    keys, codes, names = _groups(table, group_by)
    res = _core.mean(xs, levels, codes, names)
    singles = np.flatnonzero(res["value_count"] == 1)
    if len(singles):
        which = ", ".join(names[i] for i in singles[:5]) if names else "the data"
        warnings.warn(f"a mean of one value has no confidence limits (group {which}): they are NaN",
                      StatisticsWarning, stacklevel=2)
    rows = len(res["value"])
    cols = {} if keys is None else {c: keys[c].to_numpy() for c in keys.columns}
    if type in ("full", "standard"):
        cols.update(value_sum=res["value_sum"], value_count=res["value_count"], stdev=res["stdev"])
    if type != "lower" and type != "upper":
        cols["value"] = res["value"]
    cols.update(_limit_columns(res, levels, type))
    if type == "full":
        cols.update(_metadata(rows, levels, "mean", "Student's t-distribution"))
    return pd.DataFrame(cols, copy=False)


# ---------------------------------------------------------------------------------------------

def _floats(v) -> np.ndarray:
    """A float64 array, without copying when v already is one."""
    return np.asarray(v, dtype=np.float64)


def _column(table: pd.DataFrame, name) -> np.ndarray:
    if name not in table.columns:
        raise _statistics_error(f"no column {name!r} in the data (columns: {', '.join(map(str, table.columns))})")
    col = table[name]
    if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
        raise _statistics_error(f"column {name!r} must be numeric, not {col.dtype}")
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def _statistics_error(message: str) -> Exception:
    # Same type and message prefix as the errors raised by the compiled core.
    return _core.StatisticsError(f"[fairer.statistics] {message}")


def _prepare(data, x, n, group_by):
    if data is None:
        xs, ns = _floats(x), _floats(n)
        if xs.shape != ns.shape:
            raise _statistics_error(f"x and n lengths differ: {xs.size} and {ns.size}")
        table = pd.DataFrame({"x": xs, "n": ns}, copy=False)
        x, n = "x", "n"
    else:
        table = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        xs, ns = _column(table, x), _column(table, n)
    keys, codes, names = _groups(table, group_by)
    return table, xs, ns, keys, codes, names


def _groups(table: pd.DataFrame, group_by):
    """(key table, code per row, group names) or (None, None, None) when ungrouped."""
    if group_by is None:
        return None, None, None
    by = [group_by] if isinstance(group_by, str) else list(group_by)
    for c in by:
        if c not in table.columns:
            raise _statistics_error(f"no group column {c!r} in the data")
    grouped = table.groupby(by, sort=True, dropna=False)
    codes = grouped.ngroup().to_numpy(dtype=np.uint32)
    index = grouped.size().index
    keys = index.to_frame(index=False) if isinstance(index, pd.MultiIndex) else pd.DataFrame({by[0]: index.to_numpy()})
    names = [", ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in index]
    return keys, codes, names


def _check_type(type: str) -> None:
    if type not in _TYPES:
        raise _statistics_error(f"type must be one of value, lower, upper, standard or full, got {type!r}")


def _levels(confidence, allow_none: bool = True):
    """The package's confidence argument as fractions, or None (None or NaN) for no limits."""
    if confidence is None or (np.ndim(confidence) == 0 and math.isnan(float(confidence))):
        if allow_none:
            return None
        raise _statistics_error("a confidence level is required")
    values = [float(confidence)] if np.ndim(confidence) == 0 else [float(c) for c in confidence]
    return list(_core.indicator_confidence_levels(values))


def _r_number(v: float, scientific: bool = True) -> str:
    """A number as R prints it by default (15 significant digits; 1e+05 when shorter, unless
    scientific=False), for the package's statistic labels."""
    v = float(v)
    fixed = f"{v:.15g}" if abs(v) < 1e15 else f"{v:.0f}"
    if "e" in fixed:
        fixed = np.format_float_positional(v, trim="-")
    if not scientific or v == 0:
        return fixed
    mantissa, exponent = f"{v:.15e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    sci = f"{mantissa}e{int(exponent):+03d}"
    return sci if len(sci) < len(fixed) else fixed


def _level_label(c: float) -> str:
    return f"{c * 100:.15g}"


def _limit_columns(res: dict, levels, type: str) -> dict:
    if levels is None or type == "value":
        return {}
    out = {}
    names = [("lowercl", "uppercl")] if len(levels) == 1 else [
        (f"lower{_suffix(c)}cl", f"upper{_suffix(c)}cl") for c in levels]
    for (lo, hi), lower, upper in zip(names, res["lower"], res["upper"]):
        if type != "upper":
            out[lo] = lower
        if type != "lower":
            out[hi] = upper
    return out


def _suffix(c: float) -> str:
    return f"{c * 100:.1f}".replace(".", "_")


def _constant(rows: int, text: str) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), categories=[text])


def _metadata(rows: int, levels, statistic: str, method) -> dict:
    out = {}
    if levels is not None:
        out["confidence"] = _constant(rows, ", ".join(f"{_level_label(c)}%" for c in levels))
    out["statistic"] = _constant(rows, statistic)
    if levels is not None:
        out["method"] = method if isinstance(method, pd.Categorical) else _constant(rows, method)
    return out


def _finish(table, res, keys, x, n, levels, type, statistic, method, grouped):
    if levels is None and type in ("lower", "upper"):
        # The package fails obscurely here (it drops columns that do not exist); say why instead.
        raise _statistics_error(f"type {type!r} needs confidence limits, but confidence is None")
    rows = len(res["value"])
    if grouped:
        cols = {c: keys[c].to_numpy() for c in keys.columns}
        cols[x] = res["numerator"]
        cols[n] = res["denominator"]
    else:
        cols = {c: table[c].to_numpy() for c in table.columns}
    if type not in ("lower", "upper"):
        cols["value"] = res["value"]
    cols.update(_limit_columns(res, levels, type))
    if type == "full":
        cols.update(_metadata(rows, levels, statistic, method))
    return pd.DataFrame(cols, copy=False)
