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
    for name, role, units in (("ana", Role.analyst, []), ("north", Role.manager, ["R1"])):
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
