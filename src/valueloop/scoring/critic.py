"""CRITIC (CRiteria Importance Through Intercriteria Correlation) objective weights.

A criterion matters when it varies a lot (contrast) and says something the others do
not (conflict). Variant by default (Diakoulaki, Mavrotas & Papayannakis 1995,
Computers & Operations Research 22(7):763-770): min-max scale each column towards its
best value (``(x - min) / (max - min)`` for benefit, ``(max - x) / (max - min)`` for
cost), ``C_j = σ_j Σ_k (1 - r_jk)`` with σ the standard deviation and r Pearson's
correlation, ``w_j = C_j / Σ C_j``. σ's denominator (m or m - 1) cancels in ``w``.

Option ``conflict='absolute'`` uses ``1 - |r_jk|`` (a common modification that treats a
strong negative correlation as redundancy, not conflict). A column with no spread gets
weight 0 and is left out of the other columns' conflict sums, so adding a constant
column never changes the other weights.

Pure: numpy only, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from valueloop.errors import InputError
from valueloop.scoring.options import Conflict as Conflict
from valueloop.scoring.weights import FloatArray, Weights, as_matrix, cost_mask, criterion_names


def scale_to_best(x: FloatArray, cost: npt.NDArray[np.bool_]) -> FloatArray:
    """Min-max scale each column so 1 is its best value and 0 its worst."""
    low, high = x.min(axis=0), x.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return np.asarray(np.where(cost[None, :], high - x, x - low) / span, dtype=np.float64)


def information(z: FloatArray, conflict: Conflict = Conflict.signed) -> FloatArray:
    """``C_j`` of each column of scaled data ``z``; 0 for a column with no spread."""
    sigma = z.std(axis=0, ddof=1)
    live = sigma > 0
    c = np.zeros(z.shape[1])
    if live.sum() == 1:
        c[live] = sigma[live]
    if live.sum() <= 1:
        return c
    r = np.atleast_2d(np.corrcoef(z[:, live], rowvar=False))
    r = np.abs(r) if conflict is Conflict.absolute else r
    c[live] = sigma[live] * (1.0 - r).sum(axis=0)
    return c


def critic_weights(
    matrix: npt.ArrayLike,
    criteria: Sequence[str] | None = None,
    *,
    cost: Iterable[str] = (),
    conflict: Conflict = Conflict.signed,
) -> Weights:
    """CRITIC weights of the columns of ``matrix`` (rows are alternatives).

    >>> w = critic_weights([[1, 1, 3], [2, 2, 3], [3, 1, 3]], ["a", "b", "flat"])
    >>> [round(x, 3) for x in w.weights]
    [0.464, 0.536, 0.0]
    """
    x = as_matrix(matrix, min_rows=2)
    names = criterion_names(criteria, x.shape[1])
    c = information(scale_to_best(x, cost_mask(names, cost)), conflict)
    if c.sum() <= 0:
        raise InputError(
            "CRITIC weights are undefined: no criterion varies across the alternatives, "
            "or all that vary are perfectly correlated"
        )
    return Weights(names, tuple(float(v) for v in c / c.sum()), f"critic/{conflict.value}")
