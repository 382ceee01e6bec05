"""Every route declares one permission; every route × role gets exactly the status that permission implies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from api.conftest import MANAGER_UNIT, PASSWORD, TestClient
from valueloop.accounts.service.accounts import (
    ROLE_PERMISSIONS,
    WORKSPACE_WIDE,
    Permission,
    Role,
    add_user,
    create_token,
)
from valueloop.diagnosis.service.diagnose import list_findings
from valueloop.http.deps import Require
from valueloop.store.workspace import Workspace

BODIES: dict[str, Any] = {"/api/v1/evaluate": {"version": "not a number"}}
QUERIES = {"/api/v1/alerts-stream": "?once=true"}
"""An event stream never ends on its own; ``once`` sends the current state and closes."""


@dataclass(frozen=True)
class Route:
    path: str
    """With the router prefixes (``/api/v1/...``), as a client calls it."""
    method: str
    permission: Permission | None
    """The one :class:`Require` the route declares; None when it declares none or several."""


def _routes(client: TestClient) -> list[Route]:
    """Every API and page route of the app, walked through included routers (static files and docs aside)."""
    found = []
    for ctx in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        original = ctx.original_route
        if not isinstance(original, APIRoute) or ctx.path is None:
            continue
        requires = [d.call.permission for d in original.dependant.dependencies if isinstance(d.call, Require)]
        permission = requires[0] if len(requires) == 1 else None
        found.append(Route(ctx.path, sorted(ctx.methods or {"GET"})[0], permission))
    return found


VALUES = {"entity_id": "B001", "action_id": "1", "dataset": "orders", "code": "en", "username": "nobody-matrix"}
"""Path parameters; any other (ids of alerts, silences, tokens …) gets one that names nothing."""


def _url(route: Route, finding: str) -> str:
    values = {**VALUES, "finding_id": finding}
    path = re.sub(r"{(\w+)(:\w+)?}", lambda m: values.get(m.group(1), "999999"), route.path)
    return path + QUERIES.get(route.path, "")


def _call(client: TestClient, route: Route, url: str, headers: dict[str, str]) -> int:
    if route.method == "GET":
        return client.get(url, headers=headers, follow_redirects=False).status_code
    body = BODIES.get(route.path, {"unexpected_field": 1})
    return client.request(route.method, url, json=body, headers=headers, follow_redirects=False).status_code


def test_the_walk_sees_every_router(app_client: TestClient) -> None:
    """The matrix is only as good as this walk: it must reach the API and the pages (it once found none)."""
    paths = {r.path for r in _routes(app_client)}
    assert {"/api/v1/health", "/api/v1/findings", "/api/v1/actions/{action_id}", "/", "/metrics"} <= paths
    assert len(paths) > 100


def test_every_route_declares_one_permission(app_client: TestClient) -> None:
    missing = [
        r.path
        for r in _routes(app_client)
        if r.permission is None and not r.path.startswith("/openapi") and not r.path.startswith("/api/docs")
    ]
    assert missing == []


BOUND = [Role.analyst]
"""Roles also walked bound to ``MANAGER_UNIT``: they keep their role's permissions but the workspace-wide ones."""


@pytest.fixture(scope="module")
def bound_tokens(demo: Workspace) -> dict[str, str]:
    out = {}
    for role in BOUND:
        add_user(demo, f"{role.value}-bound", PASSWORD, role, [MANAGER_UNIT])
        out[role.value] = create_token(demo, f"{role.value}-bound", "tests", [])[1]
    return out


@pytest.mark.parametrize(("role", "bound"), [(None, False), *((r, False) for r in Role), *((r, True) for r in BOUND)])
def test_route_by_role_matrix(
    app_client: TestClient,
    tokens: dict[str, str],
    bound_tokens: dict[str, str],
    demo: Workspace,
    role: Role | None,
    bound: bool,
) -> None:
    app_client.cookies.clear()
    finding = list_findings(demo)[0].id
    token = (bound_tokens if bound else tokens)[role.value] if role else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    allowed = frozenset() if role is None else ROLE_PERMISSIONS[role] - (WORKSPACE_WIDE if bound else frozenset())
    wrong = []
    for route in _routes(app_client):
        perm = route.permission
        if perm is None:
            continue
        status = _call(app_client, route, _url(route, finding), headers)
        if perm is Permission.public:
            ok = status not in (401, 403)
        elif role is None:
            ok = status == (401 if route.path.startswith("/api/") or route.path == "/metrics" else 303)
        elif perm in allowed:
            ok = status not in (401, 403)
        else:
            ok = status == 403
        if not ok:
            wrong.append((route.method, route.path, perm.value, status))
    assert wrong == []


def test_the_matrix_itself() -> None:
    """The policy, spelled out: who may run, write and upload."""
    may = {r.value: sorted(p.value for p in ROLE_PERMISSIONS[r] if p is not Permission.authenticated) for r in Role}
    assert "evaluate:run" in may["analyst"] and "evaluate:run" not in may["manager"]
    assert "actions:write" in may["manager"] and "actions:write" not in may["auditor"]
    assert "ingest:write" not in may["viewer"] and "text:read" not in may["manager"]
    assert set(may["admin"]) >= set(may["analyst"])
    assert "audits:write" in may["auditor"] and may["auditor"] != may["viewer"]
    assert may["scraper"] == ["metrics:read"] and "metrics:read" not in may["manager"] + may["viewer"]
