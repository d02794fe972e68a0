// A monitoring framework (themes, system recommendations, indicators) as data.
//
// The All Together Fairer framework ships as a versioned data file, and a user can load another
// region's framework through the same reader: nothing about the 22 Beacon indicators is
// compiled in. The file is a "sectioned CSV" (format version 1):
//
//   #fairer-framework,1
//   [framework]                     field,value rows: key,name,region,version,baseline_period,source,licence
//   [themes]                        key,title,life_course,marmot_principle
//   [recommendations]               key,title
//   [indicators]                    key,number,theme,title,polarity,status,sexes,age,value_type,unit,
//                                   multiplier,ci_method,period_type,frequency,disclosure_threshold,
//                                   fingertips_id,fingertips_id_status,recommendations,source,definition,notes
//
// Sections come in any order; records whose first field starts with '#' are comments. The reader
// is strict: every problem is a DataError naming the file, row, column and value, because a
// silently mis-read framework would misclassify indicators in every report built on it.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "fairer/detail/csv.hpp"
#include "fairer/errors.hpp"

namespace fairer {

// Whether a higher value of an indicator is a better outcome (drives RAG comparisons).
enum class Polarity { higher_is_better, lower_is_better, no_judgement, not_applicable };
// anchor = fed by the Anchor Institution returns (no published data yet);
// discontinued = no longer published at the level the framework monitors.
enum class IndicatorStatus { live, anchor, discontinued };
enum class ValueType {
    proportion,
    crude_rate,
    directly_standardised_rate,
    indirectly_standardised_ratio,
    life_expectancy,
    mean,
    score,
    count,
    other
};
// How confidence intervals are computed for the indicator (Fingertips' methods; "published" =
// taken from the publisher, "none" = no interval).
enum class CiMethod { wilson, byar, exact_poisson, dobson, student_t, chiang, published, none };
enum class PeriodType {
    calendar_year,
    financial_year,
    academic_year,
    pooled_3_year_calendar,
    pooled_3_year_financial,
    calendar_quarter,
    financial_quarter,
    other
};
enum class FingertipsIdStatus { confirmed, unverified };

namespace detail {

// Text forms of each enum, as written in the framework file. One table per enum keeps
// to_string and from_string from drifting apart.
template <class E>
struct EnumText;

template <>
struct EnumText<Polarity> {
    static constexpr const char* what = "polarity";
    static constexpr std::array<std::pair<Polarity, std::string_view>, 4> items{{
        {Polarity::higher_is_better, "higher is better"},
        {Polarity::lower_is_better, "lower is better"},
        {Polarity::no_judgement, "no judgement"},
        {Polarity::not_applicable, "not applicable"},
    }};
};
template <>
struct EnumText<IndicatorStatus> {
    static constexpr const char* what = "status";
    static constexpr std::array<std::pair<IndicatorStatus, std::string_view>, 3> items{{
        {IndicatorStatus::live, "live"},
        {IndicatorStatus::anchor, "anchor"},
        {IndicatorStatus::discontinued, "discontinued"},
    }};
};
template <>
struct EnumText<ValueType> {
    static constexpr const char* what = "value type";
    static constexpr std::array<std::pair<ValueType, std::string_view>, 9> items{{
        {ValueType::proportion, "proportion"},
        {ValueType::crude_rate, "crude rate"},
        {ValueType::directly_standardised_rate, "directly standardised rate"},
        {ValueType::indirectly_standardised_ratio, "indirectly standardised ratio"},
        {ValueType::life_expectancy, "life expectancy"},
        {ValueType::mean, "mean"},
        {ValueType::score, "score"},
        {ValueType::count, "count"},
        {ValueType::other, "other"},
    }};
};
template <>
struct EnumText<CiMethod> {
    static constexpr const char* what = "confidence interval method";
    static constexpr std::array<std::pair<CiMethod, std::string_view>, 8> items{{
        {CiMethod::wilson, "wilson"},
        {CiMethod::byar, "byar"},
        {CiMethod::exact_poisson, "exact poisson"},
        {CiMethod::dobson, "dobson"},
        {CiMethod::student_t, "student t"},
        {CiMethod::chiang, "chiang"},
        {CiMethod::published, "published"},
        {CiMethod::none, "none"},
    }};
};
template <>
struct EnumText<PeriodType> {
    static constexpr const char* what = "period type";
    static constexpr std::array<std::pair<PeriodType, std::string_view>, 8> items{{
        {PeriodType::calendar_year, "calendar year"},
        {PeriodType::financial_year, "financial year"},
        {PeriodType::academic_year, "academic year"},
        {PeriodType::pooled_3_year_calendar, "3-year pooled calendar"},
        {PeriodType::pooled_3_year_financial, "3-year pooled financial"},
        {PeriodType::calendar_quarter, "calendar quarter"},
        {PeriodType::financial_quarter, "financial quarter"},
        {PeriodType::other, "other"},
    }};
};
template <>
struct EnumText<FingertipsIdStatus> {
    static constexpr const char* what = "Fingertips id status";
    static constexpr std::array<std::pair<FingertipsIdStatus, std::string_view>, 2> items{{
        {FingertipsIdStatus::confirmed, "confirmed"},
        {FingertipsIdStatus::unverified, "unverified"},
    }};
};

template <class E, class = void>
struct has_enum_text : std::false_type {};
template <class E>
struct has_enum_text<E, std::void_t<decltype(EnumText<E>::items)>> : std::true_type {};

template <class E>
bool enum_from_text(std::string_view text, E& out) {
    for (const auto& item : EnumText<E>::items) {
        if (item.second == text) {
            out = item.first;
            return true;
        }
    }
    return false;
}

// "'a', 'b' or 'c'", for error messages that tell the user what would have been accepted.
template <class E>
std::string enum_choices() {
    std::string s;
    const auto& items = EnumText<E>::items;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) s += (i + 1 == items.size()) ? " or " : ", ";
        s += "'";
        s += items[i].second;
        s += "'";
    }
    return s;
}

inline std::vector<std::string> split_framework_list(std::string_view text, char sep = ';') {
    std::vector<std::string> out;
    if (text.empty()) return out;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = text.find(sep, start);
        out.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

inline std::string join_framework_list(const std::vector<std::string>& items, char sep = ';') {
    std::string s;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) s.push_back(sep);
        s += items[i];
    }
    return s;
}

}  // namespace detail

// Text form of an enum as written in the framework file ("higher is better", "3-year pooled calendar").
template <class E, std::enable_if_t<detail::has_enum_text<E>::value, int> = 0>
std::string to_string(E value) {
    for (const auto& item : detail::EnumText<E>::items)
        if (item.first == value) return std::string(item.second);
    throw Error("value", std::string("invalid ") + detail::EnumText<E>::what + " enumerator");
}

// Inverse of to_string; exact match only (no case folding or trimming, so that a file that
// reads also writes back byte for byte). Throws fairer::Error (id "value") naming the text.
template <class E, std::enable_if_t<detail::has_enum_text<E>::value, int> = 0>
E from_string(std::string_view text) {
    E out{};
    if (!detail::enum_from_text(text, out))
        throw Error("value", std::string("unknown ") + detail::EnumText<E>::what + " '" + std::string(text) +
                                 "'; expected " + detail::enum_choices<E>());
    return out;
}

// One Marmot principle (or the headline outcome, which is not a principle).
struct Theme {
    std::string key;  // "LE", "T1".."T8"
    std::string title;
    std::string life_course;  // "start well", "live well, age well", "all"
    bool marmot_principle = true;
};

// A system recommendation that actions and indicators are linked to ("R1".."R7").
struct SystemRecommendation {
    std::string key;
    std::string title;
};

// Everything the framework file says about one indicator.
struct IndicatorMeta {
    std::string key;  // "B01"
    int number = 0;   // 1-based number as the programme papers use it
    std::string theme;  // a Theme key
    std::string title;
    Polarity polarity = Polarity::no_judgement;
    IndicatorStatus status = IndicatorStatus::live;
    std::vector<std::string> sexes;  // subset of "Persons", "Male", "Female", in file order
    std::string age;                 // Fingertips age label, e.g. "All ages", "16-64 yrs"
    ValueType value_type = ValueType::other;
    std::string unit;         // "%", "per 100,000", "years"
    double multiplier = 1.0;  // 100 for a percentage, 100000 for a rate per 100,000, 1 otherwise
    CiMethod ci_method = CiMethod::none;
    PeriodType period_type = PeriodType::other;
    std::string frequency;                     // "annual"
    std::optional<int> disclosure_threshold;   // counts below this are suppressed
    std::optional<int> fingertips_id;
    std::optional<FingertipsIdStatus> fingertips_id_status;
    std::vector<std::string> recommendations;  // SystemRecommendation keys
    std::string source;
    std::string definition;
    std::string notes;

    bool is_proportion() const noexcept { return value_type == ValueType::proportion; }
};

inline bool operator==(const Theme& a, const Theme& b) {
    return a.key == b.key && a.title == b.title && a.life_course == b.life_course &&
           a.marmot_principle == b.marmot_principle;
}
inline bool operator!=(const Theme& a, const Theme& b) { return !(a == b); }
inline bool operator==(const SystemRecommendation& a, const SystemRecommendation& b) {
    return a.key == b.key && a.title == b.title;
}
inline bool operator!=(const SystemRecommendation& a, const SystemRecommendation& b) { return !(a == b); }
inline bool operator==(const IndicatorMeta& a, const IndicatorMeta& b) {
    return a.key == b.key && a.number == b.number && a.theme == b.theme && a.title == b.title &&
           a.polarity == b.polarity && a.status == b.status && a.sexes == b.sexes && a.age == b.age &&
           a.value_type == b.value_type && a.unit == b.unit && a.multiplier == b.multiplier &&
           a.ci_method == b.ci_method && a.period_type == b.period_type && a.frequency == b.frequency &&
           a.disclosure_threshold == b.disclosure_threshold && a.fingertips_id == b.fingertips_id &&
           a.fingertips_id_status == b.fingertips_id_status && a.recommendations == b.recommendations &&
           a.source == b.source && a.definition == b.definition && a.notes == b.notes;
}
inline bool operator!=(const IndicatorMeta& a, const IndicatorMeta& b) { return !(a == b); }

// A whole framework. Lookups are linear: frameworks have tens of entries, and keeping this a
// plain aggregate lets a user build or edit one in code and write it out.
struct Framework {
    std::string key;  // "all-together-fairer"
    std::string name;
    std::string region;
    std::string version;          // "2024-01"
    std::string baseline_period;  // "2022"
    std::string source;
    std::string licence;
    std::vector<Theme> themes;
    std::vector<SystemRecommendation> recommendations;
    std::vector<IndicatorMeta> indicators;

    bool has_indicator(std::string_view k) const noexcept { return find(indicators, k) != nullptr; }
    bool has_theme(std::string_view k) const noexcept { return find(themes, k) != nullptr; }
    bool has_recommendation(std::string_view k) const noexcept { return find(recommendations, k) != nullptr; }

    // Throw fairer::Error (id "framework") for an unknown key.
    const IndicatorMeta& indicator(std::string_view k) const { return get(indicators, k, "indicator"); }
    const Theme& theme(std::string_view k) const { return get(themes, k, "theme"); }
    const SystemRecommendation& recommendation(std::string_view k) const {
        return get(recommendations, k, "recommendation");
    }

    // Indicators under a theme, in file order; throws for an unknown theme key.
    std::vector<IndicatorMeta> indicators_for_theme(std::string_view theme_key) const {
        theme(theme_key);
        std::vector<IndicatorMeta> out;
        for (const auto& m : indicators)
            if (m.theme == theme_key) out.push_back(m);
        return out;
    }
    // Indicators linked to a system recommendation, in file order; throws for an unknown key.
    std::vector<IndicatorMeta> indicators_for_recommendation(std::string_view rec_key) const {
        recommendation(rec_key);
        std::vector<IndicatorMeta> out;
        for (const auto& m : indicators)
            for (const auto& r : m.recommendations)
                if (r == rec_key) {
                    out.push_back(m);
                    break;
                }
        return out;
    }
    std::vector<std::string> indicator_keys() const {
        std::vector<std::string> out;
        out.reserve(indicators.size());
        for (const auto& m : indicators) out.push_back(m.key);
        return out;
    }

private:
    template <class T>
    static const T* find(const std::vector<T>& items, std::string_view k) noexcept {
        for (const auto& item : items)
            if (item.key == k) return &item;
        return nullptr;
    }
    template <class T>
    const T& get(const std::vector<T>& items, std::string_view k, const char* what) const {
        if (const T* p = find(items, k)) return *p;
        throw Error("framework", std::string("unknown ") + what + " key '" + std::string(k) + "' in framework '" +
                                     key + "'");
    }
};

inline bool operator==(const Framework& a, const Framework& b) {
    return a.key == b.key && a.name == b.name && a.region == b.region && a.version == b.version &&
           a.baseline_period == b.baseline_period && a.source == b.source && a.licence == b.licence &&
           a.themes == b.themes && a.recommendations == b.recommendations && a.indicators == b.indicators;
}
inline bool operator!=(const Framework& a, const Framework& b) { return !(a == b); }

namespace detail {

inline const std::array<std::string_view, 7>& framework_fields() {
    static constexpr std::array<std::string_view, 7> f{
        {"key", "name", "region", "version", "baseline_period", "source", "licence"}};
    return f;
}
inline const std::vector<std::string>& framework_theme_header() {
    static const std::vector<std::string> h{"key", "title", "life_course", "marmot_principle"};
    return h;
}
inline const std::vector<std::string>& framework_recommendation_header() {
    static const std::vector<std::string> h{"key", "title"};
    return h;
}
inline const std::vector<std::string>& framework_indicator_header() {
    static const std::vector<std::string> h{
        "key",       "number",          "theme",     "title",       "polarity",
        "status",    "sexes",           "age",       "value_type",  "unit",
        "multiplier", "ci_method",      "period_type", "frequency", "disclosure_threshold",
        "fingertips_id", "fingertips_id_status", "recommendations", "source", "definition",
        "notes"};
    return h;
}

// The member behind a [framework] field name; name is one of framework_fields().
template <class F>
auto& framework_field(F& fw, std::string_view name) {
    if (name == "key") return fw.key;
    if (name == "name") return fw.name;
    if (name == "region") return fw.region;
    if (name == "version") return fw.version;
    if (name == "baseline_period") return fw.baseline_period;
    if (name == "source") return fw.source;
    return fw.licence;
}

class FrameworkParser {
public:
    FrameworkParser(std::string_view text, const std::string& source) : reader_(std::string(text), source) {}

    Framework parse() {
        std::vector<std::string_view> f;
        if (!reader_.next(f) || reader_.line() != 1 || f.empty() || f[0] != "#fairer-framework")
            fail(1, "", f.empty() ? std::string() : std::string(f[0]),
                 "the first line must be '#fairer-framework,1' (is this a fairer framework file?)");
        if (f.size() != 2 || f[1] != "1")
            fail(1, "version", f.size() > 1 ? std::string(f[1]) : std::string(),
                 "unsupported framework file version; this reader reads version 1");

        enum Section { none, framework, themes, recommendations, indicators };
        static constexpr std::array<const char*, 5> names{
            {"", "[framework]", "[themes]", "[recommendations]", "[indicators]"}};
        Section section = none;
        bool expect_header = false;
        std::array<std::size_t, 5> seen{};  // line of each section's start, 0 = not seen
        while (reader_.next(f)) {
            const std::size_t row = reader_.line();
            if (!f.empty() && !f[0].empty() && f[0][0] == '#') continue;
            if (f.size() == 1 && !f[0].empty() && f[0].front() == '[') {
                if (expect_header) fail(seen[section], "section", names[section], "section has no header row");
                const std::string_view name = f[0];
                if (name == "[framework]") section = framework;
                else if (name == "[themes]") section = themes;
                else if (name == "[recommendations]") section = recommendations;
                else if (name == "[indicators]") section = indicators;
                else
                    fail(row, "section", std::string(name),
                         "unknown section; expected [framework], [themes], [recommendations] or [indicators]");
                if (seen[section] != 0)
                    fail(row, "section", std::string(name),
                         "duplicate section (first started on row " + std::to_string(seen[section]) + ")");
                seen[section] = row;
                expect_header = true;
                continue;
            }
            if (section == none) fail(row, "", std::string(f.empty() ? "" : f[0]), "record before the first section");
            if (expect_header) {
                check_header(row, f, section == framework         ? framework_header()
                                      : section == themes          ? framework_theme_header()
                                      : section == recommendations ? framework_recommendation_header()
                                                                   : framework_indicator_header());
                expect_header = false;
                continue;
            }
            switch (section) {
                case framework: framework_row(row, f); break;
                case themes: theme_row(row, f); break;
                case recommendations: recommendation_row(row, f); break;
                case indicators: indicator_row(row, f); break;
                case none: break;
            }
        }
        if (expect_header) fail(seen[section], "section", names[section], "section has no header row");
        for (int s = framework; s <= indicators; ++s)
            if (seen[static_cast<std::size_t>(s)] == 0)
                fail(0, "", names[static_cast<std::size_t>(s)], "missing section");
        for (auto name : framework_fields())
            if (!has_field(name))
                fail(seen[framework], "field", std::string(name), "missing field in the [framework] section");
        cross_check();
        return std::move(fw_);
    }

private:
    [[noreturn]] void fail(std::size_t row, std::string column, std::string value, std::string problem) const {
        throw DataError(DataProblem{reader_.source(), row, std::move(column), std::move(value), std::move(problem)});
    }

    static const std::vector<std::string>& framework_header() {
        static const std::vector<std::string> h{"field", "value"};
        return h;
    }

    void check_header(std::size_t row, const std::vector<std::string_view>& f, const std::vector<std::string>& want) {
        header_ = &want;
        bool ok = f.size() == want.size();
        for (std::size_t i = 0; ok && i < f.size(); ++i) ok = f[i] == want[i];
        if (!ok) {
            std::string got;
            for (std::size_t i = 0; i < f.size(); ++i) got += (i ? "," : "") + std::string(f[i]);
            fail(row, "", got, "wrong header; expected '" + join_framework_list(want, ',') + "'");
        }
    }

    void check_width(std::size_t row, const std::vector<std::string_view>& f) const {
        if (f.size() != header_->size())
            fail(row, "", "",
                 "expected " + std::to_string(header_->size()) + " fields, found " + std::to_string(f.size()));
    }

    void require_key(std::size_t row, std::string_view key, std::vector<std::string>& keys, const char* what) const {
        if (key.empty()) fail(row, "key", "", std::string("missing ") + what + " key");
        for (const auto& k : keys)
            if (k == key) fail(row, "key", std::string(key), std::string("duplicate ") + what + " key");
        keys.emplace_back(key);
    }

    bool has_field(std::string_view name) const {
        for (const auto& s : fields_seen_)
            if (s == name) return true;
        return false;
    }

    void framework_row(std::size_t row, const std::vector<std::string_view>& f) {
        check_width(row, f);
        bool known = false;
        for (auto name : framework_fields()) known = known || name == f[0];
        if (!known)
            fail(row, "field", std::string(f[0]),
                 "unknown [framework] field; expected key, name, region, version, baseline_period, source or licence");
        if (has_field(f[0])) fail(row, "field", std::string(f[0]), "duplicate [framework] field");
        fields_seen_.emplace_back(f[0]);
        framework_field(fw_, f[0]) = std::string(f[1]);
    }

    void theme_row(std::size_t row, const std::vector<std::string_view>& f) {
        check_width(row, f);
        require_key(row, f[0], theme_keys_, "theme");
        Theme t;
        t.key = std::string(f[0]);
        t.title = std::string(f[1]);
        t.life_course = std::string(f[2]);
        if (f[3] == "yes") t.marmot_principle = true;
        else if (f[3] == "no") t.marmot_principle = false;
        else fail(row, "marmot_principle", std::string(f[3]), "expected 'yes' or 'no'");
        fw_.themes.push_back(std::move(t));
    }

    void recommendation_row(std::size_t row, const std::vector<std::string_view>& f) {
        check_width(row, f);
        require_key(row, f[0], recommendation_keys_, "recommendation");
        fw_.recommendations.push_back(SystemRecommendation{std::string(f[0]), std::string(f[1])});
    }

    template <class E>
    E enum_field(std::size_t row, const char* column, std::string_view text) const {
        E out{};
        if (!enum_from_text(text, out))
            fail(row, column, std::string(text),
                 std::string("unknown ") + EnumText<E>::what + "; expected " + enum_choices<E>());
        return out;
    }

    // Blank means "not known"; anything else must be a whole number of at least `minimum`.
    std::optional<int> optional_int(std::size_t row, const char* column, std::string_view text, int minimum) const {
        if (text.empty()) return std::nullopt;
        return required_int(row, column, text, minimum);
    }
    int required_int(std::size_t row, const char* column, std::string_view text, int minimum) const {
        long long v = 0;
        if (!parse_int(text, v) || text != trim(text))
            fail(row, column, std::string(text), "not an integer");
        if (v < minimum || v > std::numeric_limits<int>::max())
            fail(row, column, std::string(text), "out of range; expected an integer of at least " +
                                                     std::to_string(minimum));
        return static_cast<int>(v);
    }

    void indicator_row(std::size_t row, const std::vector<std::string_view>& f) {
        check_width(row, f);
        require_key(row, f[0], indicator_keys_, "indicator");
        IndicatorMeta m;
        m.key = std::string(f[0]);
        m.number = required_int(row, "number", f[1], 1);
        for (std::size_t i = 0; i < fw_.indicators.size(); ++i)
            if (fw_.indicators[i].number == m.number)
                fail(row, "number", std::string(f[1]),
                     "duplicate indicator number (also used by " + fw_.indicators[i].key + ")");
        m.theme = std::string(f[2]);
        m.title = std::string(f[3]);
        m.polarity = enum_field<Polarity>(row, "polarity", f[4]);
        m.status = enum_field<IndicatorStatus>(row, "status", f[5]);
        m.sexes = split_framework_list(f[6]);
        if (m.sexes.empty()) fail(row, "sexes", "", "missing sexes; expected 'Persons', 'Male' and/or 'Female'");
        for (std::size_t i = 0; i < m.sexes.size(); ++i) {
            const auto& s = m.sexes[i];
            if (s != "Persons" && s != "Male" && s != "Female")
                fail(row, "sexes", std::string(f[6]), "unknown sex '" + s + "'; expected 'Persons', 'Male' or 'Female'");
            for (std::size_t j = 0; j < i; ++j)
                if (m.sexes[j] == s) fail(row, "sexes", std::string(f[6]), "sex '" + s + "' listed twice");
        }
        m.age = std::string(f[7]);
        m.value_type = enum_field<ValueType>(row, "value_type", f[8]);
        m.unit = std::string(f[9]);
        if (!parse_double(f[10], m.multiplier) || f[10] != trim(f[10]) || !(m.multiplier > 0.0))
            fail(row, "multiplier", std::string(f[10]), "bad multiplier; expected a positive number (100 for %)");
        m.ci_method = enum_field<CiMethod>(row, "ci_method", f[11]);
        m.period_type = enum_field<PeriodType>(row, "period_type", f[12]);
        m.frequency = std::string(f[13]);
        m.disclosure_threshold = optional_int(row, "disclosure_threshold", f[14], 0);
        m.fingertips_id = optional_int(row, "fingertips_id", f[15], 1);
        if (!f[16].empty()) {
            m.fingertips_id_status = enum_field<FingertipsIdStatus>(row, "fingertips_id_status", f[16]);
            if (!m.fingertips_id)
                fail(row, "fingertips_id_status", std::string(f[16]), "status given for a blank fingertips_id");
        }
        m.recommendations = split_framework_list(f[17]);
        m.source = std::string(f[18]);
        m.definition = std::string(f[19]);
        m.notes = std::string(f[20]);
        fw_.indicators.push_back(std::move(m));
        indicator_rows_.push_back(row);
    }

    // References between sections can only be checked once every section has been read.
    void cross_check() const {
        for (std::size_t i = 0; i < fw_.indicators.size(); ++i) {
            const auto& m = fw_.indicators[i];
            const std::size_t row = indicator_rows_[i];
            if (!fw_.has_theme(m.theme)) fail(row, "theme", m.theme, "not a key in the [themes] section");
            for (std::size_t r = 0; r < m.recommendations.size(); ++r) {
                const auto& rec = m.recommendations[r];
                if (!fw_.has_recommendation(rec))
                    fail(row, "recommendations", rec, "not a key in the [recommendations] section");
                for (std::size_t j = 0; j < r; ++j)
                    if (m.recommendations[j] == rec) fail(row, "recommendations", rec, "recommendation listed twice");
            }
        }
    }

    CsvReader reader_;
    Framework fw_;
    const std::vector<std::string>* header_ = nullptr;
    std::vector<std::string> fields_seen_, theme_keys_, recommendation_keys_, indicator_keys_;
    std::vector<std::size_t> indicator_rows_;
};

}  // namespace detail

// Parses framework text (format version 1). source_name is used in error messages only.
inline Framework parse_framework(std::string_view text, const std::string& source_name = "<framework>") {
    return detail::FrameworkParser(text, source_name).parse();
}

inline Framework read_framework(const std::string& path) {
    return parse_framework(detail::read_text_file(path), path);
}

// Writes the framework in format version 1, sections in the canonical order. The output reads
// back to an equal Framework, and writing that again gives the same text.
inline std::string write_framework(const Framework& fw) {
    using detail::append_row;
    std::string out = "#fairer-framework,1\n[framework]\n";
    append_row(out, {"field", "value"});
    for (auto name : detail::framework_fields())
        append_row(out, {std::string(name), detail::framework_field(fw, name)});
    out += "\n[themes]\n";
    append_row(out, detail::framework_theme_header());
    for (const auto& t : fw.themes)
        append_row(out, {t.key, t.title, t.life_course, t.marmot_principle ? "yes" : "no"});
    out += "\n[recommendations]\n";
    append_row(out, detail::framework_recommendation_header());
    for (const auto& r : fw.recommendations) append_row(out, {r.key, r.title});
    out += "\n[indicators]\n";
    append_row(out, detail::framework_indicator_header());
    auto opt = [](const std::optional<int>& v) { return v ? std::to_string(*v) : std::string(); };
    for (const auto& m : fw.indicators) {
        append_row(out, {m.key,
                         std::to_string(m.number),
                         m.theme,
                         m.title,
                         to_string(m.polarity),
                         to_string(m.status),
                         detail::join_framework_list(m.sexes),
                         m.age,
                         to_string(m.value_type),
                         m.unit,
                         detail::format_double(m.multiplier),
                         to_string(m.ci_method),
                         to_string(m.period_type),
                         m.frequency,
                         opt(m.disclosure_threshold),
                         opt(m.fingertips_id),
                         m.fingertips_id_status ? to_string(*m.fingertips_id_status) : std::string(),
                         detail::join_framework_list(m.recommendations),
                         m.source,
                         m.definition,
                         m.notes});
    }
    return out;
}

inline void write_framework_file(const Framework& fw, const std::string& path) {
    detail::write_text_file(path, write_framework(fw));
}

}  // namespace fairer
