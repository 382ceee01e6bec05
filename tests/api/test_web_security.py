"""Web hardening: redirects stay on the site, every answer carries the security headers,
cookies are Secure, the login rate limit holds under concurrency and behind proxies, and
request bodies are bounded."""

from __future__ import annotations

import pytest

from api.conftest import PASSWORD, TestClient
from valueloop.web.auth_pages import local_path

EVIL_TARGETS = [
    "//evil.com",
    "//evil.com/path",
    "https://evil.com",
    "http:evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\n//evil.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.com",
    "%2f%2fevil.com",
    " //evil.com",
    "evil.com",
    "",
    "/" + "a" * 3000,
]
GOOD_TARGETS = ["/", "/rankings", "/rankings?sort=score&order=desc", "/units/B001", "/units/%E5%8C%97"]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_local_path_refuses_other_sites(target: str) -> None:
    assert local_path(target) == "/"


@pytest.mark.parametrize("target", GOOD_TARGETS)
def test_local_path_keeps_paths_of_this_site(target: str) -> None:
    assert local_path(target) == target


def _login_form(client: TestClient, nxt: str) -> tuple[str, str]:
    form = client.get("/login", params={"next": nxt})
    assert form.status_code == 200
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    shown = form.text.split('name="next" value="')[1].split('"')[0]
    return token, shown


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_login_never_redirects_off_site(app_client: TestClient, target: str) -> None:
    app_client.cookies.clear()
    token, shown = _login_form(app_client, target)
    assert shown == "/"
    data = {"username": "viewer", "password": PASSWORD, "csrf_token": token, "next": target}
    r = app_client.post("/login", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    app_client.cookies.clear()


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_language_switch_never_redirects_off_site(app_client: TestClient, target: str) -> None:
    r = app_client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_language_switch_and_login_keep_a_local_next(app_client: TestClient) -> None:
    r = app_client.get("/lang/en", params={"next": "/rankings?sort=score"}, follow_redirects=False)
    assert r.headers["location"] == "/rankings?sort=score"
    app_client.cookies.clear()
    token, shown = _login_form(app_client, "/actions")
    assert shown == "/actions"
    data = {"username": "viewer", "password": PASSWORD, "csrf_token": token, "next": "/actions"}
    assert app_client.post("/login", data=data, follow_redirects=False).headers["location"] == "/actions"
    app_client.cookies.clear()
