"""Indicator statistics with confidence intervals: the OHID methods of Fingertips, matching the
R package PHEindicatormethods 2.1.0, over numpy arrays and grouped pandas DataFrames.

One function per method, named in the analyst's words; each docstring gives the formula, its
reference and the defaults, and where fairer deliberately differs from the package.

- proportions, crude rates, means: :func:`proportion` (Wilson), :func:`rate` (Byar / exact
  Poisson), :func:`mean` (Student's t); building blocks :func:`wilson_limits`,
  :func:`byars_limits`, :func:`exact_poisson_limits`, :func:`poisson_count_limits`, :func:`z_value`
- standardisation: :func:`dsr` (Dobson; ESP 2013 built in as :func:`esp2013`), :func:`isratio`,
  :func:`israte`
- :func:`life_expectancy` (Chiang II with Silcocks' final band)
- inequality across deprivation quantiles: :func:`sii` (slope and relative index), :func:`quantile`
- funnel plots: :func:`funnel_limits`, :func:`funnel_significance`, :func:`funnel_points`
"""
from ._basic import (StatisticsWarning, byars_limits, exact_poisson_limits, mean, poisson_count_limits, proportion,
                     rate, wilson_limits, z_value)
from ._funnels import NOT_APPLICABLE, SIGNIFICANCE_LEVELS, funnel_limits, funnel_points, funnel_significance
from ._life_expectancy import LifeExpectancyWarning, STANDARD_AGE_BANDS, life_expectancy
from ._sii import InequalityWarning, quantile, sii
from ._standardisation import StandardPopulation, dsr, esp2013, israte, isratio

__all__ = [
    "InequalityWarning", "LifeExpectancyWarning", "NOT_APPLICABLE", "SIGNIFICANCE_LEVELS", "STANDARD_AGE_BANDS",
    "StandardPopulation", "StatisticsWarning", "byars_limits", "dsr", "esp2013", "exact_poisson_limits",
    "funnel_limits", "funnel_points", "funnel_significance", "israte", "isratio", "life_expectancy", "mean",
    "poisson_count_limits", "proportion", "quantile", "rate", "sii", "wilson_limits", "z_value",
]
