"""fairer: health-inequality analysis for public health."""
from ._core import __version__, Error, DataError, StatisticsError, InequalityError, AllocationError

__all__ = ["__version__", "Error", "DataError", "StatisticsError", "InequalityError", "AllocationError"]
