// R's random stream (fairer/r_random.hpp): the Mersenne-Twister seeding, the uniforms, the
// inversion normals and AS 241's quantile function, checked against R's own printed output, against
// a simulated interval published by HEAT 6.0's engine, and against Boost.Math.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "fairer/r_random.hpp"

TEST_CASE("set.seed(123) gives R's uniforms and normals") {
    // R (any version since 3.6.0, default RNGkind) prints, to 7 significant digits:
    //   > set.seed(123); runif(5)   0.2875775 0.7883051 0.4089769 0.8830174 0.9404673
    //   > set.seed(123); rnorm(5)  -0.56047565 -0.23017749 1.55870831 0.07050839 0.12928774
    fairer::RRandom rng(123);
    const double unif[] = {0.2875775, 0.7883051, 0.4089769, 0.8830174, 0.9404673};
    for (double u : unif) CHECK(rng.unif_rand() == doctest::Approx(u).epsilon(5e-7));
    rng.set_seed(123);
    const double norm[] = {-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774};
    for (double z : norm) CHECK(rng.norm_rand() == doctest::Approx(z).epsilon(1e-7));
}

TEST_CASE("other seeds: set.seed(42); rnorm(1) and set.seed(1); rnorm(1)") {
    // R prints 1.370958 and -0.6264538.
    fairer::RRandom a(42), b(1);
    CHECK(a.rnorm(0, 1) == doctest::Approx(1.370958).epsilon(1e-6));
    CHECK(b.rnorm(0, 1) == doctest::Approx(-0.6264538).epsilon(1e-6));
}

TEST_CASE("rnorm with sd 0 returns the mean and consumes no random number") {
    fairer::RRandom a(123456), b(123456);
    CHECK(a.rnorm(97.5, 0.0) == 97.5);
    CHECK(a.rnorm(5.0, 2.0) == b.rnorm(5.0, 2.0));
    CHECK(std::isnan(a.rnorm(1.0, -1.0)));
    CHECK(std::isnan(a.rnorm(std::nan(""), 1.0)));
    CHECK(a.rnorm(5.0, 2.0) == b.rnorm(5.0, 2.0));
}

TEST_CASE("a HEAT 6.0 simulated interval from the raw stream") {
    // HEAT 6.0 (heatmeasures, R 4.2.2) on healthequal's 25-region test table gives the MDBU interval
    // [11.9422198413911, 25.8527681747728] (generated_engines_expected.csv): set.seed(123456), 100
    // tables of rnorm(1, y, se) draws redrawn until within [0, 100], statistic mean|x - max(x)|,
    // R quantile type 7 at 0.025 and 0.975. Written out here by hand, independently of the library.
    const double y[] = {61, 74, 58, 59, 72, 75, 74, 68, 75, 67, 73, 63, 66, 62, 60, 66, 71, 73, 71, 61, 74, 84, 55, 69, 60};
    const double se[] = {5, 3, 3, 3, 4, 9, 2, 2, 2, 5, 5, 7, 5, 6, 4, 5, 6, 6, 9, 4, 3, 4, 1, 3, 7};
    fairer::RRandom rng(123456);
    std::vector<double> stat;
    for (int j = 0; j < 100; ++j) {
        double x[25];
        for (int i = 0; i < 25; ++i) {
            do x[i] = rng.rnorm(y[i], se[i]);
            while (x[i] < 0 || x[i] > 100);
        }
        const double best = *std::max_element(x, x + 25);
        double s = 0;
        for (double v : x) s += std::fabs(v - best);
        stat.push_back(s / 25);
    }
    std::sort(stat.begin(), stat.end());
    // h = 1 + 99 p: 3.475 and 97.525
    const double lower = (1 - 0.475) * stat[2] + 0.475 * stat[3];
    const double upper = (1 - 0.525) * stat[96] + 0.525 * stat[97];
    CHECK(lower == doctest::Approx(11.9422198413911).epsilon(1e-13));
    CHECK(upper == doctest::Approx(25.8527681747728).epsilon(1e-13));
}

TEST_CASE("r_qnorm agrees with Boost.Math's normal quantile") {
    const boost::math::normal_distribution<double> n01;
    double worst = 0;
    // Central region, both tails and the far tail (r > 5, p < 1.4e-11), on a log grid and a linear grid.
    std::vector<double> ps;
    for (double p = 1e-300; p < 0.5; p *= 1.7) ps.push_back(p);
    for (int k = 1; k < 1000; ++k) ps.push_back(k / 1000.0);
    int off = 0;
    for (double p : ps) {
        for (double q : {p, 1.0 - p}) {
            if (!(q > 0 && q < 1)) continue;
            const double expected = boost::math::quantile(n01, q);
            const double actual = fairer::r_qnorm(q);
            // Relative 1e-15, or absolute 1e-16 near the median where the quantile crosses 0.
            if (std::fabs(actual - expected) > std::max(1e-15 * std::fabs(expected), 1e-16)) ++off;
            if (std::fabs(expected) > 1e-3) worst = std::max(worst, std::fabs(actual / expected - 1));
        }
    }
    CHECK(off == 0);
    CHECK(ps.size() > 2000);
    MESSAGE("largest relative difference from Boost.Math: " << worst);
    CHECK(fairer::r_qnorm(0.975) == doctest::Approx(1.959963984540054).epsilon(1e-15));
    CHECK(fairer::r_qnorm(0.5, 3.0, 2.0) == 3.0);
    CHECK(fairer::r_qnorm(0.0) == -std::numeric_limits<double>::infinity());
    CHECK(fairer::r_qnorm(1.0) == std::numeric_limits<double>::infinity());
    CHECK(std::isnan(fairer::r_qnorm(1.5)));
    CHECK(std::isnan(fairer::r_qnorm(0.3, 0.0, -1.0)));
}

TEST_CASE("uniforms stay in the open interval and normals have the right moments") {
    fairer::RRandom rng(2024);
    double mean = 0, sq = 0;
    int outside = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const double u = rng.unif_rand();
        if (!(u > 0.0 && u < 1.0)) ++outside;
        const double z = rng.norm_rand();
        mean += z;
        sq += z * z;
    }
    CHECK(outside == 0);
    mean /= n;
    // Standard errors: 1/sqrt(n) = 0.0022 for the mean, sqrt(2/n) = 0.0032 for the variance; 5 SE bounds.
    CHECK(std::fabs(mean) < 0.0112);
    CHECK(std::fabs(sq / n - 1.0) < 0.016);
}
