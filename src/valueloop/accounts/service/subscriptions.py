"""Review subscriptions: a user receives the period review of their own scope as a PDF, monthly or weekly,
by e-mail (through the configured SMTP server) or by webhook.

``monthly`` sends the previous month's review once a month; ``weekly`` sends the month in progress once
an ISO week. The review is the one ``valueloop report`` builds (:func:`valueloop.reporting.service.review.
build_review`), cut down to the units the subscriber may see (:func:`valueloop.reporting.scoped.for_units`),
so a manager bound to a region never receives another region's numbers. ``valueloop subscriptions run``
(and ``valueloop schedule run``, which runs both) sends the due ones; a failed delivery stays due and
its error is kept on the subscription.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import httpx
import sqlalchemy as sa

from valueloop.accounts.service.accounts import user_principal, visible_units
from valueloop.errors import InputError, NotFound, ValueloopError
from valueloop.monitoring.notify import Channel as MailChannel
from valueloop.monitoring.service.notify import send_mail
from valueloop.results import Instant, Result
from valueloop.store import appdb
from valueloop.store import tables as db
from valueloop.store.workspace import Workspace

Cadence = Literal["monthly", "weekly"]
Delivery = Literal["email", "webhook"]
MAX_PER_USER: Final = 10
ALL_FINDINGS: Final = 1_000_000
"""Build the review with every finding, so a scoped cut still has its own worst ten."""


class Subscription(Result):
    subscription_id: int
    username: str
    cadence: str
    channel: str
    target: str
    lang: str
    created_at: Instant
    last_key: str | None = None
    last_sent_at: Instant | None = None
    last_error: str | None = None


class SubscriptionRun(Result):
    subscription_id: int
    username: str
    status: Literal["sent", "failed", "not due"]
    period: str | None = None
    units: int | None = None
    error: str | None = None


class Mail(Result):
    """The SMTP server reviews are mailed through: ``smtp://[user:password@]host[:port]`` (``smtps://`` for TLS)."""

    url: str
    sender: str
    starttls: bool = False
    timeout: float = 30.0


Post = Callable[[str, dict[str, Any]], None]


def _row(r: sa.RowMapping) -> Subscription:
    return Subscription(
        **{**r, "created_at": appdb.as_utc(r["created_at"]), "last_sent_at": appdb.as_utc(r["last_sent_at"])}
    )


def _check_target(channel: str, target: str) -> str:
    target = target.strip()
    if channel == "email":
        local, _, domain = target.partition("@")
        if not local or "." not in domain or any(c.isspace() for c in target):
            raise InputError(f"target: {target!r} is not an e-mail address")
    else:
        url = urlsplit(target)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise InputError(f"target: {target!r} is not an http(s) URL")
    return target


def subscribe(ws: Workspace, username: str, cadence: Cadence, channel: Delivery, target: str, lang: str = "zh"
              ) -> Subscription:  # fmt: skip
    """Subscribe ``username`` (an existing subscription to the same target is kept and returned)."""
    if cadence not in ("monthly", "weekly"):
        raise InputError(f"cadence: {cadence!r} is not monthly or weekly")
    if channel not in ("email", "webhook"):
        raise InputError(f"channel: {channel!r} is not email or webhook")
    if lang not in ("zh", "en"):
        raise InputError(f"lang: {lang!r} is not zh or en")
    target = _check_target(channel, target)
    user_principal(ws, username)  # an unknown or disabled user subscribes nobody
    t = db.subscriptions
    key = (t.c.username == username) & (t.c.cadence == cadence) & (t.c.channel == channel) & (t.c.target == target)
    with appdb.engine(ws.database_url).begin() as conn:
        if conn.execute(sa.select(t.c.subscription_id).where(key)).first() is None:
            count = conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.username == username)).scalar_one()
            if count >= MAX_PER_USER:
                raise InputError(f"at most {MAX_PER_USER} subscriptions per user; end one first")
            conn.execute(t.insert().values(username=username, cadence=cadence, channel=channel, target=target,
                                           lang=lang, created_at=datetime.now(UTC)))  # fmt: skip
        return _row(conn.execute(sa.select(t).where(key)).mappings().one())


def list_subscriptions(ws: Workspace, username: str | None = None) -> list[Subscription]:
    t = db.subscriptions
    q = sa.select(t).order_by(t.c.subscription_id)
    if username is not None:
        q = q.where(t.c.username == username)
    with appdb.engine(ws.database_url).connect() as conn:
        return [_row(r) for r in conn.execute(q).mappings()]


def unsubscribe(ws: Workspace, username: str, subscription_id: int) -> None:
    """End one of ``username``'s subscriptions; someone else's, or none, is :class:`NotFound`."""
    t = db.subscriptions
    with appdb.engine(ws.database_url).begin() as conn:
        gone = conn.execute(
            t.delete().where((t.c.subscription_id == subscription_id) & (t.c.username == username))
        ).rowcount
    if gone != 1:
        raise NotFound(f"subscription {subscription_id} not found")


def due(cadence: str, today: date) -> tuple[str, str]:
    """(the delivery's key, the period its review covers): monthly → last month, once; weekly → this month, per week."""
    if cadence == "monthly":
        last = today.replace(day=1) - timedelta(days=1)
        return f"{last:%Y-%m}", f"{last:%Y-%m}"
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}", f"{today:%Y-%m}"


def review_pdf(ws: Workspace, username: str, period: str, lang: str) -> tuple[bytes, int]:
    """The period review PDF ``username`` may read (their units only when they are bound) and its number of units."""
    from valueloop.reporting.pdf import render_pdf
    from valueloop.reporting.scoped import for_units
    from valueloop.reporting.service.review import build_review

    units = visible_units(ws, user_principal(ws, username))
    data = build_review(ws, period) if units is None else for_units(build_review(ws, period, top=ALL_FINDINGS), units)
    return render_pdf(data, "en" if lang == "en" else "zh"), len(data.summary.units)


SUBJECT = {"zh": "服务价值评估 · 期间回顾 {period}", "en": "Service value · period review {period}"}
TEXT = {
    "zh": "您好 {user}：\n\n附件是 {period} 的期间回顾（PDF），仅含您有权查看的 {units} 个单位。\n\n— valueloop",
    "en": "Hello {user},\n\nAttached is the period review of {period} (PDF), with the {units} units you may see."
    "\n\n— valueloop",
}


def _deliver(s: Subscription, pdf: bytes, period: str, units: int, mail: Mail | None, post: Post) -> str | None:
    lang = "en" if s.lang == "en" else "zh"
    filename = f"review-{period}-{s.username}-{lang}.pdf"
    if s.channel == "webhook":
        content = base64.b64encode(pdf).decode("ascii")
        post(s.target, {"subscription": s.subscription_id, "user": s.username, "period": period, "units": units,
                        "lang": lang, "filename": filename, "content_base64": content})  # fmt: skip
        return None
    if mail is None:
        return "no SMTP server configured (--smtp URL --sender ADDRESS)"
    channel = MailChannel(name="subscriptions", kind="smtp", url=mail.url, to=(s.target,), sender=mail.sender,
                          starttls=mail.starttls)  # fmt: skip
    body = {"subject": SUBJECT[lang].format(period=period),
            "text": TEXT[lang].format(user=s.username, period=period, units=units)}  # fmt: skip
    return send_mail(channel, body, f"sub-{s.subscription_id}-{period}", mail.timeout, [(filename, pdf)])


def run_subscriptions(ws: Workspace, now: datetime, mail: Mail | None = None, post: Post | None = None
                      ) -> list[SubscriptionRun]:  # fmt: skip
    """Send every due subscription once; a failure is kept on the subscription and it stays due."""
    from zoneinfo import ZoneInfo

    from valueloop.reporting.service.schedule import post_webhook

    send = post or post_webhook
    at = now if now.tzinfo else now.replace(tzinfo=UTC)
    today = at.astimezone(ZoneInfo(ws.settings.workspace.timezone)).date()
    out: list[SubscriptionRun] = []
    t = db.subscriptions
    for s in list_subscriptions(ws):
        key, period = due(s.cadence, today)
        if s.last_key == key:
            out.append(SubscriptionRun(subscription_id=s.subscription_id, username=s.username, status="not due"))
            continue
        units: int | None = None
        try:
            pdf, units = review_pdf(ws, s.username, period, s.lang)
            error = _deliver(s, pdf, period, units, mail, send)
        except (ValueloopError, OSError, ValueError, httpx.HTTPError) as err:  # one bad one does not stop the rest
            error = f"{type(err).__name__}: {err}"
        values: dict[str, Any] = {"last_error": error}
        if error is None:
            values |= {"last_key": key, "last_sent_at": at}
        with appdb.engine(ws.database_url).begin() as conn:
            conn.execute(t.update().where(t.c.subscription_id == s.subscription_id).values(**values))
        status: Literal["sent", "failed"] = "failed" if error else "sent"
        out.append(SubscriptionRun(subscription_id=s.subscription_id, username=s.username, status=status,
                                   period=period, units=units, error=error))  # fmt: skip
    return out
