// A columnar table of indicator observations: one row per (indicator, area, period, sex, age,
// category type, category). Text columns are dictionary-encoded because a few hundred distinct
// codes repeat over tens of thousands of rows; numeric columns are plain doubles so that they
// can be handed to numerical code (and to numpy) without copying. A missing number is NaN,
// never zero: a suppressed or blank value stays missing all the way through.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fairer/errors.hpp"

namespace fairer {

// Qualifiers of an observation, stored as bits of one byte. Their text forms are the
// enumerator names, joined with ';' in the tidy CSV (format 4).
enum class Flag : std::uint8_t {
    suppressed_disclosure = 1u << 0,   // withheld because small numbers could identify people
    suppressed_reliability = 1u << 1,  // withheld because the estimate is too unreliable
    estimated = 1u << 2,               // imputed or modelled rather than observed
    provisional = 1u << 3,             // may be revised by the publisher
    break_in_series = 1u << 4,         // not comparable with earlier periods
};

inline constexpr std::array<std::pair<Flag, std::string_view>, 5> flag_names{{
    {Flag::suppressed_disclosure, "suppressed_disclosure"},
    {Flag::suppressed_reliability, "suppressed_reliability"},
    {Flag::estimated, "estimated"},
    {Flag::provisional, "provisional"},
    {Flag::break_in_series, "break_in_series"},
}};

inline constexpr std::uint8_t flag_bit(Flag f) noexcept { return static_cast<std::uint8_t>(f); }
inline constexpr std::uint8_t all_flag_bits = 0x1F;

inline constexpr bool has_flag(std::uint8_t flags, Flag f) noexcept { return (flags & flag_bit(f)) != 0; }

// ';'-joined flag names in enumerator order; empty when no flag is set.
inline std::string format_flags(std::uint8_t flags) {
    std::string s;
    for (const auto& [flag, name] : flag_names) {
        if (!has_flag(flags, flag)) continue;
        if (!s.empty()) s.push_back(';');
        s.append(name);
    }
    return s;
}

// Parses ';'-separated flag names (surrounding spaces ignored, blank = no flag). On an
// unknown name returns false and leaves that name in bad.
inline bool parse_flags(std::string_view text, std::uint8_t& out, std::string& bad) {
    out = 0;
    auto trim = [](std::string_view v) {
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        return v;
    };
    if (trim(text).empty()) return true;
    for (;;) {
        const std::size_t cut = text.find(';');
        const std::string_view token = trim(text.substr(0, cut));
        bool known = false;
        for (const auto& [flag, name] : flag_names) {
            if (token == name) {
                out = static_cast<std::uint8_t>(out | flag_bit(flag));
                known = true;
                break;
            }
        }
        if (!known) {
            bad = std::string(token);
            return false;
        }
        if (cut == std::string_view::npos) return true;
        text.remove_prefix(cut + 1);
    }
}

// A dictionary-encoded text column: codes()[i] indexes levels(). Levels are kept in order of
// first appearance, so encoding the same rows twice gives the same codes.
class StringColumn {
public:
    std::size_t size() const noexcept { return codes_.size(); }
    const std::string& operator[](std::size_t i) const { return levels_[codes_[i]]; }
    const std::vector<std::string>& levels() const noexcept { return levels_; }
    const std::vector<std::uint32_t>& codes() const noexcept { return codes_; }

    // Code of text, adding it as a new level if needed.
    std::uint32_t intern(std::string_view text) {
        if (last_ < levels_.size() && levels_[last_] == text) return last_;
        auto [it, inserted] = index_.try_emplace(std::string(text), static_cast<std::uint32_t>(levels_.size()));
        if (inserted) levels_.emplace_back(text);
        last_ = it->second;
        return it->second;
    }
    void push_back(std::string_view text) { codes_.push_back(intern(text)); }
    void reserve(std::size_t n) { codes_.reserve(n); }

    // Replaces the column by ready-made levels and codes (levels must be distinct, codes in range).
    void assign(std::vector<std::string> levels, std::vector<std::uint32_t> codes) {
        std::unordered_map<std::string, std::uint32_t> index;
        index.reserve(levels.size());
        for (std::size_t k = 0; k < levels.size(); ++k)
            if (!index.try_emplace(levels[k], static_cast<std::uint32_t>(k)).second)
                throw Error("data", "repeated level '" + levels[k] + "' in a string column");
        for (std::uint32_t c : codes)
            if (c >= levels.size()) throw Error("data", "string column code " + std::to_string(c) + " out of range");
        levels_ = std::move(levels);
        codes_ = std::move(codes);
        index_ = std::move(index);
        last_ = 0;
    }

private:
    std::vector<std::string> levels_;
    std::vector<std::uint32_t> codes_;
    std::unordered_map<std::string, std::uint32_t> index_;
    std::uint32_t last_ = 0;  // runs of equal text are common (rows are sorted by indicator, area)
};

// A column carried along unchanged from a source file whose layout has more columns than the
// tidy format (a Fingertips export's area names, trend, comparisons...), kept under its
// original header text so that the file can be written back as it was read.
struct SideColumn {
    std::string name;
    StringColumn values;
};

// One observation, copied out of a table or to be appended to one.
struct Observation {
    static constexpr double missing = std::numeric_limits<double>::quiet_NaN();

    std::string indicator;
    std::string area;
    std::string period;  // the period text exactly as read, e.g. "2018 - 20"
    std::string sex;
    std::string age;
    std::string category_type;  // blank for the headline (all-people) row
    std::string category;
    double value = missing;
    double lower_ci95 = missing;
    double upper_ci95 = missing;
    double lower_ci99_8 = missing;
    double upper_ci99_8 = missing;
    double count = missing;
    double denominator = missing;
    std::string value_note;
    std::uint8_t flags = 0;

    bool has(Flag f) const noexcept { return has_flag(flags, f); }
};

class ObservationTable {
public:
    std::size_t size() const noexcept { return value_.size(); }
    bool empty() const noexcept { return value_.empty(); }

    const StringColumn& indicator() const noexcept { return indicator_; }
    const StringColumn& area() const noexcept { return area_; }
    const StringColumn& period() const noexcept { return period_; }
    const StringColumn& sex() const noexcept { return sex_; }
    const StringColumn& age() const noexcept { return age_; }
    const StringColumn& category_type() const noexcept { return category_type_; }
    const StringColumn& category() const noexcept { return category_; }
    const StringColumn& value_note() const noexcept { return value_note_; }
    const std::vector<double>& value() const noexcept { return value_; }
    const std::vector<double>& lower_ci95() const noexcept { return lower_ci95_; }
    const std::vector<double>& upper_ci95() const noexcept { return upper_ci95_; }
    const std::vector<double>& lower_ci99_8() const noexcept { return lower_ci99_8_; }
    const std::vector<double>& upper_ci99_8() const noexcept { return upper_ci99_8_; }
    const std::vector<double>& count() const noexcept { return count_; }
    const std::vector<double>& denominator() const noexcept { return denominator_; }
    const std::vector<std::uint8_t>& flags() const noexcept { return flags_; }

    const std::vector<SideColumn>& side_columns() const noexcept { return side_; }
    const SideColumn* find_side_column(std::string_view name) const noexcept {
        for (const auto& c : side_) if (c.name == name) return &c;
        return nullptr;
    }
    // Adds a side column, blank for the rows already present; returns its index.
    std::size_t add_side_column(const std::string& name) {
        if (find_side_column(name)) throw Error("data", "duplicate side column '" + name + "'");
        side_.push_back(SideColumn{name, {}});
        auto& col = side_.back().values;
        col.reserve(size());
        for (std::size_t i = 0; i < size(); ++i) col.push_back("");
        return side_.size() - 1;
    }

    Observation row(std::size_t i) const {
        if (i >= size()) throw Error("data", "row " + std::to_string(i) + " out of range (size " + std::to_string(size()) + ")");
        Observation o;
        o.indicator = indicator_[i];
        o.area = area_[i];
        o.period = period_[i];
        o.sex = sex_[i];
        o.age = age_[i];
        o.category_type = category_type_[i];
        o.category = category_[i];
        o.value = value_[i];
        o.lower_ci95 = lower_ci95_[i];
        o.upper_ci95 = upper_ci95_[i];
        o.lower_ci99_8 = lower_ci99_8_[i];
        o.upper_ci99_8 = upper_ci99_8_[i];
        o.count = count_[i];
        o.denominator = denominator_[i];
        o.value_note = value_note_[i];
        o.flags = flags_[i];
        return o;
    }

    // Appends a row; side columns (if any) get a blank for it. Appending does not validate:
    // the readers check their input, and validate_observations() checks a table built by hand.
    void append(const Observation& o) {
        std::vector<std::string_view> none;
        append(o, none);
    }
    // Appends a row with one text per side column, in side_columns() order.
    void append(const Observation& o, const std::vector<std::string_view>& side_values) {
        if (!side_values.empty() && side_values.size() != side_.size())
            throw Error("data", "expected " + std::to_string(side_.size()) + " side values, got " +
                                    std::to_string(side_values.size()));
        indicator_.push_back(o.indicator);
        area_.push_back(o.area);
        period_.push_back(o.period);
        sex_.push_back(o.sex);
        age_.push_back(o.age);
        category_type_.push_back(o.category_type);
        category_.push_back(o.category);
        value_.push_back(o.value);
        lower_ci95_.push_back(o.lower_ci95);
        upper_ci95_.push_back(o.upper_ci95);
        lower_ci99_8_.push_back(o.lower_ci99_8);
        upper_ci99_8_.push_back(o.upper_ci99_8);
        count_.push_back(o.count);
        denominator_.push_back(o.denominator);
        value_note_.push_back(o.value_note);
        flags_.push_back(static_cast<std::uint8_t>(o.flags & all_flag_bits));
        for (std::size_t k = 0; k < side_.size(); ++k)
            side_[k].values.push_back(side_values.empty() ? std::string_view() : side_values[k]);
    }

    void reserve(std::size_t n) {
        for (StringColumn* c : string_columns()) c->reserve(n);
        for (std::vector<double>* c : number_columns()) c->reserve(n);
        flags_.reserve(n);
        for (auto& s : side_) s.values.reserve(n);
    }

    // Tables are equal when every row reads the same (NaN equals NaN: both are missing) and
    // they carry the same side columns; how the text columns happen to be encoded is irrelevant.
    friend bool operator==(const ObservationTable& a, const ObservationTable& b) {
        if (a.size() != b.size() || a.side_.size() != b.side_.size()) return false;
        auto ca = a.const_string_columns();
        auto cb = b.const_string_columns();
        for (std::size_t k = 0; k < ca.size(); ++k)
            if (!same_text(*ca[k], *cb[k])) return false;
        auto na = a.const_number_columns();
        auto nb = b.const_number_columns();
        for (std::size_t k = 0; k < na.size(); ++k)
            if (!same_numbers(*na[k], *nb[k])) return false;
        if (a.flags_ != b.flags_) return false;
        for (std::size_t k = 0; k < a.side_.size(); ++k)
            if (a.side_[k].name != b.side_[k].name || !same_text(a.side_[k].values, b.side_[k].values)) return false;
        return true;
    }
    friend bool operator!=(const ObservationTable& a, const ObservationTable& b) { return !(a == b); }

    // The same rows without the side columns (what the tidy format can hold).
    ObservationTable without_side_columns() const {
        ObservationTable t = *this;
        t.side_.clear();
        return t;
    }

    // Whole columns for bulk builders (the Python bindings fill them from codes and levels
    // without one string per row); the caller must leave every column the same length.
    // Columns are in the order of string_column_names and number_column_names.
    std::array<StringColumn*, 8> string_columns() {
        return {&indicator_, &area_, &period_, &sex_, &age_, &category_type_, &category_, &value_note_};
    }
    std::array<std::vector<double>*, 7> number_columns() {
        return {&value_, &lower_ci95_, &upper_ci95_, &lower_ci99_8_, &upper_ci99_8_, &count_, &denominator_};
    }
    std::vector<std::uint8_t>& mutable_flags() noexcept { return flags_; }
    std::vector<SideColumn>& mutable_side_columns() noexcept { return side_; }

    std::array<const StringColumn*, 8> const_string_columns() const {
        return {&indicator_, &area_, &period_, &sex_, &age_, &category_type_, &category_, &value_note_};
    }
    std::array<const std::vector<double>*, 7> const_number_columns() const {
        return {&value_, &lower_ci95_, &upper_ci95_, &lower_ci99_8_, &upper_ci99_8_, &count_, &denominator_};
    }

private:
    static bool same_text(const StringColumn& a, const StringColumn& b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (a[i] != b[i]) return false;
        return true;
    }
    static bool same_numbers(const std::vector<double>& a, const std::vector<double>& b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const bool na = std::isnan(a[i]);
            const bool nb = std::isnan(b[i]);
            if (na != nb || (!na && a[i] != b[i])) return false;
        }
        return true;
    }

    StringColumn indicator_, area_, period_, sex_, age_, category_type_, category_, value_note_;
    std::vector<double> value_, lower_ci95_, upper_ci95_, lower_ci99_8_, upper_ci99_8_, count_, denominator_;
    std::vector<std::uint8_t> flags_;
    std::vector<SideColumn> side_;
};

// Names of the columns, in the tidy-format (format 4) order, matching string_columns() and
// number_columns().
inline constexpr std::array<std::string_view, 8> string_column_names{
    "indicator_id", "area_code", "period", "sex", "age", "category_type", "category", "value_note"};
inline constexpr std::array<std::string_view, 7> number_column_names{
    "value", "lower_ci95", "upper_ci95", "lower_ci99_8", "upper_ci99_8", "count", "denominator"};

}  // namespace fairer
