"""Applying a manager's scope to what the flows return: findings, actions, one unit.

Anything outside the caller's units is reported exactly like something that does not
exist (:class:`NotFound`), so a scoped caller cannot probe for other units' ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from valueloop.diagnose.findings import Finding
from valueloop.errors import InputError
from valueloop.flows.accounts import NotFound, Principal, visible_units
from valueloop.flows.actions_view import links_by_action, show_action
from valueloop.flows.diagnose import list_findings, show_finding
from valueloop.store.workspace import Workspace

T = TypeVar("T")


def hidden(what: str) -> NotFound:
    return NotFound(f"{what} not found")


def guarded(who: Principal, what: str, read: Callable[[], T]) -> T:
    """Run ``read``; for a scoped caller a missing item and a hidden one fail the same way."""
    if not who.scoped:
        return read()
    try:
        return read()
    except InputError as err:
        raise hidden(what) from err


def check_unit(ws: Workspace, who: Principal, entity_id: str) -> None:
    seen = visible_units(ws, who)
    if seen is not None and entity_id not in seen:
        raise hidden(f"unit {entity_id}")


def findings(ws: Workspace, who: Principal, **filters: str | None) -> list[Finding]:
    seen = visible_units(ws, who)
    return [f for f in list_findings(ws, **filters) if seen is None or f.entity_id in seen]


def finding(ws: Workspace, who: Principal, finding_id: str) -> Finding:
    found = guarded(who, f"finding {finding_id}", lambda: show_finding(ws, finding_id))
    check_unit(ws, who, found.entity_id)
    return found


def action_units(ws: Workspace, detail: dict[str, Any]) -> set[str]:
    """The units an action is about: its entity links and the units of its linked findings."""
    return _link_units(detail["links"], _finding_units(ws))


def units_by_action(ws: Workspace) -> dict[int, set[str]]:
    """:func:`action_units` of every action, from two queries instead of one action at a time."""
    found = _finding_units(ws)
    return {aid: _link_units(links, found) for aid, links in links_by_action(ws).items()}


def _finding_units(ws: Workspace) -> dict[str, str]:
    return {f.id: f.entity_id for f in list_findings(ws)}


def _link_units(links: list[dict[str, Any]], finding_units: dict[str, str]) -> set[str]:
    units = {x["ref"] for x in links if x["kind"] == "entity"}
    return units | {finding_units[x["ref"]] for x in links if x["kind"] == "finding" and x["ref"] in finding_units}


def action_visible(ws: Workspace, who: Principal, detail: dict[str, Any]) -> bool:
    seen = visible_units(ws, who)
    return seen is None or bool(action_units(ws, detail) & seen)


def action(ws: Workspace, who: Principal, aid: int) -> dict[str, Any]:
    detail = guarded(who, f"action {aid}", lambda: show_action(ws, aid))
    if not action_visible(ws, who, detail):
        raise hidden(f"action {aid}")
    return detail


def actions(ws: Workspace, who: Principal, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = visible_units(ws, who)
    if seen is None:
        return rows
    units = units_by_action(ws)
    return [r for r in rows if units.get(r["action_id"], set()) & seen]
