// Tests of include/fairer/trends.hpp. Expected numbers are worked by hand in the comments, come
// from a second formula (Armitage's regression form of the trend test, a general weighted least
// squares fit with Eigen) or from Boost.Math's chi-square quantile.
#include <doctest/doctest.h>

#include <boost/math/distributions/chi_squared.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "fairer/trends.hpp"

using fairer::Polarity;
using fairer::TrendMarker;
using fairer::TrendMethod;
using fairer::TrendReason;

namespace {

constexpr double missing = std::numeric_limits<double>::quiet_NaN();

// A series with limits value -/+ 1.96 * se, so SE = (U - L) / 3.92 = se exactly.
struct Series {
    std::vector<double> value, lower, upper, count, denominator;

    Series(const std::vector<double>& v, const std::vector<double>& se) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            value.push_back(v[i]);
            lower.push_back(v[i] - 1.96 * se[i]);
            upper.push_back(v[i] + 1.96 * se[i]);
            count.push_back(10.0 + static_cast<double>(i));
            denominator.push_back(1000.0);
        }
    }
    fairer::TrendSeries view() const {
        return {value.data(), lower.data(), upper.data(), count.data(), denominator.data(), value.size()};
    }
};

fairer::TrendResult trend(const Series& s, TrendMethod m = TrendMethod::weighted_regression,
                          fairer::UntestedSeries u = fairer::UntestedSeries::as_fingertips) {
    return fairer::fingertips_recent_trend(s.view(), m, u);
}

constexpr auto refuse = fairer::UntestedSeries::cannot_be_calculated;

}  // namespace

TEST_CASE("the threshold is the 99.8% point of chi-square on 1 df") {
    const boost::math::chi_squared_distribution<double> chi2(1.0);
    CHECK(fairer::kTrendChiSquare998 == doctest::Approx(boost::math::quantile(chi2, 0.998)).epsilon(1e-12));
}

TEST_CASE("equal weights: the weighted regression is ordinary least squares (hand-worked)") {
    // y = 10, 12, 14, 16, 18 with SE 1: slope 2, Var(b) = 1 / sum (t - 3)^2 = 1/10, chi^2 = 40.
    const Series s({10, 12, 14, 16, 18}, {1, 1, 1, 1, 1});
    const auto r = trend(s);
    CHECK(r.marker == TrendMarker::increasing);
    CHECK(r.slope == doctest::Approx(2.0).epsilon(1e-12));
    CHECK(r.slope_se == doctest::Approx(std::sqrt(0.1)).epsilon(1e-12));
    CHECK(r.chi_square == doctest::Approx(40.0).epsilon(1e-12));
    CHECK(r.leave_one_out_same_sign);
    CHECK(r.points_used == 5);
    CHECK(r.used[0] == 0);
    CHECK(r.used[4] == 4);
}

TEST_CASE("unequal weights agree with a general weighted least-squares fit") {
    const Series s({20.1, 19.4, 18.9, 18.2, 17.0}, {0.3, 0.5, 0.2, 0.4, 0.6});
    Eigen::MatrixXd x(5, 2);
    Eigen::VectorXd y(5);
    Eigen::MatrixXd w = Eigen::MatrixXd::Zero(5, 5);
    const double se[] = {0.3, 0.5, 0.2, 0.4, 0.6};
    for (int i = 0; i < 5; ++i) {
        x(i, 0) = 1;
        x(i, 1) = i + 1;
        y(i) = s.value[static_cast<std::size_t>(i)];
        w(i, i) = 1 / (se[i] * se[i]);
    }
    const Eigen::Matrix2d info = x.transpose() * w * x;
    const Eigen::Vector2d b = info.inverse() * x.transpose() * w * y;
    const double var = info.inverse()(1, 1);
    const auto r = trend(s);
    CHECK(r.slope == doctest::Approx(b(1)).epsilon(1e-10));
    CHECK(r.chi_square == doctest::Approx(b(1) * b(1) / var).epsilon(1e-10));
    CHECK(r.marker == TrendMarker::decreasing);
}

TEST_CASE("the leave-one-out rule vetoes a trend carried by one point") {
    // y = 12, 10, 10, 10, 20 (SE 1): slope = 16/10 = 1.6, chi^2 = 1.6^2 * 10 = 25.6 > 9.55, but
    // without the last point the slope of 12, 10, 10, 10 is -3/5 < 0: no significant change.
    const Series s({12, 10, 10, 10, 20}, {1, 1, 1, 1, 1});
    const auto r = trend(s);
    CHECK(r.chi_square == doctest::Approx(25.6).epsilon(1e-12));
    CHECK_FALSE(r.leave_one_out_same_sign);
    CHECK(r.marker == TrendMarker::no_significant_change);
    // 10, 10, 10, 10, 20: dropping the last point gives slope exactly 0, which Fingertips counts
    // as positive, so the trend stands (slope 2, chi^2 40).
    const auto flat = trend(Series({10, 10, 10, 10, 20}, {1, 1, 1, 1, 1}));
    CHECK(flat.leave_one_out_same_sign);
    CHECK(flat.marker == TrendMarker::increasing);
}

TEST_CASE("below the threshold there is no significant change") {
    // y = 10, 10.3, 10.6, 10.9, 11.2 with SE 1: slope 0.3, chi^2 = 0.09 * 10 = 0.9.
    const auto r = trend(Series({10, 10.3, 10.6, 10.9, 11.2}, {1, 1, 1, 1, 1}));
    CHECK(r.chi_square == doctest::Approx(0.9).epsilon(1e-12));
    CHECK(r.leave_one_out_same_sign);
    CHECK(r.marker == TrendMarker::no_significant_change);
}

TEST_CASE("only the five most recent valid points are used; invalid points are skipped") {
    // Oldest two points would reverse the trend if used; the fourth point has no count.
    Series s({50, 40, 10, 99, 12, 14, 16, 18}, {1, 1, 1, 1, 1, 1, 1, 1});
    s.count[3] = missing;
    const auto r = trend(s);
    CHECK(r.used[0] == 2);
    CHECK(r.used[1] == 4);
    CHECK(r.used[4] == 7);
    CHECK(r.invalid_skipped == 1);
    // t = 1..5 for values 10, 12, 14, 16, 18 whatever the gap: slope 2, chi^2 40.
    CHECK(r.slope == doctest::Approx(2.0).epsilon(1e-12));
    CHECK(r.marker == TrendMarker::increasing);
}

TEST_CASE("ineligible series get Cannot be calculated with the reason") {
    const std::vector<double> one{1, 1, 1, 1, 1, 1};
    SUBCASE("fewer than five rows") {
        const auto r = trend(Series({1, 2, 3, 4}, {1, 1, 1, 1}));
        CHECK(r.marker == TrendMarker::cannot_be_calculated);
        CHECK(r.reason == TrendReason::too_few_points);
    }
    SUBCASE("five rows but a missing value leaves four valid points") {
        Series s({1, 2, 3, 4, 5}, {1, 1, 1, 1, 1});
        s.value[2] = missing;
        CHECK(trend(s).reason == TrendReason::too_few_valid_points);
    }
    SUBCASE("a denominator is needed even for the weighted regression") {
        Series s({1, 2, 3, 4, 5}, {1, 1, 1, 1, 1});
        s.denominator[0] = missing;
        CHECK(trend(s).reason == TrendReason::too_few_valid_points);
    }
    SUBCASE("count equal to denominator anywhere in the valid history") {
        Series s({1, 2, 3, 4, 5, 6}, one);
        s.count[0] = s.denominator[0];
        CHECK(trend(s).reason == TrendReason::count_equals_denominator);
    }
}

TEST_CASE("series Fingertips lets through but cannot really test") {
    SUBCASE("limits missing in a point the regression needs") {
        Series s({1, 2, 3, 4, 5}, {1, 1, 1, 1, 1});
        s.lower[1] = missing;
        const auto r = trend(s);
        CHECK(r.reason == TrendReason::too_few_points_with_limits);
        CHECK_FALSE(r.tested);
        CHECK(r.points_used == 4);
        // Fingertips fits the 4 points it has; 1, 3, 4, 5 at t = 1..4 (SE 1): slope 1.3,
        // chi^2 = 1.3^2 * 5 = 8.45 < 9.55, so it prints no significant change.
        CHECK(r.slope == doctest::Approx(1.3).epsilon(1e-12));
        CHECK(r.chi_square == doctest::Approx(8.45).epsilon(1e-12));
        CHECK(r.marker == TrendMarker::no_significant_change);
        CHECK(trend(s, TrendMethod::weighted_regression, refuse).marker == TrendMarker::cannot_be_calculated);
        // the proportions test does not use the limits
        CHECK(trend(s, TrendMethod::proportion_chi_square).tested);
    }
    SUBCASE("two points with limits: Fingertips' arithmetic can still call a trend") {
        // 10 and 20 at t = 1, 2 (SE 1): slope 10, Var = S0 / (S0 S2 - S1^2) = 2 / (2 * 5 - 9) = 2,
        // chi^2 = 50; leaving out either point leaves one (slope NaN, counted positive) and the
        // other three turns leave out nothing, so all six signs agree: "Increasing".
        Series s({7, 7, 7, 10, 20}, {1, 1, 1, 1, 1});
        for (std::size_t i = 0; i < 3; ++i) s.upper[i] = missing;
        const auto r = trend(s);
        CHECK(r.points_used == 2);
        CHECK(r.chi_square == doctest::Approx(50.0).epsilon(1e-12));
        CHECK(r.marker == TrendMarker::increasing);
        CHECK_FALSE(r.tested);
    }
    SUBCASE("no points with limits: NaN, no significant change") {
        Series s({1, 2, 3, 4, 5}, {1, 1, 1, 1, 1});
        for (auto& u : s.upper) u = missing;
        const auto r = trend(s);
        CHECK(r.points_used == 0);
        CHECK(std::isnan(r.chi_square));
        CHECK(r.marker == TrendMarker::no_significant_change);
    }
    SUBCASE("zero-width interval") {
        Series s({1, 2, 3, 4, 5}, {1, 1, 0, 1, 1});
        CHECK(trend(s).reason == TrendReason::zero_width_interval);
        CHECK(trend(s).marker == TrendMarker::no_significant_change);
        CHECK(trend(s, TrendMethod::weighted_regression, refuse).marker == TrendMarker::cannot_be_calculated);
    }
    SUBCASE("zero count under the proportions test") {
        // counts 0, 10, 15, 20, 25 of 1000: chi^2 is about 26.1 (significant) but the log-odds
        // of the first point is -infinity, so the leave-one-out check cannot be done.
        Series s({1, 2, 3, 4, 5}, {1, 1, 1, 1, 1});
        s.count = {0, 10, 15, 20, 25};
        const auto r = trend(s, TrendMethod::proportion_chi_square);
        CHECK(r.chi_square > fairer::kTrendChiSquare998);
        CHECK(r.reason == TrendReason::zero_count);
        CHECK_FALSE(r.tested);
        CHECK(r.marker == TrendMarker::no_significant_change);
        CHECK(trend(s, TrendMethod::proportion_chi_square, refuse).marker == TrendMarker::cannot_be_calculated);
        // counts 10, 0, 12, 10, 11: far from significant, a proper no significant change
        s.count = {10, 0, 12, 10, 11};
        const auto q = trend(s, TrendMethod::proportion_chi_square);
        CHECK(q.chi_square < fairer::kTrendChiSquare998);
        CHECK(q.marker == TrendMarker::no_significant_change);
        CHECK(q.tested);
        CHECK(q.reason == TrendReason::none);
    }
}

TEST_CASE("chi-square test for trend in proportions agrees with Armitage's regression form") {
    // Armitage (1955): b = sum (t - tbar_n)(r - n p) / sum n (t - tbar_n)^2, chi^2 = b^2 sum n (t - tbar_n)^2 / (p (1 - p))
    // with p = R / N and tbar_n the denominator-weighted mean time.
    const std::vector<double> r{120, 131, 150, 149, 170}, n{1000, 1010, 1020, 990, 1005};
    Series s({12, 13, 14.7, 15, 16.9}, {1, 1, 1, 1, 1});
    s.count = r;
    s.denominator = n;
    double big_r = 0, big_n = 0, ntsum = 0;
    for (int i = 0; i < 5; ++i) {
        big_r += r[static_cast<std::size_t>(i)];
        big_n += n[static_cast<std::size_t>(i)];
        ntsum += n[static_cast<std::size_t>(i)] * (i + 1);
    }
    const double p = big_r / big_n, tbar = ntsum / big_n;
    double sxy = 0, sxx = 0;
    for (int i = 0; i < 5; ++i) {
        const auto k = static_cast<std::size_t>(i);
        sxy += (i + 1 - tbar) * (r[k] - n[k] * p);
        sxx += n[k] * (i + 1 - tbar) * (i + 1 - tbar);
    }
    const double expected = (sxy / sxx) * (sxy / sxx) * sxx / (p * (1 - p));
    const auto res = trend(s, TrendMethod::proportion_chi_square);
    CHECK(res.chi_square == doctest::Approx(expected).epsilon(1e-10));
    CHECK(res.chi_square > fairer::kTrendChiSquare998);
    // slope of log-odds on t by ordinary least squares, worked from the same data
    double ly[5], my = 0;
    for (int i = 0; i < 5; ++i) {
        const auto k = static_cast<std::size_t>(i);
        ly[i] = std::log(r[k] / (n[k] - r[k]));
        my += ly[i] / 5;
    }
    double num = 0;
    for (int i = 0; i < 5; ++i) num += (i + 1 - 3) * (ly[i] - my);
    CHECK(res.slope == doctest::Approx(num / 10).epsilon(1e-10));
    CHECK(res.marker == TrendMarker::increasing);
}

TEST_CASE("labels per polarity, as Fingertips prints them") {
    using fairer::trend_label;
    CHECK(trend_label(TrendMarker::increasing, Polarity::higher_is_better) == "Increasing and getting better");
    CHECK(trend_label(TrendMarker::increasing, Polarity::lower_is_better) == "Increasing and getting worse");
    CHECK(trend_label(TrendMarker::decreasing, Polarity::higher_is_better) == "Decreasing and getting worse");
    CHECK(trend_label(TrendMarker::decreasing, Polarity::lower_is_better) == "Decreasing and getting better");
    CHECK(trend_label(TrendMarker::increasing, Polarity::no_judgement) == "Increasing");
    CHECK(trend_label(TrendMarker::decreasing, Polarity::not_applicable) == "Decreasing");
    CHECK(trend_label(TrendMarker::no_significant_change, Polarity::lower_is_better) == "No significant change");
    CHECK(trend_label(TrendMarker::cannot_be_calculated, Polarity::higher_is_better) == "Cannot be calculated");
    CHECK(fairer::parse_trend_polarity("RAG - Low is good") == Polarity::lower_is_better);
    CHECK(fairer::parse_trend_polarity("High is good") == Polarity::higher_is_better);
    CHECK(fairer::parse_trend_polarity("BOB - Blue orange blue") == Polarity::no_judgement);
    CHECK(fairer::parse_trend_polarity("lower is better") == Polarity::lower_is_better);
    CHECK_THROWS_AS(fairer::parse_trend_polarity("up is good"), fairer::Error);
}

TEST_CASE("grouped markers match one-by-one markers and honour the precheck") {
    const Series a({10, 12, 14, 16, 18}, {1, 1, 1, 1, 1});
    const Series b({12, 10, 10, 10, 20}, {1, 1, 1, 1, 1});
    Series all = a;
    all.value.insert(all.value.end(), b.value.begin(), b.value.end());
    all.lower.insert(all.lower.end(), b.lower.begin(), b.lower.end());
    all.upper.insert(all.upper.end(), b.upper.begin(), b.upper.end());
    all.count.insert(all.count.end(), b.count.begin(), b.count.end());
    all.denominator.insert(all.denominator.end(), b.denominator.begin(), b.denominator.end());
    const auto out = fairer::fingertips_recent_trends(all.view(), {0, 5, 10, 10},
                                                      {TrendMethod::weighted_regression, TrendMethod::weighted_regression,
                                                       TrendMethod::weighted_regression},
                                                      {TrendReason::none, TrendReason::none, TrendReason::value_type});
    REQUIRE(out.size() == 3);
    CHECK(out[0].marker == TrendMarker::increasing);
    CHECK(out[1].marker == TrendMarker::no_significant_change);
    CHECK(out[1].used[0] == 5);
    CHECK(out[2].reason == TrendReason::value_type);
    CHECK_THROWS_AS(fairer::fingertips_recent_trends(all.view(), {0, 5}, {TrendMethod::weighted_regression}),
                    fairer::StatisticsError);
}

TEST_CASE("pooled periods: one-year pools reduce to the Fingertips weighted regression") {
    const Series s({20.1, 19.4, 18.9, 18.2, 17.0}, {0.3, 0.5, 0.2, 0.4, 0.6});
    const std::vector<int> years{2015, 2016, 2017, 2018, 2019};
    const fairer::PooledSeries p{s.value.data(), s.lower.data(), s.upper.data(), years.data(), 5};
    const auto pooled = fairer::pooled_period_trend(p, 1);
    const auto ft = trend(s);
    CHECK(pooled.slope == doctest::Approx(ft.slope).epsilon(1e-10));
    CHECK(pooled.chi_square == doctest::Approx(ft.chi_square).epsilon(1e-10));
    CHECK(pooled.marker == ft.marker);
}

TEST_CASE("pooled periods: an exactly linear series gives its slope") {
    // 3-year means of annual values 80 + 0.25 (year - 2010) are linear with the same slope.
    std::vector<double> v, lo, hi;
    std::vector<int> years;
    for (int y = 2010; y <= 2016; ++y) {
        const double m = 80 + 0.25 * ((y - 2010) + (y + 1 - 2010) + (y + 2 - 2010)) / 3.0;
        v.push_back(m);
        lo.push_back(m - 0.4);
        hi.push_back(m + 0.4);
        years.push_back(y);
    }
    const fairer::PooledSeries p{v.data(), lo.data(), hi.data(), years.data(), v.size()};
    const auto r = fairer::pooled_period_trend(p, 3);
    CHECK(r.slope == doctest::Approx(0.25).epsilon(1e-10));
    CHECK(r.used[0] == 2);
    CHECK(r.used[4] == 6);
    CHECK(r.leave_one_out_same_sign);
}

TEST_CASE("pooled periods: the covariance model gives the true standard error (simulation)") {
    // Annual estimates a_y = noise with SD 1 (no trend); 3-year pools are their means with SE
    // 1/sqrt(3). Over many series the GLS slope's spread must match its reported SE, so chi^2 has
    // mean 1; treating the pools as independent (pool_years = 1) understates the SE.
    std::mt19937_64 rng(20240601);
    std::normal_distribution<double> noise(0.0, 1.0);
    const int reps = 4000;
    double sum_chi_gls = 0, sum_chi_naive = 0;
    int false_gls = 0;
    const double se = 1 / std::sqrt(3.0);
    for (int rep = 0; rep < reps; ++rep) {
        std::vector<double> a(7);
        for (auto& x : a) x = noise(rng);
        std::vector<double> v, lo, hi;
        std::vector<int> years;
        for (int k = 0; k < 5; ++k) {
            const double m = (a[static_cast<std::size_t>(k)] + a[static_cast<std::size_t>(k + 1)] +
                              a[static_cast<std::size_t>(k + 2)]) / 3;
            v.push_back(m);
            lo.push_back(m - 1.96 * se);
            hi.push_back(m + 1.96 * se);
            years.push_back(2000 + k);
        }
        const fairer::PooledSeries p{v.data(), lo.data(), hi.data(), years.data(), 5};
        const auto g = fairer::pooled_period_trend(p, 3);
        sum_chi_gls += g.chi_square;
        sum_chi_naive += fairer::pooled_period_trend(p, 1).chi_square;
        false_gls += g.chi_square > 3.841458820694124 ? 1 : 0;  // 95% point, for a usable count
    }
    // mean of chi^2(1) is 1; the Monte Carlo SD of the mean is sqrt(2 / 4000) = 0.022
    CHECK(sum_chi_gls / reps == doctest::Approx(1.0).epsilon(0.08));
    CHECK(sum_chi_naive / reps > 1.3);  // about 1.48 for this design
    // 5% of 4000 = 200, binomial SD 13.8
    CHECK(false_gls > 150);
    CHECK(false_gls < 250);
}

TEST_CASE("pooled periods: bad input") {
    const std::vector<double> v{1, 2, 3, 4, 5}, lo{0, 1, 2, 3, 4}, hi{2, 3, 4, 5, 6};
    const std::vector<int> repeated{2010, 2011, 2011, 2012, 2013};
    const fairer::PooledSeries p{v.data(), lo.data(), hi.data(), repeated.data(), 5};
    CHECK_THROWS_AS(fairer::pooled_period_trend(p, 3), fairer::StatisticsError);
    const std::vector<int> years{2010, 2011, 2012, 2013, 2014};
    const fairer::PooledSeries q{v.data(), lo.data(), hi.data(), years.data(), 4};
    CHECK(fairer::pooled_period_trend(q, 3).reason == TrendReason::too_few_points);
    CHECK_THROWS_AS(fairer::pooled_period_trend(q, 0), fairer::StatisticsError);
}
