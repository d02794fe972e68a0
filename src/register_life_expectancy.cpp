// Python view of fairer::life_expectancy_chiang over numpy arrays. The pandas conveniences
// (labels, grouping, output columns, warnings) are in python/fairer/methods/_life_expectancy.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fairer/life_expectancy.hpp"
#include "numpy_support.hpp"

namespace py = pybind11;

namespace {

using in_array = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Hands a vector's buffer to numpy without copying; the capsule frees it with the array.
using numpy_support::to_numpy;

py::dict life_expectancy_py(const in_array& deaths, const in_array& population, const in_array& start_age,
                            const py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast>& group_offsets,
                            const std::vector<double>& confidence, const std::vector<std::string>& group_labels,
                            const py::object& row_ids_obj) {
    const auto rows = static_cast<std::size_t>(deaths.size());
    if (deaths.ndim() != 1 || population.ndim() != 1 || start_age.ndim() != 1 ||
        static_cast<std::size_t>(population.size()) != rows || static_cast<std::size_t>(start_age.size()) != rows)
        throw fairer::StatisticsError("life expectancy: deaths (" + std::to_string(deaths.size()) + "), population (" +
                                      std::to_string(population.size()) + ") and start ages (" +
                                      std::to_string(start_age.size()) + ") must be 1-D arrays of the same length");
    if (group_offsets.ndim() != 1 || group_offsets.size() < 1)
        throw fairer::StatisticsError("life expectancy: group offsets must be a 1-D array with at least one entry");
    py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> row_ids;
    const std::int64_t* row_ids_data = nullptr;
    if (!row_ids_obj.is_none()) {
        row_ids = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(row_ids_obj);
        if (!row_ids || static_cast<std::size_t>(row_ids.size()) != rows)
            throw fairer::StatisticsError("life expectancy: row_ids must have one entry per row");
        row_ids_data = row_ids.data();
    }
    fairer::LifeTableInput in;
    in.deaths = deaths.data();
    in.population = population.data();
    in.start_age = start_age.data();
    in.rows = rows;
    in.group_offsets = group_offsets.data();
    in.groups = static_cast<std::size_t>(group_offsets.size()) - 1;
    in.group_labels = group_labels.empty() ? nullptr : &group_labels;
    in.row_ids = row_ids_data;

    fairer::LifeExpectancyResult r;
    {
        // Safe without the GIL: the core reads only these arrays and vectors, which this frame
        // keeps alive, and touches no Python object.
        py::gil_scoped_release release;
        r = fairer::life_expectancy_chiang(in, confidence);
    }
    const auto n = static_cast<py::ssize_t>(rows);
    const auto levels = static_cast<py::ssize_t>(r.confidence.size());
    std::vector<std::uint8_t> checks(r.group_check.size());
    for (std::size_t g = 0; g < checks.size(); ++g) checks[g] = static_cast<std::uint8_t>(r.group_check[g]);
    std::vector<std::int64_t> problem_rows(r.group_problem_row.begin(), r.group_problem_row.end());

    py::dict out;
    out["confidence"] = r.confidence;
    out["value"] = to_numpy(std::move(r.value));
    out["standard_error"] = to_numpy(std::move(r.standard_error));
    out["lower"] = to_numpy(std::move(r.lower), {levels, n});
    out["upper"] = to_numpy(std::move(r.upper), {levels, n});
    out["pops_used"] = to_numpy(std::move(r.pops_used));
    out["dths_used"] = to_numpy(std::move(r.dths_used));
    out["group_check"] = to_numpy(std::move(checks));
    out["group_problem_row"] = to_numpy(std::move(problem_rows));
    out["wide_interval_count"] = r.wide_interval_count;
    return out;
}

}  // namespace

void register_life_expectancy(py::module_& m) {
    m.def("life_expectancy_chiang", &life_expectancy_py, py::arg("deaths"), py::arg("population"), py::arg("start_age"),
          py::arg("group_offsets"), py::arg("confidence") = std::vector<double>{0.95},
          py::arg("group_labels") = std::vector<std::string>{}, py::arg("row_ids") = py::none(),
          "Life expectancy by Chiang II with Silcocks' final band (fairer::life_expectancy_chiang) over rows grouped "
          "contiguously (group g is rows group_offsets[g]:group_offsets[g+1]) in ascending start age within each "
          "group. Returns a dict of numpy arrays: value, standard_error, lower and upper (levels x rows), pops_used, "
          "dths_used, group_check (0 = computed, else the LifeTableCheck code), group_problem_row, and "
          "wide_interval_count and confidence. Private: use fairer.methods.life_expectancy.");
    m.def("life_expectancy_confidence", &fairer::life_expectancy_confidence, py::arg("levels"),
          "The confidence levels as fractions (each a fraction in [0.9, 1) or a percentage in [90, 100)); raises "
          "StatisticsError otherwise.");
    py::list messages;
    for (int c = 0; c <= static_cast<int>(fairer::LifeTableCheck::missing_values); ++c)
        messages.append(fairer::life_table_check_message(static_cast<fairer::LifeTableCheck>(c)));
    m.attr("life_table_check_messages") = messages;
    m.attr("life_expectancy_wide_interval_message") = fairer::life_expectancy_wide_interval_message;
    m.attr("life_table_band_count") = fairer::life_table_band_count;
}
