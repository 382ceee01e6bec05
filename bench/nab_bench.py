"""NAB scores of every registered detector: at a corpus-optimised θ, at its shipped θ, and leave-one-category-out.

Run: ``.venv/bin/python -m bench.nab_bench`` (``--tune`` redoes the likelihood's small
parameter search). One parameter set per detector for all 51 development files (no
per-file tuning). Three figures per detector and profile:

- **best θ**: the threshold chosen on the whole corpus after the fact (NAB's own practice;
  optimistic, the corpus picks its own θ);
- **shipped**: the flags the detector raises at the threshold it ships with — what
  ``monitor detect`` prints; for ``likelihood`` that is :data:`SHIPPED` of the profile;
- **LOCO**: leave-one-category-out — θ chosen on five categories, the sixth scored with it,
  summed over the six held-out categories: the honest estimate on unseen series.

``static`` is left out: its limits are configuration (an SLA). The likelihood is scored
through :class:`LikelihoodBank` (all files in one vectorised pass, equal to the scalar
detector by test); the flags of a θ are its repeat-suppressed crossings, so its θ sweep
re-applies the suppression per θ on cached scores.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.nab import Series, load
from valueloop.monitoring.bank import LikelihoodBank
from valueloop.monitoring.base import BoolArray, FloatArray
from valueloop.monitoring.likelihood import SHIPPED, suppress
from valueloop.monitoring.nab import PROFILES, Labels, normalise, row_weights
from valueloop.monitoring.registry import make, run

# Registered defaults are the tuned values of bench runs on the development corpus (see
# the module docstrings of each detector); the likelihood's were chosen by ``--tune``.
PARAMS: dict[str, dict[str, Any]] = {
    n: {} for n in ["benchmark", "robust_z", "ewma", "cusum", "seasonal", "likelihood"]
}
LIKELIHOOD_GRID: dict[str, list[Any]] = {"k": [1.0, 2.0], "rest": [100, 150], "window": [1000, 2000]}
PROFILE_KEYS = {"standard": "standard", "reward_low_FP_rate": "low_fp", "reward_low_FN_rate": "low_fn"}
THETA_GRID: FloatArray = np.round(1.0 - np.geomspace(0.7, 1e-5, 150), 8)
"""Candidate thresholds on p for the likelihood: 0.3 … 0.99999, log-spaced in the tail."""


@dataclass(frozen=True)
class Scored:
    """One detector over the corpus: scores, own flags, and how a θ turns scores into flags."""

    scores: list[FloatArray]
    own: list[BoolArray]
    flags: Callable[[FloatArray, float], BoolArray]
    thetas: FloatArray | None  # None: every distinct score (exact optimum)


def likelihood_scores(data: Sequence[Series], params: dict[str, Any]) -> tuple[list[FloatArray], list[BoolArray]]:
    """Scores and own flags of the likelihood on every file, all files stepped together through one bank."""
    bank = LikelihoodBank(**params)
    lengths = np.array([s.labels.n for s in data])
    table = np.full((int(lengths.max()), len(data)), np.nan)
    for j, s in enumerate(data):
        table[: len(s.values), j] = s.values
    scores, fired = np.zeros(table.shape), np.zeros(table.shape, dtype=bool)
    ids = np.arange(len(data))
    for i in range(table.shape[0]):
        live = ids[lengths > i]
        scores[i, live], fired[i, live], _ = bank.update(live, table[i, live])
    return [scores[:n, j].copy() for j, n in enumerate(lengths)], [fired[:n, j].copy() for j, n in enumerate(lengths)]


def score_detector(name: str, params: dict[str, Any], data: Sequence[Series]) -> Scored:
    if name == "likelihood":
        scores, own = likelihood_scores(data, params)
        rest = int(params.get("rest", make("likelihood").rest))  # type: ignore[attr-defined]
        return Scored(scores, own, lambda sc, th: suppress(sc, th, rest), THETA_GRID)
    runs = [run(make(name, **params), s.values, s.times) for s in data]
    return Scored([r[0] for r in runs], [r[1] for r in runs], lambda sc, th: sc >= th, None)


class Weights:
    """Row weights per (file, profile), computed once: every θ of every sweep reuses them."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], tuple[FloatArray, FloatArray]] = {}

    def get(self, key: int, labels: Labels, profile: str) -> tuple[FloatArray, FloatArray]:
        if (key, profile) not in self._cache:
            self._cache[key, profile] = row_weights(labels, PROFILES[profile])
        return self._cache[key, profile]

    def curve(self, key: int, scores: FloatArray, labels: Labels, profile: str, thetas: FloatArray) -> FloatArray:
        """File score at every θ of ``thetas`` (detected ⇔ score ≥ θ), as :func:`score_curve` with cached weights."""
        weights, window = self.get(key, labels, profile)
        scores = np.nan_to_num(scores, nan=-np.inf)
        keep = np.arange(labels.n) >= labels.start
        out_rows = keep & (window < 0)
        order = np.argsort(scores[out_rows], kind="stable")
        suffix = np.concatenate([np.cumsum(weights[out_rows][order][::-1])[::-1], [0.0]])
        total = suffix[np.searchsorted(scores[out_rows][order], thetas, side="left")]
        for k in range(len(labels.windows)):
            rows = keep & (window == k)
            if rows.any():
                first = np.searchsorted(np.maximum.accumulate(scores[rows]), thetas, side="left")
                total = total + np.concatenate([weights[rows], [-PROFILES[profile].fn]])[first]
        return np.asarray(total, dtype=np.float64)

    def file_score(self, key: int, detected: BoolArray, labels: Labels, profile: str) -> float:
        weights, window = self.get(key, labels, profile)
        hits = detected.copy()
        hits[: labels.start] = False
        total = float(weights[hits & (window < 0)].sum())
        for k, (_, hi) in enumerate(sorted(labels.windows)):
            if hi < labels.start:
                continue
            caught = hits & (window == k)
            total += float(weights[caught].max()) if caught.any() else -PROFILES[profile].fn
        return total


WEIGHTS = Weights()


def raw_at(sc: Scored, files: Sequence[int], data: Sequence[Series], profile: str, theta: float) -> float:
    return sum(WEIGHTS.file_score(j, sc.flags(sc.scores[j], theta), data[j].labels, profile) for j in files)


def best_theta(sc: Scored, files: Sequence[int], data: Sequence[Series], profile: str) -> float:
    """The θ maximising the summed score over ``files``."""
    if sc.thetas is None:
        finite = [sc.scores[j][np.isfinite(sc.scores[j])] for j in files]
        thetas = np.unique(np.concatenate([*finite, np.array([np.inf])]))
        totals = sum(
            (WEIGHTS.curve(j, sc.scores[j], data[j].labels, profile, thetas) for j in files), np.zeros(len(thetas))
        )
        return float(thetas[int(np.argmax(totals))])
    totals = [raw_at(sc, files, data, profile, float(th)) for th in sc.thetas]
    return float(sc.thetas[int(np.argmax(totals))])


def windows_of(files: Sequence[int], data: Sequence[Series]) -> int:
    return sum(len(data[j].labels.scored_windows) for j in files)


@dataclass(frozen=True)
class Row:
    """One detector × profile: best θ and its score, shipped score, LOCO score."""

    theta: float
    best: float
    shipped: float
    loco: float


def evaluate(sc: Scored, data: Sequence[Series], profile: str) -> Row:
    everything = range(len(data))
    p, n_windows = PROFILES[profile], windows_of(everything, data)
    theta = best_theta(sc, everything, data, profile)
    best = normalise(raw_at(sc, everything, data, profile, theta), n_windows, p)
    own = sum(WEIGHTS.file_score(j, sc.own[j], data[j].labels, profile) for j in everything)
    loco = 0.0
    for cat in categories(data):
        held = [j for j in everything if category(data[j]) == cat]
        rest = [j for j in everything if category(data[j]) != cat]
        loco += raw_at(sc, held, data, profile, best_theta(sc, rest, data, profile))
    return Row(theta, best, normalise(own, n_windows, p), normalise(loco, n_windows, p))


def category(s: Series) -> str:
    return s.name.split("/")[0]


def categories(data: Sequence[Series]) -> list[str]:
    return sorted({category(s) for s in data})


def tune(data: Sequence[Series]) -> None:
    """The likelihood's small grid, standard profile: best-θ and LOCO score of each point."""
    for combo in itertools.product(*LIKELIHOOD_GRID.values()):
        params = dict(zip(LIKELIHOOD_GRID, combo, strict=True))
        row = evaluate(score_detector("likelihood", params, data), data, "standard")
        print(f"  likelihood {params} -> best {row.best:6.1f} (θ {row.theta:.5g})  LOCO {row.loco:6.1f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--tune", action="store_true", help="redo the likelihood's parameter search")
    ap.add_argument("--only", choices=list(PARAMS), action="append", help="score only these detectors")
    args = ap.parse_args()
    data = load()
    if args.tune:
        tune(data)
        return
    run_table(data, args.only)


def run_table(data: list[Series] | None = None, only: list[str] | None = None) -> None:
    """Print the detector × profile table (the entry point bench/run.py calls)."""
    data = data if data is not None else load()
    start = time.perf_counter()
    print(
        f"NAB development corpus: {len(data)} files, {windows_of(range(len(data)), data)} windows, "
        f"{len(categories(data))} categories; normalised score per profile"
    )
    print(f"{'detector':12}{'profile':20}{'best θ':>10}{'(θ)':>12}{'shipped':>10}{'LOCO':>8}")
    for name, params in PARAMS.items():
        if only and name not in only:
            continue
        sc = score_detector(name, params, data)
        for profile in PROFILES:
            if name == "likelihood":  # its shipped θ depends on the profile
                key = PROFILE_KEYS[profile]
                sc = Scored(sc.scores, [sc.flags(s, SHIPPED[key]) for s in sc.scores], sc.flags, sc.thetas)
            row = evaluate(sc, data, profile)
            print(
                f"{name:12}{profile:20}{row.best:10.1f}{row.theta:12.6g}{row.shipped:10.1f}{row.loco:8.1f}", flush=True
            )
    for label, scores in [("null", [np.zeros(s.labels.n) for s in data]), ("random", _random(data))]:
        sc = Scored(scores, [np.zeros(s.labels.n, dtype=bool) for s in data], lambda s, th: s >= th, None)
        print(f"{label:12}" + "".join(f"  {p}: {evaluate(sc, data, p).best:.1f}" for p in PROFILES))
    print(f"({time.perf_counter() - start:.1f} s)")


def _random(data: Sequence[Series]) -> list[FloatArray]:
    """NAB's random detector (uniform scores), one seed."""
    rng = np.random.default_rng(0)
    return [rng.random(s.labels.n) for s in data]


if __name__ == "__main__":
    main()
