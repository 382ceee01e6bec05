"""Deliver alert notifications in the background, retried with back-off, failures kept as dead letters.

Event intake must never wait on a chat robot: :meth:`Dispatcher.submit` only puts work on a
bounded queue (a full queue turns the work into dead letters at once) and one worker thread
renders and POSTs. A delivery that still fails after ``max_attempts`` becomes a
:class:`DeadLetter`, handed to ``on_dead_letter`` (the caller persists it) and kept in memory.
WeCom and DingTalk robots answer HTTP 200 even when they refuse a message; their
``errcode`` decides.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from valueloop.monitor.notify import Channel, Notice, backoff, render, wants

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadLetter:
    """A delivery given up on; ``body`` is what was (or would have been) posted, so it can be replayed."""

    channel: str
    notice_ids: tuple[str, ...]
    body: dict[str, Any]
    attempts: int
    last_error: str
    at: str  # ISO 8601, UTC
    statuses: tuple[str, ...] = ()  # the status of each notice, parallel to ``notice_ids``


@dataclass(frozen=True)
class _Delivery:
    channel: Channel
    notices: tuple[Notice, ...]


class Dispatcher:
    """One worker thread posting to ``channels``; ``sleep`` is injectable so tests need not wait.

    ``sent``, ``failed`` (dead letters, whatever the reason) and ``retried`` (extra attempts)
    are counters for metrics. ``on_delivered(channel, notices, attempts)`` runs on the worker
    thread after a channel accepted a delivery. ``on_dead_letter`` runs on the worker thread, or on the caller's
    thread when :meth:`submit` finds the queue full; it must not raise (if it does, it is logged).
    """

    def __init__(
        self,
        channels: Sequence[Channel],
        on_dead_letter: Callable[[DeadLetter], None] | None = None,
        *,
        on_delivered: Callable[[str, tuple[Notice, ...], int], None] | None = None,
        max_attempts: int = 5,
        maxsize: int = 1000,
        timeout: float = 5.0,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        sleep: Callable[[float], None] | None = None,
        max_dead_letters: int = 1000,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        self.channels = tuple(channels)
        self._on_dead_letter = on_dead_letter
        self._on_delivered = on_delivered
        self._max_attempts = max_attempts
        self._delays = (base_delay, max_delay)
        self._timeout = timeout
        self._abort = threading.Event()  # set when close() gives up waiting: stop retrying
        self._sleep = sleep or self._wait
        self._queue: queue.Queue[_Delivery] = queue.Queue(maxsize=maxsize)
        self._lock = threading.Lock()
        self._counts = {"sent": 0, "failed": 0, "retried": 0}
        self._dead: deque[DeadLetter] = deque(maxlen=max_dead_letters)
        self._closed = False
        self._client = httpx.Client(timeout=timeout)
        self._thread = threading.Thread(target=self._run, name="valueloop-notify", daemon=True)
        self._thread.start()

    @property
    def sent(self) -> int:
        return self._count("sent")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def retried(self) -> int:
        return self._count("retried")

    @property
    def dead_letters(self) -> list[DeadLetter]:
        """The most recent dead letters (at most ``max_dead_letters``), oldest first."""
        with self._lock:
            return list(self._dead)

    def submit(self, notices: Iterable[Notice]) -> None:
        """Queue ``notices`` for every channel that wants them, one delivery per channel and group. Never blocks."""
        for delivery in _deliveries(self.channels, tuple(notices)):
            if self._closed:
                self._give_up(delivery, 0, "dispatcher closed")
                continue
            try:
                self._queue.put_nowait(delivery)
            except queue.Full:
                self._give_up(delivery, 0, "queue full")

    def close(self, timeout: float = 10.0) -> None:
        """Stop taking work, deliver what is queued within ``timeout`` seconds, dead-letter the rest.

        After ``timeout`` retries stop, and close waits at most one more request timeout for a
        request in flight.
        """
        self._closed = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._abort.set()
            self._thread.join(self._timeout + 1.0)
        while True:  # work put on the queue by a submit racing with close
            try:
                self._give_up(self._queue.get_nowait(), 0, "dispatcher closed")
            except queue.Empty:
                break
        self._client.close()

    def _run(self) -> None:
        while True:
            try:
                delivery = self._queue.get(timeout=0.05)
            except queue.Empty:
                if self._closed:
                    return
                continue
            if self._abort.is_set():
                self._give_up(delivery, 0, "dispatcher closed")
                continue
            try:
                self._deliver(delivery)
            except Exception as err:  # the worker must survive anything, or notifications stop silently
                log.exception("notification to %s failed unexpectedly", delivery.channel.name)
                self._give_up(delivery, 0, f"{type(err).__name__}: {err}")

    def _deliver(self, delivery: _Delivery) -> None:
        body = render(delivery.channel, delivery.notices)
        attempts, error = 0, ""
        while attempts < self._max_attempts and not (attempts and self._abort.is_set()):
            if attempts:
                self._bump("retried")
                self._sleep(backoff(attempts, *self._delays))
            attempts += 1
            failure = self._post(delivery.channel, body)
            if failure is None:
                self._bump("sent")
                if self._on_delivered is not None:
                    try:
                        self._on_delivered(delivery.channel.name, delivery.notices, attempts)
                    except Exception:
                        log.exception("on_delivered failed for %s", delivery.channel.name)
                return
            error = failure
        self._give_up(delivery, attempts, error, body)

    def _post(self, channel: Channel, body: dict[str, Any]) -> str | None:
        """None when the channel accepted the message, else why not."""
        try:
            response = self._client.post(channel.url, json=body, headers=channel.headers)
        except httpx.HTTPError as err:
            return f"{type(err).__name__}: {err}"
        if not response.is_success:
            return f"HTTP {response.status_code}: {response.text[:200]}"
        if channel.kind in ("wecom", "dingtalk"):
            return _robot_error(response)
        return None

    def _give_up(self, delivery: _Delivery, attempts: int, error: str, body: dict[str, Any] | None = None) -> None:
        letter = DeadLetter(
            channel=delivery.channel.name,
            notice_ids=tuple(n.alert_id for n in delivery.notices),
            statuses=tuple(n.status for n in delivery.notices),
            body=body if body is not None else _safe_render(delivery),
            attempts=attempts,
            last_error=error,
            at=datetime.now(UTC).isoformat(),
        )
        with self._lock:
            self._counts["failed"] += 1
            self._dead.append(letter)
        log.warning("notification to %s given up after %d attempts: %s", letter.channel, attempts, error)
        if self._on_dead_letter is not None:
            try:
                self._on_dead_letter(letter)
            except Exception:
                log.exception("on_dead_letter failed for %s", letter.channel)

    def _wait(self, seconds: float) -> None:
        self._abort.wait(seconds)

    def _bump(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def _count(self, name: str) -> int:
        with self._lock:
            return self._counts[name]


def _deliveries(channels: Sequence[Channel], notices: tuple[Notice, ...]) -> list[_Delivery]:
    """One delivery per channel and ``group_key``, keeping only the notices the channel wants."""
    out: list[_Delivery] = []
    for channel in channels:
        groups: dict[str, list[Notice]] = {}
        for notice in notices:
            if wants(channel, notice):
                groups.setdefault(notice.group_key, []).append(notice)
        out += [_Delivery(channel, tuple(group)) for group in groups.values()]
    return out


def _safe_render(delivery: _Delivery) -> dict[str, Any]:
    try:
        return render(delivery.channel, delivery.notices)
    except Exception:  # a dead letter must be kept even when its body cannot be built
        log.exception("cannot render the notification for %s", delivery.channel.name)
        return {}


def _robot_error(response: httpx.Response) -> str | None:
    """WeCom and DingTalk say ``{"errcode": 0, "errmsg": "ok"}`` on success; a body without errcode passes."""
    try:
        payload = response.json()
    except ValueError:
        return None
    code = payload.get("errcode", 0) if isinstance(payload, dict) else 0
    return None if code == 0 else f"errcode {code}: {payload.get('errmsg', '')}"
