"""Checks of the embedded default dataset in python/fairer/data against independent sources.

Expected values come from the programme papers (docs/specs), from the published MHCLG File 10
local-authority summaries and ONS totals in ../shared/data, or from a second file that the build
script does not read; never from the build script itself.
"""

from __future__ import annotations

import csv
import decimal
import importlib.util
import io
import pathlib
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "python" / "fairer" / "data"
SCRIPTS = ROOT / "python" / "scripts"
BUILD_SCRIPT = SCRIPTS / "build_default_data.py"
OBSERVATIONS_MODULE = SCRIPTS / "default_data_observations.py"

PLACES = {
    "E06000049": "Cheshire East",
    "E06000050": "Cheshire West and Chester",
    "E06000006": "Halton",
    "E08000011": "Knowsley",
    "E08000012": "Liverpool",
    "E08000014": "Sefton",
    "E08000013": "St. Helens",
    "E06000007": "Warrington",
    "E08000015": "Wirral",
}
LCR = {"E06000006", "E08000011", "E08000012", "E08000014", "E08000013", "E08000015"}

# LSOA 2011 counts per place (IoD2019), from the shared data README checks.
LSOA11_COUNTS = {
    "E06000049": 234,
    "E06000050": 212,
    "E06000006": 79,
    "E08000011": 98,
    "E08000012": 298,
    "E08000014": 189,
    "E08000013": 119,
    "E06000007": 127,
    "E08000015": 206,
}

LEADING = ["lsoa_code", "lsoa_name", "place_code", "imd_score", "imd_rank", "imd_decile",
           "population", "population_period"]


def read_embedded(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype={"lsoa_code": str, "place_code": str, "code": str})


def read_text(path: pathlib.Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def iod2019() -> pd.DataFrame:
    return read_embedded("lsoa_iod2019.csv")


@pytest.fixture(scope="module")
def iod2025() -> pd.DataFrame:
    return read_embedded("lsoa_iod2025.csv")


@pytest.fixture(scope="module")
def areas() -> pd.DataFrame:
    return pd.read_csv(DATA / "areas.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def build_module():
    spec = importlib.util.spec_from_file_location("build_default_data", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- LSOA files: shape


@pytest.mark.parametrize("name", ["lsoa_iod2019.csv", "lsoa_iod2025.csv"])
def test_lsoa_files_lead_with_the_agreed_columns(name):
    header = (DATA / name).read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    assert header[: len(LEADING)] == LEADING
    assert len(header) == len(set(header))


@pytest.mark.parametrize("code,expected", sorted(LSOA11_COUNTS.items()))
def test_iod2019_lsoa_count_per_place(iod2019, code, expected):
    assert (iod2019["place_code"] == code).sum() == expected


def test_iod2019_has_only_the_nine_places_and_unique_codes(iod2019):
    assert set(iod2019["place_code"]) == set(PLACES)
    assert iod2019["lsoa_code"].is_unique
    assert len(iod2019) == sum(LSOA11_COUNTS.values())


def test_iod2025_liverpool_has_302_lsoas(iod2025):
    assert (iod2025["place_code"] == "E08000012").sum() == 302


def test_iod2025_lsoa_counts_match_the_lsoa21_lad24_lookup(iod2025, shared_dir):
    lookup = read_text(shared_dir / "data" / "lookup_lsoa21_lad24_sicbl24_icb24.csv")
    lad_column = next(c for c in lookup.columns if c.startswith("lad24") and c.endswith("code"))
    lsoa_column = next(c for c in lookup.columns if c.startswith("lsoa21") and c.endswith("code"))
    in_cm = lookup[lookup[lad_column].isin(PLACES)]
    assert sorted(in_cm[lsoa_column]) == sorted(iod2025["lsoa_code"])
    expected = in_cm.groupby(lad_column).size().to_dict()
    assert iod2025.groupby("place_code").size().to_dict() == expected


@pytest.mark.parametrize("name", ["lsoa_iod2019.csv", "lsoa_iod2025.csv"])
def test_ranks_and_deciles_are_whole_numbers_in_range(name):
    frame = read_embedded(name)
    for column in frame.columns:
        if column.endswith("_decile"):
            assert frame[column].between(1, 10).all(), column
        if column.endswith("_rank") or column.endswith("_decile"):
            assert (frame[column] == frame[column].round()).all(), column
    assert frame[LEADING[:6]].notna().all().all()


# ---------------------------------------------------------------- LSOA files: against File 10


@pytest.fixture(scope="module")
def file10_2019(shared_dir) -> pd.DataFrame:
    frame = pd.read_csv(shared_dir / "data" / "iod2019_lad19_summaries_long.csv")
    return frame[frame["index_domain"] == "Index of Multiple Deprivation"].set_index("lad19_code")


@pytest.mark.parametrize("code", sorted(PLACES))
def test_iod2019_population_weighted_mean_score_equals_file10(iod2019, file10_2019, code):
    rows = iod2019[iod2019["place_code"] == code]
    weighted = (rows["imd_score"] * rows["population"]).sum() / rows["population"].sum()
    assert round(weighted, 3) == pytest.approx(file10_2019.loc[code, "average_score"], abs=1e-9)


@pytest.mark.parametrize("code", sorted(PLACES))
def test_iod2019_share_in_most_deprived_decile_equals_file10(iod2019, file10_2019, code):
    rows = iod2019[iod2019["place_code"] == code]
    share = (rows["imd_decile"] == 1).mean()
    assert abs(share - file10_2019.loc[code, "proportion_lsoas_most_deprived_10pc"]) < 0.00005


@pytest.mark.parametrize("code", sorted(PLACES))
def test_iod2025_share_in_most_deprived_decile_equals_file10(iod2025, shared_dir, code):
    file10 = pd.read_csv(shared_dir / "data" / "iod2025_lad24_summaries_long.csv")
    code_column = next(c for c in file10.columns if c.endswith("_code"))
    imd = file10[(file10[code_column] == code) & (file10["index_domain"] == "Index of Multiple Deprivation")]
    assert len(imd) == 1
    rows = iod2025[iod2025["place_code"] == code]
    share = (rows["imd_decile"] == 1).mean()
    assert abs(share - imd["proportion_lsoas_most_deprived_10pc"].iloc[0]) < 0.00005


def test_iod2025_icb_share_in_most_deprived_decile_equals_icb_summary(iod2025, shared_dir):
    # MHCLG's IoD2025 ICB summary: 20.11% of Cheshire and Merseyside LSOAs in decile 1.
    icb = pd.read_csv(shared_dir / "data" / "iod2025_icb24_summary_wide.csv").set_index("icb24_code")
    published = icb.loc["E54000008", "imd_proportion_of_lsoas_in_most_deprived_10_percent_nationally"]
    assert published == pytest.approx(0.2011)
    assert abs((iod2025["imd_decile"] == 1).mean() - published) < 0.00005


def test_iod2019_total_population_mid2015_equals_file6_sum(iod2019, shared_dir):
    source = pd.read_csv(shared_dir / "data" / "iod2019_lsoa11_england.csv")
    cm = source[source["lad19_code"].isin(PLACES)]
    assert iod2019["population"].sum() == cm["pop_total_mid2015"].sum()
    assert (iod2019["population_period"] == "mid-2015").all()


# ---------------------------------------------------------------- LSOA files: values copied exactly


@pytest.mark.parametrize("name,source,code_column", [
    ("lsoa_iod2019.csv", "iod2019_lsoa11_england.csv", "lsoa11_code"),
    ("lsoa_iod2025.csv", "iod2025_lsoa21_england.csv", "lsoa21_code"),
])
def test_every_deprivation_value_equals_the_source(shared_dir, name, source, code_column):
    embedded = read_text(DATA / name).set_index("lsoa_code")
    original = read_text(shared_dir / "data" / source).set_index(code_column).loc[embedded.index]
    compared = 0
    for column in embedded.columns:
        if column in original.columns and not column.endswith("_name"):
            left = [decimal.Decimal(v) for v in embedded[column]]
            right = [decimal.Decimal(v) for v in original[column]]
            assert left == right, column
            compared += 1
    assert compared >= 30
    assert list(embedded["lsoa_name"]) == list(original[code_column.replace("_code", "_name")])
    assert (embedded["imd_score"].map(decimal.Decimal) == original["imd_score"].map(decimal.Decimal)).all()


def test_numbers_have_no_float_noise_or_trailing_zeros():
    for name in ("lsoa_iod2019.csv", "lsoa_iod2025.csv", "areas.csv"):
        frame = read_text(DATA / name)
        for column in frame.columns:
            for text in frame[column]:
                if text and text.replace(".", "", 1).lstrip("-").isdigit():
                    if "." in text:
                        assert not text.endswith("0"), (name, column, text)
                        assert len(text.split(".")[1]) <= 6, (name, column, text)


# ---------------------------------------------------------------- LSOA 2025 population


def test_iod2025_population_only_for_unchanged_or_merged_lsoas(iod2025, shared_dir):
    lookup = read_text(shared_dir / "data" / "lookup_lsoa11_lsoa21_lad22.csv")
    change = lookup.drop_duplicates("lsoa21_code").set_index("lsoa21_code")["change_code"]
    codes = change.loc[iod2025["lsoa_code"]].to_numpy()
    has_pop = iod2025["population"].notna().to_numpy()
    assert (has_pop == ((codes == "U") | (codes == "M"))).all()
    periods = iod2025["population_period"].fillna("")
    assert set(periods[has_pop]) == {"mid-2020 (LSOA 2011 estimate)"}
    assert set(periods[~has_pop]) == {""}


def test_iod2025_population_accounts_for_the_published_mid2020_total(iod2025, shared_dir):
    # Rows with a population plus the LSOA11s that were split must give the ONS mid-2020
    # estimate for the nine places (2,503,902): nothing lost, nothing counted twice.
    data = shared_dir / "data"
    lookup = read_text(data / "lookup_lsoa11_lsoa21_lad22.csv")
    split11 = set(lookup.loc[lookup["lsoa21_code"].isin(iod2025["lsoa_code"]) & (lookup["change_code"] == "S"),
                             "lsoa11_code"])
    mye = pd.read_csv(data / "ons_mye2020_lsoa11_single_year_age_persons_england.csv",
                      usecols=["lsoa11_code", "all_ages"])
    split_pop = mye.loc[mye["lsoa11_code"].isin(split11), "all_ages"].sum()
    assert int(iod2025["population"].sum()) + int(split_pop) == 2_503_902
    places = pd.read_csv(data / "places_cheshire_merseyside.csv")
    assert places["pop_mid2020_ons"].sum() == 2_503_902


# ---------------------------------------------------------------- areas.csv


def test_areas_header_and_codes(areas):
    assert list(areas.columns) == ["code", "name", "type", "detail", "parents", "population",
                                   "population_period", "population_source"]
    assert areas["code"].is_unique
    expected = {"E92000001", "E12000002", "E54000008", "E47000004", "SR-CW", "SR-LCR"} | set(PLACES)
    assert set(areas["code"]) == expected
    assert set(areas["type"]) <= {"England", "region", "ICB", "sub-region", "combined authority",
                                  "local authority", "LSOA"}
    assert "LSOA" not in set(areas["type"])


def test_areas_parents_exist_and_follow_the_hierarchy(areas):
    parents = dict(zip(areas["code"], areas["parents"]))
    for code, text in parents.items():
        for parent in filter(None, text.split(";")):
            assert parent in parents, (code, parent)
    assert parents["E92000001"] == ""
    assert parents["E12000002"] == "E92000001"
    assert parents["E54000008"] == "E12000002"
    assert parents["E47000004"] == "E12000002"
    assert parents["SR-CW"] == "E54000008"
    assert parents["SR-LCR"] == "E54000008"
    for code in PLACES:
        chain = set(parents[code].split(";"))
        sub = "SR-LCR" if code in LCR else "SR-CW"
        assert chain == ({sub, "E54000008", "E12000002"} | ({"E47000004"} if code in LCR else set()))


def test_place_names_and_types_follow_the_spec(areas):
    rows = areas.set_index("code")
    for code, name in PLACES.items():
        assert rows.loc[code, "name"] == name
        assert rows.loc[code, "type"] == "local authority"
        assert rows.loc[code, "detail"] == ("unitary authority" if code.startswith("E06")
                                            else "metropolitan district")


def test_cheshire_and_merseyside_mid2023_total(areas):
    rows = areas.set_index("code")
    populations = rows["population"].map(lambda v: int(v) if v else None)
    assert sum(populations[c] for c in PLACES) == 2_576_057
    assert populations["E54000008"] == 2_576_057
    assert populations["SR-CW"] + populations["SR-LCR"] == 2_576_057
    assert populations["E47000004"] == populations["SR-LCR"]
    assert set(rows["population_period"]) == {"mid-2023"}


def test_place_populations_equal_fingertips_92708(areas, shared_dir):
    mye = read_text(shared_dir / "data" / "ons_mye_nw_lad_sex_5yr_age_2018_2023_fingertips92708.csv")
    sel = mye[(mye["mid_year"] == "2023") & (mye["sex"] == "Persons") & (mye["age_band"] == "All ages")]
    published = dict(zip(sel["area_code"], sel["population"]))
    rows = areas.set_index("code")
    for code in list(PLACES) + ["E92000001"]:
        assert rows.loc[code, "population"] == published[code]
    # The North West total is the sum of its districts: the same as the sum of its upper tiers.
    upper = sel[(sel["area_type"] == "Counties and Unitary Authorities")]
    assert int(rows.loc["E12000002", "population"]) == upper["population"].astype(int).sum()


# ---------------------------------------------------------------- framework file

POLARITY = {"H": "higher is better", "L": "lower is better", "N": "no judgement"}
# From the programme papers (framework.md section 3): number -> (theme, polarity, status).
BEACON = {
    1: ("LE", "H", "live"), 2: ("LE", "H", "live"), 3: ("T1", "H", "live"), 4: ("T1", "H", "live"),
    5: ("T2", "H", "live"), 6: ("T2", "H", "live"), 7: ("T2", "L", "live"), 8: ("T2", "L", "live"),
    9: ("T2", "H", "live"), 10: ("T3", "L", "live"), 11: ("T3", "N", "live"), 12: ("T3", "H", "anchor"),
    13: ("T3", "L", "live"), 14: ("T4", "L", "live"), 15: ("T4", "L", "discontinued"),
    16: ("T4", "L", "live"), 17: ("T5", "L", "live"), 18: ("T6", "H", "live"), 19: ("T6", "L", "live"),
    20: ("T7", "N", "anchor"), 21: ("T8", "H", "anchor"), 22: ("T8", "H", "live"),
}
# Fingertips IDs marked confirmed in fingertips-format.md section 6.
CONFIRMED_IDS = {90366, 90362, 90631, 90813, 93203, 93014}


def read_sections(path: pathlib.Path) -> dict[str, list[dict[str, str]]]:
    text = path.read_text(encoding="utf-8")
    assert text.split("\n", 1)[0] == "#fairer-framework,1"
    sections: dict[str, list[dict[str, str]]] = {}
    current = None
    header = None
    for record in csv.reader(io.StringIO(text)):
        if not record or record[0].startswith("#"):
            continue
        if len(record) == 1 and record[0].startswith("["):
            current, header = record[0], None
            sections[current] = []
            continue
        if header is None:
            header = record
            continue
        assert len(record) == len(header), record
        sections[current].append(dict(zip(header, record)))
    return sections


@pytest.fixture(scope="module")
def framework():
    return read_sections(DATA / "all_together_fairer.framework")


def test_framework_sections_and_fields(framework):
    assert set(framework) == {"[framework]", "[themes]", "[recommendations]", "[indicators]"}
    fields = {r["field"]: r["value"] for r in framework["[framework]"]}
    assert fields["key"] == "all-together-fairer"
    assert fields["name"] == "All Together Fairer"
    assert fields["region"] == "Cheshire and Merseyside"
    assert fields["baseline_period"] == "2022"
    assert set(fields) == {"key", "name", "region", "version", "baseline_period", "source", "licence"}
    themes = {r["key"]: r for r in framework["[themes]"]}
    assert list(themes) == ["LE"] + [f"T{i}" for i in range(1, 9)]
    assert themes["LE"]["marmot_principle"] == "no"
    assert all(themes[f"T{i}"]["marmot_principle"] == "yes" for i in range(1, 9))
    assert [r["key"] for r in framework["[recommendations]"]] == [f"R{i}" for i in range(1, 8)]


def test_framework_indicators_match_the_programme_papers(framework):
    indicators = framework["[indicators]"]
    assert [r["key"] for r in indicators] == [f"B{i:02d}" for i in range(1, 23)]
    for row in indicators:
        number = int(row["number"])
        theme, polarity, status = BEACON[number]
        assert row["key"] == f"B{number:02d}"
        assert (row["theme"], row["polarity"], row["status"]) == (theme, POLARITY[polarity], status), number
        assert row["sexes"] == ("Female;Male" if number in (1, 2) else "Persons"), number
        assert row["recommendations"] == ("R6" if status == "anchor" else ""), number
        assert row["definition"] and row["source"], number


def test_framework_enumerations_and_fingertips_ids(framework):
    value_types = {"proportion", "crude rate", "directly standardised rate", "indirectly standardised ratio",
                   "life expectancy", "mean", "score", "count", "other"}
    ci_methods = {"wilson", "byar", "exact poisson", "dobson", "student t", "chiang", "published", "none"}
    period_types = {"calendar year", "financial year", "academic year", "3-year pooled calendar",
                    "3-year pooled financial", "calendar quarter", "financial quarter", "other"}
    for row in framework["[indicators]"]:
        assert row["value_type"] in value_types
        assert row["ci_method"] in ci_methods
        assert row["period_type"] in period_types
        assert float(row["multiplier"]) > 0
        if row["value_type"] == "proportion":
            assert row["unit"] == "%" and row["multiplier"] == "100"
        if row["value_type"] == "life expectancy":
            assert row["unit"] == "years" and row["multiplier"] == "1"
        if row["disclosure_threshold"]:
            assert int(row["disclosure_threshold"]) >= 0
        if row["fingertips_id"]:
            fid = int(row["fingertips_id"])
            assert row["fingertips_id_status"] == ("confirmed" if fid in CONFIRMED_IDS else "unverified")
        else:
            assert row["fingertips_id_status"] == ""
    ids = {r["key"]: r["fingertips_id"] for r in framework["[indicators]"]}
    assert ids["B01"] == "90366" and ids["B02"] == "90362" and ids["B04"] == "90631"
    assert ids["B08"] == "93203" and ids["B18"] == "93014"


# ---------------------------------------------------------------- the build script


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-10**6, max_value=10**6))
def test_canonical_number_keeps_the_value_exactly(build_module, value):
    text = format(value, "f")
    out = build_module.canonical_number(text, "test")
    assert decimal.Decimal(out) == decimal.Decimal(text)
    assert not ("." in out and out.endswith("0"))
    assert not out.endswith(".")


@pytest.mark.parametrize("text,expected", [("0.010", "0.01"), ("7.0", "7"), ("-0.000", "0"),
                                           ("0042", "42"), ("-1.250", "-1.25"), ("", "")])
def test_canonical_number_examples(build_module, text, expected):
    assert build_module.canonical_number(text, "test") == expected


@pytest.mark.parametrize("text", ["1e-3", "1,000", "abc", " 1", "."])
def test_canonical_number_rejects_non_decimal_text(build_module, text):
    with pytest.raises(build_module.BuildError, match="test"):
        build_module.canonical_number(text, "test")


def test_build_reproduces_the_committed_files(shared_dir, tmp_path):
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--shared", str(shared_dir), "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    names = ["areas.csv", "lsoa_iod2019.csv", "lsoa_iod2025.csv"]
    if OBSERVATIONS_MODULE.is_file():
        names += ["observations.csv", "SOURCES.md"]
    for name in names:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    assert (tmp_path / "SOURCES.md").is_file()


def test_build_fails_cleanly_without_the_shared_data(tmp_path):
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--shared", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    assert "missing source file" in result.stderr
