"""Tests of the TimePeriod bindings (fairer._core.TimePeriod, YearType, PeriodKind).

Expected dates are derived here from the definitions (calendar year January-December,
financial year April-March, academic year September-August, quarters of three months from
the year's first month) with Python's own calendar arithmetic, not from fairer.
"""
import calendar
import csv
import datetime as dt
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fairer
from fairer import _core

TimePeriod = _core.TimePeriod
YearType = _core.YearType
PeriodKind = _core.PeriodKind

FIRST_MONTH = {YearType.calendar: 1, YearType.financial: 4, YearType.academic: 9}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def first_day(month_index: int) -> dt.date:
    """First day of the month counted as year * 12 + (month - 1)."""
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def last_day(month_index: int) -> dt.date:
    year, month = month_index // 12, month_index % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def year_label(year: int, year_type) -> str:
    return str(year) if year_type == YearType.calendar else f"{year}/{(year + 1) % 100:02d}"


# text, hint, year type, kind, start, end (inclusive), months, sortable
EXAMPLES = [
    ("2022", YearType.financial, YearType.calendar, PeriodKind.year, "2022-01-01", "2022-12-31", 12, 20220000),
    ("2021/22", YearType.financial, YearType.financial, PeriodKind.year, "2021-04-01", "2022-03-31", 12, 20210000),
    ("2021/22", YearType.academic, YearType.academic, PeriodKind.year, "2021-09-01", "2022-08-31", 12, 20210000),
    ("1999/00", YearType.financial, YearType.financial, PeriodKind.year, "1999-04-01", "2000-03-31", 12, 19990000),
    ("2018 - 20", YearType.financial, YearType.calendar, PeriodKind.pooled_years, "2018-01-01", "2020-12-31", 36, 20180000),
    ("2021 - 23", YearType.financial, YearType.calendar, PeriodKind.pooled_years, "2021-01-01", "2023-12-31", 36, 20210000),
    ("2006 - 07", YearType.financial, YearType.calendar, PeriodKind.pooled_years, "2006-01-01", "2007-12-31", 24, 20060000),
    ("2019 - 23", YearType.financial, YearType.calendar, PeriodKind.pooled_years, "2019-01-01", "2023-12-31", 60, 20190000),
    ("2020/21 - 24/25", YearType.financial, YearType.financial, PeriodKind.pooled_years, "2020-04-01", "2025-03-31", 60, 20200000),
    ("2022 Q1", YearType.financial, YearType.calendar, PeriodKind.quarter, "2022-01-01", "2022-03-31", 3, 20220100),
    ("2021/22 Q1", YearType.financial, YearType.financial, PeriodKind.quarter, "2021-04-01", "2021-06-30", 3, 20210100),
    ("2021/22 Q4", YearType.financial, YearType.financial, PeriodKind.quarter, "2022-01-01", "2022-03-31", 3, 20210400),
    ("2021/22 Q1", YearType.academic, YearType.academic, PeriodKind.quarter, "2021-09-01", "2021-11-30", 3, 20210100),
    ("2006/07 Q2 - 2007/08 Q1", YearType.financial, YearType.financial, PeriodKind.quarter_range, "2006-07-01", "2007-06-30", 12, 20060200),
    ("2006 Q2 - 2007 Q1", YearType.financial, YearType.calendar, PeriodKind.quarter_range, "2006-04-01", "2007-03-31", 12, 20060200),
    ("2006/07 Q1-Q3", YearType.financial, YearType.financial, PeriodKind.cumulative_quarters, "2006-04-01", "2006-12-31", 9, 20060300),
    ("Feb 2024", YearType.financial, YearType.calendar, PeriodKind.month, "2024-02-01", "2024-02-29", 1, 20240002),
    ("Apr 2023 - Mar 2024", YearType.financial, YearType.calendar, PeriodKind.month_range, "2023-04-01", "2024-03-31", 12, 20230004),
    ("2024-04-17", YearType.financial, YearType.calendar, PeriodKind.day, "2024-04-17", "2024-04-17", 0, 20240417),
]


@pytest.mark.parametrize(("text", "hint", "year_type", "kind", "start", "end", "months", "sortable"), EXAMPLES)
def test_examples_have_the_dates_of_their_definition(text, hint, year_type, kind, start, end, months, sortable):
    p = TimePeriod.parse(text, hint)
    assert p.year_type == year_type
    assert p.kind == kind
    assert p.start == dt.date.fromisoformat(start)
    assert p.end == dt.date.fromisoformat(end)
    assert p.months == months
    assert p.days == (p.end - p.start).days + 1
    assert p.sortable == sortable
    assert p.first_year == sortable // 10000
    assert str(p) == text
    assert p.to_string() == text
    assert TimePeriod.parse(str(p), hint) == p
    assert TimePeriod(text, hint) == p


def test_keyword_argument_and_default_year_type():
    assert TimePeriod.parse("2021/22").year_type == YearType.financial
    assert TimePeriod.parse(text="2021/22", year_type=YearType.academic).start == dt.date(2021, 9, 1)
    assert TimePeriod.parse("2022", year_type=YearType.academic).year_type == YearType.calendar


def test_full_month_names_print_abbreviated():
    p = TimePeriod.parse("September 2024")
    assert str(p) == "Sep 2024"
    assert p == TimePeriod.parse("Sep 2024")


def test_repr_evaluates_back_to_an_equal_period():
    names = {"TimePeriod": TimePeriod, "YearType": YearType}
    for text, hint, *_ in EXAMPLES:
        p = TimePeriod.parse(text, hint)
        assert text in repr(p)
        assert eval(repr(p), names) == p  # noqa: S307 - repr of our own type
    assert repr(TimePeriod.parse("2021/22", YearType.academic)) == "TimePeriod.parse('2021/22', YearType.academic)"
    assert repr(TimePeriod.parse("2022")) == "TimePeriod.parse('2022')"


def test_comparisons_follow_the_sort_key_then_dates():
    texts = ["2023/24 Q1", "2021/22 Q4", "2022/23 Q2", "2022/23 Q1", "2021/22 Q3"]
    assert [str(p) for p in sorted(TimePeriod.parse(t) for t in texts)] == [
        "2021/22 Q3", "2021/22 Q4", "2022/23 Q1", "2022/23 Q2", "2023/24 Q1"]
    year, pooled, financial = TimePeriod("2021"), TimePeriod("2021 - 23"), TimePeriod("2021/22")
    assert year.sortable == pooled.sortable == financial.sortable == 20210000
    assert year < pooled < financial
    assert financial > pooled >= pooled
    assert year <= year
    assert year != pooled
    assert TimePeriod("2020 - 22") < year

    periods = [TimePeriod.parse(t, h) for t, h, *_ in EXAMPLES]
    for a in periods:
        for b in periods:
            assert (a < b) + (b < a) + (a == b) == 1
            if a.sortable < b.sortable:
                assert a < b


def test_comparison_with_other_types():
    p = TimePeriod("2022")
    assert p != "2022"
    assert not (p == 2022)
    with pytest.raises(TypeError):
        _ = p < "2023"


def test_hash_is_consistent_with_equality():
    periods = {TimePeriod("2022"), TimePeriod("2022"), TimePeriod("March 2024"), TimePeriod("Mar 2024"),
               TimePeriod("2021/22"), TimePeriod("2021/22", YearType.academic)}
    assert len(periods) == 4
    assert hash(TimePeriod("2018 - 20")) == hash(TimePeriod.parse("2018 - 20"))
    assert {TimePeriod("2022"): 1}[TimePeriod.parse("2022")] == 1


def test_pickle_round_trip():
    for text, hint, *_ in EXAMPLES:
        p = TimePeriod.parse(text, hint)
        assert pickle.loads(pickle.dumps(p)) == p


def test_overlaps():
    assert TimePeriod("2018 - 20").overlaps(TimePeriod("2020/21"))
    assert not TimePeriod("2021").overlaps(TimePeriod("2021/22 Q4"))
    assert TimePeriod("2022").overlaps(TimePeriod("2021/22 Q4"))
    assert not TimePeriod("2021/22").overlaps(TimePeriod("2022/23"))
    assert TimePeriod("2022-03-31").overlaps(TimePeriod("2021/22"))
    assert not TimePeriod("2022-04-01").overlaps(TimePeriod("2021/22"))
    assert TimePeriod("2021/22", YearType.academic).overlaps(TimePeriod("2022 Q3"))
    assert not TimePeriod("2021/22", YearType.academic).overlaps(TimePeriod("2022 Q4"))
    assert TimePeriod("2022").overlaps(other=TimePeriod("Dec 2022"))


@pytest.mark.parametrize(("text", "message"), [
    ("2021/23", "'2021/23' is not a split year: its two years must be consecutive (expected '2021/22')"),
    ("2018 - 17", "'2018 - 17' is not a pooled period"),
    ("20x1", "'20x1' is not a Fingertips time period: expected a four-digit year at the start"),
    ("", "'' is empty"),
    ("2022 abc", "'2022 abc' is not a Fingertips time period"),
    ("2022 Q5", "'2022 Q5' has quarter 5"),
    ("Foo 2022", "'Foo 2022' has an unknown month name 'Foo'"),
    ("2023-02-29", "'2023-02-29' is not a valid date"),
])
def test_bad_text_raises_fairer_error(text, message):
    with pytest.raises(fairer.Error) as info:
        TimePeriod.parse(text)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith("[fairer.period] ")
    assert message in str(info.value)
    assert info.value.id == "period"


def test_split_year_rejected_when_calendar_requested():
    with pytest.raises(ValueError, match=r"'2021/22' is a split \(financial or academic\) year"):
        TimePeriod.parse("2021/22", YearType.calendar)


def test_wrong_argument_types():
    with pytest.raises(TypeError):
        TimePeriod.parse(2022)


@st.composite
def periods(draw):
    """A period text with its dates derived from the definitions."""
    form = draw(st.sampled_from(["year", "pooled", "quarter", "quarter_range", "cumulative", "month", "month_range", "day"]))
    year = draw(st.integers(1900, 2090))
    year_type = draw(st.sampled_from([YearType.calendar, YearType.financial, YearType.academic]))
    hint = year_type if year_type != YearType.calendar else draw(st.sampled_from([YearType.financial, YearType.academic]))
    first = year * 12 + FIRST_MONTH[year_type] - 1
    if form == "year":
        return year_label(year, year_type), hint, first_day(first), last_day(first + 11)
    if form == "pooled":
        n = draw(st.integers(2, 10))
        last = year + n - 1
        text = f"{year_label(year, year_type)} - {last % 100:02d}"
        if year_type != YearType.calendar:
            text += f"/{(last + 1) % 100:02d}"
        return text, hint, first_day(first), last_day(first + 12 * n - 1)
    if form in ("quarter", "quarter_range", "cumulative"):
        q = draw(st.integers(1, 4))
        start = first + 3 * (q - 1)
        if form == "quarter":
            return f"{year_label(year, year_type)} Q{q}", hint, first_day(start), last_day(start + 2)
        if form == "cumulative":
            k = draw(st.integers(2, 4))
            return f"{year_label(year, year_type)} Q1-Q{k}", hint, first_day(first), last_day(first + 3 * k - 1)
        n = draw(st.integers(2, 20))
        last_start = start + 3 * (n - 1)
        offset = last_start - FIRST_MONTH[year_type] + 1
        text = f"{year_label(year, year_type)} Q{q} - {year_label(offset // 12, year_type)} Q{(offset % 12) // 3 + 1}"
        return text, hint, first_day(start), last_day(last_start + 2)
    month = draw(st.integers(1, 12))
    start = year * 12 + month - 1
    if form == "month":
        return f"{MONTHS[month - 1]} {year}", hint, first_day(start), last_day(start)
    if form == "month_range":
        n = draw(st.integers(2, 60))
        end = start + n - 1
        return f"{MONTHS[month - 1]} {year} - {MONTHS[end % 12]} {end // 12}", hint, first_day(start), last_day(end)
    day = draw(st.integers(1, calendar.monthrange(year, month)[1]))
    d = dt.date(year, month, day)
    return d.isoformat(), hint, d, d


@settings(max_examples=400, deadline=None)
@given(periods())
def test_generated_periods_round_trip_with_their_defined_dates(case):
    text, hint, start, end = case
    p = TimePeriod.parse(text, hint)
    assert str(p) == text
    assert p.start == start
    assert p.end == end
    assert p.days == (end - start).days + 1
    assert TimePeriod.parse(str(p), hint) == p
    assert p.overlaps(p)


def distinct_periods(path):
    with open(path, newline="", encoding="utf-8") as f:
        return sorted({row["period"] for row in csv.DictReader(f)})


FULL_MONTHS = ["January", "February", "March", "April", "June", "July", "August", "September", "October",
               "November", "December"]


@pytest.mark.parametrize("name", ["la_indicators_trafford_datalab_long.csv",
                                  "ons_explore_local_statistics_selected_england.csv"])
def test_every_period_in_the_shared_data_prints_back(shared_dir, name):
    texts = distinct_periods(shared_dir / "data" / name)
    assert len(texts) > 90
    differing = []
    for text in texts:
        p = TimePeriod.parse(text)
        expected = text
        for full in FULL_MONTHS:  # NOMIS spells months out; Fingertips prints three letters
            expected = expected.replace(full, full[:3])
        assert str(p) == expected, text
        assert TimePeriod.parse(str(p)) == p
        if expected != text:
            differing.append(text)
    # The only texts that legitimately print differently are the 34 Trafford claimant-count
    # months written in full ("April 2023" -> "Apr 2023"; "May 2023" is already short).
    assert len(differing) == (34 if name.startswith("la_") else 0)
    assert all(TimePeriod.parse(t).kind == PeriodKind.month for t in differing)


def test_ons_iso_periods_agree_with_the_readable_period(shared_dir):
    """ONS publishes period_iso ('2021-04-01/P1Y', '2024-04-17') beside the readable period."""
    path = shared_dir / "data" / "ons_explore_local_statistics_selected_england.csv"
    with open(path, newline="", encoding="utf-8") as f:
        pairs = {(row["period"], row["period_iso"]) for row in csv.DictReader(f)}
    checked = 0
    for text, iso in pairs:
        start_text, _, duration = iso.partition("/")
        start = dt.date.fromisoformat(start_text)
        if not duration:
            p = TimePeriod.parse(text)
            assert (p.kind, p.start, p.end) == (PeriodKind.day, start, start)
            checked += 1
            continue
        if (start.month, start.day) not in ((1, 1), (4, 1), (9, 1)):
            continue  # ONS survey years from 1 Aug or 16 Nov have no Fingertips year type
        years = int(duration[1:-1])
        p = TimePeriod.parse(text, YearType.academic if start.month == 9 else YearType.financial)
        assert p.start == start, (text, iso)
        assert p.end + dt.timedelta(days=1) == start.replace(year=start.year + years), (text, iso)
        checked += 1
    assert checked == 116
