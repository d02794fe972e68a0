// A five-line consumer: the installed fairer loads its embedded framework and data.
#include <fairer/fairer.hpp>
#include <iostream>

int main() {
    const auto data = fairer::load_default();
    std::cout << "fairer " << fairer::version << ": " << data.framework.indicators.size() << " indicators, "
              << data.observations.size() << " observations, "
              << fairer::TimePeriod::parse("2018 - 20").to_string() << "\n";
}
