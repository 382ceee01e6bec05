"""The one streaming protocol every detector follows, and the shared plumbing.

A detector sees one observation at a time: ``update(x, t)`` learns it, ``get()`` is the
anomaly score of the last observation (0 = normal, larger = stranger, always finite) and
``fired`` says whether that score crossed the detector's own alarm threshold. The
threshold is a constructor argument, like every other parameter (river's
``drift/page_hinkley.py``), so a detector is fully described by its class and kwargs.

``t`` (Unix seconds) is optional because only time-aware detectors (the seasonal
baseline) need it; the rest ignore it. Missing values (NaN, inf) are not learnt and
score 0: a gap in the feed is not an anomaly of the metric, and one bad reading must not
poison the baseline.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

SCORE_CAP = 1e6
"""Largest score reported: a spike after a perfectly flat baseline would otherwise be infinite."""


@runtime_checkable
class Detector(Protocol):
    """What the CLI, the benchmark and alert rules rely on."""

    fired: bool

    def update(self, x: float, t: float | None = None) -> None: ...

    def get(self) -> float: ...


class ScoreDetector(ABC):
    """Base for detectors that score an observation against what they learnt before it.

    Scoring happens *before* learning, so an observation is never judged against itself.
    """

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.fired = False
        self._score = 0.0

    def update(self, x: float, t: float | None = None) -> None:
        if not math.isfinite(x):
            self._score, self.fired = 0.0, False
            return
        score = self._score_of(x, t)
        self._score = min(score, SCORE_CAP) if math.isfinite(score) else SCORE_CAP
        self.fired = self._score >= self.threshold
        self._learn(x, t)

    def get(self) -> float:
        return self._score

    @abstractmethod
    def _score_of(self, x: float, t: float | None) -> float:
        """The score of ``x`` given the state so far (no side effects)."""

    @abstractmethod
    def _learn(self, x: float, t: float | None) -> None:
        """Fold ``x`` into the state."""


def deviation(x: float, centre: float, scale: float) -> float:
    """|x − centre| / scale, with a zero scale meaning "anything off-centre is extreme"."""
    gap = abs(x - centre)
    if gap == 0.0:
        return 0.0
    return gap / scale if scale > 0.0 else SCORE_CAP


class EWStats:
    """Exponentially weighted mean and variance that start as the plain running ones.

    The weight is ``max(alpha, 1/n)``: the first ``1/alpha`` values get equal weight (so
    early estimates are not biased towards the first value), after that the baseline
    forgets at rate ``alpha`` and follows slow drift.
    """

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self.n = 0
        self.mean = 0.0
        self.var = 0.0

    def update(self, x: float) -> None:
        self.n += 1
        a = max(self.alpha, 1.0 / self.n)
        d = x - self.mean
        self.mean += a * d
        self.var = (1.0 - a) * (self.var + a * d * d)

    @property
    def std(self) -> float:
        return math.sqrt(self.var)


class Ring:
    """The last ``size`` values; order is not kept, only order-free statistics are taken."""

    def __init__(self, size: int) -> None:
        self._buf: FloatArray = np.empty(size, dtype=np.float64)
        self._next = 0
        self.n = 0

    def append(self, x: float) -> None:
        self._buf[self._next] = x
        self._next = (self._next + 1) % len(self._buf)
        self.n = min(self.n + 1, len(self._buf))

    def values(self) -> FloatArray:
        return self._buf[: self.n]


def robust_centre_scale(values: FloatArray) -> tuple[float, float]:
    """Median and a robust σ: 1.4826·MAD, or 1.2533·mean |dev| when over half the values tie.

    The fallback keeps a mostly flat series with a few different values from getting a
    zero scale (and so infinite scores for ordinary wiggles).
    """
    med = float(np.median(values))
    dev = np.abs(values - med)
    mad = float(np.median(dev))
    return med, (1.4826 * mad if mad > 0.0 else 1.2533 * float(dev.mean()))
