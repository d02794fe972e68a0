// A small RFC 4180 CSV reader and writer. Readers in fairer need exact line numbers for their
// error messages and must never guess at malformed quoting, which is why this is not a
// tolerant general-purpose parser: an unterminated quote is an error, not a merged field.
#pragma once

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fairer/errors.hpp"

namespace fairer::detail {

inline std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(DataProblem{path, 0, "", "", "cannot open file for reading"});
    std::ostringstream ss;
    ss << in.rdbuf();
    return std::move(ss).str();
}

class CsvReader {
public:
    CsvReader(std::string text, std::string source) : text_(std::move(text)), source_(std::move(source)) {
        if (text_.size() >= 3 && std::memcmp(text_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
    }
    static CsvReader from_file(const std::string& path) { return CsvReader(read_text_file(path), path); }

    const std::string& source() const noexcept { return source_; }
    // 1-based line number on which the last record returned by next() started.
    std::size_t line() const noexcept { return record_line_; }

    // Reads the next record into fields; returns false at the end of the input. Wholly empty
    // lines carry no data and are skipped.
    bool next(std::vector<std::string_view>& fields) {
        fields.clear();
        scratch_.clear();
        const std::size_t n = text_.size();
        while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
            if (text_[pos_] == '\n') ++line_;
            ++pos_;
        }
        if (pos_ >= n) return false;
        record_line_ = line_;
        const char* s = text_.data();
        for (;;) {
            if (pos_ < n && s[pos_] == '"') {
                const std::size_t open_line = line_;
                ++pos_;
                std::size_t start = pos_;
                std::string* buf = nullptr;
                for (;;) {
                    if (pos_ >= n)
                        throw DataError(DataProblem{source_, open_line, "", "", "unterminated quoted field"});
                    char c = s[pos_];
                    if (c == '"') {
                        if (pos_ + 1 < n && s[pos_ + 1] == '"') {
                            if (!buf) { scratch_.emplace_back(s + start, pos_ - start); buf = &scratch_.back(); }
                            else buf->append(s + start, pos_ - start);
                            buf->push_back('"');
                            pos_ += 2;
                            start = pos_;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') ++line_;
                    ++pos_;
                }
                if (buf) {
                    buf->append(s + start, pos_ - start);
                    fields.emplace_back(*buf);
                } else {
                    fields.emplace_back(s + start, pos_ - start);
                }
                ++pos_;  // closing quote
                if (pos_ < n && s[pos_] != ',' && s[pos_] != '\n' && s[pos_] != '\r')
                    throw DataError(DataProblem{source_, line_, "", std::string(1, s[pos_]),
                                                "unexpected character after a closing quote"});
            } else {
                std::size_t start = pos_;
                while (pos_ < n && s[pos_] != ',' && s[pos_] != '\n' && s[pos_] != '\r') ++pos_;
                fields.emplace_back(s + start, pos_ - start);
            }
            if (pos_ < n && s[pos_] == ',') { ++pos_; continue; }
            // end of record
            if (pos_ < n && s[pos_] == '\r') ++pos_;
            if (pos_ < n && s[pos_] == '\n') { ++pos_; ++line_; }
            return true;
        }
    }

private:
    std::string text_;
    std::string source_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    std::size_t record_line_ = 0;
    std::deque<std::string> scratch_;  // unescaped quoted fields; deque keeps references stable
};

inline std::string_view trim(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

// Strict number parsing: the whole field must be a finite decimal number.
// Returns false for anything else; the caller decides what a blank means.
inline bool parse_double(std::string_view v, double& out) {
    v = trim(v);
    if (v.empty()) return false;
    if (v.front() == '+') v.remove_prefix(1);
    const char* first = v.data();
    const char* last = v.data() + v.size();
    auto res = std::from_chars(first, last, out, std::chars_format::general);
    if (res.ec != std::errc() || res.ptr != last) return false;
    return std::isfinite(out);
}

inline bool parse_int(std::string_view v, long long& out) {
    v = trim(v);
    if (v.empty()) return false;
    auto res = std::from_chars(v.data(), v.data() + v.size(), out);
    return res.ec == std::errc() && res.ptr == v.data() + v.size();
}

// "row 3" for the 0-based row index 2: error messages count rows from 1, as analysts do.
inline std::string row_text(std::size_t i) { return "row " + std::to_string(i + 1); }

// Shortest text that reads back as exactly the same double; empty for NaN (missing). Plain
// decimals for the magnitudes data files hold (100000, not the equally short 1e+05), because
// analysts read these files by eye; exponents only for very large or very small numbers.
inline std::string format_double(double x) {
    if (std::isnan(x)) return std::string();
    char buf[400];
    const double a = std::fabs(x);
    const bool plain = a == 0.0 || (a >= 1e-6 && a < 1e16);
    auto res = plain ? std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed)
                     : std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, res.ptr);
}

inline void append_field(std::string& out, std::string_view v) {
    bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos ||
                 (!v.empty() && (v.front() == ' ' || v.back() == ' '));
    if (!quote) { out.append(v); return; }
    out.push_back('"');
    for (char c : v) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

inline void append_row(std::string& out, const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out.push_back(',');
        append_field(out, fields[i]);
    }
    out.push_back('\n');
}

inline void write_text_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    if (!out) throw DataError(DataProblem{path, 0, "", "", "cannot open file for writing"});
    out << text;
    if (!out) throw DataError(DataProblem{path, 0, "", "", "write failed"});
}

}  // namespace fairer::detail
