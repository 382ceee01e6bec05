"""Saved views on every list page that has filters (issue 20): cases, surveys, the value stream and the board."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from api.conftest import TestClient
from valueloop.accounts import scope
from valueloop.accounts.service.accounts import user_principal
from valueloop.accounts.service.saved_views import PAGES
from valueloop.http.api.views import PageName
from valueloop.improvement.service.actions_view import list_actions
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]
FILTERED = {"cases": "state=closed", "vsm": "period=2026-10", "surveys": "period=month", "actions": "overdue=true"}


def test_the_api_takes_exactly_the_pages_the_service_keeps() -> None:
    assert set(PageName.__args__) == set(PAGES)
    assert set(FILTERED) <= set(PAGES)


@pytest.mark.parametrize("name", sorted(FILTERED))
def test_a_list_page_lists_applies_and_hides_the_callers_views(
    app_client: TestClient, as_role: Headers, name: str
) -> None:
    empty = app_client.get(f"/{name}", headers=as_role("analyst"), params={"lang": "zh-CN"})
    assert empty.status_code == 200 and 'id="saved-views"' in empty.text and f'data-page="{name}"' in empty.text
    assert "/static/views.js" in empty.text and "尚未保存" in empty.text
    body = {"page": name, "name": "<img src=x onerror=alert(1)>", "query": FILTERED[name]}
    view = app_client.post("/api/v1/views", json=body, headers=as_role("analyst")).json()
    try:
        html = app_client.get(f"/{name}", headers=as_role("analyst")).text
        assert f'href="/{name}?{FILTERED[name]}"' in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html  # a user-set name is inert
        assert "onerror" not in app_client.get(f"/{name}", headers=as_role("viewer")).text
    finally:
        app_client.delete(f"/api/v1/views/{view['view_id']}", headers=as_role("analyst"))


def _tickets(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'id="ticket-(\d+)"', html)}


def test_the_board_filters_by_owner_department_and_overdue(
    app_client: TestClient, as_role: Headers, demo: Workspace
) -> None:
    every = scope.actions(demo, user_principal(demo, "analyst"), list_actions(demo))
    assert len(every) > 1
    whole = app_client.get("/actions", headers=as_role("analyst"), params={"lang": "zh-CN"}).text
    assert 'id="board-filter"' in whole and _tickets(whole) == {a.action_id for a in every}
    owner = every[0].owner
    mine = app_client.get("/actions", headers=as_role("analyst"), params={"owner": owner}).text
    assert _tickets(mine) == {a.action_id for a in every if a.owner == owner}
    assert f'<option value="{owner}" selected>' in mine
    late = app_client.get("/actions", headers=as_role("analyst"), params={"overdue": "true"}).text
    assert _tickets(late) == {a.action_id for a in every if a.overdue}
    unknown = app_client.get("/actions", headers=as_role("analyst"), params={"department": "<i>nope</i>"}).text
    assert _tickets(unknown) == _tickets(whole) and "<i>nope</i>" not in unknown
