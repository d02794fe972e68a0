// The embedded default dataset: the All Together Fairer framework, the Cheshire and Merseyside
// places and groupings, their LSOAs with the Indices of Deprivation 2019 and 2025, and every
// Beacon indicator value the public sources hold. It is read through the same public readers a
// user calls for their own files, so the embedded data gets no privileged path.
#pragma once

#include <cstdlib>
#include <string>

#include "fairer/area.hpp"
#include "fairer/deprivation.hpp"
#include "fairer/errors.hpp"
#include "fairer/framework.hpp"
#include "fairer/observations.hpp"
#include "fairer/observations_io.hpp"

namespace fairer {

struct DefaultData {
    std::string directory;  // where the files were read from
    Framework framework;
    AreaHierarchy areas;           // England, region, ICB, combined authority, sub-regions, places
    DeprivationLookup iod2019;     // LSOA 2011, English Indices of Deprivation 2019
    DeprivationLookup iod2025;     // LSOA 2021, English Indices of Deprivation 2025
    ObservationTable observations;  // tidy Beacon indicator values
};

// The folder holding the embedded data: $FAIRER_DATA_DIR if set, else the folder this copy of
// fairer was built or installed with (CMake defines FAIRER_DEFAULT_DATA_DIR on the target).
inline std::string default_data_directory() {
    if (const char* env = std::getenv("FAIRER_DATA_DIR"); env != nullptr && *env != '\0') return env;
#ifdef FAIRER_DEFAULT_DATA_DIR
    return FAIRER_DEFAULT_DATA_DIR;
#else
    throw Error("data", "no default data folder: set FAIRER_DATA_DIR or link the fairer::fairer CMake target");
#endif
}

// Reads a dataset laid out like the embedded one. Observations are checked against the
// framework's indicators and the area file's codes, and counts against denominators for the
// framework's proportion indicators.
inline DefaultData load_data_directory(const std::string& directory) {
    DefaultData d;
    d.directory = directory;
    const std::string dir = directory + "/";
    d.framework = read_framework(dir + "all_together_fairer.framework");
    d.areas = read_areas(dir + "areas.csv");
    d.iod2019 = read_deprivation(dir + "lsoa_iod2019.csv");
    d.iod2025 = read_deprivation(dir + "lsoa_iod2025.csv");
    ReadOptions options;
    for (const auto& indicator : d.framework.indicators) {
        options.known_indicators.insert(indicator.key);
        if (indicator.is_proportion()) options.proportion_indicators.insert(indicator.key);
    }
    for (const auto& area : d.areas) options.known_areas.insert(area.code);
    d.observations = read_tidy_csv(dir + "observations.csv", options);
    return d;
}

inline DefaultData load_default() { return load_data_directory(default_data_directory()); }

}  // namespace fairer
