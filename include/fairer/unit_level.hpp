// Streaming inequality statistics over unit-level data (one row per person, household or small
// area) fed in chunks, with partial results that merge exactly.
//
// Exactness: every total is an ExactSum (an exact fixed-point integer sum, detail/exact_sum.hpp)
// and every per-row term (w y, w y ln y, w ln y, w y^(1-eps)) is computed from that row alone, so
// the state after any chunking, and after merging partial results in any order or grouping, is
// identical; result() is a deterministic function of it. Chunked == one-shot, bit for bit.
//
// Memory: the moment-based measures (mean, Theil T and L, their decomposition, Atkinson for the
// requested epsilons) keep a fixed number of totals, so memory does not depend on the number of
// rows. Gini and the concentration index need ranks; they are kept exact by binning on the exact
// distinct values: one bin per distinct outcome value (Gini) and one per distinct socioeconomic
// rank (concentration index, ties sharing one fractional rank as in HEAT and conindex). Memory
// therefore grows with the number of distinct values, not with the number of rows: constant for
// deciles, LSOA ranks (32,844 in England) or outcomes recorded on a fixed resolution (ages,
// counts, scores), but unbounded for a continuous outcome whose every value differs. Beyond
// max_distinct bins the accumulator throws instead of growing silently; the caller can then
// round the outcome to a stated resolution or switch the Gini off. With a rank column, add() also
// uses scratch space of 20 bytes a row for blocks of at most 2^20 rows (at most 20 MiB, freed on
// return), whatever the chunk size.
//
// Missing rows (NaN outcome, weight or, when ranks are used, rank) are counted and left out of
// every total; result() reports the measures as missing (NaN) when any row was missing unless the
// caller asks to skip them explicitly.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/accumulators/accumulators.hpp>
#include <boost/accumulators/statistics/count.hpp>
#include <boost/accumulators/statistics/max.hpp>
#include <boost/accumulators/statistics/min.hpp>
#include <boost/accumulators/statistics/stats.hpp>

#include "fairer/detail/double_index.hpp"
#include "fairer/detail/exact_sum.hpp"
#include "fairer/distribution_inequality.hpp"

namespace fairer {

struct UnitLevelOptions {
    bool gini = true;                      // keep one bin per distinct outcome value
    std::vector<double> atkinson_epsilons;  // Atkinson moments to accumulate (eps = 1 is always available)
    std::size_t max_distinct = 1000000;    // bins allowed per binned column before add() throws
};

// One chunk of unit-level data: pointers into caller-owned columns of equal length. weights,
// rank and group may be null (weight 1 for every row; no concentration index; no decomposition).
struct UnitLevelChunk {
    const double* outcome = nullptr;
    const double* weights = nullptr;
    const double* rank = nullptr;
    const std::int64_t* group = nullptr;
    std::size_t size = 0;
};

struct UnitLevelResult {
    std::uint64_t rows = 0;      // rows added, including missing ones
    std::uint64_t missing = 0;   // rows with a missing outcome, weight or rank
    double total_weight = std::numeric_limits<double>::quiet_NaN();
    double mean = std::numeric_limits<double>::quiet_NaN();
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    double gini = std::numeric_limits<double>::quiet_NaN();  // NaN when the Gini bins are off
    double theil_t = std::numeric_limits<double>::quiet_NaN();
    double theil_l = std::numeric_limits<double>::quiet_NaN();
    std::vector<AtkinsonResult> atkinson;  // eps = 1 first, then the requested epsilons
    TheilDecomposition theil_t_groups;     // empty groups when no group column was given
    TheilDecomposition theil_l_groups;
    ConcentrationResult concentration;     // NaN when no rank column was given
    std::size_t distinct_outcomes = 0;
    std::size_t distinct_ranks = 0;
};

class UnitLevelAccumulator {
public:
    explicit UnitLevelAccumulator(UnitLevelOptions options = {}) : options_(std::move(options)) {
        for (double e : options_.atkinson_epsilons)
            if (!std::isfinite(e) || e < 0.0)
                throw InequalityError("unit-level Atkinson: epsilon must be finite and >= 0 (value " + detail::format_double(e) + ")");
        moments_.resize(options_.atkinson_epsilons.size());
    }

    const UnitLevelOptions& options() const noexcept { return options_; }
    std::uint64_t rows() const noexcept { return rows_; }
    std::uint64_t missing() const noexcept { return missing_; }

    // Adds one chunk. Throws InequalityError naming the row (counted over everything added so far,
    // 1-based) for a negative or infinite outcome, a negative or infinite weight or an infinite
    // rank; the whole chunk is checked first, so the accumulator is then unchanged and a corrected
    // chunk can be added. Exceeding max_distinct stops part-way through a chunk: the accumulator
    // then refuses further use rather than report statistics of part of the data.
    void add(const UnitLevelChunk& c) {
        check_usable();
        if (c.rank && rows_ > 0 && !uses_rank_)
            throw InequalityError("unit-level: a rank column was given after chunks without one");
        if (!c.rank && uses_rank_) throw InequalityError("unit-level: this chunk lacks the rank column earlier chunks had");
        if (c.group && rows_ > 0 && !uses_group_)
            throw InequalityError("unit-level: a group column was given after chunks without one");
        if (!c.group && uses_group_) throw InequalityError("unit-level: this chunk lacks the group column earlier chunks had");
        validate(c);
        uses_rank_ = c.rank != nullptr;
        uses_group_ = c.group != nullptr;

        namespace acc = boost::accumulators;
        acc::accumulator_set<double, acc::stats<acc::tag::count, acc::tag::min, acc::tag::max>> range;
        // Rows reach their rank bins bin by bin after each block of rows (see add_to_rank_bins).
        std::vector<std::uint32_t> rank_bin_of;
        if (c.rank) rank_bin_of.assign(std::min(c.size, kRankBlock), kNoBin);
        std::size_t last_rank_bin = kNoBin;
        double last_rank = 0.0;
        Sums* last_group = nullptr;
        std::int64_t last_group_code = 0;
        std::uint64_t skipped = 0;
        for (std::size_t i = 0; i < c.size; ++i) {
            if (c.rank && i > 0 && i % kRankBlock == 0) add_to_rank_bins(c, i - kRankBlock, rank_bin_of);
            const double y = c.outcome[i];
            const double w = c.weights ? c.weights[i] : 1.0;
            if (std::isnan(y) || std::isnan(w) || (c.rank && std::isnan(c.rank[i]))) {
                ++skipped;
                continue;
            }
            range(y);
            const bool unit = !c.weights;
            const double wy = w * y;
            const double log_y = std::log(y);
            const double ylny = y > 0.0 ? wy * log_y : 0.0;
            const double lny = w == 0.0 ? 0.0 : w * log_y;
            totals_.add(unit, w, wy, ylny, lny);
            for (std::size_t k = 0; k < moments_.size(); ++k) {
                const double e = options_.atkinson_epsilons[k];
                if (w == 0.0) continue;
                moments_[k].add(e == 1.0 ? lny : w * std::pow(y, 1.0 - e));
            }
            if (options_.gini) bin_for(outcome_bins_, outcome_index_, y, "outcome").add_weight(unit, w);
            if (c.rank) {
                if (last_rank_bin == kNoBin || c.rank[i] != last_rank) {
                    last_rank = c.rank[i];
                    last_rank_bin = bin_position(rank_bins_, rank_index_, last_rank, "rank");
                }
                rank_bin_of[i % kRankBlock] = static_cast<std::uint32_t>(last_rank_bin);
            }
            if (c.group) {
                if (!last_group || c.group[i] != last_group_code) {
                    last_group_code = c.group[i];
                    last_group = &groups_[last_group_code];
                }
                last_group->add(unit, w, wy, ylny, lny);
            }
        }
        if (c.rank && c.size > 0) {
            rank_bin_of.resize((c.size - 1) % kRankBlock + 1);
            add_to_rank_bins(c, c.size - rank_bin_of.size(), rank_bin_of);
        }
        const auto seen = acc::count(range);
        if (seen > 0) {
            min_ = std::min(min_, acc::min(range));
            max_ = std::max(max_, acc::max(range));
        }
        rows_ += c.size;
        missing_ += skipped;
    }

    // Adds another accumulator's partial result (same options). Exact: merging in any order or
    // grouping gives the same state as adding all rows to one accumulator.
    void merge(const UnitLevelAccumulator& other) {
        check_usable();
        other.check_usable();
        if (other.options_.gini != options_.gini || other.options_.atkinson_epsilons != options_.atkinson_epsilons)
            throw InequalityError("unit-level: cannot merge accumulators made with different options");
        if (other.rows_ > 0 && rows_ > 0 && (other.uses_rank_ != uses_rank_ || other.uses_group_ != uses_group_))
            throw InequalityError("unit-level: cannot merge accumulators fed different columns (rank or group)");
        if (other.rows_ == 0) return;
        if (options_.gini && merged_size(outcome_index_, other.outcome_index_) > options_.max_distinct)
            throw too_many("outcome");
        if (merged_size(rank_index_, other.rank_index_) > options_.max_distinct) throw too_many("rank");
        uses_rank_ = other.uses_rank_;
        uses_group_ = other.uses_group_;
        totals_.merge(other.totals_);
        for (std::size_t k = 0; k < moments_.size(); ++k) moments_[k].merge(other.moments_[k]);
        for (std::size_t k = 0; k < other.outcome_index_.size(); ++k)
            bin_for(outcome_bins_, outcome_index_, other.outcome_index_.keys()[k], "outcome").merge(other.outcome_bins_[k]);
        for (std::size_t k = 0; k < other.rank_index_.size(); ++k)
            bin_for(rank_bins_, rank_index_, other.rank_index_.keys()[k], "rank").merge(other.rank_bins_[k]);
        for (const auto& [code, g] : other.groups_) groups_[code].merge(g);
        min_ = std::min(min_, other.min_);
        max_ = std::max(max_, other.max_);
        rows_ += other.rows_;
        missing_ += other.missing_;
    }

    // Renames group codes (old -> new; codes not listed keep theirs), e.g. to align the codes two
    // separately fed accumulators gave to the same labels before merging them. Groups mapped to
    // one code are combined exactly.
    void recode_groups(const std::vector<std::pair<std::int64_t, std::int64_t>>& old_to_new) {
        std::map<std::int64_t, std::int64_t> map(old_to_new.begin(), old_to_new.end());
        std::map<std::int64_t, Sums> recoded;
        for (auto& [code, g] : groups_) {
            const auto it = map.find(code);
            recoded[it == map.end() ? code : it->second].merge(g);
        }
        groups_.swap(recoded);
    }

    // The measures from everything added so far. skip_missing = false (the default) reports every
    // measure as missing when any row was missing; true computes them from the complete rows.
    // The concentration index uses options.kind/lmin/lmax/confidence and the regression standard
    // error with the units as observations (df = units with positive weight - 2, weights as
    // frequency weights).
    UnitLevelResult result(const ConcentrationOptions& ci = {}, bool skip_missing = false) const {
        check_usable();
        UnitLevelResult r;
        r.rows = rows_;
        r.missing = missing_;
        r.distinct_outcomes = outcome_bins_.size();
        r.distinct_ranks = rank_bins_.size();
        r.concentration.kind = ci.kind;
        r.atkinson.resize(1 + moments_.size());
        r.atkinson[0].epsilon = 1.0;
        for (std::size_t k = 0; k < moments_.size(); ++k) r.atkinson[k + 1].epsilon = options_.atkinson_epsilons[k];
        if (rows_ == missing_ || (missing_ > 0 && !skip_missing)) return r;
        r.min = min_;
        r.max = max_;
        const double w = totals_.weight();
        const double y = totals_.wy.value();
        if (!(w > 0.0)) throw InequalityError("unit-level: the weights sum to zero");
        r.total_weight = w;
        r.mean = y / w;
        if (!(r.mean > 0.0)) throw InequalityError("unit-level: the mean outcome is zero");
        const double log_mean = std::log(r.mean);
        r.theil_t = totals_.wylny.value() / y - log_mean;
        const double mean_log = totals_.wlny.value() / w;
        r.theil_l = log_mean - mean_log;
        r.atkinson[0].mean = r.mean;
        r.atkinson[0].ede = std::exp(mean_log);
        r.atkinson[0].index = 1.0 - r.atkinson[0].ede / r.mean;
        for (std::size_t k = 0; k < moments_.size(); ++k) {
            auto& a = r.atkinson[k + 1];
            a.mean = r.mean;
            const double m = moments_[k].value() / w;
            a.ede = a.epsilon == 1.0 ? std::exp(m) : std::pow(m, 1.0 / (1.0 - a.epsilon));
            a.index = 1.0 - a.ede / r.mean;
        }
        if (uses_group_) {
            for (auto* dec : {&r.theil_t_groups, &r.theil_l_groups}) {
                const bool t = dec == &r.theil_t_groups;
                for (const auto& [code, g] : groups_) {
                    TheilGroup out;
                    out.group = code;
                    const double gw = g.weight();
                    const double gy = g.wy.value();
                    out.population_share = gw / w;
                    out.outcome_share = gy / y;
                    if (gw > 0.0 && gy > 0.0) {
                        const double gm = std::log(gy / gw);
                        out.index = t ? g.wylny.value() / gy - gm : gm - g.wlny.value() / gw;
                    } else if (gw > 0.0 && !t) {
                        out.index = std::numeric_limits<double>::infinity();
                    }
                    dec->groups.push_back(out);
                }
                detail::theil_between_within(*dec, t ? TheilKind::t : TheilKind::l);
            }
        }
        if (options_.gini) {
            const auto order = sorted_keys(outcome_index_);
            std::vector<double> values;
            std::vector<double> weights;
            values.reserve(order.size());
            weights.reserve(order.size());
            for (const auto& [key, at] : order) {
                values.push_back(key);
                weights.push_back(outcome_bins_[at].weight());
            }
            r.gini = detail::gini_sorted(values.data(), weights.data(), values.size());
        }
        if (uses_rank_) {
            detail::RankedTotals t;
            std::uint64_t units = 0;
            for (const auto& [key, at] : sorted_keys(rank_index_)) {
                const RankBin& b = rank_bins_[at];
                const double bw = b.weight();
                units += b.positive;
                if (bw == 0.0) continue;
                t.weight.push_back(bw);
                t.weighted_outcome.push_back(b.wy.value());
                t.weighted_square.push_back(b.wyy.value());
            }
            if (ci.kind == ConcentrationKind::wagstaff || ci.kind == ConcentrationKind::erreygers) {
                if (r.min < ci.lmin || r.max > ci.lmax)
                    throw InequalityError("unit-level concentration index: outcomes range over [" + detail::format_double(r.min) +
                                          ", " + detail::format_double(r.max) + "], outside the bounds [" +
                                          detail::format_double(ci.lmin) + ", " + detail::format_double(ci.lmax) + "]");
            }
            r.concentration = detail::concentration_from_totals(t, static_cast<std::size_t>(units), ci);
        }
        return r;
    }

private:
    // A weight total kept as an exact count of unit-weight rows plus the exact sum of given weights.
    struct WeightTotal {
        std::uint64_t count = 0;
        std::uint64_t positive = 0;  // rows with positive weight
        detail::ExactSum w;

        void add_weight(bool unit, double weight) {
            if (unit) {
                ++count;
            } else {
                w.add(weight);
            }
            if (weight > 0.0) ++positive;
        }
        double weight() const {
            detail::ExactSum s = w;
            // a count below 2^53 is exact as a double and enters the exact sum unchanged
            s.add(static_cast<double>(count));
            return s.value();
        }
        void merge(const WeightTotal& o) {
            count += o.count;
            positive += o.positive;
            w.merge(o.w);
        }
    };

    // The rows of one distinct rank: weight, sum w y and sum w y^2 (for the standard error).
    struct RankBin : WeightTotal {
        detail::ExactSum wy;
        detail::ExactSum wyy;

        void merge(const RankBin& o) {
            WeightTotal::merge(o);
            wy.merge(o.wy);
            wyy.merge(o.wyy);
        }
    };

    // The totals behind the mean, Theil T and L of all rows or of one group.
    struct Sums : WeightTotal {
        detail::ExactSum wy;
        detail::ExactSum wylny;
        detail::ExactSum wlny;

        void add(bool unit, double weight, double wy_, double wylny_, double wlny_) {
            add_weight(unit, weight);
            wy.add(wy_);
            wylny.add(wylny_);
            wlny.add(wlny_);
        }
        void merge(const Sums& o) {
            WeightTotal::merge(o);
            wy.merge(o.wy);
            wylny.merge(o.wylny);
            wlny.merge(o.wlny);
        }
    };

    using Index = detail::DoubleIndex;

    void check_usable() const {
        if (failed_)
            throw InequalityError("unit-level: an earlier chunk exceeded max_distinct part-way; start a new accumulator");
    }

    InequalityError too_many(const char* what) const {
        return InequalityError(std::string("unit-level: more than ") + std::to_string(options_.max_distinct) +
                               " distinct " + what +
                               " values; exact ranks keep one bin per distinct value. Round the column to a stated "
                               "resolution, raise max_distinct, or turn the Gini off");
    }

    static constexpr std::uint32_t kNoBin = 0xffffffffu;
    static constexpr std::size_t kRankBlock = std::size_t{1} << 20;

    template <class Bin>
    std::size_t bin_position(std::vector<Bin>& bins, Index& index, double key, const char* what) {
        const std::size_t found = index.find(key);
        if (found != Index::npos) return found;
        if (bins.size() >= options_.max_distinct || bins.size() >= kNoBin) {
            failed_ = true;
            throw too_many(what);
        }
        index.insert(key);
        bins.emplace_back();
        return bins.size() - 1;
    }

    template <class Bin>
    Bin& bin_for(std::vector<Bin>& bins, Index& index, double key, const char* what) {
        return bins[bin_position(bins, index, key, what)];
    }

    // Adds the rows from..from+bin_of.size() of a chunk to their rank bins (bin_of[i - from], kNoBin
    // for a skipped row; reset to kNoBin afterwards) one bin at a time. Why: unit-level rows come in
    // any rank order and there may be tens of thousands of bins, each several cache lines of exact
    // sums; visiting the bins in row order would miss the cache on almost every row. A counting sort
    // of the rows' (w, y) by bin visits every bin once per block; blocks of at most kRankBlock rows
    // bound the scratch memory (20 bytes a row) whatever the chunk size. The exact sums do not
    // depend on the order of their adds, so the state is the same as adding row by row.
    void add_to_rank_bins(const UnitLevelChunk& c, std::size_t from, std::vector<std::uint32_t>& bin_of) {
        std::vector<std::size_t> start(rank_bins_.size() + 1, 0);
        for (std::uint32_t b : bin_of)
            if (b != kNoBin) ++start[b + 1];
        for (std::size_t b = 0; b < rank_bins_.size(); ++b) start[b + 1] += start[b];
        std::vector<double> sorted_w(start.back());
        std::vector<double> sorted_y(start.back());
        std::vector<std::size_t> next(start.begin(), start.end() - 1);
        for (std::size_t j = 0; j < bin_of.size(); ++j) {
            const std::uint32_t b = bin_of[j];
            if (b == kNoBin) continue;
            bin_of[j] = kNoBin;
            const std::size_t at = next[b]++;
            sorted_w[at] = c.weights ? c.weights[from + j] : 1.0;
            sorted_y[at] = c.outcome[from + j];
        }
        const bool unit = !c.weights;
        for (std::size_t b = 0; b < rank_bins_.size(); ++b) {
            RankBin& bin = rank_bins_[b];
            for (std::size_t k = start[b]; k < start[b + 1]; ++k) {
                const double w = sorted_w[k];
                const double wy = w * sorted_y[k];
                bin.add_weight(unit, w);
                bin.wy.add(wy);
                bin.wyy.add(wy * sorted_y[k]);
            }
        }
    }

    static std::size_t merged_size(const Index& a, const Index& b) {
        std::size_t n = a.size();
        for (double key : b.keys())
            if (a.find(key) == Index::npos) ++n;
        return n;
    }

    static std::vector<std::pair<double, std::size_t>> sorted_keys(const Index& index) {
        std::vector<std::pair<double, std::size_t>> v;
        v.reserve(index.size());
        for (std::size_t k = 0; k < index.size(); ++k) v.emplace_back(index.keys()[k], k);
        std::sort(v.begin(), v.end());
        return v;
    }

    // Checks a whole chunk before touching the state, so that a bad chunk leaves it unchanged.
    void validate(const UnitLevelChunk& c) const {
        for (std::size_t i = 0; i < c.size; ++i) {
            const double y = c.outcome[i];
            const double w = c.weights ? c.weights[i] : 1.0;
            const auto row = [&] { return "row " + std::to_string(rows_ + i + 1); };
            if (!std::isnan(w) && (!std::isfinite(w) || w < 0.0))
                throw InequalityError("unit-level: weight at " + row() + " must be finite and >= 0 (value " + detail::format_double(w) + ")");
            if (!std::isnan(y) && (!std::isfinite(y) || y < 0.0))
                throw InequalityError("unit-level: outcome at " + row() + " must be finite and >= 0 (value " +
                                      detail::format_double(y) + ")");
            if (c.rank && std::isinf(c.rank[i]))
                throw InequalityError("unit-level: rank at " + row() + " is not finite (value " + detail::format_double(c.rank[i]) + ")");
        }
    }

    UnitLevelOptions options_;
    Sums totals_;
    std::vector<detail::ExactSum> moments_;
    std::vector<WeightTotal> outcome_bins_;
    Index outcome_index_;
    std::vector<RankBin> rank_bins_;
    Index rank_index_;
    std::map<std::int64_t, Sums> groups_;
    double min_ = std::numeric_limits<double>::infinity();
    double max_ = -std::numeric_limits<double>::infinity();
    std::uint64_t rows_ = 0;
    std::uint64_t missing_ = 0;
    bool uses_rank_ = false;
    bool uses_group_ = false;
    bool failed_ = false;  // a chunk stopped part-way (too many distinct values): state incomplete
};

}  // namespace fairer
