"""Actions in the app database: the workflow recorded, evidence and waivers, hand-offs, escalation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from valueloop.errors import InputError
from valueloop.improvement.service.actions import (
    _finding_defaults,
    accept_handoff,
    comment,
    create_action,
    move_action,
    send_handoff,
)
from valueloop.improvement.service.actions_view import escalations, list_actions, show_action
from valueloop.improvement.workflow import Evidence, Status, TransitionError, waiver
from valueloop.store import appdb, tables
from valueloop.store.workspace import Workspace

FIELDS: dict[str, Any] = {
    "title": "缩短退款审批等待",
    "owner": "王经理",
    "department": "客服部",
    "collaborators": [],
    "links": [{"kind": "indicator", "ref": "refund_time"}],
    "target_indicator": "refund_time",
    "target_direction": "decrease",
    "target_value": 24.0,
    "cost": 5000.0,
}
CHAIN = [Status.approved, Status.in_progress, Status.implemented, Status.verifying]


def _to_verifying(ws: Workspace, **extra: Any) -> int:
    aid = create_action(ws, {**FIELDS, **extra}, "alice")
    for s in CHAIN:
        move_action(ws, aid, s, "alice", f"on to {s}")
    return aid


def test_create_records_raci_links_and_the_first_history_entry(ws: Workspace) -> None:
    from valueloop.improvement.raci import Assignment, Role

    aid = create_action(ws, {**FIELDS, "collaborators": [Assignment("财务部", Role.R)]}, "alice")
    a = show_action(ws, aid).model_dump(by_alias=True)
    assert a["status"] == "proposed" and a["allowed_next"] == ["approved"]
    assert a["raci"] == [{"department": "客服部", "role": "A"}, {"department": "财务部", "role": "R"}]
    assert a["links"] == [{"kind": "indicator", "ref": "refund_time"}]
    assert a["expected_effect"] == {"indicator": "refund_time", "direction": "decrease", "target": 24.0}
    assert [(h["from_status"], h["to_status"], h["actor"]) for h in a["history"]] == [(None, "proposed", "alice")]


def test_effective_without_evidence_fails_and_changes_nothing(ws: Workspace) -> None:
    aid = _to_verifying(ws)
    with pytest.raises(TransitionError, match="needs a verification result"):
        move_action(ws, aid, Status.effective, "bob", "looks better")
    with pytest.raises(TransitionError, match="allowed next: effective, not_effective"):
        move_action(ws, aid, Status.closed, "bob", "done")
    a = show_action(ws, aid).model_dump(by_alias=True)
    assert a["status"] == "verifying" and len(a["history"]) == 5


def test_evidence_is_stored_with_the_move(ws: Workspace) -> None:
    aid = _to_verifying(ws)
    ev = Evidence(verdict="effective", method="welch_t", p_value=0.003, ci_low=-6.0, ci_high=-2.0)
    move_action(ws, aid, Status.effective, "bob", "A/B test passed", ev)
    v = show_action(ws, aid).model_dump(by_alias=True)["verification"]
    assert (v["verdict"], v["waived"], v["p_value"], v["ci"], v["created_by"]) == (
        "effective",
        False,
        0.003,
        [-6.0, -2.0],
        "bob",
    )


def test_a_waiver_is_recorded_and_shown_as_waived_everywhere(ws: Workspace) -> None:
    aid = _to_verifying(ws)
    move_action(ws, aid, Status.effective, "boss", "no control group", waiver("监管要求，全量上线无对照组"))
    move_action(ws, aid, Status.closed, "boss", "closing")
    a = show_action(ws, aid).model_dump(by_alias=True)
    assert a["status_label"] == "closed (waived)"
    assert a["verification"]["waived"] and a["verification"]["reason"] == "监管要求，全量上线无对照组"
    assert [r.status_label for r in list_actions(ws)] == ["closed (waived)"]


def test_handoff_wait_time_and_stalled_handoffs(ws: Workspace) -> None:
    aid = create_action(ws, FIELDS, "alice")
    h1 = send_handoff(ws, aid, "客服部", "财务部", "退款单据", "alice")
    h2 = send_handoff(ws, aid, "财务部", "技术部", "系统改造需求", "carol")
    sent = datetime(2026, 10, 1, 9, tzinfo=UTC)
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(sa.update(tables.handoffs).values(sent_at=sent))
    accept_handoff(ws, h1, "carol")
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            sa.update(tables.handoffs)
            .where(tables.handoffs.c.handoff_id == h1)
            .values(accepted_at=sent + timedelta(hours=5, minutes=30))
        )
    with pytest.raises(InputError, match="already accepted"):
        accept_handoff(ws, h1, "carol")
    now = sent + timedelta(hours=72)
    rows = {h["handoff_id"]: h for h in show_action(ws, aid, now).model_dump(by_alias=True)["handoffs"]}
    assert (rows[h1]["wait_hours"], rows[h1]["pending"]) == (5.5, False)
    assert (rows[h2]["wait_hours"], rows[h2]["pending"]) == (72.0, True)
    esc = escalations(ws, stall_hours=48, now=now).model_dump(by_alias=True)
    assert [h["handoff_id"] for h in esc["stalled_handoffs"]] == [h2]
    assert escalations(ws, stall_hours=100, now=now).model_dump(by_alias=True)["stalled_handoffs"] == []
    assert esc["boundaries"][0] == {
        "from": "客服部",
        "to": "财务部",
        "handoffs": 1,
        "pending": 0,
        "median_wait_hours": 5.5,
    }


def test_overdue_lists_unfinished_work_past_its_due_date(ws: Workspace) -> None:
    late = create_action(ws, {**FIELDS, "due_date": date(2026, 9, 1)}, "alice")
    create_action(ws, {**FIELDS, "due_date": date(2026, 12, 1)}, "alice")
    done = _to_verifying(ws, due_date=date(2026, 8, 1))  # the work is done; verification may take longer
    now = datetime(2026, 10, 1, tzinfo=UTC)
    esc = escalations(ws, now=now).model_dump(by_alias=True)
    assert [(a["action_id"], a["days_overdue"]) for a in esc["overdue_actions"]] == [(late, 30)]
    assert done not in [a["action_id"] for a in esc["overdue_actions"]]


def test_comments_and_unknown_actions(ws: Workspace) -> None:
    aid = create_action(ws, FIELDS, "alice")
    comment(ws, aid, "bob", "财务部已确认")
    assert show_action(ws, aid).model_dump(by_alias=True)["comments"][0]["body"] == "财务部已确认"
    with pytest.raises(InputError, match="no action 999"):
        move_action(ws, 999, Status.approved, "bob", "x")
    with pytest.raises(InputError, match="reason"):
        move_action(ws, aid, Status.approved, "bob", " ")


def test_from_finding_prefills_and_a_missing_findings_table_is_a_clear_error(ws: Workspace) -> None:
    with sa.create_engine("sqlite://").connect() as bare, pytest.raises(InputError, match="no findings table"):
        _finding_defaults(bare, "F1")
    with appdb.engine(ws.database_url).begin() as conn:
        if not sa.inspect(conn).has_table("findings"):
            pytest.skip("the findings migration is not in this build")
        conn.execute(
            sa.text(
                "INSERT INTO findings (id, model_id, level, period, entity_id, indicator, value, benchmark, gap_pct,"
                " severity, rule, n, evidence, created_at) VALUES ('F1', 'm', 'branch', '2026-10', 'B7', 'frt', 30.0,"
                " 20.0, 50.0, 'high', 'benchmark_gap', 100, '{}', '2026-10-31 00:00:00')"
            )
        )
    aid = create_action(ws, {"owner": "王经理", "department": "客服部", "links": []}, "alice", from_finding="F1")
    a = show_action(ws, aid).model_dump(by_alias=True)
    assert {(x["kind"], x["ref"]) for x in a["links"]} == {("finding", "F1"), ("indicator", "frt"), ("entity", "B7")}
    assert a["expected_effect"] == {"indicator": "frt", "direction": "decrease", "target": 20.0}
    with pytest.raises(InputError, match="no finding 'F2'"):
        create_action(ws, {"owner": "o", "department": "d"}, "alice", from_finding="F2")
