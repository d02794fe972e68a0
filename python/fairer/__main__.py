"""Command line: ``fairer report --out DIR`` writes the Cheshire and Merseyside report;
``python -m fairer --cmakedir`` / ``--includedir`` point a C++ project at the copy of the
headers and CMake package inside this installation (as pybind11 does)."""
from __future__ import annotations

import argparse
import pathlib
import sys

_HERE = pathlib.Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fairer", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--cmakedir", action="store_true",
                        help="print the folder holding fairerConfig.cmake (for find_package)")
    parser.add_argument("--includedir", action="store_true", help="print the C++ include folder")
    sub = parser.add_subparsers(dest="command")
    rep = sub.add_parser("report", help="write the Cheshire and Merseyside HTML report")
    rep.add_argument("--out", default="report", help="output folder (default: ./report)")
    args = parser.parse_args(argv)

    if args.version:
        from . import __version__
        print(__version__)
        return 0
    if args.cmakedir:
        print(_HERE / "share" / "cmake" / "fairer")
        return 0
    if args.includedir:
        print(_HERE / "include")
        return 0
    if args.command == "report":
        from .report import write_report
        path = write_report(args.out)
        print(f"fairer: wrote {path}")
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
