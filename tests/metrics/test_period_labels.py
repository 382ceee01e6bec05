"""Period labels: bounds and neighbours, and labels whose neighbours would not be dates."""

from __future__ import annotations

from datetime import date

import pytest

from valueloop.errors import InputError
from valueloop.metrics.periods import Period, first_day, next_first_day, previous
from valueloop.spec.model import Grain


@pytest.mark.parametrize(
    ("label", "grain", "start", "after", "before"),
    [
        ("2026-03", Grain.month, date(2026, 3, 1), date(2026, 4, 1), "2026-02"),
        ("2026-12", Grain.month, date(2026, 12, 1), date(2027, 1, 1), "2026-11"),
        ("2026-Q1", Grain.quarter, date(2026, 1, 1), date(2026, 4, 1), "2025-Q4"),
        ("2026", Grain.year, date(2026, 1, 1), date(2027, 1, 1), "2025"),
        ("2026-W01", Grain.week, date(2025, 12, 29), date(2026, 1, 5), "2025-W52"),
        ("2026-03-01", Grain.day, date(2026, 3, 1), date(2026, 3, 2), "2026-02-28"),
    ],
)
def test_bounds_and_neighbours(label: str, grain: Grain, start: date, after: date, before: str) -> None:
    assert first_day(label, grain) == start
    assert next_first_day(label, grain) == after
    assert previous(label, grain) == before


@pytest.mark.parametrize(("label", "grain"), [("9999-12", Grain.month), ("0001-01", Grain.month), ("9999", Grain.year),
                                              ("0000-Q1", Grain.quarter), ("2026-13", Grain.month)])  # fmt: skip
def test_labels_without_date_neighbours_are_input_errors(label: str, grain: Grain) -> None:
    with pytest.raises(InputError, match=label):
        next_first_day(label, grain)


@pytest.mark.parametrize(
    ("label", "grain", "first", "last", "prev", "nxt"),
    [
        ("2024-02", Grain.month, date(2024, 2, 1), date(2024, 2, 29), "2024-01", "2024-03"),
        ("2026-Q1", Grain.quarter, date(2026, 1, 1), date(2026, 3, 31), "2025-Q4", "2026-Q2"),
        ("2026-W01", Grain.week, date(2025, 12, 29), date(2026, 1, 4), "2025-W52", "2026-W02"),
        ("2026", Grain.year, date(2026, 1, 1), date(2026, 12, 31), "2025", "2027"),
        ("2026-12-31", Grain.day, date(2026, 12, 31), date(2026, 12, 31), "2026-12-30", "2027-01-01"),
    ],
)
def test_a_period_value_knows_its_days_and_neighbours(
    label: str, grain: Grain, first: date, last: date, prev: str, nxt: str
) -> None:
    p = Period.parse(label, grain)
    assert (p.first_day, p.last_day, str(p.previous), str(p.next)) == (first, last, prev, nxt)
    assert p.version_day == first  # the version in force is the first day's, for the whole period
    start, end = p.bounds_utc("Asia/Shanghai")
    assert (end - start).days == (last - first).days + 1 and start.hour == 16  # local midnight, UTC+8


def test_a_period_value_refuses_a_label_of_another_grain() -> None:
    with pytest.raises(InputError, match="is not a month"):
        Period.parse("2026-Q1", Grain.month)
