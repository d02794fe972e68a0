"""fairer.methods life_expectancy against every phe_life_expectancy case of the PHEindicatormethods
2.1.0 reference (../shared/reference/pheindicatormethods/cases), plus fairer's own behaviour where
it deliberately differs from the package (each such test says why)."""
from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pytest

import fairer
from fairer.methods._life_expectancy import STANDARD_AGE_BANDS, LifeExpectancyWarning, life_expectancy
from pheim_cases import cases, compare

SQRT_EPS = 1.4901161193847656e-08
# The package's own rule for life expectancy: both sides rounded to 4 dp, then testthat's default.


def _cases(shared_dir):
    return cases(shared_dir, "phe_life_expectancy")


def _raw_args(case) -> dict:
    """The case's arguments split only at a space followed by "name=": pheim_cases splits at every
    space, which breaks labels such as "10 – 14" in age_contents."""
    with open(case.folder / "cases.csv", newline="", encoding="utf-8") as f:
        text = next(row["args"] for row in csv.DictReader(f) if row["case_id"] == case.case_id)
    return dict(part.split("=", 1) for part in re.split(r" (?=\w+=)", text))


def _call(case):
    a = _raw_args(case)
    kwargs = {}
    if case.group_by:
        kwargs["group_by"] = case.group_by
    if "age_contents" in a:
        kwargs["age_contents"] = a["age_contents"].split(",")
    if "le_age" in a:
        kwargs["le_age"] = a["le_age"].split(",")
    if "type" in a:
        kwargs["type"] = a["type"]
    if "confidence" in a:
        kwargs["confidence"] = case.confidence()
    return life_expectancy(case.input, a["deaths"], a["population"], a["startage"], **kwargs)


def _check(actual: pd.DataFrame, case) -> None:
    expected = case.expected
    assert list(actual.columns) == list(expected.columns)
    numeric = [c for c in expected.columns if pd.api.types.is_numeric_dtype(expected[c])]
    if "4 decimal" in case.upstream_tolerance:
        rounded = actual.copy()
        want = expected.copy()
        for c in numeric:
            rounded[c] = pd.to_numeric(rounded[c]).round(4)
            want[c] = want[c].round(4)
        compare(rounded, want, expected.columns, rel=SQRT_EPS)
    # the same closed form as the package: it also agrees unrounded (differences come only from
    # the normal quantile and the order of floating-point operations)
    compare(actual, expected, expected.columns, rel=1e-9)


def pytest_generate_tests(metafunc):
    if "le_case" in metafunc.fixturenames:
        from conftest import SHARED

        found = cases(SHARED, "phe_life_expectancy")
        metafunc.parametrize("le_case", found, ids=[c.case_id for c in found])


def test_there_are_19_cases(shared_dir):
    assert len(_cases(shared_dir)) == 19


def test_reference_case(le_case):
    case = le_case
    if case.outcome == "error":
        with pytest.raises(fairer.StatisticsError, match=re.escape(case.message)):
            _call(case)
        return
    if case.outcome == "ok+warnings":
        with pytest.warns(LifeExpectancyWarning) as record:
            actual = _call(case)
        texts = [str(w.message) for w in record]
        wanted = case.message.split(" | ")
        # each of the package's warnings, in the package's order (fairer appends the group names)
        assert len(texts) == len(wanted), texts
        for text, message in zip(texts, wanted):
            assert text.startswith(message), (text, message)
    else:
        actual = _call(case)
    _check(actual, case)


# ---- fairer's own behaviour ---------------------------------------------------------------


@pytest.fixture()
def df1(shared_dir):
    return pd.read_csv(shared_dir / "reference/pheindicatormethods/upstream/inline/le_df1.csv")


@pytest.fixture()
def answer1(shared_dir):
    return pd.read_csv(shared_dir / "reference/pheindicatormethods/upstream/inline/le_answer1.csv")


def test_numpy_arrays_and_many_groups_match_the_excel_answer(df1, answer1):
    # three identical areas given as plain arrays, rows shuffled: every area gets the Excel values
    rng = np.random.default_rng(1)
    big = pd.concat([df1.assign(area=a) for a in ("b", "a", "c")], ignore_index=True)
    big = big.iloc[rng.permutation(len(big))]
    out = life_expectancy(None, big["deaths"].to_numpy(), big["pops"].to_numpy(), big["startage"].to_numpy(),
                          group_by=big["area"].to_numpy(), type="standard")
    assert list(out["group"]) == ["a"] * 20 + ["b"] * 20 + ["c"] * 20
    assert list(out["startage"]) == list(STANDARD_AGE_BANDS) * 3
    for col in ("value", "lowercl", "uppercl"):
        np.testing.assert_array_equal(out[col].round(4).to_numpy(), np.tile(answer1[col].round(4).to_numpy(), 3))


def test_type_value_lower_upper_keep_only_those_columns(df1):
    # Deliberate difference: the package treats any type except "full" as "standard"; fairer
    # honours them as its other methods do.
    conf = [0.95, 0.998]
    std = life_expectancy(df1, "deaths", "pops", "startage", type="standard", confidence=conf)
    assert list(life_expectancy(df1, "deaths", "pops", "startage", type="value").columns) == ["startage", "value"]
    lower = life_expectancy(df1, "deaths", "pops", "startage", type="lower", confidence=conf)
    assert list(lower.columns) == ["startage", "lower95_0cl", "lower99_8cl"]
    upper = life_expectancy(df1, "deaths", "pops", "startage", type="upper", confidence=conf)
    pd.testing.assert_frame_equal(upper, std[["startage", "upper95_0cl", "upper99_8cl"]])
    with pytest.raises(fairer.StatisticsError, match="type must be one of"):
        life_expectancy(df1, "deaths", "pops", "startage", type="ful")


def test_mixed_fraction_and_percent_levels_are_accepted(df1):
    # Deliberate difference: the package rejects c(0.95, 99.8) though its documentation allows either form.
    a = life_expectancy(df1, "deaths", "pops", "startage", confidence=[0.95, 99.8])
    b = life_expectancy(df1, "deaths", "pops", "startage", confidence=[95, 99.8])
    pd.testing.assert_frame_equal(a, b)
    assert a["confidence"].iloc[0] == "95%, 99.8%"
    with pytest.raises(fairer.StatisticsError, match="between 90 and 100"):
        life_expectancy(df1, "deaths", "pops", "startage", confidence=100)


def test_missing_deaths_suppress_the_group(df1):
    # Deliberate difference: the package treats a band with missing deaths as "everyone dies"
    # (q = 1) and returns finite values; fairer keeps missing as missing.
    df = df1.astype({"deaths": float})
    df.loc[10, "deaths"] = np.nan
    with pytest.warns(LifeExpectancyWarning) as record:
        out = life_expectancy(df.assign(area="x"), "deaths", "pops", "startage", group_by="area")
    assert [str(w.message) for w in record] == [
        "some age bands have missing deaths or population; outputs have been suppressed to NAs (group 'x')"]
    assert out["value"].isna().all() and out["lowercl"].isna().all()
    assert out["pops_used"].iloc[0] == 787954


def test_warnings_name_the_groups_and_strict_mode_raises(shared_dir):
    case = next(c for c in _cases(shared_dir) if c.case_id == "le_warn_grouped_mixed")
    with pytest.warns(LifeExpectancyWarning) as record:
        life_expectancy(case.input, "deaths", "pop", "age", group_by="area")
    assert str(record[-1].message).endswith("(group 'Low pops')")
    with pytest.raises(fairer.StatisticsError, match=r"group 'Negative deaths', row index \d+: negative deaths"):
        life_expectancy(case.input, "deaths", "pop", "age", group_by="area", strict=True)


def test_bad_input_is_a_typed_error_naming_group_and_row(df1):
    df = pd.concat([df1.assign(area="A"), df1.assign(area="B")], ignore_index=True)
    dup = df.copy()
    dup.loc[25, "startage"] = 10  # area B: band 5 becomes a second 10, so band 5 is missing
    with pytest.raises(fairer.StatisticsError, match=r"group 'B', row index 2[45].*missing an age band"):
        life_expectancy(dup, "deaths", "pops", "startage", group_by="area")
    inf = df.astype({"pops": float})
    inf.loc[3, "pops"] = np.inf
    with pytest.raises(fairer.StatisticsError, match=r"infinite population in group 'A', row index 3"):
        life_expectancy(inf, "deaths", "pops", "startage", group_by="area")
    with pytest.raises(fairer.StatisticsError, match="do not match"):
        life_expectancy(df1.iloc[:19], "deaths", "pops", "startage")
    with pytest.raises(fairer.StatisticsError, match="out of position: 10, 5$"):
        life_expectancy(df1, "deaths", "pops", "startage", age_contents=[0, 1, 10, 5] + list(STANDARD_AGE_BANDS[4:]))
    with pytest.raises(fairer.StatisticsError, match="'rate' is not in the data"):
        life_expectancy(df1, "rate", "pops", "startage")
    missing_age = df1.astype({"startage": float})
    missing_age.loc[7, "startage"] = np.nan
    with pytest.raises(fairer.StatisticsError, match="missing start age in row index 7"):
        life_expectancy(missing_age, "deaths", "pops", "startage")
