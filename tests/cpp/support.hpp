// Helpers shared by the reader tests: edit a fixture in one place, and capture a reader's error.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "fairer/detail/csv.hpp"
#include "fairer/errors.hpp"

namespace fairer_test {

// The text of a fixture file with one piece replaced; the piece must occur exactly once, so an
// edited fixture cannot silently stop exercising the case it was written for.
inline std::string edited_file(const std::string& path, const std::string& from, const std::string& to) {
    std::string text = fairer::detail::read_text_file(path);
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(text.find(from, at + 1) == std::string::npos);
    return text.replace(at, from.size(), to);
}

// The full message of the DataError that parse(text, source) raises ("" if it raises none).
template <class Parse>
std::string data_error_of(Parse parse, const std::string& text, const std::string& source) {
    try {
        parse(text, source);
    } catch (const fairer::DataError& e) {
        return e.what();
    }
    return "";
}

}  // namespace fairer_test
