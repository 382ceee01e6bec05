"""Two-sided tabular CUSUM (Page 1954; Montgomery §9.1) on a slowly learnt baseline.

Each standardised value u = (x − μ)/σ feeds two sums, C⁺ = max(0, C⁺ + u − k) and
C⁻ = max(0, C⁻ − u − k); either reaching h signals a shift. k (in σ) is half the shift
worth detecting, h trades false alarms against delay. After a signal both sums restart
from zero, as a chart is restarted after the cause is found. The score is max(C⁺, C⁻).
"""

from __future__ import annotations

from valueloop.monitoring.base import SCORE_CAP, EWStats, ScoreDetector


class CUSUM(ScoreDetector):
    """Alarm when C⁺ or C⁻ reaches h = ``threshold``.

    >>> d = CUSUM(min_samples=5)
    >>> for x in [10, 11, 12, 10, 11, 12, 10, 11, 50]: d.update(x)
    >>> d.fired
    True
    """

    def __init__(self, k: float = 0.5, threshold: float = 5.0, alpha: float = 0.001, min_samples: int = 30) -> None:
        super().__init__(threshold)
        self.k = k
        self.alpha = alpha
        self.min_samples = min_samples
        self._base = EWStats(alpha)
        self._hi = 0.0
        self._lo = 0.0

    def _sums(self, x: float) -> tuple[float, float]:
        if self._base.n < self.min_samples:
            return 0.0, 0.0
        sd = self._base.std
        gap = x - self._base.mean
        u = gap / sd if sd > 0.0 else (0.0 if gap == 0.0 else SCORE_CAP if gap > 0 else -SCORE_CAP)
        return max(0.0, self._hi + u - self.k), max(0.0, self._lo - u - self.k)

    def _score_of(self, x: float, t: float | None) -> float:
        return max(self._sums(x))

    def _learn(self, x: float, t: float | None) -> None:
        hi, lo = self._sums(x)
        self._hi, self._lo = (0.0, 0.0) if self.fired else (min(hi, SCORE_CAP), min(lo, SCORE_CAP))
        self._base.update(x)
