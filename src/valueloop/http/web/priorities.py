"""Fix first: findings ranked by how bad and how costly, with the action already taken on each.

A manager opening the dashboard wants the few gaps that cost the most, and to see at once
which are already being worked on. The order is severity (critical first), then the points
the indicator lost in the unit's composite in the finding's own period, then the gap. An
action counts as "on" a finding when it links the finding, or both its unit and indicator.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from valueloop.diagnosis.findings import Finding, Severity

SEVERITY_RANK = {Severity.critical: 0, Severity.warning: 1}


@dataclass(frozen=True)
class Priority:
    """One finding as the fix-first list shows it."""

    finding: Finding
    points_lost: float | None
    actions: list[dict[str, Any]] = field(default_factory=list)
    enough_data: bool = True
    """False: the unit has too few records to be ranked (shown as "not enough data", listed after the others)."""


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
    found: Iterable[Finding], links: Mapping[int, list[dict[str, str]]], actions: Iterable[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Finding id → the (visible) actions on it, newest first."""
    rows = {int(a["action_id"]): a for a in actions}
    out: dict[str, list[dict[str, Any]]] = {}
    for f in found:
        for aid, named in links.items():
            if aid in rows and _about(f, {(x["kind"], x["ref"]) for x in named}):
                out.setdefault(f.id, []).append(rows[aid])
    for acts in out.values():
        acts.sort(key=lambda a: -int(a["action_id"]))
    return out


def _about(f: Finding, named: set[tuple[str, str]]) -> bool:
    return ("finding", f.id) in named or {("entity", f.entity_id), ("indicator", f.indicator)} <= named


def rank(
    found: Iterable[Finding], lost: Lost, acted: Mapping[str, list[dict[str, Any]]],
    thin: Collection[tuple[str, str]] = (),
) -> list[Priority]:  # fmt: skip
    """Findings in fix-first order, each with the points its indicator lost in its own period's run;
    ``thin`` (period, unit) pairs have too few records to be ranked and come last."""
    rows = [Priority(f, lost.get((f.period, f.entity_id, f.indicator)), acted.get(f.id, []),
                     (f.period, f.entity_id) not in thin) for f in found]  # fmt: skip
    rows.sort(key=lambda p: (not p.enough_data, SEVERITY_RANK.get(p.finding.severity, 2), -(p.points_lost or 0.0),
                             -(p.finding.gap_pct or 0.0)))  # fmt: skip
    return rows


def thin_units(period: str, results: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """(period, unit) of the units one period's run scored but did not rank for want of records."""
    return {(period, str(r["entity_id"])) for r in results if not r.get("enough_data", True)}


def latest_period(found: Iterable[Finding]) -> str | None:
    """The newest period that has findings (the overview shows that one and says so)."""
    return max((f.period for f in found), default=None)
