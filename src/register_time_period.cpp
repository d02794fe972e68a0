// Python view of fairer::TimePeriod: Fingertips period texts as hashable, ordered values
// whose dates come back as datetime.date.
#include <pybind11/operators.h>
#include <pybind11/pybind11.h>

#include <string>
#include <string_view>

#include "fairer/time_period.hpp"

namespace py = pybind11;

namespace {

py::object to_python_date(const fairer::Date& d) {
    return py::module_::import("datetime").attr("date")(d.year, d.month, d.day);
}

// Evaluates back to an equal period once TimePeriod and YearType are in scope.
std::string period_repr(const fairer::TimePeriod& p) {
    std::string s = "TimePeriod.parse('" + p.to_string() + "'";
    if (p.year_type() == fairer::YearType::academic) s += ", YearType.academic";
    return s + ")";
}

}  // namespace

void register_time_period(py::module_& m) {
    using fairer::PeriodKind;
    using fairer::TimePeriod;
    using fairer::YearType;

    py::enum_<YearType>(m, "YearType", "How a year is cut (Fingertips' year type).")
        .value("calendar", YearType::calendar, "January to December.")
        .value("financial", YearType::financial, "April to March (UK financial year).")
        .value("academic", YearType::academic, "September to August (school year).");

    py::enum_<PeriodKind>(m, "PeriodKind", "The shape of a time period.")
        .value("year", PeriodKind::year, "One year: '2022', '2021/22'.")
        .value("pooled_years", PeriodKind::pooled_years, "2 to 10 pooled years: '2018 - 20', '2020/21 - 24/25'.")
        .value("quarter", PeriodKind::quarter, "One quarter: '2022 Q1', '2021/22 Q1'.")
        .value("quarter_range", PeriodKind::quarter_range, "Consecutive quarters: '2006/07 Q2 - 2007/08 Q1'.")
        .value("cumulative_quarters", PeriodKind::cumulative_quarters, "Year to date from Q1: '2006/07 Q1-Q3'.")
        .value("month", PeriodKind::month, "One month: 'Mar 2024'.")
        .value("month_range", PeriodKind::month_range, "Consecutive months: 'Apr 2023 - Mar 2024'.")
        .value("day", PeriodKind::day, "One day (ONS point-in-time dates): '2024-04-17'.");

    py::class_<TimePeriod>(m, "TimePeriod", R"doc(
A Fingertips time period such as '2022', '2021/22', '2018 - 20', '2021/22 Q1' or 'Mar 2024'.

Forms read (and printed back exactly): calendar years '2022'; split years '2021/22'
(financial April-March by default, academic September-August with
year_type=YearType.academic; '1999/00' crosses the century); pooled years '2018 - 20',
'2006 - 07', '2020/21 - 24/25' (2 to 10 years); quarters '2022 Q1' (calendar, Q1 = Jan-Mar)
and '2021/22 Q1' (financial Q1 = Apr-Jun, academic Q1 = Sep-Nov); quarter ranges
'2006/07 Q2 - 2007/08 Q1'; cumulative quarters '2006/07 Q1-Q3'; months 'Mar 2024' (also
'March 2024', printed as 'Mar 2024'); month ranges 'Apr 2023 - Mar 2024'; days '2024-04-17'.
Anything else raises fairer.Error (a ValueError) naming the text.

Periods are ordered by Fingertips' "Time period Sortable" key first (see sortable), then by
start and end date; they hash and compare equal only when they are the same period.
)doc")
        .def(py::init(&TimePeriod::parse), py::arg("text"), py::arg("year_type") = YearType::financial,
             "Same as TimePeriod.parse(text, year_type).")
        .def_static("parse", &TimePeriod::parse, py::arg("text"), py::arg("year_type") = YearType::financial,
                    R"doc(Reads a Fingertips period text.

year_type says what a split year such as '2021/22' means: YearType.financial (default) or
YearType.academic; YearType.calendar rejects split years. Other texts ignore it.
Raises fairer.Error (a ValueError) whose message quotes the text and says what is wrong.)doc")
        .def_property_readonly("year_type", &TimePeriod::year_type, "The YearType (calendar for months and days).")
        .def_property_readonly("kind", &TimePeriod::kind, "The PeriodKind.")
        .def_property_readonly("first_year", &TimePeriod::first_year,
                               "The first year written in the text: 2021 for '2021/22 Q4', 2018 for '2018 - 20'.")
        .def_property_readonly("units", &TimePeriod::units,
                               "How many years, quarters, months or days (by kind) the period spans.")
        .def_property_readonly("sortable", &TimePeriod::sortable, R"doc(Fingertips' "Time period Sortable" key.

first_year * 10000 + a sub-key: 0 for years and pooled years (20210000 for '2021 - 23'),
quarter * 100 for quarters and quarter ranges (first quarter) and cumulative quarters
(last quarter), the calendar month for months and month ranges, month * 100 + day for days.)doc")
        .def_property_readonly("start", [](const TimePeriod& p) { return to_python_date(p.start()); },
                               "First day (datetime.date).")
        .def_property_readonly("end", [](const TimePeriod& p) { return to_python_date(p.end()); },
                               "Last day, inclusive (datetime.date).")
        .def_property_readonly("months", &TimePeriod::months, "Length in months (0 for a single day).")
        .def_property_readonly("days", &TimePeriod::days, "Length in days, both ends included.")
        .def("overlaps", &TimePeriod::overlaps, py::arg("other"), "True when the two periods share at least one day.")
        .def("to_string", &TimePeriod::to_string, "The canonical Fingertips text (same as str()).")
        .def("__str__", &TimePeriod::to_string)
        .def("__repr__", &period_repr)
        .def("__hash__", &TimePeriod::hash)
        .def(py::self == py::self)
        .def(py::self != py::self)
        .def(py::self < py::self)
        .def(py::self <= py::self)
        .def(py::self > py::self)
        .def(py::self >= py::self)
        .def(py::pickle([](const TimePeriod& p) { return py::make_tuple(p.to_string(), p.year_type()); },
                        [](const py::tuple& t) {
                            if (t.size() != 2) throw fairer::Error("period", "cannot unpickle a TimePeriod from this state");
                            return TimePeriod::parse(t[0].cast<std::string>(), t[1].cast<YearType>());
                        }));
}
