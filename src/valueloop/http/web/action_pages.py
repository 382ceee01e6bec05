"""One improvement action in full: status, links, RACI, history of moves, hand-offs, verification.

Reads :func:`valueloop.accounts.scope.action` (the same scope rules as ``GET /api/v1/actions/{id}``);
the move buttons call the API through ``board.js``, as on the board. The hand-off, accept and
comment forms post here (htmx sends the page's CSRF header, the form carries the token too)
and run the API's own routes, so the page and ``/api/v1/actions/{id}/…`` change an action
the same way. A change answers a redirect to the page; a refused one, the page with the reason
(status 200 to htmx, which only swaps in successful answers, 400 otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import Permission, Principal
from valueloop.errors import InputError
from valueloop.http.deps import ActionsRead, ActionsWrite, WorkspaceDep, check_csrf
from valueloop.http.schemas import CommentIn, HandoffAccept, HandoffIn
from valueloop.http.web.render import page
from valueloop.improvement.service.actions import accept_handoff, comment, send_handoff
from valueloop.store.workspace import Workspace

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=10_000)]
B = TypeVar("B", bound=BaseModel)


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
    return _page(request, ws, who, action_id)


def _page(request: Request, ws: Workspace, who: Principal, action_id: int, error: str | None = None,
          status_code: int = 200) -> Response:  # fmt: skip
    detail = scope.action(ws, who, action_id)
    can_write = who.can(Permission.actions_write)
    can_move = can_write and bool(detail.allowed_next)
    links = [_link(ws, who, x.model_dump()) for x in detail.links]
    departments = sorted({detail.department, *(r.department for r in detail.raci)} - {""})
    return page(request, "action.html", who, status_code, a=detail, links=links, can_move=can_move,
                can_write=can_write, departments=departments, error=error)  # fmt: skip


@router.post("/actions/{action_id}/handoff", response_class=HTMLResponse)
def handoff_submit(who: ActionsWrite, ws: WorkspaceDep, request: Request, action_id: int,
                   from_department: FormText = "", to_department: FormText = "", what: FormText = "",
                   csrf_token: FormText = "") -> Response:  # fmt: skip
    """The hand-off form: ``POST /api/v1/actions/{id}/handoffs``."""
    return _submit(request, ws, who, action_id, csrf_token, HandoffIn,
                   {"from": from_department.strip(), "to": to_department.strip(), "what": what.strip()},
                   lambda body: send_handoff(ws, action_id, body.from_department, body.to_department, body.what,
                                             who.username))  # fmt: skip


@router.post("/actions/{action_id}/accept", response_class=HTMLResponse)
def accept_submit(who: ActionsWrite, ws: WorkspaceDep, request: Request, action_id: int,
                  handoff_id: FormText = "", csrf_token: FormText = "") -> Response:  # fmt: skip
    """An accept button of a pending hand-off: ``POST /api/v1/actions/{id}/handoffs/accept``."""
    return _submit(request, ws, who, action_id, csrf_token, HandoffAccept, {"handoff_id": handoff_id},
                   lambda body: accept_handoff(ws, body.handoff_id, who.username, action_id=action_id))  # fmt: skip


@router.post("/actions/{action_id}/comment", response_class=HTMLResponse)
def comment_submit(who: ActionsWrite, ws: WorkspaceDep, request: Request, action_id: int, text: FormText = "",
                   csrf_token: FormText = "") -> Response:  # fmt: skip
    """The comment form: ``POST /api/v1/actions/{id}/comments``."""
    return _submit(request, ws, who, action_id, csrf_token, CommentIn, {"text": text.strip()},
                   lambda body: comment(ws, action_id, who.username, body.text))  # fmt: skip


def _submit(request: Request, ws: Workspace, who: Principal, action_id: int, csrf_token: str, model: type[B],
            fields: dict[str, Any], change: Callable[[B], object]) -> Response:  # fmt: skip
    """Check the form's token and the caller's scope, validate the form as the API's body, run the use case."""
    check_csrf(who, csrf_token)
    scope.action(ws, who, action_id)
    try:
        change(model.model_validate(fields))
    except ValidationError as err:
        return _refused(request, ws, who, action_id, "; ".join(_problem(e) for e in err.errors()))
    except InputError as err:
        return _refused(request, ws, who, action_id, str(err))
    return RedirectResponse(f"/actions/{action_id}", status_code=303)


def _problem(error: Any) -> str:
    where = ".".join(str(x) for x in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def _refused(request: Request, ws: Workspace, who: Principal, action_id: int, reason: str) -> Response:
    status = 200 if request.headers.get("hx-request") else 400
    return _page(request, ws, who, action_id, error=reason, status_code=status)
