// Comparison of an area's value with a benchmark by every Fingertips comparator method, with the
// labels Fingertips prints. The rules are those of OHID Fingertips (PholioVisualisationWS
// Analysis/*Comparer.cs, Export/SignificanceFormatter.cs, MIT; restated in
// specs/peers-and-fingertips.md §1.2) and the Fingertips technical guidance "Comparing
// indicator values" and APHO Technical Briefing 2 (statistical process control methods).
//
// Every result records the method that produced it. A comparison that cannot be made (a missing
// value, benchmark, limit or denominator, or polarity "not applicable") is a result labelled
// "Not compared" with the reason, never a silent label. Malformed arguments (an unknown polarity
// or method name, a confidence level outside (0, 1), a negative denominator) throw StatisticsError.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "fairer/confidence_intervals.hpp"
#include "fairer/errors.hpp"
#include "fairer/framework.hpp"

namespace fairer {

// Polarity is the framework's fairer::Polarity (framework.hpp); Fingertips' PolarityIds map to
// it as RAG high is good (1) = higher_is_better, RAG low is good (0) = lower_is_better, BOB
// blue-orange-blue (99) = no_judgement, not applicable (-1) = not_applicable.

// The comparator methods (Fingertips ComparatorMethodIds in brackets).
enum class ComparatorMethod {
    none,                // (-1) no comparison
    single_overlap,      // (1)  benchmark value against the area's 95% limits
    two_level_overlap,   // (17) the same at 95% and 99.8%: Better/Best, Worse/Worst
    double_overlap,      // (12) the area's 95% limits against the benchmark's 95% limits
    spc_proportion,      // (5)  area proportion against control limits round the benchmark
    spc_dsr,             // (6)  area rate against Poisson control limits round the benchmark
    quintiles,           // (15) position among all comparable areas' values
    quartiles            // (16)
};

namespace detail {

inline std::string lower_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == '_' || c == '-') c = ' ';
        out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    }
    const auto first = out.find_first_not_of(' ');
    if (first == std::string::npos) return {};
    out = out.substr(first, out.find_last_not_of(' ') - first + 1);
    std::string squeezed;
    for (char c : out)
        if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' ')) squeezed.push_back(c);
    return squeezed;
}

}  // namespace detail

// Reads a polarity from the framework's text ("higher is better", "lower is better", "no
// judgement", "not applicable") or Fingertips' ("RAG - High is good", "RAG - Low is good",
// "BOB - Blue orange blue", "high is good", "low is good"); case, hyphens and underscores are
// ignored. Throws StatisticsError naming the text for anything else.
inline Polarity parse_polarity(std::string_view text) {
    const std::string t = detail::lower_text(text);
    if (t == "higher is better" || t == "high is good" || t == "rag high is good")
        return Polarity::higher_is_better;
    if (t == "lower is better" || t == "low is good" || t == "rag low is good")
        return Polarity::lower_is_better;
    if (t == "no judgement" || t == "bob" || t == "bob blue orange blue")
        return Polarity::no_judgement;
    if (t == "not applicable") return Polarity::not_applicable;
    throw StatisticsError("unknown polarity '" + std::string(text) +
                          "': expected 'higher is better', 'lower is better', 'no judgement' or 'not applicable'");
}

inline const char* to_string(ComparatorMethod m) {
    switch (m) {
        case ComparatorMethod::none: return "none";
        case ComparatorMethod::single_overlap: return "single overlap 95";
        case ComparatorMethod::two_level_overlap: return "single overlap 95 and 99.8";
        case ComparatorMethod::double_overlap: return "double overlap 95";
        case ComparatorMethod::spc_proportion: return "spc proportion";
        case ComparatorMethod::spc_dsr: return "spc dsr";
        case ComparatorMethod::quintiles: return "quintiles";
        case ComparatorMethod::quartiles: return "quartiles";
    }
    return "none";
}

// Reads a method from its to_string() name or its Fingertips id as text ("1", "17", "12", "5",
// "6", "15", "16", "-1"). Throws StatisticsError naming the text otherwise.
inline ComparatorMethod parse_comparator_method(std::string_view text) {
    // The id -1 is matched before hyphens are read as spaces.
    if (text == "-1") return ComparatorMethod::none;
    const std::string t = detail::lower_text(text);
    for (ComparatorMethod m : {ComparatorMethod::none, ComparatorMethod::single_overlap, ComparatorMethod::two_level_overlap,
                               ComparatorMethod::double_overlap, ComparatorMethod::spc_proportion, ComparatorMethod::spc_dsr,
                               ComparatorMethod::quintiles, ComparatorMethod::quartiles})
        if (t == to_string(m)) return m;
    if (t == "1") return ComparatorMethod::single_overlap;
    if (t == "17") return ComparatorMethod::two_level_overlap;
    if (t == "12") return ComparatorMethod::double_overlap;
    if (t == "5") return ComparatorMethod::spc_proportion;
    if (t == "6") return ComparatorMethod::spc_dsr;
    if (t == "15") return ComparatorMethod::quintiles;
    if (t == "16") return ComparatorMethod::quartiles;
    throw StatisticsError("unknown comparator method '" + std::string(text) +
                          "': expected one of none, single overlap 95, single overlap 95 and 99.8, double overlap 95, "
                          "spc proportion, spc dsr, quintiles, quartiles (or a Fingertips id)");
}

// One comparison. direction is the side of the benchmark the area lies on (-1 below, +1 above,
// 0 similar or not compared); level the strongest confidence at which that holds (0.95 or
// 0.998; NaN when similar or not compared). category is the quantile methods' group (1 = best
// under a RAG polarity, 1 = lowest values otherwise; 0 when not compared). label is the text
// Fingertips prints; reason says why a comparison was not made (blank when it was).
struct Comparison {
    ComparatorMethod method = ComparatorMethod::none;
    bool compared = false;
    int direction = 0;
    double level = std::numeric_limits<double>::quiet_NaN();
    int category = 0;
    std::string label = "Not compared";
    std::string reason;
};

namespace detail {

inline Comparison not_compared(ComparatorMethod m, std::string reason) {
    Comparison c;
    c.method = m;
    c.reason = std::move(reason);
    return c;
}

// Fingertips' AdjustForPolarity and SignificanceFormatter: the side of the benchmark becomes
// Better/Worse (RAG polarities) or Higher/Lower (no judgement); the second level (99.8%) of the
// two-level method is the darker shade, Best/Worst.
inline Comparison judged(ComparatorMethod m, Polarity p, int direction, double level, bool second_level) {
    Comparison c;
    c.method = m;
    c.compared = true;
    c.direction = direction;
    if (direction == 0) {
        c.label = "Similar";
        return c;
    }
    c.level = level;
    if (p == Polarity::no_judgement) {
        c.label = direction > 0 ? "Higher" : "Lower";
        return c;
    }
    const bool better = (direction > 0) == (p == Polarity::higher_is_better);
    if (second_level) c.label = better ? "Best" : "Worst";
    else c.label = better ? "Better" : "Worse";
    return c;
}

inline bool has_number(double v) { return std::isfinite(v); }

// The checks every method makes first; returns a reason or blank.
inline std::string comparison_reason(Polarity p, double value, double benchmark) {
    if (p == Polarity::not_applicable) return "polarity not applicable";
    if (!finite(value)) return "no value";
    if (!finite(benchmark)) return "benchmark has no value";
    return {};
}

// Which side of [lo, hi] the point b lies on, seen from the interval: +1 when the interval lies
// wholly above b, -1 wholly below, 0 when b is inside (ends included, as in Fingertips).
inline int side_of(double lo, double hi, double b) {
    if (b < lo) return 1;
    if (b > hi) return -1;
    return 0;
}

}  // namespace detail

// Method 1, single overlapping 95% limits: Similar when the benchmark value B lies within the
// area's 95% limits [L, U] (ends included); otherwise Higher when L > B and Lower when U < B,
// adjusted for polarity. Not compared when the value, B or either limit is missing.
inline Comparison compare_single_overlap(double value, double lower95, double upper95, double benchmark, Polarity polarity) {
    const auto m = ComparatorMethod::single_overlap;
    auto reason = detail::comparison_reason(polarity, value, benchmark);
    if (!reason.empty()) return detail::not_compared(m, reason);
    if (!detail::has_number(lower95) || !detail::has_number(upper95)) return detail::not_compared(m, "no 95% confidence limits");
    return detail::judged(m, polarity, detail::side_of(lower95, upper95, benchmark), 0.95, false);
}

// Method 17, single overlapping limits at two levels: as method 1 at 95%; when B is also outside
// the 99.8% limits the label is the darker Best/Worst (Higher/Lower, level 0.998, for no
// judgement). Not compared without both pairs of limits.
inline Comparison compare_two_level(double value, double lower95, double upper95, double lower99_8, double upper99_8,
                                    double benchmark, Polarity polarity) {
    const auto m = ComparatorMethod::two_level_overlap;
    auto reason = detail::comparison_reason(polarity, value, benchmark);
    if (!reason.empty()) return detail::not_compared(m, reason);
    if (!detail::has_number(lower95) || !detail::has_number(upper95)) return detail::not_compared(m, "no 95% confidence limits");
    if (!detail::has_number(lower99_8) || !detail::has_number(upper99_8))
        return detail::not_compared(m, "no 99.8% confidence limits");
    const int d95 = detail::side_of(lower95, upper95, benchmark);
    const int d998 = detail::side_of(lower99_8, upper99_8, benchmark);
    if (d998 != 0 && d998 == d95) return detail::judged(m, polarity, d998, 0.998, true);
    return detail::judged(m, polarity, d95, 0.95, false);
}

// Method 12, double overlapping 95% limits: Similar when the area's limits [L, U] and the
// benchmark's [Lb, Ub] overlap (touching counts as overlap); Higher when L > Ub, Lower when
// U < Lb, adjusted for polarity. Used when the benchmark is itself an estimate with limits.
inline Comparison compare_double_overlap(double value, double lower95, double upper95, double benchmark,
                                         double benchmark_lower95, double benchmark_upper95, Polarity polarity) {
    const auto m = ComparatorMethod::double_overlap;
    auto reason = detail::comparison_reason(polarity, value, benchmark);
    if (!reason.empty()) return detail::not_compared(m, reason);
    if (!detail::has_number(lower95) || !detail::has_number(upper95)) return detail::not_compared(m, "no 95% confidence limits");
    if (!detail::has_number(benchmark_lower95) || !detail::has_number(benchmark_upper95))
        return detail::not_compared(m, "benchmark has no 95% confidence limits");
    int d = 0;
    if (lower95 > benchmark_upper95) d = 1;
    else if (upper95 < benchmark_lower95) d = -1;
    return detail::judged(m, polarity, d, 0.95, false);
}

// Control limits of a proportion round the benchmark proportion P0 = B / multiplier for a
// denominator N, as the Wilson score limits of the expected count E = N P0 (APHO Technical
// Briefing 2; Fingertips SpcForProportionsComparer):
//   L, U = (2E + z^2 -/+ z sqrt(z^2 + 4E(1 - E/N))) / (2(N + z^2)),  z = z_value(confidence),
// returned on the indicator's scale (times multiplier).
inline Interval spc_proportion_limits(double benchmark, double denominator, double multiplier, double confidence) {
    const double z = z_value(confidence);
    const double n = denominator;
    const double e = n * benchmark / multiplier;
    const Interval w = detail::wilson_with_z(e, n, z);
    return {w.lower * multiplier, w.upper * multiplier};
}

namespace detail {

// What the two SPC comparisons share: errors for multiplier <= 0, a bad level or a negative
// denominator; "not compared" for a missing value or benchmark, no positive denominator, or a
// benchmark the method cannot use (bad_benchmark, with its reason); otherwise the value against
// limits(), Higher/Lower outside them, adjusted for polarity.
template <class Limits>
Comparison spc_judgement(ComparatorMethod m, double value, double denominator, double benchmark, double multiplier,
                         Polarity polarity, double confidence, bool bad_benchmark, const char* benchmark_reason,
                         Limits limits) {
    if (!(multiplier > 0.0)) throw StatisticsError("multiplier must be greater than zero, got " + number_text(multiplier));
    check_confidence(confidence);
    if (denominator < 0.0) throw StatisticsError("denominator must not be negative, got " + number_text(denominator));
    auto reason = comparison_reason(polarity, value, benchmark);
    if (!reason.empty()) return not_compared(m, reason);
    if (!(denominator > 0.0) || !has_number(denominator)) return not_compared(m, "no denominator");
    if (bad_benchmark) return not_compared(m, benchmark_reason);
    const Interval lim = limits();
    const int d = value > lim.upper ? 1 : (value < lim.lower ? -1 : 0);
    return judged(m, polarity, d, confidence, false);
}

}  // namespace detail

// Method 5, SPC for proportions: the area's value against spc_proportion_limits(); outside gives
// Higher/Lower at that confidence, adjusted for polarity. Default confidence 0.95 (Fingertips
// offers 95% and 99.8%). Not compared without a positive denominator or with a benchmark
// outside [0, multiplier]. Throws StatisticsError for a negative denominator or multiplier <= 0.
inline Comparison compare_spc_proportion(double value, double denominator, double benchmark, double multiplier,
                                         Polarity polarity, double confidence = 0.95) {
    return detail::spc_judgement(ComparatorMethod::spc_proportion, value, denominator, benchmark, multiplier, polarity,
                                 confidence, benchmark < 0.0 || benchmark > multiplier, "benchmark is not a proportion",
                                 [&] { return spc_proportion_limits(benchmark, denominator, multiplier, confidence); });
}

// Control limits of a rate round the benchmark rate B for a population D (the denominator of a
// DSR), as the exact Poisson limits of the expected count E = B D / multiplier, back on the
// rate scale (APHO Technical Briefing 2; Fingertips SpcForDsrComparer):
//   L, U = multiplier / D * (chi2^-1((1-c)/2; 2E) / 2, chi2^-1((1+c)/2; 2E + 2) / 2).
// E is usually not a whole number; the continuous form of the exact limits is used
// (Fingertips sums whole Poisson terms, which can differ when E is small).
inline Interval spc_dsr_limits(double benchmark, double denominator, double multiplier, double confidence) {
    const double e = benchmark * denominator / multiplier;
    const Interval p = exact_poisson_interval(e, confidence);
    return {p.lower / denominator * multiplier, p.upper / denominator * multiplier};
}

// Method 6, SPC for directly standardised rates: the area's value against spc_dsr_limits().
// Default confidence 0.95. Not compared without a positive denominator or with a negative
// benchmark. Throws StatisticsError as compare_spc_proportion does.
inline Comparison compare_spc_dsr(double value, double denominator, double benchmark, double multiplier, Polarity polarity,
                                  double confidence = 0.95) {
    return detail::spc_judgement(ComparatorMethod::spc_dsr, value, denominator, benchmark, multiplier, polarity, confidence,
                                 benchmark < 0.0, "benchmark is negative",
                                 [&] { return spc_dsr_limits(benchmark, denominator, multiplier, confidence); });
}

// Quantile boundaries of the finite values, Fingertips QuintilesCalculator: the k/q sample
// quantiles by linear interpolation between order statistics (Hyndman and Fan type 7, R's
// default): position h = (n - 1) k / q, value x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
// Returns q + 1 bounds (minimum .. maximum). Needs at least q finite values, else returns empty.
inline std::vector<double> quantile_bounds(const std::vector<double>& values, int groups) {
    std::vector<double> v;
    for (double x : values)
        if (std::isfinite(x)) v.push_back(x);
    if (groups < 2) throw StatisticsError("quantile comparison needs at least 2 groups, got " + std::to_string(groups));
    if (v.size() < static_cast<std::size_t>(groups)) return {};
    std::sort(v.begin(), v.end());
    std::vector<double> b;
    const double last = static_cast<double>(v.size() - 1);
    for (int k = 0; k <= groups; ++k) {
        const double h = last * k / groups;
        const auto lo = static_cast<std::size_t>(std::floor(h));
        const std::size_t hi = std::min(lo + 1, v.size() - 1);
        b.push_back(v[lo] + (h - std::floor(h)) * (v[hi] - v[lo]));
    }
    return b;
}

// Methods 15 and 16, quintiles (groups = 5) and quartiles (groups = 4) of all comparable areas'
// values (Fingertips QuintilesComparer): an area is in the first group whose upper bound is at
// least its value. The Fingertips category counts from the best when higher is better (group 1 =
// highest values) and from the lowest values otherwise. Labels name the value's position:
// "Lowest quintile", "2nd lowest quintile", "Middle quintile", "2nd highest quintile",
// "Highest quintile" (quartiles: "Lowest quartile", "2nd lowest quartile", "2nd highest
// quartile", "Highest quartile"). Not compared when fewer than `groups` values exist, for a
// missing value, or with polarity not applicable.
inline std::vector<Comparison> compare_quantiles(const std::vector<double>& values, int groups, Polarity polarity) {
    if (groups != 4 && groups != 5) throw StatisticsError("quantile comparison needs 4 or 5 groups, got " + std::to_string(groups));
    const auto m = groups == 5 ? ComparatorMethod::quintiles : ComparatorMethod::quartiles;
    const std::vector<double> bounds = quantile_bounds(values, groups);
    static const char* const five[] = {"Lowest quintile", "2nd lowest quintile", "Middle quintile", "2nd highest quintile",
                                       "Highest quintile"};
    static const char* const four[] = {"Lowest quartile", "2nd lowest quartile", "2nd highest quartile", "Highest quartile"};
    std::vector<Comparison> out;
    out.reserve(values.size());
    for (double x : values) {
        if (polarity == Polarity::not_applicable) {
            out.push_back(detail::not_compared(m, "polarity not applicable"));
            continue;
        }
        if (!std::isfinite(x)) {
            out.push_back(detail::not_compared(m, "no value"));
            continue;
        }
        if (bounds.empty()) {
            out.push_back(detail::not_compared(m, "fewer than " + std::to_string(groups) + " values to rank"));
            continue;
        }
        int g = 1;
        while (g < groups && x > bounds[static_cast<std::size_t>(g)]) ++g;
        Comparison c;
        c.method = m;
        c.compared = true;
        c.category = polarity == Polarity::higher_is_better ? groups + 1 - g : g;
        c.label = groups == 5 ? five[g - 1] : four[g - 1];
        out.push_back(std::move(c));
    }
    return out;
}

// Flat inputs for comparing many values at once; unused columns may be left empty (they are then
// treated as missing). The benchmark columns hold the benchmark for each row.
struct ComparisonInput {
    std::vector<double> value, lower95, upper95, lower99_8, upper99_8, denominator;
    std::vector<double> benchmark, benchmark_lower95, benchmark_upper95;
};

// Runs one pairwise method over every row (quantile methods rank the value column as one set).
// Throws StatisticsError naming the row when a column has the wrong length or a row is malformed.
inline std::vector<Comparison> compare_many(ComparatorMethod method, const ComparisonInput& in, Polarity polarity,
                                            double multiplier = 100.0, double confidence = 0.95) {
    const std::size_t n = in.value.size();
    auto col = [&](const std::vector<double>& c, const char* name) {
        if (!c.empty() && c.size() != n)
            throw StatisticsError(std::string("column '") + name + "' has " + std::to_string(c.size()) + " rows, value has " +
                                  std::to_string(n));
        return [&c](std::size_t i) { return c.empty() ? std::numeric_limits<double>::quiet_NaN() : c[i]; };
    };
    if (method == ComparatorMethod::quintiles || method == ComparatorMethod::quartiles)
        return compare_quantiles(in.value, method == ComparatorMethod::quintiles ? 5 : 4, polarity);
    auto lo = col(in.lower95, "lower95"), hi = col(in.upper95, "upper95"), lo8 = col(in.lower99_8, "lower99_8"),
         hi8 = col(in.upper99_8, "upper99_8"), den = col(in.denominator, "denominator"), b = col(in.benchmark, "benchmark"),
         blo = col(in.benchmark_lower95, "benchmark_lower95"), bhi = col(in.benchmark_upper95, "benchmark_upper95");
    std::vector<Comparison> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        try {
            const double v = in.value[i];
            switch (method) {
                case ComparatorMethod::none: out.push_back(detail::not_compared(method, "no comparison method")); break;
                case ComparatorMethod::single_overlap: out.push_back(compare_single_overlap(v, lo(i), hi(i), b(i), polarity)); break;
                case ComparatorMethod::two_level_overlap:
                    out.push_back(compare_two_level(v, lo(i), hi(i), lo8(i), hi8(i), b(i), polarity));
                    break;
                case ComparatorMethod::double_overlap:
                    out.push_back(compare_double_overlap(v, lo(i), hi(i), b(i), blo(i), bhi(i), polarity));
                    break;
                case ComparatorMethod::spc_proportion:
                    out.push_back(compare_spc_proportion(v, den(i), b(i), multiplier, polarity, confidence));
                    break;
                case ComparatorMethod::spc_dsr:
                    out.push_back(compare_spc_dsr(v, den(i), b(i), multiplier, polarity, confidence));
                    break;
                default: break;
            }
        } catch (const StatisticsError& e) {
            throw StatisticsError("row " + std::to_string(i) + ": " + std::string(e.what()));
        }
    }
    return out;
}

}  // namespace fairer
