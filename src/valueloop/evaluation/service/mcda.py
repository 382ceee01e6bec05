"""Criterion weights and rankings over a matrix sent as numbers: entropy, CRITIC, TOPSIS, fuzzy evaluation.

The use cases behind ``valueloop weights ahp|entropy|critic`` and ``valueloop rank topsis|fuzzy``
and their routes: the maths is :mod:`valueloop.scoring`'s; the answers are the result models
here, which the CLI prints as ``--format json`` and the API returns, so the two are one document
(each names its ``variant``: which formula ran). A matrix that is ragged, empty or not finite is an
:class:`~valueloop.errors.InputError`; a criterion the maths cannot weigh (a constant column) is ``null``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from valueloop.errors import InputError
from valueloop.results import MISSING, Result
from valueloop.scoring.ahp import CR_THRESHOLD, ahp, group_ahp
from valueloop.scoring.critic import Conflict, critic_weights
from valueloop.scoring.entropy import EntropyNormalisation, entropy_weights
from valueloop.scoring.fuzzy import FuzzyOperator, FuzzyResult, fuzzy_evaluate
from valueloop.scoring.options import PriorityMethod, RandomIndexTable
from valueloop.scoring.topsis import TopsisNormalisation, TopsisResult, topsis
from valueloop.scoring.weights import FloatArray, Weights

if TYPE_CHECKING:
    from valueloop.scoring.ahp import AhpResult

T = TypeVar("T")
Matrix = Sequence[Sequence[float]]


class CriterionWeights(Result):
    """Entropy or CRITIC weights, one per criterion (``null``: the criterion could not be weighed)."""

    criteria: list[str]
    weights: list[float | None]
    variant: str


class Judgement(Result):
    """The judgement that agrees least with the weights: ``row`` over ``col`` was given, the weights imply."""

    row: str
    col: str
    given: float
    implied: float


class AhpWeights(Result):
    """AHP priorities with λmax, CI and CR; ``consistent`` is ``cr ≤ threshold`` (0.10)."""

    criteria: list[str]
    weights: list[float]
    lambda_max: float
    ci: float
    cr: float
    threshold: float
    consistent: bool
    variant: str
    worst_judgement: Judgement | None
    """Set when the judgements are inconsistent: the one to revisit first."""


class TopsisRanking(Result):
    """TOPSIS closeness to the ideal alternative and the rank it gives (1 = best)."""

    alternatives: list[str]
    closeness: list[float | None]
    rank: list[int]
    variant: str


class FuzzyGrade(Result):
    """The fuzzy comprehensive evaluation: membership per grade, the grade of maximum membership."""

    grades: list[str]
    membership: list[float | None]
    grade: str
    score: float | MISSING | None = MISSING
    """The weighted grade score, when grade scores were given."""
    variant: str


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
            normalisation: EntropyNormalisation) -> CriterionWeights:  # fmt: skip
    values = as_matrix(matrix)
    names = _names(criteria, values.shape[1], "c", "criteria")
    return weights_doc(_checked(lambda: entropy_weights(values, names, cost=cost, normalisation=normalisation)))


def critic(matrix: Matrix, criteria: Sequence[str] | None, cost: Sequence[str], conflict: Conflict) -> CriterionWeights:
    values = as_matrix(matrix)
    names = _names(criteria, values.shape[1], "c", "criteria")
    return weights_doc(_checked(lambda: critic_weights(values, names, cost=cost, conflict=conflict)))


def rank_topsis(matrix: Matrix, weights: Sequence[float], alternatives: Sequence[str] | None,
                criteria: Sequence[str] | None, cost: Sequence[str],
                normalisation: TopsisNormalisation) -> TopsisRanking:  # fmt: skip
    values = as_matrix(matrix)
    alts = _names(alternatives, values.shape[0], "a", "alternatives")
    names = _names(criteria, values.shape[1], "c", "criteria")
    return topsis_doc(_checked(lambda: topsis(values, list(weights), alternatives=alts, criteria=names, cost=cost,
                                              normalisation=normalisation)))  # fmt: skip


def rank_fuzzy(membership: Matrix, weights: Sequence[float], factors: Sequence[str] | None,
               grades: Sequence[str] | None, operator: FuzzyOperator, grade_scores: Sequence[float] | None,
               normalise: bool) -> FuzzyGrade:  # fmt: skip
    values = as_matrix(membership, "membership")
    rows = _names(factors, values.shape[0], "f", "factors")
    cols = _names(grades, values.shape[1], "g", "grades")
    scores = None if grade_scores is None else list(grade_scores)
    r = _checked(lambda: fuzzy_evaluate(values, list(weights), grades=cols, factors=rows, operator=operator,
                                        grade_scores=scores, normalise=normalise))  # fmt: skip
    return fuzzy_doc(r)


def ahp_weights(judgements: Sequence[Matrix | FloatArray], criteria: Sequence[str] | None,
                method: PriorityMethod = PriorityMethod.eigenvector,
                random_index: RandomIndexTable = RandomIndexTable.saaty) -> AhpWeights:  # fmt: skip
    """AHP of one expert's judgement matrix, or of several (group AHP: their geometric mean)."""
    if len(judgements) == 1:
        return ahp_doc(ahp(judgements[0], criteria, method=method, random_index_table=random_index))
    return ahp_doc(group_ahp(judgements, criteria, method=method, random_index_table=random_index))


def weights_doc(r: Weights) -> CriterionWeights:
    return CriterionWeights(criteria=list(r.criteria), weights=_finite(r.weights), variant=r.variant)


def topsis_doc(r: TopsisResult) -> TopsisRanking:
    return TopsisRanking(alternatives=list(r.alternatives), closeness=_finite(r.closeness),
                         rank=[int(x) for x in r.rank], variant=r.variant)  # fmt: skip


def fuzzy_doc(r: FuzzyResult) -> FuzzyGrade:
    score = MISSING if r.score is None else (r.score if math.isfinite(r.score) else None)
    return FuzzyGrade(grades=list(r.grades), membership=_finite(r.membership), grade=r.grade, score=score,
                      variant=r.variant)  # fmt: skip


def ahp_doc(r: AhpResult) -> AhpWeights:
    w = r.worst_judgement
    return AhpWeights(
        criteria=list(r.criteria), weights=[float(x) for x in r.weights], lambda_max=r.lambda_max, ci=r.ci, cr=r.cr,
        threshold=CR_THRESHOLD, consistent=r.consistent, variant=r.variant,
        worst_judgement=None if w is None else Judgement(row=w.row, col=w.col, given=w.given, implied=w.implied),
    )  # fmt: skip
