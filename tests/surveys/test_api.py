"""``/api/v1/surveys`` and ``/api/v1/cases``: permissions, unit scope, QR codes, closing a case over HTTP."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from valueloop.accounts.service.accounts import Role, add_user, create_token
from valueloop.http.api import cases as cases_api
from valueloop.http.api import surveys as surveys_api
from valueloop.http.app import create_app
from valueloop.http.deps import Require
from valueloop.http.settings import ApiSettings
from valueloop.http.web import survey_page
from valueloop.store.workspace import Workspace
from valueloop.surveys.fatigue import Resolved
from valueloop.surveys.service.answers import submit
from valueloop.surveys.service.invitations import export_links, plan

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"


@pytest.fixture
def api(sws: Workspace) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    heads = {}
    for name, role, units in (("ana", Role.analyst, []), ("mgr", Role.manager, ["B001"]), ("view", Role.viewer, [])):
        add_user(sws, name, PASSWORD, role, units)
        heads[name] = {"Authorization": f"Bearer {create_token(sws, name, 'tests', [])[1]}"}
    now = datetime.now(UTC)
    fresh = [Resolved(f"I{u}", u, now - timedelta(hours=3), f"C{u}") for u in ("B001", "B002")]
    plan(sws, "after_service", now, dry_run=False, candidates=fresh)
    for r in export_links(sws, "after_service", "https://testserver", now + timedelta(hours=13)):
        submit(sws, r.url.rsplit("/s/", 1)[1], {"q.csat": ["1"]}, "zh", now)
    with TestClient(create_app(ApiSettings(workspace=sws.root)), base_url="https://testserver") as client:
        yield client, heads


def test_surveys_are_listed_and_planned_by_who_may(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, h = api
    listed = client.get("/api/v1/surveys", headers=h["view"]).json()
    assert [s["id"] for s in listed["surveys"]] == ["after_service"] and listed["problems"] == {}
    assert client.get("/api/v1/surveys/after_service", headers=h["view"]).json()["questions"][0]["id"] == "csat"
    assert client.get("/api/v1/surveys/..%2Fetc", headers=h["view"]).status_code in (400, 404)
    assert client.post("/api/v1/surveys/after_service/plan", json={}, headers=h["mgr"]).status_code == 403
    dry = client.post("/api/v1/surveys/after_service/plan", json={"dry_run": True}, headers=h["ana"])
    assert dry.status_code == 200 and dry.json()["dry_run"] is True
    assert client.get("/api/v1/surveys").status_code == 401


def test_a_scoped_manager_sees_and_closes_only_its_units_cases(
    api: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, h = api
    every = client.get("/api/v1/cases", headers=h["ana"]).json()
    assert sorted(c["entity_id"] for c in every) == ["B001", "B002"]
    mine = client.get("/api/v1/cases", headers=h["mgr"]).json()
    assert [c["entity_id"] for c in mine] == ["B001"]
    other = next(c["id"] for c in every if c["entity_id"] == "B002")
    hidden = client.get(f"/api/v1/cases/{other}", headers=h["mgr"])
    missing = client.get("/api/v1/cases/999999", headers=h["mgr"])
    too_big = client.get("/api/v1/cases/99999999999999999999", headers=h["mgr"])
    assert too_big.status_code == 422  # not a server error from the database
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["message"] == f"case {other} not found"
    body = {"outcome": "resolved", "root_cause": "logistics"}
    assert client.post(f"/api/v1/cases/{other}/close", json=body, headers=h["mgr"]).status_code == 404
    assert client.post(f"/api/v1/cases/{mine[0]['id']}/close", json=body, headers=h["view"]).status_code == 403
    bad = client.post(f"/api/v1/cases/{mine[0]['id']}/close", json={**body, "root_cause": "nope"}, headers=h["mgr"])
    assert bad.status_code == 400 and "not a category of the issue taxonomy" in bad.text
    done = client.post(f"/api/v1/cases/{mine[0]['id']}/close", json=body, headers=h["mgr"]).json()
    assert (done["outcome"], done["closed_by"]) == ("resolved", "mgr")
    figures = client.get("/api/v1/cases/figures", headers=h["mgr"]).json()
    assert (figures["cases"], figures["closed"]) == (1, 1)
    assert [
        i["entity_id"] for i in client.get("/api/v1/surveys/after_service/invitations", headers=h["mgr"]).json()
    ] == ["B001"]


def test_a_units_qr_code_is_an_svg_or_png_within_scope(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, h = api
    svg = client.get("/api/v1/surveys/after_service/units/B001/qr", headers=h["mgr"])
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml" and svg.text.startswith("<svg")
    png = client.get("/api/v1/surveys/after_service/units/B001/qr?format=png", headers=h["mgr"])
    assert png.content.startswith(b"\x89PNG")
    assert client.get("/api/v1/surveys/after_service/units/B002/qr", headers=h["mgr"]).status_code == 404


def test_the_rollup_button_proposes_an_action_for_the_callers_units(
    api: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    from zoneinfo import ZoneInfo

    client, h = api
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    for c in client.get("/api/v1/cases", headers=h["ana"]).json():
        closed = {"outcome": "reached", "root_cause": "logistics"}
        assert client.post(f"/api/v1/cases/{c['id']}/close", json=closed, headers=h["ana"]).status_code == 200
    seen = client.get(f"/api/v1/cases/rollup?month={month}&min_cases=1", headers=h["mgr"]).json()
    assert [(p["root_cause"], p["units"]) for p in seen] == [("logistics", ["B001"])]
    body = {"month": month, "min_cases": 1, "owner": "mgr", "department": "service"}
    assert client.post("/api/v1/cases/rollup", json=body, headers=h["view"]).status_code == 403
    made = client.post("/api/v1/cases/rollup", json=body, headers=h["mgr"]).json()
    assert made[0]["action_id"] is not None
    action = client.get(f"/api/v1/actions/{made[0]['action_id']}", headers=h["mgr"]).json()
    assert {(x["kind"], x["ref"]) for x in action["links"]} == {("complaint_topic", "logistics"), ("entity", "B001")}
    assert client.get("/api/v1/cases/rollup?month=2026-13", headers=h["mgr"]).status_code == 400


def test_the_case_board_shows_the_callers_cases_and_figures(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, h = api
    mine = client.get("/cases", headers=h["mgr"])
    assert mine.status_code == 200 and 'id="case-' in mine.text
    assert "B002" not in mine.text and "B001" in mine.text and 'href="/cases"' in mine.text
    everyone = client.get("/cases?state=all&lang=en", headers=h["ana"]).text
    assert everyone.count('<tr id="case-') == 2 and "Median hours to close" in everyone
    assert client.get("/cases?state=closed", headers=h["ana"]).text.count('<tr id="case-') == 0
    assert client.get("/cases", follow_redirects=False).status_code == 303  # sign in first


def test_hostile_ids_from_uploaded_data_are_inert_on_the_case_board(
    api: tuple[TestClient, dict[str, dict[str, str]]], sws: Workspace
) -> None:
    from html.parser import HTMLParser

    client, h = api
    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    now = datetime.now(UTC)
    plan(
        sws, "after_service", now, dry_run=False, candidates=[Resolved("H1", "B001", now - timedelta(hours=3), hostile)]
    )
    (row,) = [
        r
        for r in export_links(sws, "after_service", "https://x", now + timedelta(hours=13))
        if r.interaction_id == "H1"
    ]
    submit(sws, row.url.rsplit("/s/", 1)[1], {"q.csat": ["1"], "q.nps": ["2"], "q.why": [hostile]}, "zh", now)

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.seen.append((tag, attrs))

    for path in ("/cases", "/surveys"):
        page = client.get(path, headers=h["ana"]).text
        parser = Tags()
        parser.feed(page)
        tags = parser.seen
        assert "&lt;img src=x onerror=alert(1)&gt;" in page, path
        assert not [t for t, a in tags if t == "img" or any(k.startswith("on") for k, _ in a)], path
        assert all(dict(a).get("src", "/static/").startswith("/static/") for t, a in tags if t == "script"), path


def test_the_survey_page_shows_response_figures_and_answers_of_the_callers_units(
    api: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, h = api
    everyone = client.get("/surveys?lang=en", headers=h["ana"]).text
    assert everyone.count('<tr id="answer-') == 2 and "Response rate" in everyone and 'id="nav-surveys"' in everyone
    assert '<div class="big stat-answered">2</div>' in everyone
    mine = client.get("/surveys", headers=h["mgr"]).text
    assert mine.count('<tr id="answer-') == 1 and "CB001" in mine and "CB002" not in mine
    assert '<div class="big stat-answered">1</div>' in mine
    assert client.get("/surveys", headers=h["view"]).status_code == 200
    assert client.get("/surveys", follow_redirects=False).status_code == 303  # sign in first


def test_the_case_board_offers_closing_to_who_may_close(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, h = api
    assert 'form class="case-close' in client.get("/cases", headers=h["mgr"]).text
    assert 'value="response_speed/phone_queue"' in client.get("/cases", headers=h["mgr"]).text  # the taxonomy's causes
    assert 'form class="case-close' not in client.get("/cases", headers=h["view"]).text


def test_a_survey_is_shown_as_a_documented_result(
    api: tuple[TestClient, dict[str, dict[str, str]]], sws: Workspace
) -> None:
    from valueloop.surveys.service.catalog import get_survey

    client, h = api
    shown = client.get("/api/v1/surveys/after_service", headers=h["ana"])
    assert shown.status_code == 200
    assert shown.json() == get_survey(sws, "after_service").model_dump(mode="json")  # the document it was
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/v1/surveys/{survey_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    name = op["schema"]["$ref"].rsplit("/", 1)[1]
    props = spec["components"]["schemas"][name]["properties"]
    assert {"id", "version", "title", "questions", "trigger", "follow_up"} <= set(props)
    assert client.get("/api/v1/surveys/nope", headers=h["ana"]).status_code == 400


API_MD = Path(__file__).parents[2] / "docs" / "api.md"


def _permission(route: APIRoute) -> str:
    found = [d.call.permission.value for d in route.dependant.dependencies if isinstance(d.call, Require)]
    assert len(found) == 1, route.path
    return found[0]


def test_api_md_lists_every_survey_case_and_public_route_with_its_permission() -> None:
    """docs/api.md's table row ``| `METHOD /path` | permission |`` for each route, so the document cannot drift."""
    doc = API_MD.read_text(encoding="utf-8")
    routers = (surveys_api.router, cases_api.router, survey_page.router)
    ours = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert len(ours) >= 18
    for route in ours:
        for method in route.methods - {"HEAD"}:
            if route.path.startswith("/s/"):
                assert f"| `{method} {route.path}` | anyone with the link" in doc, (method, route.path)
            else:
                assert f"| `{method} {route.path}` | {_permission(route)} |" in doc, (method, route.path)


def test_the_case_board_lists_recurring_causes_and_offers_the_rollup_button(
    api: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, h = api
    assert 'id="no-recurring"' in client.get("/cases", headers=h["mgr"]).text
    for c in client.get("/api/v1/cases", headers=h["ana"]).json():
        closed = {"outcome": "reached", "root_cause": "logistics"}
        assert client.post(f"/api/v1/cases/{c['id']}/close", json=closed, headers=h["ana"]).status_code == 200
    board = client.get("/cases?min_cases=2&lang=en", headers=h["ana"]).text
    assert '<table id="recurring">' in board and "<td>logistics</td>" in board and 'form class="case-rollup' in board
    assert 'data-min="2"' in board and 'value="ana"' in board
    assert 'id="no-recurring"' in client.get("/cases?min_cases=2", headers=h["mgr"]).text  # one of its units' cases
    assert 'form class="case-rollup' not in client.get("/cases?min_cases=1", headers=h["view"]).text
    month = re.search(r'data-month="(\d{4}-\d{2})"', board)
    assert month
    body = {"month": month.group(1), "min_cases": 2, "owner": "ana", "department": "service"}
    (made,) = client.post("/api/v1/cases/rollup", json=body, headers=h["ana"]).json()
    after = client.get("/cases?min_cases=2", headers=h["ana"]).text
    assert f'href="/actions/{made["action_id"]}"' in after and 'form class="case-rollup' not in after  # once
