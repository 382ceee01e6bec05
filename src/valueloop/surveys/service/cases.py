"""Follow-up cases: open from an answer, list, show, assign, close; time to close and recovery.

Escalating overdue cases (and telling the manager) is :mod:`valueloop.surveys.service.escalation`.

Every read and change takes ``units``, the caller's visible units (None: all), and a case
outside them answers exactly as a missing one (:class:`NotFound`), like every other scoped id.
A case is unique per response, so an answer changed within its edit window updates its case
instead of opening another; a closed case is left as it was closed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError, NotFound
from valueloop.store import appdb
from valueloop.store.tables import survey_cases as cases
from valueloop.store.tables import survey_responses as responses
from valueloop.store.workspace import Workspace
from valueloop.surveys.cases import CaseFacts, CaseFigures, LaterAnswer, Outcome, Trigger, due_at, figures, overdue
from valueloop.surveys.spec import Survey, routed

State = Literal["open", "overdue", "closed", "all"]
STATES: tuple[State, ...] = ("open", "overdue", "closed", "all")
MAX_NOTE = 2000
MAX_CAUSE = 200


class CaseRecord(BaseModel):
    id: int
    survey_id: str
    entity_id: str
    customer_id: str | None
    interaction_id: str | None
    question: str
    score: int
    rule: str
    owner: str | None
    opened_at: datetime
    due_at: datetime
    overdue: bool
    escalated_at: datetime | None
    escalated_to: str | None
    closed_at: datetime | None
    closed_by: str | None
    outcome: str | None
    root_cause: str | None
    note: str | None


def open_case(
    conn: sa.Connection,
    survey: Survey,
    response_id: str,
    entity_id: str,
    customer_id: str | None,
    interaction_id: str | None,
    trig: Trigger,
    now: datetime,
) -> int:
    """Open the response's case (in the answer's transaction), or update the score of its open case."""
    found = conn.execute(
        sa.select(cases.c.case_id, cases.c.closed_at).where(cases.c.response_id == response_id)
    ).first()
    if found is not None:
        if found.closed_at is None:
            conn.execute(
                cases.update()
                .where(cases.c.case_id == found.case_id)
                .values(question=trig.question, score=trig.score, rule=trig.rule)
            )
        return int(found.case_id)
    fu = survey.follow_up
    done = conn.execute(
        cases.insert().values(
            response_id=response_id,
            survey_id=survey.id,
            entity_id=entity_id,
            customer_id=customer_id,
            interaction_id=interaction_id,
            question=trig.question,
            score=trig.score,
            rule=trig.rule[:200],
            owner=routed(fu.owners, entity_id),
            opened_at=now,
            due_at=due_at(now, fu.sla_hours),
        )
    )
    key = done.inserted_primary_key
    assert key is not None
    return int(key[0])


def case_record(r: sa.Row[tuple[object, ...]], now: datetime) -> CaseRecord:
    m = dict(r._mapping)
    for k in ("opened_at", "due_at", "escalated_at", "closed_at"):
        m[k] = appdb.as_utc(m[k])
    m["id"] = m.pop("case_id")
    m.pop("response_id")
    return CaseRecord(**m, overdue=overdue(m["due_at"], m["closed_at"], now))


def list_cases(
    ws: Workspace,
    now: datetime,
    units: frozenset[str] | None = None,
    state: str = "open",
    owner: str | None = None,
    limit: int = 500,
) -> list[CaseRecord]:
    """Cases in ``state``, most urgent first (earliest due), within ``units``."""
    if state not in STATES:
        raise InputError(f"unknown case state {state!r} (known: {', '.join(STATES)})")
    q = sa.select(cases).order_by(cases.c.due_at, cases.c.case_id).limit(limit)
    if state in ("open", "overdue"):
        q = q.where(cases.c.closed_at.is_(None))
    if state == "overdue":
        q = q.where(cases.c.due_at < now)
    if state == "closed":
        q = q.where(cases.c.closed_at.is_not(None))
    if owner:
        q = q.where(cases.c.owner == owner)
    if units is not None:
        q = q.where(cases.c.entity_id.in_(sorted(units)))
    with appdb.engine(ws.database_url).connect() as conn:
        return [case_record(r, now) for r in conn.execute(q)]


def get_case(ws: Workspace, case_id: int, now: datetime, units: frozenset[str] | None = None) -> CaseRecord:
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).first()
    if row is None or (units is not None and row.entity_id not in units):
        raise NotFound(f"case {case_id} not found")
    return case_record(row, now)


def assign(ws: Workspace, case_id: int, owner: str, now: datetime, units: frozenset[str] | None = None) -> CaseRecord:
    owner = owner.strip()
    if not owner or len(owner) > 100:
        raise InputError("owner: a user name of 1–100 characters")
    get_case(ws, case_id, now, units)
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(cases.update().where(cases.c.case_id == case_id).values(owner=owner))
    return get_case(ws, case_id, now, units)


def close(
    ws: Workspace,
    case_id: int,
    outcome: str,
    root_cause: str,
    by: str,
    now: datetime,
    *,
    note: str = "",
    units: frozenset[str] | None = None,
    causes: frozenset[str] | None = None,
) -> CaseRecord:
    """Close with an outcome and a root cause (one of ``causes``, the taxonomy's ids, when given); once only."""
    problems = []
    if outcome not in Outcome.__members__:
        problems.append(f"outcome: one of {', '.join(Outcome)}")
    if not root_cause.strip() or len(root_cause) > MAX_CAUSE:
        problems.append(f"root_cause: 1–{MAX_CAUSE} characters")
    elif causes is not None and root_cause not in causes:
        problems.append(f"root_cause: {root_cause[:80]!r} is not a category of the issue taxonomy")
    if len(note) > MAX_NOTE:
        problems.append(f"note: at most {MAX_NOTE} characters")
    if problems:
        raise InputError("; ".join(problems))
    case = get_case(ws, case_id, now, units)
    if case.closed_at is not None:
        raise InputError(f"case {case_id} was closed on {case.closed_at:%Y-%m-%d %H:%M} by {case.closed_by}")
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            cases.update()
            .where(cases.c.case_id == case_id, cases.c.closed_at.is_(None))
            .values(closed_at=now, closed_by=by[:100], outcome=outcome, root_cause=root_cause, note=note or None)
        )
    return get_case(ws, case_id, now, units)


def case_figures(ws: Workspace, now: datetime, units: frozenset[str] | None = None) -> CaseFigures:
    """Time to close and recovery rate over the cases within ``units``."""
    rows = list_cases(ws, now, units, state="all", limit=1_000_000)
    facts, later = case_facts(ws, rows)
    return figures(facts, later, sum(r.overdue for r in rows))


def case_facts(ws: Workspace, rows: list[CaseRecord]) -> tuple[list[CaseFacts], list[LaterAnswer]]:
    """What recovery is measured on: each case's facts (in ``rows``' order) and its customers' stored answers."""
    with appdb.engine(ws.database_url).connect() as conn:
        own = dict(conn.execute(sa.select(cases.c.case_id, cases.c.response_id)).all())
        customers = sorted({r.customer_id for r in rows if r.customer_id})
        q = sa.select(responses.c.response_id, responses.c.customer_id, responses.c.submitted_at, responses.c.answers)
        later = [
            LaterAnswer(rid, c, appdb.as_utc(t), {k: v for k, v in a.items() if isinstance(v, int)})
            for rid, c, t, a in conn.execute(q.where(responses.c.customer_id.in_(customers)))
        ]
    facts = [CaseFacts(own[r.id], r.customer_id, r.question, r.score, r.opened_at, r.closed_at) for r in rows]
    return facts, later
