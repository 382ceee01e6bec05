"""The QA pages: agents and weakest items, one conversation with its evidence highlighted, hostile text inert."""

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
from valueloop.http.web.qa_pages import segments
from valueloop.ingest.service.ingest import ingest
from valueloop.qa.service.score import score_workspace
from valueloop.store.workspace import Workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ENTITIES = (
    "entity_id,name,type,parent_id\nC0,Co,company,\nR1,N,region,C0\nR2,S,region,C0\nT1,T1,team,R1\nT2,T2,team,R2\n"
    "AC1,Ann,agent,T1\nAC2,Bo,agent,T2\n"
)
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def test_segments_cut_at_every_boundary_and_keep_the_worst_result() -> None:
    got = segments("您好，请核实身份", [(0, 2, "greeting", "pass"), (0, 8, "mood", "fail"), (4, 6, "verify", "pass")])
    assert [(s.text, s.result, s.items) for s in got] == [
        ("您好", "fail", ("greeting", "mood")),
        ("，请", "fail", ("mood",)),
        ("核实", "fail", ("mood", "verify")),
        ("身份", "fail", ("mood",)),
    ]
    assert [s.text for s in segments("abc", [(5, 9, "x", "pass")])] == ["abc"]


@pytest.fixture
def client(ws: Workspace, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    ingest(ws, "entities", [write(tmp_path / "e.csv", ENTITIES)])
    rows = []
    for cid, team, text in (("C1", "T1", HOSTILE), ("C2", "T2", "查余额")):
        turns = [{"speaker": "agent", "text": "您好，工号1"}, {"speaker": "customer", "text": text},
                 {"speaker": "agent", "text": f"{text} 感谢您的来电，再见"}]  # fmt: skip
        rows.append(json.dumps({"conversation_id": cid, "agent_id": f"A{cid}", "entity_id": team,
                                "started_at": "2026-03-01T09:00:00", "turns": turns}, ensure_ascii=False))  # fmt: skip
    ingest(ws, "conversations", [write(tmp_path / "c.jsonl", "\n".join(rows) + "\n")])
    score_workspace(ws, "bank_call", by_words)
    tokens = {}
    for name, role, units in (("ana", Role.analyst, []), ("north", Role.manager, ["R1"]), ("rev", Role.auditor, [])):
        add_user(ws, name, "correct horse battery", role, units)
        tokens[name] = create_token(ws, name, "tests", [])[1]
    with TestClient(create_app(ApiSettings(workspace=ws.root)), base_url="https://testserver") as c:
        yield c, tokens


def test_overview_lists_agents_and_weakest_items_in_scope(client: tuple[TestClient, dict[str, str]]) -> None:
    c, t = client
    page = c.get("/qa?lang=en", headers={"Authorization": f"Bearer {t['ana']}"})
    assert page.status_code == 200 and "AC1" in page.text and "AC2" in page.text
    north = c.get("/qa?lang=en", headers={"Authorization": f"Bearer {t['north']}"}).text
    assert "AC1" in north and "AC2" not in north


def test_conversation_page_highlights_evidence_and_escapes_text(client: tuple[TestClient, dict[str, str]]) -> None:
    c, t = client
    page = c.get("/qa/conversations/C1?lang=zh", headers={"Authorization": f"Bearer {t['ana']}"})
    assert page.status_code == 200
    assert '<mark class="qa-pass" title="greeting">您好</mark>' in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    assert "<img src=x" not in page.text
    hidden = c.get("/qa/conversations/C2", headers={"Authorization": f"Bearer {t['north']}"})
    assert hidden.status_code == 404


def test_conversation_page_shows_disputes_with_business_words(
    client: tuple[TestClient, dict[str, str]], ws: Workspace
) -> None:
    from valueloop.qa.service.disputes import open_dispute, resolve_dispute

    c, t = client
    d = open_dispute(ws, "bank_call", "C1", "verify_identity", HOSTILE, "north")
    resolve_dispute(ws, d.dispute_id, "upheld", "IVR verified", "王敏", sentiment=by_words)
    zh = c.get("/qa/conversations/C1?lang=zh", headers={"Authorization": f"Bearer {t['ana']}"}).text
    assert "申诉成立" in zh and "申诉改判为 通过" in zh and "核实身份" in zh and "IVR verified" in zh
    assert "<img src=x" not in zh and "&lt;img src=x" in zh
    en = c.get("/qa/conversations/C1?lang=en", headers={"Authorization": f"Bearer {t['ana']}"}).text
    assert "Upheld" in en and "dispute upheld as Pass" in en and "verify_identity" not in en


def test_agent_page_shows_the_trend_weakest_items_and_coaching_verdicts(
    client: tuple[TestClient, dict[str, str]], ws: Workspace
) -> None:
    from valueloop.qa.service.coaching import coach

    c, t = client
    coach(ws, "bank_call", "AC1", "王敏", top=2, follow_up_after=5)
    zh = c.get("/qa/agents/AC1?lang=zh", headers={"Authorization": f"Bearer {t['ana']}"})
    assert zh.status_code == 200
    assert "Ann (AC1)" in zh.text and "2026-03" in zh.text and "待再完成 5 通会话后评估" in zh.text
    assert "<script>alert" not in zh.text
    en = c.get("/qa/agents/AC1?lang=en", headers={"Authorization": f"Bearer {t['ana']}"}).text
    assert "QA score by month" in en and "measured after 5 further conversations" in en
    assert c.get("/qa/agents/AC2", headers={"Authorization": f"Bearer {t['north']}"}).status_code == 404
    overview = c.get("/qa?lang=en", headers={"Authorization": f"Bearer {t['ana']}"}).text
    assert '<a href="/qa/agents/AC1?rubric=bank_call">Ann (AC1)</a>' in overview


def test_the_review_form_stores_a_human_review_apart_and_calibration_shows_agreement(
    client: tuple[TestClient, dict[str, str]], ws: Workspace
) -> None:
    from valueloop.qa.service.review import agreement, record_review
    from valueloop.qa.service.transcripts import read_where

    c, t = client
    rev = {"Authorization": f"Bearer {t['rev']}"}
    queue = c.get("/qa/review?lang=zh", headers=rev)
    assert queue.status_code == 200 and "/qa/review/C1?rubric=bank_call" in queue.text
    form = c.get("/qa/review/C1?lang=en", headers=rev)
    assert form.status_code == 200 and 'name="result__greeting"' in form.text and "Submit review" in form.text
    assert "<script>alert" not in form.text and "&lt;script&gt;" in form.text
    sent = {"result__greeting": "pass", "result__farewell": "fail", "note__farewell": HOSTILE, "session": "CAL-1"}
    saved = c.post("/qa/review/C1?lang=en", data=sent, headers=rev)
    assert saved.status_code == 200 and "Saved your results for 2 items." in saved.text
    rows = read_where(ws, "qa_reviews", conversation_id="C1").to_pylist()
    assert {(r["item"], r["result"], r["reviewer_id"], r["session_id"]) for r in rows} == {
        ("greeting", "pass", "rev", "CAL-1"),
        ("farewell", "fail", "rev", "CAL-1"),
    }
    auto = read_where(ws, "qa_items", conversation_id="C1", item="farewell").to_pylist()[0]["result"]
    assert auto == "pass"  # the automatic result is untouched
    again = c.post("/qa/review/C1", data={**sent, "result__farewell": "pass"}, headers=rev)
    assert again.status_code == 200 and len(read_where(ws, "qa_reviews", conversation_id="C1")) == 2  # replaced
    bad = c.post("/qa/review/C1?lang=en", data={"result__greeting": "maybe"}, headers=rev)
    assert bad.status_code == 422 and "is not pass, fail or na" in bad.text
    assert c.post("/qa/review/C1", data=sent, headers={"Authorization": f"Bearer {t['north']}"}).status_code == 403
    page = c.get("/qa/calibration?lang=en", headers={"Authorization": f"Bearer {t['ana']}"})
    _, _, items = agreement(ws, "bank_call")
    greeting = next(a for a in items if a.item == "greeting")
    assert page.status_code == 200 and "2 reviews of 1 conversations by 1 reviewers" in page.text
    assert "Standard greeting" in page.text and ">greeting<" not in page.text
    assert greeting.pairs == 1 and "Needs human review" in page.text
    record_review(ws, "bank_call", "C1", "王敏", {"greeting": "pass", "farewell": "fail"}, session="CAL-1")
    zh = c.get("/qa/calibration?lang=zh&session=CAL-1", headers={"Authorization": f"Bearer {t['ana']}"}).text
    assert "人机对数" in zh and "需人工复核" in zh and "4 条复核，1 个会话，2 位复核员" in zh and "王敏" in zh
    assert c.get("/qa/calibration", headers={"Authorization": f"Bearer {t['north']}"}).status_code == 404
