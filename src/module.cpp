// The compiled core of fairer. Each binding area lives in its own register_<area>.cpp;
// this file only wires them together. The public API is the Python package fairer.
#include <pybind11/pybind11.h>

#include "fairer/version.hpp"

namespace py = pybind11;

void register_errors(py::module_& m);
void register_time_period(py::module_& m);
void register_framework(py::module_& m);
void register_area(py::module_& m);
void register_observations(py::module_& m);
void register_default_data(py::module_& m);
void register_methods(py::module_& m);
void register_standardisation(py::module_& m);
void register_life_expectancy(py::module_& m);
void register_inequality(py::module_& m);
void register_funnels(py::module_& m);
void register_allocation(py::module_& m);
void register_allocation_analysis(py::module_& m);
void register_heat(py::module_& m);
void register_heat_nonordered(py::module_& m);
void register_distribution_inequality(py::module_& m);
void register_monitoring(py::module_& m);
void register_trends(py::module_& m);

PYBIND11_MODULE(_core, m) {
    m.doc() = "fairer compiled core (private: use the fairer package)";
    m.attr("__version__") = FAIRER_VERSION_STRING;
    register_errors(m);
    register_time_period(m);
    register_framework(m);
    register_area(m);
    register_observations(m);
    register_default_data(m);
    register_methods(m);
    register_standardisation(m);
    register_life_expectancy(m);
    register_inequality(m);
    register_funnels(m);
    register_allocation(m);
    register_allocation_analysis(m);
    register_heat(m);
    register_heat_nonordered(m);
    register_distribution_inequality(m);
    register_monitoring(m);
    register_trends(m);
}
