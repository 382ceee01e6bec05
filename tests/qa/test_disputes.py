"""Disputes of one item result: opened, decided by a reviewer, an upheld result scored apart from the automatic one."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write
from qa.helpers import by_words
from qa.test_service import GOOD, SKIPS_VERIFICATION, _line
from valueloop.errors import InputError, NotFound
from valueloop.ingest.service.ingest import ingest
from valueloop.qa.service.disputes import list_disputes, open_dispute, resolve_dispute, upheld
from valueloop.qa.service.score import score_workspace
from valueloop.qa.service.show import conversation_view, rollup, weakest_items
from valueloop.qa.service.transcripts import read_where
from valueloop.store.workspace import Workspace


@pytest.fixture
def scored(ws: Workspace, tmp_path: Path) -> Workspace:
    """C1 by A1 passes; C2 by A2 skips identity verification (an auto-fail); C3 by A2 passes, a month later."""
    lines = [
        _line("C1", "A1", GOOD),
        _line("C2", "A2", SKIPS_VERIFICATION),
        _line("C3", "A2", GOOD, "2026-04-02T09:00:00"),
    ]
    ingest(ws, "conversations", [write(tmp_path / "c.jsonl", "\n".join(lines) + "\n")])
    score_workspace(ws, "bank_call", by_words)
    return ws


def _auto(ws: Workspace, cid: str, item: str) -> str:
    rows = read_where(ws, "qa_items", conversation_id=cid, item=item).to_pylist()
    return str(rows[0]["result"])


def test_an_upheld_dispute_changes_the_score_and_rollups_but_not_the_automatic_result(scored: Workspace) -> None:
    assert conversation_view(scored, "C2", "bank_call").score == 0.0  # skipped verification: auto-fail
    d = open_dispute(scored, "bank_call", "C2", "verify_identity", "verified on the IVR before the call", "A2")
    assert (d.status, d.auto_result, d.agent_id, d.entity_id) == ("open", "fail", "A2", "T1")
    with pytest.raises(InputError, match="already has an open dispute"):
        open_dispute(scored, "bank_call", "C2", "verify_identity", "again", "A2")
    decided = resolve_dispute(scored, d.dispute_id, "upheld", "IVR log shows verification", "王敏", sentiment=by_words)
    assert (decided.status, decided.result, decided.resolved_by) == ("upheld", "pass", "王敏")
    view = conversation_view(scored, "C2", "bank_call")
    assert view.score is not None and view.score > 0 and not view.auto_failed
    item = next(i for i in view.items if i.item == "verify_identity")
    assert (item.result, item.upheld_result) == ("fail", "pass")  # the automatic result is kept apart
    assert _auto(scored, "C2", "verify_identity") == "fail"
    assert [x.dispute_id for x in view.disputes] == [d.dispute_id]
    month = {(r.group, r.period): r for r in rollup(scored, "bank_call", "agent", "month")}
    assert month[("A2", "2026-03")].auto_failed == 0 and month[("A2", "2026-03")].mean_score == view.score
    weak = {(w.agent_id, w.item) for w in weakest_items(scored, "bank_call")}
    assert ("A2", "verify_identity") not in weak
    again = score_workspace(scored, "bank_call", by_words)  # a later full run applies the upheld dispute again
    assert again.auto_failed == 0 and conversation_view(scored, "C2", "bank_call").score == view.score
    assert upheld(scored, "bank_call") == {"C2": {"verify_identity": "pass"}}


def test_a_rejected_dispute_changes_nothing_and_cannot_be_decided_twice(scored: Workspace) -> None:
    d = open_dispute(scored, "bank_call", "C2", "verify_identity", "I did verify", "manager")
    with pytest.raises(InputError, match="keeps the automatic result"):
        resolve_dispute(scored, d.dispute_id, "rejected", "no", "rev", result="pass")
    done = resolve_dispute(scored, d.dispute_id, "rejected", "the recording has no verification", "rev")
    assert (done.status, done.result) == ("rejected", None)
    assert conversation_view(scored, "C2", "bank_call").score == 0.0
    with pytest.raises(InputError, match="already rejected"):
        resolve_dispute(scored, d.dispute_id, "upheld", "changed my mind", "rev")
    assert [x.status for x in list_disputes(scored, status="rejected", agent="A2")] == ["rejected"]
    assert list_disputes(scored, status="open") == []


def test_bad_disputes_are_clear_errors(scored: Workspace) -> None:
    with pytest.raises(InputError, match="no result for item 'nope'"):
        open_dispute(scored, "bank_call", "C2", "nope", "why", "A2")
    with pytest.raises(InputError, match="needs a reason"):
        open_dispute(scored, "bank_call", "C2", "greeting", "  ", "A2")
    with pytest.raises(InputError, match="no conversation"):
        open_dispute(scored, "bank_call", "C9", "greeting", "why", "A2")
    with pytest.raises(NotFound):
        resolve_dispute(scored, "QD-none", "rejected", "x", "rev")
    d = open_dispute(scored, "bank_call", "C1", "greeting", "why", "A1")
    with pytest.raises(InputError, match="changes nothing"):
        resolve_dispute(scored, d.dispute_id, "upheld", "x", "rev", result="pass")


def test_one_conversation_is_read_with_a_filter_not_the_whole_results(
    scored: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from valueloop.store.lake import Lake

    def whole(*_: object, **__: object) -> None:
        raise AssertionError("read a whole dataset to show one conversation")

    monkeypatch.setattr(Lake, "read", whole)
    view = conversation_view(scored, "C2", "bank_call")
    assert view.conversation_id == "C2" and len(view.items) > 5 and view.score == 0.0


def test_cli_dispute_coach_and_alerts(scored: Workspace) -> None:
    import json

    import typer
    from typer.testing import CliRunner

    from valueloop.cli.qa import register

    app = typer.Typer()
    register(app)

    def run(*args: str) -> object:
        result = CliRunner().invoke(app, ["qa", *args, "--workspace", str(scored.root), "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    opened = run("dispute", "open", "C2", "verify_identity", "--reason", "IVR", "--by", "A2")
    assert isinstance(opened, list) and opened[0]["status"] == "open"
    assert opened[0]["opened_at"].endswith("+00:00")  # moments as everywhere else (isoformat), not pydantic's Z
    listed = run("dispute", "list", "--status", "open")
    assert isinstance(listed, list) and [d["dispute_id"] for d in listed] == [opened[0]["dispute_id"]]
    done = run("dispute", "resolve", opened[0]["dispute_id"], "--decision", "rejected", "--note", "no", "--by", "rev")
    assert isinstance(done, list) and done[0]["status"] == "rejected" and done[0]["resolved_by"] == "rev"
    task = run("coach", "A2", "--top", "1", "--after", "3", "--by", "王敏")
    assert isinstance(task, dict) and task["agent_id"] == "A2" and task["created_by"] == "王敏"
    assert task["created_at"].endswith("+00:00") and task["since"].endswith("+00:00")
    measured = run("coaching", "measure", task["coaching_id"])
    assert isinstance(measured, dict) and measured["result"]["verdict"] is None
    alerts = run("alerts")
    assert isinstance(alerts, dict) and alerts["rules"] == ["qa_score_drop"] and alerts["alerts"] == []
