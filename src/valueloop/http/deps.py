"""Dependencies shared by the routers: the workspace, the caller, and each route's permission.

Every route declares exactly one :class:`Require` dependency; a test walks the routes and
reads ``Require.permission`` to check the whole role × route matrix.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from valueloop.accounts.service.accounts import (
    AccessDenied,
    AuthError,
    Permission,
    Principal,
    session_principal,
    token_principal,
    visible_units,
)
from valueloop.store.workspace import Workspace

SESSION_COOKIE = "vl_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def workspace(request: Request) -> Workspace:
    """The served workspace (async: FastAPI runs a sync dependency in a worker thread, a needless hand-off)."""
    return _workspace(request)


def _workspace(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


WorkspaceDep = Annotated[Workspace, Depends(workspace)]


def caller(request: Request) -> Principal | None:
    """The principal of a bearer token (API clients) or of the session cookie (the browser)."""
    ws = _workspace(request)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        found = token_principal(ws, auth[7:].strip())
        if found is None:
            raise AuthError("the bearer token is unknown, expired or revoked")
        return found
    cookie = request.cookies.get(SESSION_COOKIE)
    return session_principal(ws, cookie) if cookie else None


def check_csrf(who: Principal, sent: str, hint: str = "") -> None:
    """A browser session's unsafe request must carry its CSRF token (API tokens have none to carry).

    :class:`Require` checks the header; forms that also carry the token as a field check it
    here too, so a stale page cannot post.
    """
    if who.csrf_token is not None and not secrets.compare_digest(sent, who.csrf_token):
        raise AccessDenied("missing or wrong CSRF token" + (f" ({hint})" if hint else ""))


class Require:
    """Dependency: the caller must be signed in and hold ``permission`` (``public`` lets anyone in)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Principal | None:
        if self.permission is Permission.public:
            return None
        who = await run_in_threadpool(caller, request)  # a database read: off the event loop
        if who is None:
            raise AuthError("sign in, or send an API token as 'Authorization: Bearer …'")
        if request.method not in SAFE_METHODS:
            check_csrf(who, request.headers.get(CSRF_HEADER) or "", "send the X-CSRF-Token header")
        if not who.can(self.permission):
            raise AccessDenied(f"role {who.role.value} may not use {self.permission.value}")
        return who


Public = Annotated[Principal | None, Depends(Require(Permission.public))]
Authenticated = Annotated[Principal, Depends(Require(Permission.authenticated))]
ModelsRead = Annotated[Principal, Depends(Require(Permission.models_read))]
ScoresRead = Annotated[Principal, Depends(Require(Permission.scores_read))]
EvaluateRun = Annotated[Principal, Depends(Require(Permission.evaluate))]
FindingsRead = Annotated[Principal, Depends(Require(Permission.findings_read))]
ActionsRead = Annotated[Principal, Depends(Require(Permission.actions_read))]
ActionsWrite = Annotated[Principal, Depends(Require(Permission.actions_write))]
TextRead = Annotated[Principal, Depends(Require(Permission.text_read))]
IngestWrite = Annotated[Principal, Depends(Require(Permission.ingest))]
AlertsRead = Annotated[Principal, Depends(Require(Permission.alerts_read))]
AlertsWrite = Annotated[Principal, Depends(Require(Permission.alerts_write))]
EventsWrite = Annotated[Principal, Depends(Require(Permission.events_write))]
ExperimentsRead = Annotated[Principal, Depends(Require(Permission.experiments_read))]
ReportsRead = Annotated[Principal, Depends(Require(Permission.reports_read))]
AuditsWrite = Annotated[Principal, Depends(Require(Permission.audits_write))]
MetricsRead = Annotated[Principal, Depends(Require(Permission.metrics_read))]
AccountsAdmin = Annotated[Principal, Depends(Require(Permission.accounts_admin))]


def units_of(ws: Workspace, who: Principal) -> frozenset[str] | None:
    return visible_units(ws, who)
