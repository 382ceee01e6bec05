"""Stream events: what the real-time monitor takes in, as JSON Lines or as column arrays.

One event per line: ``{"type", "ts", "entity_id", ...}``. The service-process types
(interaction opened / first response / resolved / abandoned, feedback, complaint, bot
hand-off) drive the KPIs; ``device_status`` carries the policy's IoT monitoring of the
service process (``status`` ``fault`` / ``offline`` / ``error`` count as errors); any other
type — the behaviour events of the ``events`` dataset (view, click, error, …) — counts as
traffic, and ``error`` among them as an error.

Parsing is per line and never all-or-nothing: a bad line is rejected with its number
and reason, the rest are kept. Times are ISO 8601 (naive = UTC) or Unix seconds.
Columns are numpy arrays so the windows can work a micro-batch at a time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from valueloop.monitoring.base import FloatArray

IntArray = npt.NDArray[np.int64]
MAX_ID = 200
FAULT_STATUSES = frozenset({"fault", "offline", "error", "down", "故障", "离线"})


class Kind(IntEnum):
    """Event kinds the KPIs distinguish; the integer is the column code."""

    opened = 0
    first_response = 1
    resolved = 2
    abandoned = 3
    feedback = 4
    complaint = 5
    bot_handoff = 6
    error = 7
    other = 8


TYPES: dict[str, Kind] = {
    "interaction_opened": Kind.opened,
    "opened": Kind.opened,
    "first_response": Kind.first_response,
    "resolved": Kind.resolved,
    "interaction_resolved": Kind.resolved,
    "abandoned": Kind.abandoned,
    "feedback": Kind.feedback,
    "complaint": Kind.complaint,
    "bot_handoff": Kind.bot_handoff,
    "error": Kind.error,
}
"""Known ``type`` values; ``device_status`` is decided by its ``status``; anything else is ``other``."""


@dataclass(frozen=True)
class EventBatch:
    """Events as columns: time (Unix s), entity id ('' = none), kind code, value.

    ``value`` is the first-response time in seconds for ``first_response`` and the CSAT
    (1–5) for ``feedback``; NaN otherwise or when not given.
    """

    t: FloatArray
    entity: npt.NDArray[np.str_]
    kind: IntArray
    value: FloatArray

    def __post_init__(self) -> None:
        n = len(self.t)
        if not (len(self.entity) == len(self.kind) == len(self.value) == n):
            raise ValueError("event columns must have the same length")

    def __len__(self) -> int:
        return len(self.t)

    def take(self, index: IntArray | npt.NDArray[np.bool_]) -> EventBatch:
        return EventBatch(self.t[index], self.entity[index], self.kind[index], self.value[index])


EMPTY = EventBatch(np.empty(0), np.empty(0, dtype=str), np.empty(0, dtype=np.int64), np.empty(0))


@dataclass(frozen=True)
class Rejected:
    """One line that was not taken, with its 1-based line number."""

    line: int
    reason: str


def parse_time(raw: Any) -> float:
    """Unix seconds from an ISO 8601 string (naive = UTC) or a number of seconds."""
    if isinstance(raw, bool):
        raise ValueError("ts must be an ISO 8601 time or Unix seconds, not a boolean")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ValueError("ts must be finite")
        return float(raw)
    if not isinstance(raw, str):
        raise ValueError("ts must be an ISO 8601 time or Unix seconds")
    try:
        when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"ts {raw[:40]!r} is not an ISO 8601 time") from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _number(raw: Any, field: str, lo: float, hi: float) -> float:
    if raw is None:
        return math.nan
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ValueError(f"{field} must be a number")
    if not lo <= raw <= hi:
        raise ValueError(f"{field} {raw} is outside [{lo:g}, {hi:g}]")
    return float(raw)


def parse_event(obj: Any) -> tuple[float, str, int, float]:
    """(t, entity, kind, value) of one decoded JSON object; ValueError names the field."""
    if not isinstance(obj, dict):
        raise ValueError("an event must be a JSON object")
    etype = obj.get("type")
    if not isinstance(etype, str) or not etype.strip():
        raise ValueError("type is required (a non-empty string)")
    if "ts" not in obj:
        raise ValueError("ts is required")
    t = parse_time(obj["ts"])
    entity = obj.get("entity_id") or ""
    if not isinstance(entity, str) or len(entity) > MAX_ID:
        raise ValueError(f"entity_id must be a string of at most {MAX_ID} characters")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in entity):
        # an id is one line: a newline in it would forge lines of the alert's chat message and e-mail
        raise ValueError(f"entity_id {entity!r} contains a control character (newline, tab, ...)")
    etype = etype.strip()
    kind = TYPES.get(etype, Kind.other)
    value = math.nan
    if etype == "device_status":
        status = obj.get("status")
        if not isinstance(status, str):
            raise ValueError("status is required for device_status events")
        kind = Kind.error if status.strip().lower() in FAULT_STATUSES else Kind.other
    elif kind is Kind.first_response:
        value = _number(obj.get("seconds"), "seconds", 0.0, 365 * 86_400.0)
    elif kind is Kind.feedback:
        value = _number(obj.get("csat"), "csat", 1.0, 5.0)
    return t, entity, int(kind), value


@dataclass(frozen=True)
class LiveWindow:
    """Live intake takes events from ``seconds`` before ``now`` to ``seconds`` after it.

    Why: the stream closes every minute up to its newest event, so one event stamped years
    ahead would keep a core busy and make every real event after it late; one from last
    year is no live news. A replay of recorded files passes no window.
    """

    now: float
    seconds: float

    def check(self, t: float) -> None:
        """ValueError (late or early, with the time and the window) when ``t`` is outside."""
        if self.now - self.seconds <= t <= self.now + self.seconds:
            return
        side = "late" if t < self.now else "early"
        where = "before" if t < self.now else "after"
        raise ValueError(
            f"{side}: ts {_when(t)} is more than {self.seconds / 3600:g} h {where} now ({_when(self.now)}); "
            "live events must be within that window"
        )


def _when(t: float) -> str:
    try:
        return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")
    except (OverflowError, ValueError, OSError):
        return f"{t:.6g} s"


def parse_lines(
    lines: Sequence[str | bytes], first_line: int = 1, window: LiveWindow | None = None
) -> tuple[EventBatch, list[Rejected]]:
    """Decode JSON Lines; blank lines are skipped, every other bad line is rejected with a reason.

    With a ``window`` (live intake), an event outside it is rejected as late or early.
    """
    t: list[float] = []
    entity: list[str] = []
    kind: list[int] = []
    value: list[float] = []
    rejected: list[Rejected] = []
    loads = json.loads
    for number, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        try:
            ev = parse_event(loads(line))
            if window is not None:
                window.check(ev[0])
        except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            rejected.append(Rejected(number, str(exc).splitlines()[0][:200]))
            continue
        t.append(ev[0])
        entity.append(ev[1])
        kind.append(ev[2])
        value.append(ev[3])
    batch = EventBatch(
        np.array(t, dtype=np.float64),
        np.array(entity, dtype=str) if entity else EMPTY.entity,
        np.array(kind, dtype=np.int64),
        np.array(value, dtype=np.float64),
    )
    return batch, rejected
