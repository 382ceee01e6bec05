"""The one home of the row-scope rule: what a caller bound to units may see and name.

A scoped caller (:attr:`Principal.scoped`: every manager, and any other role given units)
sees and names only units under its roots (:func:`visible_units`). Every id a request
names — a unit, finding, alert, action, silence, link — goes through one function here,
and so does every list and live message a scoped caller receives. Anything outside the
caller's units is reported exactly like something that does not exist (:class:`NotFound`,
same body), so a scoped caller cannot probe for other units' ids or learn whose they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

from valueloop.accounts.service.accounts import AccessDenied, NotFound, Permission, Principal, visible_units
from valueloop.diagnosis.findings import Finding
from valueloop.diagnosis.service.diagnose import list_findings, show_finding
from valueloop.diagnosis.service.priorities import ActionOn
from valueloop.errors import InputError
from valueloop.improvement.results import ActionDetail, ActionLink
from valueloop.improvement.service.actions_view import links_by_action, list_actions, show_action
from valueloop.monitoring.service import alerts as records
from valueloop.qa.service.coaching import Coaching
from valueloop.qa.service.disputes import Dispute, get_dispute
from valueloop.qa.service.show import ConversationView, conversation_view
from valueloop.store.workspace import Workspace

T = TypeVar("T")


class _ActionRow(Protocol):
    @property
    def action_id(self) -> int: ...


R = TypeVar("R", bound="Mapping[str, Any] | _ActionRow")


def _action_id(row: Mapping[str, Any] | _ActionRow) -> int:
    """A list row's action: a key of a dict row, an attribute of a result model."""
    return int(row["action_id"]) if isinstance(row, Mapping) else row.action_id


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
    """A unit the caller named must be theirs."""
    _within(ws, who, entity_id, f"unit {entity_id}")


def pooled(who: Principal, what: str) -> None:
    """A result pooled over every unit is not for a scoped caller (404, as if there were none)."""
    if who.scoped:
        raise hidden(f"{what} pooled over every unit")


def findings(ws: Workspace, who: Principal, **filters: str | None) -> list[Finding]:
    seen = visible_units(ws, who)
    return [f for f in list_findings(ws, **filters) if seen is None or f.entity_id in seen]


def finding(ws: Workspace, who: Principal, finding_id: str) -> Finding:
    """One finding; out of scope answers as a missing id does (the message names the finding, not its unit)."""
    found = guarded(who, f"finding {finding_id}", lambda: show_finding(ws, finding_id))
    _within(ws, who, found.entity_id, f"finding {finding_id}")
    return found


def alert(ws: Workspace, who: Principal, alert_id: str) -> records.AlertRecord:
    """One alert; out of scope answers as a missing id does."""
    found = guarded(who, f"alert {alert_id}", lambda: records.get_alert(ws, alert_id))
    _within(ws, who, found.entity_id, f"alert {alert_id}")
    return found


def _within(ws: Workspace, who: Principal, entity_id: str, what: str) -> None:
    seen = visible_units(ws, who)
    if seen is not None and entity_id not in seen:
        raise hidden(what)


def links(ws: Workspace, who: Principal, named: Iterable[tuple[str, str]]) -> None:
    """Every unit, finding and alert an action links (kind, ref) must be the caller's; at least one must be named.

    A scoped caller's action must be about one of their units, or nobody in scope would see it.
    """
    if not who.scoped:
        return
    pairs = list(named)
    for kind, ref in pairs:
        if kind == "entity":
            check_unit(ws, who, ref)
        elif kind == "finding":
            finding(ws, who, ref)
        elif kind == "alert":
            alert(ws, who, ref)
    if not any(kind in ("entity", "finding", "alert") for kind, _ in pairs):
        raise AccessDenied("a scoped user's action must link one of their units (an entity, finding or alert)")


def silence_matchers(ws: Workspace, who: Principal, matchers: Mapping[str, str]) -> None:
    """A scoped caller may only silence what can only match their units: an ``entity_id`` matcher, all inside."""
    seen = visible_units(ws, who)
    if seen is None:
        return
    units = records.silence_units(matchers)
    if units is None:
        raise AccessDenied("a scoped user's silence needs an entity_id matcher naming their units (a|b for several)")
    for unit in sorted(units):
        check_unit(ws, who, unit)


def _silence_visible(seen: frozenset[str] | None, s: records.SilenceRecord) -> bool:
    units = records.silence_units(s.matchers)
    return seen is None or (units is not None and units <= seen)


def silences(ws: Workspace, who: Principal) -> list[records.SilenceRecord]:
    """Silences a scoped caller could have made: those that can only match their units (no other unit is named)."""
    seen = visible_units(ws, who)
    return [s for s in records.list_silences(ws) if _silence_visible(seen, s)]


def silence(ws: Workspace, who: Principal, silence_id: str) -> None:
    """A scoped caller may act on one of :func:`silences` only; any other id answers as a missing one."""
    if who.scoped and not any(s.id == silence_id for s in silences(ws, who)):
        raise hidden(f"silence {silence_id}")


def message_visible(seen: frozenset[str] | None, message: Mapping[str, Any]) -> bool:
    """A live message (alert transition, acknowledgement) goes to a subscriber who may see its unit."""
    return seen is None or message.get("entity_id") in seen


def action_units(ws: Workspace, detail: ActionDetail) -> set[str]:
    """The units an action is about: its entity links and the units of its linked findings."""
    return _link_units(detail.links, _finding_units(ws))


def units_by_action(ws: Workspace) -> dict[int, set[str]]:
    """:func:`action_units` of every action, from two queries instead of one action at a time."""
    found = _finding_units(ws)
    return {aid: _link_units(links, found) for aid, links in links_by_action(ws).items()}


def _finding_units(ws: Workspace) -> dict[str, str]:
    return {f.id: f.entity_id for f in list_findings(ws)}


def _link_units(links: list[ActionLink], finding_units: dict[str, str]) -> set[str]:
    units = {x.ref for x in links if x.kind == "entity"}
    return units | {finding_units[x.ref] for x in links if x.kind == "finding" and x.ref in finding_units}


def action_visible(ws: Workspace, who: Principal, detail: ActionDetail) -> bool:
    seen = visible_units(ws, who)
    return seen is None or bool(action_units(ws, detail) & seen)


def action(ws: Workspace, who: Principal, aid: int) -> ActionDetail:
    detail = guarded(who, f"action {aid}", lambda: show_action(ws, aid))
    if not action_visible(ws, who, detail):
        raise hidden(f"action {aid}")
    return detail


def actions(ws: Workspace, who: Principal, rows: list[R]) -> list[R]:
    seen = visible_units(ws, who)
    if seen is None:
        return rows
    units = units_by_action(ws)
    return [r for r in rows if units.get(_action_id(r), set()) & seen]


def actions_on(ws: Workspace, who: Principal) -> list[ActionOn]:
    """The caller's actions with their links, for putting them next to the findings they are about."""
    if not who.can(Permission.actions_read):
        return []
    links = links_by_action(ws)
    return [ActionOn(action_id=a.action_id, status=str(a.status), title=a.title or "",
                     links=frozenset((x.kind, x.ref) for x in links.get(a.action_id, [])))
            for a in actions(ws, who, list_actions(ws))]  # fmt: skip


def qa_conversation(ws: Workspace, who: Principal, conversation_id: str, rubric: Path) -> ConversationView:
    """One scored conversation; outside the caller's units (its team and its agent) it answers as a missing one."""
    what = f"conversation {conversation_id}"
    try:
        view = conversation_view(ws, conversation_id, rubric)
    except InputError as err:
        if "no conversation" not in str(err):
            raise
        raise hidden(what) from None
    seen = visible_units(ws, who)
    if seen is not None and view.entity_id not in seen and view.agent_id not in seen:
        raise hidden(what)
    return view


def qa_rows(ws: Workspace, who: Principal, rows: list[T], unit: Callable[[T], str]) -> list[T]:
    """QA roll-ups and weakest items of the caller's units only (agents and teams are units)."""
    seen = visible_units(ws, who)
    return rows if seen is None else [r for r in rows if unit(r) in seen]


def qa_coaching(ws: Workspace, who: Principal, tasks: list[Coaching]) -> list[Coaching]:
    """Coaching tasks of the caller's agents; peers' example turns only from the caller's own units.

    A task shows peers doing the item well; for a scoped caller, another region's agents and
    their conversations are not theirs to see, so those examples are left out.
    """
    seen = visible_units(ws, who)
    if seen is None:
        return tasks
    return [_own_examples(t, seen) for t in tasks if t.agent_id in seen]


def _own_examples(task: Coaching, seen: frozenset[str] | set[str]) -> Coaching:
    items = [i.model_copy(update={"good": [e for e in i.good if e.agent_id in seen]}) for i in task.items]
    return task.model_copy(update={"items": items})


def qa_disputes(ws: Workspace, who: Principal, rows: list[Dispute]) -> list[Dispute]:
    """Disputes of the caller's agents and teams only."""
    seen = visible_units(ws, who)
    return rows if seen is None else [d for d in rows if d.entity_id in seen or d.agent_id in seen]


def qa_dispute(ws: Workspace, who: Principal, dispute_id: str) -> Dispute:
    """One dispute; one about another unit's conversation answers as a missing id does."""
    what = f"dispute {dispute_id}"
    try:
        found = get_dispute(ws, dispute_id)
    except NotFound:
        raise hidden(what) from None
    if not qa_disputes(ws, who, [found]):
        raise hidden(what)
    return found
