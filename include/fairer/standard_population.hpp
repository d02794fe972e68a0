// Standard populations for direct age standardisation: a set of named bands, each with a
// weight (the number of people of the standard population in that band).
//
// The European Standard Population 2013 (Eurostat, "Revision of the European Standard
// Population: report of Eurostat's task force", 2013) is built in, in the 19 five-year
// bands England's public-health statistics use (0-4, 5-9, ..., 85-89, 90+: Eurostat's 0 and
// 1-4 bands merged, and its 90-94 and 95+ merged). These are the weights of the package
// PHEindicatormethods (`esp2013`), totalling 100,000. Any other standard population (ESP
// 1976, WHO world standard, a local population) can be built with StandardPopulation::custom.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/errors.hpp"

namespace fairer {

class StandardPopulation {
public:
    // A standard population from band labels and weights, in band order. Weights must be
    // finite and non-negative, with at least one positive (so that the standardised rate's
    // denominator is not zero); labels must be as many as weights and distinct.
    // Throws StatisticsError naming the band at fault.
    static StandardPopulation custom(std::string name, std::vector<std::string> bands, std::vector<double> weights) {
        if (bands.size() != weights.size()) {
            throw StatisticsError("standard population '" + name + "': " + std::to_string(bands.size()) +
                                  " band labels but " + std::to_string(weights.size()) + " weights");
        }
        if (weights.empty()) throw StatisticsError("standard population '" + name + "' has no bands");
        bool any_positive = false;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            if (!std::isfinite(weights[i]) || weights[i] < 0.0) {
                throw StatisticsError("standard population '" + name + "', band " + std::to_string(i + 1) + " ('" +
                                      bands[i] + "'): stdpop must all be greater than or equal to zero (value " +
                                      detail::format_double(weights[i]) + ")");
            }
            any_positive = any_positive || weights[i] > 0.0;
            for (std::size_t j = 0; j < i; ++j) {
                if (bands[j] == bands[i]) {
                    throw StatisticsError("standard population '" + name + "': band '" + bands[i] +
                                          "' appears twice (bands " + std::to_string(j + 1) + " and " +
                                          std::to_string(i + 1) + ")");
                }
            }
        }
        if (!any_positive) throw StatisticsError("standard population '" + name + "' has no positive weight");
        return StandardPopulation(std::move(name), std::move(bands), std::move(weights));
    }

    const std::string& name() const noexcept { return name_; }
    const std::vector<std::string>& bands() const noexcept { return bands_; }
    const std::vector<double>& weights() const noexcept { return weights_; }
    std::size_t size() const noexcept { return weights_.size(); }

    double total() const noexcept {
        double s = 0.0;
        for (double w : weights_) s += w;
        return s;
    }

    // Position of a band label, or size() when absent.
    std::size_t find(const std::string& band) const noexcept {
        for (std::size_t i = 0; i < bands_.size(); ++i) {
            if (bands_[i] == band) return i;
        }
        return bands_.size();
    }

private:
    StandardPopulation(std::string name, std::vector<std::string> bands, std::vector<double> weights)
        : name_(std::move(name)), bands_(std::move(bands)), weights_(std::move(weights)) {}

    std::string name_;
    std::vector<std::string> bands_;
    std::vector<double> weights_;
};

// European Standard Population 2013 in 19 bands (0-4, 5-9, ..., 85-89, 90+), total 100,000.
// Returned by value so that there is no shared mutable state.
inline StandardPopulation esp2013() {
    std::vector<std::string> bands;
    bands.reserve(19);
    for (int lower = 0; lower < 90; lower += 5)
        bands.push_back(std::to_string(lower) + "-" + std::to_string(lower + 4));
    bands.emplace_back("90+");
    return StandardPopulation::custom("ESP2013", std::move(bands),
                                      {5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000,
                                       5500, 5000, 4000, 2500, 1500, 1000});
}

}  // namespace fairer
