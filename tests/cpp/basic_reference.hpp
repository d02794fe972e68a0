// Reads the package's upstream test tables (upstream/sysdata/*.csv) for the doctest suites of
// the crude indicator methods: columns by name, numbers with NA as NaN.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/row_groups.hpp"

namespace basic_reference {

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;

    // The CSV file at path: its first line is the header.
    explicit Table(const std::string& path) {
        auto reader = fairer::detail::CsvReader::from_file(path);
        std::vector<std::string_view> fields;
        if (reader.next(fields)) header.assign(fields.begin(), fields.end());
        while (reader.next(fields)) rows.emplace_back(fields.begin(), fields.end());
    }

    std::size_t col(const std::string& name) const {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i] == name) return i;
        throw std::runtime_error("no column " + name);
    }
    std::vector<double> numbers(const std::string& name) const {
        const std::size_t c = col(name);
        std::vector<double> out;
        for (const auto& r : rows) {
            double d = 0;
            out.push_back(fairer::detail::parse_double(r[c], d) ? d : std::nan(""));
        }
        return out;
    }
    std::vector<std::string> text(const std::string& name) const {
        const std::size_t c = col(name);
        std::vector<std::string> out;
        for (const auto& r : rows) out.push_back(r[c]);
        return out;
    }
};

inline Table read_sysdata(const std::string& object) {
    return Table(std::string(FAIRER_SHARED_DIR) + "/reference/pheindicatormethods/upstream/sysdata/" + object + ".csv");
}

// Equal within rel (relative to the expected value), or both missing.
inline bool same(double actual, double expected, double rel = 1e-9) {
    if (std::isnan(expected)) return std::isnan(actual);
    return std::fabs(actual - expected) <= rel * std::fabs(expected);
}

// Input rows grouped by area, groups numbered in the order their areas first appear.
struct GroupedRows {
    std::vector<double> x;
    std::vector<double> n;
    fairer::RowGroups groups;
    std::map<std::string, std::uint32_t> code;

    void add(const std::string& area, double numerator, double denominator) {
        auto [it, added] = code.emplace(area, static_cast<std::uint32_t>(groups.names.size()));
        if (added) groups.names.push_back(area);
        groups.codes.push_back(it->second);
        x.push_back(numerator);
        n.push_back(denominator);
    }
};

// A grouped result (summed counts, value, limits at the first level) against the expected table's
// rows, matched by Area; returns, for each expected row, the group it was compared with.
template <class Result>
std::vector<std::uint32_t> check_grouped(const Result& r, const Table& expected, const GroupedRows& rows) {
    const auto ex = expected.numbers("Numerator"), en = expected.numbers("Denominator"),
               ev = expected.numbers("value"), el = expected.numbers("lowercl"), eu = expected.numbers("uppercl");
    const auto areas = expected.text("Area");
    REQUIRE(r.value.size() == areas.size());
    std::vector<std::uint32_t> groups;
    for (std::size_t i = 0; i < areas.size(); ++i) {
        CAPTURE(areas[i]);
        const std::uint32_t k = rows.code.at(areas[i]);
        CHECK(same(r.numerator[k], ex[i]));
        CHECK(same(r.denominator[k], en[i]));
        CHECK(same(r.value[k], ev[i]));
        CHECK(same(r.lower[0][k], el[i]));
        CHECK(same(r.upper[0][k], eu[i]));
        groups.push_back(k);
    }
    return groups;
}

}  // namespace basic_reference
