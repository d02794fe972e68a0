"""Slope and relative index of inequality (SII, RII) across deprivation quantiles, and the
assignment of deprivation quantiles, matching PHEindicatormethods 2.1.0 ``phe_sii`` and
``phe_quantile`` (specs/indicator-methods.md §8-§9). The computation is in the compiled core
(``include/fairer/sii.hpp``, ``include/fairer/quantiles.hpp``); this module checks arguments in
the package's order, groups and sorts pandas data, and shapes the output like the package's.
"""
from __future__ import annotations

import secrets
import sys
import warnings

import numpy as np
import pandas as pd

from fairer import _core

__all__ = ["InequalityWarning", "quantile", "sii"]

_TYPES = {0: "normal", 1: "rate", 2: "proportion"}
_TRANSFORMS = {0: "none", 1: "log", 2: "logit"}


class InequalityWarning(UserWarning):
    """Raised (as a warning) where the package warns: records removed from the SII, many quantiles,
    or groups too small to be given quantiles."""


def _error(message: str) -> Exception:
    return _core.InequalityError(message)


def _as_list(v) -> list:
    if v is None:
        return []
    if isinstance(v, (str, bytes)) or not isinstance(v, (list, tuple)):
        return [v]
    return list(v)


def _column(data, arg, rows=None):
    """A column argument: a column name of ``data`` or an array-like of one value per row."""
    if data is not None and isinstance(arg, str):
        if arg not in data.columns:
            raise _error(f"column '{arg}' is not in the data")
        return data[arg]
    s = pd.Series(np.asarray(arg))
    if rows is not None and len(s) != rows:
        raise _error(f"an array argument has {len(s)} values but the data has {rows} rows")
    return s


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _level_name(c: float) -> str:
    # The package formats levels with formatC(c * 100, format = "f", digits = 1), "." -> "_".
    return f"{c * 100:.1f}".replace(".", "_")


def _percent_text(c: float) -> str:
    # paste0(c * 100, "%"): R prints 15 significant digits.
    return f"{c * 100:.15g}%"


def _frame(data, group_by, columns: dict, rows: int) -> tuple[pd.DataFrame, list[str]]:
    """A working frame with the named columns and the group columns (as given, or g0, g1...)."""
    frame = pd.DataFrame({k: v.reset_index(drop=True) for k, v in columns.items() if v is not None})
    names = []
    for i, g in enumerate(_as_list(group_by)):
        name = g if (data is not None and isinstance(g, str)) else f"group{i + 1}"
        frame["__g_" + name] = _column(data, g, rows).reset_index(drop=True)
        names.append(name)
    return frame, names


def _group_label(keys) -> str:
    keys = keys if isinstance(keys, tuple) else (keys,)
    return ", ".join(str(k) for k in keys)


def sii(data, quantile, population, *, x=None, value=None, value_type=0, transform=False, lower_cl=None,
        upper_cl=None, se=None, multiplier=1, repetitions=100000, confidence=0.95, rii=False, intercept=False,
        reliability_stat=False, type="full", seed=None, method="simulation", group_by=None, progress=None,
        threads=None):
    """Slope index of inequality (SII) and, optionally, relative index of inequality (RII) per group,
    with confidence limits: PHEindicatormethods ``phe_sii`` (Low & Low, J Public Health 2004;26:388).

    Per group the quantiles are sorted (quantile 1 = most deprived; text labels sort as text, as
    in the package), each gets its population share a_k and relative rank b_k (mid-point of the
    cumulative share), and sqrt(a) V is regressed on sqrt(a) and b sqrt(a) without intercept:
    ``sii = multiplier * slope``, ``rii = (intercept + slope) / intercept`` (inverted when the
    multiplier is negative), ``intercept`` = the fitted value at rank 0 (not multiplied, as in the
    package). ``value_type`` 0 = normal, 1 = rate (log link), 2 = proportion (logit link);
    ``transform=True`` fits on the link scale and converts back. ``se`` is on the link scale; without
    it the standard error is (T(upper_cl) - T(lower_cl)) / (2 x 1.96) from 95% limits.

    Limits (``confidence``: any number of levels, 0.9-1 or 90-100):

    * ``method="simulation"`` (default): the package's Monte Carlo method with ``repetitions``
      draws per group (at least 1,000; default 100,000), reproducible with ``seed`` (an integer; a
      random one is drawn when None and stored in ``result.attrs["seed"]``). fairer's random stream
      is not R's, so limits agree with the package within Monte Carlo error (upstream rule: mean
      relative difference < 0.05 at 10,000 draws).
    * ``method="analytic"``: exact limits, available where the SII is linear in the inputs
      (value_type 0, or transform=True): slope +/- z sd, var(slope) = sum_k W_k^2 se_k^2 with
      W = the weighted least-squares weights; RII limits by Fieller's theorem. These are the limits
      the simulation converges to.

    ``reliability_stat=True`` runs 10 blocks of draws and adds ``sii_mad<level>`` (and
    ``rii_mad<level>``), the mean absolute difference of blocks 2-10's limits from block 1's.

    ``data`` is a DataFrame and the column arguments name its columns (or pass arrays with
    ``data=None``); ``group_by`` names the grouping column(s). Groups missing a quantile present
    elsewhere in the data are dropped with an :class:`InequalityWarning`; a group with a missing
    value gives missing results. ``progress``: a callable ``(groups_done, groups_total)`` or True
    for a progress line on stderr. ``threads``: worker threads over groups (None = one per CPU);
    the results do not depend on it, since each group's random stream depends only on ``seed`` and
    the group's position. The computation runs without the GIL.

    Raises :class:`fairer.InequalityError` for bad input, naming the group and row (0-based
    position). Defaults follow the package (value_type 0, multiplier 1, 100,000 repetitions, 95%,
    rii/intercept/reliability off, type "full"). Returns a DataFrame with the package's columns;
    ``type="full"`` (default) adds indicator_type, multiplier, transform, CI_confidence, CI_method
    (any other type behaves as "standard", as in the package).
    """
    if data is None and isinstance(quantile, str) or quantile is None or population is None:
        raise _error("function phe_sii requires the arguments: data, quantile, population")
    if value is None and x is None:
        raise _error("function phe_sii requires value field, or x field if indicator is a proportion of population")
    if se is None and (lower_cl is None or upper_cl is None):
        raise _error("function phe_sii requires either lower_cl and upper_cl fields, or se field")
    if isinstance(value_type, bool) or value_type not in (0, 1, 2):
        raise _error("value_type should be 0, 1 or 2")
    conf = [confidence] if np.isscalar(confidence) else list(confidence)
    for v in [multiplier, repetitions, *conf]:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise _error("multiplier, repetitions and confidence inputs should be numeric")
    if repetitions < 1000:
        raise _error("number of repetitions must be 1000 or greater. Default is 100,000")
    if repetitions != int(repetitions):
        raise _error(f"repetitions must be a whole number, got {repetitions}")
    if transform and value_type == 0:
        raise _error("value_type should be 1 or 2 when transform is true")
    if transform and se is not None:
        raise _error("function phe_sii requires se to be missing when transform is true")
    levels = list(_core.sii_confidence_levels([float(c) for c in conf]))
    if method not in ("simulation", "analytic"):
        raise _error(f'method must be "simulation" or "analytic", got "{method}"')

    rows = len(data) if data is not None else len(np.asarray(population))
    cols = {"quantile": _column(data, quantile, rows), "population": _column(data, population, rows)}
    for name, arg in (("x", x), ("value", value), ("se", se), ("lower_cl", lower_cl), ("upper_cl", upper_cl)):
        cols[name] = None if arg is None else _column(data, arg, rows)
    if not all(_is_numeric(s) for k, s in cols.items() if s is not None and k != "quantile"):
        raise _error("some input fields in data.frame are non-numeric")
    frame, group_names = _frame(data, group_by, cols, rows)
    gcols = ["__g_" + n for n in group_names]
    frame["__row"] = np.arange(rows)

    def fail(mask, message, column):
        i = int(np.flatnonzero(mask)[0])
        label = f"group '{_group_label(tuple(frame.loc[i, gcols]))}', " if gcols else ""
        raise _error(f"{message} ({label}row {i}: {frame.loc[i, column]})")

    pop = frame["population"].to_numpy(float)
    if np.any(~(pop > 0)):
        fail(~(pop > 0), "some groups have a zero, negative or missing population", "population")
    if se is not None:
        s = frame["se"].to_numpy(float)
        if np.any(~(s >= 0)):
            fail(~(s >= 0), "negative or missing standard errors in input dataset", "se")
    has_cl = lower_cl is not None and upper_cl is not None
    if has_cl:
        lo, hi = frame["lower_cl"].to_numpy(float), frame["upper_cl"].to_numpy(float)
        for arr, col in ((lo, "lower_cl"), (hi, "upper_cl")):
            if np.any(np.isnan(arr)):
                fail(np.isnan(arr), "missing lower or upper confidence limits in input dataset", col)
    if value_type == 2:
        if value is not None:
            v = frame["value"].to_numpy(float)
            if np.any((v < 0) | (v > 1)):
                fail((v < 0) | (v > 1), "value proportions are not all between 0 and 1", "value")
        if has_cl:
            for arr, col in ((lo, "lower_cl"), (hi, "upper_cl")):
                if np.any((arr < 0) | (arr > 1)):
                    fail((arr < 0) | (arr > 1), "confidence limit proportions are not all between 0 and 1", col)
        if value is None:
            cnt = frame["x"].to_numpy(float)
            if np.any(cnt <= 0):
                fail(cnt <= 0, "some groups have a zero or negative count x", "x")
    if value is None and value_type != 2:
        raise _error("function phe_sii requires value field, or x field if indicator is a proportion of population")

    # The number of quantiles is counted over the whole data set, not per group (copied quirk).
    all_quantiles = pd.unique(frame["quantile"])
    nq = len(all_quantiles)
    if nq < 5 or nq > 100:
        raise _error(f"Number of quantiles must be between 5 and 100 (the data has {nq})")
    if nq > 10:
        warnings.warn("WARNING: Small values can make SII unstable when using a large number of quantiles",
                      InequalityWarning, stacklevel=2)

    # Groups lacking any quantile present in the data are dropped with a warning, as the package does.
    dup = frame.duplicated(subset=gcols + ["quantile"], keep=False).to_numpy(bool)
    if gcols:
        counts = frame.groupby(gcols, sort=False, dropna=False)["quantile"].transform("nunique")
        complete = (counts == nq).to_numpy(bool)
    else:
        complete = np.full(rows, frame["quantile"].nunique() == nq)
    if np.any(dup):
        i = int(np.flatnonzero(dup)[0])
        label = f"group '{_group_label(tuple(frame.loc[i, gcols]))}', " if gcols else ""
        raise _error(f"quantile {frame.loc[i, 'quantile']!r} appears more than once in a group ({label}row {i}); "
                     "give one row per group and quantile")
    if not np.all(complete):
        warnings.warn("WARNING: some records have been removed due to incomplete or invalid data",
                      InequalityWarning, stacklevel=2)
    kept = frame[complete]
    kept = kept.sort_values(gcols + ["quantile"], kind="stable") if len(kept) else kept

    if gcols and len(kept):
        sizes = kept.groupby(gcols, sort=False, dropna=False).size()
        keys = list(sizes.index)
        offsets = np.concatenate([[0], np.cumsum(sizes.to_numpy())]).astype(np.uint64).tolist()
    else:
        keys = [()] if len(kept) else []
        offsets = [0, len(kept)] if len(kept) else [0]
    labels = [_group_label(k) for k in keys]

    def arr(name):
        return None if cols[name] is None else np.ascontiguousarray(kept[name].to_numpy(float))

    if seed is None:
        seed = secrets.randbits(64)
    callback = None
    if progress is True:
        def callback(done, total):
            sys.stderr.write(f"\rsii: {done}/{total} groups")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()
    elif callable(progress):
        callback = progress
    res = _core.sii(
        np.ascontiguousarray(kept["population"].to_numpy(float)),
        arr("value") if value is not None else None,
        arr("x") if value is None else None,
        arr("se"),
        arr("lower_cl") if se is None else None,
        arr("upper_cl") if se is None else None,
        offsets, labels, kept["__row"].to_numpy(np.int64).tolist(), int(value_type), bool(transform),
        float(multiplier), int(repetitions), levels, bool(reliability_stat), method, int(seed) % 2**64, bool(rii),
        0 if threads is None else int(threads), callback)

    out = {}
    if gcols:
        first = kept.groupby(gcols, sort=False, dropna=False).head(1)
        for name, col in zip(group_names, gcols):
            out[name] = first[col].to_numpy()
    out["sii"] = res["sii"]
    out["rii"] = res["rii"]
    names = [_level_name(c) for c in levels]
    if not transform:
        for j, n in enumerate(names):
            out[f"sii_lower{n}cl"] = res["sii_lower"][:, j]
            out[f"sii_upper{n}cl"] = res["sii_upper"][:, j]
        if reliability_stat:
            for j, n in enumerate(names):
                out[f"sii_mad{n}"] = res["sii_mad"][:, j]
        for j, n in enumerate(names):
            out[f"rii_lower{n}cl"] = res["rii_lower"][:, j]
            out[f"rii_upper{n}cl"] = res["rii_upper"][:, j]
        if reliability_stat:
            for j, n in enumerate(names):
                out[f"rii_mad{n}"] = res["rii_mad"][:, j]
    else:
        # With transform the package interleaves the levels and drops the "cl" suffix (copied).
        for j, n in enumerate(names):
            out[f"sii_lower{n}"] = res["sii_lower"][:, j]
            out[f"sii_upper{n}"] = res["sii_upper"][:, j]
            out[f"rii_lower{n}"] = res["rii_lower"][:, j]
            out[f"rii_upper{n}"] = res["rii_upper"][:, j]
            if reliability_stat:
                out[f"sii_mad{n}"] = res["sii_mad"][:, j]
                out[f"rii_mad{n}"] = res["rii_mad"][:, j]
    if intercept:
        out["intercept"] = res["intercept"]
    if not rii:
        out = {k: v for k, v in out.items() if "rii" not in k or k in group_names}
    result = pd.DataFrame(out)
    if type == "full":
        result["indicator_type"] = _TYPES[value_type]
        result["multiplier"] = multiplier
        result["transform"] = _TRANSFORMS[value_type] if transform else "none"
        result["CI_confidence"] = ", ".join(_percent_text(c) for c in levels)
        result["CI_method"] = (f"simulation {int(repetitions)} reps" if method == "simulation"
                               else "analytic (exact normal)")
    result.attrs["seed"] = int(seed) % 2**64
    return result


def quantile(data, values, *, nquantiles=10, invert=True, inverttype="logical", type="full", group_by=None):
    """Assign deprivation quantiles per group: PHEindicatormethods ``phe_quantile``, the rules of
    "Assigning Deprivation Categories" (PHE).

    Per group with N non-missing values and Q = ``nquantiles``: r = rank(-v) if ``invert`` else
    rank(v), ties taking the lowest rank; ``quantile = floor((Q + 1) - ceiling(((N + 1) - r) / (N / Q)))``,
    0 becoming 1; if N < Q the whole group gets no quantile (with an :class:`InequalityWarning`).
    With ``invert=True`` (default) the highest values are quantile 1 (IMD score: decile 1 = most
    deprived). ``inverttype="field"`` takes ``invert`` as a column of booleans, constant per group.

    ``data`` is a DataFrame and ``values`` a column name (or an array with ``data=None``);
    ``group_by`` names grouping column(s). Returns the input (row order kept) plus ``quantile``
    and, unless ``type="standard"``, ``nquantiles``, ``groupvars`` and ``qinverted`` (any other
    type behaves as "full", as in the package). Raises :class:`fairer.InequalityError`.
    """
    if data is None and isinstance(values, str) or values is None:
        raise _error("function phe_quantile requires at least 2 arguments: data and values")
    if inverttype not in ("logical", "field"):
        raise _error("valid values for inverttype are logical and field")
    if inverttype == "logical" and not isinstance(invert, (bool, np.bool_)):
        raise _error("invert expressed as a logical must equal TRUE or FALSE")
    if inverttype == "field" and not (data is not None and isinstance(invert, str) and invert in data.columns):
        raise _error("invert is not a field name from data")
    if isinstance(nquantiles, bool) or not isinstance(nquantiles, (int, np.integer)) or nquantiles < 1:
        raise _error(f"nquantiles must be a positive whole number, got {nquantiles!r}")
    rows = len(data) if data is not None else len(np.asarray(values))
    v = _column(data, values, rows)
    if not _is_numeric(v):
        raise _error("values argument must be a numeric field from data")
    group_cols = _as_list(group_by)
    if group_cols:
        gframe = pd.DataFrame({f"g{i}": _column(data, g, rows).reset_index(drop=True)
                               for i, g in enumerate(group_cols)})
        codes = gframe.groupby(list(gframe.columns), sort=True, dropna=False).ngroup().to_numpy(np.uint32)
        ngroups = int(codes.max()) + 1 if rows else 0
    else:
        codes = np.zeros(rows, dtype=np.uint32)
        ngroups = 1 if rows else 0
    if inverttype == "field":
        flag = data[invert].reset_index(drop=True)
        if not (pd.api.types.is_bool_dtype(flag) or flag.map(lambda b: isinstance(b, (bool, np.bool_))).all()):
            raise _error("invert expressed as a field must hold TRUE or FALSE values")
        per_group = pd.DataFrame({"g": codes, "f": flag.astype(bool)}).groupby("g")["f"].nunique()
        if (per_group > 1).any():
            raise _error("invert field values must take the same logical value for each data grouping set")
        inv = pd.DataFrame({"g": codes, "f": flag.astype(bool)}).groupby("g")["f"].first().reindex(range(ngroups))
        inverts = [bool(b) for b in inv]
        row_invert = flag.astype(bool).to_numpy()
    else:
        inverts = [bool(invert)] * ngroups
        row_invert = np.full(rows, bool(invert))
    q, without = _core.assign_quantiles(np.ascontiguousarray(v.to_numpy(float)), codes, ngroups, inverts,
                                        int(nquantiles))
    if without > 0:
        warnings.warn("One or more groups had too few small areas with values to allow quantiles to be assigned",
                      InequalityWarning, stacklevel=2)
    out = data.copy() if data is not None else pd.DataFrame({"values": v})
    out["quantile"] = q
    if type != "standard":
        out["nquantiles"] = int(nquantiles)
        out["groupvars"] = ", ".join(str(g) for g in group_cols) if all(isinstance(g, str) for g in group_cols) else ""
        out["qinverted"] = np.where(row_invert, "lowest quantile represents highest values",
                                    "lowest quantile represents lowest values")
    return out
