"""TOPSIS: rank alternatives by relative closeness to the ideal solution.

Variant by default (Hwang & Yoon 1981, section on TOPSIS): vector normalisation
``r_ij = x_ij / sqrt(Σ_i x_ij²)``, weighted ``v_ij = w_j r_ij``, ideal = best value of
each column (max for benefit, min for cost), anti-ideal = worst, Euclidean distances
``d⁺`` and ``d⁻``, closeness ``C_i = d⁻ / (d⁺ + d⁻)``; rank 1 = largest closeness.
Option ``min-max``: ``r_ij = (x_ij - min) / (max - min)``, which spreads every column
over [0, 1] and changes the numbers (and can change the ranking). Weights are scaled to
sum to 1 first. A column with no spread cannot separate alternatives and adds nothing.

Pure: numpy only, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from valueloop.errors import InputError
from valueloop.scoring.options import TopsisNormalisation as TopsisNormalisation
from valueloop.scoring.weights import (
    FloatArray,
    as_matrix,
    cost_mask,
    criterion_names,
    normalise_weights,
    sized,
)


@dataclass(frozen=True)
class TopsisResult:
    """Closeness (0 = the anti-ideal, 1 = the ideal) and competition rank per alternative."""

    alternatives: tuple[str, ...]
    closeness: tuple[float, ...]
    rank: tuple[int, ...]
    d_best: tuple[float, ...]
    d_worst: tuple[float, ...]
    variant: str


def normalise_columns(x: FloatArray, how: TopsisNormalisation) -> FloatArray:
    """Scale each column; a column of zeros (vector) or without spread (min-max) becomes 0."""
    if how is TopsisNormalisation.vector:
        norm = np.sqrt((x**2).sum(axis=0))
        return np.asarray(np.where(norm > 0, x / np.where(norm > 0, norm, 1.0), 0.0), dtype=np.float64)
    low, high = x.min(axis=0), x.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return np.asarray((x - low) / span, dtype=np.float64)


def competition_rank(scores: FloatArray) -> tuple[int, ...]:
    """Rank 1 for the highest score; ties share the better rank ("1224" ranking).

    Scores equal to 12 decimals count as ties, so float noise cannot order equals.
    """
    s = np.round(scores, 12)
    return tuple(int(1 + np.sum(s > v)) for v in s)


def topsis(
    matrix: npt.ArrayLike,
    weights: npt.ArrayLike,
    *,
    alternatives: Sequence[str] | None = None,
    criteria: Sequence[str] | None = None,
    cost: Iterable[str] = (),
    normalisation: TopsisNormalisation = TopsisNormalisation.vector,
) -> TopsisResult:
    """TOPSIS closeness and rank of the rows of ``matrix`` (see the module for the variant).

    >>> r = topsis([[1, 3], [2, 2], [3, 1]], [0.5, 0.5], cost=["c2"])
    >>> r.rank
    (3, 2, 1)
    """
    x = as_matrix(matrix, min_rows=2)
    names = criterion_names(criteria, x.shape[1])
    ids = criterion_names(alternatives, x.shape[0], prefix="a")
    w = np.asarray(normalise_weights(sized(weights, len(names), "criteria"), names).weights)
    costs = cost_mask(names, cost)
    v = normalise_columns(x, normalisation) * w[None, :]
    best = np.where(costs, v.min(axis=0), v.max(axis=0))
    worst = np.where(costs, v.max(axis=0), v.min(axis=0))
    d_best = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=1))
    total = d_best + d_worst
    if np.any(total <= 0):
        raise InputError("no weighted criterion separates the alternatives, so TOPSIS cannot rank them")
    closeness = d_worst / total
    return TopsisResult(
        ids,
        tuple(float(c) for c in closeness),
        competition_rank(closeness),
        tuple(float(d) for d in d_best),
        tuple(float(d) for d in d_worst),
        f"topsis/{normalisation.value}",
    )
