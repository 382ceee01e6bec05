"""The Numenta Anomaly Benchmark (NAB v1.1) scorer, reimplemented from its description.

Pure: callers map window timestamps to row indices and hand in scores. Rules
(``shared/data/nab/README.md``): rows before ``min(⌊0.15·n⌋, 750)`` are a probation and
count for nothing; a window [L, R] earns A_TP·σ(−(R−i+1)/W)/σ(−1) for its earliest
detected row i, or −A_FN if none; a detection outside every window costs A_FP (before the
first window) or A_FP·σ(|i − R_p|/(W_p − 1)) after window p, so detections just after a
window are nearly free and later ones cost the full A_FP. The threshold θ that turns
scores into detections is one number per detector and profile, chosen to maximise the
summed score; :func:`optimise` finds the exact maximum over every distinct score.

One choice the README leaves open: a one-row window (W_p = 1) would divide by zero in
the after-window weight, so W_p − 1 is floored at 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from valueloop.monitoring.base import BoolArray, FloatArray


@dataclass(frozen=True)
class Profile:
    """NAB cost weights: reward for a window caught, cost of a false row, cost of a miss."""

    tp: float = 1.0
    fp: float = 0.11
    fn: float = 1.0


PROFILES = {
    "standard": Profile(1.0, 0.11, 1.0),
    "reward_low_FP_rate": Profile(1.0, 0.22, 1.0),
    "reward_low_FN_rate": Profile(1.0, 0.11, 2.0),
}


@dataclass(frozen=True)
class Labels:
    """One file: its length and anomaly windows as inclusive row ranges, in order."""

    n: int
    windows: tuple[tuple[int, int], ...]
    probation: int | None = None  # None: NAB's min(⌊0.15·n⌋, 750)

    @property
    def start(self) -> int:
        """First scored row."""
        return min(math.floor(0.15 * self.n), 750) if self.probation is None else self.probation

    @property
    def scored_windows(self) -> tuple[tuple[int, int], ...]:
        """Windows with at least one row after the probation (the others count for nothing)."""
        return tuple(w for w in self.windows if w[1] >= self.start)


def sigmoid(y: float) -> float:
    """NAB's scaled sigmoid: 1 far before, 0 at, −1 far after; exactly −1 beyond y = 3."""
    return -1.0 if y > 3.0 else 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


def row_weights(labels: Labels, profile: Profile) -> tuple[FloatArray, FloatArray]:
    """(weight of a detection at each row, window number of each row or −1 outside).

    Probation rows get weight 0 and window −1 — they are dropped before use.
    """
    weights = np.zeros(labels.n)
    window = np.full(labels.n, -1.0)
    top = sigmoid(-1.0)
    previous: tuple[int, int] | None = None
    bounds = sorted(labels.windows)
    for i in range(labels.n):
        inside = next((k for k, (lo, hi) in enumerate(bounds) if lo <= i <= hi), None)
        if inside is not None:
            lo, hi = bounds[inside]
            weights[i] = profile.tp * sigmoid(-(hi - i + 1) / (hi - lo + 1)) / top
            window[i], previous = inside, bounds[inside]
        elif previous is None:
            weights[i] = -profile.fp
        else:
            weights[i] = profile.fp * sigmoid(abs(i - previous[1]) / max(previous[1] - previous[0], 1))
    weights[: labels.start], window[: labels.start] = 0.0, -1.0
    return weights, window


def file_score(detected: BoolArray, labels: Labels, profile: Profile) -> float:
    """Score of one file given which rows were detected (the README's steps 1–5)."""
    weights, window = row_weights(labels, profile)
    scored = np.arange(labels.n) >= labels.start
    hits = detected & scored
    total = float(weights[hits & (window < 0)].sum())
    for k, (_, hi) in enumerate(sorted(labels.windows)):
        if hi < labels.start:
            continue
        caught = hits & (window == k)
        total += float(weights[caught].max()) if caught.any() else -profile.fn
    return total


def score_curve(scores: FloatArray, labels: Labels, profile: Profile, thetas: FloatArray) -> FloatArray:
    """File score for each threshold in ``thetas`` at once (detected ⇔ score ≥ θ)."""
    weights, window = row_weights(labels, profile)
    keep = np.arange(labels.n) >= labels.start
    out_rows = keep & (window < 0)
    order = np.argsort(scores[out_rows], kind="stable")
    sorted_scores, sorted_weights = scores[out_rows][order], weights[out_rows][order]
    suffix = np.concatenate([np.cumsum(sorted_weights[::-1])[::-1], [0.0]])
    total = suffix[np.searchsorted(sorted_scores, thetas, side="left")]
    for k in range(len(labels.windows)):
        rows = keep & (window == k)
        if not rows.any():
            continue
        reach = np.maximum.accumulate(scores[rows])
        first = np.searchsorted(reach, thetas, side="left")
        gains = np.concatenate([weights[rows], [-profile.fn]])
        total = total + gains[first]
    return np.asarray(total, dtype=np.float64)


@dataclass(frozen=True)
class Result:
    """Best threshold over a set of files, its raw total and the normalised NAB score."""

    threshold: float
    raw: float
    score: float


def normalise(raw: float, n_windows: int, profile: Profile) -> float:
    """100·(S − S_null)/(S_perfect − S_null): 0 for no detections, 100 for perfect."""
    perfect, null = n_windows * profile.tp, -n_windows * profile.fn
    return 100.0 * (raw - null) / (perfect - null) if perfect != null else 0.0


def optimise(files: Sequence[tuple[FloatArray, Labels]], profile: Profile) -> Result:
    """The θ maximising the summed file score, trying every distinct score and +∞ (no detections)."""
    clean = [(np.nan_to_num(s, nan=-np.inf), lab) for s, lab in files]
    thetas = np.unique(np.concatenate([s[np.isfinite(s)] for s, _ in clean] + [np.array([np.inf])]))
    totals = sum((score_curve(s, lab, profile, thetas) for s, lab in clean), np.zeros(len(thetas)))
    best = int(np.argmax(totals))
    n_windows = sum(len(lab.scored_windows) for _, lab in clean)
    return Result(float(thetas[best]), float(totals[best]), normalise(float(totals[best]), n_windows, profile))
