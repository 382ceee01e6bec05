"""Saved views on every list page that has filters (issue 20): cases, surveys and the value stream, as on rankings."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.conftest import TestClient
from valueloop.accounts.service.saved_views import PAGES
from valueloop.http.api.views import PageName

Headers = Callable[[str], dict[str, str]]
FILTERED = {"cases": "state=closed", "vsm": "period=2026-10", "surveys": "period=month"}


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
