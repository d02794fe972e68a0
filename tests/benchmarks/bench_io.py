"""Benchmark of fairer.io on the real 44,452-row FingertipsNext extract.

Prints one line per workload: ``<workload> <seconds> <peak_MiB>``; seconds is the best of
several runs, peak_MiB the growth of the process's peak resident set over its size before the
workload (each workload runs in a fresh interpreter, so peaks of earlier workloads cannot hide
it; resource's ru_maxrss sees C++ allocations, which tracemalloc would miss). A final comment
line gives the ratio of pandas.read_csv's time to fairer's on the same file.

Usage: PYTHONPATH=<site> python tests/benchmarks/bench_io.py [--shared /work/shared] [--runs 5]
"""
import argparse
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

NEXT = "data/fingertips_subset_fingertipsnext_2025-02.csv"
AS_PUBLISHED = dict(allow_duplicate_keys=True, check_intervals=False)


def _rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _workload(name, path, scratch):
    import pandas as pd

    from fairer import io

    if name == "read_fingertips_next_fairer":
        return lambda: io.read_fingertips_next(path, **AS_PUBLISHED)
    if name == "read_fingertips_next_fairer_to_pandas":
        return lambda: io.to_pandas(io.read_fingertips_next(path, **AS_PUBLISHED))
    if name == "read_fingertips_next_pandas_read_csv":
        return lambda: pd.read_csv(path)
    table = io.read_fingertips_next(path, **AS_PUBLISHED)
    if name == "write_tidy_fairer":
        return lambda: io.write_tidy(table, scratch)
    if name == "write_tidy_pandas_to_csv":
        frame = io.to_pandas(table).loc[:, list(io.TIDY_COLUMNS)]
        return lambda: frame.to_csv(scratch, index=False)
    if name == "read_tidy_fairer":
        io.write_tidy(table, scratch)
        return lambda: io.read_tidy(scratch, **AS_PUBLISHED)
    raise SystemExit(f"unknown workload {name}")


WORKLOADS = [
    "read_fingertips_next_fairer",
    "read_fingertips_next_fairer_to_pandas",
    "read_fingertips_next_pandas_read_csv",
    "write_tidy_fairer",
    "write_tidy_pandas_to_csv",
    "read_tidy_fairer",
]


def child(name, path, runs):
    with tempfile.TemporaryDirectory() as d:
        fn = _workload(name, path, str(pathlib.Path(d) / "out.csv"))
        before = _rss_mib()
        best = float("inf")
        for _ in range(runs):
            t0 = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - t0)
            del result
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
        print(f"{best:.6f} {max(peak, 0.0):.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(pathlib.Path(__file__).resolve().parents[3] / "shared"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    path = str(pathlib.Path(args.shared) / NEXT)
    if args.child:
        child(args.child, path, args.runs)
        return
    times = {}
    for name in WORKLOADS:
        out = subprocess.run([sys.executable, __file__, "--child", name, "--shared", args.shared, "--runs",
                              str(args.runs)], check=True, capture_output=True, text=True).stdout.split()
        times[name] = float(out[0])
        print(f"{name} {out[0]} {out[1]}", flush=True)
    ratio = times["read_fingertips_next_pandas_read_csv"] / times["read_fingertips_next_fairer"]
    print(f"# pandas.read_csv / fairer read_fingertips_next time ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
