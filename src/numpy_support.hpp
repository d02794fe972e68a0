// Moving results from C++ vectors into numpy arrays without copying them, shared by the binding
// files: the array takes over the vector's buffer and frees it when numpy releases the array.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <utility>
#include <vector>

namespace numpy_support {

namespace py = pybind11;

// An array of the given shape over v's buffer; v's size must equal the product of the shape.
template <class T, class Allocator>
py::array_t<T> to_numpy(std::vector<T, Allocator>&& v, std::vector<py::ssize_t> shape) {
    using Vector = std::vector<T, Allocator>;
    auto* owned = new Vector(std::move(v));
    py::capsule owner(owned, [](void* p) { delete static_cast<Vector*>(p); });
    return py::array_t<T>(std::move(shape), owned->data(), owner);
}

template <class T, class Allocator>
py::array_t<T> to_numpy(std::vector<T, Allocator>&& v) {
    const auto n = static_cast<py::ssize_t>(v.size());
    return to_numpy(std::move(v), {n});
}

}  // namespace numpy_support
