"""Alert rows, acknowledgements, action history and ledgered lake files are covered by ``ledger verify``.

Each tampering below verified ``ok`` before coverage; now each fails (exit 1) and names the
table and id, or the lake file. A workspace from before coverage verifies, listing its older
rows as not covered.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from conftest import write
from valueloop.cli import ledger as ledger_cli
from valueloop.improvement.service import actions
from valueloop.ingest.service.ingest import ingest
from valueloop.monitoring.alerting import Transition
from valueloop.monitoring.service import alerts as alert_flow
from valueloop.store import appdb
from valueloop.store.lake import Lake
from valueloop.store.ledger_hash import GENESIS, record_hash
from valueloop.store.ledger_proof import verify
from valueloop.store.tables import ledger
from valueloop.store.workspace import Workspace

from .conftest import build

AUDITS = (
    "audit_id,entity_id,started_at,auditor_id,score,passed\n"
    "AU1,B1,2026-10-01 10:00,X1,0.925,true\nAU2,B2,2026-10-02 14:00,X2,0.61,false\n"
)
T0 = 1_790_000_000.0


def _alert(ws: Workspace, entity: str, status: str, at: float) -> str:
    tr = Transition(rule="error_burst", entity=entity, status=status, at=at, started_at=T0, value=7.0)  # type: ignore[arg-type]
    with appdb.engine(ws.database_url).begin() as conn:
        alert_flow.record(conn, tr, "critical", {"branch": entity}, f"{entity} errors", None)
    return tr.alert_id


def _covered(root: Path, tmp_path: Path) -> tuple[Workspace, dict[str, str]]:
    """The ledger fixture's books, plus a resolved alert, an acknowledged and an open one, and audits."""
    ws = build(root)
    ids = {"resolved": _alert(ws, "B1", "firing", T0 + 60)}
    _alert(ws, "B1", "resolved", T0 + 120)
    ids["acked"] = _alert(ws, "B2", "firing", T0 + 60)
    alert_flow.ack(ws, ids["acked"], "王敏", "on it")
    ids["open"] = _alert(ws, "B3", "firing", T0 + 60)
    ingest(ws, "audits", [write(tmp_path / "audits.csv", AUDITS)])
    accepted = actions.send_handoff(ws, 1, "客服部", "运营部", "排班调整", "alice")
    actions.accept_handoff(ws, accepted, "bob")
    ids["handoff"] = str(actions.send_handoff(ws, 1, "运营部", "IT部", "系统改造", "bob"))
    ids["comment"] = str(_comment(ws))
    return ws, ids


def _comment(ws: Workspace) -> int:
    actions.comment(ws, 1, "alice", "进展顺利")
    with appdb.engine(ws.database_url).connect() as conn:
        return int(conn.execute(sa.text("SELECT max(comment_id) FROM action_comments")).scalar_one())


def _sql(ws: Workspace, statement: str, **params: Any) -> None:
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(sa.text(statement), params)


def _edit_audit_score(ws: Workspace) -> str:
    (path,) = Lake(ws.lake_dir).files("audits")
    table = pq.read_table(path)
    scores = pc.if_else(pc.equal(table["audit_id"], "AU2"), 0.95, table["score"])
    pq.write_table(table.set_column(table.schema.get_field_index("score"), "score", scores), path)
    return path.relative_to(ws.lake_dir).as_posix()


def _cli(ws: Workspace) -> tuple[int, dict[str, Any]]:
    app = typer.Typer()
    ledger_cli.register(app)

    @app.callback()
    def _root() -> None:
        """Test harness."""

    result = CliRunner().invoke(app, ["ledger", "verify", "--workspace", str(ws.root), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


Tamper = Callable[[Workspace, dict[str, str]], str]
TAMPERING: dict[str, Tamper] = {
    "alert row deleted": lambda ws, ids: (
        _sql(ws, "DELETE FROM alerts WHERE alert_id = :a", a=ids["resolved"]),
        f"alerts/{ids['resolved']}",
    )[1],
    "ack forged": lambda ws, ids: (
        _sql(
            ws,
            "UPDATE alerts SET acked_by = 'mallory', acked_at = fired_at, ack_comment = '' WHERE alert_id = :a",
            a=ids["open"],
        ),
        f"alerts/{ids['open']}",
    )[1],
    "ack rewritten": lambda ws, ids: (
        _sql(ws, "UPDATE alerts SET acked_by = 'mallory' WHERE alert_id = :a", a=ids["acked"]),
        f"alerts/{ids['acked']}",
    )[1],
    "alert status": lambda ws, ids: (
        _sql(ws, "UPDATE alerts SET status = 'resolved' WHERE alert_id = :a", a=ids["open"]),
        f"alerts/{ids['open']}",
    )[1],
    "action transition deleted": lambda ws, ids: (
        _sql(ws, "DELETE FROM action_transitions WHERE transition_id = 3"),
        "action_transitions/3",
    )[1],
    "action transition forged": lambda ws, ids: (
        _sql(
            ws,
            "INSERT INTO action_transitions (action_id, from_status, to_status, actor, reason, at) "
            "VALUES (1, 'proposed', 'approved', 'mallory', 'backdated', '2026-01-01 00:00:00')",
        ),
        "action_transitions/8",
    )[1],
    "audit score edited in Parquet": lambda ws, ids: _edit_audit_score(ws),
    "comment edited": lambda ws, ids: (
        _sql(ws, "UPDATE action_comments SET body = '已完成' WHERE comment_id = :c", c=ids["comment"]),
        f"action_comments/{ids['comment']}",
    )[1],
    "hand-off acceptance forged": lambda ws, ids: (
        _sql(
            ws,
            "UPDATE handoffs SET accepted_by = 'mallory', accepted_at = sent_at WHERE handoff_id = :h",
            h=ids["handoff"],
        ),
        f"handoffs/{ids['handoff']}",
    )[1],
    "hand-off deleted": lambda ws, ids: (
        _sql(ws, "DELETE FROM handoffs WHERE handoff_id = :h", h=ids["handoff"]),
        f"handoffs/{ids['handoff']}",
    )[1],
}


@pytest.fixture
def covered(tmp_path: Path) -> tuple[Workspace, dict[str, str]]:
    return _covered(tmp_path / "ws", tmp_path)


def test_covered_books_verify(covered: tuple[Workspace, dict[str, str]]) -> None:
    ws, _ = covered
    report = verify(ws)
    assert report.ok, report.problems
    assert report.not_covered == []


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampering_with_a_covered_row_or_file_fails_verify_naming_it(
    covered: tuple[Workspace, dict[str, str]], case: str
) -> None:
    ws, ids = covered
    named = TAMPERING[case](ws, ids)
    code, report = _cli(ws)
    assert code == 1 and report["ok"] is False
    assert [(p["record"], p["kind"]) for p in report["problems"]] == [(named, "unrecorded_change")]
    table_or_file = named.split("/", 1)[0] if "/" in named else named
    assert table_or_file in report["problems"][0]["detail"]


def test_a_lake_file_missing_or_unrecorded_fails(covered: tuple[Workspace, dict[str, str]], tmp_path: Path) -> None:
    ws, _ = covered
    (path,) = Lake(ws.lake_dir).files("audits")
    path.unlink()
    assert [(p.record, p.kind) for p in verify(ws).problems] == [
        (path.relative_to(ws.lake_dir).as_posix(), "unrecorded_change")
    ]


def test_an_updated_audit_retires_the_old_file_and_still_verifies(
    covered: tuple[Workspace, dict[str, str]], tmp_path: Path
) -> None:
    ws, _ = covered
    ingest(ws, "audits", [write(tmp_path / "fix.csv", AUDITS.replace("0.61,false", "0.71,false"))])
    assert len(Lake(ws.lake_dir).files("audits")) == 2
    assert verify(ws).ok


def _as_before_coverage(ws: Workspace) -> None:
    """Rewrite the ledger as the previous version wrote it (no row or file hashes), at revision 0007."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(appdb.MIGRATIONS))
    prev = GENESIS
    with appdb.migration_connection(ws.database_url) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")  # the schema the previous version had
        for r in conn.execute(sa.select(ledger).order_by(ledger.c.seq)).all():
            payload = json.loads(r.payload)
            for key in ("rows", "lake"):
                payload.pop(key, None)
            text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = record_hash(r.at, r.kind, r.ref, text, prev)
            conn.execute(ledger.update().where(ledger.c.seq == r.seq).values(payload=text, prev=prev, hash=digest))
            prev = digest


def test_a_workspace_from_before_coverage_verifies_and_lists_what_is_not_covered(
    covered: tuple[Workspace, dict[str, str]],
) -> None:
    ws, ids = covered
    _as_before_coverage(ws)
    appdb.migrate(ws.database_url)  # what the upgraded valueloop does on first use
    report = verify(ws)
    assert report.ok, report.problems
    listed = {p.record for p in report.not_covered}
    assert {f"alerts/{ids[a]}" for a in ("resolved", "acked", "open")} <= listed
    assert {f"action_transitions/{n}" for n in range(1, 8)} <= listed
    assert any(r.startswith("audits/") for r in listed)
    assert {f"handoffs/{n}" for n in (1, 2)} | {f"action_comments/{ids['comment']}"} <= listed
    assert all(": not covered (" in p.detail for p in report.not_covered)
    _sql(ws, "DELETE FROM action_transitions WHERE transition_id = 2")  # a listed row still may not vanish
    assert [(p.record, p.kind) for p in verify(ws).problems] == [("action_transitions/2", "unrecorded_change")]


def test_new_changes_after_the_upgrade_are_covered(covered: tuple[Workspace, dict[str, str]]) -> None:
    ws, ids = covered
    _as_before_coverage(ws)
    appdb.migrate(ws.database_url)
    alert_flow.ack(ws, ids["open"], "bob")
    assert f"alerts/{ids['open']}" not in {p.record for p in verify(ws).not_covered}
    _sql(ws, "UPDATE alerts SET acked_by = 'mallory' WHERE alert_id = :a", a=ids["open"])
    assert [(p.record, p.kind) for p in verify(ws).problems] == [(f"alerts/{ids['open']}", "unrecorded_change")]


def test_an_unreadable_lake_manifest_is_a_problem_not_a_traceback(covered: tuple[Workspace, dict[str, str]]) -> None:
    ws, _ = covered
    (ws.lake_dir / "_manifest.json").write_text("{", encoding="utf-8")
    code, report = _cli(ws)
    assert code == 1 and [p["record"] for p in report["problems"]] == ["_manifest.json"]
