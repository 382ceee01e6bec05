"""Minute KPIs per entity and overall, streamed a micro-batch at a time.

:class:`KpiStream` keeps the open minute's events and a summary (counters and
first-response times) of each of the last 59 closed minutes. When events of a later
minute arrive, every minute before it closes, empty ones included, and the stream emits
one :class:`~valueloop.monitoring.kpis.KpiFrame` row per closed minute and key — key 0 is
the overall series, present every minute; an entity is present while it had an event in
the last 60 minutes — with every KPI over the 1-, 15- and 60-minute windows ending at
the close of that minute. The work is numpy over the whole micro-batch; nothing loops
per event. With a ``watch`` function, 15/60-minute quantiles are computed only for the
rows alert rules evaluate and for the newest minute (see ``KpiStream._watched_quantile``).
Streaming gives exactly what a batch computation over the same events gives
(``tests/monitoring/test_kpi_stream.py`` checks every prefix against a plain numpy oracle).

Events may arrive out of order within the open minute; an event for a minute that has
already closed is *late* and rejected (its window has been reported). ``advance(t)``
closes minutes by the clock when traffic stops, so a silent minute is still reported.
Silence is reported minute by minute for :data:`MAX_SILENT_MINUTES` once every window
has emptied; after that the stream moves straight on to the new minute, whose windows are
just as empty. Without that bound one event stamped years ahead closed every minute up
to it — millions of rows and a core busy for as long.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from valueloop.monitoring.base import FloatArray
from valueloop.monitoring.events import EventBatch, IntArray
from valueloop.monitoring.kpis import (
    COUNTERS,
    HISTORY,
    QUANTILE_KPIS,
    WINDOWS,
    KpiFrame,
    column,
    frt_mask,
    group_counts,
    kpis_from_sums,
)
from valueloop.monitoring.windows_batch import window_quantiles

OVERALL = "*"
CHUNK_MINUTES = 30
"""Closing minutes handled per dense pass (bounds memory at keys × 89 minutes × counters)."""
MAX_SILENT_MINUTES = 24 * 60
"""Minutes of complete silence (every window empty) reported one by one before the stream skips ahead."""


@dataclass(frozen=True)
class MinuteSummary:
    """One closed minute: counters per key (sorted key codes) and its first-response times."""

    minute: int
    keys: IntArray
    counts: IntArray
    frt_key: IntArray
    frt_value: FloatArray


class KpiStream:
    """Feed :class:`EventBatch` micro-batches; get the KPIs of every minute that closed."""

    def __init__(
        self,
        rollup: Mapping[str, Sequence[str]] | None = None,
        watch: Callable[[str, IntArray], npt.NDArray[np.bool_]] | None = None,
    ) -> None:
        self._watch = watch
        self.names: list[str] = [OVERALL]
        self._codes: dict[str, int] = {OVERALL: 0}
        self._rollup = rollup or {}
        self._ancestors: list[list[int]] = [[]]
        self._anc_matrix = np.full((1, 0), -1, dtype=np.int64)
        self.open_minute: int | None = None
        self._pending = _Events.empty()
        self._history: list[MinuteSummary] = []

    # intake ---------------------------------------------------------------
    def codes(self, entity: np.ndarray) -> IntArray:
        """Entity ids → key codes (new ones registered); '' (no entity) → 0, the overall key."""
        uniq, inverse = np.unique(entity.astype(str), return_inverse=True)
        mapped = np.empty(len(uniq), dtype=np.int64)
        for i, name in enumerate(uniq.tolist()):
            if not name:
                mapped[i] = 0
                continue
            mapped[i] = self._register(name)
        return mapped[inverse.reshape(-1)]

    def _register(self, name: str) -> int:
        code = self._codes.get(name)
        if code is None:
            code = self._codes[name] = len(self.names)
            self.names.append(name)
            self._ancestors.append([])
            self._ancestors[code] = [self._register(a) for a in self._rollup.get(name, ()) if a and a != name]
        return code

    def _ancestor_matrix(self) -> IntArray:
        """codes × depth: each entity's ancestors (-1 padding), rebuilt when entities were added."""
        if self._anc_matrix.shape[0] != len(self.names):
            depth = max((len(a) for a in self._ancestors), default=0)
            m = np.full((len(self.names), depth), -1, dtype=np.int64)
            for code, anc in enumerate(self._ancestors):
                m[code, : len(anc)] = anc
            self._anc_matrix = m
        return self._anc_matrix

    def update(self, batch: EventBatch) -> tuple[KpiFrame, np.ndarray]:
        """Take a micro-batch; (KPIs of the minutes it closed, mask of late events not taken)."""
        late = np.zeros(len(batch), dtype=bool)
        if self.open_minute is not None:
            late = batch.t < self.open_minute * 60.0
        kept = batch.take(~late)
        if not len(kept):
            return _empty_frame(), late
        new = _Events(kept.t, self.codes(kept.entity), kept.kind, kept.value)
        events = _Events.concat(self._pending, new)
        minute = np.floor(events.t / 60.0).astype(np.int64)
        newest = int(minute.max())
        if self.open_minute is None:
            self.open_minute = int(minute.min())
        frame = self._close(events, minute, newest)
        return frame, late

    def advance(self, t: float) -> KpiFrame:
        """Close every minute that ended at or before ``t`` (the clock moved on without events)."""
        if self.open_minute is None:
            return _empty_frame()
        minute = np.floor(self._pending.t / 60.0).astype(np.int64)
        return self._close(self._pending, minute, max(self.open_minute, math.floor(t / 60.0)))

    # closing --------------------------------------------------------------
    def _close(self, events: _Events, minute: IntArray, new_open: int) -> KpiFrame:
        assert self.open_minute is not None
        first = self.open_minute
        closed = minute < new_open
        self._pending = events.take(~closed)
        self.open_minute = new_open
        if new_open == first:
            return _empty_frame()
        gone = events.take(closed)
        gone_minute = minute[closed]
        end = min(new_open, self._silent_from(gone_minute, first) + MAX_SILENT_MINUTES)
        frames = []
        for a in range(first, end, CHUNK_MINUTES):
            b = min(end, a + CHUNK_MINUTES)
            inside = (gone_minute >= a) & (gone_minute < b)
            self._summarise(gone.take(inside), gone_minute[inside], a, b)
            frames.append(self._windows(a, b))
        return _concat_frames(frames)

    def _silent_from(self, gone_minute: IntArray, first: int) -> int:
        """The first minute at or after ``first`` whose windows (at most :data:`HISTORY` minutes) hold no event."""
        active = [s.minute for s in self._history if len(s.keys)]
        if len(gone_minute):
            active.append(int(gone_minute.max()))
        return max(first, max(active) + HISTORY) if active else first

    def _summarise(self, ev: _Events, minute: IntArray, a: int, b: int) -> None:
        """Append a summary per minute in [a, b); keep only the last HISTORY − 1 + (b − a)."""
        # an event counts for its entity, the entity's ancestors (roll-up) and the overall series
        own = ev.key > 0
        parts = [np.arange(len(ev)), np.flatnonzero(own)]
        keys_parts = [ev.key, np.zeros(int(own.sum()), dtype=np.int64)]
        anc = self._ancestor_matrix()
        for d in range(anc.shape[1]):
            up = anc[ev.key, d]
            has = np.flatnonzero(up >= 0)
            parts.append(has)
            keys_parts.append(up[has])
        idx = np.concatenate(parts)
        keys = np.concatenate(keys_parts)
        mins = minute[idx] - a
        kind, value = ev.kind[idx], ev.value[idx]
        width = len(self.names)
        group = mins * width + keys
        uniq, inverse = np.unique(group, return_inverse=True)
        inverse = inverse.reshape(-1)
        counts = group_counts(inverse, len(uniq), kind, value)
        frt = frt_mask(kind, value)
        f_key, f_min, f_val = keys[frt], mins[frt] + a, value[frt]
        bounds = np.searchsorted(uniq, np.arange(b - a + 1) * width)
        for m in range(a, b):
            lo, hi = int(bounds[m - a]), int(bounds[m - a + 1])
            pick = f_min == m
            self._history.append(
                MinuteSummary(m, uniq[lo:hi] - (m - a) * width, counts[lo:hi], f_key[pick], f_val[pick])
            )
        keep_from = a - (HISTORY - 1)
        self._history = [s for s in self._history if s.minute >= keep_from]

    def _windows(self, a: int, b: int) -> KpiFrame:
        """KPIs of every window ending at the close of each minute in [a, b)."""
        base = a - (HISTORY - 1)
        hist = [s for s in self._history if s.minute >= base]
        uk = np.unique(np.concatenate([np.zeros(1, dtype=np.int64), *[s.keys for s in hist]]))
        span = b - base
        dense = np.zeros((len(uk), span, len(COUNTERS)), dtype=np.int64)
        for s in hist:
            dense[np.searchsorted(uk, s.keys), s.minute - base] = s.counts
        cum = np.concatenate([np.zeros((len(uk), 1, len(COUNTERS)), dtype=np.int64), dense.cumsum(axis=1)], axis=1)
        ends = np.arange(a, b) - base + 1  # cum index just after each closing minute
        events_60 = cum[:, ends, COUNTERS.index("events")] - cum[:, ends - HISTORY, COUNTERS.index("events")]
        active = (events_60 > 0) | (uk == 0)[:, None]
        j, k = np.nonzero(active.T)  # rows ordered by minute, then key
        f_key = np.concatenate([s.frt_key for s in hist]) if hist else np.empty(0, dtype=np.int64)
        f_min = np.concatenate([np.full(len(s.frt_key), s.minute, dtype=np.int64) for s in hist]) if hist else f_key
        f_val = np.concatenate([s.frt_value for s in hist]) if hist else np.empty(0)
        position = np.searchsorted(uk, f_key) * span + (f_min - base)
        order = np.argsort(position, kind="stable")
        position, f_val = position[order], f_val[order]
        values: dict[str, FloatArray] = {}
        for name, width in WINDOWS.items():
            hi_idx, lo_idx = ends[j], ends[j] - width
            sums = {c: cum[k, hi_idx, i] - cum[k, lo_idx, i] for i, c in enumerate(COUNTERS)}
            lo = np.searchsorted(position, k * span + lo_idx, side="left").astype(np.int64)
            hi = np.searchsorted(position, k * span + hi_idx, side="left").astype(np.int64)
            if width == 1 or self._watch is None:
                qs = window_quantiles(f_val, lo, hi, tuple(QUANTILE_KPIS.values()))
            else:
                qs = [
                    self._watched_quantile(f_val, lo, hi, q, column(kpi, name), j, uk[k])
                    for kpi, q in QUANTILE_KPIS.items()
                ]
            values |= kpis_from_sums(sums, dict(zip(QUANTILE_KPIS, qs, strict=True)), name)
        return KpiFrame((a + j).astype(np.int64), uk[k], values)

    def _watched_quantile(
        self, f_val: FloatArray, lo: IntArray, hi: IntArray, q: float, col: str, j: IntArray, keys: IntArray
    ) -> FloatArray:
        """A sliding-window quantile for the rows a rule watches and for the newest minute; NaN elsewhere.

        A window's quantile costs as many cells as the window holds values, so 60-minute
        quantiles of every agent every minute would dominate the stream; only what rules
        evaluate (and ``/metrics`` shows: the newest minute) is computed.
        """
        assert self._watch is not None
        out = np.full(len(lo), np.nan)
        need = np.flatnonzero((j == j.max()) | self._watch(col, keys))
        if need.size:
            out[need] = window_quantiles(f_val, lo[need], hi[need], (q,))[0]
        return out

    # checkpoint -------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Everything needed to carry on after a restart, as JSON-able lists."""
        return {
            "names": self.names,
            "open_minute": self.open_minute,
            "pending": self._pending.as_lists(),
            "history": [
                {
                    "minute": s.minute,
                    "keys": s.keys.tolist(),
                    "counts": s.counts.tolist(),
                    "frt_key": s.frt_key.tolist(),
                    "frt_value": s.frt_value.tolist(),
                }
                for s in self._history
            ],
        }

    @classmethod
    def from_state(
        cls,
        state: dict[str, Any],
        rollup: Mapping[str, Sequence[str]] | None = None,
        watch: Callable[[str, IntArray], npt.NDArray[np.bool_]] | None = None,
    ) -> KpiStream:
        out = cls(rollup, watch)
        out.names = list(state["names"])
        out._codes = {n: i for i, n in enumerate(out.names)}
        out._ancestors = [[] for _ in out.names]
        for code, name in enumerate(list(out.names)):  # codes stay as saved; new ancestors are added after
            out._ancestors[code] = [out._register(a) for a in out._rollup.get(name, ()) if a and a != name]
        out.open_minute = state["open_minute"]
        out._pending = _Events.from_lists(state["pending"])
        out._history = [
            MinuteSummary(
                int(h["minute"]),
                np.asarray(h["keys"], dtype=np.int64),
                np.asarray(h["counts"], dtype=np.int64).reshape(-1, len(COUNTERS)),
                np.asarray(h["frt_key"], dtype=np.int64),
                np.asarray(h["frt_value"], dtype=np.float64),
            )
            for h in state["history"]
        ]
        return out


@dataclass(frozen=True)
class _Events:
    """Accepted events with entity codes instead of ids."""

    t: FloatArray
    key: IntArray
    kind: IntArray
    value: FloatArray

    def __len__(self) -> int:
        return len(self.t)

    @staticmethod
    def empty() -> _Events:
        return _Events(np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))

    def take(self, index: np.ndarray) -> _Events:
        return _Events(self.t[index], self.key[index], self.kind[index], self.value[index])

    @staticmethod
    def concat(a: _Events, b: _Events) -> _Events:
        if not len(a):
            return b
        return _Events(*(np.concatenate([x, y]) for x, y in zip(a.as_arrays(), b.as_arrays(), strict=True)))

    def as_arrays(self) -> tuple[FloatArray, IntArray, IntArray, FloatArray]:
        return self.t, self.key, self.kind, self.value

    def as_lists(self) -> dict[str, list[Any]]:
        return {
            "t": self.t.tolist(),
            "key": self.key.tolist(),
            "kind": self.kind.tolist(),
            "value": [None if math.isnan(v) else v for v in self.value.tolist()],
        }

    @staticmethod
    def from_lists(d: dict[str, list[Any]]) -> _Events:
        return _Events(
            np.asarray(d["t"], dtype=np.float64),
            np.asarray(d["key"], dtype=np.int64),
            np.asarray(d["kind"], dtype=np.int64),
            np.asarray([math.nan if v is None else v for v in d["value"]], dtype=np.float64),
        )


def _empty_frame() -> KpiFrame:
    return KpiFrame(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), {})


def _concat_frames(frames: list[KpiFrame]) -> KpiFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return _empty_frame()
    if len(frames) == 1:
        return frames[0]
    names = frames[0].values.keys()
    return KpiFrame(
        np.concatenate([f.minute for f in frames]),
        np.concatenate([f.key for f in frames]),
        {n: np.concatenate([f.values[n] for f in frames]) for n in names},
    )
