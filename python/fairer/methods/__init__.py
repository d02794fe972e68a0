"""Indicator statistics with confidence intervals: the OHID methods of Fingertips, matching the
R package PHEindicatormethods 2.1.0, over numpy arrays and grouped pandas DataFrames."""
