"""Periods: labels (``2026-03``, ``2026-Q3``, ``2026-W09``), their bounds and neighbours.

A period is the half-open interval between two local midnights, turned into UTC instants
(:func:`bounds_utc`); the engine places rows by comparing instants with those bounds, which
is exact across daylight-saving changes and the same on DuckDB and Spark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from valueloop.errors import InputError
from valueloop.spec.model import Grain

_PATTERNS = {
    Grain.year: r"^(\d{4})$",
    Grain.quarter: r"^(\d{4})-Q([1-4])$",
    Grain.month: r"^(\d{4})-(\d{2})$",
    Grain.day: r"^(\d{4})-(\d{2})-(\d{2})$",
    Grain.week: r"^(\d{4})-W(\d{2})$",
}


MIN_YEAR, MAX_YEAR = 2, date.max.year - 1


def first_day(label: str, grain: Grain) -> date:
    m = re.match(_PATTERNS[grain], label)
    if not m:
        raise InputError(f"period {label!r} is not a {grain.value} (e.g. {example(grain)})")
    parts = [int(g) for g in m.groups()]
    if not MIN_YEAR <= parts[0] <= MAX_YEAR:  # so the neighbours (previous, next) are dates too
        raise InputError(f"period {label!r}: years {MIN_YEAR}–{MAX_YEAR} are supported")
    try:
        if grain is Grain.year:
            return date(parts[0], 1, 1)
        if grain is Grain.quarter:
            return date(parts[0], 3 * parts[1] - 2, 1)
        if grain is Grain.month:
            return date(parts[0], parts[1], 1)
        if grain is Grain.day:
            return date(parts[0], parts[1], parts[2])
        return date.fromisocalendar(parts[0], parts[1], 1)
    except ValueError as err:
        raise InputError(f"period {label!r}: {err}") from err


def version_day(label: str, grain: Grain) -> date:
    """The day whose model version is in force for the whole period ``label``: its first day.

    Evaluation has always scored a period with the version effective on its first day, and the
    published scores are evaluation's, so diagnosis and reviews read the same day: a version
    that takes effect during a period applies from the next period on, never to part of one
    (a review of a year sees the version its first month was scored with).
    """
    return first_day(label, grain)


def example(grain: Grain) -> str:
    return {
        Grain.year: "2026",
        Grain.quarter: "2026-Q3",
        Grain.month: "2026-03",
        Grain.day: "2026-03-05",
        Grain.week: "2026-W09",
    }[grain]


def label_of(day: date, grain: Grain) -> str:
    if grain is Grain.year:
        return f"{day.year}"
    if grain is Grain.quarter:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if grain is Grain.month:
        return f"{day.year}-{day.month:02d}"
    if grain is Grain.day:
        return day.isoformat()
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def next_first_day(label: str, grain: Grain) -> date:
    start = first_day(label, grain)
    if grain is Grain.day:
        return start + timedelta(days=1)
    if grain is Grain.week:
        return start + timedelta(days=7)
    months = {Grain.month: 1, Grain.quarter: 3, Grain.year: 12}[grain]
    y, m = divmod(start.month - 1 + months, 12)
    return date(start.year + y, m + 1, 1)


def previous(label: str, grain: Grain) -> str:
    return label_of(first_day(label, grain) - timedelta(days=1), grain)


def bounds_utc(label: str, grain: Grain, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of the period in UTC, for range filters the engine can push down."""
    zone = ZoneInfo(timezone)

    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)

    return at(first_day(label, grain)), at(next_first_day(label, grain))


@dataclass(frozen=True)
class Period:
    """One period as a value: its label and grain, its days and instants, its neighbour.

    The functions above are its rules; this is what a use case passes around, so a period's
    first day, last day and the version in force are never worked out twice.
    """

    label: str
    grain: Grain

    @classmethod
    def parse(cls, label: str, grain: Grain) -> Period:
        """A checked period (raises InputError naming the expected shape)."""
        first_day(label, grain)
        return cls(label, grain)

    @classmethod
    def containing(cls, day: date, grain: Grain) -> Period:
        return cls(label_of(day, grain), grain)

    @property
    def first_day(self) -> date:
        return first_day(self.label, self.grain)

    @property
    def last_day(self) -> date:
        return next_first_day(self.label, self.grain) - timedelta(days=1)

    @property
    def version_day(self) -> date:
        """The day whose model version is in force for the whole period (see :func:`version_day`)."""
        return version_day(self.label, self.grain)

    @property
    def previous(self) -> Period:
        return Period(previous(self.label, self.grain), self.grain)

    @property
    def next(self) -> Period:
        return Period.containing(next_first_day(self.label, self.grain), self.grain)

    def bounds_utc(self, timezone: str) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local midnights of the first day and of the next period's first day."""
        return bounds_utc(self.label, self.grain, timezone)

    def __str__(self) -> str:
        return self.label
