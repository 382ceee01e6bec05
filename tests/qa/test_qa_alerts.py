"""The monitor's QA rule: a planted drop of an agent's monthly QA score becomes an alert; a stable agent raises none."""

from __future__ import annotations

from pathlib import Path

from conftest import write
from qa.helpers import by_words
from qa.test_service import GOOD, SKIPS_VERIFICATION, _line
from valueloop.ingest.service.ingest import ingest
from valueloop.monitoring.service.alerts import list_alerts
from valueloop.qa.service.alerts import check_qa_alerts
from valueloop.qa.service.score import score_workspace
from valueloop.store.workspace import Workspace

MONITOR = """\
rules: []
qa_rules:
  - name: qa_drop
    rubric: bank_call
    by: agent
    drop: warning
    baseline: 3
    min_conversations: 2
    summary: {zh: 质检得分下降, en: QA score dropped}
"""


def test_a_planted_drop_fires_and_a_stable_agent_does_not(ws: Workspace, tmp_path: Path) -> None:
    (ws.root / "monitor.yaml").write_text(MONITOR, encoding="utf-8")
    lines = []
    for month in range(1, 6):
        for day in (3, 10, 17):
            when = f"2026-{month:02d}-{day:02d}T09:00:00"
            lines.append(_line(f"S-{month}-{day}", "STABLE", GOOD, when))
            planted = SKIPS_VERIFICATION if month == 5 else GOOD  # in May A1 stops verifying callers
            lines.append(_line(f"D-{month}-{day}", "A1", planted, when))
    ingest(ws, "conversations", [write(tmp_path / "c.jsonl", "\n".join(lines) + "\n")])
    score_workspace(ws, "bank_call", by_words)
    found = check_qa_alerts(ws)
    assert found.rules == ["qa_drop"] and found.series == 2
    assert [(a.rule, a.entity_id, a.status, a.value, a.new) for a in found.alerts] == [
        ("qa_drop", "A1", "firing", 0.0, True)
    ]
    stored = list_alerts(ws, rule="qa_drop")
    assert [(a.entity_id, a.status) for a in stored] == [("A1", "firing")]
    assert stored[0].labels["rubric"] == "bank_call" and "质检得分下降 — A1" in stored[0].summary
    assert [a.new for a in check_qa_alerts(ws).alerts] == [False]  # checking again records nothing new
    assert check_qa_alerts(ws, rubric="ecommerce_chat").alerts == []
