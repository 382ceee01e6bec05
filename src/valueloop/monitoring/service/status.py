"""What the live monitor answers over HTTP: an intake's outcome and the series pending or firing now.

``POST /api/v1/events`` answers :class:`IntakeDoc`; ``GET /api/v1/monitor/status`` answers
:class:`MonitorStatus`. Moments are written as ``isoformat()`` (UTC), a value that is not a
number as ``null``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Literal

from valueloop.monitoring.alerting import Active, Transition
from valueloop.monitoring.events import Rejected
from valueloop.results import Instant, Result, finite


class RejectedLine(Result):
    """A line that was not taken (1-based) and why."""

    line: int
    reason: str


class AlertChange(Result):
    """An alert that started firing or resolved while the batch was taken."""

    id: str
    rule: str
    entity_id: str
    status: Literal["firing", "resolved"]


class IntakeDoc(Result):
    """``POST /events``: how many events were taken, each rejected line, late arrivals, alert changes."""

    accepted: int
    rejected: list[RejectedLine]
    late: int
    """Events whose minute had already closed when they arrived."""
    minutes_closed: int
    alerts: list[AlertChange]


def intake_doc(
    accepted: int, rejected: Iterable[Rejected], late: int, minutes_closed: int, transitions: Iterable[Transition]
) -> IntakeDoc:
    return IntakeDoc(
        accepted=accepted,
        rejected=[RejectedLine(line=r.line, reason=r.reason) for r in rejected],
        late=late,
        minutes_closed=minutes_closed,
        alerts=[AlertChange(id=t.alert_id, rule=t.rule, entity_id=t.entity, status=t.status) for t in transitions],
    )


class ActiveSeries(Result):
    """A rule's series that is pending or firing now, since when, and its latest value."""

    rule: str
    entity_id: str
    phase: str
    since: Instant
    value: float | None


class MonitorStatus(Result):
    """``GET /monitor/status``: counters (``null`` for a scoped caller), the open minute, active series."""

    counters: dict[str, int] | None
    open_minute: Instant | None
    active: list[ActiveSeries]


def monitor_status(
    counters: dict[str, int], open_minute: int | None, active: Iterable[Active], seen: Collection[str] | None
) -> MonitorStatus:
    """The status a caller who sees ``seen`` (None: every unit) may have: pooled counters only when unscoped."""
    return MonitorStatus(
        counters=None if seen is not None else dict(counters),
        open_minute=None if open_minute is None else datetime.fromtimestamp(open_minute * 60, UTC),
        active=[
            ActiveSeries(
                rule=a.rule,
                entity_id=a.entity,
                phase=a.phase.value,
                since=datetime.fromtimestamp(a.since, UTC),
                value=finite(a.value),
            )
            for a in active
            if seen is None or a.entity in seen
        ],
    )
