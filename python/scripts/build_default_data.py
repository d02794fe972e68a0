"""Build the embedded default dataset of ``fairer`` from the public data in ``../shared/data``.

Writes, into ``--out`` (default ``python/fairer/data``):

* ``areas.csv``: England, North West, the NHS Cheshire and Merseyside ICB, the Liverpool City
  Region Combined Authority, the two programme sub-regions and the nine places, with ONS
  mid-2023 populations (OHID Fingertips indicator 92708);
* ``lsoa_iod2019.csv``: English Indices of Deprivation 2019 for the Cheshire and Merseyside
  LSOAs (2011 boundaries), with the IoD2019 mid-2015 population denominator;
* ``lsoa_iod2025.csv``: English Indices of Deprivation 2025 for the Cheshire and Merseyside
  LSOAs (2021 boundaries), with an ONS mid-2020 population carried over from LSOA 2011 where
  the boundary change allows it exactly (unchanged or merged LSOAs);
* ``observations.csv``, through ``default_data_observations.build_observations`` when that
  module sits next to this script;
* ``SOURCES.md``: provenance and licence of every embedded file.

The framework file ``all_together_fairer.framework`` is curated by hand and only described here.

The output is deterministic: rows are sorted by code, numbers are copied from the source text
(trailing zeros of decimals removed, which changes no value) or are integer sums, and no date or
environment detail is written. Only the standard library and pandas are used.

Usage::

    python python/scripts/build_default_data.py [--shared ../shared] [--out python/fairer/data]
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import pathlib
import re
import sys
from typing import Iterable

import pandas as pd

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT_DIR = pathlib.Path(__file__).resolve().parent

ENGLAND = "E92000001"
NORTH_WEST = "E12000002"
ICB = "E54000008"
LCR_CA = "E47000004"
SUB_REGIONS = {
    "Cheshire and Warrington": "SR-CW",
    "Liverpool City Region": "SR-LCR",
}

PLACES_FILE = "places_cheshire_merseyside.csv"
LAD_LOOKUP_FILE = "lookup_lad24_region_cauth_icb.csv"
MYE_FINGERTIPS_FILE = "ons_mye_nw_lad_sex_5yr_age_2018_2023_fingertips92708.csv"
IOD2019_FILE = "iod2019_lsoa11_england.csv"
IOD2025_FILE = "iod2025_lsoa21_england.csv"
MYE2020_LSOA_FILE = "ons_mye2020_lsoa11_single_year_age_persons_england.csv"
LSOA11_LSOA21_FILE = "lookup_lsoa11_lsoa21_lad22.csv"

OGL = (
    "Open Government Licence v3.0. Attribution: \"Contains public sector information licensed "
    "under the Open Government Licence v3.0.\""
)

LEADING_COLUMNS = [
    "lsoa_code",
    "lsoa_name",
    "place_code",
    "imd_score",
    "imd_rank",
    "imd_decile",
    "population",
    "population_period",
]

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class BuildError(RuntimeError):
    """A source file does not have the content this build relies on."""


def canonical_number(text: str, where: str) -> str:
    """Shortest decimal text with exactly the value of ``text`` (blank stays blank).

    Works on the digits, never through a float, so no rounding can happen: ``0.010`` becomes
    ``0.01``, ``7.0`` becomes ``7``, ``-0.0`` becomes ``0``.
    """
    if text == "":
        return ""
    if not _NUMBER.fullmatch(text):
        raise BuildError(f"{where}: {text!r} is not a plain decimal number")
    negative = text.startswith("-")
    digits = text.lstrip("-")
    whole, _, fraction = digits.partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    out = whole + ("." + fraction if fraction else "")
    if negative and out != "0":
        out = "-" + out
    return out


def read_text_csv(path: pathlib.Path) -> pd.DataFrame:
    """Read a CSV keeping every cell as its original text (blank cells as "")."""
    if not path.is_file():
        raise BuildError(f"missing source file {path}")
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    """RFC 4180 text with ``\\n`` line ends, quoting only fields that need it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def write_text(path: pathlib.Path, text: str) -> None:
    """Write UTF-8 text byte for byte (no newline translation, so output is the same on every OS)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def read_places(shared: pathlib.Path) -> pd.DataFrame:
    """The nine places, checked against the LAD24 lookup and the Fingertips 92708 populations."""
    data = shared / "data"
    places = read_text_csv(data / PLACES_FILE)
    if len(places) != 9 or places["lad_code"].duplicated().any():
        raise BuildError(f"{PLACES_FILE}: expected 9 distinct places, found {len(places)} rows")
    lookup = read_text_csv(data / LAD_LOOKUP_FILE).set_index("lad24_code")
    for place in places.itertuples():
        if place.lad_code not in lookup.index:
            raise BuildError(f"{PLACES_FILE}: {place.lad_code} is not in {LAD_LOOKUP_FILE}")
        row = lookup.loc[place.lad_code]
        checks = {
            "lad_name": row["lad24_name"],
            "region_code": row["region_code"],
            "cauth23_code": row["cauth23_code"],
            "icb24_code": row["icb24_code"],
        }
        for column, expected in checks.items():
            if getattr(place, column) != expected:
                raise BuildError(
                    f"{PLACES_FILE}: {place.lad_code} {column}={getattr(place, column)!r} "
                    f"but {LAD_LOOKUP_FILE} has {expected!r}"
                )
        if place.icb24_code != ICB or place.region_code != NORTH_WEST:
            raise BuildError(f"{PLACES_FILE}: {place.lad_code} is not in {ICB} / {NORTH_WEST}")
        if place.sub_region not in SUB_REGIONS:
            raise BuildError(f"{PLACES_FILE}: {place.lad_code} has unknown sub_region {place.sub_region!r}")
        if (place.sub_region == "Liverpool City Region") != (place.cauth23_code == LCR_CA):
            raise BuildError(f"{PLACES_FILE}: {place.lad_code} sub-region and combined authority disagree")
    return places.sort_values("lad_code", kind="mergesort").reset_index(drop=True)


def mid2023_persons(shared: pathlib.Path) -> dict[str, int]:
    """ONS mid-2023 persons, all ages, by area code, as republished in Fingertips 92708."""
    path = shared / "data" / MYE_FINGERTIPS_FILE
    if not path.is_file():
        return {}
    mye = read_text_csv(path)
    sel = mye[(mye["mid_year"] == "2023") & (mye["sex"] == "Persons") & (mye["age_band"] == "All ages")]
    if sel["area_code"].duplicated().any():
        raise BuildError(f"{MYE_FINGERTIPS_FILE}: duplicated 2023 persons all-ages rows")
    return {code: int(value) for code, value in zip(sel["area_code"], sel["population"])}


def build_areas(shared: pathlib.Path) -> tuple[str, dict]:
    """Text of ``areas.csv`` and its source record."""
    places = read_places(shared)
    fingertips = mid2023_persons(shared)
    pop = {}
    for place in places.itertuples():
        value = int(place.pop_mid2023_ons_via_fingertips92708)
        if fingertips and fingertips.get(place.lad_code) != value:
            raise BuildError(
                f"{PLACES_FILE}: {place.lad_code} mid-2023 population {value} differs from "
                f"{MYE_FINGERTIPS_FILE} ({fingertips.get(place.lad_code)})"
            )
        pop[place.lad_code] = value

    place_source = "ONS mid-year estimate, via OHID Fingertips indicator 92708"
    sum_source = "sum of the places' ONS mid-2023 estimates (via OHID Fingertips indicator 92708)"
    rows: list[list[str]] = []

    england = fingertips.get(ENGLAND)
    rows.append([ENGLAND, "England", "England", "", "",
                 "" if england is None else str(england),
                 "" if england is None else "mid-2023",
                 "" if england is None else place_source])

    # The 92708 extract has no region row but holds every North West LAD24; the region total is
    # their sum, provided none is missing (Lancashire county is skipped: its districts are there).
    lookup = read_text_csv(shared / "data" / LAD_LOOKUP_FILE)
    nw_lads = sorted(lookup.loc[lookup["region_code"] == NORTH_WEST, "lad24_code"])
    north_west = None
    if fingertips and all(code in fingertips for code in nw_lads):
        north_west = sum(fingertips[code] for code in nw_lads)
    rows.append([NORTH_WEST, "North West", "region", "", ENGLAND,
                 "" if north_west is None else str(north_west),
                 "" if north_west is None else "mid-2023",
                 "" if north_west is None else
                 f"sum of the {len(nw_lads)} North West local authority districts (April 2024 "
                 "boundaries) in the ONS mid-year estimates via OHID Fingertips indicator 92708"])

    icb_name = places["icb24_name"].iloc[0]
    rows.append([ICB, icb_name, "ICB", "integrated care board", NORTH_WEST,
                 str(sum(pop.values())), "mid-2023", sum_source])

    lcr = places[places["cauth23_code"] == LCR_CA]
    rows.append([LCR_CA, "Liverpool City Region Combined Authority", "combined authority",
                 "mayoral combined authority", NORTH_WEST,
                 str(sum(pop[c] for c in lcr["lad_code"])), "mid-2023", sum_source])

    for sub_name, sub_code in sorted(SUB_REGIONS.items(), key=lambda item: item[1]):
        members = places[places["sub_region"] == sub_name]
        detail = ("programme sub-region (same places as the combined authority)"
                  if sub_code == "SR-LCR" else "programme sub-region (no combined authority)")
        rows.append([sub_code, sub_name, "sub-region", detail, ICB,
                     str(sum(pop[c] for c in members["lad_code"])), "mid-2023", sum_source])

    for place in places.itertuples():
        parents = [SUB_REGIONS[place.sub_region]]
        if place.cauth23_code == LCR_CA:
            parents.append(LCR_CA)
        parents += [ICB, NORTH_WEST]
        rows.append([place.lad_code, place.lad_name, "local authority", place.lad_type.lower(),
                     ";".join(parents), str(pop[place.lad_code]), "mid-2023", place_source])

    header = ["code", "name", "type", "detail", "parents", "population", "population_period",
              "population_source"]
    record = {
        "file": "areas.csv",
        "sources": [PLACES_FILE, LAD_LOOKUP_FILE, MYE_FINGERTIPS_FILE],
        "publisher": "Office for National Statistics (Open Geography Portal; mid-year population "
                     "estimates), republished by the Office for Health Improvement and Disparities "
                     "(Fingertips); NHS England (ICB boundaries)",
        "title": "Local authority district to region, combined authority and ICB lookups (April "
                 "2024 / 2023); mid-year population estimates, mid-2023 (Fingertips indicator 92708)",
        "licence": OGL,
        "period": "geography April 2024 (combined authorities 2023); populations mid-2023",
        "derivation": (
            "England, the North West region, the ICB, the Liverpool City Region Combined Authority, "
            "the two programme sub-regions (Cheshire and Warrington SR-CW, Liverpool City Region "
            "SR-LCR: the programme's own grouping, not an ONS geography) and the nine places with "
            "their GSS codes and ONS names (\"St. Helens\" as ONS spells it). Place populations are "
            "ONS mid-2023 persons, all ages, as republished by Fingertips 92708, taken from "
            f"`{PLACES_FILE}` and checked equal to `{MYE_FINGERTIPS_FILE}`. ICB, combined "
            "authority and sub-region populations are sums of their places. England is the 92708 "
            "England row. The North West has no row in that extract; its population is the sum of "
            "the North West local authority districts listed in "
            f"`{LAD_LOOKUP_FILE}`, all of which are present (Lancashire county excluded because "
            "its districts are included). Parents: places -> sub-region, combined authority (six "
            "Liverpool City Region places), ICB, region; sub-regions -> ICB; ICB and combined "
            "authority -> region; region -> England. LSOAs are not listed here."
        ),
    }
    return csv_text(header, rows), record


def _domain_columns(columns: Iterable[str], skip: set[str]) -> list[str]:
    return [c for c in columns if c not in skip and not c.startswith("pop_")]


def _numeric_rows(frame: pd.DataFrame, columns: list[str], numeric: set[str], file: str) -> list[list[str]]:
    rows = []
    for record in frame[columns].itertuples(index=False):
        row = []
        for column, value in zip(columns, record):
            if column in numeric:
                value = canonical_number(value, f"{file} {record[0]} {column}")
            row.append(value)
        rows.append(row)
    return rows


def build_iod2019(shared: pathlib.Path, place_codes: list[str]) -> tuple[str, dict]:
    """Text of ``lsoa_iod2019.csv`` and its source record."""
    iod = read_text_csv(shared / "data" / IOD2019_FILE)
    sel = iod[iod["lad19_code"].isin(place_codes)].sort_values("lsoa11_code", kind="mergesort")
    if sel["lsoa11_code"].duplicated().any():
        raise BuildError(f"{IOD2019_FILE}: duplicated LSOA codes")
    missing = set(place_codes) - set(sel["lad19_code"])
    if missing:
        raise BuildError(f"{IOD2019_FILE}: no LSOAs for {sorted(missing)}")
    out = pd.DataFrame({
        "lsoa_code": sel["lsoa11_code"],
        "lsoa_name": sel["lsoa11_name"],
        "place_code": sel["lad19_code"],
        "imd_score": sel["imd_score"],
        "imd_rank": sel["imd_rank"],
        "imd_decile": sel["imd_decile"],
        "population": sel["pop_total_mid2015"],
        "population_period": "mid-2015",
    })
    skip = {"lsoa11_code", "lsoa11_name", "lad19_code", "lad19_name", "imd_score", "imd_rank", "imd_decile"}
    domains = _domain_columns(sel.columns, skip)
    for column in domains:
        out[column] = sel[column]
    columns = LEADING_COLUMNS + domains
    numeric = set(columns) - {"lsoa_code", "lsoa_name", "place_code", "population_period"}
    record = {
        "file": "lsoa_iod2019.csv",
        "sources": [IOD2019_FILE],
        "publisher": "Ministry of Housing, Communities and Local Government (MHCLG)",
        "title": "English Indices of Deprivation 2019 (Files 1, 2, 5, 6 and the sub-domain ranks of File 7)",
        "licence": OGL,
        "period": "IoD2019 (indicators mostly 2015/16); population denominators mid-2015",
        "derivation": (
            f"The {len(out)} LSOAs (2011 boundaries) whose 2019 local authority district is one of the "
            f"nine places, sorted by LSOA code. `place_code` = LAD 2019 code (identical to the 2024 "
            "codes for these places). `population` = IoD2019 total population mid-2015 excluding "
            "prisoners (File 6), period `mid-2015`. Further columns are copied under their names in "
            f"`{IOD2019_FILE}`: {', '.join(domains)}. Other domain scores, IDACI/IDAOPI and the "
            "age-group population denominators are not included. Numbers are the source text with "
            "trailing decimal zeros removed."
        ),
    }
    return csv_text(columns, _numeric_rows(out, columns, numeric, IOD2019_FILE)), record


def lsoa21_population_mid2020(shared: pathlib.Path, lsoa21_codes: set[str]) -> dict[str, int]:
    """Mid-2020 population for LSOA21s that are an unchanged (U) or merged (M) LSOA11.

    ONS estimated mid-2020 on 2011 boundaries. An unchanged LSOA keeps its estimate; a merged
    LSOA21 is exactly the union of its LSOA11s, so the sum is exact. Split (S) and irregular (X)
    LSOA21s cannot be derived without apportioning, so they get no population.
    """
    data = shared / "data"
    lookup = read_text_csv(data / LSOA11_LSOA21_FILE)
    lookup = lookup[lookup["lsoa21_code"].isin(lsoa21_codes)]
    mye = read_text_csv(data / MYE2020_LSOA_FILE)
    if (mye["mid_year"] != "2020").any():
        raise BuildError(f"{MYE2020_LSOA_FILE}: rows other than mid-2020")
    mye_pop = dict(zip(mye["lsoa11_code"], mye["all_ages"]))
    result: dict[str, int] = {}
    for code, group in lookup.groupby("lsoa21_code", sort=True):
        changes = set(group["change_code"])
        if len(changes) != 1:
            raise BuildError(f"{LSOA11_LSOA21_FILE}: {code} has mixed change codes {sorted(changes)}")
        change = changes.pop()
        if change == "U" and len(group) != 1:
            raise BuildError(f"{LSOA11_LSOA21_FILE}: unchanged {code} has {len(group)} LSOA11 rows")
        if change in ("U", "M"):
            total = 0
            for lsoa11 in group["lsoa11_code"]:
                if lsoa11 not in mye_pop:
                    raise BuildError(f"{MYE2020_LSOA_FILE}: no mid-2020 population for {lsoa11}")
                total += int(mye_pop[lsoa11])
            result[code] = total
    return result


def build_iod2025(shared: pathlib.Path, place_codes: list[str]) -> tuple[str, dict]:
    """Text of ``lsoa_iod2025.csv`` and its source record."""
    iod = read_text_csv(shared / "data" / IOD2025_FILE)
    sel = iod[iod["lad24_code"].isin(place_codes)].sort_values("lsoa21_code", kind="mergesort")
    if sel["lsoa21_code"].duplicated().any():
        raise BuildError(f"{IOD2025_FILE}: duplicated LSOA codes")
    missing = set(place_codes) - set(sel["lad24_code"])
    if missing:
        raise BuildError(f"{IOD2025_FILE}: no LSOAs for {sorted(missing)}")
    population = lsoa21_population_mid2020(shared, set(sel["lsoa21_code"]))
    pops = [str(population[c]) if c in population else "" for c in sel["lsoa21_code"]]
    out = pd.DataFrame({
        "lsoa_code": sel["lsoa21_code"],
        "lsoa_name": sel["lsoa21_name"],
        "place_code": sel["lad24_code"],
        "imd_score": sel["imd_score"],
        "imd_rank": sel["imd_rank"],
        "imd_decile": sel["imd_decile"],
        "population": pops,
        "population_period": ["mid-2020 (LSOA 2011 estimate)" if p else "" for p in pops],
    }, index=sel.index)
    skip = {"lsoa21_code", "lsoa21_name", "lad24_code", "lad24_name", "imd_score", "imd_rank", "imd_decile"}
    domains = _domain_columns(sel.columns, skip)
    for column in domains:
        out[column] = sel[column]
    columns = LEADING_COLUMNS + domains
    numeric = set(columns) - {"lsoa_code", "lsoa_name", "place_code", "population_period"}
    with_pop = sum(1 for p in pops if p)
    record = {
        "file": "lsoa_iod2025.csv",
        "sources": [IOD2025_FILE, MYE2020_LSOA_FILE, LSOA11_LSOA21_FILE],
        "publisher": "Ministry of Housing, Communities and Local Government (MHCLG); Office for "
                     "National Statistics (small area population estimates; Open Geography Portal)",
        "title": "English Indices of Deprivation 2025 (File 7); Lower layer Super Output Area "
                 "population estimates mid-2020 (SAPE23DT2); LSOA 2011 to LSOA 2021 lookup",
        "licence": OGL,
        "period": "IoD2025 (published 30 October 2025); population mid-2020 on 2011 boundaries",
        "derivation": (
            f"The {len(out)} LSOAs (2021 boundaries) whose April 2024 local authority district is one "
            "of the nine places, sorted by LSOA code; `place_code` = LAD 2024 code. IoD2025 has no "
            "population denominator in the shared data, so `population` is the ONS mid-2020 "
            "estimate for 2011 LSOAs carried to 2021 LSOAs through the best-fit lookup: change "
            "code U (unchanged) takes the LSOA11 estimate, M (merged) the sum of its LSOA11s; S "
            "(split) and X (irregular) are left blank because they would need apportioning. "
            f"{with_pop} of {len(out)} rows have a population; `population_period` is "
            "`mid-2020 (LSOA 2011 estimate)` on those rows and blank on the others. Further "
            f"columns are copied under their names in `{IOD2025_FILE}`: {', '.join(domains)}. "
            "Numbers are the source text with trailing decimal zeros removed."
        ),
    }
    return csv_text(columns, _numeric_rows(out, columns, numeric, IOD2025_FILE)), record


FRAMEWORK_RECORD = {
    "file": "all_together_fairer.framework",
    "sources": [],
    "publisher": "Cheshire and Merseyside Health and Care Partnership (programme papers); "
                 "indicator metadata as published by OHID Fingertips, ONS, DfE, DESNZ, MHCLG, DfT "
                 "and Sport England",
    "title": "All Together Fairer: Beacon indicators (16 January 2024 meeting pack: stocktake, "
             "Beacon Indicators Review December 2023, HCP strategy alignment)",
    "licence": "MIT (this file, as part of fairer); the indicator facts are taken from public "
               "programme papers and public statistical metadata",
    "period": "framework version 2024-01; baseline 2022",
    "derivation": (
        "Written by hand from the programme papers as summarised in the project specification "
        "(themes, the seven system recommendations, the 22 Beacon indicators with polarity and "
        "status) and from the public definitions of each indicator. Fingertips indicator IDs are "
        "marked `confirmed` only where seen in a stored public source, otherwise `unverified`. "
        "Links between indicators and recommendations are not given by the papers and are left "
        "blank, except the anchor-institution indicators 12, 20 and 21 (R6). Not built by "
        "`build_default_data.py`."
    ),
}


def load_observations_module():
    """``default_data_observations`` from this script's folder, or None if it is not there."""
    if not (SCRIPT_DIR / "default_data_observations.py").is_file():
        return None
    if str(SCRIPT_DIR) not in sys.path:
        sys.path.insert(0, str(SCRIPT_DIR))
    return importlib.import_module("default_data_observations")


def _cell(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def sources_markdown(records: list[dict], observation_records: list[dict]) -> str:
    """Text of ``SOURCES.md``."""
    lines = [
        "# Sources of the embedded default data",
        "",
        "Generated by `python/scripts/build_default_data.py` from the public data in `../shared/data`",
        "(see `../shared/data/README.md` for the upstream repositories, commits and cleaning steps).",
        "Rebuild with `python python/scripts/build_default_data.py --shared ../shared`.",
        "",
        "Unless stated otherwise the statistics are Crown copyright / public sector information",
        "licensed under the Open Government Licence v3.0:",
        "\"Contains public sector information licensed under the Open Government Licence v3.0.\"",
        "",
    ]
    for record in records:
        lines.append(f"## `{record['file']}`")
        lines.append("")
        if record["sources"]:
            lines.append("- Source files: " + ", ".join(f"`../shared/data/{s}`" for s in record["sources"]))
        lines.append(f"- Publisher: {record['publisher']}")
        lines.append(f"- Title: {record['title']}")
        lines.append(f"- Licence: {record['licence']}")
        lines.append(f"- Period: {record['period']}")
        lines.append(f"- Derivation: {record['derivation']}")
        lines.append("")
    if observation_records:
        lines.append("## `observations.csv`")
        lines.append("")
        lines.append("Built by `python/scripts/default_data_observations.py`; one entry per source used.")
        lines.append("")
        for record in observation_records:
            lines.append(f"### `../shared/data/{_cell(record.get('file', ''))}`")
            lines.append("")
            for key, label in (("publisher", "Publisher"), ("title", "Title"), ("licence", "Licence"),
                               ("period", "Period"), ("indicators", "Indicators"), ("notes", "Notes")):
                if key in record and _cell(record[key]) != "":
                    lines.append(f"- {label}: {_cell(record[key])}")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def build(shared: pathlib.Path, out: pathlib.Path) -> list[pathlib.Path]:
    """Write the default dataset into ``out``; return the paths written."""
    shared = shared.resolve()
    out.mkdir(parents=True, exist_ok=True)
    areas_text, areas_record = build_areas(shared)
    place_codes = sorted(read_places(shared)["lad_code"])
    iod2019_text, iod2019_record = build_iod2019(shared, place_codes)
    iod2025_text, iod2025_record = build_iod2025(shared, place_codes)
    written = []
    for name, text in (("areas.csv", areas_text), ("lsoa_iod2019.csv", iod2019_text),
                       ("lsoa_iod2025.csv", iod2025_text)):
        write_text(out / name, text)
        written.append(out / name)

    observation_records: list[dict] = []
    module = load_observations_module()
    if module is not None:
        observation_records = list(module.build_observations(shared, out))
        written.append(out / "observations.csv")

    records = [FRAMEWORK_RECORD, areas_record, iod2019_record, iod2025_record]
    write_text(out / "SOURCES.md", sources_markdown(records, observation_records))
    written.append(out / "SOURCES.md")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=pathlib.Path, default=REPO_ROOT.parent / "shared",
                        help="the shared folder holding data/ (default: ../shared next to the repo)")
    parser.add_argument("--out", type=pathlib.Path, default=REPO_ROOT / "python" / "fairer" / "data",
                        help="output folder (default: python/fairer/data)")
    args = parser.parse_args(argv)
    try:
        written = build(args.shared, args.out)
    except BuildError as error:
        print(f"build_default_data: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
