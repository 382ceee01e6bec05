"""One improvement action in full: status, links, RACI, history of moves, hand-offs, verification.

Reads :func:`valueloop.api.scope.action` (the same scope rules as ``GET /api/v1/actions/{id}``);
the move buttons call the API through ``board.js``, as on the board.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.api import scope
from valueloop.api.deps import ActionsRead, WorkspaceDep
from valueloop.errors import InputError
from valueloop.flows.accounts import Permission, Principal
from valueloop.store.workspace import Workspace
from valueloop.web.render import page

router = APIRouter(include_in_schema=False)


def _link(ws: Workspace, who: Principal, link: dict[str, Any]) -> dict[str, Any]:
    """A link with where it leads in the dashboard (``href``) and, for a finding, what it says."""
    kind, ref = link["kind"], link["ref"]
    if kind == "entity":
        return {**link, "href": f"/units/{ref}"}
    if kind == "alert":
        return {**link, "href": "/alerts"}
    if kind == "finding":
        try:
            f = scope.finding(ws, who, ref)
        except InputError:
            return {**link, "href": None}
        return {**link, "href": f"/units/{f.entity_id}#finding-{ref}", "finding": f}
    return {**link, "href": None}


@router.get("/actions/{action_id}", response_class=HTMLResponse)
def action(who: ActionsRead, ws: WorkspaceDep, request: Request, action_id: int) -> Response:
    detail = scope.action(ws, who, action_id)
    can_move = who.can(Permission.actions_write) and bool(detail["allowed_next"])
    links = [_link(ws, who, x) for x in detail["links"]]
    return page(request, "action.html", who, a=detail, links=links, can_move=can_move)
