"""The PHEindicatormethods 2.1.0 reference cases in ../shared/reference/pheindicatormethods/cases,
loaded for the tests of every method (see that folder's README for the conventions).

Shared by the method test files: ``cases(shared_dir, method)`` lists the cases of one package
function; ``compare(actual, expected, columns, rel)`` applies the upstream numeric rule (mean
absolute difference over mean absolute expected value, per column, NA positions equal).
"""
from __future__ import annotations

import csv
import dataclasses
import math
import pathlib
import re

import numpy as np
import pandas as pd

COLUMN_ARGS = {"x", "n", "stdpop", "deaths", "population", "startage", "quantile", "value", "se", "lower_cl",
               "upper_cl", "values", "numerator", "denominator", "rate", "eventfreq", "ageband"}


@dataclasses.dataclass
class Case:
    case_id: str
    method: str
    args: dict  # raw text values by argument name, harness-only ones included (group_by, seed)
    input: pd.DataFrame
    expected: pd.DataFrame
    outcome: str  # "ok", "ok+warnings" or "error"
    message: str
    upstream_expected: str
    upstream_tolerance: str
    note: str
    folder: pathlib.Path

    @property
    def group_by(self) -> list[str]:
        g = self.args.get("group_by", "")
        return [c for c in g.split(",") if c]

    def confidence(self, default=(0.95,)):
        """The confidence argument as a tuple of floats (None for NA); values above 1 are percentages
        as the package accepts them (99.8 means 0.998) and are returned unchanged."""
        text = self.args.get("confidence")
        if text is None:
            return tuple(default)
        if text == "NA":
            return None
        return tuple(float(v) for v in text.split(","))

    def numbers(self, name):
        """A numeric vector argument such as x_ref or n_ref."""
        return np.array([float(v) for v in self.args[name].split(",")])

    def read_extra(self, name) -> pd.DataFrame:
        """A second input table named by an argument (e.g. observed_totals=FILE)."""
        return _read(self.folder / self.args[name])

    def __repr__(self):
        return f"Case({self.case_id})"


def _read(path: pathlib.Path) -> pd.DataFrame:
    # NA is missing; NaN and Inf are written as such and read as floats.
    return pd.read_csv(path, keep_default_na=False, na_values=["NA"])


def parse_args(text: str) -> dict:
    """``name=value`` pairs separated by spaces; a value may itself hold spaces (age labels such as
    "10 – 14"), so a pair ends only where the next ``name=`` starts."""
    out = {}
    for part in re.split(r" +(?=[A-Za-z_][A-Za-z0-9_.]*=)", text.strip()):
        if not part:
            continue
        name, _, value = part.partition("=")
        out[name] = value
    return out


def cases(shared_dir: pathlib.Path, method: str | None = None) -> list[Case]:
    folder = shared_dir / "reference" / "pheindicatormethods" / "cases"
    out = []
    with open(folder / "cases.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if method is not None and row["method"] != method:
                continue
            out.append(Case(row["case_id"], row["method"], parse_args(row["args"]), _read(folder / row["input"]),
                            _read(folder / row["expected"]), row["outcome"], row["message"],
                            row["upstream_expected"], row["upstream_tolerance"], row["note"], folder))
    return out


def mean_relative_difference(actual, expected) -> float:
    """waldo/testthat's numeric rule: mean |a - e| / mean |e| over the non-missing entries
    (absolute mean difference when the expected values are all zero)."""
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(e))
    if not keep.any():
        return 0.0
    diff = np.abs(a[keep] - e[keep])
    both_inf = np.isinf(a[keep]) & np.isinf(e[keep]) & (np.sign(a[keep]) == np.sign(e[keep]))
    diff[both_inf] = 0.0
    scale = np.mean(np.abs(e[keep][~np.isinf(e[keep])])) if np.any(~np.isinf(e[keep])) else 0.0
    return float(np.mean(diff)) / scale if scale > 0 else float(np.mean(diff))


def compare(actual: pd.DataFrame, expected: pd.DataFrame, columns, rel: float = 1e-9) -> None:
    """Assert equal NA positions and mean relative difference < rel for each numeric column, and
    equality for text columns."""
    assert len(actual) == len(expected), f"{len(actual)} rows, expected {len(expected)}"
    for col in columns:
        a, e = actual[col].reset_index(drop=True), expected[col].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(e) and not pd.api.types.is_bool_dtype(e):
            a = pd.to_numeric(a)
            assert (a.isna().to_numpy() == e.isna().to_numpy()).all(), f"{col}: NA positions differ\n{a}\n{e}"
            d = mean_relative_difference(a, e)
            assert d < rel, f"{col}: mean relative difference {d:.3g} >= {rel:g}"
        else:
            assert a.fillna("NA").astype(str).tolist() == e.fillna("NA").astype(str).tolist(), f"{col} differs"
