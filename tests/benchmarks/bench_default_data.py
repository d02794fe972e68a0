"""Loading the embedded default dataset, and rendering the report from it.

Prints one line per workload: ``<workload> <seconds> <peak_MiB>`` (seconds: best of several
runs; peak MiB: the largest growth of the process's resident set seen while the workload ran,
sampled from /proc, which counts C++ allocations that tracemalloc would miss).
"""
from __future__ import annotations

import threading
import time
import resource

import fairer
from fairer import report


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def measure(name, fn, repeat=5):
    best = float("inf")
    peak = 0
    for _ in range(repeat):
        base = rss_bytes()
        top = [base]
        done = threading.Event()

        def sample():
            while not done.wait(0.002):
                top[0] = max(top[0], rss_bytes())

        sampler = threading.Thread(target=sample)
        sampler.start()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        top[0] = max(top[0], rss_bytes())
        done.set()
        sampler.join()
        del result
        peak = max(peak, top[0] - base)
    print(f"{name} {best:.4f} {peak / 2**20:.1f}", flush=True)


def main():
    measure("load_default", fairer.load_default)
    data = fairer.load_default()
    measure("observations_to_pandas", lambda: fairer.io.to_pandas(data.observations))
    measure("render_report_html", lambda: report.render_html(data), repeat=3)


if __name__ == "__main__":
    main()
