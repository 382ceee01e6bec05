"""Relative importance of drivers: Shapley decomposition of R² (LMG).

Lindeman, Merenda and Gold's metric averages each driver's sequential R² gain over all
orderings of the drivers; equivalently it is the Shapley value of the "R² of a subset"
game, so the shares are non-negative and add up exactly to the full model's R²
(Grömping 2006, J. Stat. Softw. 17(1), calls it ``lmg`` in the R package relaimpo).
It is computed exactly from the correlation matrix over all 2^p subsets, batched by
subset size, which is fast up to :data:`MAX_DRIVERS`. Bootstrap intervals resample whole
clusters (units) so that repeated periods of one unit do not pass as independent.

Pure: numpy only.
"""

from __future__ import annotations

from functools import cache
from itertools import combinations
from math import factorial

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from valueloop.errors import InputError

FloatArray = npt.NDArray[np.float64]
MAX_DRIVERS = 12


class Importance(BaseModel):
    """R² of the full model and each driver's LMG share of it (same order as the drivers)."""

    model_config = ConfigDict(frozen=True)

    r2: float
    shares: tuple[float, ...]


def subset_r2(corr: FloatArray) -> FloatArray:
    """R² of the outcome (index 0 of ``corr``) on every subset of the drivers, indexed by
    bit mask (bit j set = driver j in the subset)."""
    p = corr.shape[0] - 1
    out = np.zeros(1 << p)
    for k in range(1, p + 1):
        subsets = np.array(list(combinations(range(p), k)))
        idx = subsets + 1
        rxx = corr[idx[:, :, None], idx[:, None, :]]
        rxy = corr[0, idx]
        beta = _solve(rxx, rxy)
        out[(1 << subsets).sum(axis=1)] = np.einsum("si,si->s", beta, rxy)
    return out


def _solve(rxx: FloatArray, rxy: FloatArray) -> FloatArray:
    """Batched normal equations; the pseudo-inverse when drivers are collinear (R² is still defined)."""
    beta: FloatArray
    try:
        beta = np.asarray(np.linalg.solve(rxx, rxy[..., None])[..., 0], dtype=np.float64)
    except np.linalg.LinAlgError:
        beta = np.asarray(np.einsum("sij,sj->si", np.linalg.pinv(rxx, hermitian=True), rxy), dtype=np.float64)
    return beta


@cache
def _shapley_tables(p: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]:
    """Every subset mask, its size, and the Shapley weight by size (0 for the full set)."""
    masks = np.arange(1 << p)
    size = np.array([bin(m).count("1") for m in masks])
    weight = np.array([factorial(k) * factorial(p - k - 1) / factorial(p) for k in range(p)] + [0.0])
    return masks, size, weight


def lmg_from_corr(corr: FloatArray) -> Importance:
    """Exact LMG shares from the correlation matrix of (outcome, drivers...)."""
    p = corr.shape[0] - 1
    if p > MAX_DRIVERS:
        raise InputError(f"exact LMG takes at most {MAX_DRIVERS} drivers (got {p}); choose fewer with --driver")
    r2 = subset_r2(corr)
    masks, size, weight = _shapley_tables(p)
    shares = []
    for j in range(p):
        without = masks[(masks & (1 << j)) == 0]
        shares.append(float(np.sum(weight[size[without]] * (r2[without | (1 << j)] - r2[without]))))
    return Importance(r2=float(r2[-1]), shares=tuple(shares))


def lmg(y: FloatArray, x: FloatArray) -> Importance:
    """LMG of the columns of ``x`` for ``y`` (rows with any NaN are dropped by the caller)."""
    if x.ndim != 2 or len(y) != x.shape[0]:
        raise InputError("lmg needs y of length n and x of shape (n, p)")
    if len(y) <= x.shape[1] + 1:
        raise InputError(f"lmg needs more observations than drivers + 1 (n={len(y)}, p={x.shape[1]})")
    data = np.column_stack([y, x])
    if np.any(np.std(data, axis=0) == 0):
        raise InputError("lmg: the outcome or a driver does not vary")
    corr: FloatArray = np.asarray(np.corrcoef(data, rowvar=False), dtype=np.float64)
    return lmg_from_corr(corr)


def bootstrap(
    y: FloatArray,
    x: FloatArray,
    clusters: npt.NDArray[np.int64],
    *,
    replicates: int = 200,
    seed: int = 20060101,
    level: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Percentile intervals (low, high) of each share, resampling clusters with replacement.

    Replicates where a column stops varying are skipped: they carry no information on
    that driver, and failing the whole interval for them would be worse.
    """
    rng = np.random.default_rng(seed)
    ids = np.unique(clusters)
    members = [np.flatnonzero(clusters == c) for c in ids]
    draws = []
    for _ in range(replicates):
        rows = np.concatenate([members[i] for i in rng.integers(0, len(ids), len(ids))])
        try:
            draws.append(lmg(y[rows], x[rows]).shares)
        except InputError:
            continue
    if not draws:
        nan = np.full(x.shape[1], np.nan)
        return nan, nan
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(np.array(draws), [tail, 100 - tail], axis=0)
    return low, high
