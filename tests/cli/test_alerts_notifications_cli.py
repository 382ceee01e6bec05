"""``valueloop alerts notifications``: list the outbox (table, JSON, CSV; by state) and re-queue dead ones."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from typer.testing import CliRunner

from valueloop.cli.main import app
from valueloop.errors import InputError
from valueloop.monitoring.notify import Notice
from valueloop.monitoring.service import outbox
from valueloop.store import appdb
from valueloop.store.workspace import Workspace

runner = CliRunner()
NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _notice(i: int, status: str = "firing") -> Notice:
    return Notice(
        alert_id=f"a{i}", rule="r", status=status, severity="critical", summary="s", started_at=NOW.isoformat(),
        group_key="g",
    )  # fmt: skip


def _outbox(ws: Workspace) -> list[int]:
    """Three notifications: one queued, one sent, one dead; returns their ids in that order."""
    with appdb.engine(ws.database_url).begin() as conn:
        for i in range(3):
            outbox.enqueue(conn, _notice(i), "hook", NOW)
    ids = [r.id for r in outbox.list_notifications(ws)]
    outbox.mark_sent(ws, [ids[1]], NOW)
    outbox.mark_failed(ws, [ids[2]], "=HTTP 503: down", NOW, None)
    return ids


def _run(ws: Workspace, *args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["alerts", "notifications", *args, "--workspace", str(ws.root), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_lists_queued_and_dead_by_default_and_filters_by_state(ws: Workspace) -> None:
    queued, sent, dead = _outbox(ws)
    assert [(r["id"], r["state"]) for r in _run(ws)] == [(queued, "queued"), (dead, "dead")]
    assert [r["id"] for r in _run(ws, "--state", "sent")] == [sent]
    assert [r["last_error"] for r in _run(ws, "--state", "dead")] == ["=HTTP 503: down"]
    out = runner.invoke(app, ["alerts", "notifications", "-w", str(ws.root), "--format", "csv", "--state", "dead"])
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert out.exit_code == 0 and [(r["alert_id"], r["state"], r["attempts"]) for r in table] == [("a2", "dead", "1")]
    bad = runner.invoke(app, ["alerts", "notifications", "-w", str(ws.root), "--state", "lost"])
    assert bad.exit_code == 2 and "lost" in bad.output


def test_resend_requeues_dead_ones_only(ws: Workspace) -> None:
    queued, sent, dead = _outbox(ws)
    again = _run(ws, "--resend")
    assert [(r["id"], r["state"], r["attempts"]) for r in again] == [(dead, "queued", 0)]
    assert _run(ws, "--resend") == []  # nothing dead any more
    refused = runner.invoke(app, ["alerts", "notifications", "--resend", str(sent), "-w", str(ws.root)])
    assert isinstance(refused.exception, InputError) and f"{sent}: is sent" in str(refused.exception)
    ids_only = runner.invoke(app, ["alerts", "notifications", str(queued), "-w", str(ws.root)])
    assert ids_only.exit_code == 2 and "--resend" in ids_only.output
