"""HEAT simple, ordered and impact measures (D, R, ACI, RCI, SII, RII, PAF, PAR) through
fairer.inequality.summary_measures against every reference row for them in
/work/shared/reference/inequality (README there), each in the mode of the engine that produced it,
and the spec's §8 edge-case table row by row.

Tolerances (README, spec §9): generated engine outputs 1e-6 relative (1e-9 absolute near zero); the
engines' SII/RII standard errors come from a numerical gradient (marginaleffects) and agree with the
analytic gradient to ~1e-5 relative, so SII/RII se and limits are compared at 1e-5; published
healthequal test values at each test's own rel_tolerance; vignette values (7 significant digits) at 1e-6.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import conftest
from fairer import _core
from fairer.inequality import summary_measures

MINE = ("D", "R", "ACI", "RCI", "SII", "RII", "PAF", "PAR")
REF = conftest.SHARED / "reference" / "inequality"
MODE = {"healthequal-1.0.1": "healthequal", "heatmeasures-HEAT6.0": "heat6"}


def _inputs() -> pd.DataFrame:
    return pd.concat([pd.read_csv(REF / "hq_tests_input.csv"), pd.read_csv(REF / "hq_samples_input.csv")],
                     ignore_index=True)


def _options(text) -> dict:
    out: dict = {}
    if not isinstance(text, str) or not text:
        return out
    for part in text.split(";"):
        k, v = part.split("=")
        if k == "lmin":
            out["lower_bound"] = float(v)
        elif k == "lmax":
            out["upper_bound"] = float(v)
        elif k == "linear":
            out["slope"] = "who_linear"
        elif k == "method":
            out["rci_correction"] = v
        else:
            raise AssertionError(f"unhandled option {part}")
    return out


def _close(actual: float, expected: float, rel: float) -> bool:
    if math.isnan(expected):
        return math.isnan(actual)
    return abs(actual - expected) <= rel * abs(expected) + 1e-9


def _check(result: pd.DataFrame, case: str, measure: str, expected: dict, rel: float, rel_slope: float | None = None):
    row = result[(result.case_id == case) & (result.measure == measure)]
    assert len(row) == 1, (case, measure)
    row = row.iloc[0]
    slope_rel = rel if rel_slope is None else rel_slope
    assert _close(row.estimate, expected["estimate"], rel), (case, measure, row.estimate, expected["estimate"])
    for col, key in (("se", "se"), ("lower", "lowerci"), ("upper", "upperci")):
        assert _close(row[col], expected[key], slope_rel), (case, measure, col, row[col], expected[key])


GENERATED = pd.read_csv(REF / "generated_engines_expected.csv", keep_default_na=False, na_values=[""])
GENERATED = GENERATED[GENERATED.measure.isin(MINE)]


def test_generated_rows_for_these_measures_have_no_refusals():
    assert GENERATED.error.isna().all()
    assert len(GENERATED) == 86


@pytest.mark.parametrize(("engine", "options"), sorted({(e, o if isinstance(o, str) else "")
                                                        for e, o in zip(GENERATED.engine, GENERATED.options)}))
def test_generated_engines_expected(engine, options):
    rows = GENERATED[(GENERATED.engine == engine) & (GENERATED.options.fillna("") == options)]
    result = summary_measures(_inputs(), by="case_id", mode=MODE[engine], measures=sorted(set(rows.measure)),
                              **_options(options))
    for _, exp in rows.iterrows():
        slope = exp.measure in ("SII", "RII")
        _check(result, exp.case_id, exp.measure, exp, 1e-6, 1e-5 if slope else 1e-6)


def test_healthequal_published_tests():
    exp = pd.read_csv(REF / "hq_tests_expected.csv")
    exp = exp[exp.measure.isin(MINE)]
    assert len(exp) == 8
    result = summary_measures(pd.read_csv(REF / "hq_tests_input.csv"), by="case_id", mode="healthequal",
                              measures=list(MINE))
    for _, e in exp.iterrows():
        _check(result, e.case_id, e.measure, e, float(e.rel_tolerance))


def test_healthequal_vignette_aci():
    exp = pd.read_csv(REF / "hq_vignette_expected.csv")
    exp = exp[(exp.measure == "ACI") & (exp.case_id == "hq_sample_ordered_sba")]
    assert len(exp) == 1
    result = summary_measures(_inputs(), by="case_id", mode="healthequal", measures=["ACI"])
    _check(result, "hq_sample_ordered_sba", "ACI", exp.iloc[0], 1e-6)


def test_default_call_returns_applicable_measures_in_heat_order():
    result = summary_measures(_inputs(), by="case_id")
    ordered = result[result.case_id == "hq_test_ordered5"].measure.tolist()
    assert ordered == ["D", "R", "ACI", "RCI", "SII", "RII", "PAF", "PAR"]
    nonordered = result[result.case_id == "hq_test_nonordered25"].measure.tolist()
    assert nonordered == list(_core.applicable_measures(25, False))
    assert list(result.columns) == ["case_id", "measure", "estimate", "se", "lower", "upper", "reason"]


def test_corrected_paf_interval_is_on_the_percent_scale():
    heat6 = summary_measures(_inputs(), by="case_id", mode="heat6", measures=["PAF"]).set_index("case_id")
    corrected = summary_measures(_inputs(), by="case_id", measures=["PAF"]).set_index("case_id")
    np.testing.assert_allclose(corrected.se, 100 * heat6.se, rtol=1e-14)
    np.testing.assert_allclose(corrected.estimate, heat6.estimate, rtol=1e-14)


def test_row_order_of_the_input_does_not_matter():
    df = _inputs()
    shuffled = df.sample(frac=1.0, random_state=7)
    shuffled = shuffled.sort_values("subgroup_order", kind="stable", na_position="last")
    a = summary_measures(df, by="case_id", measures=["ACI", "SII", "PAF", "D"]).sort_values(["case_id", "measure"])
    b = summary_measures(shuffled, by="case_id", measures=["ACI", "SII", "PAF", "D"]).sort_values(["case_id", "measure"])
    np.testing.assert_allclose(a.estimate.to_numpy(), b.estimate.to_numpy(), rtol=1e-12, equal_nan=True)


def test_phe_slope_matches_the_phe_method_module():
    from fairer.methods._sii import sii

    df = pd.read_csv(REF / "hq_samples_input.csv")
    df = df[df.case_id == "hq_sample_ordered_sba"]
    ours = summary_measures(df, by="case_id", measures=["SII", "RII"], slope="phe").set_index("measure")
    theirs = sii(pd.DataFrame({"quantile": df.subgroup_order, "population": df.population, "value": df.estimate,
                               "se": df.se, "g": 1}), quantile="quantile", population="population", value="value",
                 se="se", group_by="g", method="analytic", rii=True)
    assert ours.loc["SII", "estimate"] == pytest.approx(float(theirs["sii"].iloc[0]), rel=1e-12)
    assert ours.loc["RII", "estimate"] == pytest.approx(float(theirs["rii"].iloc[0]), rel=1e-12)


# ---- spec §8 edge cases, row by row -------------------------------------------------------------

def _table(estimate, *, se=None, population=None, ordered=True, favourable=1, scale=100, reference=None,
           setting_average=np.nan, name="T"):
    n = len(estimate)
    return pd.DataFrame({
        "table": name,
        "subgroup": [f"G{i + 1}" for i in range(n)],
        "subgroup_order": list(range(1, n + 1)) if ordered else [np.nan] * n,
        "population": population if population is not None else [1000.0] * n,
        "estimate": estimate,
        "se": se if se is not None else [1.0] * n,
        "favourable_indicator": favourable,
        "ordered_dimension": int(ordered),
        "reference_subgroup": reference if reference is not None else [0] * n,
        "indicator_scale": scale,
        "setting_average": setting_average,
    })


def _one(df, measure, **kw):
    r = summary_measures(df, by="table", measures=[measure], **kw)
    assert len(r) == 1
    return r.iloc[0]


def test_edge_missing_estimate_is_dropped_with_rules():
    df = _table([40, 45, np.nan, 55, 60])
    assert _one(df, "D").estimate == 20
    aci = _one(df, "ACI")
    assert math.isnan(aci.estimate) and "every subgroup" in aci.reason
    paf = _one(df, "PAF")
    assert math.isnan(paf.estimate) and paf.reason == "fewer than 85% of subgroups have an estimate"


def test_edge_missing_population():
    df = _table([40, 45, 50, 55, 60], population=[1000, np.nan, 1000, 1000, 1000])
    sii = _one(df, "SII")
    assert math.isnan(sii.estimate) and sii.reason == "SII needs a population for every subgroup"


def test_edge_missing_se_keeps_estimate():
    df = _table([40, 45, 50, 55, 60], se=[1, 1, 1, 1, np.nan])
    d = _one(df, "D")
    assert d.estimate == 20 and math.isnan(d.lower) and d.reason.startswith("no interval")


def test_edge_zero_se_is_allowed():
    d = _one(_table([40, 45, 50, 55, 60], se=[0.0] * 5), "D")
    assert d.se == 0 and d.lower == d.upper == 20


def test_edge_zero_estimate_in_ratio():
    r = _one(_table([0, 45, 50, 55, 60]), "R")
    assert math.isnan(r.estimate) and r.reason == "the denominator subgroup's estimate is zero"


def test_edge_all_estimates_equal():
    df = _table([50] * 5)
    assert _one(df, "SII").estimate == 0
    he = _one(df, "SII", mode="healthequal")
    assert math.isnan(he.estimate) and "equal" in he.reason


def test_edge_all_estimates_zero_suppress_everything():
    r = summary_measures(_table([0.0] * 5), by="table", measures=list(MINE))
    assert r.estimate.isna().all()
    assert (r.reason == "all estimates are zero").all()


def test_edge_two_subgroups():
    df = _table([40, 60])
    r = summary_measures(df, by="table")
    assert r.measure.tolist() == ["D", "R", "PAF", "PAR"]
    assert _one(df, "SII").reason == "SII needs more than 2 subgroups"
    assert _one(df, "PAF", mode="healthequal").reason == "healthequal's PAF and PAR need more than 2 subgroups"


def test_edge_tied_extremes_are_deterministic():
    df = _table([80, 50, 80, 60], se=[1, 2, 3, 4], ordered=False)
    assert _one(df, "D").se == pytest.approx(math.sqrt(1 + 4))           # first tied row
    assert _one(df, "D", mode="heat6").se == pytest.approx(math.sqrt(9 + 4))  # HEAT 6's stable sort: last


def test_edge_estimate_above_100_on_percent_scale_is_an_error():
    from fairer import InequalityError

    with pytest.raises(InequalityError, match=r"table 'T', subgroup 'G5': estimate is above 100"):
        summary_measures(_table([40, 45, 50, 55, 100.5]), by="table")


def test_edge_non_consecutive_orders_are_sorted():
    a = _table([40, 45, 50, 55, 60])
    b = a.copy()
    b["subgroup_order"] = [10, 20, 35, 40, 90]
    ra = summary_measures(a, by="table", measures=list(MINE))
    rb = summary_measures(b, by="table", measures=list(MINE))
    np.testing.assert_allclose(ra.estimate, rb.estimate, rtol=1e-12)


def test_edge_heat_range_check_on_rii():
    df = _table([0.05, 5, 20, 60, 300], population=[1e6] * 5, scale=1e5)
    assert _one(df, "RII").estimate > 700
    h = _one(df, "RII", mode="heat6")
    assert math.isnan(h.estimate) and "plausible range" in h.reason
    assert math.isnan(_one(df, "RII", range_check="on").estimate)


# ---- typed errors naming table and subgroup -----------------------------------------------------

def test_errors_name_table_and_subgroup():
    from fairer import InequalityError

    df = pd.concat([_table([40, 45, 50, 55, 60], name="ok"),
                    _table([40, 45, 50, 55, 60], population=[1, 1, -3, 1, 1], name="bad")])
    df["area"] = "E08000012"
    with pytest.raises(InequalityError, match=r"table 'bad / E08000012', subgroup 'G3': population must be non-negative"):
        summary_measures(df, by=["table", "area"])
    df = _table([40, 45, 50, 55, 60])
    df.loc[1, "subgroup_order"] = np.nan
    with pytest.raises(InequalityError, match=r"subgroup 'G2': an ordered table needs an order"):
        summary_measures(df, by="table")
    df = _table([40, 45, 50, 55, 60], ordered=False, reference=[1, 0, 1, 0, 0])
    with pytest.raises(InequalityError, match=r"subgroup 'G3': more than one reference subgroup"):
        summary_measures(df, by="table")
    df = _table([40, 45, 50, 55, 60])
    df.loc[2, "indicator_scale"] = 1000
    with pytest.raises(InequalityError, match=r"'indicator_scale' must be constant within a table"):
        summary_measures(df, by="table")
    with pytest.raises(InequalityError, match="unknown measures"):
        summary_measures(_table([40, 45, 50]), by="table", measures=["XYZ"])
