"""Time for the synthetic data: the window, local-time seasonality, UTC microseconds.

Everything is computed as int64 microseconds since the epoch in UTC, the unit the
canonical ``timestamp('us', tz='UTC')`` columns store, so no datetime objects are
created per row. Seasonality (busier weekdays, office hours, evening shopping) is
defined in Asia/Shanghai local time, as the people being served live there; the
zone has no daylight saving, so local = UTC + 8 h exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt

IntArr = npt.NDArray[np.int64]
FloatArr = npt.NDArray[np.float64]
BoolArr = npt.NDArray[np.bool_]

US: Final = 1_000_000
MINUTE: Final = 60 * US
HOUR: Final = 3600 * US
DAY: Final = 86_400 * US
TZ_OFFSET: Final = 8 * HOUR
TIMEZONE: Final = "Asia/Shanghai"

#: Monday … Sunday: service desks are busiest at the start of the week.
WEEKDAY_WEIGHTS: Final = np.array([1.15, 1.05, 1.0, 1.0, 1.05, 0.7, 0.6])

_OFFICE = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 4, 7, 8, 7.5, 5.5, 6.5, 7.5, 7.5, 6.5, 5, 3.5, 3, 2.5, 1.8, 1, 0.5]
_EVENING = [1.5, 0.8, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3.5, 4, 4, 4.5, 4, 4, 4, 4, 4.5, 5, 6, 7.5, 8, 6, 3]
_STORE = [0.0] * 9 + [4, 6, 6, 5, 5, 6, 6, 6, 5, 4, 3] + [0.0] * 4


def _norm(values: list[float] | FloatArr) -> FloatArr:
    arr = np.asarray(values, dtype=np.float64)
    out: FloatArr = arr / arr.sum()
    return out


#: Hour-of-day profiles (local time), each summing to one.
OFFICE_HOURS: Final = _norm(_OFFICE)
EVENING_HOURS: Final = _norm(_EVENING)
STORE_HOURS: Final = _norm(_STORE)
ROUND_THE_CLOCK: Final = _norm(0.45 * OFFICE_HOURS + 0.45 * EVENING_HOURS + 0.1 / 24)


@dataclass(frozen=True)
class Window:
    """The calendar months the data covers, ending at the export moment."""

    first_day: date
    last_day: date
    month_labels: tuple[str, ...]
    month_starts: IntArr  # UTC µs of each local month start, plus the end of the window

    @property
    def n_days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start_us(self) -> int:
        return int(self.month_starts[0])

    @property
    def export_us(self) -> int:
        """The moment the data was 'exported': nothing may happen after it."""
        return int(self.month_starts[-1])

    def day_starts(self) -> IntArr:
        return self.start_us + np.arange(self.n_days, dtype=np.int64) * DAY

    def month_of(self, ts: IntArr) -> IntArr:
        """Index of the local calendar month each instant falls in."""
        return (np.searchsorted(self.month_starts, ts, side="right") - 1).astype(np.int64)


def local_midnight_us(day: date) -> int:
    """UTC microseconds of midnight in Shanghai on ``day``."""
    return (day - date(1970, 1, 1)).days * DAY - TZ_OFFSET


def make_window(end: date, months: int) -> Window:
    """Whole local months ending with the month of ``end`` (which may be partial)."""
    year, month = end.year, end.month - months + 1
    while month < 1:
        year, month = year - 1, month + 12
    first = date(year, month, 1)
    starts, labels = [], []
    y, m = year, month
    for _ in range(months):
        labels.append(f"{y:04d}-{m:02d}")
        starts.append(local_midnight_us(date(y, m, 1)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    starts.append(local_midnight_us(end + timedelta(days=1)))
    return Window(first, end, tuple(labels), np.array(starts, dtype=np.int64))


def day_weights(window: Window, weekday: FloatArr = WEEKDAY_WEIGHTS, growth: float = 0.15) -> FloatArr:
    """Relative volume per day: weekly rhythm times a gentle upward business trend."""
    days = np.arange(window.n_days)
    dow = (days + window.first_day.weekday()) % 7
    weights = weekday[dow] * (1.0 + growth * days / max(window.n_days - 1, 1))
    return _norm(weights)


def sample_times(rng: np.random.Generator, n: int, window: Window, hours: FloatArr, days: FloatArr) -> IntArr:
    """``n`` instants: a day by ``days`` weights, a local hour by ``hours``, then uniform within the hour."""
    day = rng.choice(window.n_days, size=n, p=days)
    hour = rng.choice(24, size=n, p=hours)
    within = rng.integers(0, HOUR, size=n, dtype=np.int64)
    return window.day_starts()[day] + hour.astype(np.int64) * HOUR + within


def local_hour(ts: IntArr) -> IntArr:
    """Hour of day in Shanghai for UTC instants."""
    return ((ts + TZ_OFFSET) // HOUR) % 24


def iso_utc(us: int) -> str:
    """An instant as an ISO-8601 string with a ``Z`` suffix, for STORIES.json."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
