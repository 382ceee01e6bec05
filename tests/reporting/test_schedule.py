"""Schedules: cron matching, due-ness since the last run, relative periods, schedule.yaml validation."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from valueloop.errors import SpecError
from valueloop.reporting.schedule import Schedule, cron_matches, is_due, load_schedules, resolve_period, run_due

NOW = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)  # a Thursday


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("30 8 * * *", True),
        ("*/15 8 * * *", True),
        ("*/20 8 * * *", False),
        ("0-30/10 8 1 * *", True),
        ("30 8 * * 4", True),  # Thursday
        ("30 8 * * 1-3", False),
        ("30 8 15 * 4", True),  # day-of-month OR day-of-week when both are restricted
        ("30 8 * 9,11 *", False),
        ("30 8 * * 7", False),  # 7 is Sunday
    ],
)
def test_cron_matches(expr: str, expected: bool) -> None:
    assert cron_matches(expr, NOW) is expected


def test_bad_cron_is_rejected() -> None:
    with pytest.raises(ValueError, match="5 fields"):
        cron_matches("* * *", NOW)
    with pytest.raises(ValueError, match="outside"):
        cron_matches("61 * * * *", NOW)


def test_due_since_the_last_run() -> None:
    assert is_due("0 8 1 * *", None, NOW)  # fired 30 minutes ago, never run
    assert not is_due("0 8 1 * *", NOW - timedelta(minutes=10), NOW)  # already run after it fired
    assert is_due("0 8 1 * *", NOW - timedelta(days=3), NOW)
    assert not is_due("0 8 2 * *", None, NOW)


def _due_minute_by_minute(expr: str, last: datetime | None, now: datetime) -> bool:
    """The definition, walked a minute at a time (what ``is_due`` computes a day at a time)."""
    t, start = now.replace(second=0, microsecond=0), last if last is not None else now - timedelta(days=1)
    while t > start:
        if cron_matches(expr, t):
            return True
        t -= timedelta(minutes=1)
    return False


@pytest.mark.parametrize("expr", ["30 8 * * *", "*/15 8-9 * * *", "0 0 1 * *", "0 9 * * 1", "59 23 31 12 *",
                                  "0 6 15 * 4", "0 12 29 2 *", "*/7 * * * *"])  # fmt: skip
def test_due_agrees_with_the_minute_by_minute_definition(expr: str) -> None:
    rng = random.Random(expr)
    for _ in range(40):
        now = NOW + timedelta(minutes=rng.randrange(-200_000, 200_000), seconds=rng.randrange(60))
        last = None if rng.random() < 0.2 else now - timedelta(minutes=rng.choice([1, 30, 600, 1440, 2880, 40_000]))
        assert is_due(expr, last, now) == _due_minute_by_minute(expr, last, now), (expr, last, now)


def test_due_after_years_is_quick() -> None:
    """A leap-day cron last run four years ago: a day-by-day walk, not two million minutes."""
    assert is_due("0 12 29 2 *", NOW - timedelta(days=4 * 366), NOW)
    assert not is_due("0 12 29 2 *", datetime(2024, 3, 1, tzinfo=UTC), NOW)


def test_relative_periods() -> None:
    today = date(2026, 10, 1)
    assert [resolve_period(p, today) for p in ("previous-month", "current-month", "previous-quarter")] == [
        "2026-09",
        "2026-10",
        "2026-Q3",
    ]
    assert resolve_period("2026-Q2", today) == "2026-Q2"


def test_schedule_file_problems_have_lines(tmp_path: Path) -> None:
    file = tmp_path / "schedule.yaml"
    file.write_text(
        "- {name: ok, cron: '0 8 1 * *', webhook: 'http://x'}\n"
        "- {name: bad, cron: '0 8 1 *', webhook: 'http://x'}\n"
        "- {name: worse, cron: '0 8 1 * *', format: doc}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as err:
        load_schedules(file)
    text = str(err.value)
    assert "schedule.yaml:2: [1].cron" in text and "schedule.yaml:3: [2].webhook" in text and "[2].format" in text
    assert load_schedules(tmp_path / "none.yaml") == []


def test_run_due_posts_once_and_records_the_run() -> None:
    sent: list[tuple[str, str]] = []
    schedules = [
        Schedule(name="monthly", cron="0 8 1 * *", webhook="http://hook", period="previous-quarter"),
        Schedule(name="second", cron="0 9 2 * *", webhook="http://hook"),
    ]
    state: dict[str, str] = {}

    def produce(s: Schedule, period: str) -> dict[str, str]:
        return {"schedule": s.name, "period": period, "file": f"{s.name}.pdf"}

    results = run_due(schedules, state, NOW, produce, lambda url, p: sent.append((url, p["period"])))
    assert [r.status for r in results] == ["sent", "not due"]
    assert sent == [("http://hook", "2026-Q3")] and state == {"monthly": NOW.isoformat()}
    again = run_due(schedules, state, NOW + timedelta(minutes=5), produce, lambda url, p: sent.append((url, "x")))
    assert [r.status for r in again] == ["not due", "not due"] and len(sent) == 1


def test_a_failing_webhook_is_reported_and_retried_next_time() -> None:
    def boom(url: str, payload: dict[str, str]) -> None:
        raise ConnectionError("refused")

    state: dict[str, str] = {}
    s = Schedule(name="m", cron="0 8 1 * *", webhook="http://hook")
    [r] = run_due([s], state, NOW, lambda s, p: {"period": p}, boom)
    assert r.status == "failed" and isinstance(r.error, str) and "refused" in r.error and state == {}
