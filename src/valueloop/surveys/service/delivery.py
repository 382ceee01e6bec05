"""Send due e-mail invitations through the configured SMTP server: retried, visible, resendable.

The invitation row is its own outbox entry (``delivery``): ``queued`` until the server accepted
the message (``sent``), retried with the monitor's capped back-off after each failure, and
``dead`` once it has failed for longer than ``give_up_after``; ``resend`` queues dead ones again.
An invitation is never lost to a failing server. The transport is the notification machinery's
(:func:`valueloop.flows.notify.send_mail`); the ``Message-ID`` derives from the invitation id,
so a message resent after a crash is recognisably the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.flows.notify import send_mail
from valueloop.monitor.notify import Channel as MailChannel
from valueloop.monitor.notify import backoff
from valueloop.store import appdb
from valueloop.store.surveys_db import survey_invitations as inv
from valueloop.store.workspace import Workspace
from valueloop.surveys.service.catalog import get_survey
from valueloop.surveys.service.invitations import link
from valueloop.surveys.spec import Survey

GIVE_UP_AFTER = timedelta(hours=24)
BATCH = 200


@dataclass(frozen=True)
class Smtp:
    """``url`` is ``smtp://[user:password@]host[:port]`` (``smtps://`` for TLS); ``sender`` the From address."""

    url: str
    sender: str
    starttls: bool = False
    timeout: float = 10.0


class DeliveryReport(BaseModel):
    sent: int
    retried: int
    dead: int
    errors: list[str]


ZH_MAIL = "您好！\n\n感谢您近期使用我们的服务。请花一分钟告诉我们您的感受：\n{url}\n\n链接有效期至 {expires:%Y-%m-%d}。"
EN_MAIL = (
    "Hello,\n\nThank you for using our service. Please tell us how it went (one minute):\n{url}\n\n"
    "The link is valid until {expires:%Y-%m-%d}."
)
MAIL = {"zh": ("{title}", ZH_MAIL), "en": ("{title}", EN_MAIL)}


def message(survey: Survey, url: str, expires: datetime, lang: str) -> dict[str, str]:
    subject, text = MAIL["en" if lang == "en" else "zh"]
    return {"subject": subject.format(title=survey.title.get(lang)), "text": text.format(url=url, expires=expires)}


def deliver_due(
    ws: Workspace, smtp: Smtp, base_url: str, now: datetime, give_up_after: timedelta = GIVE_UP_AFTER
) -> DeliveryReport:
    """One pass: every queued e-mail invitation due by ``now``, sent or rescheduled."""
    q = sa.select(inv).where(inv.c.channel == "email", inv.c.delivery == "queued", inv.c.next_attempt_at <= now)
    with appdb.engine(ws.database_url).connect() as conn:
        due = conn.execute(q.order_by(inv.c.next_attempt_at).limit(BATCH)).all()
    lang = ws.settings.workspace.language
    surveys: dict[str, Survey] = {}
    report = DeliveryReport(sent=0, retried=0, dead=0, errors=[])
    for r in due:
        survey = surveys.get(r.survey_id) or surveys.setdefault(r.survey_id, get_survey(ws, r.survey_id))
        expires = appdb.as_utc(r.expires_at)
        body = message(survey, link(ws, base_url, r.invitation_id, expires), expires, lang)
        channel = MailChannel(
            name="surveys", kind="smtp", url=smtp.url, to=(r.contact or "",), sender=smtp.sender, starttls=smtp.starttls
        )
        error = send_mail(channel, body, r.invitation_id, smtp.timeout) if r.contact else "no e-mail address"
        _settle(ws, r.invitation_id, r.attempts + 1, appdb.as_utc(r.queued_at), error, now, give_up_after, report)
    return report


def _settle(
    ws: Workspace,
    invitation_id: str,
    attempt: int,
    queued_at: datetime,
    error: str | None,
    now: datetime,
    give_up_after: timedelta,
    report: DeliveryReport,
) -> None:
    values: dict[str, object] = {"attempts": attempt}
    if error is None:
        values |= {"delivery": "sent", "delivered_at": now, "last_error": None, "next_attempt_at": None}
        report.sent += 1
    elif now - queued_at >= give_up_after:
        values |= {"delivery": "dead", "last_error": error[:500], "next_attempt_at": None}
        report.dead += 1
        report.errors.append(f"{invitation_id}: {error}")
    else:
        retry = now + timedelta(seconds=backoff(attempt, base=60.0, cap=3600.0))
        values |= {"last_error": error[:500], "next_attempt_at": retry}
        report.retried += 1
        report.errors.append(f"{invitation_id}: {error}")
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(inv.update().where(inv.c.invitation_id == invitation_id).values(values))


def resend(ws: Workspace, ids: Sequence[str], now: datetime) -> list[str]:
    """Queue dead (or, when named, already sent) e-mail invitations again, due now; every unknown id is named."""
    with appdb.engine(ws.database_url).begin() as conn:
        q = sa.select(inv.c.invitation_id, inv.c.delivery).where(inv.c.channel == "email")
        found = dict(conn.execute(q.where(inv.c.invitation_id.in_(list(ids))) if ids else q).all())
        missing = [i for i in ids if i not in found]
        if missing:
            raise InputError("cannot resend: no e-mail invitation " + ", ".join(missing))
        chosen = sorted(i for i, state in found.items() if state == "dead" or (ids and state == "sent"))
        if chosen:
            conn.execute(
                inv.update()
                .where(inv.c.invitation_id.in_(chosen))
                .values(delivery="queued", attempts=0, queued_at=now, next_attempt_at=now, last_error=None)
            )
    return chosen
