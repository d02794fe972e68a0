// Python bindings of the observation table and its readers and writers. The table is
// immutable from Python, which is what makes the zero-copy numpy views of its columns safe:
// nothing can reallocate a column while a view of it is alive (each view keeps the table alive).
// The pandas conveniences (to_pandas, from_pandas) live in python/fairer/io.py.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fairer/observations_io.hpp"

namespace py = pybind11;

namespace {

using fairer::ObservationTable;

fairer::ReadOptions make_options(std::set<std::string> known_indicators, std::set<std::string> known_areas,
                                 std::set<std::string> proportion_indicators, bool collect_problems,
                                 bool allow_duplicate_keys, bool check_intervals) {
    fairer::ReadOptions o;
    o.known_indicators = std::move(known_indicators);
    o.known_areas = std::move(known_areas);
    o.proportion_indicators = std::move(proportion_indicators);
    o.collect_problems = collect_problems;
    o.allow_duplicate_keys = allow_duplicate_keys;
    o.check_intervals = check_intervals;
    return o;
}

// Read-only numpy view of a column owned by the table; `owner` (the Python table) is kept
// alive by the array's base.
template <class T>
py::array view(const std::vector<T>& column, py::handle owner) {
    py::array_t<T> a({static_cast<py::ssize_t>(column.size())}, {static_cast<py::ssize_t>(sizeof(T))},
                     column.data(), owner);
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return std::move(a);
}

const fairer::StringColumn& string_column(const ObservationTable& t, const std::string& name) {
    const auto cols = t.const_string_columns();
    for (std::size_t k = 0; k < fairer::string_column_names.size(); ++k)
        if (fairer::string_column_names[k] == name) return *cols[k];
    if (const auto* side = t.find_side_column(name)) return side->values;
    throw py::key_error("no text column '" + name + "'");
}

const std::vector<double>& number_column(const ObservationTable& t, const std::string& name) {
    const auto cols = t.const_number_columns();
    for (std::size_t k = 0; k < fairer::number_column_names.size(); ++k)
        if (fairer::number_column_names[k] == name) return *cols[k];
    throw py::key_error("no numeric column '" + name + "'");
}

py::dict row_dict(const ObservationTable& t, std::size_t i) {
    const fairer::Observation o = t.row(i);
    py::dict d;
    d["indicator_id"] = o.indicator;
    d["area_code"] = o.area;
    d["period"] = o.period;
    d["sex"] = o.sex;
    d["age"] = o.age;
    d["category_type"] = o.category_type;
    d["category"] = o.category;
    d["value"] = o.value;
    d["lower_ci95"] = o.lower_ci95;
    d["upper_ci95"] = o.upper_ci95;
    d["lower_ci99_8"] = o.lower_ci99_8;
    d["upper_ci99_8"] = o.upper_ci99_8;
    d["count"] = o.count;
    d["denominator"] = o.denominator;
    d["value_note"] = o.value_note;
    d["flags"] = fairer::format_flags(o.flags);
    for (const auto& side : t.side_columns()) d[py::str(side.name)] = side.values[i];
    return d;
}

// A text column arriving from pandas as (codes, levels): codes index levels, -1 = missing,
// which becomes the blank text (as a blank CSV cell would).
struct EncodedText {
    std::vector<std::string> levels;
    std::vector<std::uint32_t> codes;
};

EncodedText encode_text(const py::handle& spec, std::size_t n, const std::string& name) {
    auto pair = spec.cast<py::tuple>();
    if (pair.size() != 2) throw fairer::Error("data", "column '" + name + "' must be given as (codes, levels)");
    auto codes = pair[0].cast<py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>>();
    EncodedText out;
    out.levels = pair[1].cast<std::vector<std::string>>();
    if (static_cast<std::size_t>(codes.size()) != n)
        throw fairer::Error("data", "column '" + name + "' has " + std::to_string(codes.size()) + " rows, expected " +
                                        std::to_string(n));
    std::uint32_t blank = static_cast<std::uint32_t>(out.levels.size());
    for (std::size_t k = 0; k < out.levels.size(); ++k)
        if (out.levels[k].empty()) blank = static_cast<std::uint32_t>(k);
    bool need_blank = false;
    out.codes.resize(n);
    const std::int64_t* c = codes.data();
    for (std::size_t i = 0; i < n; ++i) {
        if (c[i] < 0) {
            out.codes[i] = blank;
            need_blank = true;
        } else if (static_cast<std::size_t>(c[i]) >= out.levels.size()) {
            throw fairer::Error("data", "column '" + name + "' has a code out of range");
        } else {
            out.codes[i] = static_cast<std::uint32_t>(c[i]);
        }
    }
    if (need_blank && blank == out.levels.size()) out.levels.emplace_back();
    return out;
}

// Builds a table from data-frame columns and checks it as strictly as a reader checks a file.
// strings: tidy text column name -> (codes, levels); numbers: numeric column name -> float64
// array, or (codes, levels) when the frame holds them as text (then parsed like CSV cells);
// side: list of (name, codes, levels). Rows are reported as tidy-CSV lines (position + 2).
ObservationTable table_from_columns(std::size_t n, const py::dict& columns, const py::list& side,
                                    const std::string& source, const fairer::ReadOptions& options) {
    ObservationTable t;
    fairer::detail::ProblemLog log(source, options.collect_problems);
    for (const auto name : fairer::detail::tidy_header)
        if (!columns.contains(py::str(std::string(name)))) log.add(0, name, "", "missing column");
    log.finish();

    auto strings = t.string_columns();
    for (std::size_t k = 0; k < fairer::string_column_names.size(); ++k) {
        const std::string name(fairer::string_column_names[k]);
        EncodedText e = encode_text(columns[py::str(name)], n, name);
        strings[k]->assign(std::move(e.levels), std::move(e.codes));
    }
    auto numbers = t.number_columns();
    for (std::size_t k = 0; k < fairer::number_column_names.size(); ++k) {
        const std::string name(fairer::number_column_names[k]);
        py::object col = columns[py::str(name)];
        std::vector<double>& out = *numbers[k];
        if (py::isinstance<py::tuple>(col)) {
            EncodedText e = encode_text(col, n, name);
            out.resize(n);
            for (std::size_t i = 0; i < n; ++i) out[i] = fairer::detail::read_number(e.levels[e.codes[i]], i + 2, name, log);
        } else {
            auto a = col.cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
            if (static_cast<std::size_t>(a.size()) != n)
                throw fairer::Error("data", "column '" + name + "' has " + std::to_string(a.size()) + " rows, expected " +
                                                std::to_string(n));
            out.assign(a.data(), a.data() + n);
            for (std::size_t i = 0; i < n; ++i)
                if (std::isinf(out[i])) log.add(i + 2, name, fairer::detail::format_double(out[i]), "non-finite number");
        }
    }
    {
        EncodedText e = encode_text(columns[py::str("flags")], n, "flags");
        std::vector<int> level_bits(e.levels.size(), -1);
        std::vector<std::string> bad(e.levels.size());
        for (std::size_t k = 0; k < e.levels.size(); ++k) {
            std::uint8_t bits = 0;
            if (fairer::parse_flags(e.levels[k], bits, bad[k])) level_bits[k] = bits;
        }
        auto& flags = t.mutable_flags();
        flags.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const int bits = level_bits[e.codes[i]];
            if (bits < 0) {
                log.add(i + 2, "flags", e.levels[e.codes[i]], "unknown flag '" + bad[e.codes[i]] + "'");
                flags[i] = 0;
            } else {
                flags[i] = static_cast<std::uint8_t>(bits);
            }
        }
    }
    for (const auto item : side) {
        auto triple = item.cast<py::tuple>();
        const auto name = triple[0].cast<std::string>();
        EncodedText e = encode_text(py::make_tuple(triple[1], triple[2]), n, name);
        t.add_side_column(name);
        t.mutable_side_columns().back().values.assign(std::move(e.levels), std::move(e.codes));
    }
    // Problems in converting cells come first; the checks of whole rows run on what converted.
    if (!log.empty()) {
        try {
            fairer::validate_observations(t, source, options);
        } catch (const fairer::DataError& e) {
            for (const auto& p : e.problems()) log.add(p);
        }
        log.finish();
    }
    fairer::validate_observations(t, source, options);
    return t;
}

}  // namespace

void register_observations(py::module_& m) {
    py::class_<ObservationTable> cls(m, "ObservationTable", R"doc(
A columnar table of indicator observations (read-only from Python).

One row per (indicator, area, period, sex, age, category type, category). Numeric columns
(value, lower_ci95, upper_ci95, lower_ci99_8, upper_ci99_8, count, denominator) are read-only
float64 numpy views of the table's own memory, NaN = missing; ``flags`` is a uint8 view whose
bits are listed in ``ObservationTable.flag_bits``. Text columns are dictionary-encoded:
``codes(name)`` (uint32 view) indexes ``levels(name)``. Side columns are the extra columns of
a Fingertips or FingertipsNext file, kept verbatim under their original names.
Use fairer.io.to_pandas for a DataFrame.)doc");
    cls.def(py::init<>(), "An empty table.")
        .def("__len__", &ObservationTable::size)
        .def("__eq__", [](const ObservationTable& a, const ObservationTable& b) { return a == b; }, py::is_operator())
        .def("__ne__", [](const ObservationTable& a, const ObservationTable& b) { return a != b; }, py::is_operator())
        .def("__repr__", [](const ObservationTable& t) {
            return "<fairer.ObservationTable: " + std::to_string(t.size()) + " rows, " +
                   std::to_string(t.indicator().levels().size()) + " indicators, " +
                   std::to_string(t.area().levels().size()) + " areas, " + std::to_string(t.side_columns().size()) +
                   " side columns>";
        })
        .def("row", [](const ObservationTable& t, std::size_t i) { return row_dict(t, i); }, py::arg("i"),
             "Row i as a dict with the tidy column names (flags as ';'-joined text) and the side columns.")
        .def("codes", [](py::object self, const std::string& name) {
                 return view(string_column(self.cast<const ObservationTable&>(), name).codes(), self);
             }, py::arg("name"), "Codes (uint32 view) of a text or side column; they index levels(name).")
        .def("levels", [](const ObservationTable& t, const std::string& name) { return string_column(t, name).levels(); },
             py::arg("name"), "Distinct texts of a text or side column, in order of first appearance.")
        .def("column", [](py::object self, const std::string& name) -> py::object {
                 const auto& t = self.cast<const ObservationTable&>();
                 for (const auto n : fairer::number_column_names)
                     if (n == name) return view(number_column(t, name), self);
                 if (name == "flags") return view(t.flags(), self);
                 const auto& col = string_column(t, name);
                 py::list out(col.size());
                 for (std::size_t i = 0; i < col.size(); ++i) out[i] = py::str(col[i]);
                 return std::move(out);
             }, py::arg("name"),
             "A column by name: numeric columns and flags as read-only numpy views, text columns as a list of str.")
        .def_property_readonly("side_column_names", [](const ObservationTable& t) {
            std::vector<std::string> names;
            for (const auto& c : t.side_columns()) names.push_back(c.name);
            return names;
        }, "Names of the side columns, in file order.")
        .def_property_readonly_static("flag_bits", [](py::object) {
            py::dict d;
            for (const auto& [flag, name] : fairer::flag_names) d[py::str(std::string(name))] = fairer::flag_bit(flag);
            return d;
        }, "The bit of each flag name in the flags column.");
    for (const auto name : fairer::number_column_names) {
        const std::string n(name);
        cls.def_property_readonly(n.c_str(), [n](py::object self) {
            return view(number_column(self.cast<const ObservationTable&>(), n), self);
        }, ("Read-only float64 view of the " + n + " column (NaN = missing).").c_str());
    }
    cls.def_property_readonly("flags", [](py::object self) {
        return view(self.cast<const ObservationTable&>().flags(), self);
    }, "Read-only uint8 view of the flags column (bits in ObservationTable.flag_bits).");

    // Readers and writers run with the GIL released: they work only on C++ objects (arguments
    // already converted; tables cannot be changed from Python) and touch no Python object.
    const char* options_doc =
        " known_indicators, known_areas, proportion_indicators: sets of codes (empty = no check);"
        " collect_problems: report every problem in one DataError; allow_duplicate_keys: keep rows"
        " sharing a key; check_intervals: check value within limits and 95% within 99.8%.";

    m.def("read_tidy_csv", [](const std::string& path, std::set<std::string> ki, std::set<std::string> ka,
                              std::set<std::string> pi, bool collect, bool dup, bool intervals) {
              return fairer::read_tidy_csv(path, make_options(std::move(ki), std::move(ka), std::move(pi), collect, dup, intervals));
          },
          py::arg("path"), py::arg("known_indicators") = std::set<std::string>{}, py::arg("known_areas") = std::set<std::string>{},
          py::arg("proportion_indicators") = std::set<std::string>{}, py::arg("collect_problems") = false,
          py::arg("allow_duplicate_keys") = false, py::arg("check_intervals") = true,
          py::call_guard<py::gil_scoped_release>(), (std::string("Read a tidy observations CSV (format 4).") + options_doc).c_str());
    m.def("parse_tidy_csv", [](std::string text, const std::string& source, std::set<std::string> ki, std::set<std::string> ka,
                               std::set<std::string> pi, bool collect, bool dup, bool intervals) {
              return fairer::parse_tidy_csv(std::move(text), source,
                                            make_options(std::move(ki), std::move(ka), std::move(pi), collect, dup, intervals));
          },
          py::arg("text"), py::arg("source_name"), py::arg("known_indicators") = std::set<std::string>{},
          py::arg("known_areas") = std::set<std::string>{}, py::arg("proportion_indicators") = std::set<std::string>{},
          py::arg("collect_problems") = false, py::arg("allow_duplicate_keys") = false, py::arg("check_intervals") = true,
          py::call_guard<py::gil_scoped_release>(), (std::string("Parse tidy observations CSV text (format 4).") + options_doc).c_str());
    m.def("read_fingertips_csv", [](const std::string& path, std::set<std::string> ki, std::set<std::string> ka,
                                    std::set<std::string> pi, bool collect, bool dup, bool intervals) {
              return fairer::read_fingertips_csv(path, make_options(std::move(ki), std::move(ka), std::move(pi), collect, dup, intervals));
          },
          py::arg("path"), py::arg("known_indicators") = std::set<std::string>{}, py::arg("known_areas") = std::set<std::string>{},
          py::arg("proportion_indicators") = std::set<std::string>{}, py::arg("collect_problems") = false,
          py::arg("allow_duplicate_keys") = false, py::arg("check_intervals") = true,
          py::call_guard<py::gil_scoped_release>(), (std::string("Read a Fingertips CSV export (26/27 columns).") + options_doc).c_str());
    m.def("parse_fingertips_csv", [](std::string text, const std::string& source, std::set<std::string> ki,
                                     std::set<std::string> ka, std::set<std::string> pi, bool collect, bool dup,
                                     bool intervals) {
              return fairer::parse_fingertips_csv(std::move(text), source,
                                                  make_options(std::move(ki), std::move(ka), std::move(pi), collect, dup, intervals));
          },
          py::arg("text"), py::arg("source_name"), py::arg("known_indicators") = std::set<std::string>{},
          py::arg("known_areas") = std::set<std::string>{}, py::arg("proportion_indicators") = std::set<std::string>{},
          py::arg("collect_problems") = false, py::arg("allow_duplicate_keys") = false, py::arg("check_intervals") = true,
          py::call_guard<py::gil_scoped_release>(), (std::string("Parse Fingertips export CSV text.") + options_doc).c_str());
    m.def("read_fingertips_next_csv", [](const std::string& path, std::map<std::string, std::string> period_types,
                                         std::set<std::string> ki, std::set<std::string> ka, std::set<std::string> pi,
                                         bool collect, bool dup, bool intervals) {
              return fairer::read_fingertips_next_csv(
                  path, make_options(std::move(ki), std::move(ka), std::move(pi), collect, dup, intervals), period_types);
          },
          py::arg("path"), py::arg("period_types") = std::map<std::string, std::string>{},
          py::arg("known_indicators") = std::set<std::string>{}, py::arg("known_areas") = std::set<std::string>{},
          py::arg("proportion_indicators") = std::set<std::string>{}, py::arg("collect_problems") = false,
          py::arg("allow_duplicate_keys") = false, py::arg("check_intervals") = true,
          py::call_guard<py::gil_scoped_release>(),
          (std::string("Read the FingertipsNext seed schema; period_types maps indicator -> period type.") + options_doc).c_str());
    m.def("format_tidy_csv", &fairer::format_tidy_csv, py::arg("table"), py::call_guard<py::gil_scoped_release>(),
          "The table as tidy CSV text (format 4).");
    m.def("write_tidy_csv", &fairer::write_tidy_csv, py::arg("table"), py::arg("path"),
          py::call_guard<py::gil_scoped_release>(), "Write the table as a tidy CSV file (format 4).");
    m.def("format_fingertips_csv", &fairer::format_fingertips_csv, py::arg("table"),
          py::call_guard<py::gil_scoped_release>(), "The table as Fingertips export CSV text.");
    m.def("write_fingertips_csv", &fairer::write_fingertips_csv, py::arg("table"), py::arg("path"),
          py::call_guard<py::gil_scoped_release>(), "Write the table in the Fingertips export layout.");
    m.def("period_from_start_year", &fairer::period_from_start_year, py::arg("year"), py::arg("period_type"),
          "The Fingertips period text of a period type starting in year (see read_fingertips_next_csv).");
    m.def("_table_from_columns", [](std::size_t n, const py::dict& columns, const py::list& side, const std::string& source,
                                    std::set<std::string> ki, std::set<std::string> ka, std::set<std::string> pi,
                                    bool collect, bool dup, bool intervals) {
              return table_from_columns(n, columns, side, source,
                                        make_options(std::move(ki), std::move(ka), std::move(pi), collect, dup, intervals));
          },
          py::arg("n"), py::arg("columns"), py::arg("side"), py::arg("source_name"), py::arg("known_indicators"),
          py::arg("known_areas"), py::arg("proportion_indicators"), py::arg("collect_problems"),
          py::arg("allow_duplicate_keys"), py::arg("check_intervals"),
          "Private: build and check a table from encoded data-frame columns (use fairer.io.from_pandas).");
}
