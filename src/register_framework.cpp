// Python view of fairer::Framework: the monitoring framework (themes, system recommendations,
// indicators) as plain objects with readable properties, and its file reader and writer.
#include <pybind11/operators.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>

#include "fairer/framework.hpp"

namespace py = pybind11;

namespace {

// Accepts str or any os.PathLike, as open() does.
std::string path_text(const py::object& path) {
    return py::str(py::module_::import("os").attr("fspath")(path)).cast<std::string>();
}

std::string quoted(const std::string& s) { return py::repr(py::str(s)).cast<std::string>(); }

// Every framework enum gets the same Python surface: members named after the C++ enumerators,
// .text for the file's text form and from_text() to go back.
template <class E>
py::enum_<E> bind_enum(py::module_& m, const char* name, const char* doc) {
    py::enum_<E> e(m, name, doc);
    e.def_property_readonly(
        "text", [](E v) { return fairer::to_string(v); }, "The text form used in framework files.");
    e.def_static(
        "from_text", [](const std::string& text) { return fairer::from_string<E>(text); }, py::arg("text"),
        "The member whose text form is `text` (exact match); raises fairer.Error otherwise.");
    return e;
}

}  // namespace

void register_framework(py::module_& m) {
    using namespace fairer;

    bind_enum<Polarity>(m, "Polarity", "Whether a higher value of an indicator is better.")
        .value("higher_is_better", Polarity::higher_is_better)
        .value("lower_is_better", Polarity::lower_is_better)
        .value("no_judgement", Polarity::no_judgement)
        .value("not_applicable", Polarity::not_applicable);
    bind_enum<IndicatorStatus>(m, "IndicatorStatus",
                               "live; anchor (fed by anchor-institution returns, no published data yet); "
                               "discontinued (no longer published locally).")
        .value("live", IndicatorStatus::live)
        .value("anchor", IndicatorStatus::anchor)
        .value("discontinued", IndicatorStatus::discontinued);
    bind_enum<ValueType>(m, "ValueType", "What kind of statistic an indicator's value is.")
        .value("proportion", ValueType::proportion)
        .value("crude_rate", ValueType::crude_rate)
        .value("directly_standardised_rate", ValueType::directly_standardised_rate)
        .value("indirectly_standardised_ratio", ValueType::indirectly_standardised_ratio)
        .value("life_expectancy", ValueType::life_expectancy)
        .value("mean", ValueType::mean)
        .value("score", ValueType::score)
        .value("count", ValueType::count)
        .value("other", ValueType::other);
    bind_enum<CiMethod>(m, "CiMethod", "How an indicator's confidence intervals are computed.")
        .value("wilson", CiMethod::wilson)
        .value("byar", CiMethod::byar)
        .value("exact_poisson", CiMethod::exact_poisson)
        .value("dobson", CiMethod::dobson)
        .value("student_t", CiMethod::student_t)
        .value("chiang", CiMethod::chiang)
        .value("published", CiMethod::published)
        .value("none", CiMethod::none);
    bind_enum<PeriodType>(m, "PeriodType", "The kind of time period an indicator is reported for.")
        .value("calendar_year", PeriodType::calendar_year)
        .value("financial_year", PeriodType::financial_year)
        .value("academic_year", PeriodType::academic_year)
        .value("pooled_3_year_calendar", PeriodType::pooled_3_year_calendar)
        .value("pooled_3_year_financial", PeriodType::pooled_3_year_financial)
        .value("calendar_quarter", PeriodType::calendar_quarter)
        .value("financial_quarter", PeriodType::financial_quarter)
        .value("other", PeriodType::other);
    bind_enum<FingertipsIdStatus>(m, "FingertipsIdStatus", "Whether an indicator's Fingertips id has been checked.")
        .value("confirmed", FingertipsIdStatus::confirmed)
        .value("unverified", FingertipsIdStatus::unverified);

    py::class_<Theme>(m, "Theme", "A Marmot principle (or the headline outcome) that indicators are grouped under.")
        .def(py::init<>())
        .def(py::init([](std::string key, std::string title, std::string life_course, bool marmot_principle) {
                 return Theme{std::move(key), std::move(title), std::move(life_course), marmot_principle};
             }),
             py::arg("key"), py::arg("title"), py::arg("life_course") = "", py::arg("marmot_principle") = true)
        .def_readwrite("key", &Theme::key)
        .def_readwrite("title", &Theme::title)
        .def_readwrite("life_course", &Theme::life_course)
        .def_readwrite("marmot_principle", &Theme::marmot_principle)
        .def(py::self == py::self)
        .def(py::self != py::self)
        .def("__repr__", [](const Theme& t) {
            return "Theme(key=" + quoted(t.key) + ", title=" + quoted(t.title) + ", life_course=" +
                   quoted(t.life_course) + ", marmot_principle=" + (t.marmot_principle ? "True" : "False") + ")";
        });

    py::class_<SystemRecommendation>(m, "SystemRecommendation", "A system recommendation (R1..R7).")
        .def(py::init<>())
        .def(py::init([](std::string key, std::string title) {
                 return SystemRecommendation{std::move(key), std::move(title)};
             }),
             py::arg("key"), py::arg("title"))
        .def_readwrite("key", &SystemRecommendation::key)
        .def_readwrite("title", &SystemRecommendation::title)
        .def(py::self == py::self)
        .def(py::self != py::self)
        .def("__repr__", [](const SystemRecommendation& r) {
            return "SystemRecommendation(key=" + quoted(r.key) + ", title=" + quoted(r.title) + ")";
        });

    py::class_<IndicatorMeta>(m, "IndicatorMeta", R"doc(
Everything the framework file says about one indicator: key ('B01'), number, theme key, title,
polarity, status, sexes (list of 'Persons'/'Male'/'Female'), age, value_type, unit, multiplier
(100 for %), ci_method, period_type, frequency, disclosure_threshold (int or None),
fingertips_id (int or None), fingertips_id_status (FingertipsIdStatus or None), recommendations
(list of R keys), source, definition, notes. List attributes are returned as copies: assign a
whole new list to change them.)doc")
        .def(py::init<>())
        .def_readwrite("key", &IndicatorMeta::key)
        .def_readwrite("number", &IndicatorMeta::number)
        .def_readwrite("theme", &IndicatorMeta::theme)
        .def_readwrite("title", &IndicatorMeta::title)
        .def_readwrite("polarity", &IndicatorMeta::polarity)
        .def_readwrite("status", &IndicatorMeta::status)
        .def_readwrite("sexes", &IndicatorMeta::sexes)
        .def_readwrite("age", &IndicatorMeta::age)
        .def_readwrite("value_type", &IndicatorMeta::value_type)
        .def_readwrite("unit", &IndicatorMeta::unit)
        .def_readwrite("multiplier", &IndicatorMeta::multiplier)
        .def_readwrite("ci_method", &IndicatorMeta::ci_method)
        .def_readwrite("period_type", &IndicatorMeta::period_type)
        .def_readwrite("frequency", &IndicatorMeta::frequency)
        .def_readwrite("disclosure_threshold", &IndicatorMeta::disclosure_threshold)
        .def_readwrite("fingertips_id", &IndicatorMeta::fingertips_id)
        .def_readwrite("fingertips_id_status", &IndicatorMeta::fingertips_id_status)
        .def_readwrite("recommendations", &IndicatorMeta::recommendations)
        .def_readwrite("source", &IndicatorMeta::source)
        .def_readwrite("definition", &IndicatorMeta::definition)
        .def_readwrite("notes", &IndicatorMeta::notes)
        .def_property_readonly("is_proportion", &IndicatorMeta::is_proportion,
                               "True when value_type is ValueType.proportion.")
        .def(py::self == py::self)
        .def(py::self != py::self)
        .def("__repr__", [](const IndicatorMeta& i) {
            return "IndicatorMeta(key=" + quoted(i.key) + ", number=" + std::to_string(i.number) +
                   ", theme=" + quoted(i.theme) + ", title=" + quoted(i.title) + ", status=" +
                   quoted(to_string(i.status)) + ")";
        });

    py::class_<Framework>(m, "Framework", R"doc(
A monitoring framework: its identity (key, name, region, version, baseline_period, source,
licence) and lists of themes, recommendations and indicators (returned as copies; assign a whole
list to change one). Look entries up by key with indicator(), theme() and recommendation(), which
raise fairer.Error for an unknown key.)doc")
        .def(py::init<>())
        .def_readwrite("key", &Framework::key)
        .def_readwrite("name", &Framework::name)
        .def_readwrite("region", &Framework::region)
        .def_readwrite("version", &Framework::version)
        .def_readwrite("baseline_period", &Framework::baseline_period)
        .def_readwrite("source", &Framework::source)
        .def_readwrite("licence", &Framework::licence)
        .def_readwrite("themes", &Framework::themes)
        .def_readwrite("recommendations", &Framework::recommendations)
        .def_readwrite("indicators", &Framework::indicators)
        .def("indicator", &Framework::indicator, py::arg("key"), "The indicator with this key ('B07').")
        .def("theme", &Framework::theme, py::arg("key"), "The theme with this key ('T2').")
        .def("recommendation", &Framework::recommendation, py::arg("key"), "The recommendation with this key ('R1').")
        .def("has_indicator", &Framework::has_indicator, py::arg("key"))
        .def("has_theme", &Framework::has_theme, py::arg("key"))
        .def("has_recommendation", &Framework::has_recommendation, py::arg("key"))
        .def("indicators_for_theme", &Framework::indicators_for_theme, py::arg("theme_key"),
             "Indicators under a theme, in file order.")
        .def("indicators_for_recommendation", &Framework::indicators_for_recommendation, py::arg("recommendation_key"),
             "Indicators linked to a system recommendation, in file order.")
        .def("indicator_keys", &Framework::indicator_keys, "Every indicator key, in file order.")
        .def(py::self == py::self)
        .def(py::self != py::self)
        .def("__repr__", [](const Framework& f) {
            return "Framework(key=" + quoted(f.key) + ", version=" + quoted(f.version) +
                   ", themes=" + std::to_string(f.themes.size()) +
                   ", recommendations=" + std::to_string(f.recommendations.size()) +
                   ", indicators=" + std::to_string(f.indicators.size()) + ")";
        });

    m.def(
        "parse_framework",
        [](const std::string& text, const std::string& source_name) { return parse_framework(text, source_name); },
        py::arg("text"), py::arg("source_name") = "<framework>",
        "Parse framework text (sectioned CSV, format version 1). Raises fairer.DataError naming the row, column "
        "and value of the first problem; source_name is used in that message.");
    m.def(
        "read_framework", [](const py::object& path) { return read_framework(path_text(path)); }, py::arg("path"),
        "Read a framework file (sectioned CSV, format version 1). Raises fairer.DataError naming the file, row, "
        "column and value of the first problem.");
    m.def("write_framework", &write_framework, py::arg("framework"),
          "The framework as text in format version 1; read back, it gives an equal Framework.");
    m.def(
        "write_framework_file",
        [](const Framework& fw, const py::object& path) { write_framework_file(fw, path_text(path)); },
        py::arg("framework"), py::arg("path"), "Write the framework to a file in format version 1.");
}
