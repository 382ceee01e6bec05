"""Scoring rules: an indicator's values among peers → scores on the model's scale.

One pure function per rule, bound by name in the plain dict :data:`RULES` (no magic
registration), all with the signature of :data:`RuleFn`. Every rule takes the values of
all peers at once because the percentile rule needs them, maps NaN to NaN (no data is
not the worst score; the composite decides what to do with it) and returns scores
within the scale's bounds (1–5, the experience-score convention, or 0–100).

Pure: numpy and scipy only, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

from valueloop.errors import SpecError
from valueloop.spec.model import Bands, Direction, Indicator, Linear, Percentile, Scale, Target

FloatArray = npt.NDArray[np.float64]
RuleFn = Callable[[FloatArray, Indicator, Scale, float | None], FloatArray]
"""``(values, indicator, scale, benchmark) -> scores``, same length as ``values``."""

_R = TypeVar("_R", Linear, Bands, Percentile, Target)


def _rule(indicator: Indicator, kind: type[_R]) -> _R:
    """The indicator's rule, checked to be the one the caller implements."""
    if not isinstance(indicator.scoring, kind):
        raise SpecError(f"indicator {indicator.id}: rule {indicator.scoring.rule!r} is not {kind.__name__.lower()}")
    return indicator.scoring


def _floats(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64).reshape(-1)


def linear(values: FloatArray, indicator: Indicator, scale: Scale, benchmark: float | None) -> FloatArray:
    """Rule ``linear``: ``worst`` → scale minimum, ``best`` → scale maximum, straight line
    between, clipped at both ends.

    Because ``worst`` and ``best`` are given explicitly (``worst > best`` for an indicator
    where lower is better, such as waiting time), the line already points the right way
    and ``direction`` is not consulted. ``worst == best`` has no slope and is a spec error.
    """
    rule = _rule(indicator, Linear)
    if rule.worst == rule.best:
        raise SpecError(f"indicator {indicator.id}: linear rule needs worst != best (both {rule.best:g})")
    low, high = scale.bounds
    share = np.clip((_floats(values) - rule.worst) / (rule.best - rule.worst), 0.0, 1.0)
    return low + (high - low) * share


def band_scores(rule: Bands, scale: Scale) -> FloatArray:
    """The score of each band, best band first: ``rule.scores`` when given, else
    ``len(thresholds) + 1`` scores evenly spaced from the scale maximum down to its
    minimum (4 thresholds on 1–5 → 5, 4, 3, 2, 1; on 0–100 → 100, 75, 50, 25, 0)."""
    count = len(rule.thresholds) + 1
    if rule.scores is None:
        high, low = scale.bounds[1], scale.bounds[0]
        return np.linspace(high, low, count)
    if len(rule.scores) != count:
        raise SpecError(f"bands: {len(rule.thresholds)} thresholds need {count} scores, got {len(rule.scores)}")
    return np.asarray(rule.scores, dtype=np.float64)


def bands(values: FloatArray, indicator: Indicator, scale: Scale, benchmark: float | None) -> FloatArray:
    """Rule ``bands``: thresholds listed best first; the first one met picks the score.

    Higher is better: ``value >= t1`` → first band score, ``>= t2`` → second, … else the
    last. Lower is better: ``value <= t1`` → first, and so on. Thresholds must run from
    best to worst (descending for higher, ascending for lower), else the bands overlap.
    """
    rule = _rule(indicator, Bands)
    t = np.asarray(rule.thresholds, dtype=np.float64)
    higher = indicator.direction == Direction.HIGHER
    steps = np.diff(t)
    if np.any(steps > 0 if higher else steps < 0):
        order = "descending" if higher else "ascending"
        raise SpecError(f"indicator {indicator.id}: band thresholds must be {order} (best first)")
    x = _floats(values)
    missed = x[:, None] < t[None, :] if higher else x[:, None] > t[None, :]
    scores = band_scores(rule, scale)[missed.sum(axis=1)]
    return np.where(np.isnan(x), np.nan, scores)


def percentile(values: FloatArray, indicator: Indicator, scale: Scale, benchmark: float | None) -> FloatArray:
    """Rule ``percentile``: position among the peers passed in (the other values of the
    array), ``(rank - 1) / (N - 1)`` onto the scale, rank 1 = worst.

    Ties share the average rank, and values equal to 12 significant digits are ties: a
    shrunk mean one float rounding step above its peers' must not outrank them. NaN values
    are not peers. A lone peer (N = 1) scores the scale maximum. Lower is better reverses
    the ranking.
    """
    _rule(indicator, Percentile)
    x = _floats(values)
    out = np.full(x.shape, np.nan)
    known = ~np.isnan(x)
    peers = int(known.sum())
    if peers == 0:
        return out
    sign = 1.0 if indicator.direction == Direction.HIGHER else -1.0
    share = (rankdata(sign * _significant(x[known])) - 1.0) / (peers - 1) if peers > 1 else np.ones(1)
    low, high = scale.bounds
    out[known] = low + (high - low) * share
    return out


def _significant(x: FloatArray, digits: int = 12) -> FloatArray:
    """``x`` rounded to ``digits`` significant digits (zeros and non-finite values as they are)."""
    out = x.copy()
    nonzero = np.isfinite(x) & (x != 0)
    step = 10.0 ** (np.maximum(np.floor(np.log10(np.abs(x[nonzero]))), -290.0) - (digits - 1))
    out[nonzero] = np.round(x[nonzero] / step) * step
    return out


def attainment(x: FloatArray, target: float, direction: Direction) -> FloatArray:
    """Share of the target reached: ``value / target`` (higher is better) or
    ``target / value`` (lower is better, where a value of 0 or less is full attainment).

    Never negative; NaN stays NaN.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = x / target if direction == Direction.HIGHER else np.where(x <= 0, np.inf, target / x)
    return np.where(np.isnan(x), np.nan, np.where(ratio < 0, 0.0, ratio))


def target(values: FloatArray, indicator: Indicator, scale: Scale, benchmark: float | None) -> FloatArray:
    """Rule ``target``: ``min + (max - min) * min(attainment, cap) / cap``.

    The target defaults to the benchmark, so differentiated standards (one benchmark per
    customer segment) work without restating them. ``cap > 1`` rewards exceeding the
    target up to that multiple. A target must exist and be positive, else attainment as
    a ratio means nothing.
    """
    rule = _rule(indicator, Target)
    goal = rule.target if rule.target is not None else benchmark
    if goal is None or goal <= 0 or rule.cap <= 0:
        raise SpecError(f"indicator {indicator.id}: target rule needs a positive target (or benchmark) and cap")
    low, high = scale.bounds
    reached = np.minimum(attainment(_floats(values), goal, indicator.direction), rule.cap)
    return low + (high - low) * reached / rule.cap


RULES: dict[str, RuleFn] = {"linear": linear, "bands": bands, "percentile": percentile, "target": target}
"""Rule name (the ``rule:`` key in a model's YAML) → implementation."""


def score_values(values: FloatArray, indicator: Indicator, scale: Scale, benchmark: float | None) -> FloatArray:
    """Score the peers' ``values`` of ``indicator`` with its rule (see :data:`RULES`).

    >>> from valueloop.spec.model import Indicator
    >>> ind = Indicator.model_validate({"id": "csat", "name": "CSAT", "dataset": "feedback",
    ...     "measure": {"type": "mean", "field": "csat"}, "scoring": {"rule": "linear", "worst": 1, "best": 5}})
    >>> score_values(np.array([1.0, 4.0, np.nan]), ind, Scale.hundred, None).tolist()
    [0.0, 75.0, nan]
    """
    return RULES[indicator.scoring.rule](_floats(values), indicator, Scale(scale), benchmark)
