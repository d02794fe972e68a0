"""Checks of python/fairer/data/observations.csv against the raw files in /work/shared/data.

Expected values are read straight from the raw source files (or quoted from the
framework spec and the data README), never from the module under test.
"""

import csv
import importlib.util
import math
import pathlib
import re
import shutil
import subprocess
from decimal import Decimal

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "python" / "scripts" / "default_data_observations.py"
COMMITTED = ROOT / "python" / "fairer" / "data" / "observations.csv"

NINE = {"E06000049", "E06000050", "E06000007", "E06000006", "E08000011",
        "E08000012", "E08000014", "E08000013", "E08000015"}
ENGLAND, NORTH_WEST = "E92000001", "E12000002"
ALL_AREAS = NINE | {ENGLAND, NORTH_WEST}
HEADER = ("indicator_id,area_code,period,sex,age,category_type,category,value,lower_ci95,upper_ci95,"
          "lower_ci99_8,upper_ci99_8,count,denominator,value_note,flags").split(",")
NUMERIC = ("value", "lower_ci95", "upper_ci95", "lower_ci99_8", "upper_ci99_8", "count", "denominator")
KEY = ("indicator_id", "area_code", "period", "sex", "age", "category_type", "category")
PERIOD = re.compile(r"^\d{4}$|^\d{4}/\d{2}$|^\d{4} - \d{2}$|^\d{4}/\d{2} Q[1-4]$")


def load_module():
    spec = importlib.util.spec_from_file_location("default_data_observations", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def obs():
    if not COMMITTED.is_file():
        pytest.fail(f"{COMMITTED} is missing: run python/scripts/default_data_observations.py")
    return read(COMMITTED)


@pytest.fixture(scope="module")
def index(obs):
    return {tuple(r[k] for k in KEY): r for r in obs}


def headline(index, indicator, area, period, sex="Persons", age=None):
    hits = [r for k, r in index.items()
            if k[:4] == (indicator, area, period, sex) and k[5] == "" and (age is None or k[4] == age)]
    assert len(hits) == 1, (indicator, area, period, sex, hits)
    return hits[0]


# ---------------------------------------------------------------- structure


def test_header_and_line_ends():
    data = COMMITTED.read_bytes()
    assert b"\r" not in data
    assert data.endswith(b"\n")
    assert data.decode("utf-8").split("\n", 1)[0] == ",".join(HEADER)


def test_keys_unique(obs):
    keys = [tuple(r[k] for k in KEY) for r in obs]
    assert len(keys) == len(set(keys))


def test_areas_indicators_sexes_periods(obs):
    assert {r["area_code"] for r in obs} <= ALL_AREAS
    assert {r["indicator_id"] for r in obs} <= {f"B{n:02d}" for n in range(1, 23)}
    assert {r["sex"] for r in obs} <= {"Persons", "Male", "Female"}
    bad = [r["period"] for r in obs if not PERIOD.match(r["period"])]
    assert not bad
    allowed = {"suppressed_disclosure", "suppressed_reliability", "estimated", "provisional", "break_in_series"}
    for r in obs:
        assert set(filter(None, r["flags"].split(";"))) <= allowed
        assert (r["category_type"] == "") == (r["category"] == "")


def test_no_data_indicators_have_no_rows(obs):
    # The README's coverage table: these Beacon indicators are not held anywhere in /work/shared/data.
    assert not {r["indicator_id"] for r in obs} & {"B03", "B06", "B09", "B11", "B12", "B14", "B15", "B20", "B21"}


def test_limits_bracket_value(obs):
    checked = 0
    for r in obs:
        if r["lower_ci95"] and r["upper_ci95"]:
            assert float(r["lower_ci95"]) <= float(r["value"]) <= float(r["upper_ci95"]), r
            checked += 1
    assert checked > 400


def test_count_within_denominator(obs):
    pairs = [(float(r["count"]), float(r["denominator"])) for r in obs if r["count"] and r["denominator"]]
    assert len(pairs) == 77  # 11 areas x 7 EYFSP years
    assert all(0 <= c <= d for c, d in pairs)


def test_missing_is_blank_never_zero(obs):
    for r in obs:
        if r["value"] == "":
            assert r["value_note"], r
    # Progress 8 was not published for 2019/20 and 2020/21 (COVID-19): blank, not 0.
    for r in obs:
        if r["indicator_id"] == "B05" and r["period"] in ("2019/20", "2020/21"):
            assert r["value"] == ""


def test_sorted(obs):
    def period_key(p):
        m = re.match(r"^(\d{4})(?:/(\d{2}))?(?: - (\d{2}))?(?: Q(\d))?$", p)
        start = int(m.group(1))
        return start, int(m.group(4) or 0)
    keys = [(int(r["indicator_id"][1:]), r["area_code"], period_key(r["period"]),
             {"Persons": 0, "Male": 1, "Female": 2}[r["sex"]]) for r in obs]
    assert keys == sorted(keys)


def test_numbers_are_shortest_python(obs):
    for r in obs:
        for col in NUMERIC:
            text = r[col]
            if text:
                x = float(text)
                assert math.isfinite(x)
                assert len(text) <= len(repr(x)), (col, text)


def test_numbers_match_cpp_formatter(obs, tmp_path):
    """Every number is written exactly as fairer::detail::format_double would write it."""
    compiler = shutil.which("g++")
    if compiler is None:
        pytest.skip("g++ not available")
    src = tmp_path / "fmt.cpp"
    src.write_text('#include <iostream>\n#include <string>\n#include "fairer/detail/csv.hpp"\n'
                   "int main() { std::string l; while (std::getline(std::cin, l)) "
                   "std::cout << fairer::detail::format_double(std::stod(l)) << '\\n'; }\n")
    exe = tmp_path / "fmt"
    subprocess.run([compiler, "-std=c++17", "-O0", f"-I{ROOT / 'include'}", str(src), "-o", str(exe)], check=True)
    texts = [r[c] for r in obs for c in NUMERIC if r[c]]
    out = subprocess.run([str(exe)], input="\n".join(texts) + "\n", capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:-1] == texts


def test_format_number_cases():
    fmt = load_module().format_number
    # shortest round-trip digits, plain decimal for 1e-6 <= |x| < 1e16, scientific otherwise.
    assert fmt(7.0) == "7"
    assert fmt(79.4) == "79.4"
    assert fmt(-0.03) == "-0.03"
    assert fmt(100000.0) == "100000"
    assert fmt(1200000.0) == "1200000"
    assert fmt(0.0001) == "0.0001"
    assert fmt(1e-7) == "1e-07"
    assert fmt(1e20) == "1e+20"
    assert fmt(0.001) == "0.001"
    assert fmt(0.0) == "0"
    assert fmt(float("nan")) == ""
    assert fmt(100 - 79.4) == "20.599999999999994"


def test_reproducible(shared_dir, tmp_path):
    module = load_module()
    records = module.build_observations(shared_dir, tmp_path)
    assert (tmp_path / "observations.csv").read_bytes() == COMMITTED.read_bytes()
    files = {r["file"] for r in records}
    for name in files:
        assert (shared_dir / "data" / name).is_file()
    for rec in records:
        assert set(rec) == {"file", "publisher", "title", "licence", "period", "indicators", "notes"}
        assert rec["indicators"] and rec["notes"] and rec["licence"]
    obs_keys = {r["indicator_id"] for r in read(COMMITTED)}
    assert set().union(*(set(r["indicators"]) for r in records)) == obs_keys


# ---------------------------------------------------------------- spot checks against raw files


def test_gld_liverpool_and_england(index, shared_dir):
    liv = headline(index, "B04", "E08000012", "2018/19")
    assert (liv["count"], liv["denominator"], liv["value"]) == ("3524", "5427", "64.9")
    assert round(3524 / 5427 * 100, 1) == 64.9
    assert headline(index, "B04", ENGLAND, "2018/19")["value"] == "71.8"
    raw = read(shared_dir / "data" / "dfe_eyfsp_good_level_of_development_la_2013_2019.csv")
    n = 0
    for r in raw:
        if r["la_code"] in ALL_AREAS and r["gender"] == "Total":
            o = headline(index, "B04", r["la_code"], r["academic_year"])
            assert float(o["value"]) == float(r["gld_percent"])
            assert int(o["count"]) == int(r["gld_number"])
            assert int(o["denominator"]) == int(r["number_of_children"])
            n += 1
    assert n == 77


def test_cycling_framework_quotes(index, shared_dir):
    # framework.md: Warrington 4.13%, England 2.33% = year to mid-November 2020.
    war = headline(index, "B22", "E06000007", "2019/20")
    eng = headline(index, "B22", ENGLAND, "2019/20")
    assert round(float(war["value"]), 2) == 4.13
    assert round(float(eng["value"]), 2) == 2.33
    # README: Liverpool 2021 = 2.25%.
    assert round(float(headline(index, "B22", "E08000012", "2020/21")["value"]), 2) == 2.25
    raw = read(shared_dir / "data" / "dft_cw0302_cycling_by_purpose_frequency_la_2016_2021.csv")
    n = 0
    for r in raw:
        if (r["area_code"] in ALL_AREAS and r["purpose"] == "Travel"
                and r["frequency"] == "At least 3 times per week"):
            y = int(r["year_to_mid_november"])
            o = headline(index, "B22", r["area_code"], f"{y - 1}/{y % 100:02d}")
            assert float(o["value"]) == float(r["percent_adults"])
            n += 1
    assert n == 66


def test_life_expectancy_matches_trafford(index, shared_dir):
    raw = read(shared_dir / "data" / "la_indicators_trafford_datalab_long.csv")
    n = 0
    for r in raw:
        if r["source_indicator_id"] == "FT:90366" and r["area_code"] in ALL_AREAS:
            assert float(headline(index, "B01", r["area_code"], r["period"], r["sex"])["value"]) == float(r["value"])
            n += 1
    assert n == 180
    assert sum(1 for k in index if k[0] == "B01") == n


def test_healthy_life_expectancy_prefers_els(index, shared_dir):
    raw = read(shared_dir / "data" / "ons_explore_local_statistics_selected_england.csv")
    els = {}
    for r in raw:
        if r["dataset"] == "healthy-life-expectancy" and r["area_code"] in ALL_AREAS:
            els[(r["area_code"], r["period"], r["indicator"].split()[0])] = r
    for (area, period, sex), r in els.items():
        o = headline(index, "B02", area, period, sex)
        assert float(o["value"]) == float(r["value"])
        assert float(o["lower_ci95"]) == float(r["lower_ci95"])
        assert float(o["upper_ci95"]) == float(r["upper_ci95"])
    traf = [r for r in read(shared_dir / "data" / "la_indicators_trafford_datalab_long.csv")
            if r["source_indicator_id"] == "FT:90362" and r["area_code"] in ALL_AREAS]
    fallback = [r for r in traf if (r["area_code"], r["period"], r["sex"]) not in els]
    assert {r["period"] for r in fallback} == {"2009 - 11", "2010 - 12"}
    for r in fallback:
        o = headline(index, "B02", r["area_code"], r["period"], r["sex"])
        assert float(o["value"]) == float(r["value"]) and o["lower_ci95"] == ""
    assert sum(1 for k in index if k[0] == "B02") == len(els) + len(fallback)
    # Liverpool 2011 - 13 follows an older-release period: marked as a break.
    assert "break_in_series" in headline(index, "B02", "E08000012", "2011 - 13", "Female")["flags"]


def test_unemployment_matches_els(index, shared_dir):
    raw = read(shared_dir / "data" / "ons_explore_local_statistics_selected_england.csv")
    seen = set()
    for r in raw:
        if r["dataset"] == "modelled-unemployment" and r["area_code"] in ALL_AREAS:
            o = headline(index, "B10", r["area_code"], r["period"], age="16+ yrs")
            assert float(o["value"]) == float(r["value"])
            for col in ("lower_ci95", "upper_ci95"):
                if r[col] == "":
                    assert o[col] == ""
                else:
                    assert float(o[col]) == float(r[col])
            seen.add((r["area_code"], r["period"]))
    assert len(seen) == 220
    assert headline(index, "B10", "E08000012", "2023")["value"] == "7"


def test_real_living_wage_complement(index, shared_dir):
    raw = read(shared_dir / "data" / "la_indicators_trafford_datalab_long.csv")
    n = 0
    for r in raw:
        if r["source_indicator_id"] == "ONS:ASHE-living-wage" and r["area_code"] in ALL_AREAS:
            o = headline(index, "B13", r["area_code"], r["period"])
            assert Decimal(o["value"]) + Decimal(r["value"]) == 100
            assert "100 minus" in o["value_note"] and o["flags"] == ""
            n += 1
    assert n == 40
    assert headline(index, "B13", "E06000007", "2017")["value"] == "20.6"  # 100 - 79.4


def test_fuel_poverty(index, shared_dir):
    raw = read(shared_dir / "data" / "desnz_fuel_poverty_lad19_2010_2019.csv")
    n = 0
    for r in raw:
        if r["lad19_code"] in NINE:
            o = headline(index, "B16", r["lad19_code"], r["year"])
            assert float(o["value"]) == float(r["pct_households_fuel_poor"])
            assert ("break_in_series" in o["flags"]) == (r["year"] in ("2012", "2019"))
            n += 1
    assert n == 90
    # Trafford copy (LILEE) fills 2020-2023 for Halton, Warrington, CWaC and England 2014-2023.
    assert headline(index, "B16", "E06000006", "2023")["value"] == "10.7"
    assert headline(index, "B16", ENGLAND, "2019")["value"] == "13.4"
    assert "break_in_series" in headline(index, "B16", ENGLAND, "2019")["flags"]
    assert "2020" not in {k[2] for k in index if k[0] == "B16" and k[1] == "E08000012"}


def test_temporary_accommodation(index, shared_dir):
    raw = read(shared_dir / "data" / "mhclg_homelessness_temporary_accommodation_lad23_2023q4.csv")
    n = 0
    for r in raw:
        if r["lad23_code"] in NINE:
            o = headline(index, "B17", r["lad23_code"], "2023/24 Q3")
            assert float(o["value"]) == float(r["households_in_temporary_accommodation_per_1000"])
            n += 1
    assert n == 9


def test_self_harm_proxy_age_band(obs):
    rows = [r for r in obs if r["indicator_id"] == "B07"]
    assert len(rows) == 70
    assert {r["age"] for r in rows} == {"10-24 yrs"}
    assert all("proxy" in r["value_note"] for r in rows)


def test_neet_and_activity(index, shared_dir):
    raw = read(shared_dir / "data" / "la_indicators_trafford_datalab_long.csv")
    for sid, key in (("FT:93203", "B08"), ("FT:93014", "B18")):
        rows = [r for r in raw if r["source_indicator_id"] == sid and r["area_code"] in ALL_AREAS]
        assert rows
        for r in rows:
            assert float(headline(index, key, r["area_code"], r["period"])["value"]) == float(r["value"])
    assert headline(index, "B08", "E08000012", "2017", age="16-17 yrs")["value"] == "12.7"


def test_loneliness_second_method(index, shared_dir):
    """Recompute the B19 weighted means with pandas floats (a second implementation)."""
    pd = pytest.importorskip("pandas")
    data = shared_dir / "data"
    lonely = pd.read_csv(data / "dcms_cls_loneliness_lsoa21_2020_21.csv")
    pop = pd.read_csv(data / "ons_mye2020_lsoa11_single_year_age_persons_england.csv")
    pop["adults"] = pop["all_ages"] - pop[[f"age_{a}" for a in range(16)]].sum(axis=1)
    lk = pd.read_csv(data / "lookup_lsoa11_lsoa21_lad22.csv")
    lk = lk[lk["lsoa11_code"].str.startswith("E")]
    lk = lk.merge(pop[["lsoa11_code", "adults"]], on="lsoa11_code", how="left")
    assert lk["adults"].notna().all()
    lk["share"] = lk["adults"] / lk.groupby("lsoa11_code")["lsoa21_code"].transform("size")
    w = lk.groupby("lsoa21_code")["share"].sum().rename("w")
    df = lonely.merge(w, left_on="lsoa21_code", right_index=True, how="left")
    assert df["w"].notna().all()
    col = "pct_lonely_often_always_or_some_of_the_time"
    regions = pd.read_csv(data / "lookup_lad24_region_cauth_icb.csv").set_index("lad24_code")["region_code"]
    df["region"] = df["lad24_code"].map(regions)
    groups = {ENGLAND: df, NORTH_WEST: df[df["region"] == NORTH_WEST]}
    groups.update({code: df[df["lad24_code"] == code] for code in NINE})
    for area, g in groups.items():
        expected = (g[col] * g["w"]).sum() / g["w"].sum()
        o = headline(index, "B19", area, "2020/21")
        assert float(o["value"]) == pytest.approx(expected, rel=1e-12)
        assert g[col].min() <= float(o["value"]) <= g[col].max()
        assert o["flags"] == "estimated"
        assert f"mean of {len(g)} " in o["value_note"]


def test_free_school_meal_category_rows(index):
    o = index[("B04", "E06000049", "2024/25", "Persons", "5 yrs", "Free school meal status",
               "Eligible for free school meals")]
    assert o["value"] == "42.6"
    assert "break_in_series" in headline(index, "B04", "E06000049", "2021/22")["flags"]


def test_ages_follow_framework(obs):
    """Age text is the framework's, except the documented different bands (B07 proxy, B10 16+)."""
    path = ROOT / "python" / "fairer" / "data" / "all_together_fairer.framework"
    if not path.is_file():
        pytest.skip("framework file not built yet")
    with open(path, newline="", encoding="utf-8") as fh:
        records = list(csv.reader(fh))
    start = records.index(["[indicators]"])
    header = records[start + 1]
    ages = {}
    for rec in records[start + 2:]:
        if not rec or rec[0].startswith("#"):
            continue
        if rec[0].startswith("["):
            break
        ages[rec[header.index("key")]] = rec[header.index("age")]
    exceptions = {"B07": "10-24 yrs", "B10": "16+ yrs"}
    for r in obs:
        assert r["age"] == exceptions.get(r["indicator_id"], ages[r["indicator_id"]]), r
