"""KPI windows over an event stream: count, rate and exact p50/p90.

:class:`SlidingWindow` answers "the last 15 (or 60) minutes" after every event: the
window is ``(t − width, t]`` at the newest event's time ``t``. :class:`TumblingWindow`
cuts time into fixed ``[k·width, (k+1)·width)`` buckets (a minute by default) and hands
back each bucket as it closes, empty ones included, because a minute without traffic is
itself a signal. Both keep the window's values sorted, so quantiles are exact, not
sketched; the window sizes monitoring uses hold thousands of events, not millions.

Events must arrive in time order. A missing value (NaN) is still an event: it counts
towards ``count`` and ``rate`` but not towards the quantiles.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass

from valueloop.errors import InputError
from valueloop.monitoring.quantile import sorted_quantile


@dataclass(frozen=True)
class WindowStats:
    """One window: ``[start, end)`` for tumbling, ``(start, end]`` for sliding windows."""

    start: float
    end: float
    count: int
    rate: float  # events per minute
    p50: float
    p90: float


def stats_of(start: float, end: float, count: int, ordered: list[float]) -> WindowStats:
    """The KPIs of a window from its event count and its sorted finite values."""
    rate = count * 60.0 / (end - start)
    return WindowStats(start, end, count, rate, sorted_quantile(ordered, 0.5), sorted_quantile(ordered, 0.9))


class _Ordered:
    """Events in arrival order plus their finite values in sorted order."""

    def __init__(self) -> None:
        self.events: deque[tuple[float, float]] = deque()
        self.ordered: list[float] = []
        self.last_t = -math.inf

    def add(self, x: float, t: float) -> None:
        if t < self.last_t:
            raise InputError(f"event at t={t} arrived after t={self.last_t}: windows need time order")
        self.last_t = t
        self.events.append((t, x))
        if math.isfinite(x):
            bisect.insort(self.ordered, x)

    def drop_oldest(self) -> None:
        _, x = self.events.popleft()
        if math.isfinite(x):
            del self.ordered[bisect.bisect_left(self.ordered, x)]


class SlidingWindow:
    """KPIs over ``(t − width, t]`` at the latest event time ``t`` (seconds).

    >>> w = SlidingWindow(width=900.0)
    >>> for t, x in [(0, 1.0), (60, 3.0), (960, 5.0)]: w.update(x, t)
    >>> w.get().count, w.get().p50
    (1, 5.0)
    """

    def __init__(self, width: float = 900.0) -> None:
        self.width = width
        self._state = _Ordered()

    def update(self, x: float, t: float) -> None:
        self._state.add(x, t)
        self._expire()

    def _expire(self) -> None:
        cutoff = self._state.last_t - self.width
        while self._state.events and self._state.events[0][0] <= cutoff:
            self._state.drop_oldest()

    def get(self) -> WindowStats:
        end = self._state.last_t if self._state.events else 0.0
        return stats_of(end - self.width, end, len(self._state.events), self._state.ordered)

    def retained(self) -> list[tuple[float, float]]:
        """The (t, x) events still inside the window, oldest first."""
        return list(self._state.events)

    def restore(self, events: list[tuple[float, float]]) -> None:
        """Replace the state by ``events`` (time-ordered), as after processing them."""
        self._state = _Ordered()
        for t, x in events:
            self._state.add(x, t)
        self._expire()


class TumblingWindow:
    """KPIs per ``[k·width, (k+1)·width)`` bucket; ``update`` returns the buckets it closed.

    >>> w = TumblingWindow(width=60.0)
    >>> [s.count for s in w.update(1.0, 5.0) + w.update(2.0, 30.0) + w.update(3.0, 150.0)]
    [2, 0]
    >>> w.get().count, w.get().start
    (1, 120.0)
    """

    def __init__(self, width: float = 60.0) -> None:
        self.width = width
        self._state = _Ordered()
        self._bucket: int | None = None

    def update(self, x: float, t: float) -> list[WindowStats]:
        bucket = math.floor(t / self.width)
        closed: list[WindowStats] = []
        if self._bucket is not None and bucket > self._bucket:
            closed.append(self.get())
            closed += [self._empty(k) for k in range(self._bucket + 1, bucket)]
            self._state.events.clear()
            self._state.ordered.clear()
        if self._bucket is None or bucket > self._bucket:
            self._bucket = bucket
        self._state.add(x, t)
        return closed

    def _empty(self, bucket: int) -> WindowStats:
        return stats_of(bucket * self.width, (bucket + 1) * self.width, 0, [])

    def get(self) -> WindowStats:
        """The open bucket so far (an empty bucket at 0 before any event)."""
        k = self._bucket or 0
        return stats_of(k * self.width, (k + 1) * self.width, len(self._state.events), self._state.ordered)
