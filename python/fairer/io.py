"""Reading and writing indicator observations.

Three file layouts are understood, all parsed and checked in C++ (``fairer._core``):

* the tidy CSV of fairer (format 4): ``indicator_id, area_code, period, sex, age,
  category_type, category, value, lower_ci95, upper_ci95, lower_ci99_8, upper_ci99_8, count,
  denominator, value_note, flags``;
* the Fingertips CSV export (26 columns, or 27 with ``Time period range``);
* the FingertipsNext seed schema (``IndicatorID, AreaCode, Year, Sex, Age, ..., LowerCI, UpperCI``).

Bad input raises :class:`fairer.DataError` (a ValueError) whose ``problems`` attribute lists
dicts with ``file``, ``row`` (1-based line number, header = 1), ``column``, ``value`` and
``problem``. Every reader takes the same keyword options:

``known_indicators``, ``known_areas``
    iterables of codes a row may use (``None`` or empty: no check);
``proportion_indicators``
    indicators whose count must not exceed its denominator;
``collect_problems``
    report every problem of the input in one DataError instead of the first;
``allow_duplicate_keys``
    keep rows that share (indicator, area, period, sex, age, category type, category);
``check_intervals``
    check lower <= value <= upper at 95% and 99.8%, and the 95% interval within the 99.8% one.

Missing numbers are NaN, never 0. :func:`to_pandas` and :func:`from_pandas` convert between an
:class:`ObservationTable` and a DataFrame with the tidy column names; flags travel as one
``;``-joined text column ``flags`` (blank = none), as in the CSV.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Optional

import numpy as np
import pandas as pd

from . import _core

ObservationTable = _core.ObservationTable

#: Tidy (format 4) column names, in file order.
TIDY_COLUMNS = (
    "indicator_id", "area_code", "period", "sex", "age", "category_type", "category",
    "value", "lower_ci95", "upper_ci95", "lower_ci99_8", "upper_ci99_8", "count", "denominator",
    "value_note", "flags",
)
TEXT_COLUMNS = ("indicator_id", "area_code", "period", "sex", "age", "category_type", "category", "value_note")
NUMBER_COLUMNS = ("value", "lower_ci95", "upper_ci95", "lower_ci99_8", "upper_ci99_8", "count", "denominator")

__all__ = [
    "ObservationTable", "TIDY_COLUMNS", "read_tidy", "parse_tidy", "write_tidy", "format_tidy",
    "read_fingertips", "parse_fingertips", "write_fingertips", "format_fingertips", "read_fingertips_next",
    "period_from_start_year", "to_pandas", "from_pandas",
]


def _options(known_indicators: Optional[Iterable[str]] = None, known_areas: Optional[Iterable[str]] = None,
             proportion_indicators: Optional[Iterable[str]] = None, collect_problems: bool = False,
             allow_duplicate_keys: bool = False, check_intervals: bool = True) -> dict:
    def as_set(codes):
        return set() if codes is None else {str(c) for c in codes}

    return dict(known_indicators=as_set(known_indicators), known_areas=as_set(known_areas),
                proportion_indicators=as_set(proportion_indicators), collect_problems=bool(collect_problems),
                allow_duplicate_keys=bool(allow_duplicate_keys), check_intervals=bool(check_intervals))


def read_tidy(path, **options) -> ObservationTable:
    """Read a tidy observations CSV (format 4) into an ObservationTable.

    Period texts are kept exactly as written and validated with the Fingertips period parser;
    blank cells are missing (NaN for numbers). Options: see the module docstring.
    Raises fairer.DataError naming file, row, column and value of each problem.
    """
    return _core.read_tidy_csv(str(path), **_options(**options))


def parse_tidy(text: str, source_name: str = "<text>", **options) -> ObservationTable:
    """Parse tidy CSV text (format 4); ``source_name`` is used in error messages."""
    return _core.parse_tidy_csv(text, source_name, **_options(**options))


def write_tidy(table, path) -> None:
    """Write an ObservationTable (or a tidy DataFrame, via from_pandas) as a tidy CSV file.

    Numbers are written in the shortest text that reads back exactly; missing = blank cell.
    Side columns (from Fingertips files) have no place in format 4 and are not written.
    """
    _core.write_tidy_csv(_as_table(table), str(path))


def format_tidy(table) -> str:
    """The tidy CSV text of an ObservationTable (or a tidy DataFrame)."""
    return _core.format_tidy_csv(_as_table(table))


def read_fingertips(path, **options) -> ObservationTable:
    """Read a Fingertips CSV export (web "Export table" or API ``all_data/csv``).

    Accepts 26 columns (2020 layout) or 27 (with ``Time period range``); the 23rd column,
    whose name follows the parent area type, is matched by ``^Compared to (?!England|goal)``.
    ``Indicator ID`` becomes the table's indicator_id (as text). Columns that are not
    observation fields (names, parent, trend, comparisons, sortable, new data, goal, range)
    are kept as side columns under their original names, so that write_fingertips writes
    the file back unchanged. Options: see the module docstring.
    """
    return _core.read_fingertips_csv(str(path), **_options(**options))


def parse_fingertips(text: str, source_name: str = "<text>", **options) -> ObservationTable:
    """Parse Fingertips export CSV text (see read_fingertips); ``source_name`` names it in errors."""
    return _core.parse_fingertips_csv(text, source_name, **_options(**options))


def write_fingertips(table, path) -> None:
    """Write a table in the Fingertips export layout.

    Side columns read from a Fingertips file go back in their places; for a table without
    them the side columns are blank, ``Time period Sortable`` is computed from the period and
    the current 27-column layout is used. Flags have no Fingertips column and are not written.
    """
    _core.write_fingertips_csv(_as_table(table), str(path))


def format_fingertips(table) -> str:
    """The Fingertips export CSV text of a table (see write_fingertips)."""
    return _core.format_fingertips_csv(_as_table(table))


def read_fingertips_next(path, *, period_types: Optional[Mapping[str, str]] = None, **options) -> ObservationTable:
    """Read the FingertipsNext seed schema (e.g. ``fingertips_subset_fingertipsnext_2025-02.csv``).

    Columns are found by name: IndicatorID (or IndicatorId), AreaCode, Year, Sex, Age,
    CategoryType, Category, Value, LowerCI, UpperCI, Count, Denominator; LowerCI/UpperCI are
    taken as the 95% limits. The file has no period text, only ``Year``, the first year of the
    Fingertips period, so the period is rebuilt by :func:`period_from_start_year` from the
    indicator's entry in ``period_types`` (indicator ID -> ``"calendar year"``, ``"financial
    year"``, ``"academic year"``, ``"3-year pooled calendar"`` or ``"3-year pooled
    financial"``); indicators not listed get the calendar year, i.e. the Year itself. The raw
    Year and all other columns (names, SexID, AgeID, Trend, ValueType) are kept as side columns.

    The published extract repeats keys (quarterly rows share a Year; some rows appear twice)
    and has a few limits on another scale than their value: pass ``allow_duplicate_keys=True``
    and ``check_intervals=False`` to keep it as published.
    """
    types = {str(k): str(v) for k, v in (period_types or {}).items()}
    return _core.read_fingertips_next_csv(str(path), types, **_options(**options))


def period_from_start_year(year: int, period_type: str) -> str:
    """Fingertips period text of a ``period_type`` period starting in ``year``.

    ``2018, "financial year"`` -> ``"2018/19"``; ``2018, "3-year pooled calendar"`` ->
    ``"2018 - 20"``. Quarterly types cannot be rebuilt from a year and raise fairer.Error.
    """
    return _core.period_from_start_year(int(year), period_type)


def to_pandas(table: ObservationTable) -> pd.DataFrame:
    """An ObservationTable as a DataFrame with the tidy (format 4) column names.

    Text columns are pandas Categoricals built from the table's codes and levels (no string
    per row is created); numeric columns are float64 with NaN for missing; ``flags`` is a
    ``;``-joined text column (blank = no flag). Side columns follow, as Categoricals under
    their original names.
    """
    columns = {}
    for name in TIDY_COLUMNS:
        if name in NUMBER_COLUMNS:
            columns[name] = table.column(name)  # a read-only view; the DataFrame takes its own copy
        elif name == "flags":
            columns[name] = _flags_text(table.flags)
        else:
            columns[name] = _categorical(table, name)
    for name in table.side_column_names:
        columns[name] = _categorical(table, name)
    return pd.DataFrame(columns)


def from_pandas(df: pd.DataFrame, *, source_name: str = "<DataFrame>", **options) -> ObservationTable:
    """Build an ObservationTable from a DataFrame with the tidy column names, checking it.

    The 16 tidy columns are required (any order); every other column becomes a side column
    (as text). Text cells that are NaN/None are blank; numeric columns may be numbers (NaN =
    missing) or text, which is parsed as a CSV cell would be; ``flags`` is ``;``-joined text.
    The same checks as the readers apply (options: see the module docstring); problems are
    reported with ``row`` = position in the frame + 2, the line the row would occupy in a tidy
    CSV, and ``file`` = ``source_name``.
    """
    n = len(df)
    columns = {}
    for name in TIDY_COLUMNS:
        if name not in df.columns:
            continue
        s = df[name]
        if name in NUMBER_COLUMNS and (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)):
            columns[name] = s.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            columns[name] = _encode_text(s)
    side = [(str(name), *_encode_text(df[name])) for name in df.columns if name not in TIDY_COLUMNS]
    return _core._table_from_columns(n, columns, side, source_name, **_options(**options))


def _as_table(table) -> ObservationTable:
    if isinstance(table, pd.DataFrame):
        return from_pandas(table)
    return table


def _categorical(table: ObservationTable, name: str) -> pd.Categorical:
    codes = np.asarray(table.codes(name), dtype=np.int32)
    return pd.Categorical.from_codes(codes, categories=pd.Index(table.levels(name), dtype=object))


def _flags_text(flags: np.ndarray) -> np.ndarray:
    bits = ObservationTable.flag_bits
    names = {}
    for value in np.unique(flags):
        names[int(value)] = ";".join(name for name, bit in bits.items() if value & bit)
    lookup = np.array([names.get(i, "") for i in range(256)], dtype=object)
    return lookup[np.asarray(flags)]


def _encode_text(s: pd.Series):
    """(codes, levels) of a column as text: codes index levels, -1 for NaN/None."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy(dtype=np.int64)
        levels = [_text(v) for v in s.cat.categories]
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        codes = np.asarray(codes, dtype=np.int64)
        levels = [_text(v) for v in uniques]
    if len(set(levels)) != len(levels):
        # distinct values with the same text (1 and "1"): merge them under one level
        first = {}
        remap = np.empty(len(levels), dtype=np.int64)
        merged = []
        for i, v in enumerate(levels):
            if v not in first:
                first[v] = len(merged)
                merged.append(v)
            remap[i] = first[v]
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        levels = merged
    return codes, levels


def _text(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)
