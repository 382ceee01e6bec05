"""Many small app-database writes, one commit: group commit for the public pages' hot paths.

Each committed transaction costs an fsync (SQLite's WAL, PostgreSQL's log): about 10–20 ms on a
busy disk, and SQLite takes one writer at a time, so a hundred respondents answering at once
queued behind each other's fsyncs. :func:`run` hands a write to one writer thread per database,
which takes every write waiting, runs each in its own savepoint (a write that fails rolls back
alone and raises to its caller), commits them together and only then returns to each caller —
so a caller that got its answer back has it on disk, exactly as with its own transaction.
The thread ends after a second idle and starts again with the next write.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import sqlalchemy as sa

from valueloop.store import appdb

T = TypeVar("T")
MAX_GROUP = 256
IDLE_SECONDS = 1.0
_Job = tuple[Callable[[sa.Connection], Any], "Future[Any]"]


class _Writer:
    def __init__(self, url: str) -> None:
        self.url = url
        self.jobs: queue.Queue[_Job] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def submit(self, job: Callable[[sa.Connection], T]) -> Future[T]:
        done: Future[T] = Future()
        self.jobs.put((job, done))
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="valueloop-group-commit", daemon=True)
                self.thread.start()
        return done

    def _loop(self) -> None:
        while True:
            try:
                first = self.jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self.lock:
                    if self.jobs.empty():  # a job put now starts a new thread once this one is gone
                        self.thread = None
                        return
                continue
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    group.append(self.jobs.get_nowait())
                except queue.Empty:
                    break
            self._commit(group)

    def _commit(self, group: list[_Job]) -> None:
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            with appdb.engine(self.url).begin() as conn:
                for job, done in group:
                    try:
                        with conn.begin_nested():
                            outcomes.append((done, job(conn), None))
                    except Exception as err:  # this write alone is rolled back; it raises to its caller
                        outcomes.append((done, None, err))
        except Exception as err:  # the commit failed: nothing of the group is stored
            for _, done in group:
                done.set_exception(err)
            return
        for done, result, error in outcomes:
            if error is None:
                done.set_result(result)
            else:
                done.set_exception(error)


_writers: dict[str, _Writer] = {}
_lock = threading.Lock()


def run(url: str, job: Callable[[sa.Connection], T]) -> T:
    """Run ``job(conn)`` in a transaction committed together with other writers' jobs; its result once on disk."""
    with _lock:
        writer = _writers.get(url)
        if writer is None:
            writer = _writers[url] = _Writer(url)
    return writer.submit(job).result()
