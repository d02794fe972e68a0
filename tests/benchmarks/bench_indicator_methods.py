"""Indicator methods called from Python on the peer's benchmark workloads (the generators in
../shared/specs/indicator-methods.md, "Benchmark workloads"), one line per workload:
``<workload> <seconds> <peak_MiB>`` (see _measure.py).

PHEindicatormethods 2.1.0 on this machine class (R 4.2.2, median of 3): proportion_1m 0.27 s,
rate_1m 1.75 s, dsr_10k 4.47 s, life_expectancy_1k 164.7 s, sii_300 93.7 s.
Each bench_<area>.py module beside this one contributes ``workloads() -> [(name, fn)]``.
"""
from __future__ import annotations

import importlib
import pathlib
import sys

from _measure import measure

HERE = pathlib.Path(__file__).resolve().parent
AREAS = ["bench_basic_methods", "bench_standardisation", "bench_life_expectancy", "bench_sii"]


def main(argv: list[str]) -> int:
    wanted = set(argv)
    for module_name in AREAS:
        if not (HERE / f"{module_name}.py").is_file():
            continue
        module = importlib.import_module(module_name)
        for name, fn in module.workloads():
            if not wanted or name in wanted:
                measure(name, fn)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
