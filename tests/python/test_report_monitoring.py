"""The monitoring section of the Cheshire and Merseyside report: the comparison label, the
change since the 2022 baseline and the sentence shown for a place are checked against the same
results worked out here from the raw embedded CSV (the csv module and plain arithmetic), and
indicators without data say so."""
import csv
import html
import math
import re

import pytest

import fairer
from fairer import report

Z95 = 1.959963984540054
ENGLAND = "E92000001"


@pytest.fixture(scope="module")
def data():
    return fairer.load_default()


@pytest.fixture(scope="module")
def page(data):
    return report.render_html(data)


@pytest.fixture(scope="module")
def raw():
    with open(fairer.DATA_DIR / "observations.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _period_key(period: str):
    """(first year, last year) of the calendar, financial and pooled forms used in the file."""
    m = re.fullmatch(r"(\d{4})(?:/(\d{2}))?(?: - (\d{2}))?", period)
    assert m, period
    first = int(m.group(1))
    last = first + 1 if m.group(2) else first
    if m.group(3):
        last = (first // 100) * 100 + int(m.group(3))
    return (first, last)


def _num(text):
    return float(text) if text != "" else math.nan


def _rows(raw, indicator, sex):
    return [r for r in raw if r["indicator_id"] == indicator and r["sex"] == sex and r["category"] == ""]


def _html_row(page, indicator, place_name, group):
    """The cells (text, css class) of the monitoring row for one indicator, place and group."""
    pattern = (r'<tr><th scope="row">' + re.escape(indicator) + r' [^<]*</th><td>' + re.escape(html.escape(place_name))
               + r'</td><td>' + re.escape(group) + r'</td>(.*?)</tr>')
    found = re.findall(pattern, page)
    assert len(found) == 1, (indicator, place_name, group, len(found))
    return [(cls, html.unescape(text)) for cls, text in re.findall(r'<td(?: class="([^"]*)")?>(.*?)</td>', found[0])]


def test_comparison_labels_match_a_hand_check_of_the_limits(data, page, raw):
    # B02 (healthy life expectancy, higher is better): England's value against each place's 95%
    # limits in the place's latest period, by hand.
    names = {a.code: a.name for a in data.areas}
    seen = {"Better": 0, "Worse": 0, "Similar": 0}
    for sex in ("Male", "Female"):
        rows = _rows(raw, "B02", sex)
        england = {r["period"]: _num(r["value"]) for r in rows if r["area_code"] == ENGLAND}
        for place in data.areas.places():
            mine = [r for r in rows if r["area_code"] == place.code]
            latest = max(mine, key=lambda r: _period_key(r["period"]))
            lo, hi, e = _num(latest["lower_ci95"]), _num(latest["upper_ci95"]), england[latest["period"]]
            assert not math.isnan(lo) and not math.isnan(hi) and not math.isnan(e)
            expected = "Better" if lo > e else ("Worse" if hi < e else "Similar")
            seen[expected] += 1
            cells = _html_row(page, "B02", names[place.code], sex)
            assert cells[0][1] == latest["period"]
            cls, label = cells[2]
            assert label == expected, (place.name, sex)
            assert cls == {"Better": "cmp-better", "Worse": "cmp-worse", "Similar": "cmp-similar"}[expected]
            sentence = cells[-1][1]
            if expected == "Similar":
                assert sentence.startswith(f"{place.name} is not significantly different from England")
            else:
                assert sentence.startswith(f"{place.name} is significantly {expected.lower()} than England")
    # The embedded data hold places wholly above, wholly below and overlapping England.
    assert min(seen.values()) > 0, seen


def test_change_since_baseline_matches_a_hand_computation(data, page, raw):
    # B10 (lower is better), Liverpool: change from 2022 to its latest year with SE from the two
    # periods' 95% limits.
    rows = [r for r in _rows(raw, "B10", "Persons") if r["area_code"] == "E08000012"]
    by_period = {r["period"]: r for r in rows}
    latest = max(rows, key=lambda r: _period_key(r["period"]))
    base = by_period["2022"]
    change = _num(latest["value"]) - _num(base["value"])
    se = math.hypot(_num(latest["upper_ci95"]) - _num(latest["lower_ci95"]),
                    _num(base["upper_ci95"]) - _num(base["lower_ci95"])) / (2 * Z95)
    significant = abs(change) > Z95 * se
    word = ("worsened" if change > 0 else "improved") if significant else "no significant change"
    cells = _html_row(page, "B10", "Liverpool", "Persons")
    text = cells[-2][1]
    assert word in text
    assert f"{change:+.1f} since 2022" in text
    arrow = "\u2192" if not significant else ("\u2191" if change > 0 else "\u2193")
    assert text.startswith(arrow)


def test_every_place_and_indicator_without_data_is_stated(data, page, raw):
    section = page[page.index('<section class="monitoring">'):]
    with_data = {r["indicator_id"] for r in raw if r["area_code"] != ENGLAND}
    for ind in data.framework.indicators:
        if ind.key in with_data:
            assert re.search(r'<th scope="row">' + ind.key + r' [^<]*</th><td>[^<]', section), ind.key
        else:
            assert re.search(r'<th scope="row">' + ind.key + r' [^<]*</th><td class="no-data"[^>]*>No data', section), ind.key
    for theme in data.framework.themes:
        assert f"<h3>{html.escape(theme.title)}</h3>" in section, theme.key
    for place in data.areas.places():
        assert f"<td>{html.escape(place.name)}</td>" in section, place.code


def test_trend_cells_carry_the_fingertips_marker_and_its_reason(data, page):
    section = page[page.index('<section class="monitoring">'):]
    cells = re.findall(r'<td(?: class="[^"]*")?>((?:&#x2192;|\u2192|\u2191|\u2193)? ?(?:No significant change|Increasing|'
                       r'Decreasing|Cannot be calculated)[^<]*)</td>', section)
    assert cells
    for text in cells:
        t = html.unescape(text)
        if t.startswith("Cannot be calculated"):
            assert re.fullmatch(r"Cannot be calculated \(.+\)", t), t  # the reason is given
        else:
            assert t[0] in "\u2192\u2191\u2193", t


def test_styles_give_the_comparison_colours(page):
    head = page[:page.index("</head>")]
    assert "td.cmp-better{background:#92d050}" in head
    assert "td.cmp-worse{background:#c00000" in head
