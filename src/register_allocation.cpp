// Python bindings of the allocation engine (include/fairer/allocation.hpp, need_index.hpp).
// numpy columns reach the engine as views (no copy for C-contiguous float64 arrays); the
// AllocationUnits wrapper keeps the arrays alive. Result vectors are exposed as numpy arrays
// that view the result's memory, with the result object as their base. The pandas layer is
// python/fairer/allocation.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fairer/allocation.hpp"
#include "fairer/need_index.hpp"
#include "numpy_support.hpp"

namespace py = pybind11;

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;
using fairer::ConstSpan;

ConstSpan span_of(const Array& a) {
    if (a.ndim() != 1) throw fairer::AllocationError("E1", "expected a one-dimensional array");
    return ConstSpan(a.data(), static_cast<std::size_t>(a.shape(0)));
}

using numpy_support::to_numpy;

template <class T, class Allocator>
py::array_t<T> view_of(const std::vector<T, Allocator>& v, py::handle base) {
    return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data(), base);
}

// The units table together with the numpy arrays its columns view.
struct PyUnits {
    fairer::AllocationUnits units;
    std::vector<Array> keep;

    fairer::Column column(const std::optional<Array>& a) {
        if (!a) return {};
        keep.push_back(*a);
        const ConstSpan s = span_of(keep.back());
        return fairer::Column::view(s.data(), s.size());
    }
};

std::vector<double> to_vector(const Array& a) {
    const ConstSpan s = span_of(a);
    return {s.begin(), s.end()};
}

}  // namespace

void register_allocation(py::module_& m) {
    py::enum_<fairer::NeedKind>(m, "NeedKind")
        .value("population", fairer::NeedKind::population)
        .value("direct", fairer::NeedKind::direct)
        .value("composite", fairer::NeedKind::composite)
        .value("imd", fairer::NeedKind::imd)
        .value("gradient", fairer::NeedKind::gradient)
        .value("power", fairer::NeedKind::power);
    py::enum_<fairer::CompositeTransform>(m, "CompositeTransform")
        .value("exp", fairer::CompositeTransform::exp)
        .value("linear", fairer::CompositeTransform::linear)
        .value("rank_exp", fairer::CompositeTransform::rank_exp);
    py::enum_<fairer::GradientShape>(m, "GradientShape")
        .value("linear", fairer::GradientShape::linear)
        .value("geometric", fairer::GradientShape::geometric);
    py::enum_<fairer::PaceMode>(m, "PaceMode")
        .value("none", fairer::PaceMode::none)
        .value("damped", fairer::PaceMode::damped)
        .value("gap_closing", fairer::PaceMode::gap_closing);
    py::enum_<fairer::Redistribution>(m, "Redistribution")
        .value("proportional", fairer::Redistribution::proportional)
        .value("per_capita", fairer::Redistribution::per_capita);
    py::enum_<fairer::MissingPolicy>(m, "MissingPolicy")
        .value("error", fairer::MissingPolicy::error)
        .value("mean_impute", fairer::MissingPolicy::mean_impute);
    py::enum_<fairer::BoundStatus>(m, "BoundStatus")
        .value("free", fairer::BoundStatus::free)
        .value("floor", fairer::BoundStatus::floor)
        .value("cap", fairer::BoundStatus::cap);

    py::class_<PyUnits>(m, "AllocationUnits", "The units table of an allocation (columns are viewed, not copied).")
        .def(py::init([](std::vector<std::string> ids, const Array& population, const std::vector<std::string>& names,
                         const std::vector<Array>& indicators, const std::optional<std::vector<int>>& group,
                         const std::optional<Array>& deprivation, const std::optional<Array>& cost_factor,
                         const std::optional<Array>& baseline, const std::optional<Array>& floor,
                         const std::optional<Array>& cap) {
                 if (names.size() != indicators.size())
                     throw fairer::AllocationError("E1", "indicator names and columns differ in number");
                 PyUnits u;
                 u.keep.reserve(indicators.size() + 6);
                 u.units.ids = std::move(ids);
                 // The ids cannot change after construction (read-only here), so they are checked
                 // once now rather than hashed again by every allocation over this table.
                 fairer::verify_ids(u.units);
                 u.units.population = u.column(population);
                 for (std::size_t k = 0; k < names.size(); ++k) u.units.add_indicator(names[k], u.column(indicators[k]));
                 if (group) u.units.group = *group;
                 u.units.deprivation = u.column(deprivation);
                 u.units.cost_factor = u.column(cost_factor);
                 u.units.baseline = u.column(baseline);
                 u.units.floor = u.column(floor);
                 u.units.cap = u.column(cap);
                 return u;
             }),
             py::arg("ids"), py::arg("population"), py::arg("indicator_names") = std::vector<std::string>{},
             py::arg("indicators") = std::vector<Array>{}, py::arg("group") = py::none(),
             py::arg("deprivation") = py::none(), py::arg("cost_factor") = py::none(), py::arg("baseline") = py::none(),
             py::arg("floor") = py::none(), py::arg("cap") = py::none())
        .def_property_readonly("ids", [](const PyUnits& u) { return u.units.ids.strings(); })
        .def_property_readonly("indicator_names", [](const PyUnits& u) { return u.units.indicator_names; })
        .def("__len__", [](const PyUnits& u) { return u.units.ids.size(); });

    py::class_<fairer::NeedSpec>(m, "NeedSpec", "One component's need specification (allocation spec §4).")
        .def(py::init<>())
        .def_readwrite("kind", &fairer::NeedSpec::kind)
        .def_readwrite("indicator", &fairer::NeedSpec::indicator)
        .def_readwrite("exponent", &fairer::NeedSpec::exponent)
        .def_readwrite("indicators", &fairer::NeedSpec::indicators)
        .def_readwrite("directions", &fairer::NeedSpec::directions)
        .def_readwrite("weights", &fairer::NeedSpec::weights)
        .def_readwrite("transform", &fairer::NeedSpec::transform)
        .def_readwrite("beta", &fairer::NeedSpec::beta)
        .def_readwrite("ratio", &fairer::NeedSpec::ratio)
        .def_readwrite("slope", &fairer::NeedSpec::slope)
        .def_readwrite("rank_count", &fairer::NeedSpec::rank_count)
        .def_readwrite("renormalise", &fairer::NeedSpec::renormalise)
        .def_readwrite("epsilon", &fairer::NeedSpec::epsilon)
        .def_readwrite("groups", &fairer::NeedSpec::groups)
        .def_readwrite("w_low", &fairer::NeedSpec::w_low)
        .def_readwrite("w_high", &fairer::NeedSpec::w_high)
        .def_readwrite("shape", &fairer::NeedSpec::shape)
        .def_readwrite("normalise_weights", &fairer::NeedSpec::normalise_weights);

    py::class_<fairer::Component>(m, "Component", "A need component with its weight pi_c.")
        .def(py::init([](std::string name, fairer::NeedSpec need, double weight) {
                 return fairer::Component{std::move(name), std::move(need), weight};
             }),
             py::arg("name"), py::arg("need"), py::arg("weight") = 1.0)
        .def_readwrite("name", &fairer::Component::name)
        .def_readwrite("need", &fairer::Component::need)
        .def_readwrite("weight", &fairer::Component::weight);

    py::class_<fairer::BoundsParameters>(m, "BoundsParameters")
        .def(py::init<>())
        .def_readwrite("min_growth", &fairer::BoundsParameters::min_growth)
        .def_readwrite("max_growth", &fairer::BoundsParameters::max_growth)
        .def_readwrite("max_below_target", &fairer::BoundsParameters::max_below_target)
        .def_readwrite("over_target_threshold", &fairer::BoundsParameters::over_target_threshold)
        .def_readwrite("over_target_growth", &fairer::BoundsParameters::over_target_growth)
        .def_readwrite("redistribution", &fairer::BoundsParameters::redistribution);

    py::class_<fairer::AllocationParameters>(m, "AllocationParameters", "Allocation parameters (spec §1.3).")
        .def(py::init<>())
        .def_readwrite("universal_share", &fairer::AllocationParameters::universal_share)
        .def_readwrite("target_ratio", &fairer::AllocationParameters::target_ratio)
        .def_readwrite("components", &fairer::AllocationParameters::components)
        .def_readwrite("normalise_weights", &fairer::AllocationParameters::normalise_weights)
        .def_readwrite("cost_adjust", &fairer::AllocationParameters::cost_adjust)
        .def_readwrite("pace", &fairer::AllocationParameters::pace)
        .def_readwrite("theta", &fairer::AllocationParameters::theta)
        .def_readwrite("bounds", &fairer::AllocationParameters::bounds)
        .def_readwrite("rounding_unit", &fairer::AllocationParameters::rounding_unit)
        .def_readwrite("missing", &fairer::AllocationParameters::missing)
        .def_readwrite("seed", &fairer::AllocationParameters::seed)
        .def_readwrite("draws", &fairer::AllocationParameters::draws)
        .def_readwrite("sigma", &fairer::AllocationParameters::sigma)
        .def_readwrite("threads", &fairer::AllocationParameters::threads,
                       "threads for one allocation: 1 = the calling thread only, 0 = up to 2 (the default)");

    py::class_<fairer::Feasibility>(m, "Feasibility")
        .def_readonly("feasible", &fairer::Feasibility::feasible)
        .def_readonly("sum_lower", &fairer::Feasibility::sum_lower)
        .def_readonly("max_reachable", &fairer::Feasibility::max_reachable)
        .def_readonly("budget", &fairer::Feasibility::budget)
        .def_readonly("crossed", &fairer::Feasibility::crossed)
        .def_readonly("message", &fairer::Feasibility::message);

    using R = fairer::AllocationResult;
    auto vec = [](fairer::ResultColumn<double> R::*member) {
        return [member](py::object self) { return view_of(self.cast<const R&>().*member, self); };
    };
    py::class_<R>(m, "AllocationResult", "An allocation with its audit trail (money in pence).")
        .def_property_readonly("ids", [](const R& r) { return r.ids.strings(); })
        .def_property_readonly("population", vec(&R::population))
        .def_readonly("component_names", &R::component_names)
        .def_readonly("component_weights", &R::component_weights)
        .def_property_readonly("need",
                               [](py::object self) {
                                   py::list out;
                                   for (const auto& v : self.cast<const R&>().need) out.append(view_of(v, self));
                                   return out;
                               })
        .def_property_readonly("blended_need", vec(&R::blended_need))
        .def_property_readonly("blend_shares", vec(&R::blend_shares))
        .def_property_readonly("shares", vec(&R::shares))
        .def_property_readonly("target", vec(&R::target))
        .def_property_readonly("rebased_baseline", vec(&R::rebased_baseline))
        .def_property_readonly("distance_from_target0", vec(&R::distance_from_target0))
        .def_property_readonly("proposal", vec(&R::proposal))
        .def_property_readonly("lower", vec(&R::lower))
        .def_property_readonly("upper", vec(&R::upper))
        .def_property_readonly("bounded", vec(&R::bounded))
        .def_property_readonly("rounded", [](py::object self) { return view_of(self.cast<const R&>().rounded, self); })
        .def_property_readonly("bound_status",
                               [](const R& r) {
                                   std::vector<std::uint8_t> s(r.bound_status.size());
                                   for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(r.bound_status[i]);
                                   return to_numpy(std::move(s));
                               })
        .def_readonly("universal_share", &R::universal_share)
        .def_readonly("overall_growth", &R::overall_growth)
        .def_readonly("scale", &R::scale)
        .def_readonly("budget", &R::budget)
        .def_readonly("rounding_unit", &R::rounding_unit)
        .def_readonly("at_floor", &R::at_floor)
        .def_readonly("at_cap", &R::at_cap)
        .def_readonly("feasibility", &R::feasibility)
        .def_readonly("warnings", &R::warnings)
        .def_readonly("need_floored", &R::need_floored);

    m.def(
        "allocate",
        [](const PyUnits& units, std::int64_t budget_pence, const fairer::AllocationParameters& params) {
            // Safe without the GIL: the engine reads only the units' views (whose arrays the
            // caller's PyUnits keeps alive) and its own copies, and touches no Python object.
            py::gil_scoped_release release;
            return fairer::allocate(units.units, budget_pence, params);
        },
        py::arg("units"), py::arg("budget_pence"), py::arg("parameters"),
        "Run the allocation pipeline (spec §2 steps 1-6) for a budget in pence.");

    // Building blocks, usable alone.
    m.def("budget_to_pence", &fairer::budget_to_pence, py::arg("pounds"));
    m.def("iod_domain_weights", [] {
        return std::vector<double>(fairer::iod_domain_weights.begin(), fairer::iod_domain_weights.end());
    });
    m.def(
        "imd_exponential_transform",
        [](const Array& r) {
            const ConstSpan s = span_of(r);
            std::vector<double> out(s.size());
            for (std::size_t i = 0; i < s.size(); ++i) out[i] = fairer::imd_exponential_transform(s[i]);
            return to_numpy(std::move(out));
        },
        py::arg("rank_fraction"));
    m.def(
        "imd_rank_transform",
        [](const Array& ranks, double count) {
            const ConstSpan s = span_of(ranks);
            std::vector<double> out(s.size());
            for (std::size_t i = 0; i < s.size(); ++i) out[i] = fairer::imd_rank_transform(s[i], count);
            return to_numpy(std::move(out));
        },
        py::arg("rank"), py::arg("count"));
    m.def(
        "imd_combine",
        [](const std::vector<Array>& domain_ranks, double count, const std::optional<Array>& weights, bool renormalise) {
            std::vector<ConstSpan> spans;
            for (const auto& a : domain_ranks) spans.push_back(span_of(a));
            const std::vector<double> w =
                weights ? to_vector(*weights)
                        : std::vector<double>(fairer::iod_domain_weights.begin(), fairer::iod_domain_weights.end());
            return to_numpy(fairer::imd_combine(spans, count, w, renormalise));
        },
        py::arg("domain_ranks"), py::arg("count"), py::arg("weights") = py::none(), py::arg("renormalise") = false);
    m.def("average_ranks", [](const Array& x) { return to_numpy(fairer::average_ranks(span_of(x))); }, py::arg("values"));
    m.def("gradient_weights", &fairer::gradient_weights, py::arg("groups"), py::arg("w_low"), py::arg("w_high"),
          py::arg("shape") = fairer::GradientShape::linear);
    m.def(
        "composite_score",
        [](const Array& population, const std::vector<Array>& indicators, const std::vector<int>& directions,
           const Array& weights, bool normalise) {
            std::vector<ConstSpan> spans;
            for (const auto& a : indicators) spans.push_back(span_of(a));
            return to_numpy(fairer::composite_score(span_of(population), spans, directions, span_of(weights), normalise));
        },
        py::arg("population"), py::arg("indicators"), py::arg("directions"), py::arg("weights"),
        py::arg("normalise") = false);
    m.def("calibrate_exponent", [](const Array& s, double ratio) { return fairer::calibrate_exponent(span_of(s), ratio); },
          py::arg("score"), py::arg("ratio"));
    m.def(
        "exp_need_index",
        [](const Array& s, const Array& p, double beta) { return to_numpy(fairer::exp_need_index(span_of(s), span_of(p), beta)); },
        py::arg("score"), py::arg("population"), py::arg("beta"));
    m.def(
        "linear_need_index", [](const Array& s, double slope) { return to_numpy(fairer::linear_need_index(span_of(s), slope)); },
        py::arg("score"), py::arg("slope"));
    m.def(
        "rank_exp_need_index",
        [](const Array& s, double epsilon) { return to_numpy(fairer::rank_exp_need_index(span_of(s), epsilon)); },
        py::arg("score"), py::arg("epsilon") = 1e-6);
    m.def(
        "power_need_index", [](const Array& x, double gamma) { return to_numpy(fairer::power_need_index(span_of(x), gamma)); },
        py::arg("values"), py::arg("gamma"));
    m.def(
        "calibrate_universal_share",
        [](const Array& need, const Array& population, double ratio) {
            return fairer::calibrate_universal_share(span_of(need), span_of(population), ratio);
        },
        py::arg("blended_need"), py::arg("population"), py::arg("ratio"));
    m.def(
        "pace_damped",
        [](const Array& rebased, const Array& target, double theta) {
            return to_numpy(fairer::pace_damped(span_of(rebased), span_of(target), theta));
        },
        py::arg("rebased_baseline"), py::arg("target"), py::arg("theta"));
    m.def(
        "pace_gap_closing",
        [](const Array& baseline, const Array& target, double budget) {
            return to_numpy(fairer::pace_gap_closing(span_of(baseline), span_of(target), budget));
        },
        py::arg("baseline"), py::arg("target"), py::arg("budget"));
    m.def(
        "bounded_fit",
        [](const Array& proposal, const Array& lower, const Array& upper, std::int64_t budget, fairer::Redistribution mode,
           const std::optional<Array>& population) {
            const ConstSpan pop = population ? span_of(*population) : ConstSpan();
            const ConstSpan a = span_of(proposal), lo = span_of(lower), hi = span_of(upper);
            fairer::BoundedFit fit;
            {
                // Safe without the GIL: reads the argument arrays, which pybind11 keeps alive for the call.
                py::gil_scoped_release release;
                fit = fairer::bounded_fit(a, lo, hi, budget, mode, pop);
            }
            return py::make_tuple(to_numpy(std::move(fit.allocation)), fit.scale);
        },
        py::arg("proposal"), py::arg("lower"), py::arg("upper"), py::arg("budget"),
        py::arg("mode") = fairer::Redistribution::proportional, py::arg("population") = py::none());
    m.def(
        "largest_remainder",
        [](const Array& amounts, std::int64_t total, std::int64_t unit, const std::vector<std::string>& ids) {
            const ConstSpan a = span_of(amounts);
            fairer::ResultColumn<std::int64_t> out;
            {
                // Safe without the GIL: reads the argument array and the copied ids only.
                py::gil_scoped_release release;
                out = fairer::largest_remainder(a, total, unit, ids);
            }
            return to_numpy(std::move(out));
        },
        py::arg("amounts"), py::arg("total"), py::arg("unit"), py::arg("ids"));
}
