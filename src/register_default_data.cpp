// fairer._core.DefaultData and load_data_directory: the embedded dataset as one object.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "fairer/default_data.hpp"

namespace py = pybind11;

void register_default_data(py::module_& m) {
    py::class_<fairer::DefaultData>(m, "DefaultData",
                                    "The embedded default dataset: framework, areas, LSOA deprivation lookups "
                                    "(IoD 2019 on LSOA 2011, IoD 2025 on LSOA 2021) and Beacon indicator observations.")
        .def_readonly("directory", &fairer::DefaultData::directory, "Folder the files were read from.")
        .def_readonly("framework", &fairer::DefaultData::framework)
        .def_readonly("areas", &fairer::DefaultData::areas)
        .def_readonly("iod2019", &fairer::DefaultData::iod2019)
        .def_readonly("iod2025", &fairer::DefaultData::iod2025)
        .def_readonly("observations", &fairer::DefaultData::observations)
        .def("__repr__", [](const fairer::DefaultData& d) {
            return "<fairer.DefaultData '" + d.framework.name + "': " + std::to_string(d.framework.indicators.size()) +
                   " indicators, " + std::to_string(d.areas.size()) + " areas, " +
                   std::to_string(d.iod2019.size()) + " + " + std::to_string(d.iod2025.size()) + " LSOAs, " +
                   std::to_string(d.observations.size()) + " observations>";
        });

    m.def(
        "load_data_directory",
        [](const std::string& directory) {
            // Pure C++ file reading and parsing that touches no Python object.
            py::gil_scoped_release release;
            return fairer::load_data_directory(directory);
        },
        py::arg("directory"),
        "Read a dataset laid out like the embedded one (all_together_fairer.framework, areas.csv, "
        "lsoa_iod2019.csv, lsoa_iod2025.csv, observations.csv) from a folder.");
}
