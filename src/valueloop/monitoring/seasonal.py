"""Seasonal baseline: compare a value with the same slot of past periods.

Traffic at 09:00 on a Monday is judged against earlier Mondays at 09:00, not against
last night. A slot is ``(t mod period) // bucket`` — hour of day by default, minute of
week with ``period=604800, bucket=60`` — and keeps its own last ``depth`` values; the
score is the robust z-score within the slot. A slot's scale is floored at ``floor``
times the series' overall standard deviation: a slot that happened to be flat (night-time
zeros) would otherwise make every small wobble an infinitely strange value. When the feed carries no timestamps,
observations are assumed ``step`` seconds apart.
"""

from __future__ import annotations

import math

from valueloop.monitoring.base import EWStats, Ring, ScoreDetector, deviation, robust_centre_scale

DAY = 86_400.0
WEEK = 7 * DAY


class SeasonalBaseline(ScoreDetector):
    """Alarm when the robust z-score within the value's slot reaches ``threshold``.

    The default 7.5 is NAB's best threshold for this score (3.5 floods real traffic).

    >>> d = SeasonalBaseline(period=4.0, bucket=1.0, min_samples=2)
    >>> for i, x in enumerate([1, 5, 1, 5, 1, 5, 1, 5, 9]): d.update(x, t=float(i))
    >>> d.fired
    True
    """

    def __init__(
        self,
        period: float = DAY,
        bucket: float = 3600.0,
        depth: int = 36,
        threshold: float = 7.5,
        min_samples: int = 6,
        step: float = 300.0,
        floor: float = 0.3,
    ) -> None:
        super().__init__(threshold)
        self.period = period
        self.bucket = bucket
        self.depth = depth
        self.min_samples = min_samples
        self.step = step
        self.floor = floor
        self._overall = EWStats(0.001)
        self._slots: dict[int, Ring] = {}
        self._last_t: float | None = None

    def update(self, x: float, t: float | None = None) -> None:
        super().update(x, t)
        if not math.isfinite(x):  # a gap still moves the clock
            self._last_t = self._time(t)

    def _time(self, t: float | None) -> float:
        if t is not None:
            return t
        return 0.0 if self._last_t is None else self._last_t + self.step

    def _slot(self, t: float) -> int:
        return int((t % self.period) // self.bucket)

    def _score_of(self, x: float, t: float | None) -> float:
        ring = self._slots.get(self._slot(self._time(t)))
        if ring is None or ring.n < self.min_samples:
            return 0.0
        centre, scale = robust_centre_scale(ring.values())
        return deviation(x, centre, max(scale, self.floor * self._overall.std))

    def _learn(self, x: float, t: float | None) -> None:
        now = self._time(t)
        self._slots.setdefault(self._slot(now), Ring(self.depth)).append(x)
        self._last_t = now
        self._overall.update(x)
