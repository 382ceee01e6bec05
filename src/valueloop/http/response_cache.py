"""Answers of read routes kept per caller while the workspace's data stays the same.

Why: the dashboard's pages and the main lists are read far more often than the data behind
them changes (an evaluation run, an ingest, an action moved on). Building the overview over
a million interactions costs milliseconds of Python each time; sending the same bytes again
costs microseconds, and under 50 concurrent clients that difference is the p95 target
(``bench/web_bench.py``).

When an answer may be reused — all of these must hold:

- the route opted in (``dependencies=[CACHED]``): a read of stored data, not of the live
  monitor's memory or the clock;
- it was a GET answered 200 without ``Set-Cookie``;
- the request is the same as far as the answer can tell: path, query string and the
  headers that say who asks and how (``Authorization``, ``Cookie`` — the session, its CSRF
  token and the language — ``Accept-Language``, ``Accept``), so one caller never receives
  another's answer, and a scoped manager's answer is only ever theirs;
- the workspace's data has not changed since: its stamp (:func:`data_stamp`: the SQLite
  database and its log, the lake manifest, the model/experiment/… files) is the one taken
  *before* the answer was built, and no unsafe request (POST, PUT, PATCH, DELETE) has
  finished in this process since;
- it is younger than ``ttl`` seconds. This bounds what the stamp cannot see: writes to a
  PostgreSQL app database by another process, and answers that depend on the time of day
  (overdue actions, session expiry). A revoked token or a closed session is itself a
  database write, so it is refused at once on SQLite.

Identical requests to a route known to be cacheable that arrive while one of them is being
answered wait for that answer (single flight) instead of building it again — otherwise every expiry would start as many
builds of the overview as there are clients on it, and each build slows every other request.
A waiter whose answer turned out not reusable (not a 200, or the data changed) builds its own.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FLAG = "valueloop.cacheable"
KEY_HEADERS = (b"authorization", b"cookie", b"accept-language", b"accept")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def _opt_in(request: Request) -> None:
    """Marks the answer as reusable (async, so FastAPI calls it on the loop, not in a worker thread)."""
    request.scope[FLAG] = True


CACHED = Depends(_opt_in)
"""Put in a read route's ``dependencies=[CACHED]`` to let its answers be reused."""


@dataclass(frozen=True)
class _Entry:
    stamp: Hashable
    at: float
    start: Message
    body: bytes


class ResponseCache:
    """Pure ASGI middleware holding at most ``max_entries`` answers and ``max_bytes`` of bodies (LRU)."""

    def __init__(
        self,
        app: ASGIApp,
        stamp: Callable[[], Hashable],
        ttl: float = 5.0,
        max_entries: int = 2048,
        max_bytes: int = 128 * 1024 * 1024,
        max_body: int = 4 * 1024 * 1024,
    ) -> None:
        self.app = app
        self._stamp = stamp
        self.ttl = ttl
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_body = max_body
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._bytes = 0
        self._writes = 0
        self._lock = threading.Lock()
        self._building: dict[tuple[Any, ...], asyncio.Event] = {}
        self._known: set[tuple[Any, ...]] = set()
        """Keys once answered reusably: only these have single flight."""
        self.hits = 0
        self.misses = 0

    def version(self) -> Hashable:
        return (self._writes, self._stamp())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._writes += 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in UNSAFE:
            try:
                await self.app(scope, receive, send)
            finally:
                self.clear()  # whatever it changed, earlier answers may be wrong now
            return
        if scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        key = _key(scope)
        version = self.version()
        entry = self._get(key, version)
        while entry is None and key in self._known and (pending := self._building.get(key)) is not None:
            await pending.wait()  # the same request is being answered: take its answer, do not build it twice
            version = self.version()
            entry = self._get(key, version)
        if entry is not None:
            self.hits += 1
            await send(entry.start)
            await send({"type": "http.response.body", "body": entry.body, "more_body": False})
            return
        self.misses += 1
        if key not in self._known:  # maybe not a cacheable route (an event stream never ends): nobody waits on it
            await self._answer_and_keep(scope, receive, send, key, version)
            return
        done = self._building[key] = asyncio.Event()
        try:
            await self._answer_and_keep(scope, receive, send, key, version)
        finally:
            del self._building[key]
            done.set()

    def _get(self, key: tuple[Any, ...], version: Hashable) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.stamp != version or time.monotonic() - entry.at > self.ttl:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    async def _answer_and_keep(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[Any, ...], version: Hashable
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                start = message
                keep = bool(scope.get(FLAG)) and message["status"] == 200
                keep = keep and not any(k == b"set-cookie" for k, _ in message.get("headers", []))
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                if size > self.max_body:
                    keep = False
                    chunks.clear()
                else:
                    chunks.append(body)
            await send(message)

        started = time.monotonic()
        await self.app(scope, receive, capture)
        if keep and start is not None:
            self._put(key, _Entry(version, started, start, b"".join(chunks)))

    def _put(self, key: tuple[Any, ...], entry: _Entry) -> None:
        with self._lock:
            if entry.stamp != self.version():  # data changed while the answer was built
                return
            self._drop(key)
            self._entries[key] = entry
            if len(self._known) >= 4 * self.max_entries:
                self._known.clear()
            self._known.add(key)
            self._bytes += len(entry.body)
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple[Any, ...]) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry.body)


def _key(scope: Scope) -> tuple[Any, ...]:
    headers = dict.fromkeys(KEY_HEADERS, b"")
    for name, value in scope["headers"]:
        if name in headers:
            headers[name] += value + b";"
    return (scope["path"], scope.get("query_string", b""), *headers.values())
