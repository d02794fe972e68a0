"""Bindings of the framework model: fairer._core.Framework and its reader and writer."""
import pathlib

import pytest

import fairer
from fairer import _core

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "model"
EMBEDDED = pathlib.Path(__file__).resolve().parents[2] / "python" / "fairer" / "data"


@pytest.fixture(scope="module")
def small():
    return _core.read_framework(DATA / "small.framework")


def test_small_framework_properties(small):
    assert small.key == "test-framework"
    assert small.baseline_period == "2022"
    assert [t.key for t in small.themes] == ["LE", "T1", "T3"]
    assert small.themes[0].marmot_principle is False
    assert [r.key for r in small.recommendations] == ["R1", "R4", "R6", "R7"]
    b04 = small.indicator("B04")
    assert b04.title == "Good level of development, end of Reception"
    assert b04.definition == 'Children with a "good level of development"'
    assert b04.polarity == _core.Polarity.higher_is_better
    assert b04.value_type == _core.ValueType.proportion
    assert b04.is_proportion
    assert b04.multiplier == 100.0
    assert b04.disclosure_threshold == 5
    assert b04.fingertips_id == 90631
    assert b04.fingertips_id_status == _core.FingertipsIdStatus.unverified
    assert b04.recommendations == ["R1", "R4"]
    b12 = small.indicator("B12")
    assert b12.status == _core.IndicatorStatus.anchor
    assert b12.fingertips_id is None
    assert b12.fingertips_id_status is None
    assert b12.disclosure_threshold is None
    assert small.indicator("B01").sexes == ["Female", "Male"]
    assert small.indicator("B01").period_type == _core.PeriodType.pooled_3_year_calendar
    assert [m.key for m in small.indicators_for_theme("T3")] == ["B12", "B15"]
    assert [m.key for m in small.indicators_for_recommendation("R4")] == ["B04"]
    assert small.indicator_keys() == ["B01", "B04", "B12", "B15"]


def test_reprs(small):
    assert repr(small) == "Framework(key='test-framework', version='2024-01', themes=3, recommendations=4, indicators=4)"
    assert repr(small.theme("T1")) == (
        "Theme(key='T1', title='Give every child the best start in life', life_course='start well', "
        "marmot_principle=True)"
    )
    assert repr(small.indicator("B15")) == (
        "IndicatorMeta(key='B15', number=15, theme='T3', title='Absolute poverty after housing costs', "
        "status='discontinued')"
    )
    assert repr(small.recommendation("R7")).startswith("SystemRecommendation(key='R7', ")


def test_unknown_keys_raise_fairer_error(small):
    with pytest.raises(fairer.Error, match=r"unknown indicator key 'B99'"):
        small.indicator("B99")
    with pytest.raises(ValueError, match=r"unknown theme key 'T9'"):
        small.indicators_for_theme("T9")
    assert not small.has_indicator("B99")
    assert small.has_theme("T3")


def test_enum_text_forms():
    assert _core.CiMethod.exact_poisson.text == "exact poisson"
    assert _core.PeriodType.from_text("3-year pooled financial") == _core.PeriodType.pooled_3_year_financial
    for member in _core.ValueType.__members__.values():
        assert _core.ValueType.from_text(member.text) == member
    with pytest.raises(fairer.Error, match=r"unknown polarity 'Higher is better'"):
        _core.Polarity.from_text("Higher is better")


def test_write_read_round_trip(small, tmp_path):
    text = _core.write_framework(small)
    assert text.startswith("#fairer-framework,1\n[framework]\nfield,value\n")
    again = _core.parse_framework(text, "written")
    assert again == small
    assert _core.write_framework(again) == text

    edited = _core.parse_framework(text)
    themes = edited.themes
    themes[1].title = "Best start in life"
    edited.themes = themes
    assert edited != small
    path = tmp_path / "edited.framework"
    _core.write_framework_file(edited, path)
    assert _core.read_framework(str(path)).theme("T1").title == "Best start in life"


def test_bad_file_raises_data_error_with_location():
    path = DATA / "bad_theme.framework"
    with pytest.raises(fairer.DataError) as info:
        _core.read_framework(path)
    (problem,) = info.value.problems
    assert problem == {
        "file": str(path),
        "row": 14,
        "column": "theme",
        "value": "T9",
        "problem": "not a key in the [themes] section",
    }
    assert info.value.row == 14


def test_parse_error_names_row_column_value():
    text = (DATA / "small.framework").read_text(encoding="utf-8").replace("proportion,%,100,none", "proportion,%,x,none")
    with pytest.raises(fairer.DataError) as info:
        _core.parse_framework(text, "edited.framework")
    problem = info.value.problems[0]
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == (
        "edited.framework",
        13,
        "multiplier",
        "x",
    )
    with pytest.raises(fairer.DataError, match=r"row 1, column 'version': unsupported framework file version"):
        _core.parse_framework(text.replace("#fairer-framework,1", "#fairer-framework,2"))


def test_embedded_framework_matches_the_programme_papers():
    # 22 Beacon indicators; 12, 20 and 21 anchor, 15 discontinued (framework spec, section 3).
    fw = _core.read_framework(EMBEDDED / "all_together_fairer.framework")
    assert len(fw.indicators) == 22
    assert [t.key for t in fw.themes] == ["LE"] + [f"T{i}" for i in range(1, 9)]
    assert [r.key for r in fw.recommendations] == [f"R{i}" for i in range(1, 8)]
    anchor = {m.number for m in fw.indicators if m.status == _core.IndicatorStatus.anchor}
    discontinued = {m.number for m in fw.indicators if m.status == _core.IndicatorStatus.discontinued}
    assert anchor == {12, 20, 21}
    assert discontinued == {15}
    assert fw.indicator("B11").polarity == _core.Polarity.no_judgement
    assert _core.parse_framework(_core.write_framework(fw)) == fw
