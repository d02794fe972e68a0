// Shared by the HEAT bindings (register_heat.cpp, register_heat_nonordered.cpp): many subgroup
// tables arrive as flat numpy columns (one row per subgroup, tables contiguous, offsets[k] ..
// offsets[k+1]) plus per-table columns, are read without copying, and the results go back as
// flat arrays with repeated reasons interned, so Python only wraps them in a DataFrame.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fairer/heat_measures.hpp"
#include "fairer/subgroup_table.hpp"
#include "numpy_support.hpp"

namespace heat_batch {

namespace py = pybind11;

using Column = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Offsets = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

// The flat columns of a batch, checked once; fill(k, t) copies table k into t, reusing t's storage.
class Tables {
public:
    Tables(const Column& order, const Column& population, const Column& estimate, const Column& se,
           const Column& reference, const Offsets& offsets, const Column& favourable, const Column& ordered,
           const Column& scale, const Column& setting_average) {
        if (offsets.ndim() != 1 || offsets.shape(0) < 1)
            throw fairer::InequalityError("offsets must be a non-empty 1-d array");
        count_ = static_cast<std::size_t>(offsets.shape(0) - 1);
        offsets_ = offsets.data();
        const auto rows = static_cast<std::size_t>(estimate.shape(0));
        if (offsets_[0] != 0 || static_cast<std::size_t>(offsets_[count_]) != rows)
            throw fairer::InequalityError("offsets must start at 0 and end at the number of rows (" +
                                          std::to_string(rows) + ")");
        for (std::size_t k = 0; k < count_; ++k)
            if (offsets_[k + 1] < offsets_[k]) throw fairer::InequalityError("offsets must not decrease");
        order_ = checked(order, rows, "order");
        population_ = checked(population, rows, "population");
        estimate_ = checked(estimate, rows, "estimate");
        se_ = checked(se, rows, "se");
        reference_ = checked(reference, rows, "reference");
        favourable_ = checked(favourable, count_, "favourable");
        ordered_ = checked(ordered, count_, "ordered");
        scale_ = checked(scale, count_, "scale");
        setting_average_ = checked(setting_average, count_, "setting_average");
    }

    std::size_t size() const noexcept { return count_; }

    void fill(std::size_t k, fairer::SubgroupTable& t) const {
        const auto b = static_cast<std::size_t>(offsets_[k]), e = static_cast<std::size_t>(offsets_[k + 1]);
        t.order.assign(order_ + b, order_ + e);
        t.population.assign(population_ + b, population_ + e);
        t.estimate.assign(estimate_ + b, estimate_ + e);
        t.se.assign(se_ + b, se_ + e);
        t.reference.resize(e - b);
        for (std::size_t i = b; i < e; ++i) t.reference[i - b] = reference_[i] == 1.0 ? 1 : 0;
        t.favourable = favourable_[k] != 0.0;
        t.ordered = ordered_[k] != 0.0;
        t.scale = scale_[k];
        t.setting_average = setting_average_[k];
    }

    // Table k with its name and subgroup labels (needs the GIL), so that re-running the failing
    // table gives an error message that names them.
    fairer::SubgroupTable named(std::size_t k, const py::object& table_names, const py::object& labels) const {
        fairer::SubgroupTable t;
        fill(k, t);
        t.name = table_names.is_none() ? "#" + std::to_string(k + 1)
                                       : py::str(table_names[py::int_(k)]).cast<std::string>();
        if (!labels.is_none()) {
            for (auto i = static_cast<std::size_t>(offsets_[k]); i < static_cast<std::size_t>(offsets_[k + 1]); ++i)
                t.subgroup.push_back(py::str(labels[py::int_(i)]).cast<std::string>());
        }
        return t;
    }

private:
    static const double* checked(const Column& c, std::size_t n, const char* name) {
        if (c.ndim() != 1 || static_cast<std::size_t>(c.shape(0)) != n)
            throw fairer::InequalityError(std::string(name) + " must be a one-dimensional array of " +
                                          std::to_string(n) + " values, got " + std::to_string(c.size()));
        return c.data();
    }

    std::size_t count_ = 0;
    const std::int64_t* offsets_ = nullptr;
    const double *order_ = nullptr, *population_ = nullptr, *estimate_ = nullptr, *se_ = nullptr,
                 *reference_ = nullptr, *favourable_ = nullptr, *ordered_ = nullptr, *scale_ = nullptr,
                 *setting_average_ = nullptr;
};

// "by_mode", "on" or "off" (spec §8: HEAT 6.0 checks RII and friends against the scale; others not).
template <class RangeCheck>
RangeCheck parse_range_check(const std::string& s, RangeCheck by_mode) {
    if (s == "on") return RangeCheck::on;
    if (s == "off") return RangeCheck::off;
    if (s == "by_mode") return by_mode;
    throw fairer::InequalityError("range_check must be by_mode, on or off, got '" + s + "'");
}

// One output row per (table, measure); reason_code -1 = no reason, else an index into reasons.
class Results {
public:
    void reserve(std::size_t n) {
        for (auto* v : {&estimate_, &se_, &lower_, &upper_}) v->reserve(n);
        table_.reserve(n);
        measure_.reserve(n);
        reason_.reserve(n);
    }

    void add(std::size_t table, std::size_t measure, const fairer::MeasureResult& r) {
        table_.push_back(static_cast<std::int64_t>(table));
        measure_.push_back(static_cast<std::int8_t>(measure));
        estimate_.push_back(r.estimate);
        se_.push_back(r.se);
        lower_.push_back(r.lower);
        upper_.push_back(r.upper);
        if (r.reason.empty()) {
            reason_.push_back(-1);
            return;
        }
        const auto it = code_.find(r.reason);
        if (it != code_.end()) {
            reason_.push_back(it->second);
            return;
        }
        const auto code = static_cast<std::int32_t>(reasons_.size());
        code_.emplace(r.reason, code);
        reasons_.push_back(r.reason);
        reason_.push_back(code);
    }

    py::dict to_dict() && {
        py::dict d;
        d["table"] = numpy_support::to_numpy(std::move(table_));
        d["measure"] = numpy_support::to_numpy(std::move(measure_));
        d["estimate"] = numpy_support::to_numpy(std::move(estimate_));
        d["se"] = numpy_support::to_numpy(std::move(se_));
        d["lower"] = numpy_support::to_numpy(std::move(lower_));
        d["upper"] = numpy_support::to_numpy(std::move(upper_));
        d["reason_code"] = numpy_support::to_numpy(std::move(reason_));
        d["reasons"] = reasons_;
        return d;
    }

private:
    std::vector<std::int64_t> table_;
    std::vector<std::int8_t> measure_;
    std::vector<std::int32_t> reason_;
    std::vector<double> estimate_, se_, lower_, upper_;
    std::vector<std::string> reasons_;
    std::unordered_map<std::string, std::int32_t> code_;
};

// Runs each(k) for every table without the GIL, stopping at the first InequalityError; then, with
// the GIL back, calls named_rerun(k) for the failing table, which re-raises its error with the
// table's name and subgroup labels, or rethrows the original message.
template <class Each, class NamedRerun>
void for_each_table(std::size_t tables, Each each, NamedRerun named_rerun) {
    std::size_t failed = tables;
    std::string failure;
    {
        // Safe without the GIL: each(k) touches only the arrays' buffers (kept alive by the
        // caller's references) and C++ objects; names for messages are looked up afterwards.
        py::gil_scoped_release release;
        for (std::size_t k = 0; k < tables; ++k) {
            try {
                each(k);
            } catch (const fairer::InequalityError& e) {
                failed = k;
                failure = e.what();
                break;
            }
        }
    }
    if (failed < tables) {
        named_rerun(failed);
        throw fairer::InequalityError(failure);
    }
}

}  // namespace heat_batch
