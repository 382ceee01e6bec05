"""Fix first: findings ranked by how bad and how costly, with the action already taken on each.

A manager opening the dashboard wants the few gaps that cost the most, and to see at once
which are already being worked on. The order is severity (critical first), then the points
the indicator lost in the unit's composite in the finding's own period, then the gap. An
action counts as "on" a finding when it links the finding, or both its unit and indicator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from valueloop.diagnosis.findings import Finding, Severity
from valueloop.improvement.results import ActionLink, ActionSummary

SEVERITY_RANK = {Severity.critical: 0, Severity.warning: 1}


@dataclass(frozen=True)
class Priority:
    """One finding as the fix-first list shows it."""

    finding: Finding
    points_lost: float | None
    actions: list[ActionSummary] = field(default_factory=list)


Lost = Mapping[tuple[str, str, str], float]
"""(period, unit, indicator) → points lost in that period's composite."""


def points_lost(period: str, results: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str, str], float]:
    """:data:`Lost` of one period's run, from its stored results."""
    out: dict[tuple[str, str, str], float] = {}
    for r in results:
        for indicator, lost in (r.get("points_lost") or {}).items():
            if lost is not None:
                out[(period, str(r["entity_id"]), indicator)] = float(lost)
    return out


def actions_by_finding(
    found: Iterable[Finding], links: Mapping[int, list[ActionLink]], actions: Iterable[ActionSummary]
) -> dict[str, list[ActionSummary]]:
    """Finding id → the (visible) actions on it, newest first."""
    rows = {a.action_id: a for a in actions}
    out: dict[str, list[ActionSummary]] = {}
    for f in found:
        for aid, named in links.items():
            if aid in rows and _about(f, {(x.kind, x.ref) for x in named}):
                out.setdefault(f.id, []).append(rows[aid])
    for acts in out.values():
        acts.sort(key=lambda a: -a.action_id)
    return out


def _about(f: Finding, named: set[tuple[str, str]]) -> bool:
    return ("finding", f.id) in named or {("entity", f.entity_id), ("indicator", f.indicator)} <= named


def rank(found: Iterable[Finding], lost: Lost, acted: Mapping[str, list[ActionSummary]]) -> list[Priority]:
    """Findings in fix-first order, each with the points its indicator lost in its own period's run."""
    rows = [Priority(f, lost.get((f.period, f.entity_id, f.indicator)), acted.get(f.id, [])) for f in found]
    rows.sort(key=lambda p: (SEVERITY_RANK.get(p.finding.severity, 2), -(p.points_lost or 0.0),
                             -(p.finding.gap_pct or 0.0)))  # fmt: skip
    return rows


def latest_period(found: Iterable[Finding]) -> str | None:
    """The newest period that has findings (the overview shows that one and says so)."""
    return max((f.period for f in found), default=None)
