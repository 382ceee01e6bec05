"""Escalate overdue cases to their unit's manager, and tell the manager by e-mail.

An open case past its deadline is escalated once, to the person the survey's
``follow_up.escalate_to`` names for its unit. With a mail server given, the manager is e-mailed
through the notification machinery's SMTP transport
(:func:`valueloop.monitoring.service.notify.send_mail`; the ``Message-ID`` derives from the case,
so a notice sent twice after a crash is recognisably the same) at ``follow_up.addresses[name]``,
or at the name itself when it is an address. A notice the server refuses leaves the case not yet
escalated, so the next run (from cron) tries again: an escalation is never recorded as told when
nobody was. A manager without an address is escalated and named in the report's errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.monitoring.notify import Channel as MailChannel
from valueloop.monitoring.service.notify import send_mail
from valueloop.store import appdb
from valueloop.store.tables import survey_cases as cases
from valueloop.store.workspace import Workspace
from valueloop.surveys.service.cases import CaseRecord, case_record
from valueloop.surveys.service.delivery import Smtp
from valueloop.surveys.spec import EMAIL, Survey, routed


class Escalation(BaseModel):
    cases: list[CaseRecord]
    """The cases escalated by this run."""
    notified: list[int]
    """Of those, the ones whose manager accepted an e-mail."""
    errors: list[str]
    """Why a manager was not told (refused notices are tried again on the next run)."""


SUBJECT = {
    "zh": "[回访逾期] 工单 #{id}（{unit}）已升级给您",
    "en": "[Overdue follow-up] case #{id} ({unit}) escalated to you",
}
TEXT = {
    "zh": "回访工单 #{id} 已超过时限，升级给您处理。\n\n机构：{unit}\n客户：{customer}\n"
    "回答：{question} = {score}（{rule}）\n负责人：{owner}\n时限：{due:%Y-%m-%d %H:%M} UTC\n{board}",
    "en": "Follow-up case #{id} is past its deadline and was escalated to you.\n\nUnit: {unit}\nCustomer: {customer}\n"
    "Answer: {question} = {score} ({rule})\nOwner: {owner}\nDue: {due:%Y-%m-%d %H:%M} UTC\n{board}",
}


def address_of(survey: Survey | None, who: str | None) -> str | None:
    """Where ``who``'s escalation notices go: their entry in ``follow_up.addresses``, or ``who`` if it is one."""
    if survey is None or not who:
        return None
    return survey.follow_up.addresses.get(who) or (who if EMAIL.match(who) else None)


def notice(case: Any, lang: str, board_url: str | None) -> dict[str, str]:
    """Subject and text of one escalation e-mail (the case's facts, the board's link when known)."""
    key = "en" if lang == "en" else "zh"
    board = f"{board_url.rstrip('/')}/cases?state=overdue" if board_url else ""
    facts = {"id": case.case_id, "unit": case.entity_id, "customer": case.customer_id or "—", "question": case.question,
             "score": case.score, "rule": case.rule, "owner": case.owner or "—", "due": appdb.as_utc(case.due_at),
             "board": board}  # fmt: skip
    return {"subject": SUBJECT[key].format(**facts), "text": TEXT[key].format(**facts)}


def escalate_overdue(
    ws: Workspace,
    surveys: Mapping[str, Survey],
    now: datetime,
    *,
    mail: Smtp | None = None,
    board_url: str | None = None,
) -> Escalation:
    """Escalate every open, overdue, not yet escalated case (once), e-mailing the manager when ``mail`` is given."""
    q = sa.select(cases).where(cases.c.closed_at.is_(None), cases.c.escalated_at.is_(None), cases.c.due_at < now)
    with appdb.engine(ws.database_url).connect() as conn:
        due = conn.execute(q.order_by(cases.c.due_at, cases.c.case_id)).all()
    marked, notified, errors = [], [], []
    for r in due:
        survey = surveys.get(r.survey_id)
        to = routed(survey.follow_up.escalate_to, r.entity_id) if survey else None
        address = address_of(survey, to)
        if mail is not None and address is not None:
            error = _tell(ws, mail, r, address, board_url)
            if error is not None:
                errors.append(f"case {r.case_id}: {to} <{address}>: {error} (tried again on the next run)")
                continue
            notified.append(int(r.case_id))
        elif mail is not None:
            errors.append(f"case {r.case_id}: no e-mail address for {to or 'anyone'} (follow_up.addresses)")
        marked.append({"id": r.case_id, "to": to})
    return Escalation(cases=_mark(ws, marked, now), notified=notified, errors=errors)


def _tell(ws: Workspace, mail: Smtp, case: Any, address: str, board_url: str | None) -> str | None:
    channel = MailChannel(name="escalations", kind="smtp", url=mail.url, to=(address,), sender=mail.sender,
                          starttls=mail.starttls)  # fmt: skip
    body = notice(case, ws.settings.workspace.language, board_url)
    return send_mail(channel, body, f"case-{case.case_id}-escalation", mail.timeout)


def _mark(ws: Workspace, marked: Sequence[dict[str, Any]], now: datetime) -> list[CaseRecord]:
    """Record the escalations (one statement) and read the cases back (one query)."""
    if not marked:
        return []
    ids = [m["id"] for m in marked]
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            cases.update()
            .where(cases.c.case_id == sa.bindparam("id"), cases.c.escalated_at.is_(None))
            .values(escalated_at=now, escalated_to=sa.bindparam("to")),
            list(marked),
        )
        rows = conn.execute(sa.select(cases).where(cases.c.case_id.in_(ids)).order_by(cases.c.case_id)).all()
    return [case_record(r, now) for r in rows]
