"""Robust z-score against a rolling baseline: |x − median| / (1.4826·MAD).

Median and MAD ignore the outliers that mean and standard deviation chase, so one spike
in the baseline does not hide the next one. The baseline is the last ``window``
values before ``x``; nothing is scored until ``min_samples`` have been seen.
"""

from __future__ import annotations

from valueloop.monitoring.base import Ring, ScoreDetector, deviation, robust_centre_scale


class RobustZScore(ScoreDetector):
    """Alarm when the robust z-score reaches ``threshold`` (3.5, Iglewicz & Hoaglin).

    >>> d = RobustZScore(window=10, min_samples=5)
    >>> for x in [10, 11, 12, 10, 11, 12, 50]: d.update(x)
    >>> d.fired
    True
    """

    def __init__(self, window: int = 144, threshold: float = 3.5, min_samples: int = 30) -> None:
        super().__init__(threshold)
        self.window = window
        self.min_samples = min_samples
        self._ring = Ring(window)

    def _score_of(self, x: float, t: float | None) -> float:
        if self._ring.n < self.min_samples:
            return 0.0
        centre, scale = robust_centre_scale(self._ring.values())
        return deviation(x, centre, scale)

    def _learn(self, x: float, t: float | None) -> None:
        self._ring.append(x)
