"""Western Electric run rules over standardised control-chart points.

The rules work on z-scores, ``(value - centre) / sigma`` with the sigma *of that
point*, so one implementation serves fixed-limit charts (XmR, X̄–R) and charts whose
limits breathe with the sample size (p, u): a point "beyond 2σ" means beyond its own
2σ band. Rule ids (Western Electric Statistical Quality Control Handbook, 1956):

``WE1``
    One point beyond 3σ (strictly: a point exactly on a limit does not signal).
``WE2``
    Two of three consecutive points beyond 2σ on the same side.
``WE3``
    Four of five consecutive points beyond 1σ on the same side.
``WE4``
    Eight consecutive points on the same side of the centre line (a point exactly on
    the centre line breaks the run).

A signal is reported on the point that completes the pattern, and only if that point
is itself part of it, so every flagged row is one the reader can see misbehaving.
Windows are clipped at the start of the series: the first two points beyond 2σ
already make "two of three" whatever the third turns out to be.

>>> [(s.row, s.rule) for s in western_electric(np.array([0.0, 2.5, 0.4, 2.5]))]
[(3, 'WE2')]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

RuleId = Literal["WE1", "WE2", "WE3", "WE4"]
RULES: tuple[RuleId, ...] = ("WE1", "WE2", "WE3", "WE4")

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class Signal(NamedTuple):
    """One rule firing on one point; ``row`` is 0-based (adapters add 1 for people)."""

    row: int
    rule: RuleId


def zscores(values: FloatArray, center: float, sigma: FloatArray) -> FloatArray:
    """Standardise points; with zero sigma a point off the centre is infinitely far.

    Zero sigma happens when the baseline shows no variation at all (no complaints in
    any sample, a constant response time). Any departure from that is then a real
    change, so it is pushed to ±inf (beyond every band) instead of becoming NaN.
    """
    diff = values - center
    safe = np.where(sigma > 0, sigma, 1.0)
    off_centre = np.where(diff > 0, np.inf, np.where(diff < 0, -np.inf, 0.0))
    return np.where(sigma > 0, diff / safe, off_centre)


def _window_count(flags: BoolArray, window: int) -> npt.NDArray[np.int64]:
    """How many flags are set in the window of ``window`` points ending at each point."""
    total = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))
    ends = np.arange(1, flags.size + 1)
    return total[ends] - total[np.maximum(ends - window, 0)]


def _k_of_m(z: FloatArray, level: float, k: int, m: int) -> BoolArray:
    """Points beyond ``level`` σ that complete ``k`` of ``m`` beyond it on their side."""
    fired = np.zeros(z.size, dtype=np.bool_)
    for side in (z > level, z < -level):
        fired |= side & (_window_count(side, m) >= k)
    return fired


def rule_we1(z: FloatArray) -> BoolArray:
    """One point beyond 3σ: the classic out-of-control point."""
    return np.abs(z) > 3.0


def rule_we2(z: FloatArray) -> BoolArray:
    """Two of three beyond 2σ on one side: a moderate shift seen early."""
    return _k_of_m(z, 2.0, 2, 3)


def rule_we3(z: FloatArray) -> BoolArray:
    """Four of five beyond 1σ on one side: a small sustained shift."""
    return _k_of_m(z, 1.0, 4, 5)


def rule_we4(z: FloatArray) -> BoolArray:
    """Eight in a row on one side of the centre: the level has moved."""
    fired = np.zeros(z.size, dtype=np.bool_)
    for side in (z > 0, z < 0):
        fired |= _window_count(side, 8) >= 8
    return fired


_CHECKS: dict[RuleId, Callable[[FloatArray], BoolArray]] = {
    "WE1": rule_we1,
    "WE2": rule_we2,
    "WE3": rule_we3,
    "WE4": rule_we4,
}


def western_electric(z: FloatArray, rules: tuple[RuleId, ...] = RULES) -> tuple[Signal, ...]:
    """Every (row, rule) that fires, ordered by row and then by rule id."""
    found = [Signal(int(row), rule) for rule in rules for row in np.flatnonzero(_CHECKS[rule](z))]
    return tuple(sorted(found))
