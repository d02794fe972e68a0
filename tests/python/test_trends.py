"""Tests of fairer.trends: series with a known answer, ineligible and bad series, and agreement
with the recent-trend markers Fingertips published in the FingertipsNext seed extract.

Known answers are worked by hand in the comments (equal weights make the weighted regression an
ordinary one: slope = sum (t - 3)(y - ybar) / 10, Var(slope) = SE^2 / 10).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fairer
from fairer import io as fio
from fairer.trends import TREND_CHI_SQUARE_998, pooled_trend, recent_trend


def series(values, se=1.0, *, periods=None, count=None, denominator=None, **extra):
    """A tidy frame for one series with limits value -/+ 1.96 SE (so SE = (U - L) / 3.92 exactly)."""
    n = len(values)
    v = np.asarray(values, dtype=float)
    se = np.broadcast_to(np.asarray(se, dtype=float), (n,))
    df = pd.DataFrame({
        "indicator_id": "X1", "area_code": "E06000006",
        "period": periods if periods is not None else [str(2015 + i) for i in range(n)],
        "value": v, "lower_ci95": v - 1.96 * se, "upper_ci95": v + 1.96 * se,
        "count": count if count is not None else np.arange(10.0, 10.0 + n),
        "denominator": denominator if denominator is not None else np.full(n, 1000.0),
    })
    for k, val in extra.items():
        df[k] = val
    return df


def one(df, **kw):
    kw.setdefault("polarity", "lower is better")
    kw.setdefault("value_type", "crude rate")
    out = recent_trend(df, **kw)
    assert len(out) == 1
    return out.iloc[0]


class TestKnownAnswers:
    def test_increasing_worse_when_low_is_good(self):
        # 10, 12, ..., 18 with SE 1: slope 2, chi^2 = 4 * 10 = 40 > 9.5495.
        r = one(series([10, 12, 14, 16, 18]))
        assert r.trend == "Increasing and getting worse"
        assert r.slope == pytest.approx(2.0, rel=1e-12)
        assert r.chi_square == pytest.approx(40.0, rel=1e-12)
        assert r.leave_one_out_same_sign and r.tested
        assert (r.first_period, r.last_period, r.points_used) == ("2015", "2019", 5)
        assert r.method == "weighted regression"
        assert r.threshold == TREND_CHI_SQUARE_998

    @pytest.mark.parametrize("polarity,values,label", [
        ("higher is better", [10, 12, 14, 16, 18], "Increasing and getting better"),
        ("High is good", [18, 16, 14, 12, 10], "Decreasing and getting worse"),
        ("RAG - Low is good", [18, 16, 14, 12, 10], "Decreasing and getting better"),
        ("no judgement", [10, 12, 14, 16, 18], "Increasing"),
        ("Not applicable", [18, 16, 14, 12, 10], "Decreasing"),
    ])
    def test_labels_per_polarity(self, polarity, values, label):
        assert one(series(values), polarity=polarity).trend == label

    def test_below_threshold(self):
        # slope 0.3: chi^2 = 0.09 * 10 = 0.9 < 9.5495.
        r = one(series([10, 10.3, 10.6, 10.9, 11.2]))
        assert r.chi_square == pytest.approx(0.9, rel=1e-12)
        assert r.trend == "No significant change"

    def test_leave_one_out_rule(self):
        # 12, 10, 10, 10, 20: slope 1.6, chi^2 = 25.6 > 9.5495, but without the last point the
        # slope of 12, 10, 10, 10 is -0.6: the signs differ, so no significant change.
        r = one(series([12, 10, 10, 10, 20]))
        assert r.chi_square == pytest.approx(25.6, rel=1e-12)
        assert not r.leave_one_out_same_sign
        assert r.trend == "No significant change"

    def test_only_the_last_five_valid_points(self):
        # The early values would reverse the trend; 2018 lacks its count and is skipped.
        df = series([50, 40, 10, 99, 12, 14, 16, 18])
        df.loc[3, "count"] = np.nan
        r = one(df)
        assert (r.first_period, r.last_period, r.invalid_skipped) == ("2017", "2022", 1)
        assert r.slope == pytest.approx(2.0, rel=1e-12)
        assert r.trend == "Increasing and getting worse"

    def test_rows_in_any_order(self):
        df = series([10, 12, 14, 16, 18]).iloc[[3, 0, 4, 2, 1]]
        assert one(df).trend == "Increasing and getting worse"

    def test_chi_square_for_trend_in_proportions(self):
        # Armitage's regression form as the second formula: b = sum (t - tn)(r - n p) / sum n (t - tn)^2,
        # chi^2 = b^2 sum n (t - tn)^2 / (p (1 - p)), p = R / N, tn = denominator-weighted mean of t.
        r_ = np.array([120, 131, 150, 149, 170.0])
        n_ = np.array([1000, 1010, 1020, 990, 1005.0])
        t = np.arange(1, 6.0)
        p, tn = r_.sum() / n_.sum(), (n_ * t).sum() / n_.sum()
        sxx = (n_ * (t - tn) ** 2).sum()
        b = ((t - tn) * (r_ - n_ * p)).sum() / sxx
        expected = b * b * sxx / (p * (1 - p))
        df = series(100 * r_ / n_, count=r_, denominator=n_)
        df[["lower_ci95", "upper_ci95"]] = np.nan  # the proportions test does not need limits
        r = one(df, value_type="proportion", use_proportions=True)
        assert r.chi_square == pytest.approx(expected, rel=1e-10)
        assert r.method == "chi-square test for trend"
        assert r.trend == "Increasing and getting worse"
        # without limits the weighted regression cannot be done: Fingertips' arithmetic gives NaN
        # and prints "No significant change"; fairer says so but marks it untested
        r = one(df, value_type="proportion")
        assert (r.trend, r.tested, r.reason) == ("No significant change", False,
                                                 "fewer than 5 valid periods with 95% limits")
        assert one(df, value_type="proportion", untested="cannot").trend == "Cannot be calculated"

    def test_grouped_with_mapping_settings(self):
        a = series([10, 12, 14, 16, 18])
        b = series([10, 12, 14, 16, 18], indicator_id="X2")
        out = recent_trend(pd.concat([a, b]), polarity={"X1": "higher is better", "X2": "lower is better"},
                           value_type={"X1": "proportion", "X2": "Directly standardised rate"})
        assert list(out.trend) == ["Increasing and getting better", "Increasing and getting worse"]


class TestIneligible:
    def test_too_few_points(self):
        r = one(series([1, 2, 3, 4]))
        assert (r.trend, r.reason) == ("Cannot be calculated", "fewer than 5 periods")

    def test_too_few_valid_points(self):
        df = series([1, 2, 3, 4, 5, 6])
        df.loc[[1, 4], "value"] = np.nan
        r = one(df)
        assert r.trend == "Cannot be calculated"
        assert r.reason == "fewer than 5 periods with value, count and denominator"

    def test_count_equals_denominator(self):
        df = series([1, 2, 3, 4, 5, 6])
        df.loc[0, "count"] = 1000.0
        assert one(df).reason == "a period has count equal to denominator"

    @pytest.mark.parametrize("value_type", ["indirectly standardised ratio", "Count", "life expectancy", "Score"])
    def test_value_types_fingertips_does_not_test(self, value_type):
        r = one(series([10, 12, 14, 16, 18]), value_type=value_type)
        assert r.trend == "Cannot be calculated"
        assert r.reason.startswith("value type not tested")

    def test_pooled_periods_get_no_fingertips_marker(self):
        r = one(series([10, 12, 14, 16, 18], periods=["2014 - 16", "2015 - 17", "2016 - 18", "2017 - 19", "2018 - 20"]))
        assert (r.trend, r.reason) == ("Cannot be calculated", "periods are not single years or parts of a year")


class TestBadInput:
    def test_repeated_period(self):
        df = series([1, 2, 3, 4, 5], periods=["2015", "2016", "2016", "2017", "2018"])
        with pytest.raises(fairer.DataError, match="'2016' appears more than once"):
            one(df)

    def test_mixed_period_shapes(self):
        df = series([1, 2, 3, 4, 5], periods=["2015", "2016", "2017", "2018/19 Q1", "2018/19 Q2"])
        with pytest.raises(fairer.DataError, match="different shapes"):
            one(df)

    def test_unknown_polarity(self):
        with pytest.raises(fairer.Error, match="unknown polarity"):
            one(series([1, 2, 3, 4, 5]), polarity="up is good")

    def test_unknown_value_type(self):
        with pytest.raises(fairer.Error, match="unknown value type"):
            one(series([1, 2, 3, 4, 5]), value_type="percentage-ish")

    def test_polarity_required(self):
        with pytest.raises(fairer.DataError, match="give polarity="):
            recent_trend(series([1, 2, 3, 4, 5]), value_type="crude rate")

    def test_missing_indicator_in_mapping(self):
        with pytest.raises(fairer.DataError, match="no polarity given for indicator 'X1'"):
            one(series([1, 2, 3, 4, 5]), polarity={"X9": "lower is better"})


POOLED = ["2011 - 13", "2012 - 14", "2013 - 15", "2014 - 16", "2015 - 17", "2016 - 18", "2017 - 19"]


class TestPooledTrend:
    def test_linear_pooled_series_gives_its_slope(self):
        # 3-year means of 80 + 0.25 (year - 2011) rise by 0.25 a year.
        values = [80 + 0.25 * (k + 1) for k in range(7)]
        r = pooled_trend(series(values, se=0.1, periods=POOLED), polarity="higher is better").iloc[0]
        assert r.slope == pytest.approx(0.25, rel=1e-10)
        assert r.pool_years == 3
        assert (r.first_period, r.last_period) == ("2013 - 15", "2017 - 19")
        assert r.trend == "Increasing and getting better"

    def test_one_year_pools_match_the_fingertips_regression(self):
        df = series([20.1, 19.4, 18.9, 18.2, 17.0], se=[0.3, 0.5, 0.2, 0.4, 0.6])
        a = pooled_trend(df, polarity="higher is better").iloc[0]
        b = one(df, polarity="higher is better")
        assert a.chi_square == pytest.approx(b.chi_square, rel=1e-10)
        assert a.slope == pytest.approx(b.slope, rel=1e-10)
        assert a.trend == b.trend

    def test_overlap_widens_the_standard_error(self):
        # Pools one and two years apart are correlated 2/3 and 1/3, so the slope's SE must exceed
        # s / sqrt(10), its value if the five pools were independent.
        values = [80.0, 80.4, 80.3, 80.9, 81.1]
        r = pooled_trend(series(values, se=0.2, periods=POOLED[:5]), polarity="higher is better").iloc[0]
        assert r.slope_se > 0.2 / np.sqrt(10)

    def test_gaps_and_mixed_lengths(self):
        r = pooled_trend(series([80, 80.3, 80.6, 80.9, 81.2], se=0.1,
                                periods=["2009 - 11", "2011 - 13", "2013 - 15", "2015 - 17", "2017 - 19"]),
                         polarity="higher is better").iloc[0]
        # first years 2 apart share one of three years; a linear series still gives its slope
        assert r.slope == pytest.approx(0.15, rel=1e-10)
        with pytest.raises(fairer.DataError, match="different shapes"):
            pooled_trend(series([1, 2, 3, 4, 5], periods=["2011 - 13", "2012 - 14", "2013", "2014", "2015"]),
                         polarity="higher is better")
        with pytest.raises(fairer.DataError, match="whole-year periods"):
            pooled_trend(series([1, 2, 3, 4, 5], periods=[f"2018/19 Q{q}" for q in (1, 2, 3, 4)] + ["2019/20 Q1"]),
                         polarity="higher is better")

    def test_too_few_points(self):
        r = pooled_trend(series([80, 81, 82, 83], periods=POOLED[:4]), polarity="higher is better").iloc[0]
        assert (r.trend, r.reason) == ("Cannot be calculated", "fewer than 5 periods")


# ---------------------------------------------------------------------------------------------
# Agreement with Fingertips on the FingertipsNext seed extract (shared/data README §4).
#
# Indicator metadata the extract does not carry, from the Fingertips database as FingertipsNext
# exported it (dhsc-govuk/FingertipsNext, DataCreator/DataCreator/data/out/indicators.csv at
# commit 4565fec1a9e69446da2bfde7c7424904f51b369d): polarity, BenchmarkComparisonMethod, value type.
# Fingertips picks the proportions test only for the comparator method "SPC for proportions",
# which none of these indicators uses (the same file's UseProportionsForTrend flag is not what
# Fingertips reads: with it, 241 and 247 would each disagree once more, see the note below).
META = {
    "241": ("Not applicable", "QUINTILES", "Proportion"), "247": ("Not applicable", "QUINTILES", "Proportion"),
    "337": ("Not applicable", "QUINTILES", "Count"), "352": ("Not applicable", "", "Proportion"),
    "383": ("Not applicable", "", "Proportion"), "20401": ("Low is good", "RAG", "Crude rate"),
    "22401": ("Low is good", "RAG", "Directly standardised rate"), "30302": ("High is good", "RAG", "Proportion"),
    "41101": ("Low is good", "RAG", "Indirectly standardised proportion"),
    "41203": ("Low is good", "RAG", "Crude rate"), "90453": ("Not applicable", "", "Proportion"),
    "91040": ("High is good", "RAG", "Proportion"), "91344": ("Not applicable", "RAG", "Indirectly standardised ratio"),
    "91894": ("Not applicable", "RAG", "Proportion"), "92026": ("Low is good", "RAG", "Proportion"),
    "92033": ("Low is good", "RAG", "Proportion"), "92266": ("Not applicable", "RAG", "Crude rate"),
    "92708": ("Not applicable", "", "Count"), "92904": ("Low is good", "RAG", "Crude rate"),
    "93015": ("Low is good", "RAG", "Proportion"), "93085": ("Low is good", "RAG", "Proportion"),
    "93088": ("Low is good", "RAG", "Proportion"), "93124": ("Low is good", "RAG", "Crude rate"),
    "93474": ("Not applicable", "", "Proportion"), "93553": ("Low is good", "QUINTILES", "Score"),
    "93701": ("Low is good", "RAG", "Proportion"), "93763": ("Low is good", "RAG", "Directly standardised rate"),
    "93861": ("Not applicable", "", "Proportion"), "94035": ("Not applicable", "", "Directly standardised rate"),
    "94063": ("Not applicable", "", "Proportion"), "94103": ("Low is good", "", "Proportion"),
}
USE_PROPORTIONS = {k: v[1] == "SPC for proportions" for k, v in META.items()}
# Pooled periods (the extract keeps only the first year): alcohol-specific admissions under 18 are
# 3 financial years pooled; the NCMP small-area obesity indicators pool 5 years (their names in
# the same metadata file say "5 years data combined"). Other indicators are single years, whose
# exact type does not change the order of their periods.
PERIOD_TYPES = {"92904": "3-year pooled financial"}
FIVE_YEAR_POOLED = {"92026", "92033"}
KEY = ["indicator_id", "area_code", "sex", "age", "category_type", "category"]
NUMBERS = ["value", "lower_ci95", "upper_ci95", "count", "denominator"]
EXTRACT_FIRST_YEAR = 2018  # the seed kept years >= 2018 (FingertipsNext DataCreator, yearFrom = 2018)


def _sig6(x: np.ndarray) -> np.ndarray:
    return np.array([float(f"{v:.6g}") if np.isfinite(v) else np.nan for v in x])


@pytest.fixture(scope="module")
def extract(shared_dir):
    path = shared_dir / "data" / "fingertips_subset_fingertipsnext_2025-02.csv"
    table = fio.read_fingertips_next(path, period_types=PERIOD_TYPES, allow_duplicate_keys=True,
                                     check_intervals=False)
    df = fio.to_pandas(table)
    for c in KEY + ["period", "Trend", "Year"]:
        df[c] = df[c].astype(str)
    five = df.indicator_id.isin(FIVE_YEAR_POOLED)
    first = df.loc[five, "Year"].astype(int)
    df.loc[five, "period"] = [f"{y} - {(y + 4) % 100:02d}" for y in first]
    # The extract repeats rows; some repeats differ only in rounding (20.055805 and 20.0558).
    # One row per period is kept when all numbers agree to 6 significant digits.
    rounded = pd.DataFrame({c: _sig6(df[c].to_numpy()) for c in NUMBERS})
    keep = ~pd.concat([df[KEY + ["period"]], rounded], axis=1).duplicated()
    return df[keep.to_numpy()].reset_index(drop=True)


def _published(df):
    marked = df[df.Trend != ""]
    return marked.groupby(KEY, observed=True).Trend.agg(lambda s: s.iloc[-1]).rename("published")


def test_extract_series_that_fairer_refuses(extract):
    """Series whose periods the extract does not identify raise DataError instead of getting a label.

    91040 is quarterly but the extract keeps only the year, so four quarters share a period;
    some sub-ICB rows hold two different versions of a year's figures (94063 in 2022 and 2023;
    the GP Patient Survey indicators 352, 383, 90453 and the ratio 91344 in 2023).
    """
    dup = extract.duplicated(KEY + ["period"], keep=False)
    bad = extract[dup].groupby(KEY, observed=True).size().reset_index()
    assert set(bad.indicator_id) == {"91040", "94063", "352", "383", "90453", "91344"}
    assert set(bad[bad.indicator_id != "91040"].area_code.str[:3]) == {"E38"}
    for ind in ("91040", "94063", "352"):
        with pytest.raises(fairer.DataError, match="appears more than once"):
            recent_trend(extract[extract.indicator_id == ind], polarity=META[ind][0],
                         value_type=META[ind][2], use_proportions=USE_PROPORTIONS[ind])


def test_agreement_with_published_markers(extract):
    dup = extract.duplicated(KEY + ["period"], keep=False)
    refused = extract[dup][KEY].drop_duplicates()
    ok_rows = ~extract.set_index(KEY).index.isin(refused.set_index(KEY).index)
    data = extract[ok_rows]
    ours = recent_trend(data, polarity={k: v[0] for k, v in META.items()},
                        use_proportions=USE_PROPORTIONS,
                        value_type={k: v[2] for k, v in META.items()})
    first_year = data.groupby(KEY, observed=True).Year.agg(lambda s: int(min(s))).rename("first_year")
    both = ours.join(_published(data), on=KEY, how="inner").join(first_year, on=KEY)
    total_published = len(_published(extract))
    # Fingertips tests the whole history; the extract starts in 2018. A marker fairer cannot
    # calculate for lack of points is reproducible only if the series began after 2018.
    short = both.reason.isin(["fewer than 5 periods", "fewer than 5 periods with value, count and denominator",
                              "fewer than 5 valid periods with 95% limits"])
    reproducible = ~(short & (both.first_year == EXTRACT_FIRST_YEAR))
    agree = both.trend == both.published
    rep = both[reproducible]
    rate = (rep.trend == rep.published).mean()
    print(f"\npublished markers: {total_published}; refused (periods not identifiable): "
          f"{total_published - len(both)}; compared: {len(both)}; reproducible from the extract: {len(rep)}")
    print(f"agreement on reproducible series: {(rep.trend == rep.published).sum()} of {len(rep)} = {rate:.4%}")
    print(f"agreement on all compared series: {agree.sum()} of {len(both)} = {agree.mean():.4%}")
    cols = KEY + ["first_year", "published", "trend", "reason", "chi_square", "leave_one_out_same_sign"]
    print("disagreements on reproducible series:")
    print(rep[rep.trend != rep.published][cols].to_string())
    print("disagreements where Fingertips used periods before 2018 that the extract lacks:")
    print(both[~reproducible & ~agree][cols].to_string())
    assert rate >= 0.99
