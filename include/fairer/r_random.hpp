// R's default random number stream reproduced bit for bit, so that simulated confidence
// intervals from WHO HEAT 6.0 and healthequal (which call set.seed(123456) and rnorm) can be
// matched exactly (spec inequality-measures.md §6). R's defaults are RNGkind("Mersenne-Twister",
// "Inversion"); this header implements exactly that pair and nothing else.
//
// Sources of the algorithms (re-implemented here from their published descriptions):
// - Matsumoto M, Nishimura T. Mersenne twister: a 623-dimensionally equidistributed uniform
//   pseudo-random number generator. ACM TOMACS 1998;8(1):3-30 (MT19937).
// - R's seeding (set.seed), its uniform fix-ups and its inversion normal generator, as specified in
//   spec §6 and documented in R's ?RNGkind ("Inversion ... uses 2 uniforms per normal deviate").
// - Wichura MJ. Algorithm AS 241: the percentage points of the normal distribution. Applied
//   Statistics 1988;37(3):477-484 (PPND16, about 16 significant digits), with R's boundary handling.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

namespace fairer {

// Quantile function of the normal distribution (R's qnorm(p, mu, sigma) with lower.tail = TRUE,
// log.p = FALSE). Wichura's AS 241 PPND16: a rational approximation in q = p - 1/2 for
// |q| <= 0.425, otherwise in r = sqrt(-log(min(p, 1 - p))) with one polynomial pair for r <= 5 and
// another beyond. p outside [0, 1] or NaN gives NaN; p = 0 and 1 give -Inf and +Inf, as in R.
// sigma = 0 gives mu; sigma < 0 gives NaN.
inline double r_qnorm(double p, double mu = 0.0, double sigma = 1.0) noexcept {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (std::isnan(p) || std::isnan(mu) || std::isnan(sigma)) return p + mu + sigma;
    if (p < 0.0 || p > 1.0) return nan;
    if (p == 0.0) return -inf;
    if (p == 1.0) return inf;
    if (sigma < 0.0) return nan;
    if (sigma == 0.0) return mu;

    const double q = p - 0.5;
    double val;
    if (std::fabs(q) <= 0.425) {
        const double r = 0.180625 - q * q;
        val = q *
              (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
                   45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
                133.14166789178437745) * r + 3.387132872796366608) /
              (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
                   21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
                42.313330701600911252) * r + 1.0);
        return mu + sigma * val;
    }
    // R forms 1 - p as 0.5 - p + 0.5; for p in (0.5, 1) both are exact, so the plain form is used.
    double r = q < 0.0 ? p : 1.0 - p;
    r = std::sqrt(-std::log(r));
    if (r <= 5.0) {
        r += -1.6;
        val = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
                   1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
                4.6303378461565452959) * r + 1.42343711074968357734) /
              (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
                   0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
                2.05319162663775882187) * r + 1.0);
    } else {
        r += -5.0;
        val = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
                   0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
                5.4637849111641143699) * r + 6.6579046435011037772) /
              (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
                   7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
                0.59983220655588793769) * r + 1.0);
    }
    if (q < 0.0) val = -val;
    return mu + sigma * val;
}

// R's random number stream with its default kinds, Mersenne-Twister and Inversion, from
// set.seed(seed). One object is one R session's .Random.seed: draws continue the stream.
//
// Seeding (R's RNG_Init): the seed is scrambled by 50 steps of the LCG s = 69069 s + 1 (mod 2^32),
// then 625 further steps fill R's seed vector, whose first element (the position mti) is replaced
// by 624, so the first draw regenerates the whole MT state; MT19937's own sgenrand is not used.
// Uniform (R's unif_rand): the tempered 32-bit word times 2^-32 (2.3283064365386963e-10), moved
// into the open interval (0, 1) by half of 1/(2^32 - 1) at either end.
// Normal (R's norm_rand, "Inversion"): u = floor(2^27 unif) + unif, z = qnorm(u / 2^27), so each
// normal deviate consumes exactly two uniforms.
class RRandom {
public:
    explicit RRandom(std::uint32_t seed) noexcept { set_seed(seed); }

    // R's set.seed(seed) for the default generator kinds.
    void set_seed(std::uint32_t seed) noexcept {
        for (int j = 0; j < 50; ++j) seed = 69069u * seed + 1u;
        seed = 69069u * seed + 1u;  // R's seed vector element 0 (mti), overwritten below
        for (std::size_t j = 0; j < n; ++j) {
            seed = 69069u * seed + 1u;
            mt_[j] = seed;
        }
        mti_ = n;
    }

    // R's unif_rand(): a uniform in the open interval (0, 1).
    double unif_rand() noexcept {
        constexpr double half_step = 0.5 * 2.328306437080797e-10;  // 0.5 / (2^32 - 1)
        const double x = static_cast<double>(next32()) * 2.3283064365386963e-10;
        if (x <= 0.0) return half_step;
        if (1.0 - x <= 0.0) return 1.0 - half_step;
        return x;
    }

    // R's norm_rand() with normal.kind "Inversion": a standard normal deviate from two uniforms.
    double norm_rand() noexcept {
        constexpr double big = 134217728.0;  // 2^27
        double u = unif_rand();
        u = static_cast<double>(static_cast<int>(big * u)) + unif_rand();
        return r_qnorm(u / big);
    }

    // R's rnorm(1, mean, sd): NaN for a missing mean or a negative or infinite sd; the mean itself,
    // consuming no random number, when sd is 0 or the mean is infinite; else mean + sd * norm_rand().
    double rnorm(double mean, double sd) noexcept {
        if (std::isnan(mean) || !std::isfinite(sd) || sd < 0.0) return std::numeric_limits<double>::quiet_NaN();
        if (sd == 0.0 || !std::isfinite(mean)) return mean;
        return mean + sd * norm_rand();
    }

private:
    static constexpr std::size_t n = 624;
    static constexpr std::size_t m = 397;

    std::uint32_t next32() noexcept {
        if (mti_ >= n) regenerate();
        std::uint32_t y = mt_[mti_++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    // MT19937's state transition (the twist) over all 624 words at once.
    void regenerate() noexcept {
        constexpr std::uint32_t upper = 0x80000000u, lower = 0x7fffffffu, matrix_a = 0x9908b0dfu;
        const auto twist = [](std::uint32_t a, std::uint32_t b, std::uint32_t far) {
            const std::uint32_t y = (a & upper) | (b & lower);
            return far ^ (y >> 1) ^ ((y & 1u) ? matrix_a : 0u);
        };
        std::size_t k = 0;
        for (; k < n - m; ++k) mt_[k] = twist(mt_[k], mt_[k + 1], mt_[k + m]);
        for (; k < n - 1; ++k) mt_[k] = twist(mt_[k], mt_[k + 1], mt_[k + m - n]);
        mt_[n - 1] = twist(mt_[n - 1], mt_[0], mt_[m - 1]);
        mti_ = 0;
    }

    std::array<std::uint32_t, n> mt_{};
    std::size_t mti_ = n;
};

}  // namespace fairer
