"""Hand-offs between departments: the points where responsibility changes hands.

Each hand-off is sent by one department and accepted by another; the time between is
the hand-off wait, the cost that value stream analysis exposes. A hand-off nobody has
accepted for longer than the escalation threshold is stalled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median


@dataclass(frozen=True)
class Handoff:
    handoff_id: int
    action_id: int
    from_department: str
    to_department: str
    what: str
    sent_at: datetime
    accepted_at: datetime | None = None

    def wait(self, now: datetime) -> timedelta:
        """How long the receiving department took, or has taken so far, to accept."""
        return (self.accepted_at or now) - self.sent_at

    def wait_hours(self, now: datetime) -> float:
        return self.wait(now).total_seconds() / 3600


def stalled(handoffs: Iterable[Handoff], now: datetime, threshold: timedelta) -> list[Handoff]:
    """Unaccepted hand-offs waiting longer than ``threshold``, longest wait first."""
    late = [h for h in handoffs if h.accepted_at is None and h.wait(now) > threshold]
    return sorted(late, key=lambda h: h.sent_at)


def boundary_summary(handoffs: Iterable[Handoff], now: datetime) -> list[dict[str, object]]:
    """Per department pair: how many hand-offs, how many still pending, median accepted wait (hours)."""
    pairs: dict[tuple[str, str], list[Handoff]] = {}
    for h in handoffs:
        pairs.setdefault((h.from_department, h.to_department), []).append(h)
    rows: list[dict[str, object]] = []
    for (src, dst), group in sorted(pairs.items()):
        waits = [h.wait_hours(now) for h in group if h.accepted_at is not None]
        rows.append(
            {
                "from": src,
                "to": dst,
                "handoffs": len(group),
                "pending": sum(h.accepted_at is None for h in group),
                "median_wait_hours": median(waits) if waits else None,
            }
        )
    return rows
