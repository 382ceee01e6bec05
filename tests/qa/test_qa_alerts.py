"""The monitor's QA rule: a planted drop of an agent's monthly QA score becomes an alert; a stable agent raises none."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write
from monitoring.test_notify import Server
from monitoring.test_notify import server as server  # the fixture: a local webhook
from qa.helpers import by_words
from qa.test_service import GOOD, SKIPS_VERIFICATION, _line
from valueloop.ingest.service.ingest import ingest
from valueloop.monitoring.notify import Channel
from valueloop.monitoring.service.alerts import list_alerts
from valueloop.monitoring.service.notify import Outbox
from valueloop.monitoring.service.outbox import list_notifications
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


def _planted(ws: Workspace, tmp_path: Path) -> None:
    lines = []
    for month in range(1, 6):
        for day in (3, 10, 17):
            when = f"2026-{month:02d}-{day:02d}T09:00:00"
            lines.append(_line(f"D-{month}-{day}", "A1", SKIPS_VERIFICATION if month == 5 else GOOD, when))
    ingest(ws, "conversations", [write(tmp_path / "c.jsonl", "\n".join(lines) + "\n")])
    score_workspace(ws, "bank_call", by_words)


def test_a_qa_alert_is_sent_through_the_monitors_channels_once(ws: Workspace, tmp_path: Path, server: Server) -> None:
    channel = f'channels:\n  - {{name: hook, kind: webhook, url: "{server.url}", min_severity: info}}\n'
    (ws.root / "monitor.yaml").write_text(MONITOR + channel, encoding="utf-8")
    _planted(ws, tmp_path)
    found = check_qa_alerts(ws)
    assert [(a.entity_id, a.queued) for a in found.alerts] == [("A1", 1)]
    assert [a.queued for a in check_qa_alerts(ws).alerts] == [0]  # a repeat check queues nothing twice
    queued = list_notifications(ws, ["queued"])
    assert [(n.alert_id, n.channel, n.status) for n in queued] == [(found.alerts[0].alert_id, "hook", "firing")]
    ch = Channel(name="hook", kind="webhook", url=server.url, min_severity="info")
    Outbox(ws, [ch]).deliver_due()  # what the running monitor's worker does
    assert len(server.bodies) == 1 and "质检得分下降 — A1" in json.dumps(server.bodies[0], ensure_ascii=False)
    assert list_notifications(ws, ["queued"]) == []


def test_a_silenced_qa_alert_is_recorded_muted_and_not_sent(ws: Workspace, tmp_path: Path, server: Server) -> None:
    channel = f'channels:\n  - {{name: hook, kind: webhook, url: "{server.url}", min_severity: info}}\n'
    silence = "silences:\n  - matchers: {rubric: bank_call}\n    comment: calibration week\n"
    (ws.root / "monitor.yaml").write_text(MONITOR + channel + silence, encoding="utf-8")
    _planted(ws, tmp_path)
    assert [a.queued for a in check_qa_alerts(ws).alerts] == [0]
    assert list_notifications(ws, ["queued", "sent", "dead"]) == []
    assert "calibration week" in (list_alerts(ws, rule="qa_drop")[0].muted or "")
