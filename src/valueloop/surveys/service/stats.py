"""Response figures per unit and channel (invited, delivered, opened, answered, response rate); the latest answers.

The rate is answered / delivered (an invitation never delivered could not be answered); it is
None where nothing was delivered, rather than a misleading 0. Anonymous unit-link answers have
no invitation and are counted apart (``walk_in``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.store import appdb
from valueloop.store.tables import survey_cases as cases
from valueloop.store.tables import survey_invitations as inv
from valueloop.store.tables import survey_responses as responses
from valueloop.store.workspace import Workspace


class ResponseRow(BaseModel):
    entity_id: str
    channel: str
    invited: int
    delivered: int
    opened: int
    answered: int
    response_rate: float | None


class ResponseStats(BaseModel):
    survey_id: str
    rows: list[ResponseRow]
    total: ResponseRow
    walk_in: int
    """Answers through the units' anonymous links (QR codes)."""


def _counted(entity: str, channel: str, n: int, delivered: int, opened: int, answered: int) -> ResponseRow:
    rate = answered / delivered if delivered else None
    return ResponseRow(entity_id=entity, channel=channel, invited=n, delivered=delivered, opened=opened,
                       answered=answered, response_rate=rate)  # fmt: skip


def response_stats(ws: Workspace, survey_id: str, units: frozenset[str] | None = None) -> ResponseStats:
    """Figures of ``survey_id`` per unit × channel, and in all, within ``units`` (None: every unit)."""

    def n(col: sa.ColumnElement[object]) -> sa.ColumnElement[int]:
        return sa.func.count(col)

    q = sa.select(inv.c.entity_id, inv.c.channel, sa.func.count(), n(inv.c.delivered_at), n(inv.c.opened_at),
                  n(inv.c.answered_at)).where(inv.c.survey_id == survey_id)  # fmt: skip
    walk = sa.select(sa.func.count()).where(responses.c.survey_id == survey_id, responses.c.link_id.is_not(None))
    if units is not None:
        q = q.where(inv.c.entity_id.in_(sorted(units)))
        walk = walk.where(responses.c.entity_id.in_(sorted(units)))
    with appdb.engine(ws.database_url).connect() as conn:
        rows = [
            _counted(*r) for r in conn.execute(q.group_by(inv.c.entity_id, inv.c.channel).order_by(inv.c.entity_id))
        ]
        walk_in = int(conn.execute(walk).scalar() or 0)
    sums = [sum(getattr(r, k) for r in rows) for k in ("invited", "delivered", "opened", "answered")]
    return ResponseStats(survey_id=survey_id, rows=rows, total=_counted("*", "*", *sums), walk_in=walk_in)


class AnswerRecord(BaseModel):
    """One stored answer as the dashboard lists it (scores and choices by question id; no contact data)."""

    response_id: str
    survey_id: str
    entity_id: str
    customer_id: str | None
    language: str
    submitted_at: datetime
    answers: dict[str, int | str | list[str]]
    case_id: int | None
    """The follow-up case the answer opened, if any."""


def latest_answers(
    ws: Workspace, survey_id: str, units: frozenset[str] | None = None, limit: int = 20
) -> list[AnswerRecord]:
    """The survey's most recent answers within ``units`` (None: every unit), newest first, with their case."""
    q = (
        sa.select(responses, cases.c.case_id)
        .outerjoin(cases, cases.c.response_id == responses.c.response_id)
        .where(responses.c.survey_id == survey_id)
        .order_by(responses.c.submitted_at.desc(), responses.c.response_id)
        .limit(limit)
    )
    if units is not None:
        q = q.where(responses.c.entity_id.in_(sorted(units)))
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(q).all()
    return [
        AnswerRecord(
            response_id=r.response_id,
            survey_id=r.survey_id,
            entity_id=r.entity_id,
            customer_id=r.customer_id,
            language=r.language,
            submitted_at=appdb.as_utc(r.submitted_at),
            answers=r.answers,
            case_id=r.case_id,
        )
        for r in rows
    ]
