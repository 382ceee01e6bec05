"""Fix first: findings ranked by how bad and how costly, with the action already taken on each.

A manager opening the dashboard wants the few gaps that cost the most, and to see at once
which are already being worked on. The order is: units with enough records to be ranked
first (a unit the model does not rank yet says "not enough data" and comes last), then
severity (critical first), then the points the indicator lost in the unit's composite in the
finding's own period, then the gap. An action counts as "on" a finding when it links the
finding, or both its unit and indicator. The caller passes the findings and actions it may
see (the scope rule lives in :mod:`valueloop.accounts.scope`); this module reads only the
stored runs, for the points lost.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from pydantic import Field

from valueloop.diagnosis.findings import Finding, Severity
from valueloop.errors import InputError
from valueloop.evaluation.service.scores import run_results
from valueloop.results import Result
from valueloop.store.workspace import Workspace

SEVERITY_RANK = {Severity.critical: 0, Severity.warning: 1}


class ActionOn(Result):
    """An action the caller may see, with what it links (``(kind, ref)``: finding, entity, indicator, …)."""

    action_id: int
    status: str
    title: str = ""
    links: frozenset[tuple[str, str]] = frozenset()


class ActionRef(Result):
    action_id: int
    status: str
    title: str = ""


class Priority(Result):
    """One finding as the fix-first list shows it."""

    finding: Finding
    points_lost: float | None
    actions: list[ActionRef] = Field(default_factory=list)
    enough_data: bool = True
    """False: the unit has too few records to be ranked (shown as "not enough data", listed after the others)."""


class FixFirst(Result):
    """The fix-first list of one period (the newest with findings): what ``/api/v1/findings/priorities`` answers."""

    period: str | None
    priorities: list[Priority]


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


def thin_units(period: str, results: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """(period, unit) of the units one period's run scored but did not rank for want of records."""
    return {(period, str(r["entity_id"])) for r in results if not r.get("enough_data", True)}


def actions_by_finding(found: Iterable[Finding], actions: Iterable[ActionOn]) -> dict[str, list[ActionRef]]:
    """Finding id → the actions on it, newest first."""
    acts = sorted(actions, key=lambda a: -a.action_id)
    out: dict[str, list[ActionRef]] = {}
    for f in found:
        on = [ActionRef(action_id=a.action_id, status=a.status, title=a.title) for a in acts if _about(f, a.links)]
        if on:
            out[f.id] = on
    return out


def _about(f: Finding, named: Collection[tuple[str, str]]) -> bool:
    return ("finding", f.id) in named or {("entity", f.entity_id), ("indicator", f.indicator)} <= set(named)


def rank(
    found: Iterable[Finding], lost: Lost, acted: Mapping[str, list[ActionRef]], thin: Collection[tuple[str, str]] = ()
) -> list[Priority]:
    """Findings in fix-first order, each with the points its indicator lost in its own period's run;
    ``thin`` (period, unit) pairs have too few records to be ranked and come last."""
    rows = [
        Priority(finding=f, points_lost=lost.get((f.period, f.entity_id, f.indicator)), actions=acted.get(f.id, []),
                 enough_data=(f.period, f.entity_id) not in thin)
        for f in found
    ]  # fmt: skip
    rows.sort(key=lambda p: (not p.enough_data, SEVERITY_RANK.get(p.finding.severity, 2), -(p.points_lost or 0.0),
                             -(p.finding.gap_pct or 0.0)))  # fmt: skip
    return rows


def latest_period(found: Iterable[Finding]) -> str | None:
    """The newest period that has findings (the overview shows that one and says so)."""
    return max((f.period for f in found), default=None)


def prioritise(
    ws: Workspace, found: list[Finding], seen: Collection[str] | None, actions: Iterable[ActionOn] = (),
    model: str | None = None,
) -> list[Priority]:  # fmt: skip
    """``found`` in fix-first order, with points lost from each finding period's stored run (of ``model``,
    default the latest run's) and the given actions on each."""
    lost: dict[tuple[str, str, str], float] = {}
    thin: set[tuple[str, str]] = set()
    for period in sorted({f.period for f in found}):
        try:
            run = run_results(ws, seen, period, model)
        except InputError:  # no stored run of that period: the findings rank on severity and gap alone
            continue
        results = [r.model_dump() for r in run.results]
        lost |= points_lost(period, results)
        thin |= thin_units(period, results)
    return rank(found, lost, actions_by_finding(found, actions), thin)


def fix_first(
    ws: Workspace, found: list[Finding], seen: Collection[str] | None, actions: Iterable[ActionOn] = (),
    limit: int | None = None,
) -> FixFirst:  # fmt: skip
    """The newest period's findings among ``found``, in fix-first order (the first ``limit``)."""
    period = latest_period(found)
    ranked = prioritise(ws, [f for f in found if f.period == period], seen, actions)
    return FixFirst(period=period, priorities=ranked[:limit])
