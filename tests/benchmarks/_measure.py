"""Shared timing for the benchmark scripts: one line per workload, ``<workload> <seconds> <peak_MiB>``.

seconds: the best of several runs of the computation alone (inputs are made beforehand);
peak_MiB: the largest growth of the process's resident set while the workload ran, sampled from
/proc, so that memory allocated inside the compiled core is counted (tracemalloc would miss it).
"""
from __future__ import annotations

import resource
import threading
import time


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def measure(name: str, fn, repeat: int = 3) -> float:
    """Run fn() repeat times, print the workload line and return the best time."""
    best = float("inf")
    peak = 0
    for _ in range(repeat):
        base = rss_bytes()
        top = [base]
        done = threading.Event()
        running = threading.Event()

        def sample():
            running.set()
            while not done.wait(0.002):
                top[0] = max(top[0], rss_bytes())

        sampler = threading.Thread(target=sample)
        sampler.start()
        # The clock starts once the sampler is up and waiting, so that starting a Python thread
        # (tens of microseconds of CPU) is not timed as part of the workload.
        running.wait()
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
        top[0] = max(top[0], rss_bytes())
        done.set()
        sampler.join()
        del result
        best = min(best, elapsed)
        peak = max(peak, top[0] - base)
    print(f"{name} {best:.4f} {peak / 2**20:.1f}", flush=True)
    return best
