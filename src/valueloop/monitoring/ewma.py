"""EWMA control chart on a slowly learnt baseline.

The statistic z follows the data at rate ``lam`` and is compared with the baseline
mean μ in units of its own standard deviation σ·√(λ/(2−λ)) (the asymptotic EWMA
limits, Montgomery §9.2): a small ``lam`` catches small sustained shifts, a large one
reacts to spikes. μ and σ are exponentially weighted at the much slower rate ``alpha``,
so the chart keeps up with drift over days but not with an incident over minutes.

The default L is 7, not the textbook 3: real KPI series are autocorrelated and heavy
tailed, so σ_z computed as if they were independent is too small. On the NAB subset
L = 3 flags thousands of normal rows (normalised score −721) while L = 7 scores 61.3,
next to the 61.8 of the best threshold chosen after the fact (``bench/nab_bench.py``).
"""

from __future__ import annotations

import math

from valueloop.monitoring.base import EWStats, ScoreDetector, deviation


class EWMAChart(ScoreDetector):
    """Alarm when z leaves μ ± L·σ_z, with L = ``threshold``.

    >>> d = EWMAChart(min_samples=5)
    >>> for x in [10, 11, 12, 10, 11, 12, 10, 11, 50]: d.update(x)
    >>> d.fired
    True
    """

    def __init__(self, lam: float = 0.3, alpha: float = 0.003, threshold: float = 7.0, min_samples: int = 30) -> None:
        super().__init__(threshold)
        self.lam = lam
        self.alpha = alpha
        self.min_samples = min_samples
        self._base = EWStats(alpha)
        self._z: float | None = None

    def _next_z(self, x: float) -> float:
        return x if self._z is None else self._z + self.lam * (x - self._z)

    def _score_of(self, x: float, t: float | None) -> float:
        if self._base.n < self.min_samples:
            return 0.0
        sigma_z = self._base.std * math.sqrt(self.lam / (2.0 - self.lam))
        return deviation(self._next_z(x), self._base.mean, sigma_z)

    def _learn(self, x: float, t: float | None) -> None:
        self._z = self._next_z(x)
        self._base.update(x)
