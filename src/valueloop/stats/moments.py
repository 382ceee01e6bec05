"""Sufficient statistics for two-sample tests: small, frozen, additive.

Why: the query engine reduces millions of rows to a handful of sums per variant
(``count``, ``sum``, ``sum of squares``, cross-products), and every test in
:mod:`valueloop.stats` is computed from those sums only. Because the sums are
additive, partial results (one per file, per day, per worker) merge with ``+`` and
give exactly the batch answer (gbstats' ``models/statistics.py`` does the same).

Variant: raw power sums, not Welford/Chan centred sums, because SQL ``sum()`` gives
them directly; the variance is ``(Σy² − (Σy)²/n)/(n − 1)``, which is accurate to
about 1e-12 relative for metrics whose mean is not many orders of magnitude larger
than their spread (shift the metric first if it is).

>>> (Moments.of([1.0, 2.0]) + Moments.of([3.0])).mean
2.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _array(values: Iterable[float] | FloatArray) -> FloatArray:
    return np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=np.float64)


@dataclass(frozen=True)
class Summary:
    """What a two-sample test needs of one group: size, mean, unbiased variance."""

    n: int
    mean: float
    var: float


@dataclass(frozen=True)
class Moments:
    """``n``, ``Σy`` and ``Σy²`` of one group; merge partials with ``+``."""

    n: int = 0
    sum: float = 0.0
    sum_sq: float = 0.0

    @classmethod
    def of(cls, values: Iterable[float] | FloatArray) -> Moments:
        y = _array(values)
        return cls(int(y.size), float(y.sum()), float(np.dot(y, y)))

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, self.sum + other.sum, self.sum_sq + other.sum_sq)

    @property
    def mean(self) -> float:
        """The sample mean; NaN for an empty group (there is none)."""
        return self.sum / self.n if self.n else math.nan

    @property
    def var(self) -> float:
        """Unbiased sample variance (ddof = 1); NaN below two units, never negative."""
        if self.n < 2:
            return math.nan
        return max(self.sum_sq - self.sum * self.sum / self.n, 0.0) / (self.n - 1)

    def summary(self) -> Summary:
        return Summary(self.n, self.mean, self.var)


@dataclass(frozen=True)
class CrossMoments:
    """Sums of an outcome ``y`` and a covariate ``x`` and their cross-product.

    Enough for CUPED (``x`` = the pre-period value) and for ratio metrics
    (``y`` = numerator, ``x`` = denominator), both of which need ``cov(x, y)``.
    """

    n: int = 0
    sum_x: float = 0.0
    sum_y: float = 0.0
    sum_x2: float = 0.0
    sum_y2: float = 0.0
    sum_xy: float = 0.0

    @classmethod
    def of(cls, x: Iterable[float] | FloatArray, y: Iterable[float] | FloatArray) -> CrossMoments:
        xa, ya = _array(x), _array(y)
        if xa.shape != ya.shape:
            raise ValueError(f"x and y differ in length ({xa.size} vs {ya.size})")
        sums = (xa.sum(), ya.sum(), np.dot(xa, xa), np.dot(ya, ya), np.dot(xa, ya))
        return cls(int(xa.size), *(float(s) for s in sums))

    def __add__(self, other: CrossMoments) -> CrossMoments:
        return CrossMoments(
            self.n + other.n, self.sum_x + other.sum_x, self.sum_y + other.sum_y,
            self.sum_x2 + other.sum_x2, self.sum_y2 + other.sum_y2, self.sum_xy + other.sum_xy,
        )  # fmt: skip

    @property
    def x(self) -> Moments:
        return Moments(self.n, self.sum_x, self.sum_x2)

    @property
    def y(self) -> Moments:
        return Moments(self.n, self.sum_y, self.sum_y2)

    @property
    def cov(self) -> float:
        """Unbiased sample covariance of x and y; NaN below two units."""
        if self.n < 2:
            return math.nan
        return (self.sum_xy - self.sum_x * self.sum_y / self.n) / (self.n - 1)
