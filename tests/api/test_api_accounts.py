"""Accounts administration over the API: users and tokens, admin only, same answers as the CLI, secrets never out."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from typer.testing import CliRunner

from api.conftest import TestClient, sign_in
from valueloop.accounts.service.accounts import (
    ROLE_PERMISSIONS,
    TOKEN_SCOPES,
    Permission,
    Role,
    create_token,
    list_tokens,
    token_principal,
)
from valueloop.cli.main import app as cli
from valueloop.http.api import accounts as accounts_router
from valueloop.http.deps import Require
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]
V = "/api/v1"
ROUTES = [r for r in accounts_router.router.routes if isinstance(r, APIRoute)]


def _cli(*args: str | Path) -> Any:
    result = CliRunner().invoke(cli, [*map(str, args), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _times(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Timestamps as datetimes: the API writes UTC as ``Z``, the CLI as ``+00:00``."""
    return [{k: datetime.fromisoformat(v) if k.endswith("_at") and v else v for k, v in r.items()} for r in rows]


def _call(client: TestClient, route: APIRoute, headers: dict[str, str]) -> int:
    url = V + route.path_format.format(username="nobody-at-all", token_id=999_999)
    method = sorted(route.methods)[0]
    return client.request(method, url, json={} if method == "POST" else None, headers=headers).status_code


def test_only_admins_hold_accounts_admin() -> None:
    assert Permission.accounts_admin.value == "accounts:admin"
    holders = [role for role, perms in ROLE_PERMISSIONS.items() if Permission.accounts_admin in perms]
    assert holders == [Role.admin]
    assert "accounts:admin" in TOKEN_SCOPES and "public" not in TOKEN_SCOPES


def test_every_accounts_route_requires_accounts_admin() -> None:
    assert {(sorted(r.methods)[0], r.path) for r in ROUTES} == {
        ("GET", "/users"), ("POST", "/users"), ("POST", "/users/{username}/disable"),
        ("GET", "/tokens"), ("POST", "/tokens"), ("POST", "/tokens/{token_id}/revoke"),
    }  # fmt: skip
    for route in ROUTES:
        found = [d.call.permission for d in route.dependant.dependencies if isinstance(d.call, Require)]
        assert found == [Permission.accounts_admin], route.path


@pytest.mark.parametrize("role", [None, *Role])
def test_accounts_routes_by_role(app_client: TestClient, as_role: Headers, role: Role | None) -> None:
    app_client.cookies.clear()
    headers = as_role(role.value) if role else {}
    want = {None: {401}, Role.admin: None}.get(role, {403})
    for route in ROUTES:
        status = _call(app_client, route, headers)
        assert (status not in (401, 403)) if want is None else status in want, (role, route.path, status)


def test_users_list_matches_the_cli_and_hides_hashes(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    got = app_client.get(f"{V}/users", headers=as_role("admin"))
    assert got.status_code == 200
    assert {u["username"] for u in got.json()} >= {r.value for r in Role}
    assert "password" not in got.text and "argon2" not in got.text
    assert _times(got.json()) == _times(_cli("users", "list", "-w", demo.root))
    manager = next(u for u in got.json() if u["username"] == "manager")
    assert manager["role"] == "manager" and manager["units"] == ["R01"] and manager["disabled"] is False


def test_add_and_disable_a_user(app_client: TestClient, as_role: Headers, demo: Workspace,
                                caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    h = as_role("admin")
    body = {"username": "newbie", "password": "long enough pw", "role": "manager", "units": ["R01"]}
    with caplog.at_level(logging.INFO, logger=accounts_router.__name__):
        made = app_client.post(f"{V}/users", json=body, headers=h)
    assert made.status_code == 201, made.text
    assert made.json()["username"] == "newbie" and made.json()["units"] == ["R01"] and "password" not in made.text
    assert "'newbie' (manager) added by admin" in caplog.text
    again = app_client.post(f"{V}/users", json=body, headers=h)
    assert again.status_code == 400 and again.json()["error"]["code"] == "input_error"
    assert "already exists" in again.json()["error"]["message"]
    unbound = app_client.post(f"{V}/users", json=body | {"username": "m2", "units": []}, headers=h)
    assert unbound.status_code == 400 and unbound.json()["error"]["code"] == "input_error"
    for bad in ({"role": "root"}, {"password": "short"}, {"extra": 1}, {"username": ""}):
        assert app_client.post(f"{V}/users", json=body | bad, headers=h).status_code == 422, bad
    slash = app_client.post(f"{V}/users", json=body | {"username": "a/b"}, headers=h)
    assert slash.status_code == 400 and slash.json()["error"]["code"] == "input_error"

    # the new user signs in with a token; once disabled, the token stops working at once
    _, secret = create_token(demo, "newbie", "t", [])
    mine = {"Authorization": f"Bearer {secret}"}
    assert app_client.get(f"{V}/findings", headers=mine).status_code == 200
    with caplog.at_level(logging.INFO, logger=accounts_router.__name__):
        off = app_client.post(f"{V}/users/newbie/disable", headers=h)
    assert off.status_code == 200 and off.json()["disabled"] is True
    assert "'newbie' disabled by admin" in caplog.text
    assert app_client.get(f"{V}/findings", headers=mine).status_code == 401
    assert app_client.post(f"{V}/users/newbie/disable", headers=h).status_code == 200  # twice: harmless
    unknown = app_client.post(f"{V}/users/ghost/disable", headers=h)
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "input_error"
    self_off = app_client.post(f"{V}/users/admin/disable", headers=h)
    assert self_off.status_code == 400 and "your own account" in self_off.json()["error"]["message"]
    assert app_client.get(f"{V}/users", headers=h).status_code == 200  # still signed in


def test_tokens_create_list_revoke(app_client: TestClient, as_role: Headers, demo: Workspace,
                                   caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    h = as_role("admin")
    body = {"username": "viewer", "name": "dashboards", "scopes": ["scores:read"], "expires_days": 7}
    with caplog.at_level(logging.INFO, logger=accounts_router.__name__):
        made = app_client.post(f"{V}/tokens", json=body, headers=h)
    assert made.status_code == 201, made.text
    token = made.json()
    assert token["secret"].startswith("vl_") and token["scopes"] == ["scores:read"] and token["revoked_at"] is None
    assert token["username"] == "viewer" and token["expires_at"] is not None
    assert f"token {token['token_id']} ('dashboards') for 'viewer' created by admin" in caplog.text
    bearer = {"Authorization": f"Bearer {token['secret']}"}
    assert app_client.get(f"{V}/runs/latest", headers=bearer).status_code == 200
    assert app_client.get(f"{V}/findings", headers=bearer).status_code == 403  # outside its scopes

    listed = app_client.get(f"{V}/tokens", headers=h)
    assert listed.status_code == 200 and token["secret"] not in listed.text and "hash" not in listed.text
    assert _times(listed.json()) == _times(_cli("tokens", "list", "-w", demo.root))
    mine = app_client.get(f"{V}/tokens", params={"username": "viewer"}, headers=h).json()
    assert {t["username"] for t in mine} == {"viewer"} and token["token_id"] in {t["token_id"] for t in mine}
    assert next(t for t in mine if t["token_id"] == token["token_id"])["last_used_at"] is not None

    with caplog.at_level(logging.INFO, logger=accounts_router.__name__):
        gone = app_client.post(f"{V}/tokens/{token['token_id']}/revoke", headers=h)
    assert gone.status_code == 200 and gone.json()["revoked_at"] is not None and "secret" not in gone.json()
    assert f"token {token['token_id']} of 'viewer' revoked by admin" in caplog.text
    assert app_client.get(f"{V}/runs/latest", headers=bearer).status_code == 401
    again = app_client.post(f"{V}/tokens/{token['token_id']}/revoke", headers=h)
    assert again.status_code == 200 and again.json()["revoked_at"] == gone.json()["revoked_at"]


def test_token_errors(app_client: TestClient, as_role: Headers, tokens: dict[str, str], demo: Workspace) -> None:
    h = as_role("admin")
    for body, code in [
        ({"username": "ghost"}, 400),
        ({"username": "viewer", "scopes": ["root"]}, 400),
        ({"username": "viewer", "name": " "}, 400),
        ({"username": "viewer", "expires_days": -1}, 422),
        ({"username": "viewer", "expires_days": 10**9}, 422),
        ({"username": "viewer", "secret": "mine"}, 422),
    ]:
        got = app_client.post(f"{V}/tokens", json=body, headers=h)
        assert got.status_code == code, (body, got.text)
    never = app_client.post(f"{V}/tokens", json={"username": "auditor", "expires_days": 0}, headers=h).json()
    assert never["expires_at"] is None and set(never["scopes"]) == set(TOKEN_SCOPES)
    assert app_client.post(f"{V}/tokens/999999/revoke", headers=h).status_code == 400
    assert app_client.post(f"{V}/tokens/{2**70}/revoke", headers=h).status_code == 422
    own = token_principal(demo, tokens["admin"])
    assert own is not None and own.token_id is not None
    refused = app_client.post(f"{V}/tokens/{own.token_id}/revoke", headers=h)
    assert refused.status_code == 400 and "cannot revoke itself" in refused.json()["error"]["message"]
    assert next(t for t in list_tokens(demo) if t.token_id == own.token_id).revoked_at is None


def test_a_scoped_token_of_an_admin_cannot_administer(app_client: TestClient, demo: Workspace) -> None:
    _, secret = create_token(demo, "admin", "read only", ["scores:read"])
    assert app_client.get(f"{V}/users", headers={"Authorization": f"Bearer {secret}"}).status_code == 403
    _, analyst = create_token(demo, "analyst", "greedy", ["accounts:admin"])
    assert app_client.get(f"{V}/users", headers={"Authorization": f"Bearer {analyst}"}).status_code == 403


def test_a_browser_session_needs_the_csrf_token(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "admin", "/reports")
    body = {"username": "from-browser", "password": "long enough pw"}
    try:
        assert app_client.post(f"{V}/users", json=body).status_code == 403
        made = app_client.post(f"{V}/users", json=body, headers={"X-CSRF-Token": csrf})
        assert made.status_code == 201 and made.json()["role"] == "viewer"
    finally:
        app_client.cookies.clear()


def test_the_accounts_page(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    app_client.cookies.clear()
    assert app_client.get("/accounts", follow_redirects=False).status_code == 303  # to the login page
    assert app_client.get("/accounts", headers=as_role("analyst")).status_code == 403
    assert app_client.get("/accounts", headers=as_role("manager")).status_code == 403
    csrf = sign_in(app_client, "admin")
    try:
        shown = app_client.get("/accounts")
        assert shown.status_code == 200 and 'id="users"' in shown.text and ">manager<" in shown.text
        assert "argon2" not in shown.text and 'name="csrf_token" value="' + csrf in shown.text
        assert app_client.get("/accounts", params={"lang": "en"}).text.count("Add user") >= 1
        assert "添加用户" in app_client.get("/accounts", params={"lang": "zh-CN"}).text
        h = {"X-CSRF-Token": csrf}
        form = {"username": "paged", "password": "long enough pw", "role": "analyst", "csrf_token": csrf}
        assert app_client.post("/accounts/users", data=form).status_code == 403  # no header: refused by Require
        assert app_client.post("/accounts/users", data=form | {"csrf_token": "x"}, headers=h).status_code == 403
        added = app_client.post("/accounts/users", data=form, headers=h)
        assert added.status_code == 200 and 'id="accounts-notice"' in added.text and "paged" in added.text
        dup = app_client.post("/accounts/users", data=form, headers=h)
        assert dup.status_code == 200 and 'id="accounts-error"' in dup.text and "already exists" in dup.text

        token = {"username": "paged", "name": "from the page", "scopes": ["scores:read", "findings:read"],
                 "expires_days": "0", "csrf_token": csrf}  # fmt: skip
        made = app_client.post("/accounts/tokens", data=token, headers=h)
        assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
        secret = made.text.split('<code id="token-secret">')[1].split("<")[0]
        assert secret.startswith("vl_")
        [row] = list_tokens(demo, "paged")
        assert row.scopes == ["findings:read", "scores:read"] and row.expires_at is None
        assert secret not in app_client.get("/accounts").text  # shown once
        app_client.cookies.clear()
        assert app_client.get(f"{V}/findings", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
        csrf = sign_in(app_client, "admin")
        h = {"X-CSRF-Token": csrf}
        gone = app_client.post(f"/accounts/tokens/{row.token_id}/revoke", data={"csrf_token": csrf}, headers=h)
        assert gone.status_code == 200 and 'id="accounts-notice"' in gone.text
        assert list_tokens(demo, token_id=row.token_id)[0].revoked_at is not None
        off = app_client.post("/accounts/users/paged/disable", data={"csrf_token": csrf}, headers=h)
        assert off.status_code == 200 and 'id="accounts-notice"' in off.text
        assert next(u for u in _cli("users", "list", "-w", demo.root) if u["username"] == "paged")["disabled"]
        self_off = app_client.post("/accounts/users/admin/disable", data={"csrf_token": csrf}, headers=h)
        assert self_off.status_code == 200 and "your own account" in self_off.text
    finally:
        app_client.cookies.clear()
