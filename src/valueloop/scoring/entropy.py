"""Entropy weight method: objective weights from how much each criterion varies.

A criterion whose values are spread evenly over the alternatives carries little
information for telling them apart, so it gets little weight. With ``m`` alternatives:
``p_ij = y_ij / Σ_i y_ij``, ``e_j = -Σ_i p_ij ln p_ij / ln m`` (``0 ln 0 = 0``),
``d_j = 1 - e_j`` and ``w_j = d_j / Σ d_j``.

Variant by default (Hwang & Yoon 1981, "entropy method"; Zeleny 1982): ``y = x``, the raw
values, which must then be non-negative; direction (cost or benefit) does not change a
column's spread, so ``cost`` is not used. Option ``min-max`` (common in Chinese
practice, 熵权法): ``y = (x - min) / (max - min)`` for benefit criteria and
``(max - x) / (max - min)`` for cost criteria, which accepts negative data but changes
the numbers. A column with no spread (or all zeros) gets weight 0.

Pure: numpy only, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from valueloop.errors import InputError
from valueloop.scoring.options import EntropyNormalisation as EntropyNormalisation
from valueloop.scoring.weights import FloatArray, Weights, as_matrix, cost_mask, criterion_names


def _minmax(x: FloatArray, cost: npt.NDArray[np.bool_]) -> FloatArray:
    low, high = x.min(axis=0), x.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    y = np.where(cost[None, :], high - x, x - low) / span
    return np.asarray(y, dtype=np.float64)


def entropies(y: FloatArray) -> FloatArray:
    """Normalised Shannon entropy of each column of non-negative ``y``; 1 for an all-zero column."""
    totals = y.sum(axis=0)
    safe = np.where(totals > 0, totals, 1.0)
    p = y / safe
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(y.shape[0])
    return np.asarray(np.where(totals > 0, e, 1.0), dtype=np.float64)


def entropy_weights(
    matrix: npt.ArrayLike,
    criteria: Sequence[str] | None = None,
    *,
    cost: Iterable[str] = (),
    normalisation: EntropyNormalisation = EntropyNormalisation.proportion,
) -> Weights:
    """Entropy weights of the columns of ``matrix`` (rows are alternatives).

    >>> w = entropy_weights([[1, 5], [1, 1], [1, 9]], ["flat", "spread"])
    >>> [round(x, 3) for x in w.weights]
    [0.0, 1.0]
    """
    x = as_matrix(matrix, min_rows=2)
    names = criterion_names(criteria, x.shape[1])
    costs = cost_mask(names, cost)
    if normalisation is EntropyNormalisation.proportion:
        negative = [f"(row {r + 1}, col {c + 1})" for r, c in np.argwhere(x < 0)[:5]]
        if negative:
            raise InputError(
                f"proportion entropy needs non-negative values; negative at {', '.join(negative)} "
                "(use normalisation='min-max')"
            )
        y = x
    else:
        y = _minmax(x, costs)
    d = 1.0 - entropies(y)
    d = np.where(d > 1e-12, d, 0.0)
    if d.sum() <= 0:
        raise InputError("no criterion varies across the alternatives, so entropy weights are undefined")
    return Weights(names, tuple(float(v) for v in d / d.sum()), f"entropy/{normalisation.value}")
