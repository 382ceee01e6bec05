"""The server's one :class:`~valueloop.monitoring.service.monitor.Monitor`, its clock, and alert subscribers.

Created on first use (a dashboard-only server never opens it), closed — checkpointed —
at shutdown. A daemon thread ticks the clock four times a second, so a minute with a
breach closes, and its alert is recorded and sent, within a second of the minute's end
even when no further event arrives. Subscribers (the alerts page's event stream) get
each transition and acknowledgement as it happens — of the units they may see
(:func:`valueloop.accounts.scope.message_visible`), so no other region's unit reaches them.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from typing import Any

from fastapi import FastAPI

from valueloop.accounts.scope import message_visible
from valueloop.monitoring.service.monitor import Monitor

log = logging.getLogger(__name__)
TICK_SECONDS = 0.25


class Live:
    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._monitor: Monitor | None = None
        self._stop = threading.Event()
        self._subscribers: list[tuple[queue.Queue[dict[str, Any]], frozenset[str] | None]] = []

    @property
    def monitor(self) -> Monitor:
        with self._lock:
            if self._monitor is None:
                self._monitor = Monitor(self._app.state.workspace)
                threading.Thread(target=self._tick, name="valueloop-monitor-clock", daemon=True).start()
            return self._monitor

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            monitor = self._monitor
            if monitor is None:
                continue
            try:
                self.publish(monitor.tick())
            except Exception:  # the clock must keep running
                log.exception("monitor tick failed")

    def publish(self, transitions: list[Any]) -> None:
        for t in transitions:
            self.announce(
                {"type": "alert", "id": t.alert_id, "rule": t.rule, "entity_id": t.entity, "status": t.status}
            )

    def announce(self, message: dict[str, Any]) -> None:
        for q, units in list(self._subscribers):
            if not message_visible(units, message):
                continue
            with contextlib.suppress(queue.Full):  # a stalled browser tab does not hold anything up
                q.put_nowait(message)

    def subscribe(self, units: frozenset[str] | None = None) -> queue.Queue[dict[str, Any]]:
        """A queue of the messages about ``units`` (None: every message)."""
        q: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=1000)
        self._subscribers.append((q, units))
        return q

    def unsubscribe(self, q: queue.Queue[dict[str, Any]]) -> None:
        for item in [x for x in self._subscribers if x[0] is q]:
            self._subscribers.remove(item)

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self._monitor is not None:
                self._monitor.close()
                self._monitor = None


def live(app: FastAPI) -> Live:
    holder: Live = app.state.live
    return holder
