"""fairer.distribution (Gini, Lorenz, Atkinson, Theil T/L and decomposition, generalised entropy,
Wolfson, concentration index and its corrections, streaming unit-level accumulator) against every
distribution/concentration row of /work/shared/reference/inequality (README there):

* pysal_expected.csv: all 40 rows (Gini, Theil T, Theil decomposition, Atkinson and EDE, Wolfson, Lorenz
  ordinates), each within its own abs_tolerance (PySAL's test tolerances);
* generated_engines_expected.csv: the ACI/RCI rows (plain, bounded, Wagstaff, Erreygers; both engines)
  at 1e-9 relative (the same closed-form regression, full precision) and the TI/MLD estimates (= 1000 T,
  1000 L) at 1e-9;
* hq_tests_expected.csv: ACI, RCI, TI, MLD at each test's rel_tolerance; hq_vignette_expected.csv: the
  grouped ACI and the survey ACI point estimate on the individual sample (fed through a pandas chunked
  reader) at 1e-6 (7 significant digits printed).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import conftest
import fairer
from fairer import distribution as fd

REF = conftest.SHARED / "reference" / "inequality"


def _mexico() -> pd.DataFrame:
    return pd.read_csv(REF / "pysal_mexico_input.csv")


def _listed(text: str) -> list[float]:
    return [float(v) for v in text[text.index("[") + 1:text.index("]")].split(",")]


def _param(text: str) -> str:
    return text.split("=", 1)[1]


PYSAL = pd.read_csv(REF / "pysal_expected.csv", keep_default_na=False)


def test_pysal_row_count():
    assert len(PYSAL) == 40


@pytest.mark.parametrize("row", range(40))
def test_pysal_expected(row):
    e = PYSAL.iloc[row]
    mx = _mexico()
    frame = None
    if e.variable.startswith("y="):
        values = np.array(_listed(e.variable))
    else:
        frame, values = mx, e.variable  # by column name, through data=
    measure = e.measure
    if measure == "Gini":
        actual = fd.gini(values, data=frame)
    elif measure == "Theil_T":
        actual = fd.theil_t(values, data=frame)
    elif measure.startswith("TheilD_"):
        groups = _listed(e.param) if e.param.startswith("partition=[") else _param(e.param)
        dec = fd.theil_decomposition(values, groups, data=frame)
        actual = dec.between if measure == "TheilD_between" else dec.within
        assert dec.total == pytest.approx(fd.theil_t(values, data=frame), rel=1e-12, abs=1e-15)
        assert dec.between + dec.within == pytest.approx(dec.total, rel=1e-12, abs=1e-15)
    elif measure in ("Atkinson", "Atkinson_EDE"):
        a = fd.atkinson(values, epsilon=float(_param(e.param)), data=frame)
        actual = a.index if measure == "Atkinson" else a.ede
    elif measure == "Wolfson":
        actual = fd.wolfson(values, data=frame)
    elif measure == "Lorenz_cum_share":
        points = fd.lorenz_curve(values, data=frame)
        k = int(_param(e.param))
        assert list(points.columns) == ["population_share", "outcome_share"]
        assert points.population_share.iloc[k] == pytest.approx(k / len(values), abs=1e-15)
        actual = points.outcome_share.iloc[k]
    else:
        raise AssertionError(f"unknown measure {measure}")
    assert abs(actual - float(e.estimate)) <= float(e.abs_tolerance), (e.case_id, measure, e.variable, e.param, actual)


def _subgroups() -> dict[str, pd.DataFrame]:
    t = pd.concat([pd.read_csv(REF / "hq_tests_input.csv"), pd.read_csv(REF / "hq_samples_input.csv")],
                  ignore_index=True)
    return {k: g for k, g in t.groupby("case_id", sort=False)}


def _concentration_for(table: pd.DataFrame, measure: str, options: str) -> fd.ConcentrationIndex:
    kind = "generalized" if measure == "ACI" else "standard"
    bounds = {}
    values = table.estimate.to_numpy(float)
    if "method=wagstaff" in options:
        kind = "wagstaff"
    if "method=erreygers" in options:
        kind = "erreygers"
    if "lmin=0;lmax=100" in options:
        bounds = {"lower_bound": 0.0, "upper_bound": 100.0}
        if kind in ("generalized", "standard"):
            # healthequal's bounded ACI and RCI (no method) are those of y* = (y - lmin) / (lmax - lmin)
            values = values / 100.0
            bounds = {}
    return fd.concentration_index(values, table.subgroup_order, table.population, kind=kind, **bounds)


GENERATED = pd.read_csv(REF / "generated_engines_expected.csv", keep_default_na=False, na_values=[""])
CONC = GENERATED[GENERATED.measure.isin(["ACI", "RCI"])].reset_index(drop=True)
THEIL = GENERATED[GENERATED.measure.isin(["TI", "MLD"])].reset_index(drop=True)


def _rel(actual: float, expected: float, rel: float) -> bool:
    return abs(actual - expected) <= rel * abs(expected) + 1e-12


def test_generated_concentration_row_count():
    assert len(CONC) == 20 and CONC.error.isna().all()
    assert len(THEIL) == 12


@pytest.mark.parametrize("row", range(20))
def test_generated_concentration_rows(row):
    e = CONC.iloc[row]
    c = _concentration_for(_subgroups()[e.case_id], e.measure, e.options if isinstance(e.options, str) else "")
    for got, key in ((c.estimate, "estimate"), (c.se, "se"), (c.lower, "lowerci"), (c.upper, "upperci")):
        assert _rel(got, float(e[key]), 1e-9), (e.case_id, e.engine, e.measure, e.options, key, got, e[key])


@pytest.mark.parametrize("row", range(12))
def test_generated_theil_estimates(row):
    # HEAT's TI and MLD are 1000 x the population-weighted Theil T and L of the subgroup estimates
    # (their SEs are HEAT-specific and tested in test_heat_nonordered_reference.py).
    e = THEIL.iloc[row]
    t = _subgroups()[e.case_id]
    fn = fd.theil_t if e.measure == "TI" else fd.theil_l
    assert _rel(1000.0 * fn("estimate", "population", data=t), float(e.estimate), 1e-9), (e.case_id, e.measure)


def test_published_healthequal_rows():
    exp = pd.read_csv(REF / "hq_tests_expected.csv")
    exp = exp[exp.measure.isin(["ACI", "RCI", "TI", "MLD"])]
    assert len(exp) == 4
    tables = _subgroups()
    for _, e in exp.iterrows():
        t = tables[e.case_id]
        tol = float(e.rel_tolerance)
        if e.measure in ("ACI", "RCI"):
            c = _concentration_for(t, e.measure, "")
            for got, key in ((c.estimate, "estimate"), (c.se, "se"), (c.lower, "lowerci"), (c.upper, "upperci")):
                assert _rel(got, float(e[key]), tol), (e.case_id, e.measure, key, got)
        else:
            fn = fd.theil_t if e.measure == "TI" else fd.theil_l
            assert _rel(1000.0 * fn(t.estimate, t.population), float(e.estimate), tol), (e.case_id, e.measure)


def test_vignette_grouped_aci():
    exp = pd.read_csv(REF / "hq_vignette_expected.csv")
    e = exp[(exp.measure == "ACI") & (exp.case_id == "hq_sample_ordered_sba")].iloc[0]
    c = _concentration_for(_subgroups()["hq_sample_ordered_sba"], "ACI", "")
    for got, key in ((c.estimate, "estimate"), (c.se, "se"), (c.lower, "lowerci"), (c.upper, "upperci")):
        assert _rel(got, float(e[key]), 1e-6), key


def test_vignette_survey_aci_with_design_based_se():
    exp = pd.read_csv(REF / "hq_vignette_expected.csv")
    e = exp[exp.case_id == "hq_individual_sample_sba"].iloc[0]
    assert e.options == "est=sba;weight=weight;psu=psu;strata=strata (survey design)"
    sample = pd.read_csv(REF / "hq_individual_sample_input.csv")
    c = fd.concentration_index("sba", "subgroup_order", "weight", kind="generalized", psu="psu", strata="strata",
                               data=sample)
    for got, key in ((c.estimate, "estimate"), (c.se, "se"), (c.lower, "lowerci"), (c.upper, "upperci")):
        assert _rel(got, float(e[key]), 1e-6), (key, got, e[key])
    # text labels for the design give the same result as the integer codes
    relabelled = sample.assign(psu="p" + sample.psu.astype(str), strata="s" + sample.strata.astype(str))
    c2 = fd.concentration_index("sba", "subgroup_order", "weight", kind="generalized", psu="psu", strata="strata",
                                data=relabelled)
    assert c2.se == pytest.approx(c.se, rel=1e-12)
    # keep a single PSU of stratum 1: its variance contribution is undefined
    one = sample[(sample.strata != 1) | (sample.psu == sample[sample.strata == 1].psu.iloc[0])]
    with pytest.raises(fairer.InequalityError, match="stratum 1 has a single PSU"):
        fd.concentration_index("sba", "subgroup_order", "weight", psu="psu", strata="strata", data=one)


def test_vignette_survey_aci_point_estimate_from_a_chunked_reader():
    # The survey-weighted regression's point estimate is the weighted concentration index with tied
    # quintiles sharing a rank, so the streaming accumulator reproduces it too.
    exp = pd.read_csv(REF / "hq_vignette_expected.csv")
    e = exp[exp.case_id == "hq_individual_sample_sba"].iloc[0]
    reader = pd.read_csv(REF / "hq_individual_sample_input.csv", chunksize=2500)
    acc = fd.UnitLevelInequality.from_chunks(reader, outcome="sba", weights="weight", rank="subgroup_order")
    r = acc.result(kind="generalized")
    assert acc.rows == 17848 and r.missing == 0
    assert _rel(r.concentration.estimate, float(e.estimate), 1e-6)
    one = pd.read_csv(REF / "hq_individual_sample_input.csv")
    c = fd.concentration_index("sba", "subgroup_order", "weight", kind="generalized", data=one)
    assert c.estimate == pytest.approx(r.concentration.estimate, rel=1e-12)


# --- chunked == one-shot ---------------------------------------------------------------------------

def _unit_frame(n: int = 5000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "y": np.round(rng.gamma(2.0, 10.0, n), 1),
        "w": np.round(rng.uniform(0.2, 3.0, n), 2),
        "rank": rng.integers(1, 200, n).astype(float),
        "region": rng.choice(np.array(["north", "south", "east", "west"], dtype=object), n),
    })


OPTS = dict(outcome="y", weights="w", rank="rank", group="region", epsilons=(0.5, 2.0))


def _as_tuple(r: fd.UnitLevelResult) -> tuple:
    dec = r.theil_t_decomposition
    return (r.rows, r.total_weight, r.mean, r.gini, r.theil_t, r.theil_l, r.atkinson[0.5].index, r.atkinson[2.0].index,
            r.atkinson[1.0].index, dec.between, dec.within, r.theil_l_decomposition.between,
            r.concentration.estimate, r.concentration.se)


def test_chunked_equals_one_shot_bit_for_bit():
    df = _unit_frame()
    whole = fd.UnitLevelInequality(**OPTS).add(df).result()
    for size in (1, 7, 999, 2500):
        parts = fd.UnitLevelInequality.from_chunks((df.iloc[i:i + size] for i in range(0, len(df), size)), **OPTS)
        assert _as_tuple(parts.result()) == _as_tuple(whole), size


def test_merge_in_any_order_equals_one_shot_with_groups_matched_by_label():
    df = _unit_frame()
    whole = fd.UnitLevelInequality(**OPTS).add(df).result()
    # the parts see the regions in different first-appearance orders, so their codes differ
    a = fd.UnitLevelInequality(**OPTS).add(df.iloc[:1700].sort_values("region"))
    b = fd.UnitLevelInequality(**OPTS).add(df.iloc[1700:3100].sort_values("region", ascending=False))
    c = fd.UnitLevelInequality(**OPTS).add(df.iloc[3100:])
    merged = fd.UnitLevelInequality(**OPTS).merge(c).merge(a).merge(b).result()
    assert _as_tuple(merged) == _as_tuple(whole)
    by_label = lambda r: r.theil_t_decomposition.groups.set_index("group").sort_index()  # noqa: E731
    pd.testing.assert_frame_equal(by_label(merged), by_label(whole))
    assert a.rows == 1700  # merge leaves its argument unchanged


def test_streaming_agrees_with_the_one_shot_functions():
    df = _unit_frame()
    r = fd.UnitLevelInequality(**OPTS).add(df).result()
    assert r.gini == pytest.approx(fd.gini("y", "w", data=df), rel=1e-12)
    assert r.theil_t == pytest.approx(fd.theil_t("y", "w", data=df), rel=1e-12)
    assert r.theil_l == pytest.approx(fd.theil_l("y", "w", data=df), rel=1e-12)
    assert r.atkinson[2.0].index == pytest.approx(fd.atkinson("y", "w", epsilon=2.0, data=df).index, rel=1e-12)
    dec = fd.theil_decomposition("y", "region", "w", data=df)
    assert r.theil_t_decomposition.between == pytest.approx(dec.between, rel=1e-12)
    assert r.theil_t_decomposition.within == pytest.approx(dec.within, rel=1e-12)
    c = fd.concentration_index("y", "rank", "w", data=df)
    assert r.concentration.estimate == pytest.approx(c.estimate, rel=1e-12)
    acc = fd.UnitLevelInequality(**OPTS).add(df)
    for kind in ("wagstaff", "erreygers"):
        streamed = acc.result(kind=kind, lower_bound=0, upper_bound=200).concentration
        one = fd.concentration_index("y", "rank", "w", kind=kind, lower_bound=0, upper_bound=200, data=df)
        assert streamed.estimate == pytest.approx(one.estimate, rel=1e-12), kind
        assert streamed.kind == kind


def test_zero_copy_arrays_are_not_modified_and_numpy_input_works():
    df = _unit_frame(500)
    y = df.y.to_numpy()
    before = y.copy()
    acc = fd.UnitLevelInequality()
    acc.add(outcome=y, weights=df.w.to_numpy(), rank=df["rank"].to_numpy())
    assert np.array_equal(y, before)
    assert acc.result().gini == pytest.approx(fd.gini(y, df.w.to_numpy()), rel=1e-12)


# --- independent checks of the corrections and second methods ----------------------------------------

def test_gini_pairwise_definition():
    rng = np.random.default_rng(3)
    y = rng.gamma(2.0, 3.0, 60)
    w = rng.uniform(0.5, 2.0, 60)
    p = w / w.sum()
    mu = (p * y).sum()
    pairwise = (p[:, None] * p[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (2 * mu)
    assert fd.gini(y, w) == pytest.approx(pairwise, rel=1e-12)


def test_wagstaff_and_erreygers_from_their_definitions():
    # Wagstaff (2005): W = C / (1 - mu) for an outcome on [0, 1]; Erreygers (2009): E = 4 mu C.
    rng = np.random.default_rng(11)
    y = rng.uniform(0.05, 0.95, 40)
    rank = np.arange(1, 41, dtype=float)
    w = rng.uniform(1, 5, 40)
    c = fd.concentration_index(y, rank, w)
    mu = np.average(y, weights=w)
    w_ = fd.concentration_index(y, rank, w, kind="wagstaff", lower_bound=0, upper_bound=1)
    e_ = fd.concentration_index(y, rank, w, kind="erreygers", lower_bound=0, upper_bound=1)
    assert w_.estimate == pytest.approx(c.estimate / (1 - mu), rel=1e-12)
    assert e_.estimate == pytest.approx(4 * mu * c.estimate, rel=1e-12)
    # covariance definition: C = 2 cov_w(y, X) / mu with fractional ranks X
    p = w / w.sum()
    x = np.cumsum(p) - p / 2
    cov = (p * (y - mu) * (x - (p * x).sum())).sum()
    assert c.estimate == pytest.approx(2 * cov / mu, rel=1e-12)


def test_generalized_entropy_two_is_half_squared_cv():
    y = np.array([3.0, 5.0, 8.0, 13.0, 21.0])
    cv = y.std() / y.mean()
    assert fd.generalized_entropy(y, alpha=2.0) == pytest.approx(cv * cv / 2, rel=1e-12)


# --- missing values and typed errors -------------------------------------------------------------------

def test_missing_values_stay_missing():
    y = np.array([1.0, np.nan, 3.0])
    assert math.isnan(fd.gini(y))
    assert math.isnan(fd.theil_t(y))
    assert math.isnan(fd.concentration_index(y, [1.0, 2.0, 3.0]).estimate)
    assert fd.lorenz_curve(y).empty
    acc = fd.UnitLevelInequality().add(outcome=y)
    assert acc.missing == 1 and math.isnan(acc.result().gini)
    assert acc.result(skip_missing=True).gini == pytest.approx(fd.gini([1.0, 3.0]), rel=1e-15)


def test_errors_are_typed_and_name_the_row_and_value():
    with pytest.raises(fairer.InequalityError, match=r"row 2.*-4"):
        fd.gini([1.0, -4.0, 3.0])
    with pytest.raises(fairer.InequalityError, match=r"weight at row 3.*-1"):
        fd.theil_t([1.0, 2.0, 3.0], [1.0, 1.0, -1.0])
    with pytest.raises(fairer.InequalityError, match=r"epsilon.*-0\.5"):
        fd.atkinson([1.0, 2.0], epsilon=-0.5)
    with pytest.raises(fairer.InequalityError, match=r"row 2 .*value 120.*\[0, 100\]"):
        fd.concentration_index([50.0, 120.0, 30.0], [1, 2, 3], kind="wagstaff", lower_bound=0, upper_bound=100)
    with pytest.raises(fairer.InequalityError, match="wagstaff"):
        fd.concentration_index([0.5, 0.2, 0.3], [1, 2, 3], kind="wagstaff")
    with pytest.raises(fairer.InequalityError, match="unknown concentration index kind 'bogus'"):
        fd.concentration_index([0.5, 0.2, 0.3], [1, 2, 3], kind="bogus")
    with pytest.raises(fairer.InequalityError, match="column 'nope'"):
        fd.gini("nope", data=pd.DataFrame({"y": [1.0]}))
    with pytest.raises(fairer.InequalityError, match="groups: the label at row 2"):
        fd.theil_decomposition([1.0, 2.0, 3.0], ["a", None, "b"])
    # unit level: the row is counted over all chunks; a bad chunk leaves the accumulator unchanged
    acc = fd.UnitLevelInequality().add(outcome=np.array([1.0, 2.0, 3.0]))
    with pytest.raises(fairer.InequalityError, match=r"outcome at row 5 .*value -2"):
        acc.add(outcome=np.array([4.0, -2.0]))
    assert acc.rows == 3
    assert acc.result().gini == pytest.approx(fd.gini([1.0, 2.0, 3.0]), rel=1e-15)
    with pytest.raises(fairer.InequalityError, match="distinct outcome"):
        fd.UnitLevelInequality(max_distinct=3).add(outcome=np.array([1.0, 2.0, 3.0, 4.0]))
    with pytest.raises(fairer.InequalityError, match="different options"):
        fd.UnitLevelInequality(epsilons=(2.0,)).merge(fd.UnitLevelInequality())
