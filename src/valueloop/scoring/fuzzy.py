"""Fuzzy comprehensive evaluation (模糊综合评价): compose factor weights with a
membership matrix into one membership vector over the grades.

``B = A ∘ R`` with ``A`` the factor weights (scaled to sum to 1) and ``R`` the
membership degrees (rows = factors, columns = grades, each in [0, 1]). The composition
operator is the variant; the four usual ones (Chinese textbooks call them models I-IV):

* ``product-sum`` M(·, +), 加权平均型 (default): ``b_j = Σ_i a_i r_ij``; every factor counts.
* ``min-max`` M(∧, ∨), 主因素决定型: ``b_j = max_i min(a_i, r_ij)``; the dominant factor decides.
* ``product-max`` M(·, ∨), 主因素突出型: ``b_j = max_i a_i r_ij``.
* ``min-bounded-sum`` M(∧, ⊕), 取小上界和型: ``b_j = min(1, Σ_i min(a_i, r_ij))``.

The result grade follows the maximum-membership principle (the first grade on a tie).
With grade scores ``s_j`` the score is ``Σ b_j s_j / Σ b_j``, the membership-weighted mean
score, so it stays on the scores' scale whatever the operator.

Pure: numpy only, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from valueloop.errors import InputError
from valueloop.scoring.options import FuzzyOperator as FuzzyOperator
from valueloop.scoring.weights import (
    FloatArray,
    as_matrix,
    as_vector,
    criterion_names,
    normalise_weights,
    sized,
)


@dataclass(frozen=True)
class FuzzyResult:
    """Composed membership per grade, the grade of maximum membership, optional score."""

    grades: tuple[str, ...]
    membership: tuple[float, ...]
    grade: str
    score: float | None
    variant: str


def compose(a: FloatArray, r: FloatArray, operator: FuzzyOperator) -> FloatArray:
    """``B = A ∘ R`` for weight vector ``a`` (length n) and membership matrix ``r`` (n × m)."""
    col = a[:, None]
    if operator is FuzzyOperator.product_sum:
        b = (col * r).sum(axis=0)
    elif operator is FuzzyOperator.min_max:
        b = np.minimum(col, r).max(axis=0)
    elif operator is FuzzyOperator.product_max:
        b = (col * r).max(axis=0)
    else:
        b = np.minimum(1.0, np.minimum(col, r).sum(axis=0))
    return np.asarray(b, dtype=np.float64)


def check_membership(values: npt.ArrayLike) -> FloatArray:
    """Return the membership matrix, or raise naming every cell outside [0, 1]."""
    r = as_matrix(values, "membership matrix")
    bad = np.argwhere((r < 0) | (r > 1))
    if bad.size:
        cells = "; ".join(f"cell (row {i + 1}, col {j + 1}) = {r[i, j]:g}" for i, j in bad)
        raise InputError(f"membership degrees must lie in [0, 1]: {cells}")
    return r


def fuzzy_evaluate(
    membership: npt.ArrayLike,
    weights: npt.ArrayLike,
    *,
    grades: Sequence[str] | None = None,
    factors: Sequence[str] | None = None,
    operator: FuzzyOperator = FuzzyOperator.product_sum,
    grade_scores: npt.ArrayLike | None = None,
    normalise: bool = False,
) -> FuzzyResult:
    """One-level fuzzy comprehensive evaluation (see the module for the operators).

    ``normalise`` rescales ``B`` to sum to 1, as textbooks do after ``min-max``.

    >>> r = fuzzy_evaluate([[0.2, 0.8], [0.6, 0.4]], [0.5, 0.5], grades=["good", "poor"])
    >>> [round(b, 2) for b in r.membership], r.grade
    ([0.4, 0.6], 'poor')
    """
    r = check_membership(membership)
    names = criterion_names(grades, r.shape[1], prefix="g")
    factor_names = criterion_names(factors, r.shape[0], prefix="f")
    a = np.asarray(normalise_weights(sized(weights, len(factor_names), "factors"), factor_names).weights)
    b = compose(a, r, operator)
    total = float(b.sum())
    if total <= 0:
        raise InputError("every composed membership is 0, so no grade can be chosen")
    if normalise:
        b = b / total
    score = None if grade_scores is None else _score(b, grade_scores)
    grade = names[int(np.argmax(b))]
    variant = f"fuzzy/{operator.value}" + ("/normalised" if normalise else "")
    return FuzzyResult(names, tuple(float(x) for x in b), grade, score, variant)


def _score(b: FloatArray, grade_scores: npt.ArrayLike) -> float:
    s = as_vector(grade_scores, "grade scores")
    if s.size != b.size:
        raise InputError(f"{s.size} grade scores given for {b.size} grades")
    return float((b * s).sum() / b.sum())
