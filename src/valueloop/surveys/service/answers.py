"""Open a survey link and take its answer: the public page's use cases.

A link is honoured only if its token is genuine and unexpired and its row exists; an answer
is stored only if every field passes :func:`valueloop.surveys.answers.check_form`. Taking an
answer is one small app-database transaction: the response row (keyed by the response id —
the invitation id for an invitation, a per-page id for a unit's anonymous link — so answering
again within the survey's ``edit_minutes`` updates the same row, and after that the link is
used up), its ``feedback`` row marked pending, and a follow-up case when a rule asks for one.
The answer reaches the ``feedback`` dataset through the ordinary ingest in batches
(:mod:`valueloop.surveys.service.answer_flush`): a lake ingest per answer cost seconds under
a hundred respondents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from valueloop.errors import InputError
from valueloop.store import appdb, group_commit
from valueloop.store.tables import survey_invitations as inv
from valueloop.store.tables import survey_links as links
from valueloop.store.tables import survey_responses as responses
from valueloop.store.workspace import Workspace
from valueloop.surveys import tokens
from valueloop.surveys.answers import Answer, check_form
from valueloop.surveys.cases import opens_case
from valueloop.surveys.service.answer_flush import _feedback_columns
from valueloop.surveys.service.cases import open_case
from valueloop.surveys.service.catalog import get_survey, secret
from valueloop.surveys.spec import Survey

FORM_LIFETIME = timedelta(days=1)
"""How long a rendered anonymous form may be posted."""


class AnswerError(InputError):
    """The form was refused; ``problems`` maps each bad field to why."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


@dataclass(frozen=True)
class Respondent:
    """Who a response is about (never shown on the page): from the invitation, or just the unit."""

    response_id: str
    survey_id: str
    entity_id: str
    invitation_id: str | None = None
    link_id: str | None = None
    customer_id: str | None = None
    interaction_id: str | None = None
    opened: bool = False
    """The invitation's page was opened before (its first opening is already recorded)."""


@dataclass(frozen=True)
class Form:
    survey: Survey
    post_token: str
    """What the page posts back: the invitation's own token, or one minted for this rendering."""
    previous: dict[str, Answer] = field(default_factory=dict)


@dataclass(frozen=True)
class Submitted:
    response_id: str
    updated: bool
    case_id: int | None


def open_form(ws: Workspace, token: str, now: datetime) -> Form:
    """The form behind a link (TokenError when forged, expired or used up)."""
    claims = tokens.verify(secret(ws), token, now)
    if claims.kind == "u":
        link = _link(ws, claims.ref)
        ref = link.link_id + tokens.new_ref()
        minted = tokens.sign(secret(ws), "r", ref, min(now + FORM_LIFETIME, claims.expires_at))
        return Form(get_survey(ws, link.survey_id), minted)
    who = _respondent(ws, claims)
    survey = get_survey(ws, who.survey_id)
    previous = _unused(ws, survey, who.response_id, now)
    if who.invitation_id and not who.opened:  # a write only on the first view: reloads take no write lock
        opened = (
            inv.update()
            .where(inv.c.invitation_id == who.invitation_id, inv.c.opened_at.is_(None))
            .values(opened_at=now)
        )
        group_commit.run(ws.database_url, lambda conn: conn.execute(opened))
    return Form(survey, token, previous)


def submit(ws: Workspace, token: str, form: Mapping[str, Sequence[str]], lang: str, now: datetime) -> Submitted:
    """Check and store one answer; see the module docstring for the guarantees."""
    claims = tokens.verify(secret(ws), token, now)
    if claims.kind == "u":
        raise tokens.TokenError("forged", "open the survey page first, then send the form")
    who = _respondent(ws, claims)
    survey = get_survey(ws, who.survey_id)
    previous = _unused(ws, survey, who.response_id, now)
    checked = check_form(survey, form)
    if checked.problems:
        raise AnswerError(checked.problems)
    if not checked.answers:
        raise AnswerError({"form": "no question was answered"})
    trig = opens_case(survey, checked.answers)

    def accept(conn: sa.Connection) -> tuple[bool, int | None]:
        """The response row (pending for the lake) and its case: one transaction, committed with others'."""
        updated = _save(conn, survey, who, checked.answers, lang, now)
        if trig is None:
            return updated, None
        return updated, open_case(
            conn, survey, who.response_id, who.entity_id, who.customer_id, who.interaction_id, trig, now
        )

    updated, case_id = group_commit.run(ws.database_url, accept)
    return Submitted(who.response_id, updated or bool(previous), case_id)


def _link(ws: Workspace, link_id: str) -> Any:
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(sa.select(links).where(links.c.link_id == link_id)).first()
    if row is None:
        raise tokens.TokenError("forged", "this link is not known to this survey server")
    return row


def _respondent(ws: Workspace, claims: tokens.Claims) -> Respondent:
    if claims.kind == "r":
        link = _link(ws, claims.ref[: tokens.REF_LEN])
        return Respondent(claims.ref, link.survey_id, link.entity_id, link_id=link.link_id)
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(sa.select(inv).where(inv.c.invitation_id == claims.ref)).first()
    if row is None:
        raise tokens.TokenError("forged", "this invitation is not known to this survey server")
    return Respondent(
        row.invitation_id,
        row.survey_id,
        row.entity_id,
        invitation_id=row.invitation_id,
        customer_id=row.customer_id,
        interaction_id=row.interaction_id,
        opened=row.opened_at is not None,
    )


def _unused(ws: Workspace, survey: Survey, response_id: str, now: datetime) -> dict[str, Answer]:
    """The earlier answer when it may still be changed, {} when there is none; TokenError once the window shut."""
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(sa.select(responses).where(responses.c.response_id == response_id)).first()
    if row is None:
        return {}
    if now > appdb.as_utc(row.first_at) + timedelta(minutes=survey.edit_minutes):
        raise tokens.TokenError("used", "this survey was already answered with this link — thank you")
    return {k: tuple(v) if isinstance(v, list) else v for k, v in row.answers.items()}


def _save(
    conn: sa.Connection, survey: Survey, who: Respondent, answers: Mapping[str, Answer], lang: str, now: datetime
) -> bool:
    """Insert or update the response row; True when it updated one."""
    stored = {k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}
    lake = _feedback_columns(survey, who.response_id, who.entity_id, who.interaction_id, who.customer_id, answers, now)
    values = {"answers": stored, "submitted_at": now, "language": lang, "version": survey.version,
              "pending_at": now, "feedback": lake, "lake_error": None}  # fmt: skip
    done = conn.execute(responses.update().where(responses.c.response_id == who.response_id).values(values))
    if who.invitation_id:
        conn.execute(
            inv.update()
            .where(inv.c.invitation_id == who.invitation_id, inv.c.answered_at.is_(None))
            .values(answered_at=now)
        )
    if done.rowcount:
        return True
    row = {"response_id": who.response_id, "survey_id": survey.id, "invitation_id": who.invitation_id,
           "link_id": who.link_id, "entity_id": who.entity_id, "customer_id": who.customer_id,
           "interaction_id": who.interaction_id, "first_at": now, **values}  # fmt: skip
    try:
        with conn.begin_nested():
            conn.execute(responses.insert().values(row))
    except sa.exc.IntegrityError:  # the same link posted twice at once (PostgreSQL): the other insert won
        conn.execute(responses.update().where(responses.c.response_id == who.response_id).values(values))
        return True
    return False
