"""Tests of fairer.io: readers, writers and pandas conversion of observation tables.

Expected values come from the files themselves read by an independent parser
(pandas.read_csv), never from fairer's own output.
"""
import gc
import math
import pathlib
import threading

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fairer
from fairer import io

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "io"
TIDY = DATA / "tidy_small.csv"
FT26 = DATA / "fingertips_export_26.csv"
FT27 = DATA / "fingertips_export_27.csv"
NEXT_NAME = "fingertips_subset_fingertipsnext_2025-02.csv"
AS_PUBLISHED = dict(allow_duplicate_keys=True, check_intervals=False)

HEADER = ",".join(io.TIDY_COLUMNS) + "\n"
GOOD = ["B01", "E08000012", "2022", "Persons", "All ages", "", "", "50", "40", "60", "35", "65", "50", "100", "", ""]


def row(**changes):
    fields = list(GOOD)
    for name, value in changes.items():
        fields[io.TIDY_COLUMNS.index(name)] = value
    return ",".join(fields) + "\n"


def problems_of(text, **options):
    with pytest.raises(fairer.DataError) as info:
        io.parse_tidy(text, "obs.csv", **options)
    return info.value.problems


def independent(path, **kw):
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kw)


def numbers(frame, column):
    return pd.to_numeric(frame[column].replace("", np.nan)).to_numpy(dtype=float)


@pytest.fixture(scope="module")
def next_path(shared_dir):
    return shared_dir / "data" / NEXT_NAME


@pytest.fixture(scope="module")
def next_table(next_path):
    return io.read_fingertips_next(next_path, **AS_PUBLISHED)


# --------------------------------------------------------------------------------------------
# tidy files


def test_tidy_fixture_matches_pandas():
    t = io.read_tidy(TIDY)
    ref = independent(TIDY)
    assert len(t) == len(ref) == 8
    for name in io.TEXT_COLUMNS + ("flags",):
        if name == "flags":
            assert list(io.to_pandas(t)["flags"]) == list(ref["flags"])
        else:
            assert t.column(name) == list(ref[name])
    for name in io.NUMBER_COLUMNS:
        np.testing.assert_array_equal(t.column(name), numbers(ref, name))
    # suppressed row: every number missing, never zero; zero elsewhere is a value
    assert math.isnan(t.value[4]) and math.isnan(t.denominator[4])
    assert t.value[5] == 0.0


def test_tidy_round_trip_through_pandas_is_lossless(tmp_path):
    t = io.read_tidy(TIDY)
    df = io.to_pandas(t)
    back = io.from_pandas(df)
    assert back == t
    out = tmp_path / "out.csv"
    io.write_tidy(back, out)
    assert out.read_bytes() == TIDY.read_bytes()
    assert io.format_tidy(df) == TIDY.read_text()


def test_from_pandas_accepts_a_frame_read_as_text():
    t = io.from_pandas(independent(TIDY))
    assert t == io.read_tidy(TIDY)
    # and one read by pandas' defaults (NaN for blanks, numbers as floats)
    assert io.from_pandas(pd.read_csv(TIDY)) == t


def test_to_pandas_types_and_flags_text():
    df = io.to_pandas(io.read_tidy(TIDY))
    assert list(df.columns) == list(io.TIDY_COLUMNS)
    assert isinstance(df["area_code"].dtype, pd.CategoricalDtype)
    assert df["value"].dtype == np.float64
    assert df["flags"].tolist()[4:] == [
        "suppressed_disclosure", "estimated;break_in_series", "estimated;provisional", "suppressed_reliability"]
    assert fairer.ObservationTable.flag_bits == {
        "suppressed_disclosure": 1, "suppressed_reliability": 2, "estimated": 4, "provisional": 8,
        "break_in_series": 16}


def test_numeric_columns_are_zero_copy_read_only_views_that_keep_the_table_alive():
    t = io.read_tidy(TIDY)
    v = t.value
    assert np.shares_memory(v, t.value)
    assert not v.flags.writeable
    with pytest.raises(ValueError):
        v[0] = 1.0
    codes = t.codes("area_code")
    del t
    gc.collect()
    assert v[0] == 76.3  # still readable: the view holds the table
    assert codes.dtype == np.uint32


def test_row_as_dict():
    r = io.read_tidy(TIDY).row(2)
    assert r["period"] == "2021/22" and r["flags"] == "provisional" and r["count"] == 17087


# --------------------------------------------------------------------------------------------
# Fingertips export


@pytest.mark.parametrize("path", [FT26, FT27], ids=["26 columns", "27 columns"])
def test_fingertips_export_round_trip_writes_the_same_file(path, tmp_path):
    t = io.read_fingertips(path)
    ref = independent(path)
    assert len(t) == len(ref)
    assert t.column("indicator_id") == list(ref["Indicator ID"])
    assert t.column("period") == list(ref["Time period"])
    np.testing.assert_array_equal(t.value, numbers(ref, "Value"))
    np.testing.assert_array_equal(t.upper_ci95, numbers(ref, "Upper CI 95.0 limit"))
    np.testing.assert_array_equal(t.denominator, numbers(ref, "Denominator"))
    side = [c for c in ref.columns if c not in (
        "Indicator ID", "Area Code", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
        "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count",
        "Denominator", "Value note")]
    assert t.side_column_names == side
    df = io.to_pandas(t)
    assert list(df["Area Name"]) == list(ref["Area Name"])
    out = tmp_path / "ft.csv"
    io.write_fingertips(io.from_pandas(df), out)
    assert out.read_bytes() == path.read_bytes()


def test_fingertips_bad_parent_comparison_column(tmp_path):
    text = FT26.read_text().replace("Compared to Region value or percentiles", "Compared to goal value", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    with pytest.raises(fairer.DataError) as info:
        io.read_fingertips(bad)
    p = info.value.problems[0]
    assert (p["row"], p["column"]) == (1, "Compared to goal value")
    assert p["problem"] == "column 23 should be the parent comparison ('Compared to <parent> value or percentiles')"


# --------------------------------------------------------------------------------------------
# FingertipsNext: the real 44,452-row extract


def test_fingertips_next_matches_pandas(next_path, next_table):
    ref = independent(next_path)
    t = next_table
    assert len(t) == len(ref) == 44452
    assert t.column("indicator_id") == list(ref["IndicatorID"])
    assert t.column("area_code") == list(ref["AreaCode"])
    assert t.column("category") == list(ref["Category"])
    for ours, theirs in [("value", "Value"), ("lower_ci95", "LowerCI"), ("upper_ci95", "UpperCI"),
                         ("count", "Count"), ("denominator", "Denominator")]:
        np.testing.assert_array_equal(t.column(ours), numbers(ref, theirs))
    assert np.isnan(t.lower_ci99_8).all()
    assert t.column("period") == list(ref["Year"])  # calendar year by default
    assert t.column("Year") == list(ref["Year"])
    assert t.side_column_names == ["IndicatorName", "AreaName", "AreaType", "Year", "SexID", "AgeID", "Trend",
                                   "ValueType"]


def test_fingertips_next_period_types(next_path):
    t = io.read_fingertips_next(next_path, period_types={93701: "financial year", "93015": "financial year"},
                                **AS_PUBLISHED)
    df = io.to_pandas(t)
    fin = df[df["indicator_id"].isin(["93701", "93015"])]
    expected = [f"{y}/{(int(y) + 1) % 100:02d}" for y in fin["Year"]]
    assert list(fin["period"]) == expected
    assert io.period_from_start_year(2018, "3-year pooled calendar") == "2018 - 20"
    with pytest.raises(fairer.Error):
        io.period_from_start_year(2018, "calendar quarter")


def test_fingertips_next_round_trip_through_tidy_and_pandas(next_table, tmp_path):
    out = tmp_path / "next_tidy.csv"
    io.write_tidy(next_table, out)
    again = io.read_tidy(out, **AS_PUBLISHED)
    df = io.to_pandas(next_table)
    assert again == io.from_pandas(df.loc[:, list(io.TIDY_COLUMNS)], **AS_PUBLISHED)
    assert io.from_pandas(df, **AS_PUBLISHED) == next_table
    out2 = tmp_path / "again.csv"
    io.write_tidy(again, out2)
    assert out2.read_bytes() == out.read_bytes()


def test_fingertips_next_strict_read_reports_every_problem(next_path):
    ref = independent(next_path)
    key = ["IndicatorID", "AreaCode", "Year", "SexID", "AgeID", "CategoryType", "Category"]
    duplicates = int(ref.duplicated(key).sum())
    v, lo, hi = numbers(ref, "Value"), numbers(ref, "LowerCI"), numbers(ref, "UpperCI")
    bad_limits = int((lo > v).sum() + (hi < v).sum())
    with pytest.raises(fairer.DataError) as info:
        io.read_fingertips_next(next_path, collect_problems=True)
    problems = info.value.problems
    assert len(problems) == duplicates + bad_limits
    assert sum(p["problem"].startswith("duplicate key") for p in problems) == duplicates
    # each reported limit problem is on the line pandas places that row (row index + 2)
    bad_rows = sorted(int(i) + 2 for i in np.flatnonzero((lo > v) | (hi < v)))
    assert sorted({p["row"] for p in problems if "limit" in p["problem"]}) == bad_rows


def test_readers_release_the_gil_and_can_run_in_threads(next_path, next_table):
    results = [None] * 3

    def work(i):
        results[i] = io.read_fingertips_next(next_path, **AS_PUBLISHED)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(r == next_table for r in results)


# --------------------------------------------------------------------------------------------
# bad input from Python


@pytest.mark.parametrize("text, options, expected", [
    (HEADER + row(indicator_id="B99"), dict(known_indicators={"B01"}), (2, "indicator_id", "B99", "unknown indicator")),
    (HEADER + row(area_code="W06000001"), dict(known_areas=["E08000012"]),
     (2, "area_code", "W06000001", "unknown area code")),
    (HEADER + row() + row(), {}, (3, "", "B01 / E08000012 / 2022 / Persons / All ages",
                                  "duplicate key (indicator, area, period, sex, age, category type, category) of row 2")),
    (HEADER + row(value="n/a"), {}, (2, "value", "n/a", "not a number")),
    (HEADER + row(count="inf"), {}, (2, "count", "inf", "non-finite number")),
    (HEADER + row(lower_ci95="55"), {}, (2, "lower_ci95", "55", "lower 95% limit above the value 50")),
    (HEADER + row(upper_ci99_8="49"), {}, (2, "upper_ci99_8", "49", "upper 99.8% limit below the value 50")),
    (HEADER + row(lower_ci99_8="45"), {},
     (2, "lower_ci95", "40", "95% interval wider than the 99.8% one (lower 99.8% limit 45)")),
    (HEADER + row(count="120"), dict(proportion_indicators={"B01"}),
     (2, "count", "120", "count above its denominator 100 for a proportion indicator")),
    (HEADER + row(denominator="-3"), {}, (2, "denominator", "-3", "negative denominator")),
    (HEADER + row(flags="estimate"), {}, (2, "flags", "estimate", "unknown flag 'estimate'")),
    (HEADER + row(sex="Men"), {}, (2, "sex", "Men", "unknown sex (expected Persons, Male or Female)")),
    (HEADER + "B01,E1\n", {}, (2, "", "2 fields", "wrong number of fields (expected 16)")),
    (HEADER.replace(",flags", ""), {}, (1, "flags", "", "missing column")),
    (HEADER + row(value_note='"never closed'), {}, (2, "", "", "unterminated quoted field")),
], ids=["unknown indicator", "unknown area", "duplicate key", "text in number", "non-finite", "lower 95",
        "upper 99.8", "95 wider than 99.8", "count above denominator", "negative denominator", "unknown flag",
        "unknown sex", "field count", "missing column", "unterminated quote"])
def test_bad_input_names_row_column_and_value(text, options, expected):
    problems = problems_of(text, **options)
    assert len(problems) == 1
    p = problems[0]
    assert (p["row"], p["column"], p["value"], p["problem"]) == expected
    assert p["file"] == "obs.csv"


def test_bad_input_unparseable_period_and_error_types(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + row(period="2021-2022"))
    with pytest.raises(fairer.DataError) as info:
        io.read_tidy(bad)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, fairer.Error)
    p = err.problems[0]
    assert p["file"].endswith("bad.csv") and p["row"] == 2 and p["column"] == "period" and p["value"] == "2021-2022"
    assert p["problem"].startswith("unparseable period: [fairer.period] '2021-2022'")
    assert str(err).startswith("[fairer.data] ") and "row 2, column 'period'" in str(err)


def test_collect_problems_reports_everything_at_once():
    text = HEADER + row(value="x") + row(area_code="E08000011", sex="M") + row(area_code="E08000013", flags="new")
    problems = problems_of(text, collect_problems=True)
    assert [(p["row"], p["column"]) for p in problems] == [(2, "value"), (3, "sex"), (4, "flags")]


def test_from_pandas_checks_like_a_reader():
    df = pd.read_csv(TIDY, dtype=str, keep_default_na=False)
    with pytest.raises(fairer.DataError) as info:
        io.from_pandas(df.drop(columns=["flags"]))
    assert info.value.problems[0]["column"] == "flags"
    assert info.value.problems[0]["problem"] == "missing column"

    bad = df.copy()
    bad.loc[3, "count"] = "lots"
    bad.loc[5, "flags"] = "estimated;guess"
    bad.loc[6, "sex"] = "male"
    with pytest.raises(fairer.DataError) as info:
        io.from_pandas(bad, source_name="frame", collect_problems=True)
    got = [(p["file"], p["row"], p["column"], p["value"], p["problem"]) for p in info.value.problems]
    assert got == [
        ("frame", 5, "count", "lots", "not a number"),
        ("frame", 7, "flags", "estimated;guess", "unknown flag 'guess'"),
        ("frame", 8, "sex", "male", "unknown sex (expected Persons, Male or Female)"),
    ]

    numeric = pd.read_csv(TIDY)
    numeric.loc[0, "value"] = np.inf
    with pytest.raises(fairer.DataError) as info:
        io.from_pandas(numeric)
    assert info.value.problems[0]["problem"] == "non-finite number"


# --------------------------------------------------------------------------------------------
# property: any valid table survives CSV and pandas round trips

TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
               | st.sampled_from([",", '"', "\n", " "]), max_size=12)
FINITE = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
MAYBE = st.one_of(st.just(math.nan), st.floats(min_value=0, max_value=1e6, allow_nan=False))


@st.composite
def observation(draw, i):
    v = draw(st.one_of(st.just(math.nan), FINITE))
    width95 = draw(st.floats(min_value=0, max_value=1e6))
    lo95, hi95 = (math.nan, math.nan) if math.isnan(v) else (v - width95, v + width95)
    extra = draw(st.floats(min_value=0, max_value=1e6))
    with_998 = draw(st.booleans()) and not math.isnan(v)
    cat_type = draw(TEXT)
    flags = draw(st.lists(st.sampled_from(["estimated", "provisional", "break_in_series"]), unique=True))
    if math.isnan(v) and draw(st.booleans()):
        flags.append("suppressed_disclosure")
    return {
        "indicator_id": "B" + str(draw(st.integers(1, 3))),
        "area_code": "E0" + str(i),  # distinct keys
        "period": draw(st.sampled_from(["2022", "2021/22", "2018 - 20", "2021/22 Q1", "2020/21 - 24/25"])),
        "sex": draw(st.sampled_from(["Persons", "Male", "Female"])),
        "age": draw(TEXT),
        "category_type": cat_type,
        "category": draw(TEXT.filter(bool)) if cat_type else "",
        "value": v, "lower_ci95": lo95, "upper_ci95": hi95,
        "lower_ci99_8": lo95 - extra if with_998 else math.nan,
        "upper_ci99_8": hi95 + extra if with_998 else math.nan,
        "count": draw(MAYBE), "denominator": draw(MAYBE),
        "value_note": draw(TEXT),
        "flags": ";".join(flags),
    }


@st.composite
def frames(draw):
    n = draw(st.integers(0, 8))
    return pd.DataFrame([draw(observation(i)) for i in range(n)], columns=list(io.TIDY_COLUMNS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_property_round_trips(df):
    t = io.from_pandas(df)
    assert len(t) == len(df)
    assert io.parse_tidy(io.format_tidy(t)) == t
    assert io.from_pandas(io.to_pandas(t)) == t
    for name in io.NUMBER_COLUMNS:
        np.testing.assert_array_equal(t.column(name), df[name].to_numpy(dtype=float))
    assert t.column("value_note") == list(df["value_note"])


def test_to_pandas_frame_owns_its_numbers():
    t = io.read_tidy(TIDY)
    df = io.to_pandas(t)
    df.loc[0, "value"] = 1.0
    assert t.value[0] == 76.3
    assert io.to_pandas(io.parse_tidy(HEADER)).shape == (0, 16)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list('B01,E"\n\r 2;.-e9x') + ["Persons", "inf", "estimated", "2022"]),
               max_size=60).map("".join))
def test_property_any_text_either_reads_or_raises_data_error(body):
    try:
        t = io.parse_tidy(HEADER + body, collect_problems=True)
    except fairer.DataError as e:
        assert e.problems and all(p["file"] == "<text>" and p["problem"] for p in e.problems)
    else:
        assert io.parse_tidy(io.format_tidy(t)) == t


def test_fingertips_next_missing_column_and_bad_year(tmp_path):
    bad = tmp_path / "next.csv"
    bad.write_text("IndicatorID,AreaCode,Year,Sex,Age,CategoryType,Category,Value,LowerCI,Count,Denominator\n")
    with pytest.raises(fairer.DataError) as info:
        io.read_fingertips_next(bad)
    assert info.value.problems[0]["column"] == "UpperCI"
    assert info.value.problems[0]["problem"] == "missing column"
    bad.write_text("IndicatorID,AreaCode,Year,Sex,Age,CategoryType,Category,Value,LowerCI,UpperCI,Count,Denominator\n"
                   "93015,E08000012,2019/20,Persons,19+ yrs,,,27.1,25.2,29.1,,\n")
    with pytest.raises(fairer.DataError) as info:
        io.read_fingertips_next(bad)
    p = info.value.problems[0]
    assert (p["row"], p["column"], p["value"], p["problem"]) == (2, "Year", "2019/20", "year is not an integer")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_property_fingertips_layout_keeps_every_observation_field(df):
    df = df.assign(indicator_id=df["indicator_id"].str.replace("B", "9000", regex=False), flags="")
    t = io.from_pandas(df)
    back = io.to_pandas(io.parse_fingertips(io.format_fingertips(t)))
    assert list(back.columns[:16]) == list(io.TIDY_COLUMNS)
    for name in io.TIDY_COLUMNS:
        if name in io.NUMBER_COLUMNS:
            np.testing.assert_array_equal(back[name].to_numpy(), df[name].to_numpy(dtype=float))
        else:
            assert list(back[name].astype(object)) == list(df[name])

