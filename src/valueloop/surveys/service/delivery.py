"""Send due e-mail invitations through the configured SMTP server: retried, visible, resendable.

The invitation row is its own outbox entry (``delivery``): ``queued`` until the server accepted
the message (``sent``), retried with the monitor's capped back-off after each failure, and
``dead`` once it has failed for longer than ``give_up_after``; ``resend`` queues dead ones again.
An invitation is never lost to a failing server. The transport is the notification machinery's
(:func:`valueloop.monitoring.service.notify.send_mail`); the ``Message-ID`` derives from the invitation id,
so a message resent after a crash is recognisably the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError, SpecError
from valueloop.monitoring.notify import Channel as MailChannel
from valueloop.monitoring.notify import backoff
from valueloop.monitoring.service.notify import send_mail
from valueloop.store import appdb
from valueloop.store.tables import survey_invitations as inv
from valueloop.store.workspace import Workspace
from valueloop.surveys.fatigue import quiet_until
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
    sent: int = 0
    retried: int = 0
    dead: int = 0
    reminded: int = 0
    errors: list[str] = []


ZH_MAIL = "您好！\n\n感谢您近期使用我们的服务。请花一分钟告诉我们您的感受：\n{url}\n\n链接有效期至 {expires:%Y-%m-%d}。"
EN_MAIL = (
    "Hello,\n\nThank you for using our service. Please tell us how it went (one minute):\n{url}\n\n"
    "The link is valid until {expires:%Y-%m-%d}."
)
MAIL = {"zh": ("{title}", ZH_MAIL), "en": ("{title}", EN_MAIL)}
REMINDER = {"zh": "提醒：", "en": "Reminder: "}


def message(survey: Survey, url: str, expires: datetime, lang: str, reminder: bool = False) -> dict[str, str]:
    key = "en" if lang == "en" else "zh"
    subject, text = MAIL[key]
    prefix = REMINDER[key] if reminder else ""
    return {
        "subject": prefix + subject.format(title=survey.title.get(lang)),
        "text": text.format(url=url, expires=expires),
    }


class _Surveys:
    """Survey specs by id, read once per pass; a broken file makes its rows wait, not the whole pass fail."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.found: dict[str, Survey | None] = {}

    def get(self, survey_id: str, report: DeliveryReport) -> Survey | None:
        if survey_id not in self.found:
            try:
                self.found[survey_id] = get_survey(self.ws, survey_id)
            except (SpecError, InputError) as err:
                self.found[survey_id] = None
                report.errors.append(f"survey {survey_id}: {str(err).splitlines()[0]}")
        return self.found[survey_id]


def _send(
    ws: Workspace, smtp: Smtp, survey: Survey, row: Any, base_url: str, now: datetime, reminder: bool
) -> str | None:
    """One e-mail for an invitation row; None when the server accepted it, else why not."""
    if not row.contact:
        return "no e-mail address"
    expires = appdb.as_utc(row.expires_at)
    body = message(survey, link(ws, base_url, row.invitation_id, expires), expires, ws.settings.workspace.language,
                   reminder)  # fmt: skip
    channel = MailChannel(name="surveys", kind="smtp", url=smtp.url, to=(row.contact,), sender=smtp.sender,
                          starttls=smtp.starttls)  # fmt: skip
    key = f"{row.invitation_id}-reminder" if reminder else row.invitation_id
    return send_mail(channel, body, key, smtp.timeout)


def deliver_due(
    ws: Workspace, smtp: Smtp, base_url: str, now: datetime, give_up_after: timedelta = GIVE_UP_AFTER
) -> DeliveryReport:
    """One pass: every queued e-mail invitation due by ``now``, sent or rescheduled; then the due reminders."""
    q = sa.select(inv).where(inv.c.channel == "email", inv.c.delivery == "queued", inv.c.next_attempt_at <= now)
    with appdb.engine(ws.database_url).connect() as conn:
        due = conn.execute(q.order_by(inv.c.next_attempt_at).limit(BATCH)).all()
    surveys, report = _Surveys(ws), DeliveryReport()
    for r in due:
        survey = surveys.get(r.survey_id, report)
        if survey is not None:
            error = _send(ws, smtp, survey, r, base_url, now, reminder=False)
            _settle(ws, r.invitation_id, r.attempts + 1, appdb.as_utc(r.queued_at), error, now, give_up_after, report)
    _remind(ws, smtp, base_url, now, surveys, report)
    return report


def _remind(ws: Workspace, smtp: Smtp, base_url: str, now: datetime, surveys: _Surveys, report: DeliveryReport) -> None:
    """One reminder per unanswered, delivered, unexpired invitation once its survey's ``reminder_hours`` passed.

    Not during the survey's quiet hours; a failed reminder is tried again on the next pass until the link expires.
    """
    q = sa.select(inv).where(inv.c.channel == "email", inv.c.delivery == "sent", inv.c.answered_at.is_(None),
                             inv.c.reminded_at.is_(None), inv.c.expires_at > now)  # fmt: skip
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(q.order_by(inv.c.delivered_at).limit(BATCH)).all()
    tz = ws.settings.workspace.timezone
    for r in rows:
        survey = surveys.get(r.survey_id, report)
        hours = survey.trigger.reminder_hours if survey else None
        if survey is None or hours is None or appdb.as_utc(r.delivered_at) + timedelta(hours=hours) > now:
            continue
        if quiet_until(now, survey.trigger.quiet_hours, tz) is not None:
            continue
        error = _send(ws, smtp, survey, r, base_url, now, reminder=True)
        values: dict[str, object] = {"reminded_at": now} if error is None else {"last_error": error[:500]}
        with appdb.engine(ws.database_url).begin() as conn:
            conn.execute(inv.update().where(inv.c.invitation_id == r.invitation_id).values(values))
        if error is None:
            report.reminded += 1
        else:
            report.errors.append(f"{r.invitation_id} (reminder): {error}")


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
