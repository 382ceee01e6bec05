"""Fixed limits: the policy's own rules, no learning beyond a benchmark.

:class:`StaticThreshold` alarms outside a configured band. :class:`BenchmarkRatio` is the
policy's early-warning rule — response time ``factor`` (``spec.policy.WARNING_FACTOR``, 1.2: 20%) over the
industry benchmark — and scores ``x / benchmark``, so the score reads as "times the
benchmark". Without a benchmark it takes the median of the first ``warmup`` values, the
service's own norm, and then keeps it fixed: a benchmark that followed the data would
quietly accept a slow service as normal.
"""

from __future__ import annotations

import math

import numpy as np

from valueloop.monitoring.base import ScoreDetector
from valueloop.spec.policy import WARNING_FACTOR


class StaticThreshold(ScoreDetector):
    """Alarm when ``x > upper`` or ``x < lower``; score = distance outside the band / |limit|.

    >>> d = StaticThreshold(upper=100.0)
    >>> d.update(130.0); d.fired, round(d.get(), 2)
    (True, 0.3)
    """

    def __init__(self, upper: float = math.inf, lower: float = -math.inf) -> None:
        super().__init__(threshold=0.0)
        self.upper = upper
        self.lower = lower

    def update(self, x: float, t: float | None = None) -> None:
        super().update(x, t)
        self.fired = math.isfinite(x) and (x > self.upper or x < self.lower)

    def _score_of(self, x: float, t: float | None) -> float:
        return max(_excess(x - self.upper, self.upper), _excess(self.lower - x, self.lower))

    def _learn(self, x: float, t: float | None) -> None:
        pass


def _excess(gap: float, limit: float) -> float:
    if not gap > 0.0:
        return 0.0
    return gap / abs(limit) if limit != 0.0 else gap


class BenchmarkRatio(ScoreDetector):
    """Alarm when ``x ≥ factor × benchmark``; score = x / benchmark.

    >>> d = BenchmarkRatio(benchmark=50.0)
    >>> d.update(61.0); d.fired, round(d.get(), 2)
    (True, 1.22)
    """

    def __init__(self, benchmark: float | None = None, factor: float = WARNING_FACTOR, warmup: int = 288) -> None:
        super().__init__(threshold=factor)
        self.benchmark = benchmark
        self.factor = factor
        self.warmup = warmup
        self._seen: list[float] = []

    def _score_of(self, x: float, t: float | None) -> float:
        if self.benchmark is None:
            return 0.0
        if self.benchmark <= 0.0:
            return 0.0 if x <= 0.0 else math.inf
        return max(x / self.benchmark, 0.0)

    def _learn(self, x: float, t: float | None) -> None:
        if self.benchmark is not None:
            return
        self._seen.append(x)
        if len(self._seen) >= self.warmup:
            self.benchmark = float(np.median(self._seen))
            self._seen = []
