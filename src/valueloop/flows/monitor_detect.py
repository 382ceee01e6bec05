"""``monitor detect`` over points sent in a request: one registry detector, fed in order, one result per point.

The detector sees the points one at a time, as it would live; a missing value is scored 0
and never an anomaly; naive timestamps are UTC. Every unreadable timestamp is reported at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from valueloop.errors import InputError
from valueloop.monitor.registry import DETECTORS, make, run


def _seconds(stamp: str) -> float:
    when = datetime.fromisoformat(stamp.strip())
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def detect(detector: str, stamps: Sequence[str], values: Sequence[float | None]) -> list[dict[str, Any]]:
    """``[{timestamp, value, score, anomaly}]`` in input order (the JSON of ``valueloop monitor detect``)."""
    if detector not in DETECTORS:
        raise InputError(f"unknown detector {detector!r} (known: {', '.join(DETECTORS)})")
    times, problems = [], []
    for i, stamp in enumerate(stamps, start=1):
        try:
            times.append(_seconds(stamp))
        except (ValueError, OverflowError):
            problems.append(f"point {i}: {stamp!r} is not an ISO date-time")
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise InputError("; ".join(problems[:10]) + more)
    numbers = [math.nan if v is None else float(v) for v in values]
    scores, fired = run(make(detector), numbers, times)
    return [
        {"timestamp": s, "value": v if math.isfinite(v) else None,
         "score": float(c) if math.isfinite(c) else None, "anomaly": bool(hit)}
        for s, v, c, hit in zip(stamps, numbers, scores, fired, strict=True)
    ]  # fmt: skip
