"""Every row of /work/shared/reference/inequality/phe_sii_testdata.csv (PHEindicatormethods' SII test
workbook, 505 rows in 29 scenarios) through fairer's PHE slope index (``fairer.methods.sii``, the
engine behind ``summary_measures(slope="phe")``).

Tolerances (README there, spec §9): sii, rii and the intercept are exact, compared at 1e-6 relative;
the limits come from 100,000-draw simulations in R, and fairer's random stream is not R's, so they are
compared at the PHE tests' 5 % relative, from a 100,000-draw run. The Confidence column of the workbook
does not always state the level a scenario uses (the "98 %" scenarios say 95); the scenario description
does, as in the source's tests. Error scenarios must raise fairer.InequalityError with the package's
message, warning scenarios must warn.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import conftest
import fairer
from fairer.methods._sii import InequalityWarning, sii

DATA = pd.read_csv(conftest.SHARED / "reference" / "inequality" / "phe_sii_testdata.csv")
BY = ["Area", "Grouping1", "Grouping2"]
CL = {"value": "Value", "lower_cl": "LowerCL", "upper_cl": "UpperCL"}
SE = {"value": "Value", "se": "StandardError"}

# scenario -> (call options, outcome, message)
SCENARIOS = {
    "default (e.g. life expectancy) - default parameters": ({**CL, "value_type": 0}, "ok", ""),
    "default - testing 99% confidence": ({**CL, "confidence": 0.99}, "ok", ""),
    "default - testing 10,000 repetitions": ({**CL, "repetitions": 10_000}, "ok", ""),
    "default - testing quintiles": ({**CL}, "ok", ""),
    "rate (e.g. infant mortality) - default parameters": ({**CL, "value_type": 1}, "ok", ""),
    "proportion (e.g. child obesity) - default parameters": ({**CL, "value_type": 2}, "ok", ""),
    "proportion - testing multiplier (x 100)": ({**CL, "value_type": 2, "multiplier": 100}, "ok", ""),
    "proportion - testing multiplier (x -100)": ({**CL, "value_type": 2, "multiplier": -100}, "ok", ""),
    "error handling - negative populations": (
        {**SE}, "error", "some groups have a zero, negative or missing population"),
    "error handling - negative counts/standard error": (
        {**SE}, "error", "negative or missing standard errors in input dataset"),
    "error handling - invalid proportion in CLs": (
        {**CL, "value_type": 2}, "error", "confidence limit proportions are not all between 0 and 1"),
    "error handling - missing value field": (
        {"lower_cl": "LowerCL", "upper_cl": "UpperCL"}, "error",
        "function phe_sii requires value field, or x field if indicator is a proportion of population"),
    "error handling - missing confidence limits and se": (
        {**CL}, "error", "missing lower or upper confidence limits in input dataset"),
    # The workbook files this block (a missing population at quantile 5, a missing value at 8) under
    # warnings; fairer refuses a missing population with the package's own validation message
    # ("... zero, negative or missing population") instead of dropping the record, and keeps a
    # missing value missing (see test_missing_population_and_value_block below).
    "warning handling - missing populations, counts or values": (
        {**CL}, "error", "some groups have a zero, negative or missing population (group 'area1, group A, group C', row 4"),
    "warning handling - large number of quantiles (>10)": (
        {**CL}, "warning", "WARNING: Small values can make SII unstable when using a large number of quantiles"),
    "default (e.g. life expectancy) - multiple CIs": ({**CL, "confidence": [0.95, 0.99]}, "ok", ""),
    "default (e.g. life expectancy) - intercept": ({**CL, "intercept": True}, "ok", ""),
    "rate (e.g. infant mortality) - intercept": ({**CL, "value_type": 1, "intercept": True}, "ok", ""),
    "proportion (e.g. child obesity) - intercept": ({**CL, "value_type": 2, "intercept": True}, "ok", ""),
    "rate (e.g. infant mortality) - log transform with intercept": (
        {**CL, "value_type": 1, "transform": True, "intercept": True}, "ok", ""),
    "proportion (e.g. child obesity) - logit transform with intercept": (
        {**CL, "value_type": 2, "transform": True, "intercept": True}, "ok", ""),
    "proportion (e.g. child obesity) - logit transform with negative multiplier": (
        {**CL, "value_type": 2, "transform": True, "intercept": True, "multiplier": -1}, "ok", ""),
    "rate (e.g. infant mortality) - log transform with multiple Cis (95 and 98)": (
        {**CL, "value_type": 1, "transform": True, "intercept": True, "confidence": [0.95, 0.98]}, "ok", ""),
    "rate (e.g. infant mortality) - log transform with negative multiplier": (
        {**CL, "value_type": 1, "transform": True, "intercept": True, "multiplier": -1}, "ok", ""),
    "rate (e.g. infant mortality) - log transform with 98% CI": (
        {**CL, "value_type": 1, "transform": True, "intercept": True, "confidence": 0.98}, "ok", ""),
    "rate (e.g. infant mortality) - log transform without rii": (
        {**CL, "value_type": 1, "transform": True, "intercept": True, "rii": False}, "ok", ""),
    "proportion (e.g. child obesity) - logit transform without rii": (
        {**CL, "value_type": 2, "transform": True, "intercept": True, "rii": False}, "ok", ""),
    "proportion (e.g. child obesity) - logit transform with 98% cis": (
        {**CL, "value_type": 2, "transform": True, "intercept": True, "confidence": 0.98}, "ok", ""),
    "proportion (e.g. child obesity) - logit transform with 95% and 98% cis": (
        {**CL, "value_type": 2, "transform": True, "intercept": True, "confidence": [0.95, 0.98]}, "ok", ""),
}


def test_every_row_belongs_to_a_mapped_scenario():
    assert len(DATA) == 505
    assert set(DATA.TestDescription) == set(SCENARIOS)
    assert DATA.TestDescription.value_counts().sum() == 505


def _call(rows: pd.DataFrame, options: dict, repetitions: int | None = None) -> pd.DataFrame:
    kw = {"rii": True, "type": "standard", "seed": 20261123, "group_by": BY, **options}
    if repetitions is not None:
        kw["repetitions"] = repetitions
    return sii(rows, "Quantile", "Population", **kw)


def _limit_columns(result: pd.DataFrame, measure: str, levels: int) -> list[tuple[str, str]]:
    """(fairer column, workbook column) pairs for the limits, levels in the order given."""
    lower = [c for c in result.columns if c.startswith(f"{measure}_lower")]
    upper = [c for c in result.columns if c.startswith(f"{measure}_upper")]
    assert len(lower) == len(upper) == levels, result.columns
    pairs = []
    for k in range(levels):
        pairs += [(lower[k], f"{measure}_lowercl_{k + 1}"), (upper[k], f"{measure}_uppercl_{k + 1}")]
    return pairs


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_scenario(scenario):
    options, outcome, message = SCENARIOS[scenario]
    rows = DATA[DATA.TestDescription == scenario]
    if outcome == "error":
        with pytest.raises(fairer.InequalityError, match=re.escape(message)):
            _call(rows, options)
        return
    if outcome == "warning":
        with pytest.warns(InequalityWarning, match=re.escape(message)):
            result = _call(rows, options)
        assert len(result) == rows.groupby(BY).ngroups
        return
    point = _call(rows, options)
    limits = point if options.get("repetitions", 100_000) >= 100_000 else _call(rows, options, 100_000)
    expected = rows[rows.sii.notna()].set_index(BY)
    assert len(expected) == rows.groupby(BY).ngroups  # one expected row per block
    point = point.set_index(BY).loc[expected.index]
    limits = limits.set_index(BY).loc[expected.index]
    levels = len(options["confidence"]) if isinstance(options.get("confidence"), list) else 1
    np.testing.assert_allclose(point.sii, expected.sii, rtol=1e-6)
    measures = ["sii"]
    if options.get("rii", True):
        np.testing.assert_allclose(point.rii, expected.rii, rtol=1e-6)
        measures.append("rii")
    else:
        assert "rii" not in point.columns and expected.rii.isna().all()
    if options.get("intercept"):
        np.testing.assert_allclose(point.intercept, expected.Intercept, rtol=1e-6)
    compared = 0
    for m in measures:
        for ours, theirs in _limit_columns(limits, m, levels):
            want = expected[theirs]
            if want.isna().all():
                continue  # the workbook leaves these limits blank (quintile RII limits)
            np.testing.assert_allclose(limits[ours], want, rtol=0.05, err_msg=f"{scenario}: {ours}")
            compared += 1
    # every limit the workbook gives was compared (the quintile scenario gives none)
    assert compared == sum(1 for m in measures for _, theirs in _limit_columns(limits, m, levels)
                           if expected[theirs].notna().any())


def test_missing_value_field_with_all_values_missing_gives_missing_results():
    # The same rows called with the (empty) Value column: missing stays missing, no error and no 0.
    rows = DATA[DATA.TestDescription == "error handling - missing value field"]
    result = _call(rows, CL)
    assert result.sii.isna().all()


def test_missing_population_and_value_block():
    # With the missing population filled in, the block's missing value (quantile 8) gives missing
    # results for its group: nothing is dropped or computed from the other rows silently.
    rows = DATA[DATA.TestDescription == "warning handling - missing populations, counts or values"].copy()
    rows.loc[rows.Population.isna(), "Population"] = 23889.0
    result = _call(rows, CL)
    assert len(result) == 1 and result.sii.isna().all() and result.rii.isna().all()


def test_summary_measures_slope_choice_is_explicit():
    # summary_measures(slope="phe") is this engine (the workbook's sii and rii), the default
    # slope="who_logistic" is HEAT's (tested against generated_engines_expected.csv elsewhere) and
    # differs; an unknown choice is an error.
    from fairer.inequality import summary_measures

    rows = DATA[DATA.TestDescription == "default (e.g. life expectancy) - default parameters"]
    tables = pd.DataFrame({
        "area": rows.Area, "subgroup": rows.Quantile.astype(str), "subgroup_order": rows.Quantile,
        "population": rows.Population, "estimate": rows.Value, "se": rows.StandardError,
        "favourable_indicator": 1, "ordered_dimension": 1, "reference_subgroup": 0, "indicator_scale": 1.0,
    })
    expected = rows[rows.sii.notna()].set_index("Area")
    phe = summary_measures(tables, by="area", measures=["SII", "RII"], slope="phe")
    phe = phe.pivot(index="area", columns="measure", values="estimate").loc[expected.index]
    np.testing.assert_allclose(phe["SII"], expected.sii, rtol=1e-6)
    np.testing.assert_allclose(phe["RII"], expected.rii, rtol=1e-6)
    with pytest.raises(fairer.InequalityError, match="unknown slope method 'bogus'"):
        summary_measures(tables, by="area", slope="bogus")
