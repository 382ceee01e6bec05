"""``/api/v1/actions``: improvement actions — list, show, create, move, hand off, comment, escalate, ROI.

``/actions/overdue`` and ``/actions/roi`` are declared before ``/actions/{action_id}``: routes
match in order, and the id route would otherwise claim those words (and refuse them as ids).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import Field

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import Principal
from valueloop.http.deps import ActionsRead, ActionsWrite, ReportsRead, WorkspaceDep
from valueloop.http.response_cache import CACHED
from valueloop.http.schemas import ActionCreate, ActionMove, CommentIn, HandoffAccept, HandoffIn
from valueloop.improvement.service.actions import (
    MAX_ACTION_ID,
    accept_handoff,
    comment,
    create_action,
    move_action,
    send_handoff,
)
from valueloop.improvement.service.actions_view import escalations, list_actions, show_action
from valueloop.improvement.service.roi import action_roi, period_roi
from valueloop.improvement.workflow import Status
from valueloop.store.workspace import Workspace

router = APIRouter(tags=["actions"])
ActionId = Annotated[int, Path(ge=1, le=MAX_ACTION_ID)]
Department = Annotated[str, Field(min_length=1, max_length=200)]
Money = Annotated[float, Query(gt=-1e12, lt=1e12)]
Quarter = Annotated[str, Query(pattern=r"^(19\d\d|2[01]\d\d)-Q[1-4]$", examples=["2026-Q3"])]


@router.get("/actions", dependencies=[CACHED])
def actions(
    who: ActionsRead, ws: WorkspaceDep, status: Status | None = None, department: str | None = None
) -> list[dict[str, Any]]:
    return scope.actions(ws, who, list_actions(ws, status, department))


@router.get("/actions/overdue")
def overdue(who: ActionsRead, ws: WorkspaceDep,
            stall_hours: Annotated[float, Query(ge=0, le=24 * 366)] = 48.0) -> dict[str, Any]:  # fmt: skip
    """What to escalate: overdue actions, hand-offs unaccepted for ``stall_hours``, waits per department pair.

    A scoped caller gets the actions of their units only, and the department pairs of those actions' hand-offs.
    """
    visible = None if not who.scoped else {r["action_id"] for r in scope.actions(ws, who, list_actions(ws))}
    return escalations(ws, stall_hours, actions=visible)


@router.get("/actions/roi")
def roi_of_period(who: ReportsRead, ws: WorkspaceDep, period: Quarter) -> dict[str, Any]:
    """``actions roi --period``: cost against benefit of every action verified in the quarter and valued.

    The totals pool every unit's actions, so a scoped caller gets none (404).
    """
    scope.pooled(who, "return on investment")
    return period_roi(ws, period)


@router.get("/actions/{action_id}", dependencies=[CACHED])
def action(who: ActionsRead, ws: WorkspaceDep, action_id: int) -> dict[str, Any]:
    return scope.action(ws, who, action_id)


@router.get("/actions/{action_id}/roi")
def roi(who: ReportsRead, ws: WorkspaceDep, action_id: ActionId, value_per_unit: Money, units: Money) -> dict[str, Any]:
    """``actions roi ACTION``: benefit and ROI from the latest verified effect, with intervals.

    Read-only: unlike the CLI it does not remember the valuation for period totals.
    """
    scope.action(ws, who, action_id)
    return action_roi(ws, action_id, value_per_unit, units)


@router.post("/actions", status_code=201)
def create(who: ActionsWrite, ws: WorkspaceDep, body: ActionCreate) -> dict[str, Any]:
    """Propose an action; a scoped caller must tie it to their units only (entity, finding and alert links)."""
    fields = body.model_dump(exclude={"from_finding"}, mode="json")
    fields["links"] = [link for link in fields["links"]]
    _check_create_scope(ws, who, body)
    aid = create_action(ws, fields, who.username, from_finding=body.from_finding)
    return show_action(ws, aid)


def _check_create_scope(ws: Workspace, who: Principal, body: ActionCreate) -> None:
    """Every unit, finding and alert the new action names (``from_finding`` too) must be the caller's."""
    named = [(x.kind.value, x.ref) for x in body.links]
    scope.links(ws, who, named + ([("finding", body.from_finding)] if body.from_finding else []))


@router.post("/actions/{action_id}/moves")
def move(who: ActionsWrite, ws: WorkspaceDep, action_id: int, body: ActionMove) -> dict[str, Any]:
    """Move the action to the next status (the workflow decides which moves are allowed)."""
    scope.action(ws, who, action_id)
    move_action(ws, action_id, body.to, who.username, body.reason)
    return show_action(ws, action_id)


@router.post("/actions/{action_id}/handoffs", status_code=201)
def handoff(who: ActionsWrite, ws: WorkspaceDep, action_id: ActionId, body: HandoffIn) -> dict[str, Any]:
    """Record a hand-off between departments; its wait runs until it is accepted. Answers the action."""
    scope.action(ws, who, action_id)
    send_handoff(ws, action_id, body.from_department, body.to_department, body.what, who.username)
    return show_action(ws, action_id)


@router.post("/actions/{action_id}/handoffs/accept")
def accept(who: ActionsWrite, ws: WorkspaceDep, action_id: ActionId, body: HandoffAccept) -> dict[str, Any]:
    """The receiving department accepts one of the action's hand-offs (its id in the body). Answers the action."""
    scope.action(ws, who, action_id)
    accept_handoff(ws, body.handoff_id, who.username, action_id=action_id)
    return show_action(ws, action_id)


@router.post("/actions/{action_id}/comments", status_code=201)
def add_comment(who: ActionsWrite, ws: WorkspaceDep, action_id: ActionId, body: CommentIn) -> dict[str, Any]:
    """Add a comment to the action. Answers the action."""
    scope.action(ws, who, action_id)
    comment(ws, action_id, who.username, body.text)
    return show_action(ws, action_id)
