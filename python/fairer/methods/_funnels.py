"""Funnel plots for proportions, ratios and rates: the control limits to draw, the significance of
each area against them and the rate points to plot, as PHEindicatormethods 2.1.0's
``calculate_funnel_limits``, ``assign_funnel_significance`` and ``calculate_funnel_points``
(specs/indicator-methods.md §10), with the package's argument names, checks, messages and output
columns. The arithmetic is in the C++ core (``include/fairer/funnels.hpp``); this module handles
columns, argument checks and the output tables.

Differences from the package, on purpose:

* inputs it turns into meaningless limits are rejected with :class:`fairer.StatisticsError` naming
  the row: negative or infinite numerators, denominators <= 0, a proportion above 1, a rate that
  is missing or <= 0 on a record with events;
* a ratio record with a missing observed or expected value gets a missing significance (the
  package stops with an R error);
* an unknown ``statistic`` gets the same message as a missing one, and ``rate_type`` /
  ``ratio_type`` / ``type`` must be spelt in full (R's ``match.arg`` also takes prefixes).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from fairer import _core

#: The package's significance labels, in the order of its factor levels.
SIGNIFICANCE_LEVELS = ("High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)", "Not significant")
#: The extra label for rates: dsrs from fewer than 10 events are not assessed.
NOT_APPLICABLE = "Not applicable for events less than 10 for dsrs"

_STATISTICS = ("proportion", "ratio", "rate")
_STATISTIC_MESSAGE = "statistic must be provided as proportion, rate or ratio"


def _error(message: str) -> Exception:
    e = _core.StatisticsError(f"[fairer.statistics] {message}")
    e.id = "statistics"
    return e


def _missing(*values) -> bool:
    return any(v is None for v in values)


def _frame(data) -> pd.DataFrame | None:
    if data is None or isinstance(data, pd.DataFrame):
        return data
    return pd.DataFrame(data)


def _values(data, arg, role: str) -> np.ndarray | None:
    """A numeric column: named in ``data`` when ``arg`` is a string, else an array-like itself.
    Missing values (None, NaN, pandas NA) become NaN."""
    if arg is None:
        return None
    if isinstance(arg, str):
        if data is None:
            raise _error(f"{role} is given as a column name ({arg!r}) but no data frame was given")
        if arg not in data.columns:
            raise _error(f"{role} column {arg!r} is not in the data")
        series = data[arg]
    else:
        series = pd.Series(np.asarray(arg) if not isinstance(arg, pd.Series) else arg)
    try:
        numeric = pd.to_numeric(series, errors="raise")
    except (TypeError, ValueError):
        raise _error(f"{role} {arg!r} must be numeric") from None
    out = numeric.to_numpy(dtype=float, na_value=np.nan)
    if out.ndim != 1:
        raise _error(f"{role} must be one-dimensional")
    return np.ascontiguousarray(out)


def _check_lengths(data, **columns) -> None:
    sizes = {k: len(v) for k, v in columns.items() if v is not None}
    if data is not None:
        sizes["data"] = len(data)
    if len(set(sizes.values())) > 1:
        raise _error("the inputs have different lengths: " + ", ".join(f"{k} {n}" for k, n in sizes.items()))


def _check_choice(name: str, value, choices) -> str:
    if value not in choices:
        raise _error(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _number(name: str, value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _error(f"{name} must be a number; got {value!r}") from None


def _format_multiplier(m: float) -> str:
    """R's format(m, big.mark = ",", scientific = FALSE): 100000 -> "100,000", 0.5 -> "0.5"."""
    if float(m).is_integer():
        return f"{int(m):,}"
    whole, _, fraction = f"{m:.7g}".partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def _base_frame(data, **columns) -> pd.DataFrame:
    if data is not None:
        return data.copy()
    return pd.DataFrame({k: v for k, v in columns.items() if v is not None})


def funnel_limits(data, numerator, denominator=None, rate=None, *, type="full", multiplier=None, statistic=None,
                  ratio_type=None, rate_type=None, years_of_data=None) -> pd.DataFrame:
    """Control limits for a funnel plot: a new table of 100 points along the x axis with the 95%
    ("2s", 0.025 each side) and 99.8% ("3s", 0.001 each side) limits around the overall average,
    as PHEindicatormethods' ``calculate_funnel_limits``. The input rows are not returned.

    ``data`` is a DataFrame whose columns ``numerator``, ``denominator`` and ``rate`` name, or None
    with those given as arrays. ``statistic`` (required) chooses the method:

    * ``"proportion"`` (needs ``numerator``, ``denominator``, ``multiplier``): average
      p̄ = Σnumerator / Σdenominator; at each ``Population`` N the proportion whose Wilson score
      limit just touches p̄ (Spiegelhalter 2005, Stat Med 24:1185), times ``multiplier``, the lower
      limits floored at 0 and the upper ones capped at 100 (the package's cap, whatever the
      multiplier). Columns: Population, lower_2s_limit, upper_2s_limit, lower_3s_limit,
      upper_3s_limit, baseline (= p̄ · multiplier).
    * ``"ratio"`` (needs ``numerator`` = observed, ``denominator`` = expected, ``ratio_type``
      "count" or "isr", ``multiplier``, which the package requires but does not use): at each
      ``Observed_events`` O the expected counts E at which O lies on the Poisson tail (Fingertips
      macro bisection, accurate to about 1e-6) and the limits O / E, minus 1 for "count", times
      100 for "isr". Columns: Observed_events, then ``*_exp_events`` and ``*_limit`` for lower_2s,
      upper_2s, lower_3s, upper_3s.
    * ``"rate"`` (needs ``numerator``, ``rate``, ``rate_type`` "dsr" or "crude", ``multiplier``
      such as 100000, ``years_of_data``; ``denominator`` for records with 0 events): derived
      denominators multiplier · O / rate give the average rate r̄; at each number of ``Events`` E
      the Poisson mean λ on each tail gives ``*_population_1_year`` = λ / r̄ / years_of_data and
      ``*_limit`` = E / (λ / r̄) · multiplier; ``baseline`` = r̄ · multiplier.

    The axis runs from a rounded-down smallest denominator (0 when the largest is more than twice
    the smallest) to a rounded-up largest one, with the package's rounding and point spacing.
    ``type="full"`` (default) adds ``statistic`` (e.g. "proportion", "ratio (isr)",
    "rate (dsr per 100,000)") and ``method`` ("Wilson" or "Poisson"); ``"standard"`` omits them.
    Raises :class:`fairer.StatisticsError` with the package's message for missing arguments and
    bad input (naming the row).
    """
    data = _frame(data)
    if statistic is None or statistic not in _STATISTICS:
        raise _error(_STATISTIC_MESSAGE)
    if statistic == "rate":
        if _missing(numerator, rate, rate_type, years_of_data, multiplier):
            raise _error("the following arguments are required for rates: "
                         "data, numerator, rate, rate_type, multiplier, years_of_data")
    elif statistic == "ratio":
        if _missing(numerator, denominator, ratio_type, multiplier):
            raise _error("the following arguments are required for ratios: "
                         "data, numerator, denominator, ratio_type, multiplier")
    elif _missing(numerator, denominator, multiplier):
        raise _error("the following arguments are required for proportions: "
                     "data, numerator, denominator, multiplier")
    _check_choice("type", type, ("full", "standard"))
    m = _number("multiplier", multiplier)
    x = _values(data, numerator, "numerator")
    n = _values(data, denominator, "denominator")

    if statistic == "proportion":
        _check_lengths(data, numerator=x, denominator=n)
        out = _core.funnel_proportion_limits(x, n, m)
        label, method = "proportion", "Wilson"
    elif statistic == "ratio":
        _check_choice("ratio_type", ratio_type, ("count", "isr"))
        _check_lengths(data, numerator=x, denominator=n)
        out = _core.funnel_ratio_limits(x, n, ratio_type)
        label, method = f"ratio ({ratio_type})", "Poisson"
    else:
        r = _values(data, rate, "rate")
        _check_lengths(data, numerator=x, rate=r, denominator=n)
        _check_choice("rate_type", rate_type, ("dsr", "crude"))
        out = _core.funnel_rate_limits(x, r, n, rate_type, m, _number("years_of_data", years_of_data))
        label, method = f"rate ({rate_type} per {_format_multiplier(m)})", "Poisson"

    baseline = out.pop("baseline", None)
    table = pd.DataFrame(out)
    if baseline is not None:
        table["baseline"] = baseline
    if type == "full":
        table["statistic"] = label
        table["method"] = method
    return table


def funnel_significance(data, numerator, denominator=None, rate=None, *, statistic=None, rate_type=None,
                        multiplier=None) -> pd.DataFrame:
    """Whether each record lies outside the funnel plot's 95% and 99.8% control limits around the
    overall average, as PHEindicatormethods' ``assign_funnel_significance``: the input table (a
    copy, or a table of the given arrays) with a categorical ``significance`` column, levels
    "High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)", "Not significant" (and, for
    rates, "Not applicable for events less than 10 for dsrs").

    * ``statistic="proportion"`` (``numerator``, ``denominator``): x/n against the Wilson funnel
      limits around Σx/Σn at the record's own n; outside 99.8% is "(0.001)", outside 95% "(0.025)".
    * ``"ratio"`` (``numerator`` = observed O, ``denominator`` = expected E): 1 against the Poisson
      limits of O (exact below 10 events, Byar's from 10) divided by E. A record with O or E
      missing gets a missing label.
    * ``"rate"`` (``numerator``, ``rate``, ``rate_type`` "dsr"/"crude", ``multiplier``;
      ``denominator`` for records with 0 events): as for ratios with E the derived denominator
      multiplier · O / rate and the reference the average ΣO / ΣE; dsrs from fewer than 10 events
      are "Not applicable ...".

    Raises :class:`fairer.StatisticsError` with the package's messages (naming the row).
    """
    data = _frame(data)
    if statistic is None or statistic not in _STATISTICS:
        raise _error(_STATISTIC_MESSAGE)
    if statistic == "rate":
        if _missing(numerator, rate, rate_type, multiplier):
            raise _error("the following arguments are required for rates: "
                         "data, numerator, rate, rate_type, multiplier")
    elif _missing(numerator, denominator):
        raise _error("the following arguments are required for ratios and proportions: "
                     "data, numerator, denominator")
    x = _values(data, numerator, "numerator")
    n = _values(data, denominator, "denominator")
    levels = list(SIGNIFICANCE_LEVELS)
    if statistic == "proportion":
        _check_lengths(data, numerator=x, denominator=n)
        codes = _core.funnel_proportion_significance(x, n)
    elif statistic == "ratio":
        _check_lengths(data, numerator=x, denominator=n)
        codes = _core.funnel_ratio_significance(x, n)
    else:
        r = _values(data, rate, "rate")
        _check_lengths(data, numerator=x, rate=r, denominator=n)
        _check_choice("rate_type", rate_type, ("dsr", "crude"))
        codes = _core.funnel_rate_significance(x, r, n, rate_type, _number("multiplier", multiplier))
        levels.append(NOT_APPLICABLE)
    table = _base_frame(data, numerator=x, denominator=n)
    table["significance"] = pd.Categorical.from_codes(codes.astype(np.int64), categories=levels)
    return table


def funnel_points(data, numerator, denominator=None, rate=None, *, rate_type=None, years_of_data=None,
                  multiplier=None) -> pd.DataFrame:
    """The points to plot on a rate funnel, as PHEindicatormethods' ``calculate_funnel_points``:
    the input table (a copy, or a table of the given arrays) with ``<rate>_chart`` (the rate, or
    NaN for a dsr from fewer than 10 events) and ``denominator_derived``, the population per year
    (multiplier · numerator / rate) / years_of_data, NaN for a dsr from fewer than 10 events and
    denominator / years_of_data for a crude rate with 0 events. ``rate_type`` is "dsr" or "crude";
    ``numerator``, ``rate``, ``rate_type``, ``years_of_data`` and ``multiplier`` are required, and
    ``denominator`` where a record has 0 events. A missing numerator or rate gives NaN for that
    row. Raises :class:`fairer.StatisticsError` with the package's messages (naming the row).
    """
    data = _frame(data)
    if _missing(numerator, rate, rate_type, years_of_data, multiplier):
        raise _error("the following arguments are required for rates: "
                     "data, numerator, rate, rate_type, years_of_data, multiplier")
    _check_choice("rate_type", rate_type, ("dsr", "crude"))
    x = _values(data, numerator, "numerator")
    r = _values(data, rate, "rate")
    n = _values(data, denominator, "denominator")
    _check_lengths(data, numerator=x, rate=r, denominator=n)
    chart, derived = _core.funnel_rate_points(x, r, n, rate_type, _number("multiplier", multiplier),
                                              _number("years_of_data", years_of_data))
    table = _base_frame(data, numerator=x, rate=r, denominator=n)
    table[f"{rate if isinstance(rate, str) else 'rate'}_chart"] = chart
    table["denominator_derived"] = derived
    return table


__all__ = ["funnel_limits", "funnel_significance", "funnel_points", "SIGNIFICANCE_LEVELS", "NOT_APPLICABLE"]
