// Reads the package's upstream test tables (upstream/sysdata/*.csv) for the doctest suites of
// the crude indicator methods: columns by name, numbers with NA as NaN.
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "fairer/detail/csv.hpp"

namespace basic_reference {

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;

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
    auto r = fairer::detail::CsvReader::from_file(std::string(FAIRER_SHARED_DIR) +
                                                  "/reference/pheindicatormethods/upstream/sysdata/" + object + ".csv");
    Table t;
    std::vector<std::string_view> f;
    r.next(f);
    for (auto v : f) t.header.emplace_back(v);
    while (r.next(f)) {
        std::vector<std::string> row;
        for (auto v : f) row.emplace_back(v);
        t.rows.push_back(std::move(row));
    }
    return t;
}

// Equal within rel (relative to the expected value), or both missing.
inline bool same(double actual, double expected, double rel = 1e-9) {
    if (std::isnan(expected)) return std::isnan(actual);
    return std::fabs(actual - expected) <= rel * std::fabs(expected);
}

}  // namespace basic_reference
