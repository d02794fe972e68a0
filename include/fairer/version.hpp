// The single source of fairer's version: CMake and the Python wheel both read it.
#pragma once

#define FAIRER_VERSION_MAJOR 0
#define FAIRER_VERSION_MINOR 1
#define FAIRER_VERSION_PATCH 0
#define FAIRER_VERSION_STRING "0.1.0"

namespace fairer {
inline constexpr const char* version = FAIRER_VERSION_STRING;
}  // namespace fairer
