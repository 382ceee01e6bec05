"""Answers of the drill-down kept while the data they were built from stays the same.

Why: the dashboard's drill-down (issue 20) is read by many users at once and its answers
cost a DuckDB query each (the records behind a value) or a recomputation of every unit's
values (why a score moved). The HTTP response cache keeps answers per caller; these keep
them per question, shared by every caller allowed to ask it, and tied to the data version:
the lake snapshot (a write replaces the manifest), the model version as read (a changed model
or dataset file is another object, compared by identity) and, where an answer depends on it,
the stored run. A caller's scope is part of the key wherever it narrows the answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Generic, TypeVar

from valueloop.metrics.hierarchy import ancestors_at
from valueloop.store.lake import MANIFEST
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

T = TypeVar("T")


def _same(a: object, b: object) -> bool:
    """Identity, element by element for tuples (the model versions an answer was built from)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))
    return a is b


class Memo(Generic[T]):
    """A bounded LRU of answers, built once per key even when threads ask for it together (single flight)."""

    def __init__(self, max_entries: int, max_weight: int, weigh: Callable[[T], int]) -> None:
        self.max_entries, self.max_weight, self.weigh = max_entries, max_weight, weigh
        self._entries: OrderedDict[Hashable, tuple[object, T]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, owner: object, build: Callable[[], T]) -> T:
        """The answer under ``key`` built for ``owner`` (compared by identity: an object the key names by id)."""
        if (found := self._find(key, owner)) is not None:
            return found
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            if (found := self._find(key, owner)) is not None:
                return found
            try:
                value = build()
                self._put(key, owner, value)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0

    def _find(self, key: Hashable, owner: object) -> T | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or not _same(entry[0], owner):
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def _put(self, key: Hashable, owner: object, value: T) -> None:
        weight = self.weigh(value)
        if weight > self.max_weight:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self._weight -= self.weigh(old[1]) if old else 0
            self._entries[key] = (owner, value)
            self._weight += weight
            while len(self._entries) > self.max_entries or self._weight > self.max_weight:
                self._weight -= self.weigh(self._entries.popitem(last=False)[1][1])


class _Snapshot:
    """One warehouse connection over one lake snapshot, shared by the drill-down's requests.

    A DuckDB connection is not for two threads at once: queries on it take turns under
    ``lock``. The entity tree of each level is read once per snapshot.
    """

    def __init__(self, ws: Workspace, stamp: Hashable) -> None:
        self.stamp = stamp
        self.wh = Warehouse(ws)
        self.version = self.wh.manifest.version
        self.lock = threading.Lock()
        self._trees: dict[str, dict[str, str]] = {}

    def tree(self, level: str) -> dict[str, str]:
        """entity id → its unit at ``level``."""
        with self.lock:
            if level not in self._trees:
                self._trees[level] = ancestors_at(self.wh.execute(self.wh.table("entities")), level)
            return self._trees[level]


_SNAPSHOTS: dict[Path, _Snapshot] = {}
_SNAPSHOTS_LOCK = threading.Lock()


def snapshot(ws: Workspace) -> _Snapshot:
    """The shared connection over the lake as it is now (a new one once a lake write replaced the manifest)."""
    try:
        st = (ws.lake_dir / MANIFEST).stat()
        manifest: tuple[int, ...] | None = (st.st_ino, st.st_size, st.st_mtime_ns)
    except FileNotFoundError:
        manifest = None
    stamp = (ws, manifest, tuple(ws.datasets.values()))  # a dataset's fields changed: tables read anew
    with _SNAPSHOTS_LOCK:
        found = _SNAPSHOTS.get(ws.root)
        if found is None or found.stamp != stamp:
            found = _SNAPSHOTS[ws.root] = _Snapshot(ws, stamp)
        return found


def forget() -> None:
    """Drop every shared connection (tests)."""
    with _SNAPSHOTS_LOCK:
        _SNAPSHOTS.clear()
