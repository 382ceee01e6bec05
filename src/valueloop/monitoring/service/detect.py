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
from valueloop.monitoring.likelihood import SHIPPED, LikelihoodParams, TailLikelihood
from valueloop.monitoring.registry import DETECTORS, make, run
from valueloop.results import MISSING, Result, finite

PROFILES = tuple(SHIPPED)
"""Cost profiles ``--profile`` accepts; each picks the likelihood's shipped threshold."""


def learning_rows(detector: str) -> int:
    """How many first rows ``detector`` only learns from (flags none of them); 0 when it has no such period."""
    return LikelihoodParams().learning_rows if detector == "likelihood" else 0


def _seconds(stamp: str) -> float:
    when = datetime.fromisoformat(stamp.strip())
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


class DetectedPoint(Result):
    """One point of a scored series (``monitor detect``, ``POST /monitor/detect``), in input order.

    With ``explain``, a row whose score reached the threshold says why it is (or is not) flagged:
    ``probability`` and ``tail`` (the likelihood detector) and ``why``; other rows leave them out.
    """

    timestamp: str
    value: float | None
    score: float | None
    anomaly: bool
    probability: float | MISSING = MISSING
    tail: float | MISSING = MISSING
    why: str | MISSING = MISSING


def detect(
    detector: str,
    stamps: Sequence[str],
    values: Sequence[float | None],
    profile: str = "standard",
    explain: bool = False,
) -> list[DetectedPoint]:
    """``[{timestamp, value, score, anomaly}]`` in input order (the JSON of ``valueloop monitor detect``).

    ``profile`` picks the shipped threshold of the likelihood detector for that NAB cost
    profile (the other detectors have one threshold). ``explain`` adds, on flagged rows and
    rows the suppression held back, the probability, its tail and why the row is (not) flagged.
    """
    if detector not in DETECTORS:
        raise InputError(f"unknown detector {detector!r} (known: {', '.join(DETECTORS)})")
    if profile not in SHIPPED:
        raise InputError(f"unknown profile {profile!r} (known: {', '.join(SHIPPED)})")
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
    if explain:
        return _explained(detector, profile, stamps, numbers, times)
    scores, fired = run(_make(detector, profile), numbers, times)
    return [
        DetectedPoint(timestamp=s, value=finite(v), score=finite(float(c)), anomaly=bool(hit))
        for s, v, c, hit in zip(stamps, numbers, scores, fired, strict=True)
    ]


def _make(detector: str, profile: str) -> Any:
    return make(detector, threshold=SHIPPED[profile]) if detector == "likelihood" else make(detector)


def _explained(
    detector: str, profile: str, stamps: Sequence[str], numbers: list[float], times: list[float]
) -> list[DetectedPoint]:
    """Rows with an ``explain`` entry where the score reached the threshold (flagged or suppressed)."""
    d = _make(detector, profile)
    out = []
    for stamp, v, t in zip(stamps, numbers, times, strict=True):
        d.update(v, t)
        score = d.get()
        row: dict[str, Any] = {
            "timestamp": stamp, "value": v if math.isfinite(v) else None,
            "score": float(score) if math.isfinite(score) else None, "anomaly": bool(d.fired),
        }  # fmt: skip
        if isinstance(d, TailLikelihood):
            why = d.explain()
            if score >= d.threshold:
                row["probability"], row["tail"] = why.score, why.tail
                row["why"] = why.reason
        elif d.fired:
            row["why"] = f"score {score:.4g} ≥ threshold {getattr(d, 'threshold', float('nan')):g}"
        out.append(DetectedPoint.model_validate(row))
    return out
