"""Use cases that read improvement actions: list, show one in full, and what needs escalating.

A waived verification is never hidden: wherever an action's status appears, a status
reached on a waiver reads ``effective (waived)``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from valueloop.improvement.handoffs import Handoff, boundary_summary, stalled
from valueloop.improvement.results import (
    ActionDetail,
    ActionLink,
    ActionSummary,
    Boundary,
    Comment,
    DocumentRef,
    Escalations,
    ExpectedEffect,
    HandoffRow,
    RaciRole,
    Transition,
    Verification,
)
from valueloop.improvement.workflow import WAIVED, WORK_OPEN, Status, allowed_next
from valueloop.store import appdb
from valueloop.store import tables as db
from valueloop.store.workspace import Workspace


def _verdicts(conn: sa.Connection) -> dict[int, Verification]:
    """The latest verification of every action that has one."""
    v = db.action_verifications
    rows = conn.execute(sa.select(v).order_by(v.c.action_id, v.c.verification_id)).mappings()
    out = {}
    for r in rows:
        out[r["action_id"]] = Verification(
            verdict=r["verdict"],
            waived=r["verdict"] == WAIVED,
            reason=r["reason"],
            p_value=r["p_value"],
            ci=[r["ci_low"], r["ci_high"]],
            method=r["method"],
            created_by=r["created_by"],
            created_at=appdb.as_utc(r["created_at"]),
        )
    return out


def status_label(status: str, verification: Verification | None) -> str:
    if verification and verification.waived and status in (Status.effective, Status.closed):
        return f"{status} (waived)"
    return status


def _head(r: sa.RowMapping, verification: Verification | None, today: date) -> dict[str, Any]:
    """The fields a list row and the full action share, from the action's row."""
    due = r["due_date"]
    late = due is not None and due < today and Status(r["status"]) in WORK_OPEN
    return {
        "action_id": r["action_id"],
        "title": r["title"],
        "status": r["status"],
        "status_label": status_label(r["status"], verification),
        "owner": r["owner"],
        "department": r["department"],
        "due_date": due,
        "overdue": late,
        "days_overdue": (today - due).days if late and due else 0,
        "expected_effect": _effect(r),
        "cost": r["cost"],
    }


def _summary(r: sa.RowMapping, verification: Verification | None, today: date) -> ActionSummary:
    return ActionSummary(**_head(r, verification, today), verification=verification.verdict if verification else None)


def _effect(r: sa.RowMapping) -> ExpectedEffect | None:
    if r["target_indicator"] is None:
        return None
    return ExpectedEffect(indicator=r["target_indicator"], direction=r["target_direction"], target=r["target_value"])


def list_actions(
    ws: Workspace, status: Status | None = None, department: str | None = None, today: date | None = None
) -> list[ActionSummary]:
    """Actions, newest first; ``department`` matches the owner or any RACI department."""
    a, d = db.actions, db.action_departments
    query = sa.select(a).order_by(a.c.action_id.desc())
    if status is not None:
        query = query.where(a.c.status == status.value)
    if department is not None:
        involved = sa.select(d.c.action_id).where(d.c.department == department)
        query = query.where((a.c.department == department) | a.c.action_id.in_(involved))
    with appdb.engine(ws.database_url).connect() as conn:
        verdicts = _verdicts(conn)
        rows = conn.execute(query).mappings().all()
    day = today or date.today()
    return [_summary(r, verdicts.get(r["action_id"]), day) for r in rows]


def links_by_action(ws: Workspace) -> dict[int, list[ActionLink]]:
    """Every action's links (kind, ref) in one query, for scoping lists without loading each action."""
    out: dict[int, list[ActionLink]] = {}
    t = db.action_links
    with appdb.engine(ws.database_url).connect() as conn:
        for r in conn.execute(sa.select(t.c.action_id, t.c.kind, t.c.ref).order_by(t.c.link_id)):
            out.setdefault(int(r.action_id), []).append(ActionLink(kind=r.kind, ref=r.ref))
    return out


def show_action(ws: Workspace, aid: int, now: datetime | None = None) -> ActionDetail:
    """One action in full: links, RACI, documents, verification, history, comments, hand-offs."""
    from valueloop.improvement.service.actions import status_of

    t = now or datetime.now(UTC)
    with appdb.engine(ws.database_url).connect() as conn:
        status_of(conn, aid)
        row = conn.execute(sa.select(db.actions).where(db.actions.c.action_id == aid)).mappings().one()
        verification = _verdicts(conn).get(aid)
        detail = _children(conn, aid)
        handoffs = _handoffs(conn, db.handoffs.c.action_id == aid)
    return ActionDetail(
        **_head(row, verification, t.date()),
        verification=verification,
        description=row["description"],
        allowed_next=[s.value for s in allowed_next(Status(row["status"]))],
        **detail,
        handoffs=[_handoff_row(h, t) for h in handoffs],
        created_by=row["created_by"],
        created_at=appdb.as_utc(row["created_at"]),
        updated_at=appdb.as_utc(row["updated_at"]),
    )


def _children(conn: sa.Connection, aid: int) -> dict[str, Any]:
    """The action's links, RACI, documents, history and comments, each in the order it was written."""

    def rows(table: sa.Table, *cols: str, order: str) -> list[dict[str, Any]]:
        q = sa.select(*(table.c[c] for c in cols)).where(table.c.action_id == aid).order_by(table.c[order])
        return [
            {k: appdb.as_utc(v) if isinstance(v, datetime) else v for k, v in r.items()}
            for r in conn.execute(q).mappings()
        ]

    return {
        "links": [ActionLink(**r) for r in rows(db.action_links, "kind", "ref", order="link_id")],
        "raci": [RaciRole(**r) for r in rows(db.action_departments, "department", "role", order="role")],
        "documents": [DocumentRef(**r) for r in rows(db.action_documents, "doc_id", "version", order="doc_id")],
        "history": [
            Transition(**r)
            for r in rows(
                db.action_transitions, "from_status", "to_status", "actor", "reason", "at", order="transition_id"
            )
        ],
        "comments": [Comment(**r) for r in rows(db.action_comments, "author", "body", "at", order="comment_id")],
    }


def _handoffs(conn: sa.Connection, where: sa.ColumnElement[bool]) -> list[Handoff]:
    h = db.handoffs
    rows = conn.execute(sa.select(h).where(where).order_by(h.c.handoff_id)).mappings()
    return [
        Handoff(
            handoff_id=r["handoff_id"],
            action_id=r["action_id"],
            from_department=r["from_department"],
            to_department=r["to_department"],
            what=r["what"],
            sent_at=appdb.as_utc(r["sent_at"]) or datetime.min.replace(tzinfo=UTC),
            accepted_at=appdb.as_utc(r["accepted_at"]),
        )
        for r in rows
    ]


def _handoff_row(h: Handoff, now: datetime) -> HandoffRow:
    return HandoffRow.model_validate(
        {
            "handoff_id": h.handoff_id,
            "action_id": h.action_id,
            "from": h.from_department,
            "to": h.to_department,
            "what": h.what,
            "sent_at": h.sent_at,
            "accepted_at": h.accepted_at,
            "pending": h.accepted_at is None,
            "wait_hours": round(h.wait_hours(now), 2),
        }
    )


def escalations(
    ws: Workspace, stall_hours: float = 48.0, now: datetime | None = None, actions: Collection[int] | None = None
) -> Escalations:
    """What to escalate: actions past due with the work unfinished, and hand-offs nobody accepted in time.

    ``actions`` limits everything, the waits per department pair included, to those actions
    (a scoped caller's); None means every action.
    """
    t = now or datetime.now(UTC)
    late = [r for r in list_actions(ws, today=t.date()) if r.overdue and (actions is None or r.action_id in actions)]
    which = sa.true() if actions is None else db.handoffs.c.action_id.in_(sorted(actions))
    with appdb.engine(ws.database_url).connect() as conn:
        handoffs = _handoffs(conn, which)
    return Escalations(
        as_of=t,
        stall_hours=stall_hours,
        overdue_actions=sorted(late, key=lambda r: -r.days_overdue),
        stalled_handoffs=[_handoff_row(h, t) for h in stalled(handoffs, t, timedelta(hours=stall_hours))],
        boundaries=[Boundary.model_validate(b) for b in boundary_summary(handoffs, t)],
    )
