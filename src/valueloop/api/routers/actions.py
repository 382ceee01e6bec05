"""``/api/v1/actions``: improvement actions — list, show, create, move through the workflow."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from valueloop.actions.workflow import Status
from valueloop.api import scope
from valueloop.api.deps import ActionsRead, ActionsWrite, WorkspaceDep
from valueloop.api.schemas import ActionCreate, ActionMove
from valueloop.flows.accounts import AccessDenied, Principal
from valueloop.flows.actions import create_action, move_action
from valueloop.flows.actions_view import list_actions, show_action
from valueloop.store.workspace import Workspace

router = APIRouter(tags=["actions"])


@router.get("/actions")
def actions(who: ActionsRead, ws: WorkspaceDep, status: Status | None = None,
            department: str | None = None) -> list[dict[str, Any]]:
    return scope.actions(ws, who, list_actions(ws, status, department))


@router.get("/actions/{action_id}")
def action(who: ActionsRead, ws: WorkspaceDep, action_id: int) -> dict[str, Any]:
    return scope.action(ws, who, action_id)


@router.post("/actions", status_code=201)
def create(who: ActionsWrite, ws: WorkspaceDep, body: ActionCreate) -> dict[str, Any]:
    """Propose an action; a manager must tie it to one of their units (an entity link or a finding)."""
    fields = body.model_dump(exclude={"from_finding"}, mode="json")
    fields["links"] = [link for link in fields["links"]]
    _check_create_scope(ws, who, body)
    aid = create_action(ws, fields, who.username, from_finding=body.from_finding)
    return show_action(ws, aid)


def _check_create_scope(ws: Workspace, who: Principal, body: ActionCreate) -> None:
    if not who.scoped:
        return
    units = {x.ref for x in body.links if x.kind == "entity"}
    if body.from_finding:
        units.add(scope.finding(ws, who, body.from_finding).entity_id)
    if not units:
        raise AccessDenied("a manager's action must link one of their units (an entity link or from_finding)")
    for unit in units:
        scope.check_unit(ws, who, unit)


@router.post("/actions/{action_id}/moves")
def move(who: ActionsWrite, ws: WorkspaceDep, action_id: int, body: ActionMove) -> dict[str, Any]:
    """Move the action to the next status (the workflow decides which moves are allowed)."""
    scope.action(ws, who, action_id)
    move_action(ws, action_id, body.to, who.username, body.reason)
    return show_action(ws, action_id)
