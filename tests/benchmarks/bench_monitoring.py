"""Benchmark of the monitoring core on the real 44,452-row FingertipsNext extract.

Prints ``monitor_extract <seconds> <peak_MiB>`` for the whole monitoring pass over every indicator,
area and period of the extract: the comparison of every area with England, the Fingertips
recent-trend marker of every series, and the change of every series since the 2022 baseline
(the last two from mon-a's :mod:`fairer.monitoring` when it provides them); then one line per
part (``monitor_extract_trends``, ``monitor_extract_compare``, ``monitor_extract_baseline``).
Inputs are read and prepared before timing (see ``_measure``).

Usage: PYTHONPATH=<site> python tests/benchmarks/bench_monitoring.py [--shared /work/shared]
"""
from __future__ import annotations

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from _measure import measure  # noqa: E402

EXTRACT = "data/fingertips_subset_fingertipsnext_2025-02.csv"
KEY = ["indicator_id", "area_code", "sex", "age", "category_type", "category"]
# Value types of the extract's indicators (the extract's own ValueType column, which is blank
# for 92026, a proportion); polarity is taken as "not applicable" for every indicator, which
# costs the same as any other.
VALUE_TYPES = {"": "proportion"}


def prepare(shared: pathlib.Path):
    import pandas as pd

    from fairer import io

    df = io.to_pandas(io.read_fingertips_next(shared / EXTRACT, allow_duplicate_keys=True, check_intervals=False))
    for c in KEY + ["period", "ValueType"]:
        df[c] = df[c].astype(str)
    # Quarterly rows share their year in the extract; keep one row per series and period, as the
    # monitoring functions expect.
    df = df.drop_duplicates(KEY + ["period"], keep="last").reset_index(drop=True)
    vt = {i: VALUE_TYPES.get(v, v) for i, v in df.groupby("indicator_id").ValueType.first().items()}
    pol = {i: "not applicable" for i in vt}
    return pd, df, vt, pol


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="/work/shared")
    args = ap.parse_args()
    pd, df, vt, pol = prepare(pathlib.Path(args.shared))

    from fairer import trends

    try:
        from fairer import monitoring
    except ImportError:
        monitoring = None

    def run_trends():
        return trends.recent_trend(df, polarity=pol, value_type=vt)

    parts = {"monitor_extract_trends": run_trends}
    if monitoring is not None and hasattr(monitoring, "compare"):
        parts["monitor_extract_compare"] = lambda: monitoring.compare(df, "E92000001", polarity=pol)
    if monitoring is not None and hasattr(monitoring, "baseline_change"):
        parts["monitor_extract_baseline"] = lambda: monitoring.baseline_change(df, "2022", polarity=pol)

    def run_all():
        return [f() for f in parts.values()]

    measure("monitor_extract", run_all)
    for name, fn in parts.items():
        measure(name, fn)


if __name__ == "__main__":
    main()
