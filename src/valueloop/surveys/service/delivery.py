"""Send due invitations through the configured SMTP server or webhooks (SMS, WeCom, DingTalk): retried,
visible, resendable.

The invitation row is its own outbox entry (``delivery``): ``queued`` until the server accepted
the message (``sent``), retried with the monitor's capped back-off after each failure, and
``dead`` once it has failed for longer than ``give_up_after``; ``resend`` queues dead ones again.
An invitation is never lost to a failing server, and one whose channel is not configured in a
pass simply waits. The transports are the notification machinery's
(:func:`valueloop.monitoring.service.notify.send_mail` and its webhook
:class:`~valueloop.monitoring.service.notify.Sender`, which reads a robot's ``errcode``); the
e-mail ``Message-ID`` and the webhook ``Idempotency-Key`` derive from the invitation id, so a
message resent after a crash is recognisably the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError, SpecError
from valueloop.monitoring.notify import Channel as NotifyChannel
from valueloop.monitoring.notify import Kind, backoff
from valueloop.monitoring.service.notify import Sender, send_mail
from valueloop.store import appdb
from valueloop.store.tables import survey_invitations as inv
from valueloop.store.workspace import Workspace
from valueloop.surveys.fatigue import quiet_until
from valueloop.surveys.messages import message, short_text, webhook_body
from valueloop.surveys.service.catalog import get_survey
from valueloop.surveys.service.invitations import link
from valueloop.surveys.spec import WEBHOOK_CHANNELS, Channel, Survey

GIVE_UP_AFTER = timedelta(hours=24)
BATCH = 200


@dataclass(frozen=True)
class Smtp:
    """``url`` is ``smtp://[user:password@]host[:port]`` (``smtps://`` for TLS); ``sender`` the From address."""

    url: str
    sender: str
    starttls: bool = False
    timeout: float = 10.0


@dataclass(frozen=True)
class Webhook:
    """Where a webhook channel posts: ``url`` (a robot's address is a secret), extra ``headers`` (a gateway's token)."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 10.0


class DeliveryReport(BaseModel):
    sent: int = 0
    retried: int = 0
    dead: int = 0
    reminded: int = 0
    errors: list[str] = []


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


class _Transports:
    """The configured ways out for one pass: SMTP for e-mail, a webhook sender per webhook channel."""

    def __init__(self, smtp: Smtp | None, webhooks: Mapping[Channel, Webhook]) -> None:
        self.smtp = smtp
        self.webhooks = {Channel(c): w for c, w in webhooks.items()}
        self.senders = {c: Sender(w.timeout) for c, w in self.webhooks.items()}

    def channels(self) -> list[str]:
        return ([Channel.email.value] if self.smtp else []) + [c.value for c in self.webhooks]

    def close(self) -> None:
        for sender in self.senders.values():
            sender.close()


def _send(ws: Workspace, out: _Transports, survey: Survey, row: Any, base_url: str, reminder: bool) -> str | None:
    """One message for an invitation row on its channel; None when the server accepted it, else why not."""
    channel = Channel(row.channel)
    if not row.contact:
        return "no e-mail address" if channel is Channel.email else "no mobile number"
    expires = appdb.as_utc(row.expires_at)
    url, lang = link(ws, base_url, row.invitation_id, expires), _language(ws, survey)
    key = f"{row.invitation_id}-reminder" if reminder else row.invitation_id
    if channel is Channel.email and out.smtp is not None:
        smtp = out.smtp
        mail = NotifyChannel(name="surveys", kind="smtp", url=smtp.url, to=(row.contact,), sender=smtp.sender,
                             starttls=smtp.starttls)  # fmt: skip
        return send_mail(mail, message(survey, url, expires, lang, reminder), key, smtp.timeout)
    text = short_text(survey.title.get(lang), url, expires, lang, reminder)
    return post(channel, out.webhooks[channel], webhook_body(channel, text, row.contact, row.invitation_id), key,
                out.senders[channel])  # fmt: skip


def _language(ws: Workspace, survey: Survey) -> str:
    """The workspace's language when the survey offers it, else the survey's first."""
    lang = ws.settings.workspace.language
    return lang if lang in survey.languages else survey.languages[0]


def post(channel: Channel, hook: Webhook, body: dict[str, Any], key: str, sender: Sender | None = None) -> str | None:
    """POST ``body`` to the channel's webhook; None when it was accepted (HTTP 2xx, a robot's errcode 0)."""
    kind: Kind = "wecom" if channel is Channel.wecom else "dingtalk" if channel is Channel.dingtalk else "webhook"
    target = NotifyChannel(name=f"surveys-{channel.value}", kind=kind, url=hook.url, headers=dict(hook.headers))
    own = sender is None
    sender = sender or Sender(hook.timeout)
    try:
        return sender.send(target, body, key)
    finally:
        if own:
            sender.close()


def deliver_due(
    ws: Workspace,
    smtp: Smtp | None,
    base_url: str,
    now: datetime,
    give_up_after: timedelta = GIVE_UP_AFTER,
    *,
    webhooks: Mapping[Channel, Webhook] | None = None,
) -> DeliveryReport:
    """One pass: every queued invitation of a configured channel due by ``now``, sent or rescheduled; then the
    due reminders. E-mail needs ``smtp``, a webhook channel its entry in ``webhooks``; the others wait."""
    out = _Transports(smtp, webhooks or {})
    try:
        return _pass(ws, out, base_url, now, give_up_after)
    finally:
        out.close()


def _pass(ws: Workspace, out: _Transports, base_url: str, now: datetime, give_up_after: timedelta) -> DeliveryReport:
    channels = out.channels()
    q = sa.select(inv).where(inv.c.channel.in_(channels), inv.c.delivery == "queued", inv.c.next_attempt_at <= now)
    with appdb.engine(ws.database_url).connect() as conn:
        due = conn.execute(q.order_by(inv.c.next_attempt_at).limit(BATCH)).all()
    surveys, report = _Surveys(ws), DeliveryReport()
    for r in due:
        survey = surveys.get(r.survey_id, report)
        if survey is not None:
            error = _send(ws, out, survey, r, base_url, reminder=False)
            _settle(ws, r.invitation_id, r.attempts + 1, appdb.as_utc(r.queued_at), error, now, give_up_after, report)
    _remind(ws, out, base_url, now, surveys, report)
    return report


def _remind(ws: Workspace, out: _Transports, base_url: str, now: datetime, surveys: _Surveys,
            report: DeliveryReport) -> None:  # fmt: skip
    """One reminder per unanswered, delivered, unexpired invitation once its survey's ``reminder_hours`` passed.

    Not during the survey's quiet hours; a failed reminder is tried again on the next pass until the link expires.
    """
    q = sa.select(inv).where(inv.c.channel.in_(out.channels()), inv.c.delivery == "sent", inv.c.answered_at.is_(None),
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
        error = _send(ws, out, survey, r, base_url, reminder=True)
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
    """Queue dead (or, when named, already sent) e-mail and webhook invitations again, due now; every unknown id
    is named."""
    delivered = [Channel.email.value, *(c.value for c in WEBHOOK_CHANNELS)]
    with appdb.engine(ws.database_url).begin() as conn:
        q = sa.select(inv.c.invitation_id, inv.c.delivery).where(inv.c.channel.in_(delivered))
        found = dict(conn.execute(q.where(inv.c.invitation_id.in_(list(ids))) if ids else q).all())
        missing = [i for i in ids if i not in found]
        if missing:
            raise InputError("cannot resend: no e-mail, SMS, WeCom or DingTalk invitation " + ", ".join(missing))
        chosen = sorted(i for i, state in found.items() if state == "dead" or (ids and state == "sent"))
        if chosen:
            conn.execute(
                inv.update()
                .where(inv.c.invitation_id.in_(chosen))
                .values(delivery="queued", attempts=0, queued_at=now, next_attempt_at=now, last_error=None)
            )
    return chosen


def send_sample(channel: Channel, hook: Webhook, base_url: str, lang: str, phone: str) -> str | None:
    """Post a sample invitation (a made-up link, the given test ``phone``) to ``hook``; None when it was accepted."""
    if channel not in WEBHOOK_CHANNELS:
        raise InputError(f"{channel} is not a webhook channel (sms, wecom, dingtalk)")
    title = "服务满意度回访（测试）" if lang != "en" else "How did we do? (test)"
    url = f"{base_url.rstrip('/')}/s/test"
    text = short_text(title, url, datetime.now(UTC) + timedelta(days=14), lang)
    return post(channel, hook, webhook_body(channel, text, phone, "test"), "vl-survey-webhook-test")
