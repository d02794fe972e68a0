"""Loading the embedded default dataset, and rendering the report from it.

Prints one line per workload: ``<workload> <seconds> <peak_MiB>`` (see _measure.py).
"""
from __future__ import annotations

import fairer
from fairer import report

from _measure import measure


def main():
    measure("load_default", fairer.load_default, repeat=5)
    data = fairer.load_default()
    measure("observations_to_pandas", lambda: fairer.io.to_pandas(data.observations))
    measure("render_report_html", lambda: report.render_html(data), repeat=3)


if __name__ == "__main__":
    main()
