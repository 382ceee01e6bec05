"""Criterion weights and rankings over a matrix sent as numbers: entropy, CRITIC, TOPSIS, fuzzy evaluation.

The same maths as ``valueloop weights entropy|critic`` and ``valueloop rank topsis|fuzzy``
(:mod:`valueloop.scoring`), with the CLI's ``--format json`` documents plus the variant.
A matrix that is ragged, empty or not finite is an :class:`~valueloop.errors.InputError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from valueloop.errors import InputError
from valueloop.scoring.critic import Conflict, critic_weights
from valueloop.scoring.entropy import EntropyNormalisation, entropy_weights
from valueloop.scoring.fuzzy import FuzzyOperator, fuzzy_evaluate
from valueloop.scoring.topsis import TopsisNormalisation, topsis
from valueloop.scoring.weights import FloatArray

T = TypeVar("T")
Matrix = Sequence[Sequence[float]]


def as_matrix(rows: Matrix, what: str = "matrix") -> FloatArray:
    """A rectangular, finite, non-empty matrix, or every problem at once."""
    widths = {len(r) for r in rows}
    if not rows or widths == {0}:
        raise InputError(f"{what}: no values")
    if len(widths) != 1:
        raise InputError(f"{what}: rows of different lengths ({', '.join(map(str, sorted(widths)))})")
    bad = [f"row {i} column {j}" for i, r in enumerate(rows, 1) for j, x in enumerate(r, 1) if not math.isfinite(x)]
    if bad:
        raise InputError(f"{what}: not a finite number at {', '.join(bad[:10])}")
    return np.asarray(rows, dtype=np.float64)


def _names(given: Sequence[str] | None, n: int, prefix: str, what: str) -> list[str]:
    if given is None:
        return [f"{prefix}{i}" for i in range(1, n + 1)]
    if len(given) != n:
        raise InputError(f"{what}: {len(given)} names for {n} columns or rows")
    return list(given)


def _finite(values: Sequence[float]) -> list[float | None]:
    """JSON has no NaN: a degenerate criterion (e.g. a constant column) gives ``null``."""
    return [float(x) if math.isfinite(x) else None for x in values]


def _checked(compute: Callable[[], T]) -> T:
    try:
        return compute()
    except InputError:
        raise
    except (ValueError, ArithmeticError) as err:
        raise InputError(str(err)) from err


def entropy(matrix: Matrix, criteria: Sequence[str] | None, cost: Sequence[str],
            normalisation: EntropyNormalisation) -> dict[str, Any]:  # fmt: skip
    values = as_matrix(matrix)
    names = _names(criteria, values.shape[1], "c", "criteria")
    r = _checked(lambda: entropy_weights(values, names, cost=cost, normalisation=normalisation))
    return {"criteria": list(r.criteria), "weights": _finite(r.weights), "variant": r.variant}


def critic(matrix: Matrix, criteria: Sequence[str] | None, cost: Sequence[str], conflict: Conflict) -> dict[str, Any]:
    values = as_matrix(matrix)
    names = _names(criteria, values.shape[1], "c", "criteria")
    r = _checked(lambda: critic_weights(values, names, cost=cost, conflict=conflict))
    return {"criteria": list(r.criteria), "weights": _finite(r.weights), "variant": r.variant}


def rank_topsis(matrix: Matrix, weights: Sequence[float], alternatives: Sequence[str] | None,
                criteria: Sequence[str] | None, cost: Sequence[str],
                normalisation: TopsisNormalisation) -> dict[str, Any]:  # fmt: skip
    values = as_matrix(matrix)
    alts = _names(alternatives, values.shape[0], "a", "alternatives")
    names = _names(criteria, values.shape[1], "c", "criteria")
    r = _checked(lambda: topsis(values, list(weights), alternatives=alts, criteria=names, cost=cost,
                                normalisation=normalisation))  # fmt: skip
    return {"alternatives": list(r.alternatives), "closeness": _finite(r.closeness), "rank": list(r.rank),
            "variant": r.variant}  # fmt: skip


def rank_fuzzy(membership: Matrix, weights: Sequence[float], factors: Sequence[str] | None,
               grades: Sequence[str] | None, operator: FuzzyOperator, grade_scores: Sequence[float] | None,
               normalise: bool) -> dict[str, Any]:  # fmt: skip
    values = as_matrix(membership, "membership")
    rows = _names(factors, values.shape[0], "f", "factors")
    cols = _names(grades, values.shape[1], "g", "grades")
    r = _checked(lambda: fuzzy_evaluate(values, list(weights), grades=cols, factors=rows, operator=operator,
                                        grade_scores=None if grade_scores is None else list(grade_scores),
                                        normalise=normalise))  # fmt: skip
    data: dict[str, Any] = {"grades": list(r.grades), "membership": _finite(r.membership), "grade": r.grade}
    if r.score is not None:
        data["score"] = r.score if math.isfinite(r.score) else None
    return data | {"variant": r.variant}
