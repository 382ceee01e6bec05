"""Every route declares one permission; every route × role gets exactly the status that permission implies."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute

from api.conftest import TestClient
from valueloop.api.deps import Require
from valueloop.flows.accounts import ROLE_PERMISSIONS, Permission, Role
from valueloop.flows.diagnose import list_findings
from valueloop.store.workspace import Workspace

BODIES: dict[str, Any] = {"/api/v1/evaluate": {"version": "not a number"}}


def _permission(route: APIRoute) -> Permission | None:
    found = [d.call.permission for d in route.dependant.dependencies if isinstance(d.call, Require)]
    return found[0] if len(found) == 1 else None


def _routes(client: TestClient) -> list[APIRoute]:
    return [r for r in client.app.routes if isinstance(r, APIRoute)]  # type: ignore[attr-defined]


def _url(route: APIRoute, finding: str) -> str:
    values = {"entity_id": "B001", "finding_id": finding, "action_id": "1", "dataset": "orders", "code": "en"}
    return route.path_format.format(**{k: values[k] for k in route.param_convertors})


def _call(client: TestClient, route: APIRoute, url: str, headers: dict[str, str]) -> int:
    method = sorted(route.methods)[0]
    if method == "GET":
        return client.get(url, headers=headers, follow_redirects=False).status_code
    body = BODIES.get(route.path, {"unexpected_field": 1})
    return client.request(method, url, json=body, headers=headers, follow_redirects=False).status_code


def test_every_route_declares_one_permission(app_client: TestClient) -> None:
    missing = [r.path for r in _routes(app_client) if _permission(r) is None and not r.path.startswith("/openapi")
               and not r.path.startswith("/api/docs")]
    assert missing == []


@pytest.mark.parametrize("role", [None, *Role])
def test_route_by_role_matrix(app_client: TestClient, tokens: dict[str, str], demo: Workspace,
                              role: Role | None) -> None:
    app_client.cookies.clear()
    finding = list_findings(demo)[0].id
    headers = {"Authorization": f"Bearer {tokens[role.value]}"} if role else {}
    wrong = []
    for route in _routes(app_client):
        perm = _permission(route)
        if perm is None:
            continue
        status = _call(app_client, route, _url(route, finding), headers)
        if perm is Permission.public:
            ok = status not in (401, 403)
        elif role is None:
            ok = status == (401 if route.path.startswith("/api/") or route.path == "/metrics" else 303)
        elif perm in ROLE_PERMISSIONS[role]:
            ok = status not in (401, 403)
        else:
            ok = status == 403
        if not ok:
            wrong.append((sorted(route.methods)[0], route.path, perm.value, status))
    assert wrong == []


def test_the_matrix_itself() -> None:
    """The policy, spelled out: who may run, write and upload."""
    may = {r.value: sorted(p.value for p in ROLE_PERMISSIONS[r] if p is not Permission.authenticated) for r in Role}
    assert "evaluate:run" in may["analyst"] and "evaluate:run" not in may["manager"]
    assert "actions:write" in may["manager"] and "actions:write" not in may["auditor"]
    assert "ingest:write" not in may["viewer"] and "text:read" not in may["manager"]
    assert set(may["admin"]) >= set(may["analyst"])
