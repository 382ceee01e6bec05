"""Survey figures per period: which day, week or month a moment falls in, and the NPS of a set of answers. Pure.

Periods are calendar periods in the workspace's time zone (a week starts on Monday, ISO 8601),
named by their first day, so a chart's axis reads the same as the dashboard's other trends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")


def period_start(moment: datetime, period: Period, tz: str) -> date:
    """The first day of the ``period`` that ``moment`` falls in, in the zone ``tz``.

    >>> from datetime import UTC
    >>> period_start(datetime(2026, 6, 10, 20, 0, tzinfo=UTC), "day", "Asia/Shanghai")  # 04:00 next day there
    datetime.date(2026, 6, 11)
    >>> wednesday = datetime(2026, 6, 10, tzinfo=UTC)
    >>> period_start(wednesday, "week", "UTC"), period_start(wednesday, "month", "UTC")
    (datetime.date(2026, 6, 8), datetime.date(2026, 6, 1))
    """
    day = (moment.astimezone(ZoneInfo(tz)) if moment.tzinfo else moment).date()
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def nps(scores: Iterable[int]) -> float | None:
    """Net Promoter Score: % promoters (9–10) − % detractors (0–6), from −100 to 100; None without answers.

    >>> nps([10, 9, 8, 6, 0])
    0.0
    """
    got = list(scores)
    if not got:
        return None
    return 100.0 * (sum(s >= 9 for s in got) - sum(s <= 6 for s in got)) / len(got)


def mean(values: Iterable[int]) -> float | None:
    got = list(values)
    return sum(got) / len(got) if got else None
