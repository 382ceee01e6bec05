"""Disputes (申诉) of one item result of a scored conversation: opened by an agent or manager, decided by a reviewer.

A dispute names the conversation, the rubric and the item, and keeps the automatic result it
disputes. A reviewer resolves it ``upheld`` with the result the item should have had (by
default the opposite of a pass or fail) or ``rejected``. An upheld dispute's result replaces
the automatic one wherever the conversation is scored — the stored score, the roll-ups, the
scorecards that read ``qa_scores`` and the weakest items — while ``qa_items`` keeps the
automatic result, so the automatic score and the people's decisions stay apart. The
conversation is re-scored at once when a dispute is upheld, and every later ``qa score``
applies the upheld disputes again.

Disputes live in the app database (table ``qa_disputes``): they are a workflow with people's
names and reasons, not derived facts.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError, NotFound
from valueloop.qa.checks import Result, SentimentFn
from valueloop.qa.rubric_loader import load_rubric, resolve
from valueloop.results import Instant
from valueloop.store import appdb
from valueloop.store.tables import qa_disputes
from valueloop.store.workspace import Workspace

Status = Literal["open", "upheld", "rejected"]
Decision = Literal["upheld", "rejected"]
OPPOSITE: dict[str, Result] = {"pass": "fail", "fail": "pass"}
MAX_TEXT = 2000


class Dispute(BaseModel):
    dispute_id: str
    rubric: str
    conversation_id: str
    item: str
    agent_id: str | None
    entity_id: str | None
    auto_result: str
    reason: str
    status: Status
    result: str | None
    """The result an upheld dispute gave the item (None while open or when rejected)."""
    opened_by: str
    opened_at: Instant
    resolved_by: str | None
    resolved_at: Instant | None
    note: str | None


def _text(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise InputError(f"a dispute needs a {what}")
    if len(text) > MAX_TEXT:
        raise InputError(f"the {what} is {len(text)} characters; at most {MAX_TEXT}")
    return text


def open_dispute(ws: Workspace, rubric: str | Path, conversation_id: str, item: str, reason: str, by: str) -> Dispute:
    """Dispute the stored automatic result of ``item`` in one conversation; one open dispute per item at a time."""
    from valueloop.qa.service.show import conversation_view

    file = resolve(rubric, ws.root)
    spec = load_rubric(file)
    view = conversation_view(ws, conversation_id, file)
    found = next((i for i in view.items if i.item == item), None)
    if found is None:
        known = ", ".join(i.item for i in view.items) or "none (not scored yet)"
        raise InputError(f"conversation {conversation_id} has no result for item {item!r}; known: {known}")
    text = _text(reason, "reason")
    with appdb.engine(ws.database_url).begin() as conn:
        if conn.execute(_open_on(spec.id, conversation_id, item)).first() is not None:
            raise InputError(f"item {item!r} of conversation {conversation_id} already has an open dispute")
        dispute_id = f"QD-{secrets.token_hex(4)}"
        conn.execute(
            qa_disputes.insert().values(
                dispute_id=dispute_id, rubric=spec.id, conversation_id=conversation_id, item=item,
                agent_id=view.agent_id, entity_id=view.entity_id, auto_result=found.result, reason=text,
                status="open", opened_by=by, opened_at=datetime.now(UTC),
            )
        )  # fmt: skip
    return get_dispute(ws, dispute_id)


def _open_on(rubric: str, conversation_id: str, item: str) -> sa.Select[tuple[str]]:
    c = qa_disputes.c
    return sa.select(c.dispute_id).where(
        c.rubric == rubric, c.conversation_id == conversation_id, c.item == item, c.status == "open"
    )


def list_disputes(
    ws: Workspace,
    *,
    rubric: str | None = None,
    status: Status | None = None,
    agent: str | None = None,
    conversation_id: str | None = None,
) -> list[Dispute]:
    """Disputes, newest first, filtered in the query."""
    c = qa_disputes.c
    query = sa.select(qa_disputes).order_by(c.opened_at.desc(), c.dispute_id)
    for column, value in (
        (c.rubric, rubric),
        (c.status, status),
        (c.agent_id, agent),
        (c.conversation_id, conversation_id),
    ):
        if value is not None:
            query = query.where(column == value)
    with appdb.engine(ws.database_url).connect() as conn:
        return [_row(r) for r in conn.execute(query)]


def get_dispute(ws: Workspace, dispute_id: str) -> Dispute:
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(sa.select(qa_disputes).where(qa_disputes.c.dispute_id == dispute_id)).first()
    if row is None:
        raise NotFound(f"no dispute {dispute_id!r}")
    return _row(row)


def _row(r: sa.Row[tuple[object, ...]]) -> Dispute:
    m = r._mapping
    return Dispute(
        **{k: m[k] for k in Dispute.model_fields if k not in ("opened_at", "resolved_at")},
        opened_at=appdb.as_utc(m["opened_at"]),
        resolved_at=appdb.as_utc(m["resolved_at"]),
    )


def resolve_dispute(
    ws: Workspace,
    dispute_id: str,
    decision: Decision,
    note: str,
    by: str,
    result: Result | None = None,
    sentiment: SentimentFn | None = None,
) -> Dispute:
    """Uphold (with ``result``, by default the opposite of the automatic pass/fail) or reject an open dispute.

    Upholding re-scores the conversation at once, so its stored score and every roll-up use the new result.
    """
    from valueloop.qa.service.score import score_workspace

    found = get_dispute(ws, dispute_id)
    if found.status != "open":
        raise InputError(f"dispute {dispute_id} was already {found.status} by {found.resolved_by}")
    text = _text(note, "note saying why")
    decided = _decided(found, decision, result)
    with appdb.engine(ws.database_url).begin() as conn:
        done = conn.execute(
            qa_disputes.update()
            .where(qa_disputes.c.dispute_id == dispute_id, qa_disputes.c.status == "open")
            .values(status=decision, result=decided, note=text, resolved_by=by, resolved_at=datetime.now(UTC))
        )
        if done.rowcount == 0:
            raise InputError(f"dispute {dispute_id} was resolved meanwhile")
    if decision == "upheld":
        score_workspace(ws, resolve(found.rubric, ws.root), sentiment, ids=[found.conversation_id])
    return get_dispute(ws, dispute_id)


def _decided(found: Dispute, decision: Decision, result: Result | None) -> Result | None:
    if decision == "rejected":
        if result is not None:
            raise InputError("a rejected dispute keeps the automatic result; give --result only when upholding")
        return None
    decided = result or OPPOSITE.get(found.auto_result)
    if decided is None:
        raise InputError(f"the automatic result was {found.auto_result!r}: say which result the item should have")
    if decided == found.auto_result:
        raise InputError(f"upholding with {decided!r} changes nothing: that is the automatic result")
    return decided


def upheld(ws: Workspace, rubric_id: str) -> dict[str, dict[str, Result]]:
    """Conversation → item → the result of its upheld dispute, for scoring."""
    c = qa_disputes.c
    query = sa.select(c.conversation_id, c.item, c.result).where(c.rubric == rubric_id, c.status == "upheld")
    out: dict[str, dict[str, Result]] = defaultdict(dict)
    with appdb.engine(ws.database_url).connect() as conn:
        for cid, item, result in conn.execute(query.order_by(c.resolved_at)):
            out[str(cid)][str(item)] = result
    return dict(out)
