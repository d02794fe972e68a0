"""Summary measures of health inequality for many subgroup tables in one call.

The 21 measures of WHO's Health Equity Assessment Toolkit (HEAT 6.0) and its R package
healthequal: D, R, ACI, RCI, SII, RII, PAF, PAR (``fairer/heat_measures.hpp``) and BGV, BGSD, COV,
MLD, TI, IDISU, IDISW, MDBU, MDBW, MDMU, MDMW, MDRU, MDRW (``fairer/heat_nonordered.hpp``), with
standard errors, confidence limits and HEAT's applicability rules. Formulas, defaults and the
places where the reference engines differ: ``specs/inequality-measures.md``.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from fairer import _core

__all__ = ["summary_measures", "HEAT_MEASURES", "applicable_measures", "SUBGROUP_COLUMNS"]

HEAT_MEASURES: tuple[str, ...] = tuple(_core.heat_measure_names())
"""The 21 HEAT measures in HEAT's display order."""

SUBGROUP_COLUMNS = {
    "subgroup": "subgroup",
    "order": "subgroup_order",
    "population": "population",
    "estimate": "estimate",
    "se": "se",
    "favourable": "favourable_indicator",
    "ordered": "ordered_dimension",
    "reference": "reference_subgroup",
    "scale": "indicator_scale",
    "setting_average": "setting_average",
}
"""Default column names (those of HEAT Plus and healthequal, and of the reference data)."""

_REQUIRED = ("population", "estimate", "favourable", "ordered", "scale")
_TABLE_LEVEL = ("favourable", "ordered", "scale", "setting_average")


def applicable_measures(subgroups: int, ordered: bool) -> list[str]:
    """HEAT 6.0's measures for a table of ``subgroups`` subgroups (spec §1): D, R, PAF, PAR for 2 or
    more; with more than 2, ACI, RCI, SII, RII if ordered, else the 13 non-ordered complex measures."""
    return list(_core.applicable_measures(int(subgroups), bool(ordered)))


def _float_column(df: pd.DataFrame, name: str | None, rows: int, fill: float) -> np.ndarray:
    if name is None or name not in df.columns:
        return np.full(rows, fill)
    col = df[name]
    if col.dtype == np.float64:
        return col.to_numpy()
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


class _LazyNames:
    """Names tables and subgroups for error messages only when the compiled core asks for one."""

    def __init__(self, fn):
        self._fn = fn

    def __getitem__(self, i):
        return self._fn(int(i))


def summary_measures(
    df: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    mode: str = "corrected",
    measures: Iterable[str] | None = None,
    simulate: bool = False,
    draws: int = 100,
    seed: int = 123456,
    rng: str = "by_mode",
    confidence: float = 0.95,
    slope: str = "who_logistic",
    rci_correction: str = "none",
    lower_bound: float | None = None,
    upper_bound: float | None = None,
    rci_scale: float = 1.0,
    range_check: str = "by_mode",
    columns: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Summary measures of health inequality for every subgroup table in ``df``.

    ``df`` has one row per subgroup; the rows of one table share the values of the ``by`` columns
    (e.g. ``["indicator", "area", "period", "dimension"]``; ``None`` = the whole frame is one table).
    Columns (rename with ``columns={"estimate": "value", ...}``; see ``SUBGROUP_COLUMNS``):
    ``subgroup`` (label), ``subgroup_order`` (1 = most disadvantaged; needed for ordered tables),
    ``population``, ``estimate`` (on the indicator scale), ``se``, ``favourable_indicator`` (1 =
    higher is better), ``ordered_dimension`` (1/0), ``reference_subgroup`` (1 marks at most one),
    ``indicator_scale`` (1, 100, 1000, ...), ``setting_average`` (blank = population-weighted mean).
    Optional columns may be absent (all missing; no reference).

    mode: ``"corrected"`` (default: the unit errors of the reference engines fixed, e.g. PAF, TI and
    MLD intervals on the estimate's scale), ``"heat6"`` (WHO HEAT 6.0) or ``"healthequal"`` (R
    healthequal 1.0.1), quirks included. measures: names to compute (default: every measure that
    applies to each table's shape; a named measure that does not apply comes back missing with the
    reason). simulate: simulated limits for BGSD, COV, IDIS*, MD* (``draws`` simulated tables, R's
    ``set.seed(seed)``; rng ``"r"`` reproduces R's random stream exactly, ``"native"`` is faster,
    ``"by_mode"`` = R for heat6/healthequal and native for corrected); without it those measures have
    estimates only. slope: ``"who_logistic"`` (HEAT's SII/RII), ``"who_linear"`` (healthequal
    ``linear=TRUE``) or ``"phe"`` (PHE/Fingertips WLS slope index, analytic limits).
    rci_correction: ``"none"``, ``"wagstaff"`` or ``"erreygers"``, with ``lower_bound`` and
    ``upper_bound`` (the indicator's theoretical bounds; with bounds ACI and RCI are computed on the
    0-1 rescaled indicator). rci_scale: 1 (HEAT) or 100. range_check: HEAT's plausibility limits
    (``"by_mode"`` = on in heat6 mode only, ``"on"``, ``"off"``).

    Returns a DataFrame with the ``by`` columns, ``measure``, ``estimate``, ``se``, ``lower``,
    ``upper`` (``confidence`` limits) and ``reason`` (why a value is missing; None when complete),
    one row per table and measure, tables in order of first appearance, measures in HEAT's order.
    The ``se`` column follows HEAT's reporting scale (SE of ln R and ln RII; SII's on the 0-1 scale;
    see the spec). Raises ``fairer.InequalityError`` naming the table and subgroup for bad input.
    """
    names = dict(SUBGROUP_COLUMNS)
    if columns:
        unknown = set(columns) - set(names)
        if unknown:
            raise _core_error(f"unknown column roles {sorted(unknown)}; expected some of {sorted(names)}")
        names.update(columns)
    for role in _REQUIRED:
        if names[role] not in df.columns:
            raise _core_error(f"the subgroup table needs a column '{names[role]}' ({role})")
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    for c in by_cols:
        if c not in df.columns:
            raise _core_error(f"'by' column '{c}' is not in the data frame")

    rows = len(df)
    if by_cols:
        codes = df.groupby(by_cols, sort=False, dropna=False).ngroup().to_numpy()
    else:
        codes = np.zeros(rows, dtype=np.int64)
    contiguous = rows == 0 or bool(np.all(codes[1:] >= codes[:-1]))
    perm = None if contiguous else np.argsort(codes, kind="stable")
    counts = np.bincount(codes) if rows else np.zeros(0, dtype=np.int64)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    first = offsets[:-1] if perm is None else perm[offsets[:-1]]

    def col(role: str, fill: float) -> np.ndarray:
        a = _float_column(df, names[role], rows, fill)
        return a if perm is None else a[perm]

    order = col("order", np.nan)
    population = col("population", np.nan)
    estimate = col("estimate", np.nan)
    se = col("se", np.nan)
    reference = col("reference", 0.0)
    table_values = {}
    for role in _TABLE_LEVEL:
        a = col(role, np.nan)
        head = a[offsets[:-1]] if len(offsets) > 1 else a[:0]
        spread = np.repeat(head, counts)
        same = (a == spread) | (np.isnan(a) & np.isnan(spread))
        if not same.all():
            bad = int(np.argmax(~same))
            table = int(np.searchsorted(offsets, bad, side="right") - 1)
            raise _core_error(
                f"table '{_table_name(df, by_cols, first, table)}': column '{names[role]}' must be constant "
                f"within a table")
        table_values[role] = head

    source_labels = df[names["subgroup"]].to_numpy() if names["subgroup"] in df.columns else None

    def label(i: int) -> str:
        if source_labels is None:
            return ""
        return str(source_labels[i if perm is None else perm[i]])

    table_names = _LazyNames(lambda k: _table_name(df, by_cols, first, k))
    labels = _LazyNames(label)

    wanted = None if measures is None else [str(m) for m in measures]
    if wanted is not None:
        unknown = [m for m in wanted if m not in HEAT_MEASURES]
        if unknown:
            raise _core_error(f"unknown measures {unknown}; expected some of {list(HEAT_MEASURES)}")
    args = (order, population, estimate, se, reference, offsets, table_values["favourable"],
            table_values["ordered"], table_values["scale"], table_values["setting_average"])
    res = _core.heat_summary_batch(
        *args, measures=[] if wanted is None else wanted, mode=mode, confidence=confidence, slope=slope,
        rci_correction=rci_correction, lower_bound=np.nan if lower_bound is None else float(lower_bound),
        upper_bound=np.nan if upper_bound is None else float(upper_bound), rci_scale=rci_scale,
        range_check=range_check, draws=int(draws) if simulate else 0, seed=int(seed), rng=rng,
        table_names=table_names, labels=labels)
    return _tidy(res, df, by_cols, first)


def _core_error(message: str) -> Exception:
    return _core.InequalityError("[fairer.inequality] " + message)


def _table_name(df: pd.DataFrame, by_cols: list[str], first: np.ndarray, k: int) -> str:
    if not by_cols:
        return "all rows"
    row = df.iloc[int(first[k])]
    return " / ".join(str(row[c]) for c in by_cols)


def _tidy(res: dict, df: pd.DataFrame, by_cols: list[str], first: np.ndarray) -> pd.DataFrame:
    """Wraps the batch result (already in table order, then HEAT's measure order) in a frame; measure
    and reason are categoricals (cheap to build; measure sorts in HEAT's order)."""
    out = {}
    if by_cols:
        rows = first[res["table"]]
        for c in by_cols:
            out[c] = df[c].take(rows).reset_index(drop=True)
    out["measure"] = pd.Categorical.from_codes(res["measure"], categories=list(HEAT_MEASURES))
    for k in ("estimate", "se", "lower", "upper"):
        out[k] = res[k]
    out["reason"] = pd.Categorical.from_codes(res["reason_code"], categories=list(res["reasons"]))
    return pd.DataFrame(out)
