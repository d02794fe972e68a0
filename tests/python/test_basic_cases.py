"""fairer.methods proportion, rate and mean against every phe_proportion, phe_rate and phe_mean
case of the PHEindicatormethods 2.1.0 reference set (../shared/reference/pheindicatormethods/cases),
plus fairer's documented differences from the package and its error messages."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import fairer
from fairer.methods import _basic
from pheim_cases import cases, compare

METHODS = {"phe_proportion": "proportion", "phe_rate": "rate", "phe_mean": "mean"}


def _all_cases():
    import conftest
    out = []
    for method in METHODS:
        out.extend(cases(conftest.SHARED, method))
    return out


CASES = _all_cases()


def _call(case):
    kwargs = {}
    if "type" in case.args:
        kwargs["type"] = case.args["type"]
    if "multiplier" in case.args:
        kwargs["multiplier"] = float(case.args["multiplier"])
    conf = case.confidence()
    kwargs["confidence"] = None if conf is None else (conf[0] if len(conf) == 1 else list(conf))
    if case.group_by:
        kwargs["group_by"] = case.group_by if len(case.group_by) > 1 else case.group_by[0]
    fn = getattr(_basic, METHODS[case.method])
    if case.method == "phe_mean":
        return fn(case.input, case.args["x"], **kwargs)
    return fn(case.input, case.args["x"], case.args["n"], **kwargs)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Categorical text columns as plain objects, so that missing entries compare as 'NA'."""
    return df.apply(lambda c: c.astype(object) if isinstance(c.dtype, pd.CategoricalDtype) else c)


def test_case_count():
    counts = {m: sum(c.method == m for c in CASES) for m in METHODS}
    assert counts == {"phe_proportion": 18, "phe_rate": 16, "phe_mean": 10}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.case_id)
def test_reference_case(case):
    if case.outcome == "error":
        # The package's message; fairer's contains it (the proportion variant's "if specified"
        # aside) and adds the group, row or value.
        expected = case.message.replace(", if specified,", "")
        with pytest.raises(fairer.StatisticsError) as info:
            _call(case)
        assert expected in str(info.value)
        return
    assert case.outcome == "ok"
    actual = _plain(_call(case))
    assert list(actual.columns) == list(case.expected.columns)
    compare(actual, case.expected, list(case.expected.columns), rel=1e-9)


def test_error_names_group_and_row():
    d = pd.DataFrame({"area": ["A", "B", "B"], "x": [1, 5, 12], "n": [10, 10, 10]})
    with pytest.raises(fairer.StatisticsError, match=r"group 'B', row index 2"):
        _basic.proportion(d, "x", "n", group_by="area")
    with pytest.raises(fairer.StatisticsError, match=r"row index 1 has -1"):
        _basic.rate(None, [1, -1], [10, 10])
    with pytest.raises(fairer.StatisticsError, match="lengths differ"):
        _basic.rate(None, [1, 2, 3], [10, 10])
    with pytest.raises(fairer.StatisticsError, match="finite"):
        _basic.rate(None, [1, math.inf], [10, 10])
    with pytest.raises(fairer.StatisticsError, match="finite"):
        _basic.proportion(None, [1, 2], [10, math.inf])
    with pytest.raises(fairer.StatisticsError, match="no column 'count'"):
        _basic.rate(d, "count", "n")


def test_single_group_is_aggregated():
    # Deliberate difference: the package returns the two rows of a one-group table unaggregated
    # (spec §0.3); fairer sums them as for any grouping, so that the output shape does not
    # depend on how many groups the data happens to have.
    d = pd.DataFrame({"area": ["A", "A"], "x": [1.0, 3.0], "n": [100.0, 100.0]})
    out = _basic.proportion(d, "x", "n", group_by="area")
    assert len(out) == 1
    assert out["x"][0] == 4 and out["n"][0] == 200
    lo, hi = _basic.wilson_limits([4.0], [200.0])
    assert out["lowercl"][0] == lo[0] and out["uppercl"][0] == hi[0]


def test_two_levels_as_percentages_and_100_rejected():
    # Deliberate differences: c(95, 99.8) is refused by the package although 95 alone is
    # accepted; fairer accepts it. A 100% level is refused (the package gives [0, 1] or Inf).
    d = pd.DataFrame({"x": [5.0], "n": [100.0]})
    a = _basic.proportion(d, "x", "n", confidence=[95, 99.8])
    b = _basic.proportion(d, "x", "n", confidence=[0.95, 0.998])
    pd.testing.assert_frame_equal(a, b)
    for c in (1, 100):
        with pytest.raises(fairer.StatisticsError, match="between 90 and 100"):
            _basic.rate(d, "x", "n", confidence=c)


def test_no_confidence_and_types():
    d = pd.DataFrame({"x": [5.0, 20.0], "n": [100.0, 100.0]})
    out = _basic.rate(d, "x", "n", confidence=float("nan"))
    assert list(out.columns) == ["x", "n", "value", "statistic"]
    with pytest.raises(fairer.StatisticsError, match="needs confidence limits"):
        _basic.rate(d, "x", "n", confidence=None, type="lower")
    assert list(_basic.rate(d, "x", "n", type="lower", confidence=[0.95, 0.998]).columns) == [
        "x", "n", "lower95_0cl", "lower99_8cl"]
    assert list(_basic.mean(d, "x", type="value").columns) == ["value"]


def test_mean_of_one_value_warns():
    d = pd.DataFrame({"g": ["a", "b", "b"], "v": [1.0, 2.0, 4.0]})
    with pytest.warns(_basic.StatisticsWarning, match="group a"):
        out = _basic.mean(d, "v", group_by="g")
    assert math.isnan(out["lowercl"][0]) and not math.isnan(out["lowercl"][1])


def test_arrays_without_a_table_and_multiple_group_columns():
    out = _basic.proportion(None, np.array([1.0, 2.0]), np.array([10.0, 10.0]), multiplier=100)
    assert list(out["value"]) == [10.0, 20.0]
    assert out["statistic"][0] == "percentage"
    d = pd.DataFrame({"a": ["y", "x", "x", "x"], "b": [1, 2, 1, 1], "x": [1, 2, 3, 4], "n": [10, 10, 10, 10]})
    g = _basic.rate(d, "x", "n", group_by=["a", "b"])
    assert g[["a", "b"]].values.tolist() == [["x", 1], ["x", 2], ["y", 1]]
    assert g["x"].tolist() == [7, 2, 1]
    assert g["method"].astype(str).tolist() == ["Exact", "Exact", "Exact"]


def test_statistic_labels_follow_r_number_formatting():
    d = pd.DataFrame({"x": [5.0], "n": [100.0]})
    assert _basic.proportion(d, "x", "n", multiplier=1e5)["statistic"][0] == "proportion of 1e+05"
    assert _basic.proportion(d, "x", "n", multiplier=1000)["statistic"][0] == "proportion of 1000"
    assert _basic.rate(d, "x", "n", multiplier=1e5)["statistic"][0] == "rate per 100000"


def test_vectorised_building_blocks_match_test_bw(shared_dir):
    bw = pd.read_csv(shared_dir / "reference/pheindicatormethods/upstream/sysdata/test_BW.csv",
                     keep_default_na=False, na_values=["NA"])
    for (method, conf), part in bw.groupby(["method", "confidence"]):
        c = 0.95 if conf == "95%" else 99.8
        if method == "Byars":
            lo, hi = _basic.byars_limits(part["x"].to_numpy(), c)
        else:
            lo, hi = _basic.wilson_limits(part["x"].to_numpy(), part["n"].to_numpy(), c)
        np.testing.assert_allclose(lo, part["lowercl"], rtol=1e-9)
        np.testing.assert_allclose(hi, part["uppercl"], rtol=1e-9)
    assert _basic.z_value(0.95) == pytest.approx(1.959963984540054, rel=1e-15)


def test_vectorised_limits_keep_missing_and_name_rows():
    lo, hi = _basic.poisson_count_limits([np.nan, 0.0, 12.0])
    assert math.isnan(lo[0]) and math.isnan(hi[0])
    assert lo[1] == 0.0 and hi[1] == pytest.approx(-math.log(0.025), rel=1e-14)
    elo, ehi = _basic.exact_poisson_limits([12.0])
    blo, bhi = _basic.byars_limits([12.0])
    assert lo[2] == blo[0] and lo[2] != elo[0]
    with pytest.raises(fairer.StatisticsError, match="row index 1"):
        _basic.wilson_limits([1.0, 11.0], [10.0, 10.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _basic.byars_limits(np.array([], dtype=float))


def test_mean_needs_a_numeric_column_and_a_level():
    # Deliberate differences: the package does not check that x is numeric, and a mean without
    # limits is refused (numpy.mean gives it).
    d = pd.DataFrame({"v": ["a", "b"]})
    with pytest.raises(fairer.StatisticsError, match="must be numeric"):
        _basic.mean(d, "v")
    with pytest.raises(fairer.StatisticsError, match="required"):
        _basic.mean(pd.DataFrame({"v": [1.0, 2.0]}), "v", confidence=None)


def test_missing_counts_stay_missing_in_groups():
    # Copied from the package: one missing count makes its group's sums and statistics missing.
    d = pd.DataFrame({"g": ["a", "a", "b"], "x": [1.0, np.nan, 3.0], "n": [10.0, 10.0, 10.0]})
    out = _basic.rate(d, "x", "n", group_by="g")
    assert math.isnan(out["x"][0]) and math.isnan(out["value"][0]) and pd.isna(out["method"][0])
    assert out["x"][1] == 3.0 and out["method"][1] == "Exact"
