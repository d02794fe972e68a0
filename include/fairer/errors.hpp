// Typed errors. Every fairer error derives from std::invalid_argument so that callers
// (and Python, where these surface as ValueError subclasses) can catch bad input in one place.
// Each message starts with a stable id in brackets, e.g. "[fairer.data] ...", so scripts can
// match on it without parsing prose.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fairer {

class Error : public std::invalid_argument {
public:
    Error(std::string id, const std::string& message)
        : std::invalid_argument("[fairer." + id + "] " + message), id_(std::move(id)) {}
    const std::string& id() const noexcept { return id_; }

private:
    std::string id_;
};

// One problem found in input data, located as precisely as the reader knows it.
// row is the 1-based line number in the file (the header is line 1); 0 means "not a row".
struct DataProblem {
    std::string file;
    std::size_t row = 0;
    std::string column;
    std::string value;
    std::string problem;

    std::string describe() const {
        std::string s = file.empty() ? std::string("<input>") : file;
        if (row > 0) s += ": row " + std::to_string(row);
        if (!column.empty()) s += (row > 0 ? ", column '" : ": column '") + column + "'";
        s += ": " + problem;
        if (!value.empty() || !column.empty()) s += " (value '" + value + "')";
        return s;
    }
};

// Bad input data: an unreadable file, a wrong header, an unparseable or inconsistent value.
// When a reader collects problems instead of stopping at the first, all of them are kept in
// problems() and the message lists them.
class DataError : public Error {
public:
    explicit DataError(DataProblem p) : Error("data", p.describe()), problems_{std::move(p)} {}
    explicit DataError(std::vector<DataProblem> ps) : Error("data", join(ps)), problems_(std::move(ps)) {}

    const std::vector<DataProblem>& problems() const noexcept { return problems_; }
    const DataProblem& first() const noexcept { return problems_.front(); }

private:
    static std::string join(const std::vector<DataProblem>& ps) {
        if (ps.size() == 1) return ps.front().describe();
        std::string s = std::to_string(ps.size()) + " problems:";
        for (const auto& p : ps) s += "\n  " + p.describe();
        return s;
    }
    std::vector<DataProblem> problems_;
};

// Invalid arguments to a statistical method (a numerator above its denominator, a confidence
// level outside (0, 1), mismatched lengths...). The message names the group and row.
class StatisticsError : public Error {
public:
    explicit StatisticsError(const std::string& message) : Error("statistics", message) {}
};

// Invalid input to an inequality measure (missing order, negative population, ...).
class InequalityError : public Error {
public:
    explicit InequalityError(const std::string& message) : Error("inequality", message) {}
};

// Allocation-engine errors carry the spec's code (E1..E10) and the offending units.
class AllocationError : public Error {
public:
    AllocationError(std::string code, const std::string& message, std::vector<std::string> units = {})
        : Error("allocation." + code, message), code_(std::move(code)), units_(std::move(units)) {}
    const std::string& code() const noexcept { return code_; }
    const std::vector<std::string>& units() const noexcept { return units_; }

private:
    std::string code_;
    std::vector<std::string> units_;
};

}  // namespace fairer
