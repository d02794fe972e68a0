#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "fairer/detail/csv.hpp"

using fairer::detail::CsvReader;

namespace {
std::vector<std::vector<std::string>> read_all(const std::string& text, std::vector<std::size_t>* lines = nullptr) {
    CsvReader r(text, "t.csv");
    std::vector<std::string_view> f;
    std::vector<std::vector<std::string>> out;
    while (r.next(f)) {
        out.emplace_back(f.begin(), f.end());
        if (lines) lines->push_back(r.line());
    }
    return out;
}
}  // namespace

TEST_CASE("csv: quoting, escaped quotes, embedded newlines and line numbers") {
    std::vector<std::size_t> lines;
    auto rows = read_all("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\n\"two\nlines\",2,3\n\nlast,,\n", &lines);
    REQUIRE(rows.size() == 4);
    CHECK(rows[1] == std::vector<std::string>{"x,y", "say \"hi\"", ""});
    CHECK(rows[2] == std::vector<std::string>{"two\nlines", "2", "3"});
    CHECK(rows[3] == std::vector<std::string>{"last", "", ""});
    // the blank line 5 is skipped, so "last" starts on line 6
    CHECK(lines == std::vector<std::size_t>{1, 2, 3, 6});
}

TEST_CASE("csv: byte-order mark and CRLF line ends") {
    auto rows = read_all("\xEF\xBB\xBFh1,h2\r\n1,2\r\n");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] == std::vector<std::string>{"h1", "h2"});
    CHECK(rows[1] == std::vector<std::string>{"1", "2"});
}

TEST_CASE("csv: malformed quoting is an error that names the line") {
    try {
        read_all("a,b\n1,\"open\n2,3\n");
        FAIL("expected DataError");
    } catch (const fairer::DataError& e) {
        CHECK(e.first().row == 2);
        CHECK(std::string(e.what()) == "[fairer.data] t.csv: row 2: unterminated quoted field");
    }
    try {
        read_all("a,b\n\"x\"y,2\n");
        FAIL("expected DataError");
    } catch (const fairer::DataError& e) {
        CHECK(e.first().value == "y");
        CHECK(std::string(e.what()).find("unexpected character after a closing quote") != std::string::npos);
    }
}

TEST_CASE("csv: strict numbers") {
    double x = 0;
    CHECK(fairer::detail::parse_double("1e3", x));
    CHECK(x == 1000.0);
    CHECK(fairer::detail::parse_double(" -2.5 ", x));
    CHECK(x == -2.5);
    for (const char* bad : {"", "abc", "1.5x", "nan", "inf", "1,000", "--1"}) {
        CAPTURE(bad);
        CHECK_FALSE(fairer::detail::parse_double(bad, x));
    }
    long long n = 0;
    CHECK(fairer::detail::parse_int("42", n));
    CHECK(n == 42);
    CHECK_FALSE(fairer::detail::parse_int("4.2", n));
}

TEST_CASE("csv: numbers are written in the shortest text that reads back exactly") {
    CHECK(fairer::detail::format_double(std::numeric_limits<double>::quiet_NaN()).empty());
    CHECK(fairer::detail::format_double(79.4) == "79.4");
    CHECK(fairer::detail::format_double(0.1 + 0.2) == "0.30000000000000004");
    CHECK(fairer::detail::format_double(100000.0) == "100000");
    CHECK(fairer::detail::format_double(0.000125) == "0.000125");
    CHECK(fairer::detail::format_double(-3.0) == "-3");
    CHECK(fairer::detail::format_double(1e300) == "1e+300");
    std::mt19937_64 gen(7);
    std::uniform_real_distribution<double> u(-1e6, 1e6);
    std::uniform_real_distribution<double> e(-30, 30);
    for (int i = 0; i < 2000; ++i) {
        const double v = i % 2 ? u(gen) : std::pow(10.0, e(gen));
        double back = 0;
        REQUIRE(fairer::detail::parse_double(fairer::detail::format_double(v), back));
        CHECK(back == v);
    }
}

TEST_CASE("csv: fields that need quoting are quoted, and read back unchanged") {
    std::string out;
    fairer::detail::append_row(out, {"plain", "a,b", "say \"x\"", "line\nbreak", " padded"});
    CHECK(out == "plain,\"a,b\",\"say \"\"x\"\"\",\"line\nbreak\",\" padded\"\n");
    auto rows = read_all(out);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0] == std::vector<std::string>{"plain", "a,b", "say \"x\"", "line\nbreak", " padded"});
}
