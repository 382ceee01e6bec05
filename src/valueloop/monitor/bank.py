"""Many EWMA charts at once: one per (rule, entity) series, updated as numpy arrays.

An alert rule with ``detector: ewma`` watches its KPI in every entity's series; the
scalar :class:`~valueloop.monitor.ewma.EWMAChart` would cost a Python call per series
per minute. :class:`EWMABank` keeps the same state (baseline n, mean, variance and the
smoothed z) in arrays indexed by series and applies the same arithmetic to all series
of a minute in one step — a test checks it equals the scalar chart series by series.
Its state is plain arrays, so it checkpoints as JSON.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from valueloop.monitor.base import SCORE_CAP, BoolArray, FloatArray
from valueloop.monitor.events import IntArray


class EWMABank:
    """EWMA charts (same parameters) for series 0, 1, 2, …; grows as new series appear."""

    def __init__(self, lam: float = 0.3, alpha: float = 0.003, threshold: float = 7.0, min_samples: int = 30) -> None:
        self.lam, self.alpha, self.threshold, self.min_samples = lam, alpha, threshold, min_samples
        self.n = np.zeros(0, dtype=np.int64)
        self.mean = np.zeros(0)
        self.var = np.zeros(0)
        self.z = np.zeros(0)  # NaN until the series' first value

    def _grow(self, size: int) -> None:
        if size <= len(self.n):
            return
        extra = size - len(self.n)
        self.n = np.concatenate([self.n, np.zeros(extra, dtype=np.int64)])
        self.mean = np.concatenate([self.mean, np.zeros(extra)])
        self.var = np.concatenate([self.var, np.zeros(extra)])
        self.z = np.concatenate([self.z, np.full(extra, np.nan)])

    def update(self, series: IntArray, x: FloatArray) -> tuple[FloatArray, BoolArray, BoolArray]:
        """Score then learn one value per listed series (each series at most once per call).

        Returns (scores, fired, above): ``above`` says the smoothed value is over the baseline,
        for rules that only care about one direction (a surge, not a lull).
        """
        self._grow(int(series.max()) + 1 if len(series) else 0)
        scores = np.zeros(len(series))
        ok = np.isfinite(x)
        s, v = series[ok], x[ok]
        z_old = self.z[s]
        z_next = np.where(np.isnan(z_old), v, z_old + self.lam * (v - z_old))
        sigma_z = np.sqrt(self.var[s]) * math.sqrt(self.lam / (2.0 - self.lam))
        gap = np.abs(z_next - self.mean[s])
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = np.where(
                gap == 0.0, 0.0, np.where(sigma_z > 0.0, gap / np.where(sigma_z > 0, sigma_z, 1.0), SCORE_CAP)
            )
        dev = np.where(self.n[s] < self.min_samples, 0.0, np.minimum(dev, SCORE_CAP))
        scores[ok] = dev
        above = np.zeros(len(series), dtype=bool)
        above[ok] = z_next > self.mean[s]
        # learn
        self.z[s] = z_next
        n = self.n[s] + 1
        a = np.maximum(self.alpha, 1.0 / n)
        d = v - self.mean[s]
        self.mean[s] = self.mean[s] + a * d
        self.var[s] = (1.0 - a) * (self.var[s] + a * d * d)
        self.n[s] = n
        return scores, scores >= self.threshold, above

    def state(self) -> dict[str, Any]:
        return {
            "params": [self.lam, self.alpha, self.threshold, self.min_samples],
            "n": self.n.tolist(),
            "mean": self.mean.tolist(),
            "var": self.var.tolist(),
            "z": [None if math.isnan(z) else z for z in self.z.tolist()],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> EWMABank:
        lam, alpha, threshold, min_samples = state["params"]
        bank = cls(lam, alpha, threshold, int(min_samples))
        bank.n = np.asarray(state["n"], dtype=np.int64)
        bank.mean = np.asarray(state["mean"], dtype=np.float64)
        bank.var = np.asarray(state["var"], dtype=np.float64)
        bank.z = np.asarray([math.nan if z is None else z for z in state["z"]], dtype=np.float64)
        return bank
