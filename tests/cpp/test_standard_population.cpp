// The built-in European Standard Population 2013 against the package's own copy
// (upstream/package_data/esp2013.csv), and the checks on a user-given standard population.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/standard_population.hpp"

TEST_CASE("standard population: ESP 2013 matches the package's esp2013 band by band") {
    const std::string path =
        std::string(FAIRER_SHARED_DIR) + "/reference/pheindicatormethods/upstream/package_data/esp2013.csv";
    auto reader = fairer::detail::CsvReader::from_file(path);
    std::vector<std::string_view> f;
    REQUIRE(reader.next(f));  // ageband_index, ageband, esp2013
    const fairer::StandardPopulation esp = fairer::esp2013();
    std::size_t i = 0;
    while (reader.next(f)) {
        REQUIRE(i < esp.size());
        double w = 0;
        REQUIRE(fairer::detail::parse_double(f[2], w));
        CHECK(esp.bands()[i] == std::string(f[1]));
        CHECK(esp.weights()[i] == w);
        ++i;
    }
    CHECK(i == 19);
    CHECK(esp.size() == 19);
    // Eurostat's published total for the 2013 standard.
    CHECK(esp.total() == 100000.0);
    CHECK(esp.find("90+") == 18);
    CHECK(esp.find("95+") == esp.size());
}

TEST_CASE("standard population: a user-given population is validated") {
    const auto p = fairer::StandardPopulation::custom("two bands", {"0-49", "50+"}, {60, 40});
    CHECK(p.total() == 100.0);
    CHECK(p.name() == "two bands");
    CHECK_THROWS_WITH_AS(fairer::StandardPopulation::custom("s", {"a", "b"}, {1}),
                         "[fairer.statistics] standard population 's': 2 band labels but 1 weights",
                         fairer::StatisticsError);
    CHECK_THROWS_WITH_AS(fairer::StandardPopulation::custom("s", {"a", "b"}, {1, -2}),
                         "[fairer.statistics] standard population 's', band 2 ('b'): stdpop must all be greater "
                         "than or equal to zero (value -2)",
                         fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::StandardPopulation::custom("s", {"a", "a"}, {1, 2}), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::StandardPopulation::custom("s", {"a"}, {0}), fairer::StatisticsError);
    CHECK_THROWS_AS(fairer::StandardPopulation::custom("s", {}, {}), fairer::StatisticsError);
}
