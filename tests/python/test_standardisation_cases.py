"""Every calculate_dsr, phe_dsr, calculate_ISRatio and calculate_ISRate case of the
PHEindicatormethods 2.1.0 reference (../shared/reference/pheindicatormethods/cases) run through
fairer.methods' dsr, isratio and israte, plus checks of fairer's own documented behaviour.

Argument mapping from the package:
  calculate_dsr(data, x, n, stdpop=col, ...)        -> dsr(data, x, n, stdpop=col, ...)
  phe_dsr(data, x, n)                               -> dsr(data, x, n)            (ESP 2013 by position)
  phe_dsr(..., stdpop=c(...))                       -> dsr(..., stdpop=[...])     (by position)
  phe_dsr(..., stdpop=col, stdpoptype="field")      -> dsr(..., stdpop=col)
  calculate_ISRatio / calculate_ISRate(..., x_ref, n_ref, refpoptype, observed_totals=table)
                                                    -> isratio / israte with the same arguments
  group_by(data, a, b)                              -> group_by=["a", "b"]
"""
from __future__ import annotations

import os
import pathlib

import numpy as np
import pandas as pd
import pytest

import fairer
from fairer.methods import _standardisation as st
from pheim_cases import cases, compare

SHARED = pathlib.Path(os.environ.get("FAIRER_SHARED_DIR", pathlib.Path(__file__).resolve().parents[3] / "shared"))
METHODS = ("calculate_dsr", "phe_dsr", "calculate_ISRatio", "calculate_ISRate")
ALL = [c for m in METHODS for c in cases(SHARED, m)]
# Closed forms: the package's outputs and fairer's differ only through the normal and chi-square
# quantile implementations (spec §11 suggests 1e-9 relative).
REL = 1e-9


def _call(case):
    a = case.args
    kw = {}
    if case.group_by:
        kw["group_by"] = case.group_by
    if "type" in a:
        kw["type"] = a["type"]
    conf = case.confidence()
    kw["confidence"] = conf[0] if len(conf) == 1 else conf
    if case.method in ("calculate_dsr", "phe_dsr"):
        if "multiplier" in a:
            kw["multiplier"] = float(a["multiplier"])
        if "stdpop" in a:
            # A column for calculate_dsr and phe_dsr(stdpoptype="field"); numbers for a phe_dsr vector.
            is_vector = case.method == "phe_dsr" and a.get("stdpoptype", "vector") == "vector"
            kw["stdpop"] = list(case.numbers("stdpop")) if is_vector else a["stdpop"]
        if a.get("independent_events") == "FALSE":
            kw["independent_events"] = False
            kw["eventfreq"] = a["eventfreq"]
            kw["ageband"] = a["ageband"]
        return st.dsr(case.input, a["x"], a["n"], **kw)
    refpoptype = a.get("refpoptype", "vector")
    kw["refpoptype"] = refpoptype
    x_ref = a["x_ref"] if refpoptype == "field" else _vector(a["x_ref"])
    n_ref = a["n_ref"] if refpoptype == "field" else _vector(a["n_ref"])
    if "observed_totals" in a:
        kw["observed_totals"] = case.read_extra("observed_totals")
    if case.method == "calculate_ISRatio":
        if "refvalue" in a:
            kw["refvalue"] = float(a["refvalue"])
        return st.isratio(case.input, a["x"], a["n"], x_ref, n_ref, **kw)
    if "multiplier" in a:
        kw["multiplier"] = float(a["multiplier"])
    return st.israte(case.input, a["x"], a["n"], x_ref, n_ref, **kw)


def _vector(text: str) -> np.ndarray:
    return np.array([np.nan if v == "NA" else float(v) for v in text.split(",")])


def test_every_case_is_collected():
    counts = {m: sum(c.method == m for c in ALL) for m in METHODS}
    assert counts == {"calculate_dsr": 22, "phe_dsr": 6, "calculate_ISRatio": 13, "calculate_ISRate": 13}


@pytest.mark.parametrize("case", [c for c in ALL if c.outcome == "ok"], ids=lambda c: c.case_id)
def test_ok_case(case):
    actual = _call(case)
    assert list(actual.columns) == list(case.expected.columns)
    compare(actual, case.expected, list(case.expected.columns), rel=REL)


def _squash(text: str) -> str:
    # The package writes "standard populations(stdpop)"; fairer puts a space before the bracket.
    return "".join(text.split())


@pytest.mark.parametrize("case", [c for c in ALL if c.outcome == "error"], ids=lambda c: c.case_id)
def test_error_case(case):
    with pytest.raises(fairer.StatisticsError) as info:
        _call(case)
    assert _squash(case.message) in _squash(str(info.value))


def test_no_case_warns():
    assert not [c.case_id for c in ALL if c.outcome == "ok+warnings"]


# --------------------------------------------------------------------------------------------
# fairer's own behaviour, beyond the cases


def _multiarea() -> pd.DataFrame:
    return pd.read_csv(SHARED / "reference/pheindicatormethods/upstream/sysdata/test_multiarea_esp.csv")


def test_errors_name_group_and_row():
    d = _multiarea()
    d.loc[20, "pop"] = 0  # the second row of testdata_small
    with pytest.raises(fairer.StatisticsError, match="group 'testdata_small', row index 20 has 0"):
        st.dsr(d, "count", "pop", stdpop="esp2013", group_by="area")
    d = _multiarea()
    d.loc[5, "count"] = -1
    with pytest.raises(fairer.StatisticsError, match="group 'testdata_big', row index 5 has -1"):
        st.isratio(d.assign(r=1.0, p=10.0), "count", "pop", "r", "p", group_by="area")


def test_bad_arguments_raise():
    d = _multiarea()
    bad = [
        dict(type="combined"), dict(confidence=0.8), dict(confidence=1), dict(confidence=(0.95, 0.99)),
        dict(confidence=(0.9, 0.95, 0.998)), dict(multiplier=-1), dict(multiplier=0), dict(stdpop="nope"),
        dict(stdpop=[1.0, 2.0]), dict(stdpop=[-1.0] * 19), dict(independent_events="no"),
        dict(independent_events=False),
    ]
    for kw in bad:
        with pytest.raises(fairer.StatisticsError):
            st.dsr(d, "count", "pop", group_by="area", **{"stdpop": "esp2013", **kw})
    with pytest.raises(fairer.StatisticsError, match="refvalue"):
        st.isratio(d, "count", "pop", [1.0] * 19, [10.0] * 19, group_by="area", refvalue=0)
    with pytest.raises(fairer.StatisticsError, match="n_ref"):
        st.israte(d, "count", "pop", [1.0] * 19, [0.0] + [10.0] * 18, group_by="area")
    with pytest.raises(fairer.StatisticsError, match="refpoptype"):
        st.israte(d, "count", "pop", [1.0] * 19, [10.0] * 19, group_by="area", refpoptype="list")


def test_percent_pair_is_accepted():
    # Deliberate difference: the package rejects c(95, 99.8) although it accepts 95 alone.
    d = _multiarea()
    a = st.dsr(d, "count", "pop", stdpop="esp2013", group_by="area", confidence=(95, 99.8))
    b = st.dsr(d, "count", "pop", stdpop="esp2013", group_by="area", confidence=(0.95, 0.998))
    pd.testing.assert_frame_equal(a, b)


def test_arrays_without_a_data_frame_give_the_same_numbers():
    d = _multiarea()
    frame = st.dsr(d, "count", "pop", stdpop="esp2013", group_by="area", type="standard")
    arrays = st.dsr(None, d["count"].to_numpy(), d["pop"].to_numpy(), stdpop=d["esp2013"].to_numpy(),
                    group_by=d["area"].to_numpy(), type="standard")
    np.testing.assert_array_equal(arrays["value"].to_numpy(), frame["value"].to_numpy())
    assert arrays["group"].tolist() == frame["area"].tolist()


def test_built_in_esp2013_and_a_custom_standard_population():
    d = _multiarea()
    esp = st.esp2013()
    assert len(esp) == 19 and esp.total == 100000
    by_column = st.dsr(d, "count", "pop", stdpop="esp2013", group_by="area")
    pd.testing.assert_frame_equal(st.dsr(d, "count", "pop", group_by="area"), by_column)
    pd.testing.assert_frame_equal(st.dsr(d, "count", "pop", stdpop=esp, group_by="area"), by_column)
    flat = st.StandardPopulation.custom("flat", esp.bands, [1.0] * 19)
    flat_rate = st.dsr(d, "count", "pop", stdpop=flat, group_by="area")
    # Equal weights: the DSR is the mean of the band rates (an independent check of the weighting).
    rates = (d["count"] / d["pop"]).groupby(d["area"]).mean() * 1e5
    np.testing.assert_allclose(flat_rate["value"].to_numpy()[:2], rates.to_numpy()[:2], rtol=1e-13)
    with pytest.raises(fairer.StatisticsError, match="band 2"):
        st.StandardPopulation.custom("bad", ["a", "b"], [1.0, -1.0])


def test_non_independent_events_match_standard_population_by_age_band_label():
    data = pd.read_csv(SHARED / "reference/pheindicatormethods/upstream/sysdata/test_DSR_nonind.csv")
    by_column = st.dsr(data, "persons", "pop", stdpop="esp2013", group_by="area", independent_events=False,
                       eventfreq="freq", ageband="ageband")
    relabelled = data.assign(ageband=data["ageband"].map(dict(zip(sorted(data["ageband"].unique()),
                                                                  st.esp2013().bands))))
    by_label = st.dsr(relabelled, "persons", "pop", group_by="area", independent_events=False,
                      eventfreq="freq", ageband="ageband")
    pd.testing.assert_frame_equal(by_label, by_column)


def test_observed_totals_missing_group_is_missing_not_zero():
    d = _multiarea()
    ref = pd.read_csv(SHARED / "reference/pheindicatormethods/upstream/sysdata/test_ISR_refdata.csv")
    totals = pd.DataFrame({"area": ["testdata_big", "testdata_small"], "deaths": [895, 91]})
    out = st.isratio(d, "deaths", "pop", ref["refcount"], ref["refpop"], group_by="area", observed_totals=totals)
    assert out["observed"].isna().tolist() == [False, False, True]
    assert out["value"].isna().tolist() == [False, False, True]
    assert out["method"].tolist()[:2] == ["Byars", "Byars"] and pd.isna(out["method"].iloc[2])


def test_type_keeps_the_package_columns():
    d = _multiarea()
    full = st.dsr(d, "count", "pop", stdpop="esp2013", group_by="area", confidence=(0.95, 0.998))
    expected = {
        "value": ["area", "value"],
        "lower": ["area", "lower95_0cl", "lower99_8cl"],
        "upper": ["area", "upper95_0cl", "upper99_8cl"],
    }
    for type, columns in expected.items():
        out = st.dsr(d, "count", "pop", stdpop="esp2013", group_by="area", confidence=(0.95, 0.998), type=type)
        assert list(out.columns) == columns
        pd.testing.assert_frame_equal(out, full[columns])
    ref = pd.read_csv(SHARED / "reference/pheindicatormethods/upstream/sysdata/test_ISR_refdata.csv")
    for fn, summary in ((st.isratio, ["observed", "expected"]), (st.israte, ["observed", "expected", "ref_rate"])):
        full = fn(d, "count", "pop", ref["refcount"], ref["refpop"], group_by="area")
        assert list(full.columns) == ["area", *summary, "value", "lowercl", "uppercl", "confidence", "statistic",
                                      "method"]
        lower = fn(d, "count", "pop", ref["refcount"], ref["refpop"], group_by="area", type="lower")
        assert list(lower.columns) == ["area", "lowercl"]


def test_dsr_does_not_depend_on_row_order_or_the_scale_of_the_standard():
    # Two independent checks of the formula: the rows of a group are summed (order-free), and
    # the weights enter only as proportions of their total.
    d = _multiarea()
    base = st.dsr(d, "count", "pop", stdpop="esp2013", group_by="area")
    shuffled = d.sample(frac=1.0, random_state=7).reset_index(drop=True)
    pd.testing.assert_frame_equal(st.dsr(shuffled, "count", "pop", stdpop="esp2013", group_by="area"), base,
                                  rtol=1e-13)
    scaled = st.dsr(d.assign(esp2013=d["esp2013"] * 3.5), "count", "pop", stdpop="esp2013", group_by="area")
    pd.testing.assert_frame_equal(scaled, base, rtol=1e-13)


def test_non_independent_events_with_one_event_each_equal_the_independent_dsr():
    # When every person has exactly one event, the adjusted variance is the Dobson variance.
    d = _multiarea().assign(freq=1)
    independent = st.dsr(d, "count", "pop", stdpop="esp2013", group_by="area")
    adjusted = st.dsr(d, "count", "pop", stdpop="esp2013", group_by="area", independent_events=False,
                      eventfreq="freq", ageband="ageband")
    pd.testing.assert_frame_equal(adjusted.drop(columns="method"), independent.drop(columns="method"), rtol=1e-13)
    assert adjusted["method"].iloc[0] == "Dobson, with confidence adjusted for non-independent events"


def test_isr_with_the_reference_equal_to_the_local_population_is_one():
    # Indirect standardisation against itself: E = O, so the ratio is refvalue exactly and the
    # rate equals the crude rate of the reference.
    d = _multiarea()
    d = d[d["area"] == "testdata_big"]
    out = st.isratio(d, "count", "pop", "count", "pop", refpoptype="field", refvalue=100)
    assert out["value"].iloc[0] == pytest.approx(100, rel=1e-14)
    rate = st.israte(d, "count", "pop", "count", "pop", refpoptype="field")
    assert rate["value"].iloc[0] == pytest.approx(d["count"].sum() / d["pop"].sum() * 1e5, rel=1e-14)
