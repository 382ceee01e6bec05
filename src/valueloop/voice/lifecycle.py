"""Demand lifecycle: each topic's stage — emerging, growing, mature or declining — from its share over time.

A topic's share is its mentions over all texts of the period (so a busier month does not
look like a trend). From the series:

- ``slope``: least-squares slope of log share over the last ``WINDOW`` periods (a zero
  share counts as half a mention, so log is defined) — relative growth per period;
- ``acceleration``: the slope of the last three periods minus that of the three before;
- ``level``: mean share of the last three periods; ``peak``: the highest share seen;
- ``since``: the first period with at least ``MIN_MENTIONS`` mentions.

Stages, first that applies (thresholds per period; months by default):

1. declining — a significant fall and (slope ≤ −``GROWTH`` or level ≤ ``FALLEN`` × peak);
2. emerging — a significant rise, slope ≥ ``GROWTH``, and the topic is young (``since``
   at most ``YOUNG`` periods ago) or still rare (level < ``RARE``);
3. growing — a significant rise and slope ≥ ``GROWTH``;
4. mature — everything else: present, neither rising nor falling.

"Significant": the rate per text in the last ``WINDOW`` periods against all earlier
periods, by the exact conditional Poisson test of :mod:`valueloop.voice.hotspots`,
p < ``SIGNIFICANCE`` (one-sided, each direction) — so a small topic's noise is mature,
not growing. ``GROWTH`` = 0.10 is +10 % share a period (≈ 3× a year); topics with fewer than
``MIN_TOTAL`` mentions overall are not staged (too little to tell).

A stage needs at least ``MIN_PERIODS`` = ``WINDOW`` + 1 periods: the last ``WINDOW``
compared with at least one before them. With fewer, nothing can be significant, and
calling every topic "mature" would be a claim the data cannot support: the stage is
``insufficient_history`` instead.

>>> stage_of([0, 0, 0, 0, 0, 0, 5, 9, 15, 25], [1000] * 10).stage
'emerging'
>>> stage_of([100] * 10, [1000] * 10).stage
'mature'
>>> stage_of([100], [1000]).stage
'insufficient_history'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from valueloop.voice.hotspots import rise_p_value

Stage = Literal["emerging", "growing", "mature", "declining", "insufficient_history"]
WINDOW = 4
MIN_PERIODS = WINDOW + 1
GROWTH = 0.10
FALLEN = 0.5
YOUNG = 6
RARE = 0.01
MIN_MENTIONS = 3
MIN_TOTAL = 10
SIGNIFICANCE = 0.01


@dataclass(frozen=True)
class Lifecycle:
    stage: Stage
    share: float
    growth: float
    acceleration: float
    level: float
    peak: float
    since: int | None


def _slope(y: np.ndarray) -> float:
    if len(y) < 2:
        return 0.0
    return float(np.polyfit(np.arange(len(y), dtype=float), y, 1)[0])


def log_shares(counts: Sequence[int], totals: Sequence[int]) -> np.ndarray:
    c, n = np.asarray(counts, dtype=float), np.maximum(np.asarray(totals, dtype=float), 1.0)
    out: np.ndarray = np.log(np.maximum(c, 0.5) / n)
    return out


def stage_of(counts: Sequence[int], totals: Sequence[int]) -> Lifecycle:
    """The stage of one topic from its mentions and the texts per period (same length, oldest first)."""
    logs = log_shares(counts, totals)
    shares = np.asarray(counts, dtype=float) / np.maximum(np.asarray(totals, dtype=float), 1.0)
    slope = _slope(logs[-WINDOW:])
    accel = _slope(logs[-3:]) - _slope(logs[-6:-3]) if len(logs) >= 6 else 0.0
    level, peak = float(shares[-3:].mean()), float(shares.max())
    since = next((i for i, c in enumerate(counts) if c >= MIN_MENTIONS), None)
    young = since is not None and len(counts) - since <= YOUNG
    rise, fall = _changed(counts, totals)
    stage: Stage
    if len(counts) < MIN_PERIODS:
        stage = "insufficient_history"
    elif fall and (slope <= -GROWTH or (peak > 0 and level <= FALLEN * peak)):
        stage = "declining"
    elif rise and slope >= GROWTH and (young or level < RARE):
        stage = "emerging"
    elif rise and slope >= GROWTH:
        stage = "growing"
    else:
        stage = "mature"
    return Lifecycle(stage, float(shares[-1]), math.expm1(slope), accel, level, peak, since)


def _changed(counts: Sequence[int], totals: Sequence[int]) -> tuple[bool, bool]:
    """(significant rise, significant fall) of the last ``WINDOW`` periods' rate against the earlier ones."""
    if len(counts) <= WINDOW:
        return False, False
    x1, n1 = int(sum(counts[:-WINDOW])), int(sum(totals[:-WINDOW]))
    x2, n2 = int(sum(counts[-WINDOW:])), int(sum(totals[-WINDOW:]))
    return rise_p_value(x1, n1, x2, n2) < SIGNIFICANCE, rise_p_value(x2, n2, x1, n1) < SIGNIFICANCE


def stage_history(counts: Sequence[int], totals: Sequence[int]) -> list[Stage | None]:
    """The stage as it would have been reported at the end of each period (series up to it).

    ``None`` while the topic has fewer than ``MIN_TOTAL`` mentions so far, or before the
    ``MIN_PERIODS``-th period (not staged yet).
    """
    out: list[Stage | None] = []
    for k in range(1, len(counts) + 1):
        staged = sum(counts[:k]) >= MIN_TOTAL and k >= MIN_PERIODS
        out.append(stage_of(counts[:k], totals[:k]).stage if staged else None)
    return out


def transitions(history: Sequence[Stage | None]) -> list[tuple[int, Stage | None, Stage]]:
    """``(period index, from, to)`` wherever the staged value changes (the first staging included)."""
    out: list[tuple[int, Stage | None, Stage]] = []
    prev: Stage | None = None
    for i, s in enumerate(history):
        if s is not None and s != prev:
            out.append((i, prev, s))
        prev = s if s is not None else prev
    return out
