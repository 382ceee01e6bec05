"""Anomaly likelihood: a deviation turned into a calibrated tail probability, flagged once per incident.

A raw deviation score means different things on different series: 4σ is routine for a
spiky CPU metric and unheard of for a smooth one, so no single threshold suits both.
What the best NAB detectors share (Numenta's anomaly likelihood, CAD-OSE, ARTime) is a
second stage that asks how unusual the *recent* raw scores are for *this* series, and a
rule that one incident raises one flag. This detector is our own take on that recipe:

1. **Raw score: novelty.** z = min |x − x_j| / σ over the last ``window`` values x_j (the
   distance to the nearest value seen recently, KNN-CAD's idea with one neighbour and one
   dimension), σ from a slowly learnt baseline (:class:`EWStats` at rate ``alpha``);
   squashed to r = z / (z + k) ∈ [0, 1). A value like one seen in the last ``window`` rows
   scores ≈ 0 however far it is from the mean — daily peaks, a known second level — while a
   value the series has not shown lately scores high, and keeps scoring while the new
   regime is still sparse.
2. **Short average.** s follows r at rate ``beta`` (≈ the last 1/β rows): a sustained change
   raises s, a single noisy row barely moves it.
3. **Likelihood.** μ_s, σ_s of s itself are learnt at the slow rate ``alpha_s`` (the series'
   own history of raw scores, re-estimated every row rather than every 100 as HTM does);
   the score is p = Φ((s − μ_s) / max(σ_s, ``floor``)), the probability that a usual short
   average of this series lies below s. p ≥ 0.99 means the recent raw scores sit in their series' top 1 %.
   ``floor`` keeps a perfectly steady series from turning a wobble into certainty.
4. **Repeat suppression.** A flag needs p ≥ ``threshold`` *and* more than ``rest`` rows since
   the previous flag: NAB counts only the earliest flag in an anomaly window and charges
   every other, and a pager counts the same way.

No look-ahead: row i's score uses rows ≤ i only; nothing is flagged until ``min_samples``
values have built the baseline and ``probation`` more have built the likelihood's own.
Missing values score 0, are not learnt and do not count towards ``rest``.

All arithmetic is IEEE basic operations plus :func:`scipy.special.ndtr`, applied in the
same order as :class:`~valueloop.monitoring.bank.LikelihoodBank`, so the vectorised bank
equals this scalar detector exactly (a test checks it).

The shipped thresholds (:data:`SHIPPED`) are chosen once on the 51-file NAB development
corpus by ``python -m bench.nab_bench``; see docs/monitoring.md for the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtr

from valueloop.monitoring.base import SCORE_CAP, BoolArray, EWStats, FloatArray, Ring, ScoreDetector

SHIPPED: dict[str, float] = {"standard": 0.55, "low_fp": 0.62, "low_fn": 0.55}
"""The threshold on p shipped for each NAB cost profile (``monitor detect --profile``)."""


@dataclass(frozen=True)
class LikelihoodParams:
    """The detector's parameters, in one place: the scalar detector and the rule bank must agree exactly."""

    threshold: float = SHIPPED["standard"]
    alpha: float = 0.001
    k: float = 2.0
    beta: float = 0.05
    alpha_s: float = 0.001
    floor: float = 0.05
    rest: int = 100
    min_samples: int = 30
    probation: int = 250
    window: int = 2000

    @property
    def learning_rows(self) -> int:
        """The first rows the detector only learns from (it flags none of them)."""
        return self.min_samples + self.probation


@dataclass(frozen=True)
class Explanation:
    """Why the last row was (or was not) flagged: the numbers behind :attr:`TailLikelihood.fired`."""

    score: float  # p: the share of the series' usual short averages below the current one
    tail: float  # 1 − p: how often the series is at least this unusual (Gaussian fit)
    raw: float  # r, the squashed deviation of this row
    since_flag: int | None  # rows since the previous flag (None: never flagged)
    reason: str


class TailLikelihood(ScoreDetector):
    """Flag when p ≥ ``threshold`` and the last flag is more than ``rest`` rows ago.

    >>> d = TailLikelihood(min_samples=10, probation=10)
    >>> for x in [10.0, 11.0, 12.0] * 20 + [40.0] * 8: d.update(x)
    >>> d.fired or d.explain().reason.startswith("resting")
    True
    """

    def __init__(self, **params: Any) -> None:
        p = LikelihoodParams(**params)
        super().__init__(p.threshold)
        self.k, self.beta, self.floor, self.rest = p.k, p.beta, p.floor, p.rest
        self.min_samples, self.probation, self.window = p.min_samples, p.probation, p.window
        self._base = EWStats(p.alpha)
        self._long = EWStats(p.alpha_s)
        self._recent = Ring(p.window)
        self._short = 0.0
        self._raw = 0.0
        self._pending = (0.0, 0.0)  # (r, s) of the row being scored, learnt right after
        self._rows = 0
        self._last_flag: int | None = None
        self._gap: int | None = None  # rows between the last two flags

    def update(self, x: float, t: float | None = None) -> None:
        super().update(x, t)
        if not math.isfinite(x):
            self._raw = 0.0
            return
        self._rows += 1
        self.fired = self.fired and (self._last_flag is None or self._rows - self._last_flag > self.rest)
        if self.fired:
            self._gap = None if self._last_flag is None else self._rows - self._last_flag
            self._last_flag = self._rows

    def _score_of(self, x: float, t: float | None) -> float:
        warm = self._base.n >= self.min_samples
        with np.errstate(over="ignore"):
            gap = float(np.min(np.abs(x - self._recent.values()))) if warm else 0.0
        raw = _squash(_novelty(gap, self._base.std), self.k) if warm else 0.0
        self._pending = (raw, self._short + self.beta * (raw - self._short))
        if self._long.n < self.probation:
            return 0.0
        return _probability(self._pending[1], self._long.mean, max(self._long.std, self.floor))

    def _learn(self, x: float, t: float | None) -> None:
        warm = self._base.n >= self.min_samples
        self._raw, self._short = self._pending
        self._base.update(x)
        self._recent.append(x)
        if warm:
            self._long.update(self._short)

    def explain(self) -> Explanation:
        """The last row's score, tail probability and the suppression verdict, for ``detect --explain``."""
        since = None if self._last_flag is None else self._rows - self._last_flag
        if self._score < self.threshold:
            reason = f"p {self._score:.4f} below threshold {self.threshold:g}"
        elif self.fired:
            previous = "no earlier flag" if self._gap is None else f"previous flag {self._gap} rows earlier"
            reason = f"p {self._score:.4f} ≥ {self.threshold:g}; {previous} (> rest {self.rest})"
        else:
            reason = f"resting: flagged {since} rows ago (rest {self.rest})"
        return Explanation(self._score, 1.0 - self._score, self._raw, since, reason)


def _novelty(gap: float, std: float) -> float:
    """gap / σ capped at SCORE_CAP (also for a zero σ, and for overflow: inf/inf)."""
    if gap == 0.0:
        return 0.0
    z = gap / std if std > 0.0 else SCORE_CAP
    return z if z < SCORE_CAP else SCORE_CAP


def _squash(z: float, k: float) -> float:
    return z / (z + k)


def _probability(short: float, mean: float, scale: float) -> float:
    u = (short - mean) / scale
    if math.isnan(u):
        return 0.0
    return float(ndtr(u))


def suppress(scores: FloatArray, threshold: float, rest: int) -> BoolArray:
    """The flags :class:`TailLikelihood` raises on ``scores`` at ``threshold``: rows ≥ θ more than
    ``rest`` rows after the previous flag (rows of a series without gaps). Lets a benchmark
    sweep θ over scores computed once."""
    out = np.zeros(len(scores), dtype=bool)
    last = -rest - 1
    for i in np.flatnonzero(scores >= threshold).tolist():
        if i - last > rest:
            out[i], last = True, i
    return out
