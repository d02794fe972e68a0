// Loads the subgroup tables and expected rows of /work/shared/reference/inequality (README there)
// for the summary-measure tests.
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/subgroup_table.hpp"

namespace fairer_test {

inline std::string inequality_file(const std::string& name) {
    return std::string(FAIRER_SHARED_DIR) + "/reference/inequality/" + name;
}

inline double cell_number(std::string_view v) {
    double out = std::nan("");
    if (!v.empty()) fairer::detail::parse_double(v, out);
    return out;
}

// Every table of an *_input.csv file, keyed by case_id, rows in file order.
inline std::map<std::string, fairer::SubgroupTable> read_subgroup_tables(const std::string& name) {
    std::map<std::string, fairer::SubgroupTable> out;
    auto reader = fairer::detail::CsvReader::from_file(inequality_file(name));
    std::vector<std::string_view> row;
    bool header = true;
    while (reader.next(row)) {
        if (header) {
            header = false;
            continue;
        }
        auto& t = out[std::string(row[0])];
        t.name = std::string(row[0]);
        t.subgroup.emplace_back(row[1]);
        t.order.push_back(cell_number(row[2]));
        t.population.push_back(cell_number(row[3]));
        t.estimate.push_back(cell_number(row[4]));
        t.se.push_back(cell_number(row[5]));
        t.favourable = row[6] == "1";
        t.ordered = row[7] == "1";
        t.reference.push_back(row[8] == "1" ? 1 : 0);
        t.scale = cell_number(row[9]);
        t.setting_average = cell_number(row[10]);
    }
    return out;
}

// A CSV as rows of named cells.
inline std::vector<std::map<std::string, std::string>> read_rows(const std::string& name) {
    std::vector<std::map<std::string, std::string>> out;
    auto reader = fairer::detail::CsvReader::from_file(inequality_file(name));
    std::vector<std::string_view> row;
    std::vector<std::string> header;
    while (reader.next(row)) {
        if (header.empty()) {
            for (auto v : row) header.emplace_back(v);
            continue;
        }
        std::map<std::string, std::string> r;
        for (std::size_t i = 0; i < row.size() && i < header.size(); ++i) r[header[i]] = std::string(row[i]);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace fairer_test
