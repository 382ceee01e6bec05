"""Scheduled reports: ``schedule.yaml`` in the workspace, a cron expression per report, a webhook to deliver to.

Pure: which schedules are due, and for which period. Building, rendering and posting are
passed in by the adapter (``valueloop schedule run``), so this module touches no storage
or network.

>>> cron_matches("0 8 1 * *", datetime(2026, 10, 1, 8, 0))
True
>>> resolve_period("previous-quarter", date(2026, 10, 1))
'2026-Q3'
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from valueloop.metrics.periods import label_of, previous
from valueloop.results import MISSING, Result
from valueloop.spec.locale import LangField
from valueloop.spec.model import Grain
from valueloop.spec.yamlsource import Problem, load_yaml

SCHEDULE_FILE = "schedule.yaml"
RELATIVE = {
    "current-month": (Grain.month, 0),
    "previous-month": (Grain.month, 1),
    "current-quarter": (Grain.quarter, 0),
    "previous-quarter": (Grain.quarter, 1),
}
_FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
LOOKBACK = timedelta(days=1)
"""A schedule never run before is due when its cron fired within this window."""


class Schedule(BaseModel):
    name: str
    cron: str
    webhook: str
    period: str = "previous-month"
    format: Literal["html", "pdf", "xlsx"] = "pdf"
    lang: LangField = "zh"
    level: str | None = None
    model: str | None = None


def _values(field: str, low: int, high: int) -> set[int]:
    out: set[int] = set()
    for part in field.split(","):
        body, _, step = part.partition("/")
        if body == "*":
            start, end = low, high
        elif "-" in body:
            a, b = body.split("-", 1)
            start, end = int(a), int(b)
        else:
            start = end = int(body)
            end = high if step else end
        if not (low <= start <= end <= high) or (step and int(step) < 1):
            raise ValueError(f"{part!r} is outside {low}-{high}")
        out |= set(range(start, end + 1, int(step) if step else 1))
    return out


def parse_cron(expr: str) -> list[set[int]]:
    """Five fields (minute hour day-of-month month day-of-week; 0 and 7 are Sunday): ``*``, ``a-b``, ``*/n``, lists."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"cron {expr!r} needs 5 fields (minute hour day month weekday)")
    sets = [_values(f, lo, hi) for f, (lo, hi) in zip(fields, _FIELDS, strict=True)]
    if 7 in sets[4]:
        sets[4] = (sets[4] - {7}) | {0}
    return sets


def _day_matches(sets: list[set[int]], fields: list[str], day: date) -> bool:
    """As in cron: when both day-of-month and day-of-week are restricted, either one matches."""
    _, _, dom, month, dow = sets
    day_ok = {day.day in dom, (day.isoweekday() % 7) in dow}
    return day.month in month and (any(day_ok) if fields[2] != "*" and fields[4] != "*" else all(day_ok))


def cron_matches(expr: str, t: datetime) -> bool:
    """Whether ``expr`` fires at ``t``'s minute."""
    sets = parse_cron(expr)
    return t.minute in sets[0] and t.hour in sets[1] and _day_matches(sets, expr.split(), t.date())


def is_due(expr: str, last: datetime | None, now: datetime) -> bool:
    """Whether the cron fired in ``(last, now]`` (``(now − LOOKBACK, now]`` when never run).

    Walks back a day at a time and looks at a day's firing times only when the cron allows
    the day, so a schedule last run years ago costs a few thousand steps, not one per minute.
    """
    sets = parse_cron(expr)
    fields = expr.split()
    start = last if last is not None else now - LOOKBACK
    end = now.replace(second=0, microsecond=0)
    times = sorted(((h, m) for h in sets[1] for m in sets[0]), reverse=True)
    day = end.date()
    while datetime.combine(day + timedelta(days=1), time(), end.tzinfo) > start:
        if _day_matches(sets, fields, day):
            for hour, minute in times:  # the latest firing of the day not after ``end``
                t = datetime.combine(day, time(hour, minute), end.tzinfo)
                if t <= end:
                    return t > start
        day -= timedelta(days=1)
    return False


def resolve_period(spec: str, today: date) -> str:
    """``previous-month`` and the like against ``today``, or an explicit label as is."""
    if spec not in RELATIVE:
        return spec
    grain, back = RELATIVE[spec]
    label = label_of(today, grain)
    return previous(label, grain) if back else label


def load_schedules(file: Path) -> list[Schedule]:
    """The schedules in ``file`` (none without one); every problem with file:line, raised once."""
    if not file.is_file():
        return []
    doc = load_yaml(file)
    items = doc.data or []
    if not isinstance(items, list):
        doc.fail([Problem((), "expected a list of {name, cron, webhook, period, format, lang, level}")])
    problems, out = [], []
    for i, item in enumerate(items):
        try:
            schedule = Schedule.model_validate(item)
            parse_cron(schedule.cron)
        except ValidationError as err:
            problems += [Problem((i, *e["loc"]), e["msg"]) for e in err.errors()]
            continue
        except ValueError as err:
            problems.append(Problem((i, "cron"), str(err)))
            continue
        out.append(schedule)
    doc.fail(problems)
    return out


Produce = Callable[[Schedule, str], dict[str, Any]]
Post = Callable[[str, dict[str, Any]], None]


class ScheduleOutcome(Result):
    """One schedule's run: ``sent`` (period, file), ``failed`` (period, error; it stays due) or ``not due``
    (last run). The keys of the other outcomes are left out, not null."""

    schedule: str
    status: Literal["sent", "failed", "not due"]
    last_run: str | MISSING | None = MISSING
    period: str | MISSING | None = MISSING
    file: str | MISSING | None = MISSING
    error: str | MISSING | None = MISSING


def run_due(schedules: list[Schedule], state: dict[str, str], now: datetime, produce: Produce,
            post: Post) -> list[ScheduleOutcome]:  # fmt: skip
    """Produce and post every due schedule once; ``state`` (name → last run, ISO) is updated on success."""
    results = []
    for s in schedules:
        last = state.get(s.name)
        if not is_due(s.cron, datetime.fromisoformat(last) if last else None, now):
            results.append(ScheduleOutcome(schedule=s.name, status="not due", last_run=last))
            continue
        period = resolve_period(s.period, now.date())
        try:
            payload = produce(s, period)
            post(s.webhook, payload)
        except Exception as err:  # one failing schedule must not stop the others
            results.append(ScheduleOutcome(schedule=s.name, status="failed", period=period, error=str(err)))
            continue
        state[s.name] = now.isoformat()
        results.append(ScheduleOutcome(schedule=s.name, status="sent", period=period, file=payload.get("file")))
    return results
