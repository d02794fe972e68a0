// Places and the geographies they nest in (England > region > ICB / combined authority >
// sub-region > local authority > LSOA), read from an areas CSV:
//
//   code,name,type,detail,parents,population,population_period,population_source
//
// type is one of "England", "region", "ICB", "sub-region", "combined authority",
// "local authority", "LSOA"; parents is a ';'-separated list of codes in the same file. An area
// may have several parents (a Liverpool City Region borough sits in its sub-region, the combined
// authority and the ICB), so the hierarchy is a directed acyclic graph rather than a tree.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/errors.hpp"

namespace fairer {

enum class AreaType { england, region, icb, sub_region, combined_authority, local_authority, lsoa };

namespace detail {
inline const std::array<std::pair<AreaType, std::string_view>, 7>& area_type_names() {
    static constexpr std::array<std::pair<AreaType, std::string_view>, 7> names{{
        {AreaType::england, "England"},
        {AreaType::region, "region"},
        {AreaType::icb, "ICB"},
        {AreaType::sub_region, "sub-region"},
        {AreaType::combined_authority, "combined authority"},
        {AreaType::local_authority, "local authority"},
        {AreaType::lsoa, "LSOA"},
    }};
    return names;
}
inline const char* area_type_choices() {
    return "'England', 'region', 'ICB', 'sub-region', 'combined authority', 'local authority' or 'LSOA'";
}
inline bool area_type_from_text(std::string_view text, AreaType& out) {
    for (const auto& item : area_type_names())
        if (item.second == text) {
            out = item.first;
            return true;
        }
    return false;
}
}  // namespace detail

// Text form as written in the areas file ("local authority", "ICB").
inline std::string to_string(AreaType type) {
    for (const auto& item : detail::area_type_names())
        if (item.first == type) return std::string(item.second);
    throw Error("value", "invalid area type enumerator");
}

// Inverse of to_string(AreaType); exact match. Throws fairer::Error (id "value") naming the text.
inline AreaType area_type_from_string(std::string_view text) {
    AreaType out{};
    if (!detail::area_type_from_text(text, out))
        throw Error("value", "unknown area type '" + std::string(text) + "'; expected " + detail::area_type_choices());
    return out;
}

struct Area {
    std::string code;  // GSS code (E06000049) or a project code for groupings without one (SR-CW)
    std::string name;
    AreaType type = AreaType::local_authority;
    std::string detail;                // "unitary authority", "metropolitan district"
    std::vector<std::string> parents;  // codes of the areas this one nests in directly
    double population = std::numeric_limits<double>::quiet_NaN();  // NaN = not given
    std::string population_period;     // "mid-2020"
    std::string population_source;
};

// Two areas are equal when every field is; two missing populations compare equal.
inline bool operator==(const Area& a, const Area& b) {
    const bool same_population = (std::isnan(a.population) && std::isnan(b.population)) || a.population == b.population;
    return a.code == b.code && a.name == b.name && a.type == b.type && a.detail == b.detail &&
           a.parents == b.parents && same_population && a.population_period == b.population_period &&
           a.population_source == b.population_source;
}
inline bool operator!=(const Area& a, const Area& b) { return !(a == b); }

// A validated set of areas: unique codes, parents that exist, no cycles. Areas keep their file
// order, and pointers returned by the queries stay valid for the lifetime of the hierarchy
// (it is immutable after construction).
class AreaHierarchy {
public:
    AreaHierarchy() = default;

    // Validates and indexes the areas. source and rows (the file line of each area; empty when
    // the areas were built in code) only locate problems in the DataError message.
    explicit AreaHierarchy(std::vector<Area> areas, std::string source = {}, std::vector<std::size_t> rows = {})
        : areas_(std::move(areas)) {
        if (!rows.empty() && rows.size() != areas_.size())
            throw Error("area", "rows must be empty or give one line per area");
        auto problem = [&](std::size_t i, std::string column, std::string value, std::string what) {
            return DataError(DataProblem{source, rows.empty() ? 0 : rows[i], std::move(column), std::move(value),
                                         std::move(what)});
        };
        for (std::size_t i = 0; i < areas_.size(); ++i) {
            const Area& a = areas_[i];
            if (a.code.empty()) throw problem(i, "code", "", "missing area code");
            if (!index_.emplace(a.code, i).second) throw problem(i, "code", a.code, "duplicate area code");
            if (a.population < 0)
                throw problem(i, "population", detail::format_double(a.population), "negative population");
            if (std::isinf(a.population))
                throw problem(i, "population", detail::format_double(a.population), "population is not finite");
        }
        children_.assign(areas_.size(), {});
        for (std::size_t i = 0; i < areas_.size(); ++i) {
            const auto& parents = areas_[i].parents;
            for (std::size_t p = 0; p < parents.size(); ++p) {
                auto it = index_.find(parents[p]);
                if (it == index_.end()) throw problem(i, "parents", parents[p], "parent is not an area in the file");
                for (std::size_t q = 0; q < p; ++q)
                    if (parents[q] == parents[p]) throw problem(i, "parents", parents[p], "parent listed twice");
                children_[it->second].push_back(i);
            }
        }
        check_acyclic(problem);
    }

    std::size_t size() const noexcept { return areas_.size(); }
    bool empty() const noexcept { return areas_.empty(); }
    const std::vector<Area>& areas() const noexcept { return areas_; }
    std::vector<Area>::const_iterator begin() const noexcept { return areas_.begin(); }
    std::vector<Area>::const_iterator end() const noexcept { return areas_.end(); }

    bool contains(std::string_view code) const { return index_.find(code) != index_.end(); }
    const Area* find(std::string_view code) const {
        auto it = index_.find(code);
        return it == index_.end() ? nullptr : &areas_[it->second];
    }
    // Throws fairer::Error (id "area") for an unknown code.
    const Area& at(std::string_view code) const { return areas_[index_of(code)]; }

    // Every code, in file order.
    std::vector<std::string> codes() const {
        std::vector<std::string> out;
        out.reserve(areas_.size());
        for (const auto& a : areas_) out.push_back(a.code);
        return out;
    }

    // Areas that list `code` as a direct parent, in file order.
    std::vector<const Area*> children(std::string_view code) const {
        std::vector<const Area*> out;
        for (std::size_t c : children_[index_of(code)]) out.push_back(&areas_[c]);
        return out;
    }

    // Every area `code` nests in, directly or not, nearest first (breadth-first over the parent
    // lists, each area once).
    std::vector<const Area*> ancestors(std::string_view code) const {
        return walk(index_of(code), [this](std::size_t i) {
            std::vector<std::size_t> next;
            for (const auto& p : areas_[i].parents) next.push_back(index_.find(p)->second);
            return next;
        });
    }

    // The nearest area of `type` that `code` nests in (its sub-region, its ICB), or nullptr.
    const Area* ancestor_of_type(std::string_view code, AreaType type) const {
        for (const Area* a : ancestors(code))
            if (a->type == type) return a;
        return nullptr;
    }

    // Every area nesting in `code`, directly or not, nearest first.
    std::vector<const Area*> descendants(std::string_view code) const {
        return walk(index_of(code), [this](std::size_t i) { return children_[i]; });
    }

    std::vector<const Area*> areas_of_type(AreaType type) const {
        std::vector<const Area*> out;
        for (const auto& a : areas_)
            if (a.type == type) out.push_back(&a);
        return out;
    }

    // The places a framework reports on: the local authorities, in file order.
    std::vector<const Area*> places() const { return areas_of_type(AreaType::local_authority); }

private:
    std::size_t index_of(std::string_view code) const {
        auto it = index_.find(code);
        if (it == index_.end()) throw Error("area", "unknown area code '" + std::string(code) + "'");
        return it->second;
    }

    template <class Next>
    std::vector<const Area*> walk(std::size_t start, Next next) const {
        std::vector<char> seen(areas_.size(), 0);
        std::vector<std::size_t> frontier{start};
        std::vector<const Area*> out;
        seen[start] = 1;
        while (!frontier.empty()) {
            std::vector<std::size_t> following;
            for (std::size_t i : frontier)
                for (std::size_t j : next(i))
                    if (!seen[j]) {
                        seen[j] = 1;
                        out.push_back(&areas_[j]);
                        following.push_back(j);
                    }
            frontier = std::move(following);
        }
        return out;
    }

    // Iterative depth-first search with the usual white/grey/black colouring: reaching a grey
    // area again means the parent links loop. The first area of the loop in file order is
    // reported, with the loop spelled out.
    template <class Problem>
    void check_acyclic(Problem& problem) const {
        enum : char { white, grey, black };
        std::vector<char> colour(areas_.size(), white);
        std::vector<std::size_t> path;
        std::vector<std::pair<std::size_t, std::size_t>> stack;  // (area, next parent to visit)
        for (std::size_t root = 0; root < areas_.size(); ++root) {
            if (colour[root] != white) continue;
            stack.emplace_back(root, 0);
            colour[root] = grey;
            path.push_back(root);
            while (!stack.empty()) {
                auto& [i, k] = stack.back();
                if (k == areas_[i].parents.size()) {
                    colour[i] = black;
                    path.pop_back();
                    stack.pop_back();
                    continue;
                }
                const std::size_t j = index_.find(areas_[i].parents[k++])->second;
                if (colour[j] == grey) {
                    std::size_t from = 0;
                    while (path[from] != j) ++from;
                    std::size_t first = j;
                    for (std::size_t q = from; q < path.size(); ++q) first = std::min(first, path[q]);
                    std::string loop;
                    for (std::size_t q = from; q < path.size(); ++q) loop += areas_[path[q]].code + " -> ";
                    loop += areas_[j].code;
                    std::string parents;
                    for (std::size_t q = 0; q < areas_[first].parents.size(); ++q)
                        parents += (q ? ";" : "") + areas_[first].parents[q];
                    throw problem(first, "parents", parents, "cycle in the parent links: " + loop);
                }
                if (colour[j] == white) {
                    colour[j] = grey;
                    path.push_back(j);
                    stack.emplace_back(j, 0);
                }
            }
        }
    }

    std::vector<Area> areas_;
    std::map<std::string, std::size_t, std::less<>> index_;
    std::vector<std::vector<std::size_t>> children_;
};

namespace detail {
inline const std::vector<std::string>& area_header() {
    static const std::vector<std::string> h{"code",       "name",       "type",
                                            "detail",     "parents",    "population",
                                            "population_period", "population_source"};
    return h;
}
inline std::string area_header_text() {
    std::string s;
    for (const auto& c : area_header()) s += (s.empty() ? "" : ",") + c;
    return s;
}
}  // namespace detail

// Parses an areas CSV. source_name is used in error messages only.
inline AreaHierarchy parse_areas(std::string_view text, const std::string& source_name = "<areas>") {
    detail::CsvReader reader{std::string(text), source_name};
    auto fail = [&](std::size_t row, std::string column, std::string value, std::string what) {
        return DataError(DataProblem{source_name, row, std::move(column), std::move(value), std::move(what)});
    };
    const auto& header = detail::area_header();
    std::vector<std::string_view> f;
    if (!reader.next(f)) throw fail(1, "", "", "empty file; expected the header '" + detail::area_header_text() + "'");
    bool ok = f.size() == header.size();
    for (std::size_t i = 0; ok && i < f.size(); ++i) ok = f[i] == header[i];
    if (!ok) {
        std::string got;
        for (std::size_t i = 0; i < f.size(); ++i) got += (i ? "," : "") + std::string(f[i]);
        throw fail(reader.line(), "", got, "wrong header; expected '" + detail::area_header_text() + "'");
    }
    std::vector<Area> areas;
    std::vector<std::size_t> rows;
    while (reader.next(f)) {
        const std::size_t row = reader.line();
        if (f.size() != header.size())
            throw fail(row, "", "",
                       "expected " + std::to_string(header.size()) + " fields, found " + std::to_string(f.size()));
        Area a;
        a.code = std::string(f[0]);
        a.name = std::string(f[1]);
        if (!detail::area_type_from_text(f[2], a.type))
            throw fail(row, "type", std::string(f[2]),
                       std::string("unknown area type; expected ") + detail::area_type_choices());
        a.detail = std::string(f[3]);
        if (!f[4].empty()) {
            std::size_t start = 0;
            for (;;) {
                const std::size_t end = f[4].find(';', start);
                a.parents.emplace_back(f[4].substr(start, end == std::string_view::npos ? end : end - start));
                if (a.parents.back().empty()) throw fail(row, "parents", std::string(f[4]), "empty parent code");
                if (end == std::string_view::npos) break;
                start = end + 1;
            }
        }
        if (!f[5].empty()) {
            if (!detail::parse_double(f[5], a.population) || f[5] != detail::trim(f[5]))
                throw fail(row, "population", std::string(f[5]), "population is not a number");
            if (a.population < 0) throw fail(row, "population", std::string(f[5]), "negative population");
        }
        a.population_period = std::string(f[6]);
        a.population_source = std::string(f[7]);
        areas.push_back(std::move(a));
        rows.push_back(row);
    }
    return AreaHierarchy(std::move(areas), source_name, std::move(rows));
}

inline AreaHierarchy read_areas(const std::string& path) { return parse_areas(detail::read_text_file(path), path); }

// Writes the areas CSV in file order; parse_areas(write_areas(h)) has equal areas.
inline std::string write_areas(const AreaHierarchy& areas) {
    std::string out;
    detail::append_row(out, detail::area_header());
    for (const auto& a : areas) {
        std::string parents;
        for (std::size_t i = 0; i < a.parents.size(); ++i) parents += (i ? ";" : "") + a.parents[i];
        detail::append_row(out, {a.code, a.name, to_string(a.type), a.detail, parents,
                                 detail::format_double(a.population), a.population_period, a.population_source});
    }
    return out;
}

inline void write_areas_file(const AreaHierarchy& areas, const std::string& path) {
    detail::write_text_file(path, write_areas(areas));
}

}  // namespace fairer
