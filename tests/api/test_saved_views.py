"""Saved views (``/api/v1/views`` and the pages' bar): named filter sets, per user, applied as a link."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.conftest import TestClient, log_in
from valueloop.accounts.service.saved_views import MAX_VIEWS, clean_query, list_views, save_view
from valueloop.errors import InputError
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]


def test_save_list_apply_and_delete_are_the_callers_own(app_client: TestClient, as_role: Headers) -> None:
    body = {"page": "rankings", "name": "华东 10月", "query": "?model=&period=2026-10&region=R01&sort=score"}
    saved = app_client.post("/api/v1/views", json=body, headers=as_role("analyst"))
    assert saved.status_code == 201, saved.text
    view = saved.json()
    assert view["query"] == "period=2026-10&region=R01&sort=score"  # empty selectors dropped, no leading '?'
    mine = app_client.get("/api/v1/views?page=rankings", headers=as_role("analyst")).json()
    assert [v["name"] for v in mine] == ["华东 10月"]
    # another user sees none of them and cannot delete them
    assert app_client.get("/api/v1/views", headers=as_role("viewer")).json() == []
    assert app_client.delete(f"/api/v1/views/{view['view_id']}", headers=as_role("viewer")).status_code == 404
    # saving the same name again replaces it
    again = app_client.post("/api/v1/views", json={**body, "query": "period=2026-09"}, headers=as_role("analyst"))
    assert again.json()["view_id"] == view["view_id"] and again.json()["query"] == "period=2026-09"
    # the page lists it as a link that applies it
    page = app_client.get("/rankings", headers=as_role("analyst")).text
    assert 'id="saved-views"' in page and 'href="/rankings?period=2026-09"' in page
    assert "华东 10月" not in app_client.get("/rankings", headers=as_role("viewer")).text
    assert app_client.delete(f"/api/v1/views/{view['view_id']}", headers=as_role("analyst")).status_code == 204
    assert app_client.get("/api/v1/views", headers=as_role("analyst")).json() == []


def test_bad_views_are_422s_naming_the_field(app_client: TestClient, as_role: Headers) -> None:
    for body in (
        {"page": "nope", "name": "x"},
        {"page": "alerts", "name": ""},
        {"page": "alerts", "name": "x", "y": 1},
    ):
        r = app_client.post("/api/v1/views", json=body, headers=as_role("analyst"))
        assert r.status_code == 422, (body, r.text)
    assert app_client.post("/api/v1/views", json={"page": "alerts", "name": "x"}).status_code == 401


def test_a_browser_session_saves_with_its_csrf_token(app_client: TestClient) -> None:
    app_client.cookies.clear()
    assert log_in(app_client, "auditor") == 303
    page = app_client.get("/alerts?status=firing")
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    refused = app_client.post("/api/v1/views", json={"page": "alerts", "name": "firing"})
    assert refused.status_code == 403
    r = app_client.post("/api/v1/views", json={"page": "alerts", "name": "firing", "query": "status=firing"},
                        headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert r.status_code == 201, r.text
    assert 'href="/alerts?status=firing"' in app_client.get("/alerts").text
    app_client.cookies.clear()


def test_service_limits_and_query_cleaning(demo: Workspace) -> None:
    assert clean_query("?a=1&b=&c=x%20y") == "a=1&c=x+y"
    with pytest.raises(InputError, match="page"):
        save_view(demo, "limits", "nope", "x", "")
    for i in range(MAX_VIEWS):
        save_view(demo, "limits", "voice", f"v{i}", "")
    with pytest.raises(InputError, match="at most"):
        save_view(demo, "limits", "voice", "one more", "")
    assert len(list_views(demo, "limits", "voice")) == MAX_VIEWS
