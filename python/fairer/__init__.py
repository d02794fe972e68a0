"""fairer: health-inequality analysis for public health.

The All Together Fairer (Cheshire and Merseyside) framework, places, LSOA deprivation and
Beacon indicator data are built in (:func:`load_default`); :mod:`fairer.io` reads and writes
Fingertips and tidy CSV files and converts to and from pandas.

Areas of work, one module each: :mod:`fairer.methods` (indicator statistics and confidence
intervals, as PHEindicatormethods), :mod:`fairer.inequality` (WHO HEAT summary measures of
inequality between subgroups), :mod:`fairer.distribution` (Gini, Theil, Atkinson and
concentration indices, grouped or streamed over unit-level rows), :mod:`fairer.allocation` and :mod:`fairer.allocation_analysis`
(proportionate-universalism funding formulas, equity diagnostics, sensitivity and scenarios),
:mod:`fairer.monitoring` and :mod:`fairer.trends` (benchmark comparisons, trends, progress from
the baseline, gaps).
"""
from __future__ import annotations

import pathlib

from . import _core
from ._core import (
    AllocationError,
    Area,
    AreaHierarchy,
    AreaType,
    CiMethod,
    DataError,
    DefaultData,
    DeprivationLookup,
    DeprivationRecord,
    Error,
    FingertipsIdStatus,
    Framework,
    IndicatorMeta,
    IndicatorStatus,
    InequalityError,
    ObservationTable,
    PeriodKind,
    PeriodType,
    PlaceDeprivation,
    Polarity,
    StatisticsError,
    SystemRecommendation,
    Theme,
    TimePeriod,
    ValueType,
    YearType,
    __version__,
    parse_areas,
    parse_deprivation,
    parse_framework,
    read_areas,
    read_deprivation,
    read_framework,
    summarise_deprivation,
    write_areas,
    write_areas_file,
    write_framework,
    write_framework_file,
)
from . import allocation, allocation_analysis, distribution, inequality, io, methods, monitoring, trends
from .allocation import allocate
from .inequality import summary_measures
from .monitoring import compare
from .trends import recent_trend

#: The folder of the embedded default dataset inside this installation.
DATA_DIR = pathlib.Path(__file__).resolve().parent / "data"


def load_default(directory=None) -> DefaultData:
    """The embedded All Together Fairer dataset: ``.framework``, ``.areas``, ``.iod2019`` and
    ``.iod2025`` (LSOA deprivation lookups) and ``.observations`` (Beacon indicator values).

    ``directory`` reads a folder laid out like the embedded one instead (the same file names);
    observations are checked against that folder's framework and area codes.
    """
    return _core.load_data_directory(str(DATA_DIR if directory is None else pathlib.Path(directory)))


__all__ = [
    "AllocationError", "Area", "AreaHierarchy", "AreaType", "CiMethod", "DATA_DIR", "DataError", "DefaultData",
    "DeprivationLookup", "DeprivationRecord", "Error", "FingertipsIdStatus", "Framework", "IndicatorMeta", "IndicatorStatus",
    "InequalityError", "ObservationTable", "PeriodKind", "PeriodType", "PlaceDeprivation", "Polarity",
    "StatisticsError", "SystemRecommendation", "Theme", "TimePeriod", "ValueType", "YearType", "__version__",
    "allocate", "allocation", "allocation_analysis", "compare", "distribution", "inequality", "monitoring", "recent_trend",
    "summary_measures", "trends",
    "io", "load_default", "methods", "parse_areas", "parse_deprivation", "parse_framework", "read_areas", "read_deprivation", "read_framework",
    "summarise_deprivation", "write_areas", "write_areas_file", "write_framework", "write_framework_file",
]
