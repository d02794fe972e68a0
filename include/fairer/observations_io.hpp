// Readers and writers for observation tables:
//   * the tidy CSV of fairer (format 4: indicator_id, area_code, period, sex, age, category_type,
//     category, value, lower_ci95, upper_ci95, lower_ci99_8, upper_ci99_8, count, denominator,
//     value_note, flags);
//   * the Fingertips CSV export (web "Export table" and API all_data/csv), 26 or 27 columns;
//   * the FingertipsNext seed schema (IndicatorID, AreaCode, Year, Sex, Age, ..., LowerCI, UpperCI).
// Every reader checks its input and throws DataError naming file, line, column and value; with
// ReadOptions::collect_problems it reports every problem of the file in one DataError instead of
// stopping at the first. Nothing is dropped, clamped or rounded: a blank number is missing (NaN).
#pragma once

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/errors.hpp"
#include "fairer/observations.hpp"
#include "fairer/time_period.hpp"

namespace fairer {

struct ReadOptions {
    // Codes a row may use; an empty set means "any code".
    std::set<std::string> known_indicators;
    std::set<std::string> known_areas;
    // Indicators whose count is a numerator of its denominator, so that count <= denominator.
    std::set<std::string> proportion_indicators;
    // Report every problem of the input in one DataError instead of stopping at the first.
    // A wrong header or broken CSV quoting still ends the reading at that point: the rows
    // after it cannot be located reliably.
    bool collect_problems = false;
    // Keep rows that share a key (indicator, area, period, sex, age, category type, category)
    // instead of reporting them. Needed for sources that lost part of the key, such as the
    // FingertipsNext seed, whose Year cannot tell the quarters of a quarterly indicator apart.
    bool allow_duplicate_keys = false;
    // Check that each value lies within its limits and the 95% interval within the 99.8% one.
    // Published files occasionally break this (limits on another scale than the value); turning
    // the check off keeps such rows as published rather than rejecting the file.
    bool check_intervals = true;
};

namespace detail {

enum ObsField : std::size_t {
    f_indicator, f_area, f_period, f_sex, f_age, f_category_type, f_category,
    f_value, f_lower_ci95, f_upper_ci95, f_lower_ci99_8, f_upper_ci99_8, f_count, f_denominator,
    f_value_note, f_flags, n_obs_fields
};

inline constexpr std::array<std::string_view, n_obs_fields> tidy_header{
    "indicator_id", "area_code", "period", "sex", "age", "category_type", "category",
    "value", "lower_ci95", "upper_ci95", "lower_ci99_8", "upper_ci99_8", "count", "denominator",
    "value_note", "flags"};

// The first 20 columns of a Fingertips export; the rest are handled in fingertips_header_problems.
inline constexpr std::array<std::string_view, 20> fingertips_fixed_header{
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type",
    "Sex", "Age", "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit",
    "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit", "Count", "Denominator", "Value note"};

// Column of a Fingertips export holding each observation field (-1: not in that layout).
inline constexpr std::array<int, n_obs_fields> fingertips_field_index{
    0, 4, 11, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, -1};

inline constexpr std::string_view ft_compared_england = "Compared to England value or percentiles";
inline constexpr std::string_view ft_default_compared_parent = "Compared to Region value or percentiles";

// fingertipsR's rule for the comparator column whose name follows the parent area type
// ("Compared to Region value or percentiles", "Compared to percentiles", ...):
// ^Compared to (?!England|goal)
inline bool is_parent_comparison_column(std::string_view name) {
    constexpr std::string_view prefix = "Compared to ";
    if (name.substr(0, prefix.size()) != prefix) return false;
    std::string_view rest = name.substr(prefix.size());
    return rest.substr(0, 7) != "England" && rest.substr(0, 4) != "goal";
}

// Collects problems, or throws at the first one when the caller did not ask to collect.
class ProblemLog {
public:
    ProblemLog(std::string file, bool collect) : file_(std::move(file)), collect_(collect) {}
    void add(std::size_t row, std::string_view column, std::string_view value, std::string problem) {
        DataProblem p{file_, row, std::string(column), std::string(value), std::move(problem)};
        if (!collect_) throw DataError(std::move(p));
        problems_.push_back(std::move(p));
    }
    void add(DataProblem p) {
        if (!collect_) throw DataError(std::move(p));
        problems_.push_back(std::move(p));
    }
    bool empty() const noexcept { return problems_.empty(); }
    void finish() {
        if (!problems_.empty()) throw DataError(std::move(problems_));
    }
private:
    std::string file_;
    bool collect_;
    std::vector<DataProblem> problems_;
};

// Reads one numeric field: blank is missing (NaN); anything but a finite decimal number is a
// problem (reported, and the cell left missing so that checking can go on).
inline double read_number(std::string_view text, std::size_t line, std::string_view column, ProblemLog& log) {
    if (trim(text).empty()) return Observation::missing;
    double x = 0.0;
    if (parse_double(text, x)) return x;
    std::string_view t = trim(text);
    if (!t.empty() && t.front() == '+') t.remove_prefix(1);
    double y = 0.0;
    auto res = std::from_chars(t.data(), t.data() + t.size(), y, std::chars_format::general);
    const bool whole = res.ptr == t.data() + t.size();
    if (whole && (res.ec == std::errc::result_out_of_range || (res.ec == std::errc() && !std::isfinite(y))))
        log.add(line, column, text, "non-finite number");
    else
        log.add(line, column, text, "not a number");
    return Observation::missing;
}

// Semantic checks of rows already appended to a table. Codes are looked up once per distinct
// level (a file has a few hundred areas but tens of thousands of rows).
class RowChecker {
public:
    RowChecker(const ObservationTable& table, const ReadOptions& options,
               const std::array<std::string, n_obs_fields>& names, ProblemLog& log)
        : table_(table), options_(options), names_(names), log_(log) {}

    // period_reported: the reader has already reported this row's period (FingertipsNext Year).
    void check(std::size_t i, std::size_t line, bool period_reported = false) {
        const std::string& indicator = table_.indicator()[i];
        if (indicator.empty()) log_.add(line, names_[f_indicator], indicator, "missing indicator");
        else if (!level_known(indicator_known_, table_.indicator(), i, options_.known_indicators))
            log_.add(line, names_[f_indicator], indicator, "unknown indicator");

        const std::string& area = table_.area()[i];
        if (area.empty()) log_.add(line, names_[f_area], area, "missing area code");
        else if (!level_known(area_known_, table_.area(), i, options_.known_areas))
            log_.add(line, names_[f_area], area, "unknown area code");

        const std::uint32_t pc = table_.period().codes()[i];
        ensure_period(pc);
        if (period_canonical_[pc] < 0 && !period_reported)
            log_.add(line, names_[f_period], table_.period()[i], "unparseable period: " + period_error_[pc]);

        const std::string& sex = table_.sex()[i];
        if (sex != "Persons" && sex != "Male" && sex != "Female")
            log_.add(line, names_[f_sex], sex, "unknown sex (expected Persons, Male or Female)");

        if (table_.category_type()[i].empty() != table_.category()[i].empty()) {
            if (table_.category()[i].empty())
                log_.add(line, names_[f_category], "", "category type given without a category");
            else
                log_.add(line, names_[f_category_type], "", "category given without a category type");
        }

        const double value = table_.value()[i];
        const std::uint8_t flags = table_.flags()[i];
        if (!std::isnan(value) &&
            (has_flag(flags, Flag::suppressed_disclosure) || has_flag(flags, Flag::suppressed_reliability)))
            log_.add(line, names_[f_value], detail::format_double(value), "value given for a suppressed observation");

        const double count = table_.count()[i];
        const double denominator = table_.denominator()[i];
        if (count < 0) log_.add(line, names_[f_count], format_double(count), "negative count");
        if (denominator < 0) log_.add(line, names_[f_denominator], format_double(denominator), "negative denominator");
        if (count > denominator && !options_.proportion_indicators.empty() &&
            level_known(proportion_, table_.indicator(), i, options_.proportion_indicators))
            log_.add(line, names_[f_count], format_double(count),
                     "count above its denominator " + format_double(denominator) + " for a proportion indicator");

        if (options_.check_intervals) {
            check_interval(i, line, f_lower_ci95, f_upper_ci95, "95%");
            check_interval(i, line, f_lower_ci99_8, f_upper_ci99_8, "99.8%");
            const double l95 = table_.lower_ci95()[i], u95 = table_.upper_ci95()[i];
            const double l998 = table_.lower_ci99_8()[i], u998 = table_.upper_ci99_8()[i];
            if (l95 < l998)
                log_.add(line, names_[f_lower_ci95], format_double(l95),
                         "95% interval wider than the 99.8% one (lower 99.8% limit " + format_double(l998) + ")");
            if (u95 > u998)
                log_.add(line, names_[f_upper_ci95], format_double(u95),
                         "95% interval wider than the 99.8% one (upper 99.8% limit " + format_double(u998) + ")");
        }
    }

    // Rows with the same key, compared with periods in canonical form so that "2018 - 20" and
    // "2018-20" are the same period. Each repeat is reported with the line of the first.
    void check_duplicates(const std::vector<std::size_t>& lines) {
        struct KeyHash {
            std::size_t operator()(const std::array<std::uint32_t, 7>& k) const noexcept {
                std::size_t h = 1469598103934665603ull;
                for (auto v : k) h = (h ^ v) * 1099511628211ull;
                return h;
            }
        };
        std::unordered_map<std::array<std::uint32_t, 7>, std::size_t, KeyHash> first;
        first.reserve(table_.size());
        for (std::size_t i = 0; i < table_.size(); ++i) {
            const std::uint32_t pc = table_.period().codes()[i];
            ensure_period(pc);
            if (period_canonical_[pc] < 0) continue;  // already reported as unparseable
            const std::array<std::uint32_t, 7> key{
                table_.indicator().codes()[i], table_.area().codes()[i], static_cast<std::uint32_t>(period_canonical_[pc]),
                table_.sex().codes()[i], table_.age().codes()[i], table_.category_type().codes()[i],
                table_.category().codes()[i]};
            auto [it, inserted] = first.try_emplace(key, i);
            if (inserted) continue;
            std::string text = table_.indicator()[i] + " / " + table_.area()[i] + " / " + table_.period()[i] + " / " +
                               table_.sex()[i] + " / " + table_.age()[i];
            if (!table_.category_type()[i].empty()) text += " / " + table_.category_type()[i] + " / " + table_.category()[i];
            log_.add(lines[i], "", text, "duplicate key (indicator, area, period, sex, age, category type, category) of row " +
                                             std::to_string(lines[it->second]));
        }
    }

private:
    bool level_known(std::vector<signed char>& cache, const StringColumn& col, std::size_t i,
                     const std::set<std::string>& known) {
        if (known.empty()) return true;
        const std::uint32_t code = col.codes()[i];
        if (cache.size() <= code) cache.resize(col.levels().size(), -1);
        if (cache[code] < 0) cache[code] = known.count(col.levels()[code]) ? 1 : 0;
        return cache[code] == 1;
    }

    void ensure_period(std::uint32_t code) {
        const auto& levels = table_.period().levels();
        if (period_canonical_.size() <= code) {
            period_canonical_.resize(levels.size(), -2);
            period_error_.resize(levels.size());
        }
        if (period_canonical_[code] != -2) return;
        try {
            const std::string canonical = TimePeriod::parse(levels[code]).to_string();
            auto [it, inserted] = canonical_ids_.try_emplace(canonical, static_cast<long>(canonical_ids_.size()));
            period_canonical_[code] = it->second;
        } catch (const Error& e) {
            period_canonical_[code] = -1;
            period_error_[code] = e.what();
        }
    }

    void check_interval(std::size_t i, std::size_t line, ObsField lower_field, ObsField upper_field, const char* level) {
        const auto numbers = table_.const_number_columns();
        const double value = table_.value()[i];
        const double lower = (*numbers[lower_field - f_value])[i];
        const double upper = (*numbers[upper_field - f_value])[i];
        const std::string lvl(level);
        if (lower > value)
            log_.add(line, names_[lower_field], format_double(lower),
                     "lower " + lvl + " limit above the value " + format_double(value));
        if (upper < value)
            log_.add(line, names_[upper_field], format_double(upper),
                     "upper " + lvl + " limit below the value " + format_double(value));
        if (std::isnan(value) && lower > upper)
            log_.add(line, names_[lower_field], format_double(lower),
                     "lower " + lvl + " limit above the upper limit " + format_double(upper));
    }

    const ObservationTable& table_;
    const ReadOptions& options_;
    const std::array<std::string, n_obs_fields>& names_;
    ProblemLog& log_;
    std::vector<signed char> indicator_known_, area_known_, proportion_;
    std::vector<long> period_canonical_;  // -2 not yet parsed, -1 unparseable, else canonical id
    std::vector<std::string> period_error_;
    std::unordered_map<std::string, long> canonical_ids_;
};

// Turns the text fields of one record into an observation row of the table. Absent fields
// (not in this layout) are blank. Numeric and flag problems are logged and leave the cell
// missing so that the remaining checks can still run.
inline void append_fields(ObservationTable& table, const std::array<std::string_view, n_obs_fields>& f,
                          const std::vector<std::string_view>& side, std::size_t line,
                          const std::array<std::string, n_obs_fields>& names, ProblemLog& log) {
    Observation o;
    o.indicator = std::string(f[f_indicator]);
    o.area = std::string(f[f_area]);
    o.period = std::string(f[f_period]);
    o.sex = std::string(f[f_sex]);
    o.age = std::string(f[f_age]);
    o.category_type = std::string(f[f_category_type]);
    o.category = std::string(f[f_category]);
    o.value = read_number(f[f_value], line, names[f_value], log);
    o.lower_ci95 = read_number(f[f_lower_ci95], line, names[f_lower_ci95], log);
    o.upper_ci95 = read_number(f[f_upper_ci95], line, names[f_upper_ci95], log);
    o.lower_ci99_8 = read_number(f[f_lower_ci99_8], line, names[f_lower_ci99_8], log);
    o.upper_ci99_8 = read_number(f[f_upper_ci99_8], line, names[f_upper_ci99_8], log);
    o.count = read_number(f[f_count], line, names[f_count], log);
    o.denominator = read_number(f[f_denominator], line, names[f_denominator], log);
    o.value_note = std::string(f[f_value_note]);
    std::string bad;
    if (!parse_flags(f[f_flags], o.flags, bad))
        log.add(line, names[f_flags], f[f_flags], "unknown flag '" + bad + "'");
    table.append(o, side);
}

inline std::array<std::string, n_obs_fields> names_from(const std::vector<std::string>& header,
                                                        const std::array<int, n_obs_fields>& index,
                                                        const std::array<std::string_view, n_obs_fields>& fallback) {
    std::array<std::string, n_obs_fields> names;
    for (std::size_t k = 0; k < n_obs_fields; ++k)
        names[k] = index[k] >= 0 ? header[static_cast<std::size_t>(index[k])] : std::string(fallback[k]);
    return names;
}

// Reads the records after the header: field-count check, conversion, row checks, duplicates.
// Problems of the CSV syntax itself (an unterminated quote) end the reading: nothing after them
// can be located reliably.
template <class RecordFn>
void read_records(CsvReader& reader, std::size_t width, ObservationTable& table, const ReadOptions& options,
                  const std::array<std::string, n_obs_fields>& names, ProblemLog& log, RecordFn&& to_fields) {
    std::vector<std::size_t> lines;
    RowChecker checker(table, options, names, log);
    std::vector<std::string_view> record;
    std::array<std::string_view, n_obs_fields> fields{};
    std::vector<std::string_view> side;
    try {
        while (reader.next(record)) {
            if (record.size() != width) {
                log.add(reader.line(), "", std::to_string(record.size()) + " fields",
                        "wrong number of fields (expected " + std::to_string(width) + ")");
                continue;
            }
            side.clear();
            bool period_reported = false;
            to_fields(record, reader.line(), fields, side, period_reported);
            append_fields(table, fields, side, reader.line(), names, log);
            lines.push_back(reader.line());
            checker.check(table.size() - 1, reader.line(), period_reported);
        }
    } catch (const DataError& e) {
        for (const auto& p : e.problems()) log.add(p);
        log.finish();
    }
    if (!options.allow_duplicate_keys) checker.check_duplicates(lines);
    log.finish();
}

// Compares a header with the expected names, reporting the first kind of mismatch found for
// each column: a missing one, an unexpected one, or one out of order.
inline void check_exact_header(const std::vector<std::string>& header, const std::vector<std::string_view>& expected,
                               std::size_t line, ProblemLog& log) {
    std::set<std::string_view> want(expected.begin(), expected.end());
    std::set<std::string_view> have(header.begin(), header.end());
    bool any = false;
    for (std::size_t k = 0; k < expected.size(); ++k)
        if (!have.count(expected[k])) { log.add(line, expected[k], "", "missing column"); any = true; }
    for (std::size_t k = 0; k < header.size(); ++k)
        if (!want.count(header[k])) {
            log.add(line, header[k], header[k], "unexpected column at position " + std::to_string(k + 1));
            any = true;
        }
    if (any) return;
    std::set<std::string_view> seen;
    for (std::size_t k = 0; k < header.size(); ++k) {
        if (!seen.insert(header[k]).second) {
            log.add(line, header[k], header[k], "repeated column at position " + std::to_string(k + 1));
            return;
        }
    }
    for (std::size_t k = 0; k < header.size(); ++k)
        if (header[k] != expected[k]) {
            log.add(line, header[k], header[k],
                    "column out of order: position " + std::to_string(k + 1) + " should be '" +
                        std::string(expected[k]) + "'");
            return;
        }
}

// Reads the header row and its line number. An empty input or broken quoting in the header
// ends the reading: there is nothing to check the rows against.
inline void read_header(CsvReader& reader, std::vector<std::string>& header, std::size_t& line, ProblemLog& log) {
    std::vector<std::string_view> record;
    bool found = false;
    try {
        found = reader.next(record);
    } catch (const DataError& e) {
        for (const auto& p : e.problems()) log.add(p);
        log.finish();
    }
    if (!found) {
        log.add(0, "", "", "empty file (no header row)");
        log.finish();
    }
    header.assign(record.begin(), record.end());
    line = reader.line();
}

inline std::array<std::string, n_obs_fields> tidy_names() {
    std::array<std::string, n_obs_fields> names;
    for (std::size_t k = 0; k < n_obs_fields; ++k) names[k] = std::string(tidy_header[k]);
    return names;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Tidy CSV (format 4)

// Parses tidy CSV text (format 4: exactly the 16 columns in order, header first). source_name
// stands for the file in error messages.
inline ObservationTable parse_tidy_csv(std::string text, const std::string& source_name, const ReadOptions& options = {}) {
    using namespace detail;
    ProblemLog log(source_name, options.collect_problems);
    CsvReader reader(std::move(text), source_name);
    std::vector<std::string> header;
    std::size_t header_line = 1;
    read_header(reader, header, header_line, log);
    ObservationTable table;
    check_exact_header(header, std::vector<std::string_view>(tidy_header.begin(), tidy_header.end()), header_line, log);
    if (!log.empty()) log.finish();
    const auto names = tidy_names();
    read_records(reader, n_obs_fields, table, options, names, log,
                 [](const std::vector<std::string_view>& rec, std::size_t, std::array<std::string_view, n_obs_fields>& f,
                    std::vector<std::string_view>&, bool&) {
                     for (std::size_t k = 0; k < n_obs_fields; ++k) f[k] = rec[k];
                 });
    return table;
}

// Reads a tidy CSV file (format 4); see parse_tidy_csv.
inline ObservationTable read_tidy_csv(const std::string& path, const ReadOptions& options = {}) {
    return parse_tidy_csv(detail::read_text_file(path), path, options);
}

// The table as tidy CSV text: numbers in the shortest text that reads back exactly, missing
// numbers blank, flags ';'-joined, '\n' line ends. Side columns are not part of format 4.
inline std::string format_tidy_csv(const ObservationTable& table) {
    std::string out;
    out.reserve(64 + table.size() * 96);
    for (std::size_t k = 0; k < detail::tidy_header.size(); ++k) {
        if (k) out.push_back(',');
        out.append(detail::tidy_header[k]);
    }
    out.push_back('\n');
    const auto strings = table.const_string_columns();
    const auto numbers = table.const_number_columns();
    for (std::size_t i = 0; i < table.size(); ++i) {
        for (std::size_t k = 0; k < 7; ++k) {
            detail::append_field(out, (*strings[k])[i]);
            out.push_back(',');
        }
        for (const auto* col : numbers) {
            out.append(detail::format_double((*col)[i]));
            out.push_back(',');
        }
        detail::append_field(out, table.value_note()[i]);
        out.push_back(',');
        out.append(format_flags(table.flags()[i]));
        out.push_back('\n');
    }
    return out;
}

inline void write_tidy_csv(const ObservationTable& table, const std::string& path) {
    detail::write_text_file(path, format_tidy_csv(table));
}

// Checks a table built in memory (from a data frame, say) as strictly as a reader checks a
// file. Rows are reported by the line they would occupy in a tidy CSV (row index + 2).
inline void validate_observations(const ObservationTable& table, const std::string& source_name,
                                  const ReadOptions& options = {}) {
    using namespace detail;
    ProblemLog log(source_name, options.collect_problems);
    const auto names = tidy_names();
    RowChecker checker(table, options, names, log);
    std::vector<std::size_t> lines(table.size());
    for (std::size_t i = 0; i < table.size(); ++i) {
        lines[i] = i + 2;
        checker.check(i, i + 2);
    }
    if (!options.allow_duplicate_keys) checker.check_duplicates(lines);
    log.finish();
}

// ---------------------------------------------------------------------------------------------
// Fingertips CSV export

// Reads a Fingertips export (26 columns, or 27 with "Time period range"). The observation
// fields go to the table's columns (Indicator ID as text); every other column is kept as a
// side column under its header text, so write_fingertips_csv can write the file back. The
// 23rd column's name follows the parent area type and is matched by the rule
// ^Compared to (?!England|goal); the 26th may be called "Compared to goal" or "Target data".
inline ObservationTable parse_fingertips_csv(std::string text, const std::string& source_name,
                                             const ReadOptions& options = {}) {
    using namespace detail;
    ProblemLog log(source_name, options.collect_problems);
    CsvReader reader(std::move(text), source_name);
    std::vector<std::string> header;
    std::size_t header_line = 1;
    read_header(reader, header, header_line, log);
    ObservationTable table;
    if (header.size() != 26 && header.size() != 27) {
        log.add(header_line, "", std::to_string(header.size()) + " columns",
                "a Fingertips export has 26 or 27 columns");
        log.finish();
    }
    for (std::size_t k = 0; k < fingertips_fixed_header.size(); ++k)
        if (header[k] != fingertips_fixed_header[k])
            log.add(header_line, header[k], header[k],
                    "column " + std::to_string(k + 1) + " should be '" + std::string(fingertips_fixed_header[k]) + "'");
    auto expect = [&](std::size_t k, bool ok, const std::string& what) {
        if (!ok) log.add(header_line, header[k], header[k], "column " + std::to_string(k + 1) + " should be " + what);
    };
    expect(20, header[20] == "Recent Trend", "'Recent Trend'");
    expect(21, header[21] == ft_compared_england, "'" + std::string(ft_compared_england) + "'");
    expect(22, is_parent_comparison_column(header[22]), "the parent comparison ('Compared to <parent> value or percentiles')");
    expect(23, header[23] == "Time period Sortable", "'Time period Sortable'");
    expect(24, header[24] == "New data", "'New data'");
    expect(25, header[25] == "Compared to goal" || header[25] == "Target data", "'Compared to goal' (or 'Target data')");
    if (header.size() == 27) expect(26, header[26] == "Time period range", "'Time period range'");
    if (!log.empty()) log.finish();

    std::vector<std::size_t> side_index;
    for (std::size_t k = 0; k < header.size(); ++k) {
        bool used = false;
        for (int idx : fingertips_field_index) used = used || idx == static_cast<int>(k);
        if (used) continue;
        side_index.push_back(k);
        table.add_side_column(header[k]);
    }
    const auto names = names_from(header, fingertips_field_index, tidy_header);
    read_records(reader, header.size(), table, options, names, log,
                 [&](const std::vector<std::string_view>& rec, std::size_t line,
                     std::array<std::string_view, n_obs_fields>& f, std::vector<std::string_view>& side, bool&) {
                     for (std::size_t k = 0; k < n_obs_fields; ++k)
                         f[k] = fingertips_field_index[k] >= 0 ? rec[static_cast<std::size_t>(fingertips_field_index[k])]
                                                               : std::string_view();
                     long long id = 0;
                     if (!parse_int(rec[0], id))
                         log.add(line, header[0], rec[0], "indicator ID is not an integer");
                     for (std::size_t k : side_index) side.push_back(rec[k]);
                 });
    return table;
}

// Reads a Fingertips export file; see parse_fingertips_csv.
inline ObservationTable read_fingertips_csv(const std::string& path, const ReadOptions& options = {}) {
    return parse_fingertips_csv(detail::read_text_file(path), path, options);
}

// Writes the Fingertips export layout. Side columns read from a Fingertips file are written
// back under their names and in their places, so reading and writing an export returns the
// same text (numbers are written in their shortest exact form, as the API writes them; a BOM
// is not written back). A table without them gets the current 27-column layout, a "Time
// period Sortable" computed from the period, names, area type and trend from FingertipsNext
// side columns (IndicatorName, AreaName, AreaType, Trend) when present, and blanks otherwise.
// Flags have no Fingertips column and are not written.
inline std::string format_fingertips_csv(const ObservationTable& table) {
    using namespace detail;
    std::vector<std::string> header(fingertips_fixed_header.begin(), fingertips_fixed_header.end());
    header.emplace_back("Recent Trend");
    header.emplace_back(ft_compared_england);
    const SideColumn* parent_cmp = nullptr;
    for (const auto& c : table.side_columns())
        if (!parent_cmp && is_parent_comparison_column(c.name)) parent_cmp = &c;
    header.emplace_back(parent_cmp ? parent_cmp->name : std::string(ft_default_compared_parent));
    header.emplace_back("Time period Sortable");
    header.emplace_back("New data");
    header.emplace_back(table.find_side_column("Target data") ? "Target data" : "Compared to goal");
    // A table read from a 26-column export (it has the goal column but no range) keeps that
    // layout; anything else gets the current 27 columns.
    const bool from_export = table.find_side_column("Compared to goal") || table.find_side_column("Target data");
    if (table.find_side_column("Time period range") || !from_export) header.emplace_back("Time period range");

    std::vector<const StringColumn*> source(header.size(), nullptr);
    std::vector<const std::vector<double>*> numbers(header.size(), nullptr);
    const auto strings = table.const_string_columns();
    const auto nums = table.const_number_columns();
    for (std::size_t k = 0; k < n_obs_fields; ++k) {
        const int idx = fingertips_field_index[k];
        if (idx < 0) continue;
        if (k < f_value) source[static_cast<std::size_t>(idx)] = strings[k];
        else if (k == f_value_note) source[static_cast<std::size_t>(idx)] = &table.value_note();
        else numbers[static_cast<std::size_t>(idx)] = nums[k - f_value];
    }
    // FingertipsNext names of the same side columns, used when the export's own are absent.
    const std::map<std::string, std::string> next_names{
        {"Indicator Name", "IndicatorName"}, {"Area Name", "AreaName"}, {"Area Type", "AreaType"},
        {"Recent Trend", "Trend"}};
    for (std::size_t k = 0; k < header.size(); ++k) {
        if (source[k] || numbers[k]) continue;
        const SideColumn* c = table.find_side_column(header[k]);
        if (!c && next_names.count(header[k])) c = table.find_side_column(next_names.at(header[k]));
        if (c) source[k] = &c->values;
    }
    const bool compute_sortable = source[23] == nullptr;
    std::unordered_map<std::uint32_t, std::string> sortable;

    std::string out;
    out.reserve(512 + table.size() * 256);
    append_row(out, header);
    for (std::size_t i = 0; i < table.size(); ++i) {
        for (std::size_t k = 0; k < header.size(); ++k) {
            if (k) out.push_back(',');
            if (source[k]) append_field(out, (*source[k])[i]);
            else if (numbers[k]) out.append(format_double((*numbers[k])[i]));
            else if (k == 23 && compute_sortable) {
                const std::uint32_t code = table.period().codes()[i];
                auto it = sortable.find(code);
                if (it == sortable.end())
                    it = sortable.emplace(code, std::to_string(TimePeriod::parse(table.period()[i]).sortable())).first;
                out.append(it->second);
            }
        }
        out.push_back('\n');
    }
    return out;
}

inline void write_fingertips_csv(const ObservationTable& table, const std::string& path) {
    detail::write_text_file(path, format_fingertips_csv(table));
}

// ---------------------------------------------------------------------------------------------
// FingertipsNext seed schema

// How the period text of a FingertipsNext row is rebuilt from its Year (the first year of the
// Fingertips period), keyed by the framework's period_type vocabulary:
//   "calendar year"            2018 -> "2018"
//   "financial year"           2018 -> "2018/19"
//   "academic year"            2018 -> "2018/19"
//   "3-year pooled calendar"   2018 -> "2018 - 20"
//   "3-year pooled financial"  2018 -> "2018/19 - 20/21"
// Quarters cannot be rebuilt (the seed keeps only the year), so quarterly types are refused.
inline std::string period_from_start_year(long long year, const std::string& period_type) {
    auto two = [](long long y) {
        const long long r = ((y % 100) + 100) % 100;
        return std::string(r < 10 ? "0" : "") + std::to_string(r);
    };
    const std::string y = std::to_string(year);
    if (period_type == "calendar year") return y;
    if (period_type == "financial year" || period_type == "academic year") return y + "/" + two(year + 1);
    if (period_type == "3-year pooled calendar") return y + " - " + two(year + 2);
    if (period_type == "3-year pooled financial") return y + "/" + two(year + 1) + " - " + two(year + 2) + "/" + two(year + 3);
    throw Error("data", "cannot rebuild a '" + period_type + "' period from a start year");
}

// Reads the FingertipsNext seed schema, found by column name (the seed's own order and the
// order of the joined extract both work). Required: IndicatorID (or IndicatorId), AreaCode,
// Year, Sex, Age, CategoryType, Category, Value, LowerCI, UpperCI, Count, Denominator. LowerCI
// and UpperCI become the 95% limits. The period text is rebuilt from Year by
// period_from_start_year with the indicator's entry in period_types (default "calendar year",
// i.e. the year itself); Year and every other column (names, SexID, AgeID, Trend, ValueType)
// are kept verbatim as side columns.
inline ObservationTable parse_fingertips_next_csv(std::string text, const std::string& source_name,
                                                  const ReadOptions& options = {},
                                                  const std::map<std::string, std::string>& period_types = {}) {
    using namespace detail;
    ProblemLog log(source_name, options.collect_problems);
    CsvReader reader(std::move(text), source_name);
    std::vector<std::string> header;
    std::size_t header_line = 1;
    read_header(reader, header, header_line, log);
    ObservationTable table;
    std::array<int, n_obs_fields> index;
    index.fill(-1);
    const std::array<std::pair<ObsField, std::string_view>, 11> wanted{{
        {f_area, "AreaCode"}, {f_sex, "Sex"}, {f_age, "Age"}, {f_category_type, "CategoryType"},
        {f_category, "Category"}, {f_value, "Value"}, {f_lower_ci95, "LowerCI"}, {f_upper_ci95, "UpperCI"},
        {f_count, "Count"}, {f_denominator, "Denominator"}, {f_period, "Year"}}};
    std::set<std::string> seen;
    for (std::size_t k = 0; k < header.size(); ++k)
        if (!seen.insert(header[k]).second) log.add(header_line, header[k], header[k], "repeated column");
    auto find = [&](std::string_view name) {
        for (std::size_t k = 0; k < header.size(); ++k)
            if (header[k] == name) return static_cast<int>(k);
        return -1;
    };
    index[f_indicator] = find("IndicatorID") >= 0 ? find("IndicatorID") : find("IndicatorId");
    if (index[f_indicator] < 0) log.add(header_line, "IndicatorID", "", "missing column");
    for (const auto& [field, name] : wanted) {
        index[field] = find(name);
        if (index[field] < 0) log.add(header_line, name, "", "missing column");
    }
    if (!log.empty()) log.finish();

    std::vector<std::size_t> side_index;
    for (std::size_t k = 0; k < header.size(); ++k) {
        bool used = false;
        for (int idx : index) used = used || (idx == static_cast<int>(k) && header[k] != "Year");
        if (used) continue;
        side_index.push_back(k);
        table.add_side_column(header[k]);
    }
    auto names = names_from(header, index, tidy_header);
    const auto year_col = static_cast<std::size_t>(index[f_period]);
    std::string period_text;
    std::map<std::string, std::string, std::less<>> known_types(period_types.begin(), period_types.end());
    read_records(reader, header.size(), table, options, names, log,
                 [&](const std::vector<std::string_view>& rec, std::size_t line,
                     std::array<std::string_view, n_obs_fields>& f, std::vector<std::string_view>& side,
                     bool& period_reported) {
                     for (std::size_t k = 0; k < n_obs_fields; ++k)
                         f[k] = index[k] >= 0 ? rec[static_cast<std::size_t>(index[k])] : std::string_view();
                     long long year = 0;
                     const std::string_view raw = rec[year_col];
                     period_text.clear();
                     period_reported = true;
                     if (!parse_int(raw, year)) {
                         log.add(line, "Year", raw, "year is not an integer");
                     } else {
                         auto it = known_types.find(f[f_indicator]);
                         try {
                             period_text = period_from_start_year(year, it == known_types.end() ? "calendar year" : it->second);
                             period_reported = false;
                         } catch (const Error& e) {
                             log.add(line, "Year", raw, e.what());
                         }
                     }
                     f[f_period] = period_text;
                     for (std::size_t k : side_index) side.push_back(rec[k]);
                 });
    return table;
}

// Reads a FingertipsNext seed file; see parse_fingertips_next_csv.
inline ObservationTable read_fingertips_next_csv(const std::string& path, const ReadOptions& options = {},
                                                 const std::map<std::string, std::string>& period_types = {}) {
    return parse_fingertips_next_csv(detail::read_text_file(path), path, options, period_types);
}

}  // namespace fairer
