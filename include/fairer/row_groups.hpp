// Rows of a table assigned to groups, as the grouped indicator methods take them: one group code
// per row plus a name per group (used only to name the group in error messages). Codes rather
// than nested containers let Python hand over pandas' group numbers without reshaping the data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fairer/errors.hpp"

namespace fairer {

struct RowGroups {
    std::vector<std::uint32_t> codes;  // group of each row, 0 .. names.size() - 1
    std::vector<std::string> names;    // one label per group, in output order

    std::size_t size() const noexcept { return names.size(); }

    // Throws StatisticsError unless there is one code per row and every code names a group.
    void check(std::size_t rows) const {
        if (codes.size() != rows)
            throw StatisticsError("group codes have " + std::to_string(codes.size()) + " entries for " +
                                  std::to_string(rows) + " rows");
        for (std::size_t i = 0; i < codes.size(); ++i)
            if (codes[i] >= names.size())
                throw StatisticsError("row index " + std::to_string(i) + ": group code " + std::to_string(codes[i]) +
                                      " but only " + std::to_string(names.size()) + " groups are named");
    }
};

namespace detail {

// "group 'Area3', row index 5" (0-based position, as numpy and pandas' iloc count rows), or just
// "row index 5" when ungrouped.
inline std::string where(const RowGroups* groups, std::size_t row) {
    std::string s;
    if (groups != nullptr && row < groups->codes.size()) s = "group '" + groups->names[groups->codes[row]] + "', ";
    return s + "row index " + std::to_string(row);
}

}  // namespace detail
}  // namespace fairer
