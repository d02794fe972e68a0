// Precompiled for the binding translation units only: pybind11 and numpy headers dominate
// their compile time on a 2-core machine.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
