"""How unequally an outcome is distributed: Gini (with Lorenz points), Atkinson, Theil T and L with
their between/within decomposition, generalised entropy, Wolfson bipolarisation and the
concentration index with its Wagstaff and Erreygers corrections.

Two kinds of input:

* **grouped data** (one row per subgroup, weight = its population) or a unit-level table small
  enough for memory: the functions below take ``values`` (and ``weights``, ``rank``, ``groups``) as
  numpy arrays, anything array-like, or column names of the DataFrame passed as ``data=``;
* **unit-level data too big for memory** (every person, household or LSOA, e.g. read with
  ``pandas.read_csv(..., chunksize=...)``): :class:`UnitLevelInequality` consumes it chunk by chunk
  with constant memory, and partial results merge exactly (chunked == one-shot, bit for bit).

Equal weights reproduce the unweighted formulas of PySAL's ``inequality`` package
(pysal/inequality@0f9050ee). Formulas and references: ``specs/inequality-measures.md`` §3 and §7;
the C++ core is ``fairer/distribution_inequality.hpp`` and ``fairer/unit_level.hpp``.

Shared input rules: a missing value (NaN) in an outcome, weight or rank makes the measure missing
(NaN), never silently computed from the other rows (drop missing rows yourself if that is what you
mean); weights must be finite and >= 0 with a positive total; outcomes must be finite and, except
for the generalised concentration index, non-negative. Violations raise
:class:`fairer.InequalityError` naming the row and the value.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from fairer import _core

__all__ = [
    "gini",
    "lorenz_curve",
    "atkinson",
    "theil_t",
    "theil_l",
    "generalized_entropy",
    "theil_decomposition",
    "wolfson",
    "concentration_index",
    "AtkinsonResult",
    "TheilDecomposition",
    "ConcentrationIndex",
    "UnitLevelInequality",
    "UnitLevelResult",
    "CONCENTRATION_KINDS",
]

CONCENTRATION_KINDS: tuple[str, ...] = ("standard", "generalized", "wagstaff", "erreygers", "modified")
"""The forms of the concentration index accepted by ``kind=`` (see :func:`concentration_index`)."""


@dataclass(frozen=True)
class AtkinsonResult:
    """Atkinson index ``index`` = 1 - ede / mean for inequality aversion ``epsilon``;
    ``ede`` is the equally distributed equivalent outcome."""

    index: float
    ede: float
    mean: float
    epsilon: float


@dataclass(frozen=True)
class TheilDecomposition:
    """Theil T or L split exactly into ``between + within = total``. ``groups`` has one row per group:
    ``group`` (the label given), ``population_share``, ``outcome_share`` and ``index`` (the group's own
    Theil index)."""

    kind: str
    total: float
    between: float
    within: float
    groups: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class ConcentrationIndex:
    """A concentration index of form ``kind`` with its regression standard error and normal limits at
    ``confidence``; ``mean`` is the weighted mean outcome."""

    estimate: float
    se: float
    lower: float
    upper: float
    mean: float
    kind: str
    confidence: float


def _error(message: str) -> Exception:
    return _core.InequalityError("[fairer.inequality] " + message)


def _column(x, data: pd.DataFrame | None, role: str, dtype=np.float64) -> np.ndarray:
    """One input column as a 1-d array of ``dtype``: no copy when it already is one (C-contiguous)."""
    if data is not None and isinstance(x, str):
        if x not in data.columns:
            raise _error(f"{role}: column '{x}' is not in the data frame")
        x = data[x]
    if isinstance(x, (pd.Series, pd.Index)):
        if dtype is np.float64:
            a = x.to_numpy(dtype=np.float64, na_value=np.nan) if x.dtype != np.float64 else x.to_numpy()
        else:
            a = x.to_numpy()
    else:
        a = np.asarray(x)
    if a.ndim != 1:
        raise _error(f"{role} must be one-dimensional (got shape {a.shape})")
    if dtype is np.float64 and a.dtype != np.float64:
        if a.dtype == object:
            a = pd.to_numeric(pd.Series(a), errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            a = a.astype(np.float64)
    return np.ascontiguousarray(a)


def _weights(weights, data) -> np.ndarray | None:
    return None if weights is None else _column(weights, data, "weights")


def _group_codes(groups, data, role: str = "groups") -> tuple[np.ndarray, np.ndarray]:
    """Group labels as int64 codes 0..k-1 (sorted labels; first appearance if they do not sort) and the labels."""
    if data is not None and isinstance(groups, str):
        if groups not in data.columns:
            raise _error(f"{role}: column '{groups}' is not in the data frame")
        groups = data[groups]
    series = groups if isinstance(groups, pd.Series) else pd.Series(np.asarray(groups))
    try:
        codes, labels = pd.factorize(series, sort=True, use_na_sentinel=True)
    except TypeError:
        codes, labels = pd.factorize(series, use_na_sentinel=True)
    if (codes < 0).any():
        row = int(np.argmax(codes < 0)) + 1
        raise _error(f"{role}: the label at row {row} is missing")
    return codes.astype(np.int64), np.asarray(labels)


def _design_codes(labels, data, role: str) -> np.ndarray:
    """Survey design labels as int64: integer labels as they are (so that errors name them), others
    as codes of their sorted labels."""
    column = data[labels] if data is not None and isinstance(labels, str) and labels in data.columns else labels
    a = column.to_numpy() if isinstance(column, pd.Series) else np.asarray(column)
    if a.ndim == 1 and np.issubdtype(a.dtype, np.integer):
        return np.ascontiguousarray(a, dtype=np.int64)
    return _group_codes(labels, data, role)[0]


def gini(values, weights=None, *, data: pd.DataFrame | None = None) -> float:
    """Gini coefficient of ``values`` (optionally weighted, e.g. by subgroup population).

    ``G = 1 - sum_j p_j (L_j + L_{j-1})`` over rows sorted by value ascending, with ``p_j`` the weight
    share and ``L_j`` the cumulative outcome share; equal to ``sum_ij p_i p_j |y_i - y_j| / (2 mu)``
    and, unweighted, to PySAL's ``sum_i (2i - n - 1) y_(i) / (n sum y)`` (no n/(n-1) small-sample
    factor). Reference: Gini (1912); spec §7; PySAL ``Gini``. Default: unit weights.
    Returns NaN when any value or weight is missing.
    """
    return float(_core.distribution_gini(_column(values, data, "values"), _weights(weights, data)))


def lorenz_curve(values, weights=None, *, data: pd.DataFrame | None = None) -> pd.DataFrame:
    """Lorenz curve points as a DataFrame with columns ``population_share`` and ``outcome_share``:
    rows sorted by value ascending, cumulative weight share against cumulative outcome share,
    starting at (0, 0) and ending at (1, 1); one point per row (PySAL ``lorenz_curve``).
    Reference: Lorenz (1905) Publ Am Stat Assoc 9:209-219. Empty when any value is missing.
    """
    p, s = _core.distribution_lorenz(_column(values, data, "values"), _weights(weights, data))
    return pd.DataFrame({"population_share": p, "outcome_share": s})


def atkinson(values, weights=None, *, epsilon: float = 0.5, data: pd.DataFrame | None = None) -> AtkinsonResult:
    """Atkinson index for inequality aversion ``epsilon`` (any finite value >= 0; default 0.5).

    ``A = 1 - EDE / mu`` with the equally distributed equivalent
    ``EDE = (sum_j p_j y_j^(1-eps))^(1/(1-eps))`` (eps != 1) or ``exp(sum_j p_j ln y_j)`` (eps = 1,
    the geometric mean); eps = 0 gives A = 0. Reference: Atkinson (1970) J Econ Theory 2:244-263;
    PySAL ``atkinson``. Returns an :class:`AtkinsonResult` (index, ede, mean, epsilon).
    """
    r = _core.distribution_atkinson(_column(values, data, "values"), _weights(weights, data), float(epsilon))
    return AtkinsonResult(index=r["index"], ede=r["ede"], mean=r["mean"], epsilon=r["epsilon"])


def generalized_entropy(values, weights=None, *, alpha: float, data: pd.DataFrame | None = None) -> float:
    """Generalised entropy index ``GE(alpha) = (sum_j p_j r_j^alpha - 1) / (alpha (alpha - 1))``,
    ``r_j = y_j / mu``; GE(1) = Theil T, GE(0) = Theil L (mean log deviation), GE(2) = half the squared
    coefficient of variation. Reference: Shorrocks (1980) Econometrica 48:613-625; spec §7.
    """
    return float(_core.distribution_generalized_entropy(_column(values, data, "values"), _weights(weights, data),
                                                        float(alpha)))


def theil_t(values, weights=None, *, data: pd.DataFrame | None = None) -> float:
    """Theil T index ``T = sum_j p_j r_j ln r_j``, ``r_j = y_j / mu`` (0 ln 0 = 0). Unscaled: HEAT's TI is
    1000 T. Reference: Theil (1967) Economics and Information Theory; PySAL ``Theil``; spec §7."""
    return generalized_entropy(values, weights, alpha=1.0, data=data)


def theil_l(values, weights=None, *, data: pd.DataFrame | None = None) -> float:
    """Theil L index (mean log deviation) ``L = sum_j p_j ln(1 / r_j)``, ``r_j = y_j / mu`` (+inf with a
    zero value). Unscaled: HEAT's MLD is 1000 L. Reference: Theil (1967); spec §7."""
    return generalized_entropy(values, weights, alpha=0.0, data=data)


def _decomposition(d: Mapping, kind: str, labels: np.ndarray | None) -> TheilDecomposition:
    codes = np.asarray(d["group"])
    groups = pd.DataFrame({
        "group": labels[codes] if labels is not None else codes,
        "population_share": d["population_share"],
        "outcome_share": d["outcome_share"],
        "index": d["index"],
    })
    return TheilDecomposition(kind=kind, total=d["total"], between=d["between"], within=d["within"], groups=groups)


def theil_decomposition(values, groups, weights=None, *, kind: str = "T",
                        data: pd.DataFrame | None = None) -> TheilDecomposition:
    """Theil T (``kind="T"``, default) or L (``kind="L"``) split into between- and within-group parts by
    the group label of each row (any labels; ``groups`` may be a column name of ``data``).

    T: ``between = sum_g s_g ln(s_g / P_g)``, ``within = sum_g s_g T_g``; L: ``between = sum_g P_g
    ln(P_g / s_g)``, ``within = sum_g P_g L_g`` (``s_g`` outcome share, ``P_g`` population share,
    ``T_g``/``L_g`` the group's own index); ``between + within = total`` exactly.
    Reference: Shorrocks (1980) Econometrica 48:613-625; PySAL ``TheilD``. Returns a
    :class:`TheilDecomposition` (groups in sorted label order).
    """
    if kind not in ("T", "L"):
        raise _error(f"Theil kind must be 'T' or 'L'; got {kind!r}")
    y = _column(values, data, "values")
    codes, labels = _group_codes(groups, data)
    d = _core.distribution_theil_decomposition(y, _weights(weights, data), codes, kind)
    return _decomposition(d, kind, labels)


def wolfson(values, weights=None, *, data: pd.DataFrame | None = None) -> float:
    """Wolfson bipolarisation index ``W = (2 (0.5 - L(0.5)) - G) mu / median``, with ``L(0.5)`` the Lorenz
    curve interpolated linearly at half the population and G the Gini coefficient.
    Reference: Wolfson (1994) Am Econ Rev 84:353-358; PySAL ``wolfson``."""
    return float(_core.distribution_wolfson(_column(values, data, "values"), _weights(weights, data)))


def _bounds(lower_bound, upper_bound) -> tuple[float, float]:
    return (math.nan if lower_bound is None else float(lower_bound),
            math.nan if upper_bound is None else float(upper_bound))


def _concentration(d: Mapping, confidence: float) -> ConcentrationIndex:
    return ConcentrationIndex(estimate=d["estimate"], se=d["se"], lower=d["lower"], upper=d["upper"],
                              mean=d["mean"], kind=d["kind"], confidence=confidence)


def concentration_index(values, rank, weights=None, *, kind: str = "standard", lower_bound: float | None = None,
                        upper_bound: float | None = None, confidence: float = 0.95, psu=None, strata=None,
                        data: pd.DataFrame | None = None) -> ConcentrationIndex:
    """Concentration index of ``values`` over a socioeconomic ``rank`` (any numbers, lower = more
    disadvantaged, e.g. HEAT's subgroup order or an IMD rank reversed so that 1 is most deprived).

    Fractional ranks ``X_j`` = (weight of lower ranks + half the row's weight) / total weight, tied ranks
    sharing one. ``kind``:

    * ``"standard"`` (default) ``C = 2 cov_w(y, X) / mu`` (HEAT's RCI on the 0-1 scale);
    * ``"generalized"`` ``GC = 2 cov_w(y, X) = sum_j p_j (2 X_j - 1) y_j`` (HEAT's ACI);
    * ``"wagstaff"`` ``W = C* / (1 - mu*)`` with ``y* = (y - lmin) / (lmax - lmin)`` (Wagstaff 2005,
      Health Econ 14:429-432), for bounded outcomes;
    * ``"erreygers"`` ``E = 4 GC / (lmax - lmin)`` (Erreygers 2009, J Health Econ 28:504-515);
    * ``"modified"`` ``C mu / (mu - lmin)`` (Erreygers and Van Ourti 2011).

    The bounded forms need ``lower_bound`` and ``upper_bound`` (the outcome's theoretical bounds, e.g.
    0 and 100 for a percentage; never inferred from the data) and every value within them. Positive =
    concentrated among the advantaged. ``se``: the weighted "convenient regression" standard error of
    HEAT 6, healthequal and Stata ``conindex`` (weights as frequency weights, df = rows - 2; NaN with
    fewer than 3 rows); limits ``estimate -/+ z se``. Reference: Kakwani, Wagstaff, van Doorslaer (1997)
    J Econometrics 77:87-103; O'Donnell et al. (2016) Stata J 16:112-138; spec §3.

    Survey microdata: pass ``psu`` (primary sampling unit labels) and optionally ``strata`` with the
    survey weights as ``weights``. The estimate is unchanged; ``se`` becomes the design-based one of
    R's ``survey::svyglm`` on the same regression (Taylor linearisation, PSUs sampled with replacement
    within strata: ``V = A^-1 B A^-1``, ``B`` the between-PSU spread of the score totals with factor
    ``n_h / (n_h - 1)``; Binder 1983, Int Stat Rev 51:279-292), which is what healthequal's ``aci()`` /
    ``rci()`` report with ``psu=`` and ``strata=``. A stratum with a single PSU raises
    :class:`fairer.InequalityError` naming it.
    """
    lmin, lmax = _bounds(lower_bound, upper_bound)
    y = _column(values, data, "values")
    r = _column(rank, data, "rank")
    if psu is None:
        if strata is not None:
            raise _error("concentration index: strata need psu as well")
        d = _core.distribution_concentration_index(y, r, _weights(weights, data), kind, lmin, lmax, float(confidence))
    else:
        psu_codes = _design_codes(psu, data, "psu")
        strata_codes = None if strata is None else _design_codes(strata, data, "strata")
        d = _core.distribution_concentration_index_survey(y, r, _weights(weights, data), strata_codes, psu_codes, kind,
                                                          lmin, lmax, float(confidence))
    return _concentration(d, float(confidence))


@dataclass(frozen=True)
class UnitLevelResult:
    """The measures of everything a :class:`UnitLevelInequality` has consumed.

    ``rows`` counts every row added, ``missing`` those with a missing outcome, weight or rank. With
    ``missing > 0`` every measure is NaN unless ``skip_missing=True`` was asked for. ``atkinson`` maps
    each epsilon (1 always, plus those requested) to its :class:`AtkinsonResult`; the decompositions are
    None without a group column (groups in sorted label order), ``concentration`` None without a rank
    column."""

    rows: int
    missing: int
    total_weight: float
    mean: float
    min: float
    max: float
    gini: float
    theil_t: float
    theil_l: float
    atkinson: dict
    theil_t_decomposition: TheilDecomposition | None
    theil_l_decomposition: TheilDecomposition | None
    concentration: ConcentrationIndex | None
    distinct_outcomes: int
    distinct_ranks: int


class UnitLevelInequality:
    """Streaming Gini, Theil T and L (with between/within decomposition), Atkinson and the concentration
    index over unit-level rows fed in chunks, e.g. from ``pandas.read_csv(path, chunksize=1_000_000)``.

    Columns: ``outcome`` (required), ``weights``, ``rank`` (socioeconomic rank for the concentration
    index, lower = more disadvantaged), ``group`` (any labels, for the Theil decomposition): column
    names used when a chunk is a DataFrame. ``epsilons``: Atkinson aversion parameters to accumulate
    (epsilon 1 is always available). ``gini=False`` drops the Gini and the memory it needs.

    Memory: the Theil, Atkinson and mean totals are a fixed number of exact sums; the Gini keeps one
    bin per distinct outcome value and the concentration index one per distinct rank, so memory grows
    with the number of distinct values (constant for deciles, LSOA ranks or outcomes recorded to a fixed
    resolution), not with the number of rows. More than ``max_distinct`` distinct values raise
    :class:`fairer.InequalityError` (round the outcome to a stated resolution or set ``gini=False``).

    Exactness: totals are exact (fixed-point) sums, so any chunking and any order of :meth:`merge`
    gives the same result as one call with every row. Each chunk is validated before it is added: a
    bad value raises :class:`fairer.InequalityError` naming the row (counted over all rows added,
    1-based) and leaves the accumulator unchanged. The compiled core consumes each chunk without
    holding the GIL, so chunks can be read or parsed in another thread meanwhile.
    Reference for the formulas: see :func:`gini`, :func:`theil_decomposition`, :func:`atkinson`,
    :func:`concentration_index` (one-shot versions of the same measures).
    """

    def __init__(self, *, outcome: str = "outcome", weights: str | None = None, rank: str | None = None,
                 group: str | None = None, gini: bool = True, epsilons: Iterable[float] = (),
                 max_distinct: int = 1_000_000):
        self.columns = {"outcome": outcome, "weights": weights, "rank": rank, "group": group}
        self._epsilons = [float(e) for e in epsilons]
        self._acc = _core.UnitLevelAccumulator(gini=bool(gini), epsilons=self._epsilons,
                                               max_distinct=int(max_distinct))
        self._gini = bool(gini)
        self._max_distinct = int(max_distinct)
        self._labels: dict = {}

    @classmethod
    def from_chunks(cls, chunks: Iterable, **options) -> "UnitLevelInequality":
        """A new accumulator (``options`` as for the constructor) fed every chunk of ``chunks``, e.g.
        ``UnitLevelInequality.from_chunks(pd.read_csv(path, chunksize=10**6), outcome="y", rank="imd")``."""
        acc = cls(**options)
        for chunk in chunks:
            acc.add(chunk)
        return acc

    @property
    def rows(self) -> int:
        """Rows added so far, missing ones included."""
        return int(self._acc.rows)

    @property
    def missing(self) -> int:
        """Rows with a missing outcome, weight or rank so far."""
        return int(self._acc.missing)

    def _codes(self, labels) -> np.ndarray:
        """Group labels mapped to codes that stay the same across chunks."""
        codes, uniques = pd.factorize(pd.Series(labels) if not isinstance(labels, pd.Series) else labels,
                                      use_na_sentinel=True)
        if (codes < 0).any():
            row = self.rows + int(np.argmax(codes < 0)) + 1
            raise _error(f"unit-level: the group label at row {row} is missing")
        lookup = np.fromiter((self._labels.setdefault(u, len(self._labels)) for u in uniques), dtype=np.int64,
                             count=len(uniques))
        return lookup[codes]

    def add(self, chunk=None, *, outcome=None, weights=None, rank=None, group=None) -> "UnitLevelInequality":
        """Adds one chunk: a DataFrame (columns named as in the constructor) or arrays passed as
        ``outcome=``, ``weights=``, ``rank=``, ``group=``. float64 C-contiguous arrays are read in place
        (no copy). Every chunk must carry the same columns. Returns self."""
        if chunk is not None:
            if not isinstance(chunk, pd.DataFrame):
                raise _error("unit-level: a chunk must be a DataFrame; pass arrays as outcome=, weights=, ...")
            cols = self.columns
            outcome = _column(cols["outcome"], chunk, "outcome")
            weights = None if cols["weights"] is None else _column(cols["weights"], chunk, "weights")
            rank = None if cols["rank"] is None else _column(cols["rank"], chunk, "rank")
            if cols["group"] is not None:
                if cols["group"] not in chunk.columns:
                    raise _error(f"group: column '{cols['group']}' is not in the data frame")
                group = chunk[cols["group"]]
        elif outcome is None:
            raise _error("unit-level: add() needs a DataFrame chunk or outcome=")
        else:
            outcome = _column(outcome, None, "outcome")
            weights = None if weights is None else _column(weights, None, "weights")
            rank = None if rank is None else _column(rank, None, "rank")
        codes = None if group is None else self._codes(group)
        self._acc.add(outcome, weights, rank, codes)
        return self

    def merge(self, other: "UnitLevelInequality") -> "UnitLevelInequality":
        """Adds the partial result of ``other`` (made with the same options, e.g. fed other chunks in
        another process or thread). Exact: merging in any order equals feeding every row to one
        accumulator. Group labels are matched by label. ``other`` is left unchanged. Returns self."""
        if not isinstance(other, UnitLevelInequality):
            raise _error("unit-level: merge() needs another UnitLevelInequality")
        if other._gini != self._gini or other._epsilons != self._epsilons:
            raise _error("unit-level: cannot merge accumulators made with different options")
        theirs = other._acc
        if other._labels:
            recode = [(code, self._labels.setdefault(label, len(self._labels)))
                      for label, code in other._labels.items()]
            theirs = theirs.copy()
            # a two-step renaming through negative codes keeps codes that swap places apart
            theirs.recode_groups([(old, -1 - new) for old, new in recode])
            theirs.recode_groups([(-1 - new, new) for _, new in recode])
        self._acc.merge(theirs)
        return self

    def _canonical(self):
        """The accumulator with its group codes in sorted-label order, and the labels by code. The
        decomposition sums its per-group terms in code order; codes assigned in order of first
        appearance would make the last bits of between/within depend on how the rows were chunked and
        merged, sorted labels do not."""
        if not self._labels:
            return self._acc, None
        try:
            ordered = sorted(self._labels, key=lambda x: (type(x).__name__, x))
        except TypeError:
            ordered = sorted(self._labels, key=lambda x: (type(x).__name__, str(x)))
        labels = np.empty(len(ordered), dtype=object)
        labels[:] = ordered
        recode = [(self._labels[label], new) for new, label in enumerate(ordered)]
        if all(old == new for old, new in recode):
            return self._acc, labels
        acc = self._acc.copy()
        # a two-step renaming through negative codes keeps codes that swap places apart
        acc.recode_groups([(old, -1 - new) for old, new in recode])
        acc.recode_groups([(-1 - new, new) for _, new in recode])
        return acc, labels

    def result(self, *, kind: str = "standard", lower_bound: float | None = None, upper_bound: float | None = None,
               confidence: float = 0.95, skip_missing: bool = False) -> UnitLevelResult:
        """The measures of every row added so far (see :class:`UnitLevelResult`). ``kind``,
        ``lower_bound``, ``upper_bound`` and ``confidence`` choose the concentration index form as in
        :func:`concentration_index` (units as observations). ``skip_missing=False`` (default) reports
        every measure as NaN when any row was missing; True computes them from the complete rows."""
        lmin, lmax = _bounds(lower_bound, upper_bound)
        acc, labels = self._canonical()
        r = acc.result(kind=kind, lmin=lmin, lmax=lmax, confidence=float(confidence),
                       skip_missing=bool(skip_missing))
        has_groups = self.columns["group"] is not None or bool(self._labels)
        t_dec = _decomposition(r["theil_t_groups"], "T", labels) if has_groups else None
        l_dec = _decomposition(r["theil_l_groups"], "L", labels) if has_groups else None
        has_rank = r["distinct_ranks"] > 0 or self.columns["rank"] is not None
        return UnitLevelResult(
            rows=int(r["rows"]), missing=int(r["missing"]), total_weight=r["total_weight"], mean=r["mean"],
            min=r["min"], max=r["max"], gini=r["gini"], theil_t=r["theil_t"], theil_l=r["theil_l"],
            atkinson={a["epsilon"]: AtkinsonResult(index=a["index"], ede=a["ede"], mean=a["mean"],
                                                   epsilon=a["epsilon"]) for a in r["atkinson"]},
            theil_t_decomposition=t_dec, theil_l_decomposition=l_dec,
            concentration=_concentration(r["concentration"], float(confidence)) if has_rank else None,
            distinct_outcomes=int(r["distinct_outcomes"]), distinct_ranks=int(r["distinct_ranks"]),
        )
