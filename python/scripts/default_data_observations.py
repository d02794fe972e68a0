"""Build the tidy Beacon observations file (``observations.csv``) from /work/shared/data.

Every value comes from a public file in the shared data folder; the only derived values
are B13 (100 minus the published share at or above the Real Living Wage, exact decimal
arithmetic) and B19 (population-weighted mean of modelled LSOA estimates, flagged
``estimated``).  Numbers are written as the shortest text that reads back to the same
double, chosen as C++ ``std::to_chars`` does, so the C++ writer produces the same bytes.

Areas: the nine Cheshire and Merseyside places, England and the North West.  Only
indicators with data get rows; nothing is imputed.  The ``age`` text is the framework
file's age for the indicator, except where the data cover a different band (B07 self-harm
10-24 as a proxy, B10 unemployment 16+ as ONS publishes it).

Run alone:  python python/scripts/default_data_observations.py [--shared DIR] [--out DIR]
The main build script imports :func:`build_observations`.
"""

from __future__ import annotations

import argparse
import csv
import math
import pathlib
import re
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Dict, Iterable, List, Optional, Tuple

HEADER = [
    "indicator_id", "area_code", "period", "sex", "age", "category_type", "category",
    "value", "lower_ci95", "upper_ci95", "lower_ci99_8", "upper_ci99_8",
    "count", "denominator", "value_note", "flags",
]
KEY_FIELDS = ("indicator_id", "area_code", "period", "sex", "age", "category_type", "category")

ENGLAND = "E92000001"
NORTH_WEST = "E12000002"
PLACES = (
    "E06000049",  # Cheshire East
    "E06000050",  # Cheshire West and Chester
    "E06000007",  # Warrington
    "E06000006",  # Halton
    "E08000011",  # Knowsley
    "E08000012",  # Liverpool
    "E08000014",  # Sefton
    "E08000013",  # St Helens
    "E08000015",  # Wirral
)
AREAS = frozenset(PLACES + (ENGLAND, NORTH_WEST))
SEX_ORDER = {"Persons": 0, "Male": 1, "Female": 2}
FLAGS = ("suppressed_disclosure", "suppressed_reliability", "estimated", "provisional", "break_in_series")

OGL = "Open Government Licence v3.0"
FSM_CATEGORY = ("Free school meal status", "Eligible for free school meals")

Row = Dict[str, str]
Record = Dict[str, object]


class SourceError(ValueError):
    """A source file does not look as the build expects (names the file, row and problem)."""


# ---------------------------------------------------------------------------------------
# number and period text


def format_number(x: float) -> str:
    """Shortest text that reads back as exactly ``x``, as fairer::detail::format_double.

    The shortest round-trip digits are Python's ``repr`` digits, written as a plain decimal
    for 1e-6 <= |x| < 1e16 (and 0) and in scientific form otherwise.  NaN (missing) becomes
    the empty string.
    """
    if math.isnan(x):
        return ""
    if math.isinf(x):
        raise ValueError(f"infinite value {x!r} cannot be written")
    sign, digits, exponent = Decimal(repr(x)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    exponent += len(digits) - len(text)  # account for the stripped trailing zeros
    if text == "0":
        exponent = 0
    sci_exp = exponent + len(text) - 1
    if exponent >= 0:
        fixed = text + "0" * exponent
    elif sci_exp >= 0:
        fixed = text[: sci_exp + 1] + "." + text[sci_exp + 1:]
    else:
        fixed = "0." + "0" * (-sci_exp - 1) + text
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    scientific = f"{mantissa}e{'-' if sci_exp < 0 else '+'}{abs(sci_exp):02d}"
    best = fixed if text == "0" or 1e-6 <= abs(x) < 1e16 else scientific
    return ("-" if sign else "") + best


def number_text(text: str, where: str) -> str:
    """Source text of a number rewritten in the shortest round-trip form ('' stays '')."""
    text = text.strip()
    if text == "":
        return ""
    try:
        return format_number(float(text))
    except ValueError as exc:
        raise SourceError(f"{where}: value {text!r} is not a number") from exc


_CALENDAR = re.compile(r"^(\d{4})$")
_FINANCIAL = re.compile(r"^(\d{4})/(\d{2})$")
_POOLED = re.compile(r"^(\d{4}) - (\d{2})$")
_QUARTER = re.compile(r"^(\d{4})/(\d{2}) Q([1-4])$")


def period_sort_key(period: str) -> Tuple[int, int, int]:
    """Order Fingertips period strings by start year, then quarter, then length.

    Same order as Fingertips' "Time period Sortable" for the forms used here:
    ``2022``, ``2021/22``, ``2018 - 20`` and ``2023/24 Q3``.
    """
    m = _QUARTER.match(period)
    if m:
        return int(m.group(1)), int(m.group(3)), 0
    m = _CALENDAR.match(period)
    if m:
        return int(m.group(1)), 0, 1
    m = _FINANCIAL.match(period)
    if m:
        return int(m.group(1)), 0, 1
    m = _POOLED.match(period)
    if m:
        start = int(m.group(1))
        end = start - start % 100 + int(m.group(2))
        if end < start:
            end += 100
        return start, 0, end - start + 1
    raise ValueError(f"period {period!r} is not a Fingertips period string")


def academic_label(start_year: int) -> str:
    """``2019`` -> ``2019/20`` (financial or academic year starting in ``start_year``)."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


# ---------------------------------------------------------------------------------------
# helpers


def observation(indicator: str, area: str, period: str, sex: str, age: str, *,
                value: str, lower: str = "", upper: str = "", count: str = "",
                denominator: str = "", note: str = "", flags: Iterable[str] = (),
                category: Tuple[str, str] = ("", "")) -> Row:
    """One tidy row; flags are checked against the agreed list and written in its order."""
    flags = list(flags)
    for f in flags:
        if f not in FLAGS:
            raise ValueError(f"unknown flag {f!r}")
    return {
        "indicator_id": indicator, "area_code": area, "period": period, "sex": sex, "age": age,
        "category_type": category[0], "category": category[1],
        "value": value, "lower_ci95": lower, "upper_ci95": upper,
        "lower_ci99_8": "", "upper_ci99_8": "",
        "count": count, "denominator": denominator,
        "value_note": note, "flags": ";".join(f for f in FLAGS if f in flags),
    }


def read_csv(path: pathlib.Path) -> List[Dict[str, str]]:
    """All rows of a UTF-8 CSV file as dicts."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def period_span(rows: List[Row]) -> str:
    """``first to last`` period of the rows, in sort order."""
    periods = sorted({r["period"] for r in rows}, key=period_sort_key)
    return periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"


def key_of(row: Row) -> Tuple[str, ...]:
    """The identifying fields of a row (indicator, area, period, sex, age, category type, category)."""
    return tuple(row[k] for k in KEY_FIELDS)


def add_break_flags(rows: List[Row], starts_new_series: Callable[[Row], bool]) -> None:
    """Flag ``break_in_series`` on the first row of a new series when an earlier row exists.

    Rows are grouped by every key field except the period; within a group, a row for which
    ``starts_new_series`` is true and that has an earlier-period neighbour from the old
    series gets the flag.
    """
    groups: Dict[Tuple[str, ...], List[Row]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in KEY_FIELDS if k != "period"), []).append(r)
    for group in groups.values():
        group.sort(key=lambda r: period_sort_key(r["period"]))
        for before, after in zip(group, group[1:]):
            if starts_new_series(after) and not starts_new_series(before):
                flags = [f for f in after["flags"].split(";") if f] + ["break_in_series"]
                after["flags"] = ";".join(f for f in FLAGS if f in flags)


# ---------------------------------------------------------------------------------------
# Trafford Data Lab long file (Fingertips / LG Inform / ONS downloads)

TRAFFORD_FILE = "la_indicators_trafford_datalab_long.csv"


def _trafford_rows(data: pathlib.Path) -> List[Dict[str, str]]:
    """Rows for the eleven areas, each with its file line number in ``_line``."""
    rows = read_csv(data / TRAFFORD_FILE)
    for i, r in enumerate(rows, start=2):
        r["_line"] = str(i)
    return [r for r in rows if r["area_code"] in AREAS]


def _trafford_select(rows, source_id: str, indicator_prefix: str) -> List[Dict[str, str]]:
    """Rows of one series; an empty selection means the file changed, so it is an error."""
    out = [r for r in rows if r["source_indicator_id"] == source_id and r["indicator"].startswith(indicator_prefix)]
    if not out:
        raise SourceError(f"{TRAFFORD_FILE}: no rows for {source_id} '{indicator_prefix}'")
    return out


def _trafford_value(r: Dict[str, str]) -> str:
    return number_text(r["value"], f"{TRAFFORD_FILE} line {r['_line']}")


def trafford_observations(data: pathlib.Path) -> Tuple[Dict[str, List[Row]], Record]:
    """B01, B02 (fallback), B04 (recent years and FSM), B05, B07, B08, B13, B16 (2014-2023), B18."""
    src = _trafford_rows(data)
    out: Dict[str, List[Row]] = {}

    def sexed(source_id: str, prefix: str, key: str, age: str, note: str) -> List[Row]:
        rows = []
        for r in _trafford_select(src, source_id, prefix):
            if r["sex"] not in ("Male", "Female"):
                raise SourceError(f"{TRAFFORD_FILE} line {r['_line']}: sex {r['sex']!r}")
            rows.append(observation(key, r["area_code"], r["period"], r["sex"], age,
                                    value=_trafford_value(r), note=note))
        return rows

    def persons(source_id: str, prefix: str, key: str, age: str, note: str,
                category: Tuple[str, str] = ("", "")) -> List[Row]:
        rows = []
        for r in _trafford_select(src, source_id, prefix):
            value = _trafford_value(r)
            rows.append(observation(key, r["area_code"], r["period"], "Persons", age, value=value,
                                    note=note if value else "no value in the source for this year",
                                    category=category))
        return rows

    out["B01"] = sexed("FT:90366", "Life expectancy at birth", "B01", "All ages", "")
    out["B02"] = sexed("FT:90362", "Healthy life expectancy at birth", "B02", "All ages",
                       "older Fingertips 90362 release; ONS Explore Local Statistics (used from 2011 - 13) "
                       "gives different values for the periods both hold")

    gld_recent = persons("FT:90631/90632", "School readiness: percentage of children achieving", "B04", "5 yrs",
                         "Fingertips 90631 (EYFS profile after the 2021 reforms)")
    gld_fsm = (persons("FT:90632", "Children with free school meal status", "B04", "5 yrs",
                       "Fingertips 90632: children eligible for free school meals", FSM_CATEGORY)
               + persons("FT:90631/90632", "School readiness: percentage of children with free school meal", "B04",
                         "5 yrs", "Fingertips 90632: children eligible for free school meals (EYFS profile after "
                         "the 2021 reforms)", FSM_CATEGORY))
    out["B04"] = gld_recent + gld_fsm

    p8 = persons("LGInform:6016", "Average Progress 8 score", "B05", "Key stage 4 pupils",
                 "DfE KS4 performance via LG Inform (Cheshire East and England only in this file)")
    for r in p8:
        if r["value"] == "":
            r["value_note"] = "no value in the source: KS4 performance measures were not published for this year"
    out["B05"] = p8

    out["B07"] = persons("FT:90813", "Hospital admissions as a result of self-harm (10-24 years)", "B07",
                         "10-24 yrs", "proxy: Fingertips 90813 covers ages 10-24; the Beacon indicator (ages 15-19) "
                         "is not held. Directly standardised rate per 100,000")
    out["B08"] = persons("FT:93203", "Proportion of 16-17 year olds not in education", "B08", "16-17 yrs",
                         "Fingertips 93203: NEET or activity not known")

    rlw = []
    for r in _trafford_select(src, "ONS:ASHE-living-wage", "Employees paid at or above the real living wage"):
        text = r["value"].strip()
        if text == "":
            raise SourceError(f"{TRAFFORD_FILE} line {r['_line']}: blank Real Living Wage value")
        below = Decimal(100) - Decimal(text)
        rlw.append(observation("B13", r["area_code"], r["period"], "Persons", "Employees",
                               value=format_number(float(below)),
                               note=f"100 minus the published {text}% of employee jobs (workplace-based, ONS ASHE) "
                                    "paid at or above the Real Living Wage; exact decimal arithmetic"))
    out["B13"] = rlw

    fuel = []
    for prefix, method in (("Fuel poverty (low income, high cost methodology)", "LIHC"),
                           ("Fuel poverty (low income, low energy efficiency methodology)", "LILEE")):
        for r in _trafford_select(src, "LGInform:2131/16259", prefix):
            row = observation("B16", r["area_code"], r["period"], "Persons", "Households",
                              value=_trafford_value(r),
                              note=f"DESNZ sub-regional fuel poverty via LG Inform, {method} definition")
            row["_epoch"] = FUEL_EPOCHS[method]
            fuel.append(row)
    out["B16"] = fuel

    out["B18"] = persons("FT:93014", "Percentage of physically active adults", "B18", "19+ yrs",
                         "Fingertips 93014 (Sport England Active Lives)")

    record: Record = {
        "file": TRAFFORD_FILE,
        "publisher": "OHID Fingertips, DfE, DESNZ and ONS data as downloaded by Trafford Data Lab",
        "title": "Local authority indicators (Trafford Data Lab long file)",
        "licence": OGL,
        "period": "",
        "indicators": [],
        "notes": (
            "B01 Fingertips 90366 all periods (nine places and England; no North West rows). "
            "B02 Fingertips 90362 only where ONS Explore Local Statistics has no value (2009 - 11 and 2010 - 12). "
            "B04 Fingertips 90631 for Cheshire East and England 2021/22 onwards (break_in_series at 2021/22, EYFS "
            "reforms) and free-school-meal children (90632) as category rows. B05 Progress 8, Cheshire East and "
            "England, blank where not published. B07 self-harm ages 10-24 (90813) kept as a proxy, age '10-24 yrs'. "
            "B08 Fingertips 93203 2016-2018; the LG Inform 2019-2025 NEET series for Cheshire East was left out "
            "because its year labels could not be aligned with 93203's. B13 = 100 - % at or above the Real Living "
            "Wage (CWaC, Halton, Warrington, England). B16 fuel poverty used only where the DESNZ file has no value "
            "(England 2014-2023; CWaC, Halton, Warrington 2020-2023). B18 Fingertips 93014."
        ),
    }
    return out, record


# ---------------------------------------------------------------------------------------
# ONS Explore Local Statistics

ELS_FILE = "ons_explore_local_statistics_selected_england.csv"
HLE_NOTE = "ONS healthy life expectancy (Explore Local Statistics), 95% CI as published"


def els_observations(data: pathlib.Path) -> Tuple[Dict[str, List[Row]], Record]:
    """B02 healthy life expectancy (with 95% CIs) and B10 modelled unemployment rate."""
    wanted = {
        ("healthy-life-expectancy", "Female healthy life expectancy"): ("B02", "Female", "All ages", HLE_NOTE),
        ("healthy-life-expectancy", "Male healthy life expectancy"): ("B02", "Male", "All ages", HLE_NOTE),
        ("modelled-unemployment", "Modelled unemployment rate"): (
            "B10", "Persons", "16+ yrs",
            "ONS model-based unemployment rate, aged 16 and over as published (the Beacon definition says 16-64)"),
    }
    out: Dict[str, List[Row]] = {"B02": [], "B10": []}
    seen: Dict[Tuple[str, ...], Tuple[str, ...]] = {}
    for line, r in enumerate(read_csv(data / ELS_FILE), start=2):
        spec = wanted.get((r["dataset"], r["indicator"]))
        if spec is None or r["area_code"] not in AREAS:
            continue
        where = f"{ELS_FILE} line {line}"
        if r["status"].strip() or r["notes"].strip():
            raise SourceError(f"{where}: unexpected status/notes {r['status']!r} {r['notes']!r}")
        key, sex, age, note = spec
        period = r["period"]
        period_sort_key(period)
        row = observation(key, r["area_code"], period, sex, age,
                          value=number_text(r["value"], where),
                          lower=number_text(r["lower_ci95"], where), upper=number_text(r["upper_ci95"], where),
                          note=note)
        # Unitary and metropolitan areas appear under two geography levels; keep one copy.
        numbers = (row["value"], row["lower_ci95"], row["upper_ci95"])
        if key_of(row) in seen:
            if seen[key_of(row)] != numbers:
                raise SourceError(f"{where}: conflicting duplicate for {key_of(row)}")
            continue
        seen[key_of(row)] = numbers
        out[key].append(row)
    record: Record = {
        "file": ELS_FILE,
        "publisher": "Office for National Statistics (Explore Local Statistics)",
        "title": "Healthy life expectancy at birth; model-based unemployment rate",
        "licence": OGL,
        "period": "",
        "indicators": [],
        "notes": (
            "B02 female/male healthy life expectancy 2011 - 13 to 2022 - 24 with published 95% CIs, preferred to "
            "Fingertips 90362; its values differ from the older 90362 release for 2011 - 13 to 2014 - 16, so "
            "2011 - 13 carries break_in_series where older 90362 periods precede it. B10 modelled unemployment "
            "rate (aged 16+, as published) 2004-2023 with 95% CIs where published (none for Cheshire East and "
            "Cheshire West and Chester). Areas listed under two geography levels were deduplicated after "
            "checking their values agree."
        ),
    }
    return out, record


# ---------------------------------------------------------------------------------------
# DfE Early Years Foundation Stage Profile

EYFSP_FILE = "dfe_eyfsp_good_level_of_development_la_2013_2019.csv"


def eyfsp_observations(data: pathlib.Path) -> Tuple[Dict[str, List[Row]], Record]:
    """B04 good level of development: gld_percent as published, with count and denominator."""
    rows = []
    for line, r in enumerate(read_csv(data / EYFSP_FILE), start=2):
        if r["la_code"] not in AREAS or r["gender"] != "Total":
            continue
        where = f"{EYFSP_FILE} line {line}"
        rows.append(observation("B04", r["la_code"], r["academic_year"], "Persons", "5 yrs",
                                value=number_text(r["gld_percent"], where),
                                count=number_text(r["gld_number"], where),
                                denominator=number_text(r["number_of_children"], where),
                                note="DfE EYFSP: % of children at the end of Reception with a good level of "
                                     "development, as published"))
    record: Record = {
        "file": EYFSP_FILE,
        "publisher": "Department for Education",
        "title": "Early years foundation stage profile results: good level of development",
        "licence": OGL,
        "period": "",
        "indicators": [],
        "notes": "B04 gender 'Total' rows as sex Persons; value = published gld_percent, count = gld_number, "
                 "denominator = number_of_children; nine places, England and North West. Boys/Girls rows not used.",
    }
    return {"B04": rows}, record


# ---------------------------------------------------------------------------------------
# DESNZ fuel poverty 2010-2019

FUEL_FILE = "desnz_fuel_poverty_lad19_2010_2019.csv"
EARLIER_FUEL_SERIES = "LIHC (earlier sub-regional series; check)"
# The fuel poverty definitions in turn; a row of a later epoch after one of an earlier epoch is a break.
FUEL_EPOCHS = {EARLIER_FUEL_SERIES: 0, "LIHC": 1, "LILEE": 2}


def fuel_observations(data: pathlib.Path) -> Tuple[Dict[str, List[Row]], Record]:
    """B16 % households in fuel poverty, every place 2010-2019."""
    rows = []
    for line, r in enumerate(read_csv(data / FUEL_FILE), start=2):
        if r["lad19_code"] not in AREAS:
            continue
        where = f"{FUEL_FILE} line {line}"
        metric = r["metric"]
        if metric not in FUEL_EPOCHS:
            raise SourceError(f"{where}: unknown metric {metric!r}")
        if metric == EARLIER_FUEL_SERIES:
            note = ("earlier DECC sub-regional series: the source labels it LIHC but asks for a check, and its "
                    "level is well above the LIHC figures from 2012; not comparable with later years")
        else:
            note = f"DESNZ sub-regional fuel poverty, {metric} definition"
        row = observation("B16", r["lad19_code"], r["year"], "Persons", "Households",
                          value=number_text(r["pct_households_fuel_poor"], where), note=note)
        row["_epoch"] = FUEL_EPOCHS[metric]
        rows.append(row)
    record: Record = {
        "file": FUEL_FILE,
        "publisher": "Department for Energy Security and Net Zero (via CaitHRobinson/decade-of-fuel-poverty)",
        "title": "Sub-regional fuel poverty statistics",
        "licence": OGL,
        "period": "",
        "indicators": [],
        "notes": "B16 nine places 2010-2019 (preferred to the rounded Trafford copy where both exist). "
                 "break_in_series at 2012 (first LIHC year after the earlier series) and 2019 (LIHC to LILEE).",
    }
    return {"B16": rows}, record


# ---------------------------------------------------------------------------------------
# MHCLG temporary accommodation

TA_FILE = "mhclg_homelessness_temporary_accommodation_lad23_2023q4.csv"


def temporary_accommodation_observations(data: pathlib.Path) -> Tuple[Dict[str, List[Row]], Record]:
    """B17 households in temporary accommodation per 1,000 households, Oct-Dec 2023."""
    rows = []
    for line, r in enumerate(read_csv(data / TA_FILE), start=2):
        if r["lad23_code"] not in AREAS:
            continue
        where = f"{TA_FILE} line {line}"
        if r["period"] != "2023-10 to 2023-12":
            raise SourceError(f"{where}: unexpected period {r['period']!r}")
        value = number_text(r["households_in_temporary_accommodation_per_1000"], where)
        rows.append(observation("B17", r["lad23_code"], "2023/24 Q3", "Persons", "Households", value=value,
                                note="MHCLG statutory homelessness, October to December 2023" if value
                                else "no value: the authority did not submit data"))
    record: Record = {
        "file": TA_FILE,
        "publisher": "Ministry of Housing, Communities and Local Government",
        "title": "Statutory homelessness: households in temporary accommodation per 1,000 households",
        "licence": OGL,
        "period": "2023/24 Q3",
        "indicators": [],
        "notes": "B17 October-December 2023 written as the financial-year quarter '2023/24 Q3'; nine places only "
                 "(the file has no England or regional rows).",
    }
    return {"B17": rows}, record


# ---------------------------------------------------------------------------------------
# DfT CW0302 cycling

CYCLING_FILE = "dft_cw0302_cycling_by_purpose_frequency_la_2016_2021.csv"


def cycling_observations(data: pathlib.Path) -> Tuple[Dict[str, List[Row]], Record]:
    """B22 % adults cycling for travel at least 3 times per week."""
    rows = []
    for line, r in enumerate(read_csv(data / CYCLING_FILE), start=2):
        if (r["area_code"] not in AREAS or r["mode"] != "Cycling" or r["purpose"] != "Travel"
                or r["frequency"] != "At least 3 times per week"):
            continue
        where = f"{CYCLING_FILE} line {line}"
        year = int(r["year_to_mid_november"])
        value = number_text(r["percent_adults"], where)
        note = (f"DfT CW0302 (Active Lives), adults cycling for travel at least 3 times per week, "
                f"year to mid-November {year}")
        if not value:
            note += f"; no value ({r['note'].strip() or 'blank in source'})"
        rows.append(observation("B22", r["area_code"], academic_label(year - 1), "Persons", "16+ yrs",
                                value=value, note=note))
    record: Record = {
        "file": CYCLING_FILE,
        "publisher": "Department for Transport (Sport England Active Lives Survey)",
        "title": "CW0302: proportion of adults who cycle, by frequency and purpose",
        "licence": OGL,
        "period": "",
        "indicators": [],
        "notes": "B22 purpose Travel, at least 3 times per week. The Active Lives year ending mid-November Y "
                 "is written '(Y-1)/(Y)' as Fingertips labels Active Lives years (e.g. 93014): year to mid-November "
                 "2020 = '2019/20'. Walking for travel is not held.",
    }
    return {"B22": rows}, record


# ---------------------------------------------------------------------------------------
# DCMS Community Life Survey loneliness (LSOA21 modelled estimates)

LONELY_FILE = "dcms_cls_loneliness_lsoa21_2020_21.csv"
LSOA_POP_FILE = "ons_mye2020_lsoa11_single_year_age_persons_england.csv"
LSOA_LOOKUP_FILE = "lookup_lsoa11_lsoa21_lad22.csv"
REGION_LOOKUP_FILE = "lookup_lad24_region_cauth_icb.csv"


def adult_weights(data: pathlib.Path) -> Dict[str, Fraction]:
    """Adults aged 16+ (ONS mid-2020, LSOA 2011) carried to LSOA 2021 codes.

    Unchanged and merged LSOAs add whole 2011 populations; an LSOA 2011 that was split
    (or changed irregularly) shares its population equally among its 2021 pieces, because
    the files hold no finer population split.
    """
    adults: Dict[str, int] = {}
    for line, r in enumerate(read_csv(data / LSOA_POP_FILE), start=2):
        try:
            children = sum(int(r[f"age_{a}"]) for a in range(16))
            adults[r["lsoa11_code"]] = int(r["all_ages"]) - children
        except (KeyError, ValueError) as exc:
            raise SourceError(f"{LSOA_POP_FILE} line {line}: {exc}") from exc
    pieces: Dict[str, List[str]] = {}
    for r in read_csv(data / LSOA_LOOKUP_FILE):
        if r["lsoa11_code"].startswith("E"):
            pieces.setdefault(r["lsoa11_code"], []).append(r["lsoa21_code"])
    weights: Dict[str, Fraction] = {}
    for lsoa11, parts in pieces.items():
        if lsoa11 not in adults:
            raise SourceError(f"{LSOA_POP_FILE}: no population for {lsoa11}")
        share = Fraction(adults[lsoa11], len(parts))
        for lsoa21 in parts:
            weights[lsoa21] = weights.get(lsoa21, Fraction(0)) + share
    return weights


def loneliness_observations(data: pathlib.Path) -> Tuple[Dict[str, List[Row]], List[Record]]:
    """B19 % adults lonely often/always or some of the time: adult-weighted mean of LSOA estimates."""
    weights = adult_weights(data)
    region = {r["lad24_code"]: r["region_code"] for r in read_csv(data / REGION_LOOKUP_FILE)}
    sums: Dict[str, List[Fraction]] = {a: [Fraction(0), Fraction(0)] for a in AREAS}
    counts: Dict[str, int] = {a: 0 for a in AREAS}
    for line, r in enumerate(read_csv(data / LONELY_FILE), start=2):
        code, lad = r["lsoa21_code"], r["lad24_code"]
        if not code.startswith("E"):
            continue
        where = f"{LONELY_FILE} line {line}"
        text = r["pct_lonely_often_always_or_some_of_the_time"].strip()
        if text == "":
            raise SourceError(f"{where}: blank estimate")
        if code not in weights:
            raise SourceError(f"{where}: LSOA {code} has no population weight")
        if lad not in region:
            raise SourceError(f"{where}: LAD {lad} not in {REGION_LOOKUP_FILE}")
        targets = [ENGLAND]
        if region[lad] == NORTH_WEST:
            targets.append(NORTH_WEST)
        if lad in PLACES:
            targets.append(lad)
        for area in targets:
            sums[area][0] += Fraction(Decimal(text)) * weights[code]
            sums[area][1] += weights[code]
            counts[area] += 1
    rows = []
    for area in sorted(AREAS):
        if counts[area] == 0:
            raise SourceError(f"{LONELY_FILE}: no LSOA for area {area}")
        value = float(sums[area][0] / sums[area][1])
        rows.append(observation(
            "B19", area, "2020/21", "Persons", "16+ yrs", value=format_number(value), flags=["estimated"],
            note=f"mean of {counts[area]} DCMS modelled LSOA 2021 estimates weighted by adults aged 16+ "
                 "(ONS mid-2020, LSOA 2011 mapped to 2021); not the Fingertips loneliness indicator"))
    main: Record = {
        "file": LONELY_FILE,
        "publisher": "Department for Culture, Media and Sport (Community Life Survey 2020/21)",
        "title": "Loneliness small-area modelled estimates (LSOA 2021)",
        "licence": OGL,
        "period": "2020/21",
        "indicators": ["B19"],
        "notes": (
            "B19 = sum(w_i * p_i) / sum(w_i) over the LSOAs of each place (by LAD 2024), of England and of the "
            "North West (LADs whose region is E12000002), p_i the modelled % lonely often/always or some of the "
            "time, w_i adults 16+ mid-2020. LSOA 2011 populations go to LSOA 2021 through the best-fit lookup: "
            "merged areas add up, split areas share their population equally. Computed in exact rational "
            "arithmetic, written as the nearest double; flagged estimated."
        ),
    }
    aux = [
        {"file": LSOA_POP_FILE, "publisher": "Office for National Statistics",
         "title": "Lower layer super output area population estimates, mid-2020 (SAPE23DT2)", "licence": OGL,
         "period": "2020", "indicators": ["B19"],
         "notes": "Adults aged 16+ (all ages minus ages 0-15) used as weights for B19."},
        {"file": LSOA_LOOKUP_FILE, "publisher": "Office for National Statistics (Open Geography Portal)",
         "title": "LSOA 2011 to LSOA 2021 best-fit lookup", "licence": OGL, "period": "2021",
         "indicators": ["B19"], "notes": "Carries the B19 weights from LSOA 2011 to LSOA 2021."},
        {"file": REGION_LOOKUP_FILE, "publisher": "Office for National Statistics (Open Geography Portal)",
         "title": "Local authority district 2024 to region lookup", "licence": OGL, "period": "2024",
         "indicators": ["B19"], "notes": "Selects the North West LSOAs for the B19 regional value."},
    ]
    return {"B19": rows}, [main] + aux


# ---------------------------------------------------------------------------------------
# assembly


def _merge_preferring(preferred: List[Row], fallback: List[Row]) -> List[Row]:
    """Preferred rows plus the fallback rows whose key the preferred source lacks."""
    have = {key_of(r) for r in preferred}
    return preferred + [r for r in fallback if key_of(r) not in have]


def _sort_key(r: Row):
    return (int(r["indicator_id"][1:]), r["area_code"], period_sort_key(r["period"]), r["period"],
            SEX_ORDER[r["sex"]], r["age"], r["category_type"], r["category"])


def _tag(groups: Dict[str, List[Row]], source: str) -> Dict[str, List[Row]]:
    """Remember each row's source file (an internal field, not written to the CSV)."""
    for group in groups.values():
        for r in group:
            r["_source"] = source
    return groups


def collect_observations(shared: pathlib.Path) -> Tuple[List[Row], List[Record]]:
    """All observation rows (sorted, keys unique) and one provenance record per source file.

    ``shared`` is the shared folder; the source files are read from its ``data`` folder.
    """
    data = pathlib.Path(shared) / "data"
    traf, traf_rec = trafford_observations(data)
    els, els_rec = els_observations(data)
    eyfsp, eyfsp_rec = eyfsp_observations(data)
    fuel, fuel_rec = fuel_observations(data)
    ta, ta_rec = temporary_accommodation_observations(data)
    cyc, cyc_rec = cycling_observations(data)
    lonely, lonely_recs = loneliness_observations(data)
    provenance = {TRAFFORD_FILE: (traf, traf_rec), ELS_FILE: (els, els_rec), EYFSP_FILE: (eyfsp, eyfsp_rec),
                  FUEL_FILE: (fuel, fuel_rec), TA_FILE: (ta, ta_rec), CYCLING_FILE: (cyc, cyc_rec),
                  LONELY_FILE: (lonely, lonely_recs[0])}
    for name, (groups, _) in provenance.items():
        _tag(groups, name)

    b02 = _merge_preferring(els["B02"], traf["B02"])
    add_break_flags(b02, lambda r: r["_source"] == ELS_FILE)
    b04 = eyfsp["B04"] + traf["B04"]
    # DfE: EYFS profile results from 2021/22 (2021 reforms) are not comparable with earlier years.
    add_break_flags(b04, lambda r: period_sort_key(r["period"]) >= (2021, 0, 1))
    b16 = _merge_preferring(fuel["B16"], traf["B16"])
    for epoch in (1, 2):
        add_break_flags(b16, lambda r, e=epoch: r["_epoch"] >= e)

    rows = (traf["B01"] + b02 + b04 + traf["B05"] + traf["B07"] + traf["B08"] + els["B10"]
            + traf["B13"] + b16 + ta["B17"] + traf["B18"] + lonely["B19"] + cyc["B22"])

    seen = set()
    for r in rows:
        k = key_of(r)
        if k in seen:
            raise SourceError(f"duplicate observation key {k}")
        seen.add(k)
        if r["area_code"] not in AREAS:
            raise SourceError(f"area {r['area_code']} outside the nine places, England and North West")
    rows.sort(key=_sort_key)

    records: List[Record] = []
    for name, (_, rec) in provenance.items():
        mine = [r for r in rows if r["_source"] == name]
        if not mine:
            continue
        rec = dict(rec)
        rec["indicators"] = sorted({r["indicator_id"] for r in mine}, key=lambda k: int(k[1:]))
        if not rec["period"]:
            rec["period"] = period_span(mine)
        records.append(rec)
    records.extend(lonely_recs[1:])
    return rows, records


def render_csv(rows: List[Row]) -> str:
    """The observations file text: header plus rows, comma separated, ``\\n`` line ends."""
    lines = []

    def field(v: str) -> str:
        if any(c in v for c in ',"\r\n') or (v and (v[0] == " " or v[-1] == " ")):
            return '"' + v.replace('"', '""') + '"'
        return v

    lines.append(",".join(HEADER))
    for r in rows:
        lines.append(",".join(field(r[h]) for h in HEADER))
    return "\n".join(lines) + "\n"


def build_observations(shared: pathlib.Path, out_dir: pathlib.Path) -> List[Record]:
    """Write ``out_dir/observations.csv`` and return one provenance record per source file used.

    Each record has ``file``, ``publisher``, ``title``, ``licence``, ``period``,
    ``indicators`` (Beacon keys) and ``notes`` (how the values were derived).
    """
    rows, records = collect_observations(pathlib.Path(shared))
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "observations.csv").write_bytes(render_csv(rows).encode("utf-8"))
    return records


def main(argv: Optional[List[str]] = None) -> int:
    repo = pathlib.Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description="Build python/fairer/data/observations.csv from the shared data.")
    parser.add_argument("--shared", type=pathlib.Path, default=repo.parent / "shared",
                        help="the shared folder holding data/ (default: ../shared from the repository root)")
    parser.add_argument("--out", type=pathlib.Path, default=repo / "python" / "fairer" / "data",
                        help="output folder (default: python/fairer/data)")
    args = parser.parse_args(argv)
    records = build_observations(args.shared, args.out)
    for rec in records:
        print(f"{rec['file']}: {', '.join(rec['indicators'])} ({rec['period']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
