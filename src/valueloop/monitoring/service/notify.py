"""Deliver alert notifications from the durable outbox: at least once, retried until the give-up age.

Event intake never waits on a chat robot: the monitor writes a ``queued`` row per alert ×
status × channel in the alert's own transaction (:mod:`valueloop.monitoring.service.outbox`), and one
:class:`Outbox` worker thread sends the due rows, grouped per channel and ``group_key``.
A row is marked ``sent`` only after the channel accepted it; a failure schedules the next
attempt with capped exponential back-off (jittered), across restarts, until the row has
been failing for the channel's ``give_up_after`` (default 24 h): then it is ``dead``, kept
with its last error, until ``valueloop alerts notifications --resend``.

The guarantee is **at least once**: a crash after a channel accepted a delivery but
before the row was marked sent sends it once more on restart, with the same
``Idempotency-Key`` (:func:`~valueloop.monitoring.notify.idempotency_key`), so receivers can
drop the repeat. WeCom and DingTalk robots answer HTTP 200 even when they refuse a
message; their ``errcode`` decides.
"""

from __future__ import annotations

import logging
import random
import smtplib
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from valueloop.monitoring.notify import Channel, Notice, backoff, idempotency_key, render
from valueloop.monitoring.service import outbox
from valueloop.store.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retry:
    """Back-off between attempts (seconds: ``base·2^(n-1)``, at most ``cap``) and how often the outbox is polled."""

    base: float = 1.0
    cap: float = 300.0
    poll: float = 1.0
    jitter: bool = True


class Sender:
    """The transports: an HTTP POST of the JSON body, or an e-mail over SMTP. None means accepted."""

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout
        self._client = httpx.Client(timeout=timeout)

    def send(self, channel: Channel, body: dict[str, Any], key: str) -> str | None:
        """Deliver ``body``; None when the channel accepted it, else why not."""
        if channel.kind == "smtp":
            return send_mail(channel, body, key, self.timeout)
        if channel.kind == "webhook":
            body = body | {"idempotencyKey": key}
        try:
            response = self._client.post(channel.url, json=body, headers={**channel.headers, "Idempotency-Key": key})
        except httpx.HTTPError as err:
            return f"{type(err).__name__}: {err}"
        if not response.is_success:
            return f"HTTP {response.status_code}: {response.text[:200]}"
        if channel.kind in ("wecom", "dingtalk"):
            return _robot_error(response)
        return None

    def close(self) -> None:
        self._client.close()


def send_mail(channel: Channel, body: dict[str, Any], key: str, timeout: float,
              attachments: Sequence[tuple[str, bytes]] = ()) -> str | None:  # fmt: skip
    """One e-mail to the channel's recipients; its ``Message-ID`` is derived from ``key``.

    ``attachments`` are (file name, PDF bytes) pairs: the subscribed period reviews.
    """
    url = urlsplit(channel.url)
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = body["subject"], channel.sender, ", ".join(channel.to)
    msg["Message-ID"] = f"<{key}@valueloop>"
    msg["Idempotency-Key"] = key
    msg.set_content(body["text"])
    for filename, content in attachments:
        msg.add_attachment(content, maintype="application", subtype="pdf", filename=filename)
    secure = url.scheme == "smtps"
    smtp_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
    try:
        with smtp_class(url.hostname or "localhost", url.port or (465 if secure else 25), timeout=timeout) as smtp:
            if channel.starttls and not secure:
                smtp.starttls(context=ssl.create_default_context())
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as err:
        return f"{type(err).__name__}: {err}"
    return None


Legacy = Callable[[str, str], Notice | None]
"""Rebuilds the notice of a row queued before the outbox stored it: (alert id, status) → notice."""


class Outbox:
    """The worker that sends due outbox rows of ``ws`` to ``channels`` on one background thread.

    :meth:`deliver_due` is one pass (the thread calls it; tests may too). ``counts`` holds
    (outcome, channel) → deliveries since start, outcome ``sent``, ``retried`` or ``failed``
    (given up: dead).
    """

    def __init__(
        self,
        ws: Workspace,
        channels: Sequence[Channel],
        *,
        legacy: Legacy | None = None,
        retry: Retry | None = None,
        timeout: float = 5.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.ws = ws
        self.channels = {c.name: c for c in channels}
        self._legacy = legacy
        self._retry = retry or Retry()
        self._rng = random.Random().random if self._retry.jitter else None
        self._clock = clock or (lambda: datetime.now(UTC))
        self._sender = Sender(timeout)
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._deadline = float("inf")
        self._lock = threading.Lock()
        self.counts: Counter[tuple[str, str]] = Counter()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker thread (it first sends whatever a previous run left queued)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="valueloop-notify", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """New rows were queued: look now rather than at the next poll."""
        self._wake.set()

    def close(self, timeout: float = 10.0) -> None:
        """Send what is due within ``timeout`` seconds, then stop; what is left stays queued for the next start."""
        self._deadline = time.monotonic() + timeout
        self._closing.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout + self._sender.timeout + 1.0)
        self._sender.close()

    def _run(self) -> None:
        while True:
            try:
                sent_any = self.deliver_due() > 0
            except Exception:  # the worker must survive anything (a database hiccup), or notifications stop
                log.exception("notification outbox pass failed")
                sent_any = False
            if self._closing.is_set() and (not sent_any or time.monotonic() > self._deadline):
                return
            self._wake.wait(self._pause())
            self._wake.clear()

    def _pause(self) -> float:
        """Seconds until the next row is due, at most one poll (rows re-queued by the CLI are found by polling)."""
        try:
            upcoming = outbox.next_due(self.ws)
        except Exception:
            log.exception("notification outbox: cannot read when the next row is due")
            return self._retry.poll
        if upcoming is None:
            return self._retry.poll
        return min(self._retry.poll, max(0.0, (upcoming - self._clock()).total_seconds()))

    def deliver_due(self) -> int:
        """One pass over the due rows; returns how many deliveries were attempted."""
        now = self._clock()
        groups: dict[tuple[str, str], list[tuple[outbox.Due, Notice]]] = {}
        for row in outbox.due(self.ws, now):
            channel = self.channels.get(row.channel)
            notice = row.notice or (self._legacy(row.alert_id, row.status) if self._legacy else None)
            if channel is None or notice is None:
                why = "channel is not configured" if channel is None else "alert or rule no longer exists"
                outbox.mark_failed(self.ws, [row.id], f"{row.channel}: {why}", now, None)
                self._count("failed", row.channel)
                continue
            groups.setdefault((channel.name, notice.group_key), []).append((row, notice))
        attempted = 0
        for (name, _), items in groups.items():
            if self._closing.is_set() and time.monotonic() > self._deadline:
                break
            self._deliver(self.channels[name], items, now)
            attempted += 1
        return attempted

    def _deliver(self, channel: Channel, items: list[tuple[outbox.Due, Notice]], now: datetime) -> None:
        notices = [n for _, n in items]
        ids = [row.id for row, _ in items]
        try:
            error = self._sender.send(channel, render(channel, notices), idempotency_key(channel, notices))
        except Exception as err:  # a body that cannot be built will never be sent: give up at once
            log.exception("cannot build the notification for %s", channel.name)
            outbox.mark_failed(self.ws, ids, f"{type(err).__name__}: {err}", now, None)
            self._count("failed", channel.name)
            return
        if error is None:
            outbox.mark_sent(self.ws, ids, now)
            self._count("sent", channel.name)
            return
        attempts = max(row.attempts for row, _ in items) + 1
        oldest = min(row.queued_at for row, _ in items)
        if (now - oldest).total_seconds() >= channel.give_up_after:
            log.warning("notification to %s given up after %d attempts: %s", channel.name, attempts, error)
            outbox.mark_failed(self.ws, ids, error, now, None)
            self._count("failed", channel.name)
            return
        delay = backoff(attempts, self._retry.base, self._retry.cap, self._rng)
        outbox.mark_failed(self.ws, ids, error, now, now + timedelta(seconds=delay))
        self._count("retried", channel.name)

    def _count(self, outcome: str, channel: str) -> None:
        with self._lock:
            self.counts[(outcome, channel)] += 1

    def totals(self) -> dict[str, int]:
        """Deliveries since start by outcome, over all channels."""
        with self._lock:
            out = dict.fromkeys(("sent", "failed", "retried"), 0)
            for (outcome, _), n in self.counts.items():
                out[outcome] += n
            return out


def _robot_error(response: httpx.Response) -> str | None:
    """WeCom and DingTalk say ``{"errcode": 0, "errmsg": "ok"}`` on success; a body without errcode passes."""
    try:
        payload = response.json()
    except ValueError:
        return None
    code = payload.get("errcode", 0) if isinstance(payload, dict) else 0
    return None if code == 0 else f"errcode {code}: {payload.get('errmsg', '')}"
