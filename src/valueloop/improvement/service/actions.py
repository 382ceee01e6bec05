"""Use cases that change improvement actions: create, move, hand off, accept, comment.

Every state change is one transaction: the action row, its history entry, its evidence
and their ledger records are written together or not at all, and a move only succeeds if the status it was checked
against is still the status in the database (two people cannot both close an action).
Reading is in :mod:`valueloop.improvement.service.actions_view`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from valueloop.errors import InputError, StoreError
from valueloop.improvement.draft import ActionDraft, make_draft
from valueloop.improvement.raci import raci
from valueloop.improvement.workflow import Evidence, Status, check_move
from valueloop.store import appdb, ledger_rows, ledger_state
from valueloop.store import tables as db
from valueloop.store.workspace import Workspace


def _now() -> datetime:
    return datetime.now(UTC)


def _engine(ws: Workspace) -> sa.Engine:
    return appdb.engine(ws.database_url)


def create_action(ws: Workspace, fields: Mapping[str, Any], actor: str, from_finding: str | None = None) -> int:
    """Propose an action; ``from_finding`` pre-fills links, title and target from a stored finding."""
    eng = _engine(ws)
    if from_finding is not None:
        with eng.connect() as conn:
            fields = _merge(_finding_defaults(conn, from_finding), fields)
    draft = make_draft(**fields)
    with eng.begin() as conn:
        _check_documents(conn, draft)
        return _insert(conn, draft, actor)


def _merge(defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """Given values win; links are the union of both."""
    out = {**defaults, **{k: v for k, v in given.items() if v not in (None, "", (), [])}}
    out["links"] = [*defaults.get("links", ()), *[x for x in given.get("links", ()) if x not in defaults["links"]]]
    return out


def _finding_defaults(conn: sa.Connection, finding_id: str) -> dict[str, Any]:
    """Title, description, links and target taken from a finding (the findings table is optional)."""
    if not sa.inspect(conn).has_table("findings"):
        raise InputError("this workspace has no findings table yet: run the diagnosis first, or give --link/--target")
    row = conn.execute(sa.text("SELECT * FROM findings WHERE id = :id"), {"id": finding_id}).mappings().first()
    if row is None:
        raise InputError(f"no finding {finding_id!r}")
    value, benchmark = row["value"], row["benchmark"]
    target: dict[str, Any] = {}
    if benchmark is not None:
        direction = "decrease" if value > benchmark else "increase"
        target = {"target_indicator": row["indicator"], "target_direction": direction, "target_value": benchmark}
    return {
        "title": f"{row['indicator']} @ {row['entity_id']} ({row['period']}): close the gap",
        "description": (
            f"From finding {finding_id} ({row['severity']}, rule {row['rule']}): "
            f"value {value:g} vs benchmark {benchmark if benchmark is not None else '—'}, gap {row['gap_pct']}."
        ),
        "links": [
            {"kind": "finding", "ref": finding_id},
            {"kind": "indicator", "ref": row["indicator"]},
            {"kind": "entity", "ref": row["entity_id"]},
        ],
        **target,
    }


def _check_documents(conn: sa.Connection, draft: ActionDraft) -> None:
    for ref in draft.documents:
        found = conn.execute(
            sa.select(db.documents.c.version).where(
                (db.documents.c.doc_id == ref.doc_id) & (db.documents.c.version == ref.version)
            )
        ).first()
        if found is None:
            raise InputError(f"document {ref.doc_id} v{ref.version} does not exist; add it with `valueloop docs add`")


def _insert(conn: sa.Connection, draft: ActionDraft, actor: str) -> int:
    t = _now()
    values = draft.model_dump(exclude={"collaborators", "links", "documents"})
    result = conn.execute(
        db.actions.insert().values(**values, status=Status.proposed.value, created_by=actor, created_at=t, updated_at=t)
    )
    aid = _new_id(result)
    roles = raci(draft.department, draft.collaborators)
    conn.execute(
        db.action_departments.insert(),
        [{"action_id": aid, "department": a.department, "role": a.role.value} for a in roles],
    )
    if draft.links:
        conn.execute(
            db.action_links.insert(), [{"action_id": aid, "kind": x.kind.value, "ref": x.ref} for x in draft.links]
        )
    if draft.documents:
        conn.execute(db.action_documents.insert(), [{"action_id": aid, **d.model_dump()} for d in draft.documents])
    _record(conn, aid, None, Status.proposed, actor, "proposed", t)
    return aid


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    if key is None:
        raise StoreError("the database did not return the new row's id")
    return int(key[0])


def _record(
    conn: sa.Connection, aid: int, src: Status | None, dst: Status, actor: str, reason: str, at: datetime
) -> None:
    result = conn.execute(
        db.action_transitions.insert().values(
            action_id=aid,
            from_status=src.value if src else None,
            to_status=dst.value,
            actor=actor,
            reason=reason,
            at=at,
        )
    )
    history = ledger_rows.hashes(conn, "action_transitions", db.action_transitions.c.transition_id == _new_id(result))
    event = {"from": src.value if src else None, "to": dst.value, "actor": actor, "reason": reason}
    ledger_state.record(conn, "action_transition", f"action/{aid}", db.actions.c.action_id == aid, event, history)


def status_now(ws: Workspace, aid: int) -> Status:
    """The action's current status (InputError for an unknown id)."""
    with _engine(ws).connect() as conn:
        return status_of(conn, aid)


MAX_ACTION_ID = 2**31 - 1
"""Action ids are SQL INTEGER (32-bit on PostgreSQL); a larger number cannot name an action."""


def status_of(conn: sa.Connection, aid: int) -> Status:
    if not 1 <= aid <= MAX_ACTION_ID:  # the database driver would fail on the bound parameter (SQLite: OverflowError)
        raise InputError(f"no action {aid}")
    found = conn.execute(sa.select(db.actions.c.status).where(db.actions.c.action_id == aid)).scalar_one_or_none()
    if found is None:
        raise InputError(f"no action {aid}")
    return Status(found)


def move_action(
    ws: Workspace, aid: int, target: Status, actor: str, reason: str, evidence: Evidence | None = None
) -> None:
    """Move ``aid`` to ``target`` if the workflow allows it; history and evidence in the same transaction."""
    if not reason.strip():
        raise InputError("a move needs a reason (--reason)")
    t = _now()
    with _engine(ws).begin() as conn:
        current = status_of(conn, aid)
        check_move(current, target, evidence)
        changed = conn.execute(
            db.actions.update()
            .where((db.actions.c.action_id == aid) & (db.actions.c.status == current.value))
            .values(status=target.value, updated_at=t)
        ).rowcount
        if changed != 1:
            raise StoreError(f"action {aid} changed while moving it; try again")
        _record(conn, aid, current, target, actor, reason, t)
        if evidence is not None:
            _verification(conn, aid, evidence, actor, t)


def _verification(conn: sa.Connection, aid: int, ev: Evidence, actor: str, at: datetime) -> None:
    result = conn.execute(
        db.action_verifications.insert().values(
            action_id=aid,
            verdict=ev.verdict,
            p_value=ev.p_value,
            ci_low=ev.ci_low,
            ci_high=ev.ci_high,
            method=ev.method,
            reason=ev.reason,
            detail={
                "verdict": ev.verdict,
                "method": ev.method,
                "p_value": ev.p_value,
                "ci": [ev.ci_low, ev.ci_high],
                "estimate": ev.estimate,
            },
            created_by=actor,
            created_at=at,
        )
    )
    vid = _new_id(result)
    where = db.action_verifications.c.verification_id == vid
    event = {"actor": actor, "reason": ev.reason}
    ledger_state.record(conn, "verification_verdict", f"verification/{vid}", where, event)


def send_handoff(ws: Workspace, aid: int, src: str, dst: str, what: str, actor: str) -> int:
    """Record that ``src`` hands part of the action's work to ``dst`` (the clock starts now)."""
    if src == dst:
        raise InputError("a hand-off goes from one department to another")
    if not what.strip():
        raise InputError("say what is handed off (--what)")
    with _engine(ws).begin() as conn:
        if status_of(conn, aid) is Status.closed:
            raise InputError(f"action {aid} is closed")
        result = conn.execute(
            db.handoffs.insert().values(
                action_id=aid, from_department=src, to_department=dst, what=what, sent_by=actor, sent_at=_now()
            )
        )
        hid = _new_id(result)
        _record_row(conn, aid, "handoffs", db.handoffs.c.handoff_id == hid, "action_handoff", {"handoff": hid})
        return hid


def accept_handoff(ws: Workspace, handoff_id: int, actor: str, *, action_id: int | None = None) -> int:
    """The receiving department takes responsibility; returns the action id.

    With ``action_id`` the hand-off must belong to that action (a form or a request names both).
    """
    h = db.handoffs
    with _engine(ws).begin() as conn:
        row = conn.execute(sa.select(h.c.action_id, h.c.accepted_at).where(h.c.handoff_id == handoff_id)).first()
        if row is None or (action_id is not None and row.action_id != action_id):
            owner = f"action {action_id} has" if action_id is not None else "there is"
            raise InputError(f"{owner} no hand-off {handoff_id}")
        if row.accepted_at is not None:
            raise InputError(f"hand-off {handoff_id} was already accepted at {row.accepted_at}")
        conn.execute(
            h.update()
            .where((h.c.handoff_id == handoff_id) & h.c.accepted_at.is_(None))
            .values(accepted_by=actor, accepted_at=_now())
        )
        event = {"handoff": handoff_id, "accepted_by": actor}
        _record_row(conn, int(row.action_id), "handoffs", h.c.handoff_id == handoff_id, "handoff_accepted", event)
        return int(row.action_id)


def comment(ws: Workspace, aid: int, author: str, body: str) -> None:
    if not body.strip():
        raise InputError("an empty comment")
    with _engine(ws).begin() as conn:
        status_of(conn, aid)
        result = conn.execute(db.action_comments.insert().values(action_id=aid, author=author, body=body, at=_now()))
        cid = _new_id(result)
        where = db.action_comments.c.comment_id == cid
        _record_row(conn, aid, "action_comments", where, "action_comment", {"comment": cid, "author": author})


def _record_row(
    conn: sa.Connection, aid: int, table: str, where: sa.ColumnElement[bool], kind: str, event: dict[str, Any]
) -> None:
    """Chain the hash of a hand-off or comment row with the action's state, in the transaction that wrote it."""
    rows = ledger_rows.hashes(conn, table, where)
    ledger_state.record(conn, kind, f"action/{aid}", db.actions.c.action_id == aid, event, rows)
