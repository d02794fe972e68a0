"""Every phe_quantile reference case (PHEindicatormethods 2.1.0 outputs) against fairer.methods
quantile: the quantiles are whole numbers, compared exactly (and the package's ``QuantileInGrp``
column, from OHID's spreadsheet, is an independent check where the case keeps it)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import conftest
import fairer
from fairer.methods._sii import InequalityWarning, quantile
from pheim_cases import cases, compare

CASES = cases(conftest.SHARED, "phe_quantile")


def _kwargs(case) -> dict:
    a = case.args
    kw = {"values": a["values"]}
    if "invert" in a:
        text = a["invert"]
        kw["invert"] = {"TRUE": True, "FALSE": False}.get(text, int(text) if text.isdigit() else text)
    for name in ("inverttype", "type"):
        if name in a:
            kw[name] = a[name]
    if "nquantiles" in a:
        kw["nquantiles"] = int(a["nquantiles"])
    if case.group_by:
        kw["group_by"] = case.group_by
    return kw


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.case_id)
def test_case(case):
    kw = _kwargs(case)
    if case.outcome == "error":
        with pytest.raises(fairer.InequalityError, match=re.escape(case.message)):
            quantile(case.input, **kw)
        return
    if case.outcome == "ok+warnings":
        with pytest.warns(InequalityWarning, match=re.escape(case.message)):
            result = quantile(case.input, **kw)
    else:
        result = quantile(case.input, **kw)
    assert list(result.columns) == list(case.expected.columns)
    compare(result, case.expected, case.expected.columns, rel=0.0 + 1e-15)
    assert (result["quantile"].isna() | (result["quantile"] == np.floor(result["quantile"]))).all()


def test_case_count():
    assert len(CASES) == 11


def test_matches_the_spreadsheet_column_where_kept():
    checked = 0
    for case in CASES:
        if case.outcome == "error" or case.case_id == "quantile_all_na_group":
            continue  # that case blanks values on purpose, so its spreadsheet column no longer applies
        with pytest.warns(InequalityWarning) if case.outcome == "ok+warnings" else _nothing():
            result = quantile(case.input, **_kwargs(case))
        a = result["quantile"].to_numpy()
        e = case.input["QuantileInGrp"].to_numpy(float)
        assert np.array_equal(np.isnan(a), np.isnan(e)) and np.array_equal(a[~np.isnan(a)], e[~np.isnan(e)])
        checked += 1
    assert checked == 6


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_arrays_without_frame_and_ties():
    v = np.array([10.0, 9, 9, 7, 6, 5, 4, 3, 2, 1])
    r = quantile(None, v, nquantiles=5, type="standard")
    # invert=True: highest first; the tied 9s share rank 2 and so quantile 1.
    assert r["quantile"].tolist() == [1, 1, 1, 2, 3, 3, 4, 4, 5, 5]


def test_bad_nquantiles():
    with pytest.raises(fairer.InequalityError, match="nquantiles"):
        quantile(pd.DataFrame({"v": [1.0, 2.0]}), "v", nquantiles=0)
