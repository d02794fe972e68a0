"""Bindings of areas and deprivation: AreaHierarchy, DeprivationLookup, summarise_deprivation."""
import gc
import math
import pathlib

import numpy as np
import pandas as pd
import pytest

import fairer
from fairer import _core

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "model"
EMBEDDED = pathlib.Path(__file__).resolve().parents[2] / "python" / "fairer" / "data"


@pytest.fixture(scope="module")
def areas():
    return _core.read_areas(DATA / "areas_small.csv")


@pytest.fixture(scope="module")
def lookup():
    return _core.read_deprivation(DATA / "deprivation_small.csv")


def codes(items):
    return [a.code for a in items]


def test_area_properties(areas):
    assert len(areas) == 11
    assert "E08000012" in areas and "E08000011" not in areas
    liverpool = areas["E08000012"]
    assert liverpool.name == "Liverpool"
    assert liverpool.type == _core.AreaType.local_authority
    assert liverpool.type.text == "local authority"
    assert liverpool.parents == ["SR-LCR", "E47000004", "E54000008", "E12000002"]
    assert liverpool.population == 496770.0
    assert liverpool.population_source == "ONS mid-year estimates, 2020"
    assert math.isnan(areas["E01006513"].population)
    assert repr(liverpool) == "Area(code='E08000012', name='Liverpool', type='local authority', population=496770.0)"
    assert repr(areas) == "AreaHierarchy(11 areas, 3 places)"
    assert [a.code for a in areas][:2] == ["E92000001", "E12000002"]
    assert areas.codes()[-1] == "E06000006"
    with pytest.raises(fairer.Error, match=r"unknown area code 'E08000011'"):
        areas["E08000011"]


def test_area_queries(areas):
    assert codes(areas.places()) == ["E06000049", "E08000012", "E06000006"]
    assert codes(areas.children("SR-LCR")) == ["E08000012", "E06000006"]
    assert codes(areas.ancestors("E01006512")) == [
        "E08000012", "SR-LCR", "E47000004", "E54000008", "E12000002", "E92000001"]
    assert codes(areas.descendants("E47000004")) == ["E08000012", "E06000006", "E01006512", "E01006513"]
    assert codes(areas.areas_of_type(_core.AreaType.lsoa)) == ["E01006512", "E01006513"]
    assert _core.AreaType.from_text("ICB") == _core.AreaType.icb
    assert areas.ancestor_of_type("E01006512", _core.AreaType.sub_region).code == "SR-LCR"
    assert areas.ancestor_of_type("E06000049", _core.AreaType.combined_authority) is None


def test_areas_returned_keep_the_hierarchy_alive():
    h = _core.read_areas(DATA / "areas_small.csv")
    kids = h.children("E54000008")
    one = h["E06000049"]
    del h
    gc.collect()
    assert codes(kids)[0] == "SR-CW"
    assert one.name == "Cheshire East"


def test_hierarchy_built_in_python_and_written(tmp_path):
    top = _core.Area("A", "Top", _core.AreaType.england, population=10.0)
    child = _core.Area("B", "Child", _core.AreaType.region, parents=["A"])
    h = _core.AreaHierarchy([top, child])
    assert codes(h.children("A")) == ["B"]
    path = tmp_path / "areas.csv"
    _core.write_areas_file(h, path)
    again = _core.read_areas(path)
    assert list(again) == list(h)
    assert _core.write_areas(again) == path.read_text(encoding="utf-8")
    with pytest.raises(fairer.DataError, match=r"parent is not an area in the file \(value 'C'\)"):
        _core.AreaHierarchy([top, _core.Area("B", "Child", _core.AreaType.region, parents=["C"])])


@pytest.mark.parametrize(
    ("old", "new", "row", "column", "value"),
    [
        ("E01006513,Liverpool 001B", "E01006512,Liverpool 001B", 11, "code", "E01006512"),
        ("Liverpool 001A,LSOA", "Liverpool 001A,Ward", 10, "type", "Ward"),
        (",1500.5,", ",-1,", 10, "population", "-1"),
        (",1500.5,", ",many,", 10, "population", "many"),
        ("England,England,,,", "England,England,,E06000049,", 2, "parents", "E06000049"),
        ("Liverpool 001A,LSOA,,E08000012", "Liverpool 001A,LSOA,,E08000099", 10, "parents", "E08000099"),
    ],
)
def test_bad_areas_raise_data_error_with_location(old, new, row, column, value):
    text = (DATA / "areas_small.csv").read_text(encoding="utf-8")
    assert text.count(old) == 1
    with pytest.raises(fairer.DataError) as info:
        _core.parse_areas(text.replace(old, new), "areas.csv")
    problem = info.value.problems[0]
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == ("areas.csv", row, column, value)


def test_embedded_areas_hold_the_nine_places(shared_dir):
    h = _core.read_areas(EMBEDDED / "areas.csv")
    places = pd.read_csv(shared_dir / "data" / "places_cheshire_merseyside.csv")
    assert sorted(codes(h.places())) == sorted(places["lad_code"])
    for row in places.itertuples():
        assert h[row.lad_code].name == row.lad_name
        assert "E54000008" in codes(h.ancestors(row.lad_code))


def test_deprivation_columns_are_numpy_views(lookup):
    assert len(lookup) == 5
    scores = lookup.imd_scores
    assert scores.dtype == np.float64
    np.testing.assert_array_equal(scores, [10, 20, 40, 30, 60])
    assert lookup.imd_ranks.dtype == np.int32
    np.testing.assert_array_equal(lookup.imd_deciles, [5, 3, 1, 1, 1])
    assert np.isnan(lookup.populations[3])
    assert not scores.flags.writeable
    with pytest.raises(ValueError):
        scores[0] = 1.0
    # Two reads share the lookup's buffer: no copy is made.
    assert np.shares_memory(lookup.imd_scores, lookup.imd_scores)
    assert lookup.column_names == ["income_score", "income_rank", "income_decile"]
    assert np.isnan(lookup.column("income_rank")[2])
    assert lookup.value("E01000203", "income_score") == 0.45
    assert lookup.lsoa_codes[0] == "E01000101"
    assert lookup.places() == ["E06000901", "E06000902"]
    record = lookup["E01000202"]
    assert (record.place_code, record.imd_rank, record.imd_decile) == ("E06000902", 3000, 1)
    assert math.isnan(record.population)
    with pytest.raises(fairer.Error, match=r"no column named 'health_rank'"):
        lookup.column("health_rank")


def test_deprivation_view_outlives_the_lookup():
    scores = _core.read_deprivation(DATA / "deprivation_small.csv").imd_scores
    gc.collect()
    assert scores.tolist() == [10, 20, 40, 30, 60]


def test_summary_checked_by_hand(lookup):
    first, second = _core.summarise_deprivation(lookup)
    # (10*1000 + 40*3000) / 4000 = 32.5; one of two LSOAs in decile 1.
    assert (first.place_code, first.lsoa_count, first.population) == ("E06000901", 2, 4000.0)
    assert first.mean_imd_score == pytest.approx(32.5, rel=1e-15)
    assert first.share_most_deprived_decile == 0.5
    # A blank population makes the population and weighted mean missing, not partial.
    assert math.isnan(second.population) and math.isnan(second.mean_imd_score)
    assert second.share_most_deprived_decile == pytest.approx(2 / 3, rel=1e-15)
    assert repr(first).startswith("PlaceDeprivation(place_code='E06000901', lsoa_count=2, population=4000.0")


@pytest.mark.parametrize(
    ("old", "new", "row", "column", "value"),
    [
        (",20001,5,", ",20001,11,", 2, "imd_decile", "11"),
        (",20001,5,", ",0,5,", 2, "imd_rank", "0"),
        ("E01000202,Place B 001B", "E01000101,Place B 001B", 5, "lsoa_code", "E01000101"),
        (",3000,mid-2015", ",-3000,mid-2015", 4, "population", "-3000"),
        (",0.45,120,1", ",0.45,120,one", 6, "income_decile", "one"),
    ],
)
def test_bad_deprivation_raises_data_error_with_location(old, new, row, column, value):
    text = (DATA / "deprivation_small.csv").read_text(encoding="utf-8")
    assert text.count(old) == 1
    with pytest.raises(fairer.DataError) as info:
        _core.parse_deprivation(text.replace(old, new), "lsoa.csv")
    problem = info.value.problems[0]
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == ("lsoa.csv", row, column, value)


def test_iod2019_summary_reproduces_mhclg_file_10(shared_dir):
    summary = _core.summarise_deprivation(_core.read_deprivation(EMBEDDED / "lsoa_iod2019.csv"))
    published = pd.read_csv(shared_dir / "data" / "iod2019_lad19_summaries_long.csv")
    published = published[published["index_domain"] == "Index of Multiple Deprivation"].set_index("lad19_code")
    assert len(summary) == 9
    for place in summary:
        row = published.loc[place.place_code]
        assert abs(place.mean_imd_score - row["average_score"]) <= 0.0005
        assert abs(place.share_most_deprived_decile - row["proportion_lsoas_most_deprived_10pc"]) <= 0.00005


def test_deprivation_as_dict_is_the_file_as_a_table(lookup):
    frame = pd.DataFrame(lookup.as_dict())
    expected = pd.read_csv(DATA / "deprivation_small.csv", dtype={"population_period": str}, keep_default_na=False,
                           na_values={"population": [""], "income_score": [""], "income_rank": [""],
                                      "income_decile": [""]})
    assert list(frame.columns) == list(expected.columns)
    for column in expected.columns:
        if expected[column].dtype.kind in "fi":
            np.testing.assert_array_equal(frame[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float))
        else:
            assert frame[column].tolist() == expected[column].tolist()
