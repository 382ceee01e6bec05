"""Analytic Hierarchy Process: priorities and consistency from pairwise judgements.

Variant by default (Saaty 1980; Saaty 1990, EJOR 48:9-26): weights are the principal
right eigenvector of the judgement matrix, ``CI = (λmax - n) / (n - 1)``,
``CR = CI / RI(n)`` with Saaty's classic random index, and ``CR > 0.10`` counts as
inconsistent. Options: the row geometric mean (Crawford & Williams 1985, which is also
the logarithmic least-squares solution) instead of the eigenvector, and Alonso &
Lamata's (2006) random index instead of Saaty's. Whatever the priority method, λmax is
the principal eigenvalue, because the random-index tables were calibrated on it.

Group AHP aggregates individual judgements (AIJ) by the element-wise, optionally
weighted, geometric mean, the only aggregation that keeps the result reciprocal
(Aczél & Saaty 1983).

Pure: numpy only, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from valueloop.errors import InputError
from valueloop.scoring.options import PriorityMethod as PriorityMethod
from valueloop.scoring.options import RandomIndexTable as RandomIndexTable
from valueloop.scoring.weights import FloatArray, as_matrix, as_vector, criterion_names

RANDOM_INDEX: dict[RandomIndexTable, dict[int, float]] = {
    # Saaty's classic table (n = 3..10), as the issue fixes it.
    RandomIndexTable.saaty: {3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49},
    # Alonso & Lamata (2006), Int. J. Uncertainty, Fuzziness & Knowledge-Based Systems 14(4), 100,000 matrices.
    RandomIndexTable.alonso_lamata: dict(
        zip(
            range(3, 16),
            (0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854, 1.5141, 1.5365, 1.5551, 1.5713, 1.5838),
            strict=True,
        )
    ),
}

CR_THRESHOLD = 0.10
RECIPROCAL_TOLERANCE = 0.05


@dataclass(frozen=True)
class Judgement:
    """One pairwise judgement ``row`` over ``col``: what was given, what the weights imply."""

    row: str
    col: str
    given: float
    implied: float


@dataclass(frozen=True)
class AhpResult:
    """AHP priorities and consistency; ``worst_judgement`` is set only when inconsistent."""

    criteria: tuple[str, ...]
    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    cr: float
    consistent: bool
    worst_judgement: Judgement | None
    variant: str


def random_index(n: int, table: RandomIndexTable | Mapping[int, float] = RandomIndexTable.saaty) -> float:
    """RI for an ``n × n`` matrix; 0 for n ≤ 2, where every reciprocal matrix is consistent."""
    if n <= 2:
        return 0.0
    values = RANDOM_INDEX[table] if isinstance(table, RandomIndexTable) else table
    if n not in values:
        name = table.value if isinstance(table, RandomIndexTable) else "given"
        raise InputError(
            f"the {name} random-index table has no value for n = {n} (it covers n = "
            f"{min(values)}..{max(values)}); use random_index='alonso-lamata' (n ≤ 15) or supply a table"
        )
    return float(values[n])


def check_pairwise(values: npt.ArrayLike, tolerance: float = RECIPROCAL_TOLERANCE) -> FloatArray:
    """Return a valid pairwise judgement matrix, or raise one error listing every bad cell.

    Judgements must be positive with ``a_ji = 1 / a_ij``. Typed entries such as ``0.13``
    for 1/8 are off by a few per cent, so reciprocity is accepted within ``tolerance``
    (relative, on ``a_ij * a_ji``); cells are 1-based (row, col) of the matrix.
    """
    a = as_matrix(values, "judgement matrix")
    n = a.shape[0]
    if a.shape != (n, n):
        raise InputError(f"judgement matrix must be square (got {a.shape[0]} rows × {a.shape[1]} columns)")
    problems = [f"cell (row {i + 1}, col {j + 1}) = {a[i, j]:g} is not positive" for i, j in np.argwhere(a <= 0)]
    if not problems:
        problems = _reciprocity_problems(a, tolerance)
    if problems:
        raise InputError("; ".join(problems))
    return a


def _reciprocity_problems(a: FloatArray, tolerance: float) -> list[str]:
    problems = [
        f"cell (row {i + 1}, col {i + 1}) = {a[i, i]:g} must be 1"
        for i in range(a.shape[0])
        if abs(np.log(a[i, i])) > tolerance
    ]
    for i, j in zip(*np.triu_indices(a.shape[0], k=1), strict=True):
        if abs(np.log(a[i, j] * a[j, i])) > tolerance:
            problems.append(
                f"cell (row {i + 1}, col {j + 1}) = {a[i, j]:g} is not the reciprocal "
                f"of cell (row {j + 1}, col {i + 1}) = {a[j, i]:g}"
            )
    return problems


def principal_eigen(a: FloatArray) -> tuple[float, FloatArray]:
    """Principal (Perron) eigenvalue and its eigenvector scaled to sum to 1."""
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    vector = np.abs(vectors[:, k].real)
    return float(values[k].real), vector / vector.sum()


def geometric_mean_priorities(a: FloatArray) -> FloatArray:
    """Row geometric means scaled to sum to 1 (logarithmic least squares)."""
    g = np.exp(np.log(a).mean(axis=1))
    return np.asarray(g / g.sum(), dtype=np.float64)


def worst_judgement(a: FloatArray, weights: FloatArray, criteria: Sequence[str]) -> Judgement:
    """The judgement furthest from what the weights imply.

    Saaty (2003, EJOR 145:85-91) points at the largest ``a_ij * w_j / w_i``; over all
    (i, j) that is the pair with the largest ``|log(a_ij * w_j / w_i)|``.
    """
    deviation = np.abs(np.log(a * weights[None, :] / weights[:, None]))
    i, j = (int(k) for k in np.unravel_index(int(np.argmax(deviation)), a.shape))
    if i > j:
        i, j = j, i
    return Judgement(criteria[i], criteria[j], float(a[i, j]), float(weights[i] / weights[j]))


def ahp(
    matrix: npt.ArrayLike,
    criteria: Sequence[str] | None = None,
    *,
    method: PriorityMethod = PriorityMethod.eigenvector,
    random_index_table: RandomIndexTable | Mapping[int, float] = RandomIndexTable.saaty,
    threshold: float = CR_THRESHOLD,
    tolerance: float = RECIPROCAL_TOLERANCE,
) -> AhpResult:
    """Priorities, λmax, CI and CR of one judgement matrix (see the module for the variant).

    >>> r = ahp([[1, 3], [1 / 3, 1]], ["a", "b"])
    >>> [round(w, 2) for w in r.weights], r.cr, r.consistent
    ([0.75, 0.25], 0.0, True)
    """
    a = check_pairwise(matrix, tolerance)
    n = a.shape[0]
    names = criterion_names(criteria, n)
    lambda_max, eigenvector = principal_eigen(a)
    w = eigenvector if method is PriorityMethod.eigenvector else geometric_mean_priorities(a)
    ri = random_index(n, random_index_table)
    ci = max(0.0, (lambda_max - n) / (n - 1)) if n > 2 else 0.0
    cr = ci / ri if n > 2 else 0.0
    consistent = cr <= threshold
    worst = None if consistent else worst_judgement(a, w, names)
    table = random_index_table.value if isinstance(random_index_table, RandomIndexTable) else "custom"
    return AhpResult(
        names, tuple(float(x) for x in w), lambda_max, ci, cr, consistent, worst, f"ahp/{method.value}/ri={table}"
    )


def aggregate_judgements(matrices: Sequence[npt.ArrayLike], expert_weights: npt.ArrayLike | None = None) -> FloatArray:
    """Element-wise weighted geometric mean of several experts' judgement matrices (AIJ).

    Each matrix is checked on its own first, so an error names the expert (1-based).
    """
    if not matrices:
        raise InputError("group AHP needs at least one judgement matrix")
    checked = []
    for k, m in enumerate(matrices):
        try:
            checked.append(check_pairwise(m))
        except InputError as err:
            raise InputError(f"expert {k + 1}: {err}") from err
    shapes = {m.shape for m in checked}
    if len(shapes) > 1:
        raise InputError(f"experts' matrices differ in size: {sorted(shapes)}")
    lam = np.full(len(checked), 1.0) if expert_weights is None else as_vector(expert_weights, "expert weights")
    if lam.size != len(checked) or np.any(lam < 0) or lam.sum() <= 0:
        raise InputError("expert weights must be one non-negative number per expert, not all 0")
    lam = lam / lam.sum()
    logs = np.stack([np.log(m) for m in checked])
    return np.asarray(np.exp(np.tensordot(lam, logs, axes=1)), dtype=np.float64)


def group_ahp(
    matrices: Sequence[npt.ArrayLike],
    criteria: Sequence[str] | None = None,
    *,
    expert_weights: npt.ArrayLike | None = None,
    method: PriorityMethod = PriorityMethod.eigenvector,
    random_index_table: RandomIndexTable | Mapping[int, float] = RandomIndexTable.saaty,
    threshold: float = CR_THRESHOLD,
) -> AhpResult:
    """AHP on the geometric-mean aggregate of several experts' matrices (AIJ)."""
    combined = aggregate_judgements(matrices, expert_weights)
    result = ahp(combined, criteria, method=method, random_index_table=random_index_table, threshold=threshold)
    return replace(result, variant=f"group-aij/{result.variant}")
