"""The Cheshire and Merseyside report: its tables checked against independent sources (MHCLG
File 10 summaries and ONS populations in ../shared, and a second computation of coverage from
the raw tidy file), and the HTML page written by the command line."""
import csv
import html
import math
import re
import subprocess
import sys

import pandas as pd
import pytest

import fairer
from fairer import report

PLACES = {"E06000049", "E06000050", "E06000007", "E06000006", "E08000011", "E08000012", "E08000014",
          "E08000013", "E08000015"}


@pytest.fixture(scope="module")
def data():
    return fairer.load_default()


@pytest.fixture(scope="module")
def places(data):
    return report.place_table(data).set_index("code")


def test_place_table_lists_the_nine_places(places):
    assert set(places.index) == PLACES


def test_imd2019_matches_mhclg_file_10(places, shared_dir):
    f10 = pd.read_csv(shared_dir / "data" / "iod2019_lad19_summaries_long.csv")
    f10 = f10[f10.index_domain == "Index of Multiple Deprivation"].set_index("lad19_code")
    for code in PLACES:
        assert round(places.loc[code, "imd2019_mean_score"], 3) == pytest.approx(f10.loc[code, "average_score"], abs=1e-9), code
        assert round(places.loc[code, "imd2019_share_most_deprived_decile"], 4) == pytest.approx(
            f10.loc[code, "proportion_lsoas_most_deprived_10pc"], abs=1e-9), code


def test_imd2025_share_matches_mhclg_file_10(places, shared_dir):
    f10 = pd.read_csv(shared_dir / "data" / "iod2025_lad24_summaries_long.csv")
    f10 = f10[f10.index_domain == "Index of Multiple Deprivation"].set_index("lad24_code")
    for code in PLACES:
        assert round(places.loc[code, "imd2025_share_most_deprived_decile"], 4) == pytest.approx(
            f10.loc[code, "proportion_lsoas_most_deprived_10pc"], abs=1e-9), code


def test_populations_are_the_ons_mid_2023_estimates(places, data, shared_dir):
    ons = pd.read_csv(shared_dir / "data" / "places_cheshire_merseyside.csv").set_index("lad_code")
    for code in PLACES:
        assert places.loc[code, "population"] == ons.loc[code, "pop_mid2023_ons_via_fingertips92708"]
    groups = report.grouping_table(data).set_index("code")
    assert groups.loc["E54000008", "population"] == 2_576_057  # shared/data/README.md
    assert groups.loc["E54000008", "places"] == 9
    assert groups.loc["E47000004", "places"] == 6
    assert groups.loc["SR-CW", "places"] == 3


def _independent_sort_key(period: str):
    """(first year, last year, quarter) written out from the Fingertips forms in this file."""
    m = re.fullmatch(r"(\d{4})(?:/(\d{2}))?(?: - (\d{2}))?(?: Q([1-4]))?", period)
    assert m, period
    first = int(m.group(1))
    last = first + 1 if m.group(2) else first
    if m.group(3):
        last = (first // 100) * 100 + int(m.group(3))
    return (first, last, int(m.group(4) or 0))


def test_coverage_matches_a_second_computation(data):
    table = report.coverage_table(data)
    expected = {}
    with open(fairer.DATA_DIR / "observations.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["value"] == "":
                continue
            key = (row["indicator_id"], row["area_code"])
            if key not in expected or _independent_sort_key(row["period"]) > _independent_sort_key(expected[key]):
                expected[key] = row["period"]
    assert list(table.index) == [f"B{i:02d}" for i in range(1, 23)]
    assert list(table.columns[:9]) == [a.code for a in data.areas.places()]
    assert list(table.columns[9:]) == ["E12000002", "E92000001"]
    for ind in table.index:
        for area in table.columns:
            assert table.loc[ind, area] == expected.get((ind, area), ""), (ind, area)


def test_indicator_table_reports_indicators_without_data(data):
    ind = report.indicator_table(data).set_index("key")
    for key in ["B12", "B20", "B21"]:
        assert ind.loc[key, "status"] == "anchor"
        assert ind.loc[key, "observations"] == 0
        assert ind.loc[key, "latest_period"] == ""
    assert ind.loc["B15", "status"] == "discontinued"
    obs = pd.read_csv(fairer.DATA_DIR / "observations.csv", keep_default_na=False, dtype=str)
    assert ind.observations.sum() == len(obs)


def test_report_html_is_self_contained_and_complete(data, tmp_path):
    out = subprocess.run([sys.executable, "-m", "fairer", "report", "--out", str(tmp_path)],
                         capture_output=True, text=True, check=True)
    path = tmp_path / "index.html"
    assert str(path) in out.stdout
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script|<link|src=|@import|url\(", page)
    for area in data.areas:
        assert html.escape(area.name) in page, area.name
    for ind in data.framework.indicators:
        assert html.escape(ind.title) in page, ind.key
    for theme in data.framework.themes:
        assert html.escape(theme.title) in page, theme.key
    # Liverpool's IMD 2019 average score as MHCLG publishes it (File 10: 42.412)
    assert "42.412" in page


def test_missing_deprivation_population_stays_missing(data):
    # IoD 2025 populations are only derivable for unchanged or merged LSOAs, so a place's
    # weighted mean over LSOA 2021 must be NaN when any is missing, never a partial mean.
    summary = fairer.summarise_deprivation(data.iod2025)
    for p in summary:
        members = [pop for code, pop in zip(data.iod2025.place_codes, data.iod2025.populations) if code == p.place_code]
        if any(math.isnan(x) for x in members):
            assert math.isnan(p.mean_imd_score)
        else:
            assert not math.isnan(p.mean_imd_score)
    assert len(summary) == 9
