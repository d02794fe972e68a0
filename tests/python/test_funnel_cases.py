"""Funnel plots against PHEindicatormethods 2.1.0: every calculate_funnel_limits,
assign_funnel_significance and calculate_funnel_points case in
reference/pheindicatormethods/cases, plus fairer's documented differences.

Tolerances (mean relative difference per column, the upstream rule):
* closed forms (proportion limits, rate points): 1e-12. The README allows 1e-9; fairer agrees to
  5e-14, the difference between Boost's and R's normal quantile.
* ratio and rate limits come from the package's bisection (accurate to ~1e-6 only). fairer copies
  it step by step and agrees exactly here; 1e-8 instead of the README's 1e-6 still allows a
  libm whose last-bit differences flip one bisection step at one point (~2e-7 there, ~2e-9 over
  the column) but would catch any change to the bisection itself.
* significance labels: exact.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fairer
from fairer.methods._funnels import NOT_APPLICABLE, SIGNIFICANCE_LEVELS, funnel_limits, funnel_points, funnel_significance

from pheim_cases import cases, compare

_FUNCTIONS = {
    "calculate_funnel_limits": funnel_limits,
    "assign_funnel_significance": funnel_significance,
    "calculate_funnel_points": funnel_points,
}
_NUMBER_ARGS = {"multiplier", "years_of_data"}


def _call(case):
    kwargs = {}
    for name, value in case.args.items():
        kwargs[name] = float(value) if name in _NUMBER_ARGS else value
    return _FUNCTIONS[case.method](case.input, **kwargs)


def _all_cases(shared_dir):
    out = []
    for method in _FUNCTIONS:
        out.extend(cases(shared_dir, method))
    return out


def test_case_counts(shared_dir):
    counts = {m: len(cases(shared_dir, m)) for m in _FUNCTIONS}
    assert counts == {"calculate_funnel_limits": 9, "assign_funnel_significance": 10, "calculate_funnel_points": 2}


@pytest.mark.parametrize("index", range(21))
def test_reference_case(shared_dir, index):
    case = _all_cases(shared_dir)[index]
    if case.outcome == "error":
        with pytest.raises(fairer.StatisticsError) as info:
            _call(case)
        assert case.message in str(info.value)
        return
    assert case.outcome == "ok"
    actual = _call(case)
    assert list(actual.columns) == list(case.expected.columns)
    bisection = case.method == "calculate_funnel_limits" and case.args["statistic"] != "proportion"
    compare(actual, case.expected, list(case.expected.columns), rel=1e-8 if bisection else 1e-12)


def test_significance_is_categorical_with_the_package_levels(shared_dir):
    prop = cases(shared_dir, "assign_funnel_significance")[0]
    out = _call(prop)
    assert list(out["significance"].cat.categories) == list(SIGNIFICANCE_LEVELS)
    rate = [c for c in cases(shared_dir, "assign_funnel_significance") if "dsr" in c.case_id][0]
    out = _call(rate)
    assert list(out["significance"].cat.categories) == [*SIGNIFICANCE_LEVELS, NOT_APPLICABLE]
    # dsrs from fewer than 10 events are not assessed
    assert (out.loc[rate.input["count"] < 10, "significance"] == NOT_APPLICABLE).all()


def test_arrays_without_a_data_frame(shared_dir):
    case = cases(shared_dir, "calculate_funnel_limits")[0]
    x = case.input["numerator"].to_numpy()
    n = case.input["denominator"].to_numpy()
    out = funnel_limits(None, x, n, statistic="proportion", multiplier=100, type="standard")
    compare(out, case.expected, list(case.expected.columns), rel=1e-12)
    sig = funnel_significance(None, x, n, statistic="proportion")
    assert list(sig.columns) == ["numerator", "denominator", "significance"]


def test_full_type_labels_the_rate_multiplier_with_commas():
    ev = np.array([414.0, 462, 178, 525, 194])
    rate = np.array([184.0, 102, 83, 118, 121])
    out = funnel_limits(None, ev, rate=rate, statistic="rate", rate_type="crude", multiplier=1e5, years_of_data=1)
    assert out["statistic"].iloc[0] == "rate (crude per 100,000)"
    assert out["method"].iloc[0] == "Poisson"
    assert len(out) == 100


@pytest.mark.parametrize("kwargs, message", [
    (dict(statistic="proportion"), "the following arguments are required for proportions: "
                                   "data, numerator, denominator, multiplier"),
    (dict(statistic="ratio", multiplier=100), "the following arguments are required for ratios: "
                                              "data, numerator, denominator, ratio_type, multiplier"),
    (dict(statistic="rate", multiplier=100, rate_type="dsr"),
     "the following arguments are required for rates: data, numerator, rate, rate_type, multiplier, years_of_data"),
    (dict(statistic="proportions", multiplier=100), "statistic must be provided as proportion, rate or ratio"),
    (dict(statistic="proportion", multiplier=100, type="value"), "type must be one of full, standard"),
    (dict(statistic="ratio", multiplier=100, ratio_type="smr"), "ratio_type must be one of count, isr"),
])
def test_argument_errors(kwargs, message):
    df = pd.DataFrame({"x": [5.0, 3.0], "n": [10.0, 12.0]})
    with pytest.raises(fairer.StatisticsError) as info:
        funnel_limits(df, "x", "n" if kwargs.get("statistic") != "rate" else None, **kwargs)
    assert message in str(info.value)


def test_data_errors_name_the_row():
    df = pd.DataFrame({"x": [5.0, 13.0, 2.0], "n": [10.0, 12.0, 9.0]})
    with pytest.raises(fairer.StatisticsError, match=r"numerators must be less than or equal to denominator "
                                                     r"for a proportion statistic \(row 2: numerator 13, denominator 12\)"):
        funnel_significance(df, "x", "n", statistic="proportion")
    with pytest.raises(fairer.StatisticsError, match=r"denominators must be greater than zero \(row 3"):
        funnel_limits(df.assign(n=[10.0, 12.0, 0.0]), "x", "n", statistic="ratio", ratio_type="count", multiplier=1)
    with pytest.raises(fairer.StatisticsError, match="for rates, where there are 0 events for a record, the "
                                                     "denominator field needs to be provided"):
        funnel_points(pd.DataFrame({"ev": [0.0, 4.0], "r": [0.0, 10.0]}), "ev", rate="r", rate_type="crude",
                      years_of_data=1, multiplier=100)
    with pytest.raises(fairer.StatisticsError, match="column 'nope' is not in the data"):
        funnel_significance(df, "x", "nope", statistic="ratio")
    with pytest.raises(fairer.StatisticsError, match="different lengths"):
        funnel_significance(None, [1.0, 2.0], [3.0], statistic="ratio")


def test_deliberate_difference_rate_with_events_needs_a_rate():
    # The package would drop this record's derived denominator from the average while keeping
    # its 40 events (a silently biased baseline); fairer stops instead.
    df = pd.DataFrame({"ev": [30.0, 40.0, 0.0], "r": [20.0, np.nan, 0.0], "pop": [1e5, 2e5, 1e5]})
    with pytest.raises(fairer.StatisticsError, match=r"a rate greater than zero must be provided for every record "
                                                     r"with events \(row 2"):
        funnel_limits(df, "ev", "pop", "r", statistic="rate", rate_type="crude", multiplier=1e5, years_of_data=1)


def test_deliberate_difference_missing_ratio_input_gives_missing_label():
    # The package stops with an R error ("missing value where TRUE/FALSE needed"); fairer keeps
    # the record and leaves its significance missing, the other records unaffected.
    df = pd.DataFrame({"obs": [8.0, np.nan, 159.0], "expected": [6.239860227, 10.0, 232.9329036]})
    out = funnel_significance(df, "obs", "expected", statistic="ratio")
    assert out["significance"].isna().tolist() == [False, True, False]
    assert out["significance"].astype(object).tolist()[0::2] == ["Not significant", "Low (0.001)"]
