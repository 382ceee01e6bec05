"""A survey's figures per day, week or month, in all or per unit and channel: invitations, deliveries,
answers, the response rate, and the CSAT and NPS of the answers received.

Invitations are counted in the period they were made, with what became of them (delivered,
answered): the response rate of a period is the share of its delivered invitations that were
answered, whenever the answer came. The scores are those of the responses *received* in the
period (invited and walk-in answers through a unit's QR code, channel ``walk-in``), so a late
answer counts when it arrived, as a reader of the dashboard expects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.store import appdb
from valueloop.store.tables import survey_invitations as inv
from valueloop.store.tables import survey_responses as responses
from valueloop.store.workspace import Workspace
from valueloop.surveys.service.catalog import get_survey
from valueloop.surveys.spec import QuestionType
from valueloop.surveys.trends import PERIODS, Period, mean, nps, period_start

GroupBy = Literal["unit", "channel"]
ALL = "*"
WALK_IN = "walk-in"


class TrendPoint(BaseModel):
    period: date
    """The first day of the period (a week starts on Monday)."""
    entity_id: str
    """The unit, or ``*`` when not grouped by unit."""
    channel: str
    """The invitation channel (``walk-in`` for QR-code answers), or ``*`` when not grouped by channel."""
    invited: int
    delivered: int
    answered: int
    """Of the period's invitations, how many were answered (whenever)."""
    response_rate: float | None
    """answered / delivered; None when nothing was delivered."""
    responses: int
    """Answers received in the period (invited and walk-in)."""
    csat: float | None
    """Mean CSAT (1–5) of the answers received in the period."""
    nps: float | None
    """Net Promoter Score (−100…100) of the answers received in the period."""


class Trends(BaseModel):
    survey_id: str
    period: Period
    by: list[GroupBy]
    points: list[TrendPoint]


@dataclass
class _Cell:
    invited: int = 0
    delivered: int = 0
    answered: int = 0
    csat: list[int] = field(default_factory=list)
    nps: list[int] = field(default_factory=list)
    responses: int = 0


def survey_trends(
    ws: Workspace,
    survey_id: str,
    period: str = "week",
    by: Sequence[str] = (),
    units: frozenset[str] | None = None,
    since: datetime | None = None,
) -> Trends:
    """The survey's figures per ``period`` (day, week, month), grouped ``by`` unit and/or channel, within ``units``."""
    if period not in PERIODS:
        raise InputError(f"unknown period {period!r} (day, week or month)")
    wrong = [b for b in by if b not in ("unit", "channel")]
    if wrong:
        raise InputError(f"cannot group by {wrong[0]!r} (unit or channel)")
    survey = get_survey(ws, survey_id)
    score_ids = {t: next((q.id for q in survey.questions if q.type is t), None) for t in (QuestionType.csat,
                                                                                       QuestionType.nps)}  # fmt: skip
    per: Period = period
    tz = ws.settings.workspace.timezone
    cells: dict[tuple[date, str, str], _Cell] = defaultdict(_Cell)

    def key(at: datetime, unit: str, channel: str) -> tuple[date, str, str]:
        return (period_start(appdb.as_utc(at), per, tz), unit if "unit" in by else ALL,
                channel if "channel" in by else ALL)  # fmt: skip

    q = sa.select(inv.c.created_at, inv.c.entity_id, inv.c.channel, inv.c.delivered_at, inv.c.answered_at)
    r = sa.select(responses.c.first_at, responses.c.entity_id, responses.c.answers, inv.c.channel).select_from(
        responses.outerjoin(inv, inv.c.invitation_id == responses.c.invitation_id)
    )
    q, r = q.where(inv.c.survey_id == survey_id), r.where(responses.c.survey_id == survey_id)
    if units is not None:
        q, r = q.where(inv.c.entity_id.in_(sorted(units))), r.where(responses.c.entity_id.in_(sorted(units)))
    if since is not None:
        q, r = q.where(inv.c.created_at >= since), r.where(responses.c.first_at >= since)
    with appdb.engine(ws.database_url).connect() as conn:
        for created, unit, channel, delivered, answered in conn.execute(q):
            c = cells[key(created, unit, channel)]
            c.invited += 1
            c.delivered += delivered is not None
            c.answered += answered is not None
        for first, unit, answers, channel in conn.execute(r):
            c = cells[key(first, unit, channel or WALK_IN)]
            c.responses += 1
            _scores(c, answers, score_ids[QuestionType.csat], score_ids[QuestionType.nps])
    points = [_point(k, c) for k, c in sorted(cells.items())]
    return Trends(survey_id=survey_id, period=per, by=[b for b in ("unit", "channel") if b in by], points=points)


def _scores(c: _Cell, answers: object, csat: str | None, nps_id: str | None) -> None:
    """The CSAT and NPS answers of a stored response (answers are keyed by the survey's question ids)."""
    if not isinstance(answers, dict):
        return
    for qid, target in ((csat, c.csat), (nps_id, c.nps)):
        value = answers.get(qid) if qid else None
        if isinstance(value, int) and not isinstance(value, bool):
            target.append(value)


def _point(k: tuple[date, str, str], c: _Cell) -> TrendPoint:
    rate = c.answered / c.delivered if c.delivered else None
    return TrendPoint(period=k[0], entity_id=k[1], channel=k[2], invited=c.invited, delivered=c.delivered,
                      answered=c.answered, response_rate=rate, responses=c.responses, csat=mean(c.csat),
                      nps=nps(c.nps))  # fmt: skip
