"""Who hears about an alert: labels, grouping, inhibition, silences (one-off and recurring).

Alertmanager's model, kept small and pure. An alert's labels are its rule's name and
severity, the entity and what the entity table says of it (type, branch, region) and the
rule's own labels. A *silence* matches labels and mutes notifications while it is in
force — between its start and end, and, if it has a schedule, only in the schedule's
weekly slots (nightly, weekends) or on holidays. An *inhibition* mutes a target alert while
a source alert with equal values of the listed labels fires: a branch-wide outage mutes
the alerts of that branch's agents. Muted alerts are still recorded and shown, with the
reason; only the notification is held back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from valueloop.spec.alerts import DAYS, InhibitSpec, RuleSpec, Schedule

ENTITY_LABEL = "entity_id"
"""The label every alert carries naming its unit ('*' for the overall series)."""


def alert_labels(rule: RuleSpec, entity: str, entity_labels: Mapping[str, str]) -> dict[str, str]:
    """The label set of ``rule``'s alert on ``entity`` ('*' = the overall series).

    The unit label is set last: a rule's or a unit's own labels never rename the unit, because
    a unit-bound user's silences match on it (docs/security.md).
    """
    labels = {"alertname": rule.name, "severity": rule.severity}
    labels |= {k: v for k, v in entity_labels.items() if v}
    return labels | rule.labels | {ENTITY_LABEL: entity}


def matches(matchers: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Every matcher equals the label's value; ``"a|b"`` matches either value."""
    return all(labels.get(k, "") in v.split("|") for k, v in matchers.items())


def group_key(labels: Mapping[str, str], group_by: Iterable[str]) -> str:
    """Alerts with the same values of ``group_by`` go out in one notification."""
    return "{" + ",".join(f'{k}="{labels.get(k, "")}"' for k in group_by) + "}"


def inhibitor(
    labels: Mapping[str, str], firing: Iterable[Mapping[str, str]], rules: Iterable[InhibitSpec]
) -> Mapping[str, str] | None:
    """The first firing alert that mutes an alert with ``labels``, or None."""
    firing = list(firing)
    for rule in rules:
        if not matches(rule.target, labels):
            continue
        for source in firing:
            if source is labels or dict(source) == dict(labels):
                continue
            if matches(rule.source, source) and all(source.get(k) == labels.get(k) for k in rule.equal):
                return source
    return None


@dataclass(frozen=True)
class Silence:
    """A silence in force from ``starts_at`` to ``ends_at`` (Unix s; None = open), maybe recurring."""

    id: str
    matchers: Mapping[str, str]
    starts_at: float | None = None
    ends_at: float | None = None
    schedule: Schedule | None = None
    comment: str = ""
    created_by: str = ""


def _minutes(clock: str) -> int:
    h, m = clock.split(":")
    return int(h) * 60 + int(m)


def in_schedule(schedule: Schedule, local: datetime, holidays: Iterable[date] = ()) -> bool:
    """Whether a local time falls in the schedule's weekly slots (or on a holiday it covers)."""
    if schedule.holidays and local.date() in set(holidays):
        return True
    start, end = _minutes(schedule.start), _minutes(schedule.end)
    now = local.hour * 60 + local.minute
    today = DAYS[local.weekday()]
    yesterday = DAYS[(local.weekday() - 1) % 7]
    if start < end:
        return today in schedule.days and start <= now < end
    return (today in schedule.days and now >= start) or (yesterday in schedule.days and now < end)


def silenced_by(
    labels: Mapping[str, str], silences: Iterable[Silence], at: float, tz: ZoneInfo, holidays: Iterable[date] = ()
) -> Silence | None:
    """The first silence in force at ``at`` that matches ``labels``, or None."""
    for s in silences:
        if s.starts_at is not None and at < s.starts_at:
            continue
        if s.ends_at is not None and at >= s.ends_at:
            continue
        if s.schedule is not None and not in_schedule(s.schedule, datetime.fromtimestamp(at, tz), holidays):
            continue
        if matches(s.matchers, labels):
            return s
    return None
