"""Web hardening: redirects stay on the site, every answer carries the security headers,
cookies are Secure, the login rate limit holds under concurrency and behind proxies, and
request bodies are bounded."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from api.conftest import PASSWORD, TestClient
from valueloop.accounts.service.accounts import MAX_FAILURES, Role, add_user
from valueloop.errors import InputError
from valueloop.http.app import create_app
from valueloop.http.proxy import client_address, networks
from valueloop.http.settings import ApiSettings
from valueloop.http.web.auth_pages import local_path
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]

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


# ---------------------------------------------------------------------------------------------
# Security headers on every answer
# ---------------------------------------------------------------------------------------------

ANONYMOUS = [
    ("GET", "/login", 200),
    ("GET", "/", 303),
    ("GET", "/lang/en", 303),
    ("GET", "/static/app.css", 200),
    ("GET", "/static/vendor/htmx/htmx.min.js", 200),
    ("GET", "/static/no-such-file.js", 404),
    ("GET", "/no-such-page", 404),
    ("GET", "/api/v1/health", 200),
    ("GET", "/api/v1/models", 401),
    ("GET", "/api/v1/no-such-route", 404),
    ("DELETE", "/api/v1/health", 405),
    ("GET", "/openapi.json", 200),
    ("GET", "/metrics", 401),
    ("POST", "/api/v1/events", 401),
    ("POST", "/login", 422),
]
SIGNED_IN = [
    ("GET", "/", 200),
    ("GET", "/rankings", 200),
    ("GET", "/units/B001", 200),
    ("GET", "/actions", 200),
    ("GET", "/alerts", 200),
    ("GET", "/upload", 200),
    ("GET", "/accounts", 200),
    ("GET", "/rankings.csv", 200),
    ("GET", "/rankings.xlsx", 200),
    ("GET", "/api/v1/runs/latest", 200),
    ("GET", "/api/v1/alerts-stream?once=true", 200),
    ("GET", "/api/v1/scores/NOPE", 400),
    ("POST", "/api/v1/evaluate?store=maybe", 422),
]


def _assert_hardened(r: object, path: str) -> None:
    headers = r.headers  # type: ignore[attr-defined]
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, path
    assert "default-src 'self'" in csp and "object-src 'none'" in csp, path
    assert headers.get("x-content-type-options") == "nosniff", path
    assert headers.get("x-frame-options") == "DENY", path
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer"), path


@pytest.mark.parametrize(("method", "path", "status"), ANONYMOUS)
def test_security_headers_on_anonymous_answers(app_client: TestClient, method: str, path: str, status: int) -> None:
    app_client.cookies.clear()
    r = app_client.request(method, path, follow_redirects=False)
    assert r.status_code == status, r.text[:300]
    _assert_hardened(r, path)
    if path != "/openapi.json":
        assert r.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")


@pytest.mark.parametrize(("method", "path", "status"), SIGNED_IN)
def test_security_headers_on_signed_in_answers(app_client: TestClient, as_role: Headers, method: str, path: str,
                                               status: int) -> None:  # fmt: skip
    r = app_client.request(method, path, headers=as_role("admin"), follow_redirects=False)
    assert r.status_code == status, r.text[:300]
    _assert_hardened(r, path)
    assert "script-src 'self';" in r.headers["content-security-policy"]


def test_security_headers_on_the_api_docs_and_on_a_server_error(demo: Workspace) -> None:
    app = create_app(ApiSettings(workspace=demo.root))

    def boom() -> None:
        raise RuntimeError("unexpected")

    app.add_api_route("/boom", boom, include_in_schema=False)
    client = TestClient(app, raise_server_exceptions=False, base_url="https://testserver")
    crashed = client.get("/boom")
    assert crashed.status_code == 500
    _assert_hardened(crashed, "/boom")
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    _assert_hardened(docs, "/api/docs")
    assert docs.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")


def test_pages_run_no_inline_script(app_client: TestClient, as_role: Headers) -> None:
    """The dashboard's CSP (script-src 'self') would block inline code: the pages must have none."""
    for path in ("/", "/rankings", "/units/B001", "/actions", "/alerts", "/upload", "/accounts", "/models",
                 "/reports", "/voice", "/vsm", "/experiments"):  # fmt: skip
        html = app_client.get(path, headers=as_role("admin")).text
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.IGNORECASE), path
        assert "javascript:" not in html.lower(), path


OUTSIDE = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href|srcset)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE
)
PAGES = ("/", "/rankings", "/units/B001", "/actions", "/alerts", "/upload", "/accounts", "/models", "/reports",
         "/voice", "/vsm", "/experiments", "/qa", "/cases", "/login", "/api/docs")  # fmt: skip


def test_no_page_loads_an_asset_from_another_host(app_client: TestClient, as_role: Headers) -> None:
    """Every script, style sheet and image is served by this server: the dashboard and the API docs work offline."""
    for path in PAGES:
        r = app_client.get(path, headers=as_role("admin"))
        assert r.status_code == 200, path
        assert not OUTSIDE.search(r.text), (path, OUTSIDE.search(r.text))
        for asset in re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"(/static/[^\"]+)\"", r.text):
            assert app_client.get(asset).status_code == 200, (path, asset)


def test_vendored_swagger_ui_carries_its_licence() -> None:
    vendor = Path(create_app.__code__.co_filename).parent / "web" / "static" / "vendor" / "swagger-ui"
    assert "Apache License" in (vendor / "LICENSE").read_text(encoding="utf-8")
    assert (vendor / "swagger-ui-bundle.js").stat().st_size > 100_000


# ---------------------------------------------------------------------------------------------
# Cookies
# ---------------------------------------------------------------------------------------------


def _set_cookies(r: object) -> dict[str, str]:
    out = {}
    for header in r.headers.get_list("set-cookie"):  # type: ignore[attr-defined]
        out[header.split("=", 1)[0]] = header.lower()
    return out


def test_cookies_are_secure_by_default(app_client: TestClient) -> None:
    assert ApiSettings(workspace=Path("ws")).secure_cookies
    app_client.cookies.clear()
    form = app_client.get("/login")
    assert "; secure" in _set_cookies(form)["vl_login_csrf"]
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = app_client.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)  # fmt: skip
    session = _set_cookies(r)["vl_session"]
    assert "; secure" in session and "httponly" in session and "samesite=lax" in session
    assert "; secure" in _set_cookies(app_client.get("/lang/en", follow_redirects=False))["vl_lang"]
    app_client.cookies.clear()


def test_insecure_cookies_only_when_asked(demo: Workspace) -> None:
    client = TestClient(create_app(ApiSettings(workspace=demo.root, secure_cookies=False)))
    assert "; secure" not in _set_cookies(client.get("/login"))["vl_login_csrf"]


def test_serve_and_demo_cookie_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``serve`` is Secure unless ``--insecure-cookies``; ``demo --serve`` (plain http on 127.0.0.1) asks for it."""
    import uvicorn
    from typer.testing import CliRunner

    from valueloop.cli.main import app as cli

    settings: list[ApiSettings] = []
    runs: list[dict[str, object]] = []
    monkeypatch.setattr("valueloop.http.app.create_app", lambda s: settings.append(s) or object())
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: runs.append(k))
    monkeypatch.setattr("valueloop.demo.pipeline.run_demo", lambda out, **_: {"datasets": [], "workspace": str(out)})
    ws = str(tmp_path / "ws")
    runner = CliRunner()
    proxies = ["--trusted-proxy", "10.0.0.5", "--trusted-proxy", "fd00::/8"]
    for args in (["serve", "--workspace", ws], ["serve", "--insecure-cookies", "--workspace", ws],
                 ["serve", "--secure-cookies", "--workspace", ws], ["demo", "--out", ws, "--serve"],
                 ["serve", *proxies, "--workspace", ws]):  # fmt: skip
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    assert [s.secure_cookies for s in settings] == [True, False, True, False, True]
    assert [s.trusted_proxies for s in settings] == [(), (), (), (), ("10.0.0.5", "fd00::/8")]
    assert all(k["proxy_headers"] is False for k in runs)  # uvicorn's own reading would trust 127.0.0.1


# ---------------------------------------------------------------------------------------------
# The login rate limit: concurrent attempts, forged and trusted proxy headers
# ---------------------------------------------------------------------------------------------


def _post_login(client: TestClient, user: str, password: str, token: str, **headers: str) -> int:
    data = {"username": user, "password": password, "csrf_token": token, "next": "/"}
    return client.post("/login", data=data, headers=headers, follow_redirects=False).status_code


def test_concurrent_wrong_passwords_stop_at_the_limit(app_client: TestClient, demo: Workspace) -> None:
    add_user(demo, "parallel", PASSWORD, Role.viewer)
    app_client.cookies.clear()
    token, _ = _login_form(app_client, "/")
    codes: list[int] = []
    threads = [threading.Thread(target=lambda: codes.append(_post_login(app_client, "parallel", "nope!", token)))
               for _ in range(3 * MAX_FAILURES)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert Counter(codes) == {401: MAX_FAILURES, 429: 2 * MAX_FAILURES}
    app_client.cookies.clear()


def test_forged_forwarded_for_does_not_reset_the_limit(app_client: TestClient, demo: Workspace) -> None:
    add_user(demo, "forged", PASSWORD, Role.viewer)
    app_client.cookies.clear()
    token, _ = _login_form(app_client, "/")
    codes = [_post_login(app_client, "forged", "nope!", token, **{"X-Forwarded-For": f"203.0.113.{i}"})
             for i in range(MAX_FAILURES + 1)]  # fmt: skip
    assert codes == [401] * MAX_FAILURES + [429]
    app_client.cookies.clear()


def test_behind_a_trusted_proxy_the_forwarded_client_counts(demo: Workspace) -> None:
    add_user(demo, "proxied", PASSWORD, Role.viewer)
    app = create_app(ApiSettings(workspace=demo.root, trusted_proxies=("10.0.0.0/8",)))
    client = TestClient(app, base_url="https://testserver", client=("10.1.2.3", 4000))
    token, _ = _login_form(client, "/")

    def attempt(forwarded: str) -> int:
        return _post_login(client, "proxied", "nope!", token, **{"X-Forwarded-For": forwarded})

    # the client may write anything left of what the proxy appended: only the rightmost untrusted hop counts
    codes = [attempt(f"198.51.100.{i}, 192.0.2.1, 10.9.9.9") for i in range(MAX_FAILURES + 1)]
    assert codes == [401] * MAX_FAILURES + [429]
    assert attempt("192.0.2.2, 10.9.9.9") == 401  # another client behind the same proxy is not limited


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", ["1.2.3.4"], "203.0.113.5"),  # not a proxy: its headers mean nothing
        ("10.0.0.1", ["1.2.3.4"], "1.2.3.4"),
        ("10.0.0.1", ["6.6.6.6, 1.2.3.4"], "1.2.3.4"),
        ("10.0.0.1", ["6.6.6.6", "1.2.3.4, 10.0.0.2"], "1.2.3.4"),
        ("10.0.0.1", ["1.2.3.4:5678"], "1.2.3.4"),
        ("10.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("10.0.0.1", ["10.0.0.3"], "10.0.0.3"),  # only proxies: the leftmost
        ("10.0.0.1", [], "10.0.0.1"),
        ("testclient", ["1.2.3.4"], "testclient"),
    ],
)
def test_client_address(peer: str, forwarded: list[str], expected: str) -> None:
    assert client_address(peer, forwarded, networks(["10.0.0.0/8"])) == expected


def test_a_mistyped_proxy_is_refused(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from valueloop.cli.main import app as cli

    with pytest.raises(InputError, match=r"'10\.0\.0\.300'"):
        networks(["10.0.0.1", "10.0.0.300"])
    result = CliRunner().invoke(cli, ["serve", "--trusted-proxy", "proxy.local", "--workspace", str(tmp_path)])
    assert isinstance(result.exception, InputError) and result.exception.exit_code == 2  # main() exits 2
    assert "'proxy.local' is not an IP address" in str(result.exception)


# ---------------------------------------------------------------------------------------------
# The upload limit is per request, not per file
# ---------------------------------------------------------------------------------------------

LIMIT = 200_000  # the test app's max_upload_bytes


def _orders(tag: str, size: int) -> bytes:
    head = "order_id,customer_id,entity_id,ordered_at,amount\n"
    rows, i = [head], 0
    while sum(map(len, rows)) < size:
        rows.append(f"{tag}-{i},C00001,B001,2026-10-03T10:00:00+08:00,99.5\n")
        i += 1
    return "".join(rows).encode()


def test_many_small_files_cannot_pass_the_request_limit(app_client: TestClient, as_role: Headers,
                                                        demo: Workspace) -> None:  # fmt: skip
    before = Lake(demo.lake_dir).manifest()
    files = [("files", (f"part{k}.csv", _orders(f"MANY{k}", LIMIT // 2), "text/csv")) for k in range(4)]
    r = app_client.post("/api/v1/ingest/orders", files=files, headers=as_role("analyst"))
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large" and "every file together" in r.json()["error"]["message"]
    _assert_hardened(r, "/api/v1/ingest/orders")
    assert Lake(demo.lake_dir).manifest() == before
    one = app_client.post("/api/v1/ingest/orders", files=files[:1], headers=as_role("analyst"))
    assert one.status_code == 201, one.text  # one such file alone is fine


def test_a_body_without_length_is_counted_as_it_streams(app_client: TestClient, as_role: Headers) -> None:
    def chunks() -> object:
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="s.csv"\r\n\r\n'
        for _ in range(2 * LIMIT // 10_000):
            yield b"x" * 10_000

    headers = as_role("analyst") | {"Content-Type": "multipart/form-data; boundary=b"}
    r = app_client.post("/api/v1/ingest/orders", content=chunks(), headers=headers)  # type: ignore[arg-type]
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


def test_a_large_login_form_is_refused_before_it_is_read(app_client: TestClient) -> None:
    r = app_client.post("/login", data={"username": "x" * (LIMIT + 1), "password": "p", "csrf_token": "t"})
    assert r.status_code == 413 and "every file together" in r.json()["error"]["message"]
