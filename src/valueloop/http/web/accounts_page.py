"""The accounts page (admins only): users and API tokens — list, add, disable, create, revoke.

The same use cases as ``/api/v1/users`` and ``/api/v1/tokens``. The forms post through htmx,
which sends the page's CSRF token as the ``X-CSRF-Token`` header (checked by
:class:`~valueloop.http.deps.Require`); each form carries it as a field too, checked here.
Every answer is the whole page again, with what happened — or why not — at the top; a new
token's secret is shown in that one answer only (and the answer is not stored by caches).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.accounts.service import accounts
from valueloop.accounts.service.accounts import MAX_NAME, MAX_TOKEN_DAYS, TOKEN_SCOPES, Principal, Role
from valueloop.errors import InputError
from valueloop.http.deps import AccountsAdmin, WorkspaceDep, check_csrf
from valueloop.http.web.render import page
from valueloop.store.workspace import Workspace

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

CsrfField = Annotated[str, Form()]
Name = Annotated[str, Form(min_length=1, max_length=MAX_NAME)]


def _render(request: Request, who: Principal, ws: Workspace, **context: Any) -> Response:
    resp = page(request, "accounts.html", who, users=accounts.list_users(ws), tokens=accounts.list_tokens(ws),
                roles=[r.value for r in Role], scopes=TOKEN_SCOPES, **context)  # fmt: skip
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _act(request: Request, who: Principal, ws: Workspace, csrf_token: str, change: Callable[[], dict[str, Any]]
         ) -> Response:  # fmt: skip
    """Check the form's CSRF field, make the change, and show the page with its outcome (or the refusal)."""
    check_csrf(who, csrf_token)
    try:
        outcome = change()
    except InputError as err:
        return _render(request, who, ws, error=str(err))  # 200, so htmx swaps the page in and shows why
    return _render(request, who, ws, **outcome)


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(who: AccountsAdmin, ws: WorkspaceDep, request: Request) -> Response:
    return _render(request, who, ws)


@router.post("/accounts/users", response_class=HTMLResponse)
def add_user(who: AccountsAdmin, ws: WorkspaceDep, request: Request, username: Name,
             password: Annotated[str, Form(max_length=1_000)], role: Annotated[Role, Form()],
             csrf_token: CsrfField, units: Annotated[str, Form(max_length=10_000)] = "") -> Response:  # fmt: skip
    def change() -> dict[str, Any]:
        accounts.add_user(ws, username, password, role, [u for u in re.split(r"[,\s]+", units) if u])
        log.info("user %r (%s) added by %s", username, role.value, who.username)
        return {"notice": ("user_added", username)}

    return _act(request, who, ws, csrf_token, change)


@router.post("/accounts/users/{username}/disable", response_class=HTMLResponse)
def disable_user(who: AccountsAdmin, ws: WorkspaceDep, request: Request,
                 username: Annotated[str, Path(min_length=1, max_length=MAX_NAME)], csrf_token: CsrfField
                 ) -> Response:  # fmt: skip
    def change() -> dict[str, Any]:
        accounts.disable_user(ws, username, by=who.username)
        log.info("user %r disabled by %s", username, who.username)
        return {"notice": ("user_disabled", username)}

    return _act(request, who, ws, csrf_token, change)


@router.post("/accounts/tokens", response_class=HTMLResponse)
def create_token(who: AccountsAdmin, ws: WorkspaceDep, request: Request, username: Name, csrf_token: CsrfField,
                 name: Name = "api", scopes: Annotated[list[str] | None, Form()] = None,
                 expires_days: Annotated[int, Form(ge=0, le=MAX_TOKEN_DAYS)] = 90) -> Response:  # fmt: skip
    def change() -> dict[str, Any]:
        token_id, secret = accounts.create_token(ws, username, name, scopes or [], expires_days or None)
        log.info("token %d (%r) for %r created by %s", token_id, name, username, who.username)
        return {"notice": ("token_created", f"{token_id} · {username} · {name}"), "secret": secret}

    return _act(request, who, ws, csrf_token, change)


@router.post("/accounts/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(who: AccountsAdmin, ws: WorkspaceDep, request: Request,
                 token_id: Annotated[int, Path(ge=1, le=2**63 - 1)], csrf_token: CsrfField) -> Response:  # fmt: skip
    def change() -> dict[str, Any]:
        token = accounts.revoke_token(ws, token_id, by=who)
        log.info("token %d of %r revoked by %s", token_id, token.username, who.username)
        return {"notice": ("token_revoked", f"{token_id} · {token.username} · {token.name}")}

    return _act(request, who, ws, csrf_token, change)
