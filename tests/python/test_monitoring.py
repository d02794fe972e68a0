"""fairer.monitoring: comparisons (hand-worked and Fingertips' worked examples), aggregation
checked against published regional totals and a second method, baseline change, gaps,
within-region inequality (SII against numpy weighted least squares), sentences checked against
their inputs, and bad input."""
import math

import numpy as np
import pandas as pd
import pytest

import fairer
from fairer import monitoring

Z95 = 1.959963984540054
TIDY = ["indicator_id", "area_code", "period", "sex", "age", "category_type", "category", "value", "lower_ci95",
        "upper_ci95", "lower_ci99_8", "upper_ci99_8", "count", "denominator", "value_note", "flags"]


def frame(rows):
    """Tidy rows from (indicator, area, period, value, lower, upper[, extra dict])."""
    out = []
    for r in rows:
        extra = r[6] if len(r) > 6 else {}
        d = dict(indicator_id=r[0], area_code=r[1], period=r[2], sex="Persons", age="All ages", category_type="",
                 category="", value=r[3], lower_ci95=r[4], upper_ci95=r[5], lower_ci99_8=np.nan, upper_ci99_8=np.nan,
                 count=np.nan, denominator=np.nan, value_note="", flags="")
        d.update(extra)
        out.append(d)
    return pd.DataFrame(out, columns=TIDY)


def labels(df):
    return dict(zip(df["area_code"], df["label"]))


# --- comparator methods and polarity ------------------------------------------------------------

def test_single_overlap_every_polarity():
    # England 10; A (11, 13) lies above, B (7, 9) below, C (9, 11) contains 10.
    df = frame([("X", "E92000001", "2022", 10, 9.5, 10.5), ("X", "A", "2022", 12, 11, 13),
                ("X", "B", "2022", 8, 7, 9), ("X", "C", "2022", 10.5, 9, 11)])
    assert labels(monitoring.compare(df, polarity="higher is better")) == {"A": "Better", "B": "Worse", "C": "Similar"}
    assert labels(monitoring.compare(df, polarity="lower is better")) == {"A": "Worse", "B": "Better", "C": "Similar"}
    assert labels(monitoring.compare(df, polarity="no judgement")) == {"A": "Higher", "B": "Lower", "C": "Similar"}
    na = monitoring.compare(df, polarity="not applicable")
    assert set(na["label"]) == {"Not compared"}
    assert set(na["reason"]) == {"polarity not applicable"}
    assert set(na["method"]) == {"single overlap 95"}


def test_two_level_better_best():
    extra95 = {"lower_ci99_8": 7.5, "upper_ci99_8": 10.5}
    # 95% limits (8, 10), 99.8% (7.5, 10.5): England 10.2 is outside the 95% only; 11 outside both.
    df = frame([("X", "E92000001", "2022", 10.2, 10.1, 10.3), ("X", "A", "2022", 9, 8, 10, extra95)])
    r = monitoring.compare(df, method="17", polarity="higher is better")
    assert list(r["label"]) == ["Worse"]
    assert list(r["level"]) == [0.95]
    df.loc[0, "value"] = 11
    assert list(monitoring.compare(df, method="17", polarity="higher is better")["label"]) == ["Worst"]
    assert list(monitoring.compare(df, method="17", polarity="lower is better")["label"]) == ["Best"]


def test_double_overlap_uses_the_benchmark_limits():
    # A (8, 12) against England 13 (11, 15): the intervals overlap, so Similar, although the
    # single-overlap method finds England outside A's limits.
    df = frame([("X", "E92000001", "2022", 13, 11, 15), ("X", "A", "2022", 10, 8, 12)])
    assert list(monitoring.compare(df, method="double overlap 95", polarity="higher is better")["label"]) == ["Similar"]
    assert list(monitoring.compare(df, method="1", polarity="higher is better")["label"]) == ["Worse"]


def test_spc_proportion_fingertips_example():
    # Fingertips' SpcForProportionsComparerTest (indicator 514, 2010, low is good).
    b = 12.8379546895717
    df = frame([("X", "E92000001", "2010", b, np.nan, np.nan),
                ("X", "5PY", "2010", 10.9783420463032, np.nan, np.nan, {"denominator": 1339}),
                ("X", "5GC", "2010", 15.9065628476085, np.nan, np.nan, {"denominator": 899})])
    r95 = monitoring.compare(df, method="spc proportion", polarity="lower is better", multiplier=100)
    r998 = monitoring.compare(df, method="5", polarity="lower is better", multiplier=100, confidence=99.8)
    assert labels(r95) == {"5PY": "Better", "5GC": "Worse"}
    assert labels(r998) == {"5PY": "Similar", "5GC": "Similar"}


def test_spc_dsr_fingertips_example():
    # Fingertips' SpcForDsrComparerTest (indicator 501, MRSA per 100,000, 2011, low is good).
    df = frame([("X", "E92000001", "2011", 2.132708657734625, np.nan, np.nan),
                ("X", "5PP", "2011", 1.1358436559886544, np.nan, np.nan, {"denominator": 616282}),
                ("X", "5PT", "2011", 2.657913272289925, np.nan, np.nan, {"denominator": 601976}),
                ("X", "5PG", "2011", 4.1515156695295845, np.nan, np.nan, {"denominator": 409489})])
    r = monitoring.compare(df, method="spc dsr", polarity="lower is better", multiplier=100000)
    assert labels(r) == {"5PP": "Better", "5PT": "Similar", "5PG": "Worse"}


def test_quintiles_fingertips_example():
    # Fingertips' QuintilesComparerTest: values 1..10; low is good puts 1 in category 1, high
    # is good in category 5; the label names the value's position.
    rows = [("X", f"A{v:02d}", "2022", float(v), np.nan, np.nan) for v in range(1, 11)]
    df = frame(rows)
    low = monitoring.compare(df, method="quintiles", polarity="lower is better").set_index("area_code")
    high = monitoring.compare(df, method="15", polarity="higher is better").set_index("area_code")
    assert [low.loc[f"A{v:02d}", "quantile_group"] for v in (1, 3, 5, 7, 9)] == [1, 2, 3, 4, 5]
    assert [high.loc[f"A{v:02d}", "quantile_group"] for v in (1, 3, 5, 7, 9)] == [5, 4, 3, 2, 1]
    assert low.loc["A01", "label"] == "Lowest quintile"
    assert high.loc["A10", "label"] == "Highest quintile"
    q = monitoring.compare(df.iloc[:4], method="quartiles", polarity="no judgement")
    assert list(q["label"]) == ["Lowest quartile", "2nd lowest quartile", "2nd highest quartile", "Highest quartile"]


def test_missing_benchmark_is_stated():
    df = frame([("X", "A", "2022", 10, 9, 11), ("X", "E92000001", "2021", 10, 9, 11), ("X", "A", "2021", 12, 11, 13)])
    r = monitoring.compare(df, polarity="higher is better").set_index("period")
    assert r.loc["2022", "label"] == "Not compared"
    assert r.loc["2022", "reason"] == "benchmark has no value"
    assert r.loc["2021", "label"] == "Better"


def test_bad_input_raises_typed_errors():
    df = frame([("X", "E92000001", "2022", 10, 9, 11), ("X", "A", "2022", 10, 9, 11)])
    with pytest.raises(fairer.StatisticsError, match="sideways"):
        monitoring.compare(df, polarity="sideways")
    with pytest.raises(fairer.StatisticsError, match="comparator method"):
        monitoring.compare(df, method="7", polarity="higher is better")
    with pytest.raises(fairer.StatisticsError, match="no polarity"):
        monitoring.compare(df)
    bad = frame([("X", "E92000001", "2022", 10, 9, 11), ("X", "A", "2022", 10, 9, 11, {"denominator": -3})])
    with pytest.raises(fairer.StatisticsError, match="row 0"):
        monitoring.compare(bad, method="spc proportion", polarity="higher is better")
    with pytest.raises(fairer.Error, match="period"):
        monitoring.baseline_change(frame([("X", "A", "last year", 1, 0, 2)]), "2022", polarity="higher is better")


# --- aggregation ------------------------------------------------------------------------------

def test_aggregate_counts_reproduce_published_region(shared_dir):
    # DfE EYFSP 2018/19: summing the North West LAs' GLD counts and cohorts must give the
    # published North West row (number and percentage to 1 dp).
    d = pd.read_csv(shared_dir / "data" / "dfe_eyfsp_good_level_of_development_la_2013_2019.csv")
    d = d[(d["academic_year"] == "2018/19") & (d["gender"] == "Total") & (d["region_code"] == "E12000002")]
    las = d[d["geographic_level"] == "Local Authority"]
    region = d[d["geographic_level"] == "Regional"].iloc[0]
    df = frame([("GLD", r.la_code, "2018/19", r.gld_percent, np.nan, np.nan,
                 {"count": r.gld_number, "denominator": r.number_of_children}) for r in las.itertuples()])
    agg = monitoring.aggregate(df, {"NW": list(las["la_code"])}, value_type="proportion")
    row = agg.iloc[0]
    assert row["aggregation_method"] == "counts (Wilson)"
    assert row["count"] == region["gld_number"]
    assert row["denominator"] == region["number_of_children"]
    assert round(row["value"], 1) == region["gld_percent"]
    # Second method: Wilson limits written out here.
    x, n = row["count"], row["denominator"]
    centre, half = 2 * x + Z95 ** 2, Z95 * math.sqrt(Z95 ** 2 + 4 * x * (1 - x / n))
    assert row["lower_ci95"] == pytest.approx(100 * (centre - half) / (2 * (n + Z95 ** 2)), rel=1e-12)
    assert row["upper_ci95"] == pytest.approx(100 * (centre + half) / (2 * (n + Z95 ** 2)), rel=1e-12)


def test_aggregate_population_weighted_and_flagged():
    # Without counts: weights 1 and 3, values 10 and 20 (SE 1 and 2) -> 17.5, SE sqrt(37)/4.
    df = frame([("LE", "A", "2020 - 22", 10, 10 - Z95, 10 + Z95), ("LE", "B", "2020 - 22", 20, 20 - 2 * Z95, 20 + 2 * Z95)])
    agg = monitoring.aggregate(df, {"G": ["A", "B"]}, population={"A": 1, "B": 3}, value_type="life expectancy")
    row = agg.iloc[0]
    assert row["aggregation_method"] == "population-weighted"
    assert row["value"] == pytest.approx(17.5)
    assert row["upper_ci95"] - row["value"] == pytest.approx(Z95 * math.sqrt(37) / 4)
    missing = monitoring.aggregate(df.iloc[:1], {"G": ["A", "B"]}, population={"A": 1, "B": 3})
    assert math.isnan(missing.iloc[0]["value"])
    assert missing.iloc[0]["aggregation_method"] == "incomplete"
    assert missing.iloc[0]["aggregation_note"] == "'B' has no value"


def test_named_set_benchmark_is_aggregated_first():
    extra = lambda x, n: {"count": x, "denominator": n}  # noqa: E731
    df = frame([("P", "A", "2022", 30, np.nan, np.nan, extra(30, 100)), ("P", "B", "2022", 20, np.nan, np.nan, extra(20, 100)),
                ("P", "C", "2022", 50, 45, 55, extra(50, 100))])
    r = monitoring.compare(df, ["A", "B"], benchmark_name="A+B", areas=["C"], method="double overlap 95",
                           polarity="higher is better", value_type="proportion").iloc[0]
    # A and B pool to 50/200 = 25% with Wilson limits 19.508..31.434 (R prop.test(50, 200,
    # correct = FALSE)); C (45, 55) lies above them.
    assert r["benchmark_code"] == "A+B"
    assert r["benchmark_value"] == pytest.approx(25)
    assert r["benchmark_lower_ci95"] == pytest.approx(19.508168, rel=1e-6)
    assert r["label"] == "Better"
    with pytest.raises(fairer.StatisticsError, match="population weight"):
        monitoring.compare(df, ["A", "B"], areas=["C"], polarity="higher is better")


# --- change, gap, inequality ---------------------------------------------------------------------

def test_baseline_change_hand_worked():
    # SE 1 in every period: change 2023/24 - 2022/23 = 3, SE sqrt 2, significant (3 > 2.77).
    df = frame([("X", "A", "2021/22", 9, 9 - Z95, 9 + Z95), ("X", "A", "2022/23", 10, 10 - Z95, 10 + Z95),
                ("X", "A", "2023/24", 13, 13 - Z95, 13 + Z95)])
    r = monitoring.baseline_change(df, "2022", polarity="lower is better").iloc[0]
    assert r["baseline_period"] == "2022/23"
    assert r["latest_period"] == "2023/24"
    assert r["change"] == pytest.approx(3)
    assert r["change_lower"] == pytest.approx(3 - Z95 * math.sqrt(2))
    assert bool(r["significant"])
    assert r["assessment"] == "worsened"
    df.loc[2, "value"] = 12
    df.loc[2, ["lower_ci95", "upper_ci95"]] = [12 - Z95, 12 + Z95]
    assert monitoring.baseline_change(df, "2022", polarity="lower is better").iloc[0]["assessment"] == "no significant change"
    none = monitoring.baseline_change(df[df["period"] != "2022/23"], "2022", polarity="lower is better").iloc[0]
    assert none["assessment"] == "not assessed"
    assert none["baseline_period"] is None


def test_gap_to_england_widened():
    h = 0.5 * Z95  # SE 0.5 everywhere: the change in the gap has SE 1
    df = frame([("X", "E92000001", "2022", 75, 75 - h, 75 + h), ("X", "A", "2022", 70, 70 - h, 70 + h),
                ("X", "E92000001", "2024", 76, 76 - h, 76 + h), ("X", "A", "2024", 68, 68 - h, 68 + h)])
    g = monitoring.gap_to_england(df, "2022").iloc[0]
    assert g["gap_baseline"] == pytest.approx(-5)
    assert g["gap_now"] == pytest.approx(-8)
    assert g["relative_now"] == pytest.approx(68 / 76)
    # Relative gap on the log scale (delta method): SE of log(70/75) = sqrt((0.5/70)^2 + (0.5/75)^2).
    se = math.hypot(0.5 / 70, 0.5 / 75)
    assert g["relative_baseline"] == pytest.approx(70 / 75)
    assert g["relative_baseline_lower"] == pytest.approx(70 / 75 * math.exp(-Z95 * se), rel=1e-12)
    assert g["relative_baseline_upper"] == pytest.approx(70 / 75 * math.exp(Z95 * se), rel=1e-12)
    assert g["gap_change"] == pytest.approx(-3)
    assert g["gap_change_lower"] == pytest.approx(-3 - Z95)
    assert g["movement"] == "widened"


def test_within_region_sii_matches_numpy_wls():
    rng = np.random.default_rng(6)
    places = [f"P{i}" for i in range(9)]
    score = dict(zip(places, rng.uniform(10, 50, 9)))
    pop = dict(zip(places, rng.uniform(1e5, 5e5, 9)))
    vals = rng.uniform(70, 85, 9)
    df = frame([("X", p, "2022", v, v - 1, v + 1) for p, v in zip(places, vals)])
    r = monitoring.within_region_inequality(df, places, deprivation=score, population=pop,
                                            polarity="higher is better").iloc[0]
    assert r["range"] == pytest.approx(vals.max() - vals.min())
    assert r["ratio"] == pytest.approx(vals.max() / vals.min())
    assert r["best"] == places[int(vals.argmax())]
    assert r["worst"] == places[int(vals.argmin())]
    # Second method: weighted least squares on relative rank (most deprived first) with numpy.
    order = sorted(places, key=lambda p: -score[p])
    a = np.array([pop[p] for p in order]) / sum(pop.values())
    b = np.cumsum(a) - a / 2
    v = np.array([vals[places.index(p)] for p in order])
    sw = np.sqrt(a)
    coef, *_ = np.linalg.lstsq(np.column_stack([sw, b * sw]), v * sw, rcond=None)
    assert r["sii"] == pytest.approx(coef[1], rel=1e-10)


# --- sentences ---------------------------------------------------------------------------------

def test_sentences_follow_the_tests():
    h = 0.5 * Z95
    df = frame([("X", "E92000001", "2022", 75, 75 - h, 75 + h), ("X", "E08000011", "2022", 70, 70 - h, 70 + h),
                ("X", "E92000001", "2024", 76, 76 - h, 76 + h), ("X", "E08000011", "2024", 68, 68 - h, 68 + h),
                ("X", "B", "2022", 75, 74, 76), ("X", "B", "2024", 76.2, 75, 77)])
    comp = monitoring.compare(df, polarity="higher is better")
    gaps = monitoring.gap_to_england(df, "2022")
    areas = fairer.load_default().areas
    s = monitoring.sentences(comp, gaps, areas=areas)
    by = dict(zip(zip(comp["area_code"], comp["period"]), s))
    assert by[("E08000011", "2024")] == "Knowsley is significantly worse than England and the gap has widened since 2022."
    assert by[("B", "2024")] == "B is not significantly different from England."
    for (_, c), text in zip(comp.iterrows(), s):
        significant = c["label"] in ("Better", "Worse", "Best", "Worst", "Higher", "Lower")
        assert ("significantly" in text and "not significantly" not in text) == significant
        assert ("better" in text) == (c["label"] in ("Better", "Best"))
        assert ("worse" in text) == (c["label"] in ("Worse", "Worst"))
    nc = monitoring.compare(frame([("X", "A", "2022", 1, 0, 2)]), polarity="higher is better")
    assert list(monitoring.sentences(nc)) == ["A could not be compared with England (benchmark has no value)."]


# --- the embedded data and the report section --------------------------------------------------

def test_default_data_runs_end_to_end():
    data = fairer.load_default()
    comp = monitoring.compare(data)
    assert len(comp) > 0
    assert set(comp["label"]) <= {"Better", "Similar", "Worse", "Higher", "Lower", "Not compared"}
    assert (comp.loc[~comp["compared"], "reason"] != "").all()
    agg = monitoring.aggregate(data)
    assert set(agg["area_code"]) <= {"SR-CW", "SR-LCR", "E54000008"}
    assert set(agg["aggregation_method"]) <= {"counts (Wilson)", "counts (exact Poisson / Byar)", "population-weighted",
                                             "incomplete"}
    html_text = monitoring.report_section_html(data, include_trend=False)
    assert html_text.startswith("<section")
    assert "<caption>" in html_text
    assert "Recent trend" not in html_text
    # One row per area other than England and series (its latest period), plus one "no data" row
    # per framework indicator without data for any of them.
    obs = fairer.io.to_pandas(data.observations)
    others = obs[obs["area_code"] != "E92000001"]
    series = others.groupby(monitoring.SERIES_KEYS + ["area_code"]).ngroups
    without = sum(1 for i in data.framework.indicators if i.key not in set(others["indicator_id"]))
    assert html_text.count('<tr><th scope="row">') == series + without
    assert html_text.count('class="no-data"') == without


def test_report_trend_column_comes_from_fairer_trends():
    from fairer import trends
    data = fairer.load_default()
    html_text = monitoring.report_section_html(data)
    assert "<th scope=\"col\">Recent trend</th>" in html_text
    fw = data.framework
    df = fairer.io.to_pandas(data.observations)
    pol = {k: fw.indicator(k).polarity.name.replace("_", " ") for k in fw.indicator_keys()}
    vt = {k: fw.indicator(k).value_type.name.replace("_", " ") for k in fw.indicator_keys()}
    keys = monitoring.SERIES_KEYS + ["area_code"]
    fingertips = trends.recent_trend(df, polarity=pol, value_type=vt).set_index(keys)
    table = monitoring.monitoring_table(data).set_index(keys)
    pooled_rows = 0
    for key, row in table.iterrows():
        f = fingertips.loc[key]
        if row["trend_method"].startswith("GLS"):
            # Overlapping pooled periods (B01, B02): fairer's pooled test, which Fingertips never runs.
            assert f["reason"] in ("periods are not single years or parts of a year",
                                   "value type not tested (only proportions, crude rates and DSRs)")
            g = trends.pooled_trend(df[(df[keys] == pd.Series(key, index=keys)).all(axis=1)], polarity=pol).iloc[0]
            assert row["trend"] == (g["trend"] if g["tested"] else "Cannot be calculated")
            pooled_rows += 1
        elif bool(f["tested"]):
            assert row["trend"] == f["trend"]
        else:
            # Never Fingertips' default "No significant change" for a series no test was run on.
            assert row["trend"] == "Cannot be calculated" and row["trend_reason"] == f["reason"]
    assert pooled_rows > 0
    for label in set(table["trend"]):
        assert label in html_text


def test_compare_places_is_n_by_n_and_antisymmetric():
    df = frame([("X", "A", "2022", 10, 9, 11), ("X", "B", "2022", 13, 12, 14), ("X", "C", "2022", 11.5, 10.5, 12.5)])
    r = monitoring.compare_places(df, ["A", "B", "C"], polarity="higher is better")
    assert len(r) == 6
    assert not (r["area_code"] == r["benchmark_code"]).any()
    pairs = {(a, b): lab for a, b, lab in zip(r["area_code"], r["benchmark_code"], r["label"])}
    # A (9, 11) and B (12, 14) do not overlap; C overlaps both.
    assert pairs[("A", "B")] == "Worse" and pairs[("B", "A")] == "Better"
    assert pairs[("A", "C")] == "Similar" and pairs[("C", "B")] == "Similar"
    opposite = {"Better": "Worse", "Worse": "Better", "Similar": "Similar"}
    for (a, b), lab in pairs.items():
        assert pairs[(b, a)] == opposite[lab]


def test_sub_region_benchmark_is_built_from_its_places():
    data = fairer.load_default()
    df = fairer.io.to_pandas(data.observations)
    agg = monitoring.aggregate(data)
    lcr = [a.code for a in data.areas.places() if "SR-LCR" in a.parents]
    assert len(lcr) == 6
    # Second method for the count-based aggregates: pandas sums of the members' counts.
    for _, row in agg[(agg["aggregation_method"] == "counts (Wilson)") & (agg["area_code"] == "SR-LCR")].iterrows():
        members = df[(df["indicator_id"] == row["indicator_id"]) & (df["period"] == row["period"])
                     & (df["sex"] == row["sex"]) & (df["area_code"].isin(lcr))]
        assert row["count"] == members["count"].sum()
        assert row["value"] == pytest.approx(100 * members["count"].sum() / members["denominator"].sum(), rel=1e-12)
    r = monitoring.compare(data, "SR-LCR", areas=["E08000011"])
    assert set(r["benchmark_code"]) == {"SR-LCR"}
    merged = r.merge(agg[agg["area_code"] == "SR-LCR"], on=monitoring.SERIES_KEYS + ["period"], suffixes=("", "_agg"))
    assert len(merged) > 0
    np.testing.assert_array_equal(merged["benchmark_value"].to_numpy(), merged["value_agg"].to_numpy())


def test_sentences_from_data_match_the_comparisons():
    data = fairer.load_default()
    s = monitoring.sentences(data)
    assert len(s) > 0
    assert s.str.endswith(".").all()
    # Each sentence agrees with the comparison of the latest period it was built from.
    knowsley = [t for t in s if t.startswith("Knowsley")]
    assert knowsley
    assert not any("England and the gap" in t and "not significantly" in t for t in s)


def test_duplicate_benchmark_rows_are_refused():
    df = frame([("X", "E92000001", "2022", 10, 9, 11), ("X", "E92000001", "2022", 11, 10, 12), ("X", "A", "2022", 1, 0, 2)])
    with pytest.raises(fairer.Error, match="more than one row"):
        monitoring.compare(df, polarity="higher is better")


def test_missing_column_is_a_typed_error():
    df = frame([("X", "A", "2022", 1, 0, 2)]).drop(columns=["sex"])
    with pytest.raises(fairer.Error, match="sex"):
        monitoring.compare(df, polarity="higher is better")


# --- the whole-table baseline pass against a per-series second method ---------------------------

def test_baseline_change_over_the_extract_matches_a_per_series_loop(shared_dir):
    # The C++ pass (one walk over all rows) against the rules applied one series at a time in
    # Python: find_baseline_period on the series' periods, the latest by TimePeriod order (the
    # later row on a tie), and the difference of the two estimates.
    from fairer import io
    df = io.to_pandas(io.read_fingertips_next(shared_dir / "data" / "fingertips_subset_fingertipsnext_2025-02.csv",
                                              allow_duplicate_keys=True, check_intervals=False))
    keys = monitoring.SERIES_KEYS + ["area_code"]
    for c in keys + ["period"]:
        df[c] = df[c].astype(str)
    df = df.drop_duplicates(keys + ["period"], keep="last").reset_index(drop=True)
    codes = df.groupby(keys, sort=False).ngroup()
    df = df[codes % 7 == 0].reset_index(drop=True)  # a seventh of the series keeps the loop quick
    got = monitoring.baseline_change(df, "2022", polarity="lower is better")
    assert len(got) == df.groupby(keys, sort=False).ngroups
    checked = {"not assessed": 0, "assessed": 0}
    for (key, g), (_, r) in zip(df.groupby(keys, sort=False), got.iterrows()):
        assert tuple(r[keys]) == key
        periods = list(g["period"])
        i = fairer._core.find_baseline_period(periods, "2022")
        last = sorted(range(len(periods)), key=lambda k: fairer.TimePeriod.parse(periods[k]))[-1]
        assert r["latest_period"] == periods[last]
        assert r["latest_value"] == g["value"].iloc[last] or (math.isnan(r["latest_value"]) and math.isnan(g["value"].iloc[last]))
        if i < 0 or periods[i] == periods[last]:
            assert r["assessment"] == "not assessed"
            checked["not assessed"] += 1
            continue
        assert r["baseline_period"] == periods[i]
        b, l = g.iloc[i], g.iloc[last]
        se = math.hypot(b["upper_ci95"] - b["lower_ci95"], l["upper_ci95"] - l["lower_ci95"]) / (2 * Z95)
        if math.isnan(se) or math.isnan(l["value"] - b["value"]):
            assert r["assessment"] == "not assessed"
            continue
        change = l["value"] - b["value"]
        assert r["change"] == pytest.approx(change, rel=1e-12, abs=1e-12)
        assert r["change_lower"] == pytest.approx(change - Z95 * se, rel=1e-9, abs=1e-9)
        significant = abs(change) > Z95 * se
        assert bool(r["significant"]) == significant
        assert r["assessment"] == (("worsened" if change > 0 else "improved") if significant else "no significant change")
        checked["assessed"] += 1
    assert min(checked.values()) > 0, checked


def test_baseline_change_bad_input_is_a_typed_error():
    df = frame([("X", "A", "2021", 9, 8, 10), ("X", "A", "2022", 10, 9, 11)])
    with pytest.raises(fairer.Error, match="last year"):
        monitoring.baseline_change(df, "last year", polarity="higher is better")
    with pytest.raises(fairer.StatisticsError, match="sideways"):
        monitoring.baseline_change(df, "2022", polarity="sideways")
    bad = df.copy()
    bad.loc[1, "period"] = "22nd"
    with pytest.raises(fairer.Error, match="22nd"):
        monitoring.gap_to_england(bad, "2022")
    # A series without the baseline period is reported, not dropped and not guessed.
    r = monitoring.baseline_change(df[df["period"] == "2021"], "2022", polarity="higher is better").iloc[0]
    assert r["assessment"] == "not assessed" and r["baseline_period"] is None and math.isnan(r["change"])
