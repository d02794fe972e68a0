// Python view of places and small-area deprivation: fairer::Area, AreaHierarchy,
// DeprivationLookup (columns as read-only numpy arrays that share the C++ memory) and the
// per-place deprivation summary.
#include <pybind11/numpy.h>
#include <pybind11/operators.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "fairer/area.hpp"
#include "fairer/deprivation.hpp"

namespace py = pybind11;

namespace {

std::string path_text(const py::object& path) {
    return py::str(py::module_::import("os").attr("fspath")(path)).cast<std::string>();
}

std::string quoted(const std::string& s) { return py::repr(py::str(s)).cast<std::string>(); }

std::string number_repr(double x) { return py::repr(py::float_(x)).cast<std::string>(); }

// A read-only numpy view of a column. `owner` (the Python DeprivationLookup) becomes the
// array's base, so the memory outlives every view; the lookup never changes after reading,
// and the view is marked read-only so Python cannot change it either.
template <class T>
py::array_t<T> column_view(const std::vector<T>& v, py::handle owner) {
    py::array_t<T> a({static_cast<py::ssize_t>(v.size())}, {static_cast<py::ssize_t>(sizeof(T))}, v.data(), owner);
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return a;
}

}  // namespace

void register_area(py::module_& m) {
    using namespace fairer;

    py::enum_<AreaType>(m, "AreaType", "The kind of geography an Area is.")
        .value("england", AreaType::england)
        .value("region", AreaType::region)
        .value("icb", AreaType::icb)
        .value("sub_region", AreaType::sub_region)
        .value("combined_authority", AreaType::combined_authority)
        .value("local_authority", AreaType::local_authority)
        .value("lsoa", AreaType::lsoa)
        .def_property_readonly(
            "text", [](AreaType t) { return to_string(t); }, "The text form used in area files ('local authority').")
        .def_static("from_text", &area_type_from_string, py::arg("text"),
                    "The member whose text form is `text` (exact match); raises fairer.Error otherwise.");

    py::class_<Area>(m, "Area", R"doc(
One area: code, name, type (AreaType), detail ('unitary authority'), parents (list of codes),
population (float, NaN when not given), population_period, population_source.)doc")
        .def(py::init([](std::string code, std::string name, AreaType type, std::string detail,
                         std::vector<std::string> parents, double population, std::string period, std::string source) {
                 return Area{std::move(code), std::move(name),  type, std::move(detail), std::move(parents),
                             population,      std::move(period), std::move(source)};
             }),
             py::arg("code"), py::arg("name"), py::arg("type"), py::arg("detail") = "",
             py::arg("parents") = std::vector<std::string>{}, py::arg("population") = std::nan(""),
             py::arg("population_period") = "", py::arg("population_source") = "")
        .def_readwrite("code", &Area::code)
        .def_readwrite("name", &Area::name)
        .def_readwrite("type", &Area::type)
        .def_readwrite("detail", &Area::detail)
        .def_readwrite("parents", &Area::parents)
        .def_readwrite("population", &Area::population)
        .def_readwrite("population_period", &Area::population_period)
        .def_readwrite("population_source", &Area::population_source)
        .def(py::self == py::self)
        .def(py::self != py::self)
        .def("__repr__", [](const Area& a) {
            return "Area(code=" + quoted(a.code) + ", name=" + quoted(a.name) + ", type=" + quoted(to_string(a.type)) +
                   ", population=" + number_repr(a.population) + ")";
        });

    py::class_<AreaHierarchy>(m, "AreaHierarchy", R"doc(
A validated set of areas (unique codes, parents that exist, no cycles) in file order. Supports
len(), iteration, `code in h` and h[code]. Areas returned by its methods are views that keep the
hierarchy alive.)doc")
        .def(py::init([](std::vector<Area> areas) { return AreaHierarchy(std::move(areas)); }), py::arg("areas"),
             "Validate and index the areas; raises fairer.DataError for a duplicate code, a missing parent or a cycle.")
        .def("__len__", &AreaHierarchy::size)
        .def(
            "__iter__", [](const AreaHierarchy& h) { return py::make_iterator(h.begin(), h.end()); },
            py::keep_alive<0, 1>())
        .def("__contains__", &AreaHierarchy::contains, py::arg("code"))
        .def("__getitem__", &AreaHierarchy::at, py::arg("code"), py::return_value_policy::reference_internal)
        .def("at", &AreaHierarchy::at, py::arg("code"), py::return_value_policy::reference_internal,
             "The area with this code; raises fairer.Error if there is none.")
        .def("contains", &AreaHierarchy::contains, py::arg("code"))
        .def("codes", &AreaHierarchy::codes, "Every code, in file order.")
        .def("children", &AreaHierarchy::children, py::arg("code"), py::return_value_policy::reference_internal,
             "Areas listing `code` as a direct parent, in file order.")
        .def("ancestors", &AreaHierarchy::ancestors, py::arg("code"), py::return_value_policy::reference_internal,
             "Every area `code` nests in, nearest first (breadth-first), each once.")
        .def("ancestor_of_type", &AreaHierarchy::ancestor_of_type, py::arg("code"), py::arg("type"),
             py::return_value_policy::reference_internal,
             "The nearest area of this AreaType that `code` nests in, or None.")
        .def("descendants", &AreaHierarchy::descendants, py::arg("code"), py::return_value_policy::reference_internal,
             "Every area nesting in `code`, nearest first, each once.")
        .def("areas_of_type", &AreaHierarchy::areas_of_type, py::arg("type"),
             py::return_value_policy::reference_internal, "Areas of one AreaType, in file order.")
        .def("places", &AreaHierarchy::places, py::return_value_policy::reference_internal,
             "The local authorities, in file order.")
        .def("__repr__", [](const AreaHierarchy& h) {
            return "AreaHierarchy(" + std::to_string(h.size()) + " areas, " + std::to_string(h.places().size()) +
                   " places)";
        });

    m.def(
        "parse_areas",
        [](const std::string& text, const std::string& source_name) { return parse_areas(text, source_name); },
        py::arg("text"), py::arg("source_name") = "<areas>",
        "Parse an areas CSV (code,name,type,detail,parents,population,population_period,population_source). "
        "Raises fairer.DataError naming the row, column and value of the first problem.");
    m.def(
        "read_areas", [](const py::object& path) { return read_areas(path_text(path)); }, py::arg("path"),
        "Read an areas CSV; raises fairer.DataError naming the file, row, column and value of the first problem.");
    m.def("write_areas", &write_areas, py::arg("areas"), "The areas as CSV text; read back, it gives equal areas.");
    m.def(
        "write_areas_file", [](const AreaHierarchy& h, const py::object& path) { write_areas_file(h, path_text(path)); },
        py::arg("areas"), py::arg("path"), "Write the areas CSV to a file.");

    py::class_<DeprivationRecord>(m, "DeprivationRecord", "The leading fields of one LSOA in a DeprivationLookup.")
        .def_readonly("lsoa_code", &DeprivationRecord::lsoa_code)
        .def_readonly("lsoa_name", &DeprivationRecord::lsoa_name)
        .def_readonly("place_code", &DeprivationRecord::place_code)
        .def_readonly("imd_score", &DeprivationRecord::imd_score)
        .def_readonly("imd_rank", &DeprivationRecord::imd_rank)
        .def_readonly("imd_decile", &DeprivationRecord::imd_decile)
        .def_readonly("population", &DeprivationRecord::population)
        .def_readonly("population_period", &DeprivationRecord::population_period)
        .def("__repr__", [](const DeprivationRecord& r) {
            return "DeprivationRecord(lsoa_code=" + quoted(r.lsoa_code) + ", place_code=" + quoted(r.place_code) +
                   ", imd_score=" + number_repr(r.imd_score) + ", imd_rank=" + std::to_string(r.imd_rank) +
                   ", imd_decile=" + std::to_string(r.imd_decile) + ", population=" + number_repr(r.population) + ")";
        });

    py::class_<DeprivationLookup>(m, "DeprivationLookup", R"doc(
English Indices of Deprivation for a set of LSOAs, column by column. Numeric columns are
read-only numpy arrays sharing the lookup's memory: imd_scores (float64), imd_ranks and
imd_deciles (int32; 1 = most deprived nationally), populations (float64, NaN = missing) and every
extra column by name through column(name) (float64, NaN = blank). Text columns are lists.)doc")
        .def("__len__", &DeprivationLookup::size)
        .def("__contains__", &DeprivationLookup::contains, py::arg("lsoa_code"))
        .def("__getitem__", &DeprivationLookup::at, py::arg("lsoa_code"))
        .def("at", &DeprivationLookup::at, py::arg("lsoa_code"),
             "The leading fields of one LSOA; raises fairer.Error for an unknown code.")
        .def("index_of", &DeprivationLookup::index_of, py::arg("lsoa_code"),
             "Position of the LSOA in the columns; raises fairer.Error for an unknown code.")
        .def("value", &DeprivationLookup::value, py::arg("lsoa_code"), py::arg("column"),
             "One LSOA's value in a named extra column (NaN if blank).")
        .def_property_readonly("lsoa_codes", &DeprivationLookup::lsoa_codes)
        .def_property_readonly("lsoa_names", &DeprivationLookup::lsoa_names)
        .def_property_readonly("place_codes", &DeprivationLookup::place_codes)
        .def_property_readonly("population_periods", &DeprivationLookup::population_periods)
        .def_property_readonly("column_names", &DeprivationLookup::column_names, "Names of the extra columns, in file order.")
        .def_property_readonly("imd_scores",
                               [](py::object self) { return column_view(self.cast<const DeprivationLookup&>().imd_scores(), self); })
        .def_property_readonly("imd_ranks",
                               [](py::object self) { return column_view(self.cast<const DeprivationLookup&>().imd_ranks(), self); })
        .def_property_readonly("imd_deciles",
                               [](py::object self) { return column_view(self.cast<const DeprivationLookup&>().imd_deciles(), self); })
        .def_property_readonly("populations",
                               [](py::object self) { return column_view(self.cast<const DeprivationLookup&>().populations(), self); })
        .def(
            "column",
            [](py::object self, const std::string& name) {
                return column_view(self.cast<const DeprivationLookup&>().column(name), self);
            },
            py::arg("name"), "An extra column by name; raises fairer.Error if there is none.")
        .def("has_column", &DeprivationLookup::has_column, py::arg("name"))
        .def(
            "as_dict",
            [](py::object self) {
                const auto& d = self.cast<const DeprivationLookup&>();
                py::dict out;
                out["lsoa_code"] = py::cast(d.lsoa_codes());
                out["lsoa_name"] = py::cast(d.lsoa_names());
                out["place_code"] = py::cast(d.place_codes());
                out["imd_score"] = column_view(d.imd_scores(), self);
                out["imd_rank"] = column_view(d.imd_ranks(), self);
                out["imd_decile"] = column_view(d.imd_deciles(), self);
                out["population"] = column_view(d.populations(), self);
                out["population_period"] = py::cast(d.population_periods());
                for (const auto& name : d.column_names()) out[py::str(name)] = column_view(d.column(name), self);
                return out;
            },
            "Every column keyed by its name in the file, in file order (numeric columns as read-only numpy "
            "views): pandas.DataFrame(lookup.as_dict()) is the file as a table.")
        .def("places", &DeprivationLookup::places, "Distinct place codes in order of first appearance.")
        .def("__repr__", [](const DeprivationLookup& d) {
            return "DeprivationLookup(" + std::to_string(d.size()) + " LSOAs, " + std::to_string(d.places().size()) +
                   " places, " + std::to_string(d.column_names().size()) + " extra columns)";
        });

    m.def(
        "parse_deprivation",
        [](const std::string& text, const std::string& source_name) {
            // Pure C++ on a private copy of the text: nothing Python is touched while parsing.
            py::gil_scoped_release release;
            return parse_deprivation(text, source_name);
        },
        py::arg("text"), py::arg("source_name") = "<deprivation>",
        "Parse a deprivation lookup (lsoa_code,lsoa_name,place_code,imd_score,imd_rank,imd_decile,population,"
        "population_period, then extra numeric columns). Raises fairer.DataError naming the row, column and value.");
    m.def(
        "read_deprivation",
        [](const py::object& path) {
            std::string p = path_text(path);
            // Reading and parsing the file is pure C++ on local data, so other Python threads may run.
            py::gil_scoped_release release;
            return read_deprivation(p);
        },
        py::arg("path"),
        "Read a deprivation lookup CSV; raises fairer.DataError naming the file, row, column and value of the first "
        "problem.");

    py::class_<PlaceDeprivation>(m, "PlaceDeprivation", R"doc(
Deprivation of one place summarised over its LSOAs (MHCLG File 10 style): lsoa_count,
population (sum; NaN if any LSOA population is missing), mean_imd_score (population-weighted
mean; NaN if any population is missing) and share_most_deprived_decile (share of LSOAs in
national IMD decile 1).)doc")
        .def_readonly("place_code", &PlaceDeprivation::place_code)
        .def_readonly("lsoa_count", &PlaceDeprivation::lsoa_count)
        .def_readonly("population", &PlaceDeprivation::population)
        .def_readonly("mean_imd_score", &PlaceDeprivation::mean_imd_score)
        .def_readonly("share_most_deprived_decile", &PlaceDeprivation::share_most_deprived_decile)
        .def("__repr__", [](const PlaceDeprivation& p) {
            return "PlaceDeprivation(place_code=" + quoted(p.place_code) + ", lsoa_count=" +
                   std::to_string(p.lsoa_count) + ", population=" + number_repr(p.population) +
                   ", mean_imd_score=" + number_repr(p.mean_imd_score) +
                   ", share_most_deprived_decile=" + number_repr(p.share_most_deprived_decile) + ")";
        });

    m.def("summarise_deprivation", &summarise_deprivation, py::arg("lookup"), R"doc(
Per-place summary of a DeprivationLookup, places in order of first appearance:
mean_imd_score = sum(pop_i * score_i) / sum(pop_i) and share_most_deprived_decile =
#{decile_i = 1} / n over the place's n LSOAs, as in MHCLG's IoD2019 File 10 LA summaries
(English Indices of Deprivation 2019 Technical Report). Missing populations give NaN, never a
mean over the rest.)doc");
}
