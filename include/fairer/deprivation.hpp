// Small-area deprivation (English Indices of Deprivation) for the LSOAs of a set of places,
// held column by column so that inequality measures can take whole columns at once.
//
// File layout: the leading columns
//   lsoa_code,lsoa_name,place_code,imd_score,imd_rank,imd_decile,population,population_period
// then any number of further numeric columns kept by name (domain scores, ranks, deciles).
// Rank 1 and decile 1 are the most deprived, nationally. Blank cells are missing.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/accumulators/accumulators.hpp>
#include <boost/accumulators/statistics/stats.hpp>
#include <boost/accumulators/statistics/weighted_mean.hpp>

#include "fairer/detail/csv.hpp"
#include "fairer/errors.hpp"

namespace fairer {

// One LSOA's leading fields (the named extra columns are reached through DeprivationLookup).
struct DeprivationRecord {
    std::string lsoa_code;
    std::string lsoa_name;
    std::string place_code;
    double imd_score = 0.0;
    int imd_rank = 0;    // national rank, 1 = most deprived
    int imd_decile = 0;  // national decile, 1 = most deprived 10%
    double population = std::numeric_limits<double>::quiet_NaN();  // NaN = not given
    std::string population_period;
};

class DeprivationLookup {
public:
    DeprivationLookup() = default;

    std::size_t size() const noexcept { return lsoa_codes_.size(); }
    bool empty() const noexcept { return lsoa_codes_.empty(); }

    bool contains(std::string_view lsoa_code) const { return index_.find(lsoa_code) != index_.end(); }
    // Position of an LSOA in the columns; throws fairer::Error (id "deprivation") if unknown.
    std::size_t index_of(std::string_view lsoa_code) const {
        auto it = index_.find(lsoa_code);
        if (it == index_.end()) throw Error("deprivation", "unknown LSOA code '" + std::string(lsoa_code) + "'");
        return it->second;
    }
    DeprivationRecord at(std::string_view lsoa_code) const {
        const std::size_t i = index_of(lsoa_code);
        return DeprivationRecord{lsoa_codes_[i], lsoa_names_[i], place_codes_[i],  imd_scores_[i],
                                 imd_ranks_[i],  imd_deciles_[i], populations_[i], population_periods_[i]};
    }
    // One LSOA's value in a named extra column (NaN if blank).
    double value(std::string_view lsoa_code, std::string_view column_name) const {
        return column(column_name)[index_of(lsoa_code)];
    }

    const std::vector<std::string>& lsoa_codes() const noexcept { return lsoa_codes_; }
    const std::vector<std::string>& lsoa_names() const noexcept { return lsoa_names_; }
    const std::vector<std::string>& place_codes() const noexcept { return place_codes_; }
    const std::vector<double>& imd_scores() const noexcept { return imd_scores_; }
    const std::vector<int>& imd_ranks() const noexcept { return imd_ranks_; }
    const std::vector<int>& imd_deciles() const noexcept { return imd_deciles_; }
    const std::vector<double>& populations() const noexcept { return populations_; }
    const std::vector<std::string>& population_periods() const noexcept { return population_periods_; }

    // Names of the extra columns, in file order.
    const std::vector<std::string>& column_names() const noexcept { return column_names_; }
    bool has_column(std::string_view name) const { return column_index(name) != npos; }
    // An extra column by name; throws fairer::Error (id "deprivation") if there is none.
    const std::vector<double>& column(std::string_view name) const {
        const std::size_t c = column_index(name);
        if (c == npos) throw Error("deprivation", "no column named '" + std::string(name) + "'");
        return columns_[c];
    }

    // Distinct place codes in order of first appearance.
    std::vector<std::string> places() const {
        std::vector<std::string> out;
        for (const auto& p : place_codes_) {
            bool seen = false;
            for (const auto& q : out) seen = seen || q == p;
            if (!seen) out.push_back(p);
        }
        return out;
    }

private:
    friend DeprivationLookup parse_deprivation(std::string_view, const std::string&);
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    std::size_t column_index(std::string_view name) const {
        for (std::size_t c = 0; c < column_names_.size(); ++c)
            if (column_names_[c] == name) return c;
        return npos;
    }

    std::vector<std::string> lsoa_codes_, lsoa_names_, place_codes_, population_periods_;
    std::vector<double> imd_scores_, populations_;
    std::vector<int> imd_ranks_, imd_deciles_;
    std::vector<std::string> column_names_;
    std::vector<std::vector<double>> columns_;
    std::map<std::string, std::size_t, std::less<>> index_;
};

namespace detail {
inline const char* deprivation_leading_header() {
    return "lsoa_code,lsoa_name,place_code,imd_score,imd_rank,imd_decile,population,population_period";
}
inline bool deprivation_name_ends_with(std::string_view name, std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}
}  // namespace detail

// Parses a deprivation lookup. Extra columns whose names end in "_rank" must hold whole numbers
// of at least 1 and those ending in "_decile" whole numbers 1..10, as the leading IMD ones do:
// a decile of 0 or 11 means the file was built wrongly, and would silently shift every
// decile-based inequality measure.
inline DeprivationLookup parse_deprivation(std::string_view text, const std::string& source_name = "<deprivation>") {
    detail::CsvReader reader{std::string(text), source_name};
    auto fail = [&](std::size_t row, std::string column, std::string value, std::string what) {
        return DataError(DataProblem{source_name, row, std::move(column), std::move(value), std::move(what)});
    };
    static constexpr std::array<std::string_view, 8> required{{"lsoa_code", "lsoa_name", "place_code", "imd_score",
                                                               "imd_rank", "imd_decile", "population",
                                                               "population_period"}};
    std::vector<std::string_view> f;
    std::vector<std::string> header;
    if (reader.next(f)) header.assign(f.begin(), f.end());
    bool ok = header.size() >= required.size();
    for (std::size_t i = 0; ok && i < required.size(); ++i) ok = header[i] == required[i];
    if (!ok) {
        std::string got;
        for (std::size_t i = 0; i < header.size(); ++i) got += (i ? "," : "") + header[i];
        throw fail(1, "", got,
                   std::string("wrong header; expected it to start with '") + detail::deprivation_leading_header() + "'");
    }
    DeprivationLookup d;
    for (std::size_t c = required.size(); c < header.size(); ++c) {
        if (header[c].empty()) throw fail(1, "", "", "empty column name in position " + std::to_string(c + 1));
        for (std::size_t k = 0; k < c; ++k)
            if (header[k] == header[c]) throw fail(1, header[c], header[c], "duplicate column name");
        d.column_names_.push_back(header[c]);
    }
    d.columns_.assign(d.column_names_.size(), {});

    auto number = [&](std::size_t row, std::size_t c, std::string_view v, bool required_value) {
        if (v.empty()) {
            if (required_value) throw fail(row, header[c], "", "missing value; every LSOA needs an IMD score, rank and decile");
            return std::numeric_limits<double>::quiet_NaN();
        }
        double x = 0.0;
        if (!detail::parse_double(v, x) || v != detail::trim(v)) throw fail(row, header[c], std::string(v), "not a number");
        return x;
    };
    // Ranks and deciles: whole numbers within [lo, hi].
    auto whole = [&](std::size_t row, std::size_t c, std::string_view v, double x, long long lo, long long hi,
                     const char* what) {
        if (std::isnan(x)) return;
        if (x != std::floor(x) || x < static_cast<double>(lo) || x > static_cast<double>(hi))
            throw fail(row, header[c], std::string(v), what);
    };
    constexpr long long max_rank = std::numeric_limits<int>::max();

    while (reader.next(f)) {
        const std::size_t row = reader.line();
        if (f.size() != header.size())
            throw fail(row, "", "",
                       "expected " + std::to_string(header.size()) + " fields, found " + std::to_string(f.size()));
        if (f[0].empty()) throw fail(row, "lsoa_code", "", "missing LSOA code");
        if (f[2].empty()) throw fail(row, "place_code", "", "missing place code");
        if (!d.index_.emplace(std::string(f[0]), d.lsoa_codes_.size()).second)
            throw fail(row, "lsoa_code", std::string(f[0]), "duplicate LSOA code");
        const double score = number(row, 3, f[3], true);
        const double rank = number(row, 4, f[4], true);
        whole(row, 4, f[4], rank, 1, max_rank, "rank must be a whole number of at least 1");
        const double decile = number(row, 5, f[5], true);
        whole(row, 5, f[5], decile, 1, 10, "decile must be a whole number from 1 to 10");
        const double population = number(row, 6, f[6], false);
        if (population < 0) throw fail(row, "population", std::string(f[6]), "negative population");
        d.lsoa_codes_.emplace_back(f[0]);
        d.lsoa_names_.emplace_back(f[1]);
        d.place_codes_.emplace_back(f[2]);
        d.imd_scores_.push_back(score);
        d.imd_ranks_.push_back(static_cast<int>(rank));
        d.imd_deciles_.push_back(static_cast<int>(decile));
        d.populations_.push_back(population);
        d.population_periods_.emplace_back(f[7]);
        for (std::size_t c = required.size(); c < header.size(); ++c) {
            const double x = number(row, c, f[c], false);
            if (detail::deprivation_name_ends_with(header[c], "_rank"))
                whole(row, c, f[c], x, 1, max_rank, "rank must be a whole number of at least 1");
            else if (detail::deprivation_name_ends_with(header[c], "_decile"))
                whole(row, c, f[c], x, 1, 10, "decile must be a whole number from 1 to 10");
            d.columns_[c - required.size()].push_back(x);
        }
    }
    return d;
}

inline DeprivationLookup read_deprivation(const std::string& path) {
    return parse_deprivation(detail::read_text_file(path), path);
}

// Deprivation of one place, summarised over its LSOAs the way MHCLG's local-authority summaries
// (IoD2019 File 10, "Local Authority District summaries") do.
struct PlaceDeprivation {
    std::string place_code;
    std::size_t lsoa_count = 0;
    double population = 0.0;      // sum of the LSOA populations; NaN if any is missing
    double mean_imd_score = 0.0;  // population-weighted mean IMD score; NaN if any population is missing
    double share_most_deprived_decile = 0.0;  // share of the place's LSOAs in national IMD decile 1
};

// Per-place summary of a deprivation lookup, places in order of first appearance.
//
//   mean_imd_score             = sum_i(pop_i * score_i) / sum_i(pop_i)     (File 10 "average score")
//   share_most_deprived_decile = #{i : decile_i = 1} / n                   (File 10 "proportion of LSOAs
//                                                                            in most deprived 10% nationally")
// over the n LSOAs i of the place. Reference: MHCLG, The English Indices of Deprivation 2019,
// Technical Report, section 3.8 (summary measures for higher-level geographies); the weights are
// the population denominators the indices were built with (mid-2015 for IoD2019). A place with
// any missing population gets a NaN population and mean score rather than a mean over the rest.
inline std::vector<PlaceDeprivation> summarise_deprivation(const DeprivationLookup& lookup) {
    namespace acc = boost::accumulators;
    using WeightedMean = acc::accumulator_set<double, acc::stats<acc::tag::weighted_mean>, double>;
    const std::vector<std::string> places = lookup.places();
    std::vector<PlaceDeprivation> out(places.size());
    std::vector<WeightedMean> means(places.size());
    std::vector<std::size_t> in_decile_1(places.size(), 0);
    std::vector<bool> population_missing(places.size(), false);
    std::map<std::string_view, std::size_t, std::less<>> slot;
    for (std::size_t p = 0; p < places.size(); ++p) {
        out[p].place_code = places[p];
        slot.emplace(out[p].place_code, p);
    }
    const auto& codes = lookup.place_codes();
    for (std::size_t i = 0; i < lookup.size(); ++i) {
        const std::size_t p = slot.find(codes[i])->second;
        const double pop = lookup.populations()[i];
        ++out[p].lsoa_count;
        if (lookup.imd_deciles()[i] == 1) ++in_decile_1[p];
        if (std::isnan(pop)) {
            population_missing[p] = true;
            continue;
        }
        out[p].population += pop;
        means[p](lookup.imd_scores()[i], acc::weight = pop);
    }
    for (std::size_t p = 0; p < places.size(); ++p) {
        if (population_missing[p]) {
            out[p].population = std::numeric_limits<double>::quiet_NaN();
            out[p].mean_imd_score = std::numeric_limits<double>::quiet_NaN();
        } else {
            out[p].mean_imd_score = acc::weighted_mean(means[p]);
        }
        out[p].share_most_deprived_decile =
            static_cast<double>(in_decile_1[p]) / static_cast<double>(out[p].lsoa_count);
    }
    return out;
}

}  // namespace fairer
