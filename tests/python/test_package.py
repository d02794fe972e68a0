"""The installed package: version, error hierarchy, and the C++ files the wheel carries."""
import pathlib
import re
import subprocess
import sys

import fairer

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_version_comes_from_the_header():
    header = (ROOT / "include" / "fairer" / "version.hpp").read_text()
    expected = re.search(r'#define FAIRER_VERSION_STRING "([^"]+)"', header).group(1)
    assert fairer.__version__ == expected
    out = subprocess.run([sys.executable, "-m", "fairer", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected


def test_errors_are_value_errors():
    for name in ["DataError", "StatisticsError", "InequalityError", "AllocationError"]:
        cls = getattr(fairer, name)
        assert issubclass(cls, fairer.Error), name
        assert issubclass(cls, ValueError), name


def test_wheel_carries_headers_and_cmake_package():
    cmakedir = subprocess.run([sys.executable, "-m", "fairer", "--cmakedir"], capture_output=True, text=True,
                              check=True).stdout.strip()
    assert (pathlib.Path(cmakedir) / "fairerConfig.cmake").is_file()
    includedir = subprocess.run([sys.executable, "-m", "fairer", "--includedir"], capture_output=True, text=True,
                                check=True).stdout.strip()
    assert (pathlib.Path(includedir) / "fairer" / "fairer.hpp").is_file()


def test_public_names_are_exported():
    for module in (fairer, fairer.methods):
        for name in module.__all__:
            assert hasattr(module, name), name
