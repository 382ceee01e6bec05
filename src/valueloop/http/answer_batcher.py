"""The server's background flush of accepted survey answers into the lake.

The public page accepts an answer in one app-database transaction and says :meth:`accepted`;
a daemon thread then flushes (:func:`valueloop.surveys.service.answer_flush.flush_answers`)
at most once per :data:`INTERVAL_SECONDS`, sooner once :data:`BATCH` answers wait, so models,
text analysis and the monitor see answers within about a second while a hundred respondents
cost one ingest, not a hundred. It starts with the server and first flushes what a previous
run left pending; at shutdown it flushes once more. A failed flush is logged and retried on
the next round: the answers stay pending in the database, never lost.
"""

from __future__ import annotations

import logging
import threading

from valueloop.store.workspace import Workspace

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 1.0
BATCH = 500


class AnswerBatcher:
    def __init__(self, ws: Workspace, interval: float = INTERVAL_SECONDS, batch: int = BATCH) -> None:
        self._ws, self._interval, self._batch = ws, interval, batch
        self._lock = threading.Lock()
        self._waiting = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run the flushing thread (once); its first round sends what an earlier run left pending."""
        with self._lock:
            if self._thread is None:
                self._waiting += 1  # look for leftovers at once
                self._thread = threading.Thread(target=self._run, name="valueloop-answer-flush", daemon=True)
                self._thread.start()

    def accepted(self) -> None:
        """One more answer waits for the lake."""
        with self._lock:
            self._waiting += 1
            full = self._waiting >= self._batch
        self.start()
        if full:
            self._wake.set()

    def _run(self) -> None:
        import valueloop.ingest.service.ingest  # noqa: F401 - imported now, not under the first answers' load

        while not self._stop.is_set():
            self._round()
            self._wake.wait(self._interval)
            self._wake.clear()

    def _round(self) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, 0
        if not waiting:
            return
        try:
            self.flush()
        except Exception:  # the answers stay pending; the next round tries again
            log.exception("flushing survey answers to the lake failed")
            with self._lock:
                self._waiting += waiting

    def flush(self) -> None:
        from valueloop.surveys.service.answer_flush import flush_answers

        flush_answers(self._ws)

    def close(self) -> None:
        """Stop the thread and flush what is left (a failure leaves it pending for the next start)."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=60)
            try:
                self.flush()
            except Exception:
                log.exception("flushing survey answers to the lake at shutdown failed")
