// Standard normal deviates by the ziggurat method, for the SII simulation (hundreds of millions
// of draws per call, where the inversion or polar methods would dominate the run time).
//
// Method: Marsaglia G, Tsang WW. The ziggurat method for generating random variables. Journal of
// Statistical Software 2000;5(8), with 256 layers (r = 3.6541528853610088, v = 4.92867323399e-3),
// and Doornik's remedy (Doornik JA. An improved ziggurat method to generate normal random
// samples, 2005): the layer index and the uniform come from disjoint bits of the 64-bit word, so
// they are independent. The density used is the unnormalised f(x) = exp(-x^2 / 2).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace fairer::detail {

class ZigguratNormal {
public:
    static constexpr int layers = 256;
    static constexpr double r = 3.6541528853610088;  // right edge of the base layer
    static constexpr double v = 4.92867323399e-3;     // area of every layer

    ZigguratNormal() {
        // x_[i] is the half-width of layer i; layer 0 is the base strip, whose virtual width
        // v / f(r) makes its area v too (the part beyond r is handled as the tail).
        x_[0] = v / f(r);
        x_[1] = r;
        for (int i = 2; i < layers; ++i) x_[i] = std::sqrt(-2.0 * std::log(v / x_[i - 1] + f(x_[i - 1])));
        x_[layers] = 0.0;
        for (int i = 0; i < layers; ++i) ratio_[i] = x_[i + 1] / x_[i];
    }

    // One N(0, 1) deviate from a 64-bit engine (std::mt19937_64 or any engine with 64-bit output).
    template <class Engine>
    double operator()(Engine& engine) const {
        for (;;) {
            const std::uint64_t bits = engine();
            const unsigned i = static_cast<unsigned>(bits & 0xFFu);
            // Bits 11..63 give a signed uniform in [-1, 1), independent of the index bits 0..7.
            const double u = static_cast<double>(bits >> 11) * 0x1.0p-52 - 1.0;
            if (std::fabs(u) < ratio_[i]) return u * x_[i];  // inside the layer's core rectangle
            if (i == 0) return tail(engine, u < 0.0);
            // Wedge: accept x if a uniform height in layer i falls under the density at x.
            const double x = u * x_[i];
            const double f0 = std::exp(-0.5 * (x_[i] * x_[i] - x * x));
            const double f1 = std::exp(-0.5 * (x_[i + 1] * x_[i + 1] - x * x));
            if (f1 + uniform(engine) * (f0 - f1) < 1.0) return x;
        }
    }

    // Half-widths of the layers (x_[1] = r, x_[256] = 0), exposed for tests of the tables.
    const std::array<double, layers + 1>& edges() const noexcept { return x_; }

private:
    static double f(double x) { return std::exp(-0.5 * x * x); }

    // A uniform in (0, 1), never 0 so that its logarithm is finite.
    template <class Engine>
    static double uniform(Engine& engine) {
        return (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;
    }

    // Marsaglia's tail method (1964) for |x| > r.
    template <class Engine>
    static double tail(Engine& engine, bool negative) {
        double x, y;
        do {
            x = std::log(uniform(engine)) / r;
            y = std::log(uniform(engine));
        } while (-2.0 * y < x * x);
        return negative ? x - r : r - x;
    }

    std::array<double, layers + 1> x_{};
    std::array<double, layers> ratio_{};
};

}  // namespace fairer::detail
