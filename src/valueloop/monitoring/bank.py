"""Many detectors at once, one per (rule, entity) series, updated as numpy arrays.

An alert rule with ``detector: ewma`` watches its KPI in every entity's series; the
scalar :class:`~valueloop.monitoring.ewma.EWMAChart` would cost a Python call per series
per minute. :class:`EWMABank` keeps the same state (baseline n, mean, variance and the
smoothed z) in arrays indexed by series and applies the same arithmetic to all series
of a minute in one step — a test checks it equals the scalar chart series by series.
:class:`LikelihoodBank` does the same for ``detector: likelihood``
(:class:`~valueloop.monitoring.likelihood.TailLikelihood`, the default of ``monitor detect``),
its repeat suppression included. Both states are plain arrays, so they checkpoint as JSON.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import numpy as np
from scipy.special import ndtr

from valueloop.monitoring.base import SCORE_CAP, BoolArray, FloatArray
from valueloop.monitoring.events import IntArray
from valueloop.monitoring.likelihood import LikelihoodParams


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


class LikelihoodBank:
    """:class:`~valueloop.monitoring.likelihood.TailLikelihood` for series 0, 1, 2, … as arrays.

    Same state (baseline n/mean/variance, short average, the short average's own
    n/mean/variance, rows seen and the row of the last flag) and the same operations in
    the same order, so each series' scores and flags equal the scalar detector's.
    """

    def __init__(self, **params: Any) -> None:
        p = self.params = LikelihoodParams(**params)
        self.threshold, self.alpha, self.k, self.beta, self.alpha_s = p.threshold, p.alpha, p.k, p.beta, p.alpha_s
        self.floor, self.rest, self.min_samples = p.floor, int(p.rest), int(p.min_samples)
        self.probation, self.window = int(p.probation), int(p.window)
        self.arrays: dict[str, FloatArray] = {name: np.zeros(0) for name in _LIKELIHOOD_STATE}
        self.recent: FloatArray = np.full((0, self.window), np.inf)  # last values per series; inf = empty slot
        # integer-valued state (n, rows, last flag) is kept as float64: exact below 2**53

    def _grow(self, size: int) -> None:
        extra = size - len(self.arrays["n"])
        if extra > 0:
            for name, start in _LIKELIHOOD_STATE.items():
                self.arrays[name] = np.concatenate([self.arrays[name], np.full(extra, start)])
            self.recent = np.concatenate([self.recent, np.full((extra, self.window), np.inf)])

    def update(self, series: IntArray, x: FloatArray) -> tuple[FloatArray, BoolArray, BoolArray]:
        """Score, flag and learn one value per listed series (each at most once per call).

        Returns (scores, fired, above) like :meth:`EWMABank.update`; ``above`` says the value
        is over its baseline mean.
        """
        self._grow(int(series.max()) + 1 if len(series) else 0)
        a = self.arrays
        ok = np.isfinite(x)
        s, v = series[ok], x[ok]
        n, mean, var = a["n"][s], a["mean"][s], a["var"][s]
        warm = n >= self.min_samples
        std = np.sqrt(var)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            gap = np.where(warm, np.min(np.abs(v[:, None] - self.recent[s]), axis=1, initial=np.inf), 0.0)
            z = np.where(std > 0.0, gap / np.where(std > 0.0, std, 1.0), SCORE_CAP)
            z = np.where(gap == 0.0, 0.0, np.where(z < SCORE_CAP, z, SCORE_CAP))
            raw = np.where(warm, z / (z + self.k), 0.0)
            short = a["short"][s] + self.beta * (raw - a["short"][s])
            u = (short - a["lmean"][s]) / np.maximum(np.sqrt(a["lvar"][s]), self.floor)
            p = np.where(np.isnan(u), 0.0, ndtr(u))
        p = np.where(a["ln"][s] >= self.probation, p, 0.0)
        rows = a["rows"][s] + 1.0
        last = a["last"][s]
        fired_ok = (p >= self.threshold) & (np.isnan(last) | (rows - last > self.rest))
        scores = np.zeros(len(series))
        fired = np.zeros(len(series), dtype=bool)
        above = np.zeros(len(series), dtype=bool)
        scores[ok], fired[ok], above[ok] = p, fired_ok, v > mean
        # learn (an absurd value may overflow the variance to inf, as the scalar EWStats does)
        with np.errstate(over="ignore", invalid="ignore"):
            a["rows"][s] = rows
            a["last"][s] = np.where(fired_ok, rows, last)
            a["short"][s] = short
            n1 = n + 1.0
            w = np.maximum(self.alpha, 1.0 / n1)
            d = v - mean
            a["mean"][s] = mean + w * d
            a["var"][s] = (1.0 - w) * (var + w * d * d)
            a["n"][s] = n1
            self.recent[s, (n % self.window).astype(np.int64)] = v
            ws = s[warm]
            ln1 = a["ln"][ws] + 1.0
            wl = np.maximum(self.alpha_s, 1.0 / ln1)
            dl = short[warm] - a["lmean"][ws]
            a["lmean"][ws] = a["lmean"][ws] + wl * dl
            a["lvar"][ws] = (1.0 - wl) * (a["lvar"][ws] + wl * dl * dl)
            a["ln"][ws] = ln1
        return scores, fired, above

    def state(self) -> dict[str, Any]:
        return {
            "params": asdict(self.params),
            **{name: [None if math.isnan(y) else y for y in arr.tolist()] for name, arr in self.arrays.items()},
            "recent": [[y for y in row if math.isfinite(y)] for row in self.recent.tolist()],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> LikelihoodBank:
        bank = cls(**state["params"])
        bank.arrays = {
            name: np.asarray([math.nan if y is None else y for y in state[name]], dtype=np.float64)
            for name in _LIKELIHOOD_STATE
        }
        bank.recent = np.full((len(state["recent"]), bank.window), np.inf)
        for i, row in enumerate(state["recent"]):
            bank.recent[i, : len(row)] = row
        return bank


_LIKELIHOOD_STATE: dict[str, float] = {
    "n": 0.0, "mean": 0.0, "var": 0.0, "short": 0.0, "ln": 0.0, "lmean": 0.0, "lvar": 0.0, "rows": 0.0,
    "last": math.nan,  # the row of the last flag; NaN: never flagged
}  # fmt: skip
