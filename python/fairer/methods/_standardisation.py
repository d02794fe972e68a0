"""Age standardisation: directly standardised rates (Dobson limits) and indirectly standardised
ratios and rates (Byar's or exact limits), as PHEindicatormethods 2.1.0 computes them
(``calculate_dsr``, ``phe_dsr``, ``calculate_ISRatio``, ``calculate_ISRate``; see
specs/indicator-methods.md §5-6). The arithmetic is fairer's C++ core
(``fairer/standardisation.hpp``); this module handles the package's arguments and returns pandas
DataFrames with the package's column names.

Inputs are either a pandas DataFrame with column names for ``x``, ``n``, ... (``group_by`` a
column name or list of names), or, with ``data=None``, numpy arrays (``group_by`` then an array of
group labels, one per row; the output's key column is then called ``group``). Results come one
row per group, groups sorted by their keys (byte order for text, as dplyr's C locale).

Deliberate differences from the package:

* ``confidence=(95, 99.8)`` is accepted as well as ``(0.95, 0.998)``; a level of exactly 1 (100%)
  is rejected because its limits are infinite (the rule all fairer's indicator methods share).
* Non-finite counts or populations are errors, ISR reference populations must be positive and
  reference counts non-negative (the package divides by zero silently), and a multiplier or
  refvalue must be a positive finite number (the package does not check refvalue).
* Error messages start with the package's message and add the group and row index (0-based).
* ``observed_totals`` is joined on the grouping columns only (the package joins on every column
  name the two tables share).
* For ISR with reference values given as columns (``refpoptype="field"``) groups may have
  different numbers of rows (the package requires equal numbers even though nothing is matched by
  position then).
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from fairer import _core

__all__ = ["dsr", "isratio", "israte", "esp2013", "StandardPopulation"]

StandardPopulation = _core.StandardPopulation
esp2013 = _core.esp2013
_TYPES = ("value", "lower", "upper", "standard", "full")


# --------------------------------------------------------------------------------------------
# Argument handling shared by the three functions


def _error(message: str) -> Exception:
    # Same type and message prefix as the errors raised by the compiled core.
    return _core.StatisticsError(f"[fairer.statistics] {message}")


def _levels(confidence) -> list[float]:
    """The package's confidence rule (spec §0.1), shared with the other indicator methods
    (fairer::indicator_confidence_levels): one level, as a fraction (0.9 to 1) or a percentage
    (90 to 100), or the pair 0.95 and 0.998. 100% is excluded (its limits are infinite), and the
    pair may also be given as percentages (95, 99.8), which the package rejects. Returns fractions."""
    if confidence is None or isinstance(confidence, (str, bool)):
        raise _error("confidence must be numeric")
    values = [confidence] if np.ndim(confidence) == 0 else list(np.asarray(confidence).ravel())
    for c in values:
        if isinstance(c, (str, bool, np.bool_)) or not isinstance(c, numbers.Real) or np.isnan(c):
            raise _error(f"confidence must be numeric, got {c!r}")
    if not values:
        raise _error("confidence must be numeric, got no value")
    return list(_core.indicator_confidence_levels([float(c) for c in values]))


def _limit_names(levels: list[float]) -> tuple[list[str], list[str], str]:
    """Output column names of the lower and upper limits, and the text of the confidence column."""
    if len(levels) == 1:
        return ["lowercl"], ["uppercl"], f"{levels[0] * 100:.15g}%"
    return ["lower95_0cl", "lower99_8cl"], ["upper95_0cl", "upper99_8cl"], "95%, 99.8%"


def _check_type(type: str) -> None:
    if type not in _TYPES:
        raise _error("type must be one of value, lower, upper, standard or full")


def _positive_number(value, name: str) -> float:
    if isinstance(value, (str, bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise _error(f"{name} must be numeric, got {value!r}")
    value = float(value)
    if not value > 0 or not np.isfinite(value):
        raise _error(f"{name} must be greater than 0, got {value:g}")
    return value


def _format_number(value: float) -> str:
    """R's format(x, scientific = FALSE) for the statistic text: 100000, not 1e+05."""
    if float(value).is_integer():
        return str(int(value))
    return np.format_float_positional(value, precision=7, unique=False, fractional=False, trim="-")


def _column(data: pd.DataFrame | None, arg, name: str) -> np.ndarray:
    """A numeric argument as a float64 array: a column of data named by arg, or arg itself as an
    array when data is None. Missing values become NaN."""
    if data is not None:
        if not isinstance(arg, str) or arg not in data.columns:
            raise _error(f"{name} is not a field name from data: {arg!r}")
        col = data[arg]
        if not pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
            raise _error(f"field {name} must be numeric: column {arg!r} has type {col.dtype}")
        if col.dtype == np.float64:
            return col.to_numpy()
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        out = np.asarray(arg, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise _error(f"field {name} must be numeric: {e}") from None
    if out.ndim != 1:
        raise _error(f"{name} must be one-dimensional, got shape {out.shape}")
    return out


class _Groups:
    """Group codes per row (uint32, None when ungrouped), a name per group for messages, and the
    key columns of the output."""

    def __init__(self, codes, names, keys: pd.DataFrame):
        self.codes = codes
        self.names = names
        self.keys = keys

    @property
    def count(self) -> int:
        return len(self.names) if self.codes is not None else 1


def _groups(data: pd.DataFrame | None, group_by, rows: int) -> _Groups:
    if group_by is None or (isinstance(group_by, (list, tuple)) and len(group_by) == 0):
        return _Groups(None, [], pd.DataFrame(index=range(1)))
    if data is None:
        labels = np.asarray(group_by)
        if labels.ndim != 1 or len(labels) != rows:
            raise _error(f"group_by must hold one label per row: {len(labels)} labels for {rows} rows")
        codes, uniques = pd.factorize(labels, sort=True, use_na_sentinel=False)
        return _Groups(codes.astype(np.uint32), [str(u) for u in uniques],
                       pd.DataFrame({"group": np.asarray(uniques)}))
    cols = [group_by] if isinstance(group_by, str) else list(group_by)
    for c in cols:
        if c not in data.columns:
            raise _error(f"group_by column {c!r} is not a field name from data")
    if len(cols) == 1:
        codes, uniques = pd.factorize(data[cols[0]], sort=True, use_na_sentinel=False)
        keys = pd.DataFrame({cols[0]: np.asarray(uniques)})
        names = [str(u) for u in uniques]
    else:
        grouped = data.groupby(cols, sort=True, dropna=False, observed=True)
        codes = grouped.ngroup().to_numpy()
        keys = grouped.size().index.to_frame(index=False)
        names = [", ".join(f"{c}={v}" for c, v in zip(cols, row)) for row in keys.itertuples(index=False)]
    return _Groups(np.asarray(codes, dtype=np.uint32), names, keys)


def _frame(groups: _Groups, columns: dict[str, Any]) -> pd.DataFrame:
    out = pd.DataFrame(columns, index=pd.RangeIndex(groups.count))
    if groups.codes is None:
        return out
    return pd.concat([groups.keys.reset_index(drop=True), out], axis=1)


def _select(columns: dict[str, Any], type: str, summary: list[str], lower: list[str], upper: list[str]) -> dict:
    """The columns the package keeps for each type (spec §0.2)."""
    meta = ["confidence", "statistic", "method"]
    if type == "full":
        return columns
    if type == "standard":
        drop = set(meta)
    elif type == "value":
        drop = set(meta + summary + lower + upper)
    elif type == "lower":
        drop = set(meta + summary + ["value"] + upper)
    else:
        drop = set(meta + summary + ["value"] + lower)
    return {k: v for k, v in columns.items() if k not in drop}


# --------------------------------------------------------------------------------------------
# Directly standardised rates


def dsr(data: pd.DataFrame | None, x, n, *, stdpop=None, group_by=None, type: str = "full",
        confidence=0.95, multiplier: float = 100000, independent_events: bool = True, eventfreq=None,
        ageband=None) -> pd.DataFrame:
    """Directly standardised rates with Dobson confidence limits, one row per group.

    Each input row is one group and standardisation category (age band), with events ``x``,
    population ``n`` and the band's standard population. Per group, with weights w_i = stdpop:

        O = sum x_i,   DSR = sum(x_i w_i / n_i) / sum(w_i) * multiplier,
        var = sum x_i (w_i / n_i)^2 / (sum w_i)^2,
        limits = DSR + sqrt(var / O) * (B(O) - O) * multiplier,   B = Byar's limit for O.

    A group with fewer than 10 events has value and limits missing and statistic
    ``"dsr NA for total count < 10"`` (the package's small-count rule). Missing ``x`` counts as no
    events. Reference: Dobson AJ et al. (1991) Stat Med 10:457-462; PHEindicatormethods 2.1.0
    ``calculate_dsr`` (and the soft-deprecated ``phe_dsr``).

    Parameters
    ----------
    data : DataFrame, or None to pass numpy arrays directly.
    x, n : column names (or arrays): events and population per row. n must be > 0 and not missing.
    stdpop : the standard population. ``None`` (default): the European Standard Population 2013,
        matched to the rows **by position** within each group (every group must have 19 rows in
        band order, as ``phe_dsr``). A column name: the standard population of each row (as
        ``calculate_dsr``). A ``StandardPopulation`` or a sequence of numbers: weights per band,
        matched by position (``phe_dsr(stdpoptype="vector")``); with ``data=None`` a sequence as long
        as ``x`` is read as one weight per row instead. With ``independent_events=False`` and no
        column, the weights are matched to the ``ageband`` labels.
    group_by : column name or list of names (or, with ``data=None``, one label per row).
    type : "full" (default), "standard" (without confidence, statistic, method), "value",
        "lower" or "upper".
    confidence : 0.95 (default), a level between 0.9 and 1 or 90 and 100, or (0.95, 0.998) for
        both levels (columns lower95_0cl, upper95_0cl, lower99_8cl, upper99_8cl).
    multiplier : rate per this many people, default 100,000.
    independent_events : False when a person may have several events; then ``eventfreq`` names
        the number of events each row's people had, ``ageband`` the age band, and ``x`` the number
        of people. The limits use var = sum_f f^2 var_f (spec §5.1). If ``eventfreq`` is also a
        grouping column it is left out of the grouping, as the package does.

    Returns a DataFrame with the group columns, ``total_count, total_pop, value, lowercl, uppercl,
    confidence, statistic, method`` (as the package's columns for ``type``).

    Raises ``fairer.StatisticsError`` naming the group and row for missing or non-positive
    populations, negative counts or standard populations, non-finite values, a standard population
    whose length differs from the rows of a group, a bad ``type``, ``confidence`` or
    ``multiplier``, and (non-independent events) rows of one group and age band with different
    ``n`` or ``stdpop``.
    """
    if data is not None and not isinstance(data, pd.DataFrame):
        raise _error("data must be a data frame object (or None with arrays)")
    xs = _column(data, x, "x")
    ns = _column(data, n, "n")
    rows = len(xs)
    if len(ns) != rows:
        raise _error(f"x and n must have the same length, got {rows} and {len(ns)}")
    stdpop_col = None
    weights = None
    if isinstance(stdpop, str) or (data is None and stdpop is not None and not isinstance(stdpop, StandardPopulation)
                                   and np.ndim(stdpop) == 1 and len(stdpop) == rows and rows > 0):
        stdpop_col = _column(data, stdpop, "stdpop")
    elif stdpop is None:
        weights = esp2013()
    elif isinstance(stdpop, StandardPopulation):
        weights = stdpop
    else:
        values = _column(None, stdpop, "stdpop")
        if np.isnan(values).any() or (values < 0).any():
            raise _error("stdpop must all be greater than or equal to zero and not missing")
        weights = values
    _check_type(type)
    levels = _levels(confidence)
    multiplier = _positive_number(multiplier, "multiplier")
    if not isinstance(independent_events, (bool, np.bool_)):
        raise _error("independent_events must be TRUE or FALSE (True or False)")

    if independent_events:
        groups = _groups(data, group_by, rows)
        if stdpop_col is not None:
            r = _core.std_dsr(xs, ns, stdpop_col, levels, multiplier, groups.codes, groups.names)
        else:
            w = list(weights.weights) if isinstance(weights, StandardPopulation) else list(weights)
            r = _core.std_dsr_by_position(xs, ns, w, levels, multiplier, groups.codes, groups.names)
        method = "Dobson"
    else:
        if eventfreq is None:
            raise _error("function dsr requires an eventfreq column to be specified when "
                                   "independent_events is False")
        if ageband is None:
            raise _error("function dsr requires an ageband column to be specified when "
                                   "independent_events is False")
        fs = _column(data, eventfreq, "eventfreq")
        if data is not None:
            if not isinstance(ageband, str) or ageband not in data.columns:
                raise _error(f"ageband is not a field name from data: {ageband!r}")
            bands = data[ageband]
        else:
            bands = np.asarray(ageband)
        if pd.isna(bands).any():
            raise _error("ageband field must not have any missing values")
        band_codes, band_labels = pd.factorize(bands, sort=True)
        band_names = [str(b) for b in band_labels]
        if data is not None and isinstance(group_by, (list, tuple)):
            group_by = [g for g in group_by if g != eventfreq]
        elif data is not None and group_by == eventfreq:
            group_by = None
        groups = _groups(data, group_by, rows)
        if stdpop_col is None:
            stdpop_col = _weights_by_label(weights, band_names, band_codes)
        r = _core.std_dsr_non_independent(xs, ns, stdpop_col, fs, band_codes.astype(np.uint32), band_names, levels,
                                          multiplier, groups.codes, groups.names)
        method = "Dobson, with confidence adjusted for non-independent events"

    lower_names, upper_names, confidence_text = _limit_names(levels)
    statistic = np.where(r["suppressed"], "dsr NA for total count < 10", f"dsr per {_format_number(multiplier)}")
    columns: dict[str, Any] = {"total_count": r["total_count"], "total_pop": r["total_pop"], "value": r["value"]}
    for k, name in enumerate(lower_names):
        columns[name] = r["lower"][k]
        columns[upper_names[k]] = r["upper"][k]
    columns.update({"confidence": confidence_text, "statistic": statistic, "method": method})
    return _frame(groups, _select(columns, type, ["total_count", "total_pop"], lower_names, upper_names))


def _weights_by_label(weights, band_names: list[str], band_codes: np.ndarray) -> np.ndarray:
    """Per-row standard weights from a StandardPopulation (or ESP 2013), matched by band label."""
    if not isinstance(weights, StandardPopulation):
        raise _error("with independent_events=False, stdpop must be a column name or a StandardPopulation "
                               "whose bands are the ageband labels")
    lookup = dict(zip(weights.bands, weights.weights))
    missing = [b for b in band_names if b not in lookup]
    if missing:
        raise _error(f"ageband labels {missing} are not bands of the standard population "
                               f"'{weights.name}' ({', '.join(weights.bands)})")
    return np.array([lookup[b] for b in band_names], dtype=np.float64)[band_codes]


# --------------------------------------------------------------------------------------------
# Indirect standardisation


def _isr(rate: bool, data, x, n, x_ref, n_ref, refpoptype, group_by, type, confidence, scale, observed_totals):
    if data is not None and not isinstance(data, pd.DataFrame):
        raise _error("data must be a data frame object (or None with arrays)")
    ns = _column(data, n, "n")
    rows = len(ns)
    groups = _groups(data, group_by, rows)
    if refpoptype is None:
        refpoptype = "field" if isinstance(x_ref, str) else "vector"
    if refpoptype == "vector":
        xr = _core.std_by_position(rows, list(_column(None, x_ref, "x_ref")), "x_ref", groups.codes, groups.names)
        nr = _core.std_by_position(rows, list(_column(None, n_ref, "n_ref")), "n_ref", groups.codes, groups.names)
    elif refpoptype == "field":
        xr = _column(data, x_ref, "x_ref")
        nr = _column(data, n_ref, "n_ref")
    else:
        raise _error(f"valid values for refpoptype are vector and field, got {refpoptype!r}")
    totals = None
    xs = None
    if observed_totals is not None:
        totals = _observed_totals(observed_totals, x, group_by, groups)
    else:
        xs = _column(data, x, "x")
    _check_type(type)
    levels = _levels(confidence)
    r = _core.std_isr(rate, xs, ns, xr, nr, levels, scale, groups.codes, groups.names, totals)

    lower_names, upper_names, confidence_text = _limit_names(levels)
    columns: dict[str, Any] = {"observed": r["observed"], "expected": r["expected"]}
    summary = ["observed", "expected"]
    if rate:
        columns["ref_rate"] = r["ref_rate"]
        summary.append("ref_rate")
    columns["value"] = r["value"]
    for k, name in enumerate(lower_names):
        columns[name] = r["lower"][k]
        columns[upper_names[k]] = r["upper"][k]
    if rate:
        statistic = f"indirectly standardised rate per {_format_number(scale)}"
    else:
        statistic = f"indirectly standardised ratio x {_format_number(scale)}"
    method = np.array([None, "Exact", "Byars"], dtype=object)[r["method"].astype(np.int64) + 1]
    columns.update({"confidence": confidence_text, "statistic": statistic, "method": method})
    return _frame(groups, _select(columns, type, summary, lower_names, upper_names))


def _observed_totals(observed_totals, x, group_by, groups: _Groups) -> np.ndarray:
    """Observed events per group from a table holding x and the grouping columns (a left join:
    groups without a row get a missing total)."""
    if not isinstance(observed_totals, pd.DataFrame):
        raise _error("observed_totals must be a data frame holding x and the grouping columns")
    if not isinstance(x, str) or x not in observed_totals.columns:
        raise _error(f"observed_totals is provided but x is not a field name in it: {x!r}")
    values = _column(observed_totals, x, "x")
    if groups.codes is None:
        if len(observed_totals) != 1:
            raise _error(f"observed_totals must have one row for ungrouped data, got {len(observed_totals)}")
        return values
    cols = list(groups.keys.columns)
    missing = [c for c in cols if c not in observed_totals.columns]
    if missing:
        raise _error(f"observed_totals must hold the grouping columns; missing {missing}")
    key_rows = observed_totals[cols]
    if key_rows.duplicated().any():
        dup = key_rows[key_rows.duplicated()].iloc[0].tolist()
        raise _error(f"observed_totals has more than one row for group {dup}")
    joined = groups.keys.merge(pd.DataFrame({**{c: key_rows[c].to_numpy() for c in cols}, "__x": values}),
                               on=cols, how="left")
    return joined["__x"].to_numpy(dtype=np.float64)


def isratio(data: pd.DataFrame | None, x, n, x_ref, n_ref, *, refpoptype: str | None = None, group_by=None,
            type: str = "full", confidence=0.95, refvalue: float = 1, observed_totals=None) -> pd.DataFrame:
    """Indirectly standardised ratios (standardised mortality ratios with ``refvalue=100``) with
    Byar's or exact Poisson limits, one row per group.

    Each input row is one group and standardisation category (age band). Per group:

        E = sum x_ref_i / n_ref_i * n_i,   O = sum x_i (or the group's observed total),
        value = O / E * refvalue,   limits = L(O) / E * refvalue, U(O) / E * refvalue,

    with the exact Poisson limits when O < 10 (method "Exact") and Byar's otherwise ("Byars").
    Missing ``x`` are dropped; missing ``n`` and ``x_ref`` count as 0; ``n = 0`` is allowed.
    References: Breslow & Day (1987) Statistical Methods in Cancer Research vol. II; Armitage &
    Berry (2002); PHEindicatormethods 2.1.0 ``calculate_ISRatio``.

    Parameters
    ----------
    data : DataFrame, or None to pass numpy arrays directly.
    x : column of observed events per row, or, with ``observed_totals``, the column of that table
        holding each group's total.
    n : column of the local population per row.
    x_ref, n_ref : reference events and population per category. ``refpoptype="vector"`` (the
        default unless they are column names): sequences in category order, matched to the rows by
        position within each group (every group must have as many rows). ``"field"``: columns of
        data (or per-row arrays when data is None).
    group_by : column name or list of names (or, with ``data=None``, one label per row).
    type, confidence : as :func:`dsr`.
    refvalue : the reference ratio, default 1 (100 for an SMR).
    observed_totals : a DataFrame holding ``x`` and the grouping columns, one row per group, used
        when events are not known by age (joined on the grouping columns; groups without a row get
        missing values).

    Returns the group columns, ``observed, expected, value, lowercl, uppercl, confidence,
    statistic, method`` (as the package's columns for ``type``).

    Raises ``fairer.StatisticsError`` naming the group and row for negative events or populations,
    non-positive reference populations, non-finite values, groups with different numbers of rows or
    reference vectors of the wrong length, a bad ``type``, ``confidence`` or ``refvalue``.
    """
    scale = _positive_number(refvalue, "refvalue")
    return _isr(False, data, x, n, x_ref, n_ref, refpoptype, group_by, type, confidence, scale, observed_totals)


def israte(data: pd.DataFrame | None, x, n, x_ref, n_ref, *, refpoptype: str | None = None, group_by=None,
           type: str = "full", confidence=0.95, multiplier: float = 100000, observed_totals=None) -> pd.DataFrame:
    """Indirectly standardised rates with Byar's or exact Poisson limits, one row per group.

    As :func:`isratio`, with the ratio O / E applied to the reference rate:

        ref_rate = sum x_ref_i / sum n_ref_i * multiplier,   value = O / E * ref_rate,
        limits = L(O) / E * ref_rate, U(O) / E * ref_rate   (exact when O < 10, else Byar's).

    Reference: PHEindicatormethods 2.1.0 ``calculate_ISRate``. Default 95%, per 100,000.

    Returns the group columns, ``observed, expected, ref_rate, value, lowercl, uppercl,
    confidence, statistic, method`` (as the package's columns for ``type``). Raises as
    :func:`isratio` does, and for a multiplier that is not positive.
    """
    scale = _positive_number(multiplier, "multiplier")
    return _isr(True, data, x, n, x_ref, n_ref, refpoptype, group_by, type, confidence, scale, observed_totals)
