"""The JSON API over a demo workspace: endpoints, error shape, uploads, tokens, sessions, rate limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.conftest import PASSWORD, TestClient, log_in
from valueloop.accounts.service.accounts import create_token, revoke_token
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]


def test_health_is_public_and_the_rest_needs_a_caller(app_client: TestClient) -> None:
    assert app_client.get("/api/v1/health").json()["status"] == "ok"
    r = app_client.get("/api/v1/models")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "auth_error"


def test_openapi_lists_the_api(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    for p in ("/api/v1/evaluate", "/api/v1/runs/latest", "/api/v1/findings/{finding_id}", "/api/v1/ingest/{dataset}"):
        assert p in paths


def test_models_runs_scores(app_client: TestClient, as_role: Headers) -> None:
    h = as_role("analyst")
    models = app_client.get("/api/v1/models", headers=h).json()
    assert models[0]["id"] == "three-dimension"
    run = app_client.get("/api/v1/runs/latest", headers=h).json()
    assert run["period"] == "2026-10" and len(run["results"]) == 20
    assert [r["rank"] for r in run["results"][:3]] == [1, 2, 3]
    unit = app_client.get("/api/v1/scores/B001", headers=h).json()
    assert unit["entity_id"] == "B001" and unit["indicator_rows"]
    missing = app_client.get("/api/v1/scores/NOPE", headers=h)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "input_error"


def test_evaluate_stores_a_new_run(app_client: TestClient, as_role: Headers) -> None:
    r = app_client.post("/api/v1/evaluate", json={"period": "2026-09"}, headers=as_role("analyst"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["period"] == "2026-09" and body["results"]
    latest = app_client.get("/api/v1/runs/latest", params={"period": "2026-09"}, headers=as_role("viewer")).json()
    assert latest["run_id"] == body["run_id"]


def test_findings_list_and_show(app_client: TestClient, as_role: Headers) -> None:
    h = as_role("auditor")
    found = app_client.get("/api/v1/findings", params={"severity": "critical"}, headers=h).json()
    assert found and all(f["severity"] == "critical" for f in found)
    one = app_client.get(f"/api/v1/findings/{found[0]['id']}", headers=h).json()
    assert one["id"] == found[0]["id"] and "evidence" in one


def test_actions_create_move_show(app_client: TestClient, as_role: Headers) -> None:
    h = as_role("analyst")
    body = {
        "title": "缩短首次响应",
        "owner": "王敏",
        "department": "客服部",
        "links": [{"kind": "entity", "ref": "B001"}],
    }
    created = app_client.post("/api/v1/actions", json=body, headers=h)
    assert created.status_code == 201, created.text
    aid = created.json()["action_id"]
    assert created.json()["created_by"] == "analyst"
    moved = app_client.post(f"/api/v1/actions/{aid}/moves", json={"to": "approved", "reason": "ok"}, headers=h)
    assert moved.json()["status"] == "approved"
    bad = app_client.post(f"/api/v1/actions/{aid}/moves", json={"to": "closed", "reason": "skip"}, headers=h)
    assert bad.status_code in (400, 409, 422) and "error" in bad.json()
    listed = app_client.get("/api/v1/actions", params={"status": "approved"}, headers=h).json()
    assert aid in [a["action_id"] for a in listed]


def test_text_endpoints(app_client: TestClient, as_role: Headers) -> None:
    h = as_role("viewer")
    life = app_client.get("/api/v1/text/lifecycle", headers=h).json()
    assert any(t["topic"] == "退款退货" for t in life)
    hot = app_client.get("/api/v1/text/hotspots", params={"top": 5}, headers=h).json()
    assert hot["texts"] > 0 and "heatmap" in hot["category"]


def test_upload_ingests_and_refuses_bad_files(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    h = as_role("analyst")
    before = Lake(demo.lake_dir).manifest()
    wrong = app_client.post(
        "/api/v1/ingest/orders", files={"files": ("x.exe", b"MZ\x00", "application/octet-stream")}, headers=h
    )
    assert wrong.status_code == 400 and "unsupported file type" in wrong.json()["error"]["message"]
    big = app_client.post(
        "/api/v1/ingest/orders", files={"files": ("big.csv", b"a,b\n" * 100_000, "text/csv")}, headers=h
    )
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    assert Lake(demo.lake_dir).manifest() == before
    csv = "order_id,customer_id,entity_id,ordered_at,amount\nAPI-1,C00001,B001,2026-10-03T10:00:00+08:00,99.5\n"
    ok = app_client.post("/api/v1/ingest/orders", files={"files": ("o.csv", csv.encode(), "text/csv")}, headers=h)
    assert ok.status_code == 201, ok.text
    assert ok.json()["read"] == 1 and ok.json()["files"] == ["o.csv"]  # the upload's name, not its temporary copy
    bad_row = csv.replace("99.5", "lots")
    kept = app_client.post("/api/v1/ingest/orders", files={"files": ("订单.csv", bad_row.encode(), "text/csv")},
                           headers=h).json()  # fmt: skip
    assert kept["quarantined"] == 1 and kept["errors"][0]["file"] == "订单.csv"
    shown = app_client.get("/api/v1/quarantine/batch", params={"batch": kept["batch_id"]}, headers=h).text
    assert "订单.csv" in shown and "vl-upload" not in shown
    broken = app_client.post("/api/v1/ingest/orders", files={"files": ("no-columns.csv", b"x,y\n1,2\n", "text/csv")},
                             headers=h)  # fmt: skip
    assert broken.status_code == 400 and "no-columns.csv" in broken.text and "vl-upload" not in broken.text


def test_tokens_scopes_and_revocation(app_client: TestClient, demo: Workspace) -> None:
    tid, secret = create_token(demo, "analyst", "read-only", ["scores:read"])
    h = {"Authorization": f"Bearer {secret}"}
    assert app_client.get("/api/v1/runs/latest", headers=h).status_code == 200
    assert app_client.get("/api/v1/findings", headers=h).status_code == 403
    revoke_token(demo, tid)
    assert app_client.get("/api/v1/runs/latest", headers=h).status_code == 401
    assert app_client.get("/api/v1/runs/latest", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_session_cookie_csrf_and_logout(app_client: TestClient) -> None:
    app_client.cookies.clear()
    assert log_in(app_client, "analyst", PASSWORD) == 303
    cookie = next(c for c in app_client.cookies.jar if c.name == "vl_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    me = app_client.get("/api/v1/me").json()
    assert me["username"] == "analyst"
    # an unsafe API call on the session cookie must carry the CSRF token
    no_csrf = app_client.post("/api/v1/evaluate", json={"store": False})
    assert no_csrf.status_code == 403
    page = app_client.get("/").text
    csrf = page.split('"X-CSRF-Token": "')[1].split('"')[0]
    assert app_client.post("/api/v1/evaluate", json={"store": False}, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert app_client.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    assert app_client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    app_client.cookies.delete("vl_session")
    assert app_client.get("/", follow_redirects=False).headers["location"].startswith("/login")


def test_login_set_cookie_flags(app_client: TestClient) -> None:
    app_client.cookies.clear()
    form = app_client.get("/login")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = app_client.post(
        "/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    header = r.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header
    app_client.cookies.clear()


def test_failed_logins_are_rate_limited(app_client: TestClient) -> None:
    app_client.cookies.clear()
    codes = [log_in(app_client, "auditor", "wrong password") for _ in range(6)]
    assert codes == [401] * 5 + [429]
    assert log_in(app_client, "auditor", PASSWORD) == 429  # even the right password waits
    assert log_in(app_client, "viewer", PASSWORD) == 303  # another user is not affected
    app_client.cookies.clear()


@pytest.mark.parametrize("path", ["/", "/rankings", "/rankings?sort=score&order=desc", "/units/B001", "/actions"])
def test_pages_render_in_both_languages(app_client: TestClient, as_role: Headers, path: str) -> None:
    zh = app_client.get(path, headers=as_role("admin"))
    assert zh.status_code == 200 and 'lang="zh-CN"' in zh.text
    app_client.cookies.set("vl_lang", "en")
    try:
        en = app_client.get(path, headers=as_role("admin"))
    finally:
        app_client.cookies.delete("vl_lang")
    assert en.status_code == 200 and 'lang="en"' in en.text


def test_rankings_csv(app_client: TestClient, as_role: Headers) -> None:
    r = app_client.get("/rankings.csv", headers=as_role("viewer"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("rank,entity_id,name,score") and len(lines) > 5
