"""``/api/v1/qa``: permissions, the unit scope, rubric names only, and transcript text returned as inert data."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import write
from qa.helpers import by_words
from valueloop.accounts.service.accounts import Role, add_user, create_token
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.ingest.service.ingest import ingest
from valueloop.qa.service.score import score_workspace
from valueloop.store.workspace import Workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ENTITIES = (
    "entity_id,name,type,parent_id\nC0,Co,company,\nR1,North,region,C0\nR2,South,region,C0\n"
    "T1,Team 1,team,R1\nT2,Team 2,team,R2\nA1,Ann,agent,T1\nA2,Bo,agent,T2\n"
)
HOSTILE = '<script>alert(1)</script>=HYPERLINK("http://x")'


def _conv(cid: str, agent: str, team: str, text: str) -> str:
    turns = [
        {"speaker": "agent", "text": "您好，工号1"},
        {"speaker": "customer", "text": text},
        {"speaker": "agent", "text": "感谢您的来电，再见"},
    ]
    return json.dumps(
        {
            "conversation_id": cid,
            "agent_id": agent,
            "entity_id": team,
            "started_at": "2026-03-01T09:00:00",
            "turns": turns,
        },
        ensure_ascii=False,
    )


@pytest.fixture
def client(ws: Workspace, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    ingest(ws, "entities", [write(tmp_path / "e.csv", ENTITIES)])
    lines = [_conv("C1", "A1", "T1", HOSTILE), _conv("C2", "A2", "T2", "查余额")]
    ingest(ws, "conversations", [write(tmp_path / "c.jsonl", "\n".join(lines) + "\n")])
    score_workspace(ws, "bank_call", by_words)
    users = {"analyst": (Role.analyst, []), "north": (Role.manager, ["R1"]), "north-analyst": (Role.analyst, ["R1"]),
             "auditor": (Role.auditor, [])}  # fmt: skip
    tokens = {}
    for name, (role, units) in users.items():
        add_user(ws, name, "correct horse battery", role, units)
        tokens[name] = create_token(ws, name, "tests", [])[1]
    app = create_app(ApiSettings(workspace=ws.root))
    with TestClient(app, base_url="https://testserver") as c:
        yield c, tokens


def _h(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


def test_rollup_and_weakest_are_cut_to_the_callers_units(client: tuple[TestClient, dict[str, str]]) -> None:
    c, t = client
    everyone = c.get("/api/v1/qa/rollup?period=all", headers=_h(t, "analyst")).json()
    assert {r["group"] for r in everyone} == {"A1", "A2"}
    north = c.get("/api/v1/qa/rollup?period=all&by=unit", headers=_h(t, "north")).json()
    assert [r["group"] for r in north] == ["T1"]
    weak = c.get("/api/v1/qa/weakest", headers=_h(t, "north")).json()
    assert {w["agent_id"] for w in weak} <= {"A1"}


def test_a_conversation_outside_the_scope_answers_as_a_missing_one(client: tuple[TestClient, dict[str, str]]) -> None:
    c, t = client
    assert c.get("/api/v1/qa/conversations/C1", headers=_h(t, "north")).status_code == 200
    hidden = c.get("/api/v1/qa/conversations/C2", headers=_h(t, "north"))
    missing = c.get("/api/v1/qa/conversations/C9", headers=_h(t, "north"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace("C2", "X") == missing.text.replace("C9", "X")


def test_hostile_transcript_text_comes_back_as_json_data(client: tuple[TestClient, dict[str, str]]) -> None:
    c, t = client
    r = c.get("/api/v1/qa/conversations/C1", headers=_h(t, "analyst"))
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["turns"][1]["text"] == HOSTILE


def test_permissions_pooling_and_rubric_names(client: tuple[TestClient, dict[str, str]]) -> None:
    c, t = client
    assert c.post("/api/v1/qa/score", json={"rubric": "bank_call"}, headers=_h(t, "north")).status_code == 403
    assert c.post("/api/v1/qa/score", json={"rubric": "bank_call"}, headers=_h(t, "analyst")).status_code == 200
    # a caller bound to units loses workspace-wide runs (403); the route itself also refuses pooling (404)
    assert c.post("/api/v1/qa/calibrate", json={}, headers=_h(t, "north-analyst")).status_code in (403, 404)
    for name in ("..", "pyproject.toml", "../../etc/passwd"):
        r = c.get(f"/api/v1/qa/rollup?rubric={name}", headers=_h(t, "analyst"))
        assert r.status_code in (404, 422), name
    assert c.get("/api/v1/qa/rollup").status_code == 401


def test_rubric_text_is_validated_with_lines_and_anchors_refused(client: tuple[TestClient, dict[str, str]]) -> None:
    c, t = client
    bad = c.post(
        "/api/v1/qa/rubrics/validate", json={"text": "id: x\nname: X\nsections: []\n"}, headers=_h(t, "analyst")
    )
    assert bad.status_code == 422 and "rubric.yaml:3: sections" in bad.text and "vl-rubric" not in bad.text
    bomb = c.post("/api/v1/qa/rubrics/validate", json={"text": "a: &x [1]\nb: *x\n"}, headers=_h(t, "analyst"))
    assert bomb.status_code == 400 and "anchors" in bomb.text
    names = {r["name"] for r in c.get("/api/v1/qa/rubrics", headers=_h(t, "analyst")).json()}
    assert {"bank_call", "ecommerce_chat", "after_sales_zh"} <= names


def test_disputes_are_opened_in_scope_and_decided_by_a_reviewer(client: tuple[TestClient, dict[str, str]]) -> None:
    c, t = client
    body = {"rubric": "bank_call", "conversation_id": "C2", "item": "greeting", "reason": HOSTILE}
    assert c.post("/api/v1/qa/disputes", json=body, headers=_h(t, "north")).status_code == 404  # not their team
    opened = c.post("/api/v1/qa/disputes", json={**body, "conversation_id": "C1"}, headers=_h(t, "north"))
    assert opened.status_code == 201, opened.text
    d = opened.json()
    assert (d["opened_by"], d["reason"], d["status"]) == ("north", HOSTILE, "open")
    assert [x["dispute_id"] for x in c.get("/api/v1/qa/disputes", headers=_h(t, "north")).json()] == [d["dispute_id"]]
    decide = {"decision": "rejected", "note": "the greeting is there"}
    url = f"/api/v1/qa/disputes/{d['dispute_id']}/resolve"
    assert c.post(url, json=decide, headers=_h(t, "north")).status_code == 403  # a manager does not decide
    done = c.post(url, json=decide, headers=_h(t, "auditor"))
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert c.post("/api/v1/qa/disputes/QD-x/resolve", json=decide, headers=_h(t, "auditor")).status_code == 404
    view = c.get("/api/v1/qa/conversations/C1", headers=_h(t, "analyst")).json()
    assert [x["status"] for x in view["disputes"]] == ["rejected"]


def test_coaching_is_created_and_measured_for_the_callers_agents(client: tuple[TestClient, dict[str, str]]) -> None:
    c, t = client
    body = {"rubric": "bank_call", "agent": "A2", "follow_up_after": 3}
    assert c.post("/api/v1/qa/coaching", json=body, headers=_h(t, "north")).status_code == 404  # not their agent
    made = c.post("/api/v1/qa/coaching", json={**body, "agent": "A1"}, headers=_h(t, "north"))
    assert made.status_code == 201, made.text
    task = made.json()
    assert task["agent_id"] == "A1" and task["items"] and task["status"] == "open"
    assert [x["coaching_id"] for x in c.get("/api/v1/qa/coaching", headers=_h(t, "north")).json()] == [
        task["coaching_id"]
    ]
    measured = c.post(f"/api/v1/qa/coaching/{task['coaching_id']}/measure", headers=_h(t, "north")).json()
    assert measured["result"]["verdict"] is None and "0 of 3" in measured["result"]["reason"]
    other = c.post("/api/v1/qa/coaching", json=body, headers=_h(t, "analyst")).json()["coaching_id"]
    hidden = c.post(f"/api/v1/qa/coaching/{other}/measure", headers=_h(t, "north"))
    missing = c.post("/api/v1/qa/coaching/QC-none/measure", headers=_h(t, "north"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(other, "X") == missing.text.replace("QC-none", "X")
