"""History as a live stream: export the lake's facts as monitor events, and replay them.

``export_stream`` turns interactions (opened, first response with its wait, resolved),
feedback (feedback with CSAT, complaints) and behaviour events of a time range into the
monitor's JSON Lines, in time order. ``replay`` feeds JSON Lines to a :class:`Monitor`
in micro-batches, ``speed`` times faster than they happened (``0`` = as fast as possible),
which is how a team tries new alert rules on last month before trusting them live.

A replay into an in-process monitor can be resumed: every batch carries the input position
after it (lines taken and a SHA-256 of them), saved atomically with the monitor's state.
Replaying the same file again after a crash or an error skips exactly the lines already
taken, so the open minute's events are not counted twice; a file whose first lines differ
is replayed from its start.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from valueloop.errors import InputError
from valueloop.monitoring.events import Rejected, parse_time
from valueloop.monitoring.service.monitor import InputPosition, Monitor
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
"""Export bounds are taken within these years (the lake's timestamps cannot go much further)."""


def local_time(ws: Workspace, raw: str, name: str) -> datetime:
    """An ISO date/time argument such as ``--from``; a naive one is in the workspace's time zone."""
    try:
        t = datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{name}: {raw!r} is not an ISO date/time") from None
    if not EARLIEST_YEAR <= t.year <= LATEST_YEAR:
        raise InputError(f"{name}: {raw!r} is outside the years {EARLIEST_YEAR}–{LATEST_YEAR}")
    return t if t.tzinfo else t.replace(tzinfo=ZoneInfo(ws.settings.workspace.timezone))


def _rows(wh: Warehouse, dataset: str, field: str, start: datetime, end: datetime) -> pd.DataFrame:
    t = wh.table(dataset)
    out: pd.DataFrame = wh.execute(t.filter((t[field] >= start) & (t[field] < end)))
    return out


def _events(ts: pd.Series, etype: str | pd.Series, entity: pd.Series, **extra: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"ts": ts, "type": etype, "entity_id": entity.fillna(""), **extra})


def export_stream(ws: Workspace, start: datetime, end: datetime, units: frozenset[str] | None = None) -> list[str]:
    """The monitor events of [start, end) from the lake, as JSON Lines sorted by time; ``units`` keeps those only."""
    wh = Warehouse(ws)
    end_ts = pd.Timestamp(end)
    inter = _rows(wh, "interactions", "opened_at", start, end)
    fr = inter[inter.first_response_at.notna() & (inter.first_response_at < end_ts)]
    done = inter[inter.resolved_at.notna() & (inter.resolved_at < end_ts)]
    fb = _rows(wh, "feedback", "submitted_at", start, end)
    complaint = fb.kind == "complaint"
    rated = ~complaint & fb.csat.notna()
    beh = _rows(wh, "events", "ts", start, end)
    wait = (fr.first_response_at - fr.opened_at).dt.total_seconds().clip(lower=0.0)
    parts = [
        _events(inter.opened_at, "interaction_opened", inter.entity_id),
        _events(fr.first_response_at, "first_response", fr.entity_id, seconds=wait),
        _events(done.resolved_at, "resolved", done.entity_id),
        _events(fb.submitted_at[complaint], "complaint", fb.entity_id[complaint]),
        _events(fb.submitted_at[rated], "feedback", fb.entity_id[rated], csat=fb.csat[rated]),
        _events(beh.ts, beh.type, beh.entity_id),
    ]
    allev = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    if allev is None:
        return []
    if units is not None:
        allev = allev[allev.entity_id.isin(units)]
    allev = allev.sort_values("ts", kind="stable")
    stamps = pd.to_datetime(allev.ts, utc=True).map(lambda t: t.isoformat()).tolist()
    lines = []
    for stamp, rec in zip(stamps, allev.drop(columns="ts").to_dict("records"), strict=True):
        event: dict[str, Any] = {"ts": stamp, "type": rec["type"], "entity_id": rec["entity_id"]}
        if rec["type"] == "first_response":
            event["seconds"] = float(rec["seconds"])
        elif rec["type"] == "feedback":
            event["csat"] = int(rec["csat"])
        lines.append(json.dumps(event, ensure_ascii=False))
    return lines


@dataclass
class ReplayResult:
    """Totals of a replay (JSON of ``valueloop monitor replay``)."""

    lines: int = 0
    accepted: int = 0
    late: int = 0
    rejected: list[Rejected] | None = None
    fired: int = 0
    resolved: int = 0
    seconds: float = 0.0
    resumed_after: int = 0

    def as_json(self) -> dict[str, Any]:
        rejected = self.rejected or []
        return {
            "lines": self.lines,
            "accepted": self.accepted,
            "late": self.late,
            "rejected": len(rejected),
            "rejected_lines": [{"line": r.line, "reason": r.reason} for r in rejected[:100]],
            "alerts_fired": self.fired,
            "alerts_resolved": self.resolved,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(self.accepted / self.seconds) if self.seconds > 0 else None,
            "resumed_after_line": self.resumed_after,
        }


def _chunks(lines: list[str], size: int, start: int = 0) -> Iterator[tuple[int, list[str]]]:
    for i in range(start, len(lines), size):
        yield i + 1, lines[i : i + size]


def event_time(line: str) -> float | None:
    try:
        return parse_time(json.loads(line)["ts"])
    except (ValueError, KeyError, TypeError):
        return None


MAX_PACED_GAP = 86_400.0
"""Seconds of event time a paced replay waits out at most between two batches (a day: at 60× 24 minutes)."""
Send = Callable[[list[str]], dict[str, Any]]
"""Takes a batch of JSON Lines and answers as ``POST /api/v1/events`` does (:meth:`Intake.as_json`)."""


def replay(monitor: Monitor, lines: list[str], **pace: Any) -> ReplayResult:
    """:func:`feed` into an in-process monitor; at the end its clock moves past the last event,
    so the last minute closes too. Resumes after the lines the monitor already took from this input."""
    start, digest = resume_point(monitor.position, lines)
    taken = start

    def send(chunk: list[str]) -> dict[str, Any]:
        nonlocal taken
        for line in chunk:
            _hash_line(digest, line)
        taken += len(chunk)
        return monitor.ingest_lines(chunk, InputPosition(taken, digest.hexdigest())).as_json()

    return feed(send, lines, close=lambda t: [tr.status for tr in monitor.advance(t)], start=start, **pace)


def resume_point(position: InputPosition | None, lines: list[str]) -> tuple[int, Any]:
    """Lines of ``lines`` already taken (0 unless they are exactly the ones ``position`` describes),
    and the running digest over them, to carry on with."""
    digest = hashlib.sha256()
    if position is None or position.lines > len(lines):
        return 0, digest
    for line in lines[: position.lines]:
        _hash_line(digest, line)
    if digest.hexdigest() != position.digest:
        return 0, hashlib.sha256()
    return position.lines, digest


def _hash_line(digest: Any, line: str) -> None:
    digest.update(line.encode("utf-8", "surrogatepass"))
    digest.update(b"\n")


def feed(
    send: Send,
    lines: list[str],
    *,
    speed: float = 60.0,
    batch: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    close: Callable[[float], list[str]] | None = None,
    start: int = 0,
) -> ReplayResult:
    """Send ``lines`` in micro-batches, paced ``speed``× real time by their timestamps (0 = no pacing).

    A jump longer than :data:`MAX_PACED_GAP` between batches is waited out for that long
    only, so a stray timestamp years ahead does not stall the replay for years.

    ``send`` is a monitor in this process or a server over HTTP; ``close(t)`` (optional)
    moves the monitor's clock to ``t`` after the last batch and returns the statuses of the
    alerts that changed. ``start`` lines were taken before (a resumed replay): they are not
    sent again, but the clock still moves past the last of them.
    """
    if speed < 0 or batch < 1:
        raise InputError("speed must be ≥ 0 and batch ≥ 1")
    result = ReplayResult(rejected=[], resumed_after=start)
    began = time.perf_counter()
    first_t: float | None = None
    newest = -math.inf
    skipped = 0.0  # event time not waited out: the part of each jump beyond MAX_PACED_GAP
    last_t = next((t for t in (event_time(x) for x in reversed(lines[:start])) if t is not None), -math.inf)
    for offset, chunk in _chunks(lines, batch, start):
        head = next((t for t in (event_time(x) for x in chunk) if t is not None), None)
        if speed > 0 and head is not None:
            first_t = head if first_t is None else first_t
            skipped += max(0.0, head - newest - MAX_PACED_GAP) if newest > -math.inf else 0.0
            newest = max(newest, head)
            due = (head - first_t - skipped) / speed - (time.perf_counter() - began)
            if due > 0:
                sleep(due)
        got = send(chunk)
        result.lines += len(chunk)
        result.accepted += got["accepted"]
        result.late += got["late"]
        assert result.rejected is not None
        result.rejected += [Rejected(r["line"] + offset - 1, r["reason"]) for r in got["rejected"]]
        _count(result, [a["status"] for a in got["alerts"]])
        tail = next((t for t in (event_time(x) for x in reversed(chunk)) if t is not None), None)
        last_t = max(last_t, tail if tail is not None else last_t)
        if progress is not None:
            progress(start + result.lines, len(lines))
    if close is not None and math.isfinite(last_t):
        _count(result, close(last_t + 60.0))
    result.seconds = time.perf_counter() - began
    return result


def _count(result: ReplayResult, statuses: Iterable[str]) -> None:
    for status in statuses:
        if status == "firing":
            result.fired += 1
        else:
            result.resolved += 1
