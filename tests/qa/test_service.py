"""Score a workspace's conversations: stored per conversation and item, idempotent, rolled up, explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import write
from qa.helpers import by_words
from valueloop.ingest.service.ingest import ingest
from valueloop.qa.service.score import score_workspace
from valueloop.qa.service.show import conversation_view, rollup, weakest_items
from valueloop.store.workspace import Workspace

GOOD = [
    ("agent", "您好，工号1024，很高兴为您服务"),
    ("customer", "查询余额"),
    ("agent", "先核实一下您的身份证后四位"),
    ("customer", "1234"),
    ("agent", "您的账户余额是500元，还有什么可以帮您"),
    ("agent", "感谢您的来电，再见"),
]
SKIPS_VERIFICATION = [
    ("agent", "您好，工号2048"),
    ("customer", "查询余额"),
    ("agent", "您的账户余额是500元"),
    ("agent", "感谢您的来电，再见"),
]


def _line(cid: str, agent: str, turns: list[tuple[str, str]], when: str = "2026-03-02T09:00:00") -> str:
    body = [{"speaker": s, "text": t} for s, t in turns]
    row = {"conversation_id": cid, "agent_id": agent, "entity_id": "T1", "started_at": when, "turns": body}
    return json.dumps(row, ensure_ascii=False)


@pytest.fixture
def scored(ws: Workspace, tmp_path: Path) -> Workspace:
    lines = [
        _line("C1", "A1", GOOD),
        _line("C2", "A2", SKIPS_VERIFICATION),
        _line("C3", "A2", GOOD, "2026-04-02T09:00:00"),
    ]
    ingest(ws, "conversations", [write(tmp_path / "c.jsonl", "\n".join(lines) + "\n")])
    s = score_workspace(ws, "bank_call", by_words)
    assert (s.conversations, s.stored, s.auto_failed) == (3, 3, 1)
    return ws


def test_scores_are_stored_and_a_second_run_stores_nothing(scored: Workspace) -> None:
    again = score_workspace(scored, "bank_call", by_words)
    assert (again.stored, again.updated, again.duplicates) == (0, 0, 3)


def test_rollup_per_agent_and_month(scored: Workspace) -> None:
    rows = {(r.group, r.period): r for r in rollup(scored, "bank_call", "agent", "month")}
    assert set(rows) == {("A1", "2026-03"), ("A2", "2026-03"), ("A2", "2026-04")}
    assert rows[("A2", "2026-03")].mean_score == 0.0 and rows[("A2", "2026-03")].auto_failed == 1
    assert rows[("A1", "2026-03")].mean_score is not None and rows[("A1", "2026-03")].mean_score > 80


def test_weakest_items_name_the_skipped_verification_with_example_turns(scored: Workspace) -> None:
    weak = weakest_items(scored, "bank_call", agent="A2")
    top = next(w for w in weak if w.item == "verify_identity")
    assert (top.applicable, top.failed) == (2, 1)
    assert top.bad[0].conversation_id == "C2" and top.good[0].conversation_id == "C3"
    assert top.good[0].evidence[0]["text"] == "核实"


def test_conversation_view_carries_turns_and_evidence_spans(scored: Workspace) -> None:
    view = conversation_view(scored, "C1", "bank_call")
    assert [t.speaker for t in view.turns][:2] == ["agent", "customer"]
    greeting = next(i for i in view.items if i.item == "greeting")
    ev = greeting.evidence[0]
    assert (ev["turn"], ev["start"], ev["end"]) == (0, 0, 2)
    assert view.turns[0].text[ev["start"] : ev["end"]] == "您好"
