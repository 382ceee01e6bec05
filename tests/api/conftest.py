"""One small demo workspace per test module, users of every role, and clients signed in as them."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from valueloop.accounts.service.accounts import Role, add_user, create_token
from valueloop.demo.pipeline import run_demo
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.store.workspace import Workspace, open_workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2 (a deprecation); httpx is what we ship
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
MANAGER_UNIT = "R01"
BASE_URL = "https://testserver"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("demo") / "ws"
    os.environ["VALUELOOP_ADMIN_PASSWORD"] = PASSWORD  # the first admin, created with the workspace
    try:
        run_demo(root, interactions=6_000, log=lambda _: None)
    finally:
        del os.environ["VALUELOOP_ADMIN_PASSWORD"]
    ws = open_workspace(root)
    for role in Role:
        if role is not Role.admin:
            add_user(ws, role.value, PASSWORD, role, [MANAGER_UNIT] if role is Role.manager else [])
    return ws


@pytest.fixture(scope="module")
def app_client(demo: Workspace) -> Iterator[TestClient]:
    app = create_app(ApiSettings(workspace=demo.root, max_upload_bytes=200_000))
    with TestClient(app, base_url=BASE_URL) as client:  # cookies are Secure: the browser must be on https
        yield client


@pytest.fixture(scope="module")
def tokens(demo: Workspace) -> dict[str, str]:
    return {role.value: create_token(demo, role.value, "tests", [])[1] for role in Role}


@pytest.fixture
def as_role(app_client: TestClient, tokens: dict[str, str]) -> Callable[[str], dict[str, str]]:
    def headers(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    return headers


def demo_root(ws: Workspace) -> Path:
    return ws.root


def log_in(client: TestClient, user: str, password: str = PASSWORD) -> int:
    """Post the login form as a browser does (with the form's CSRF token); the status (303 when signed in)."""
    form = client.get("/login")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    data = {"username": user, "password": password, "csrf_token": token, "next": "/"}
    return client.post("/login", data=data, follow_redirects=False).status_code


def sign_in(client: TestClient, user: str, page: str = "/") -> str:
    """A fresh browser session of ``user`` (cookies cleared first); the session's CSRF token, read off ``page``."""
    client.cookies.clear()
    assert log_in(client, user) == 303
    return client.get(page).text.split('name="csrf-token" content="')[1].split('"')[0]
