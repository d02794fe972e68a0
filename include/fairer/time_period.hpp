// Time periods as Fingertips writes them ("2022", "2021/22", "2018 - 20", "2021/22 Q1", ...),
// parsed into values that know their dates, their length and their order.
//
// Supported texts (the forms the Fingertips formatter emits, PholioVisualisation
// TimePeriodFormatter, plus two forms found in the public data fairer imports):
//
//   kind                 example                    dates covered
//   year                 2022                       1 Jan 2022 - 31 Dec 2022 (calendar)
//                        2021/22                    1 Apr 2021 - 31 Mar 2022 (financial, the default)
//                                                   1 Sep 2021 - 31 Aug 2022 (academic, on request)
//   pooled_years         2018 - 20, 2006 - 07       3 (2) calendar years, 2 to 10 years allowed
//                        2020/21 - 24/25            5 financial (or academic) years
//   quarter              2022 Q1                    Jan-Mar 2022 (calendar quarters start in January)
//                        2021/22 Q1                 Apr-Jun 2021 (financial; Q4 = Jan-Mar 2022)
//                                                   Sep-Nov 2021 (academic)
//   quarter_range        2006/07 Q2 - 2007/08 Q1    Jul 2006 - Jun 2007 (Fingertips rolling quarters)
//                        2006 Q2 - 2007 Q1          Apr 2006 - Mar 2007
//   cumulative_quarters  2006/07 Q1-Q3              Apr - Dec 2006 (year to date, always from Q1;
//                                                   calendar "2006 Q1-Q3" is read the same way)
//   month                Mar 2024                   1 - 31 Mar 2024
//   month_range          Apr 2023 - Mar 2024        rolling months (2 or more)
//   day                  2024-04-17                 that day (ONS point-in-time dates, ISO 8601)
//
// Month names may also be written in full ("March 2024", as NOMIS does); they print in
// Fingertips' three-letter form. Everything else must be the exact canonical text: one space
// around " - ", "/" without spaces, two-digit second years (1999/00 and 1999 - 01 cross the
// century), four-digit years from 1000 to 9999. Anything else throws fairer::Error with id
// "period" and the offending text in quotes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>

#include "fairer/errors.hpp"

namespace fairer {

// A day of the proleptic Gregorian calendar.
struct Date {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31

    // ISO 8601, e.g. "2021-04-01".
    std::string to_string() const {
        std::string s = std::to_string(year);
        s += month < 10 ? "-0" : "-";
        s += std::to_string(month);
        s += day < 10 ? "-0" : "-";
        s += std::to_string(day);
        return s;
    }

    friend bool operator==(const Date& a, const Date& b) {
        return a.year == b.year && a.month == b.month && a.day == b.day;
    }
    friend bool operator!=(const Date& a, const Date& b) { return !(a == b); }
    friend bool operator<(const Date& a, const Date& b) {
        return std::tie(a.year, a.month, a.day) < std::tie(b.year, b.month, b.day);
    }
    friend bool operator>(const Date& a, const Date& b) { return b < a; }
    friend bool operator<=(const Date& a, const Date& b) { return !(b < a); }
    friend bool operator>=(const Date& a, const Date& b) { return !(a < b); }
};

// How a year is cut: Fingertips' "year type" for the periods fairer handles.
enum class YearType {
    calendar,   // January - December
    financial,  // April - March (UK government financial year)
    academic,   // September - August (school year)
};

// The shape of a period; see the table at the top of this file.
enum class PeriodKind {
    year,
    pooled_years,
    quarter,
    quarter_range,
    cumulative_quarters,
    month,
    month_range,
    day,
};

inline const char* to_string(YearType t) {
    switch (t) {
        case YearType::calendar: return "calendar";
        case YearType::financial: return "financial";
        case YearType::academic: return "academic";
    }
    return "calendar";
}

inline const char* to_string(PeriodKind k) {
    switch (k) {
        case PeriodKind::year: return "year";
        case PeriodKind::pooled_years: return "pooled_years";
        case PeriodKind::quarter: return "quarter";
        case PeriodKind::quarter_range: return "quarter_range";
        case PeriodKind::cumulative_quarters: return "cumulative_quarters";
        case PeriodKind::month: return "month";
        case PeriodKind::month_range: return "month_range";
        case PeriodKind::day: return "day";
    }
    return "year";
}

namespace detail {

inline bool is_leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline int days_in_month(int y, int m) {
    static constexpr int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

// Days since 1 January 1970. Counting whole 400-year eras (146097 days each) keeps the
// arithmetic exact for any Gregorian year; shifting the year to start in March puts the
// leap day last, so the day-of-year follows from the month alone.
inline std::int64_t days_since_epoch(const Date& d) {
    const std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t year_of_era = y - era * 400;
    const std::int64_t shifted_month = d.month > 2 ? d.month - 3 : d.month + 9;
    const std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + d.day - 1;
    const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

// Months counted from January of year 0, so that month arithmetic is plain integer arithmetic.
inline int month_index(int year, int month) { return year * 12 + (month - 1); }
inline Date first_day_of_month_index(int index) { return Date{index / 12, index % 12 + 1, 1}; }
inline Date last_day_of_month_index(int index) {
    const int y = index / 12, m = index % 12 + 1;
    return Date{y, m, days_in_month(y, m)};
}

// The calendar month on which a year of this type starts.
inline int first_month(YearType t) {
    switch (t) {
        case YearType::calendar: return 1;
        case YearType::financial: return 4;
        case YearType::academic: return 9;
    }
    return 1;
}

// Position and lexing over a period text; every read either consumes exactly what it
// asked for or leaves the position unchanged, so the caller can report where parsing stopped.
class PeriodCursor {
public:
    explicit PeriodCursor(std::string_view text) : text_(text) {}
    bool done() const { return pos_ == text_.size(); }
    std::string_view consumed() const { return text_.substr(0, pos_); }
    std::string_view rest() const { return text_.substr(pos_); }
    bool at_letter() const {
        if (done()) return false;
        const char c = text_[pos_];
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
    bool eat(std::string_view literal) {
        if (text_.substr(pos_, literal.size()) != literal) return false;
        pos_ += literal.size();
        return true;
    }
    // Exactly n ASCII digits as a number, or -1.
    int digits(std::size_t n) {
        if (text_.size() - pos_ < n) return -1;
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const char c = text_[pos_ + i];
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        pos_ += n;
        return v;
    }
    std::string_view letters() {
        const std::size_t start = pos_;
        while (at_letter()) ++pos_;
        return text_.substr(start, pos_ - start);
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

// "Jan".."Dec" (Fingertips) or "January".."December" (NOMIS); 0 if neither.
inline int month_from_name(std::string_view name) {
    static constexpr std::string_view full[12] = {"January", "February", "March",     "April",   "May",      "June",
                                                  "July",    "August",   "September", "October", "November", "December"};
    for (int m = 0; m < 12; ++m) {
        if (name == full[m] || name == full[m].substr(0, 3)) return m + 1;
    }
    return 0;
}

inline std::string_view month_abbreviation(int month) {
    static constexpr std::string_view names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return names[month - 1];
}

inline std::string two_digits(int year) {
    const int yy = year % 100;
    return std::string(1, static_cast<char>('0' + yy / 10)) + static_cast<char>('0' + yy % 10);
}

}  // namespace detail

class TimePeriod {
public:
    // Reads a Fingertips period text (forms in the table above). A split year such as
    // "2021/22" is financial unless split_year says academic; passing calendar rejects split
    // years, for callers whose indicator metadata promises calendar periods.
    static TimePeriod parse(std::string_view text, YearType split_year = YearType::financial);

    // The canonical Fingertips text; parse(p.to_string(), p.year_type()) == p.
    std::string to_string() const;

    // Fingertips' "Time period Sortable": first_year() * 10000 + a sub-key. The sub-key is 0 for
    // years and pooled years (so "2021 - 23" and "2021/22" give 20210000, as Fingertips
    // exports do), quarter * 100 for quarters and quarter ranges (the first quarter) and for
    // cumulative quarters (the last quarter, which is what Fingertips stores as the data
    // point's quarter), the calendar month (1..12) for months and month ranges, and
    // month * 100 + day for days. The sub-keys of different kinds never collide.
    int sortable() const;

    YearType year_type() const { return year_type_; }
    PeriodKind kind() const { return kind_; }
    // The first year written in the text: 2021 for "2021/22 Q4" (which lies in 2022),
    // 2018 for "2018 - 20", 2023 for "Apr 2023 - Mar 2024".
    int first_year() const { return first_year_; }
    // How many of the kind's units the period spans: years, quarters, months or days.
    int units() const { return units_; }

    Date start() const { return start_; }
    // The last day of the period (inclusive).
    Date end() const;
    // Length in whole months; 0 for a single day.
    int months() const;
    // Length in days, both ends included.
    std::int64_t days() const { return detail::days_since_epoch(end()) - detail::days_since_epoch(start_) + 1; }
    // True when the two periods share at least one day.
    bool overlaps(const TimePeriod& other) const { return start_ <= other.end() && other.start_ <= end(); }

    // Ordered by sortable() first, so that sorting agrees with Fingertips' sort key; ties (a
    // year and the financial year with the same first year, a year and the pooled period it
    // starts) by start date, then end date, then year type, then kind. Two periods compare
    // equal only when they are the same period written the same way.
    friend bool operator<(const TimePeriod& a, const TimePeriod& b) { return a.key() < b.key(); }
    friend bool operator>(const TimePeriod& a, const TimePeriod& b) { return b < a; }
    friend bool operator<=(const TimePeriod& a, const TimePeriod& b) { return !(b < a); }
    friend bool operator>=(const TimePeriod& a, const TimePeriod& b) { return !(a < b); }
    friend bool operator==(const TimePeriod& a, const TimePeriod& b) {
        return a.year_type_ == b.year_type_ && a.kind_ == b.kind_ && a.start_ == b.start_ && a.units_ == b.units_;
    }
    friend bool operator!=(const TimePeriod& a, const TimePeriod& b) { return !(a == b); }

    // A hash consistent with ==.
    std::size_t hash() const {
        std::size_t h = std::hash<int>{}(static_cast<int>(year_type_));
        const auto mix = [&h](std::int64_t v) { h ^= std::hash<std::int64_t>{}(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
        mix(static_cast<int>(kind_));
        mix(detail::days_since_epoch(start_));
        mix(units_);
        return h;
    }

private:
    TimePeriod(YearType year_type, PeriodKind kind, int first_year, Date start, int units)
        : year_type_(year_type), kind_(kind), first_year_(first_year), start_(start), units_(units) {}

    std::tuple<int, std::int64_t, std::int64_t, int, int> key() const {
        return {sortable(), detail::days_since_epoch(start_), detail::days_since_epoch(end()),
                static_cast<int>(year_type_), static_cast<int>(kind_)};
    }

    // The month index (see detail::month_index) of the first month of quarter q of the year
    // of this type that starts in first_year.
    static int quarter_month_index(YearType t, int first_year, int quarter) {
        return detail::month_index(first_year, detail::first_month(t)) + 3 * (quarter - 1);
    }
    // The inverse: label year and quarter number of the quarter starting at a month index.
    static void quarter_label(YearType t, int index, int& first_year, int& quarter) {
        const int offset = index - detail::month_index(0, detail::first_month(t));
        first_year = offset / 12;
        quarter = (offset % 12) / 3 + 1;
    }
    static std::string year_label(YearType t, int first_year) {
        std::string s = std::to_string(first_year);
        if (t != YearType::calendar) s += "/" + detail::two_digits(first_year + 1);
        return s;
    }
    int start_month_index() const { return detail::month_index(start_.year, start_.month); }

    YearType year_type_;
    PeriodKind kind_;
    int first_year_;
    Date start_;
    int units_;
};

namespace detail {

// Builds the messages of every parse failure, so that each names the text in quotes.
[[noreturn]] inline void period_error(std::string_view text, const std::string& why) {
    throw Error("period", "'" + std::string(text) + "' " + why);
}

[[noreturn]] inline void period_unexpected(std::string_view text, const PeriodCursor& c, const char* expected) {
    std::string why = "is not a Fingertips time period: expected ";
    why += expected;
    if (c.consumed().empty()) {
        why += " at the start";
    } else {
        why += " after '" + std::string(c.consumed()) + "'";
    }
    why += c.done() ? std::string(", found the end of the text") : ", found '" + std::string(c.rest()) + "'";
    why += " (forms: 2022, 2021/22, 2018 - 20, 2020/21 - 24/25, 2022 Q1, 2021/22 Q1, 2021/22 Q1-Q3, "
           "2021/22 Q2 - 2022/23 Q1, Mar 2024, Apr 2023 - Mar 2024, 2024-04-17)";
    period_error(text, why);
}

inline int read_year(std::string_view text, PeriodCursor& c) {
    const int y = c.digits(4);
    if (y < 0) period_unexpected(text, c, "a four-digit year");
    if (y < 1000) period_error(text, "has a year before 1000; years are written with four digits");
    return y;
}

// "/yy" after a first year: the second year of a split year must be the next one.
inline void read_split_second_year(std::string_view text, PeriodCursor& c, int first_year) {
    const int yy = c.digits(2);
    if (yy < 0) period_unexpected(text, c, "a two-digit second year");
    if (yy != (first_year + 1) % 100) {
        period_error(text, "is not a split year: its two years must be consecutive (expected '" +
                               std::to_string(first_year) + "/" + two_digits(first_year + 1) + "')");
    }
}

inline int read_quarter(std::string_view text, PeriodCursor& c) {
    const int q = c.digits(1);
    if (q < 0) period_unexpected(text, c, "a quarter number");
    if (q < 1 || q > 4) period_error(text, "has quarter " + std::to_string(q) + "; quarters are 1 to 4");
    return q;
}

// The year after first_year, within a century, whose last two digits are yy.
inline int year_ending_in(int first_year, int yy) { return first_year + ((yy - first_year % 100) % 100 + 100) % 100; }

}  // namespace detail

inline TimePeriod TimePeriod::parse(std::string_view text, YearType split_year) {
    using namespace detail;
    constexpr int max_pooled_years = 10;
    if (text.empty()) period_error(text, "is empty: expected a Fingertips time period such as '2022' or '2021/22'");
    PeriodCursor c(text);
    const auto finish = [&](const TimePeriod& p) {
        if (!c.done()) period_unexpected(text, c, "the end of the text");
        if (p.end().year > 9999) period_error(text, "ends after the year 9999");
        return p;
    };

    if (c.at_letter()) {
        const auto read_month = [&]() {
            const std::string_view name = c.letters();
            const int m = month_from_name(name);
            if (m == 0) period_error(text, "has an unknown month name '" + std::string(name) + "' (expected Jan..Dec or January..December)");
            if (!c.eat(" ")) period_unexpected(text, c, "a space and a year");
            const int y = read_year(text, c);
            return month_index(y, m);
        };
        const int first = read_month();
        if (c.done()) return finish(TimePeriod(YearType::calendar, PeriodKind::month, first / 12, first_day_of_month_index(first), 1));
        if (!c.eat(" - ")) period_unexpected(text, c, "' - ' or the end of the text");
        if (!c.at_letter()) period_unexpected(text, c, "a month name");
        const int last = read_month();
        if (last <= first) period_error(text, "is not a month range: it must end after it starts");
        return finish(TimePeriod(YearType::calendar, PeriodKind::month_range, first / 12, first_day_of_month_index(first),
                                 last - first + 1));
    }

    const int year = read_year(text, c);
    if (c.eat("-")) {
        const int m = c.digits(2);
        if (m < 0 || !c.eat("-")) period_unexpected(text, c, "an ISO date YYYY-MM-DD");
        const int d = c.digits(2);
        if (d < 0) period_unexpected(text, c, "a two-digit day");
        if (m < 1 || m > 12 || d < 1 || d > days_in_month(year, m)) period_error(text, "is not a valid date");
        return finish(TimePeriod(YearType::calendar, PeriodKind::day, year, Date{year, m, d}, 1));
    }

    YearType type = YearType::calendar;
    if (c.eat("/")) {
        read_split_second_year(text, c, year);
        if (split_year == YearType::calendar) {
            period_error(text, "is a split (financial or academic) year, but calendar periods were requested");
        }
        type = split_year;
    }
    const int first_month_index = month_index(year, first_month(type));
    if (c.done()) return finish(TimePeriod(type, PeriodKind::year, year, first_day_of_month_index(first_month_index), 1));

    if (c.eat(" Q")) {
        const int q = read_quarter(text, c);
        const int start = quarter_month_index(type, year, q);
        if (c.done()) return finish(TimePeriod(type, PeriodKind::quarter, year, first_day_of_month_index(start), 1));
        if (c.eat("-Q")) {
            const int last = read_quarter(text, c);
            if (q != 1 || last < 2) period_error(text, "is not a cumulative quarter period: it must run from Q1 to Q2, Q3 or Q4");
            return finish(TimePeriod(type, PeriodKind::cumulative_quarters, year, first_day_of_month_index(start), last));
        }
        if (!c.eat(" - ")) period_unexpected(text, c, "'-Q', ' - ' or the end of the text");
        const int year2 = read_year(text, c);
        if (type != YearType::calendar) {
            if (!c.eat("/")) period_unexpected(text, c, "'/' (both ends of a quarter range have the same year type)");
            read_split_second_year(text, c, year2);
        }
        if (!c.eat(" Q")) period_unexpected(text, c, "' Q' and a quarter number");
        const int q2 = read_quarter(text, c);
        const int end_start = quarter_month_index(type, year2, q2);
        if (end_start <= start) period_error(text, "is not a quarter range: it must end after it starts");
        return finish(TimePeriod(type, PeriodKind::quarter_range, year, first_day_of_month_index(start),
                                 (end_start - start) / 3 + 1));
    }

    if (!c.eat(" - ")) period_unexpected(text, c, "'/', ' Q', ' - ' or the end of the text");
    const int yy = c.digits(2);
    if (yy < 0) period_unexpected(text, c, "a two-digit last year");
    const int last_year = year_ending_in(year, yy);
    const int count = last_year - year + 1;
    if (count < 2 || count > max_pooled_years) {
        period_error(text, "is not a pooled period: its last year must come 1 to " + std::to_string(max_pooled_years - 1) +
                               " years after its first year " + std::to_string(year));
    }
    if (type != YearType::calendar) {
        if (!c.eat("/")) period_unexpected(text, c, "'/' (both ends of a pooled split-year period are split years)");
        read_split_second_year(text, c, last_year);
    }
    return finish(TimePeriod(type, PeriodKind::pooled_years, year, first_day_of_month_index(first_month_index), count));
}

inline Date TimePeriod::end() const {
    if (kind_ == PeriodKind::day) return start_;
    return detail::last_day_of_month_index(start_month_index() + months() - 1);
}

inline int TimePeriod::months() const {
    switch (kind_) {
        case PeriodKind::year:
        case PeriodKind::pooled_years: return 12 * units_;
        case PeriodKind::quarter:
        case PeriodKind::quarter_range:
        case PeriodKind::cumulative_quarters: return 3 * units_;
        case PeriodKind::month:
        case PeriodKind::month_range: return units_;
        case PeriodKind::day: return 0;
    }
    return 0;
}

inline std::string TimePeriod::to_string() const {
    switch (kind_) {
        case PeriodKind::year: return year_label(year_type_, first_year_);
        case PeriodKind::pooled_years: {
            const int last = first_year_ + units_ - 1;
            std::string s = year_label(year_type_, first_year_) + " - " + detail::two_digits(last);
            if (year_type_ != YearType::calendar) s += "/" + detail::two_digits(last + 1);
            return s;
        }
        case PeriodKind::quarter:
        case PeriodKind::cumulative_quarters:
        case PeriodKind::quarter_range: {
            int label_year = 0, quarter = 0;
            quarter_label(year_type_, start_month_index(), label_year, quarter);
            std::string s = year_label(year_type_, label_year) + " Q" + std::to_string(quarter);
            if (kind_ == PeriodKind::cumulative_quarters) return s + "-Q" + std::to_string(units_);
            if (kind_ == PeriodKind::quarter_range) {
                quarter_label(year_type_, start_month_index() + 3 * (units_ - 1), label_year, quarter);
                s += " - " + year_label(year_type_, label_year) + " Q" + std::to_string(quarter);
            }
            return s;
        }
        case PeriodKind::month:
        case PeriodKind::month_range: {
            std::string s = std::string(detail::month_abbreviation(start_.month)) + " " + std::to_string(start_.year);
            if (kind_ == PeriodKind::month_range) {
                const Date last = detail::first_day_of_month_index(start_month_index() + units_ - 1);
                s += " - " + std::string(detail::month_abbreviation(last.month)) + " " + std::to_string(last.year);
            }
            return s;
        }
        case PeriodKind::day: return start_.to_string();
    }
    return std::string();
}

inline int TimePeriod::sortable() const {
    int sub = 0;
    switch (kind_) {
        case PeriodKind::year:
        case PeriodKind::pooled_years: sub = 0; break;
        case PeriodKind::quarter:
        case PeriodKind::quarter_range: {
            int label_year = 0, quarter = 0;
            quarter_label(year_type_, start_month_index(), label_year, quarter);
            sub = quarter * 100;
            break;
        }
        case PeriodKind::cumulative_quarters: sub = units_ * 100; break;
        case PeriodKind::month:
        case PeriodKind::month_range: sub = start_.month; break;
        case PeriodKind::day: sub = start_.month * 100 + start_.day; break;
    }
    return first_year_ * 10000 + sub;
}

}  // namespace fairer

namespace std {
template <>
struct hash<fairer::TimePeriod> {
    std::size_t operator()(const fairer::TimePeriod& p) const noexcept { return p.hash(); }
};
}  // namespace std
