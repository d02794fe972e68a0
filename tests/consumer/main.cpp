// A short consumer: the installed fairer loads its embedded framework and data, and allocates a
// budget over enough units that the engine shares its passes with its helper thread.
#include <fairer/fairer.hpp>
#include <cstdint>
#include <iostream>
#include <string>

int main() {
    const auto data = fairer::load_default();
    fairer::AllocationUnits units;
    std::vector<std::string> ids;
    std::vector<double> population;
    for (int i = 0; i < 20000; ++i) {
        ids.push_back("U" + std::to_string(i));
        population.push_back(1000.0 + i % 700);
    }
    units.ids = ids;
    units.population = population;
    const auto r = fairer::allocate(units, 123456700, fairer::AllocationParameters{});
    std::int64_t total = 0;
    for (auto pence : r.rounded) total += pence;
    std::cout << "fairer " << fairer::version << ": " << data.framework.indicators.size() << " indicators, "
              << data.observations.size() << " observations, "
              << fairer::TimePeriod::parse("2018 - 20").to_string() << ", allocation total " << total << "\n";
    return total == 123456700 ? 0 : 1;
}
