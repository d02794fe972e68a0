// fairer's C++ errors become Python exceptions that subclass ValueError, carrying the
// structured details (file, row, column, value; allocation code and units) as attributes.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "fairer/errors.hpp"

namespace py = pybind11;

namespace {

PyObject* error_type = nullptr;
PyObject* data_error_type = nullptr;
PyObject* statistics_error_type = nullptr;
PyObject* inequality_error_type = nullptr;
PyObject* allocation_error_type = nullptr;

PyObject* make_type(py::module_& m, const char* name, PyObject* base, const char* doc) {
    std::string qualified = std::string("fairer._core.") + name;
    PyObject* t = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
    if (!t) throw py::error_already_set();
    m.add_object(name, py::handle(t));  // the module keeps its own reference
    Py_INCREF(t);                        // and the translator keeps one for the process lifetime
    return t;
}

void raise(PyObject* type, const fairer::Error& e, const py::dict& attrs) {
    py::object instance = py::reinterpret_borrow<py::object>(type)(py::str(e.what()));
    instance.attr("id") = py::str(e.id());
    for (auto item : attrs) instance.attr(item.first) = item.second;
    PyErr_SetObject(type, instance.ptr());
}

}  // namespace

void register_errors(py::module_& m) {
    error_type = make_type(m, "Error", PyExc_ValueError, "Base class of fairer's errors (a ValueError).");
    data_error_type = make_type(m, "DataError", error_type,
                                "Bad input data; .problems lists every problem found (file, row, column, value, problem).");
    statistics_error_type = make_type(m, "StatisticsError", error_type, "Invalid input to a statistical method.");
    inequality_error_type = make_type(m, "InequalityError", error_type, "Invalid input to an inequality measure.");
    allocation_error_type = make_type(m, "AllocationError", error_type,
                                      "Invalid allocation input; .code is the spec's E1..E10, .units the offending units.");

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const fairer::DataError& e) {
            py::list problems;
            for (const auto& pr : e.problems()) {
                py::dict d;
                d["file"] = pr.file;
                d["row"] = pr.row;
                d["column"] = pr.column;
                d["value"] = pr.value;
                d["problem"] = pr.problem;
                problems.append(d);
            }
            py::dict attrs;
            attrs["problems"] = problems;
            const auto& f = e.first();
            attrs["file"] = f.file;
            attrs["row"] = f.row;
            attrs["column"] = f.column;
            attrs["value"] = f.value;
            raise(data_error_type, e, attrs);
        } catch (const fairer::AllocationError& e) {
            py::dict attrs;
            attrs["code"] = e.code();
            attrs["units"] = py::cast(e.units());
            raise(allocation_error_type, e, attrs);
        } catch (const fairer::StatisticsError& e) {
            raise(statistics_error_type, e, py::dict());
        } catch (const fairer::InequalityError& e) {
            raise(inequality_error_type, e, py::dict());
        } catch (const fairer::Error& e) {
            raise(error_type, e, py::dict());
        }
    });
}
