"""Grades from scores: absolute thresholds or a forced distribution, and incentive coefficients.

* **Absolute**: ``A`` from 90, ``B`` from 80, … — everyone can get an A if everyone is good.
* **Forced distribution**: quotas such as 20 % A / 70 % B / 10 % C of the ranked staff;
  counts use largest remainders so they add up to the headcount, and tied scores never
  straddle a boundary (the tie goes to the better grade).

>>> absolute_grades([95, 85, 50])
['A', 'B', 'D']
>>> forced_grades([90, 80, 70, 60, 50, 40, 30, 20, 10, 0], {"A": 0.2, "B": 0.7, "C": 0.1})
['A', 'A', 'B', 'B', 'B', 'B', 'B', 'B', 'B', 'C']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

DEFAULT_THRESHOLDS: tuple[tuple[str, float], ...] = (("A", 90.0), ("B", 80.0), ("C", 70.0), ("D", float("-inf")))
DEFAULT_QUOTAS: dict[str, float] = {"A": 0.2, "B": 0.7, "C": 0.1}
DEFAULT_INCENTIVES: dict[str, float] = {"A": 1.2, "B": 1.0, "C": 0.8, "D": 0.6}


def absolute_grades(
    scores: Sequence[float | None], thresholds: Sequence[tuple[str, float]] = DEFAULT_THRESHOLDS
) -> list[str | None]:
    """The first grade whose minimum the score reaches (thresholds best first); None for no score."""
    out: list[str | None] = []
    for s in scores:
        out.append(
            None if s is None or math.isnan(s) else next((g for g, lo in thresholds if s >= lo), thresholds[-1][0])
        )
    return out


def quota_counts(n: int, quotas: Mapping[str, float]) -> dict[str, int]:
    """Headcount per grade by largest remainder; quotas must sum to 1."""
    total = sum(quotas.values())
    if abs(total - 1.0) > 1e-6 or any(q < 0 for q in quotas.values()):
        raise ValueError(f"quotas must be non-negative and sum to 1, got {dict(quotas)} (sum {total:g})")
    exact = {g: q * n for g, q in quotas.items()}
    counts = {g: math.floor(x) for g, x in exact.items()}
    for g in sorted(exact, key=lambda g: (-(exact[g] - counts[g]), list(quotas).index(g)))[: n - sum(counts.values())]:
        counts[g] += 1
    return counts


def forced_grades(scores: Sequence[float | None], quotas: Mapping[str, float] = DEFAULT_QUOTAS) -> list[str | None]:
    """Grades by rank (quotas best first); staff without a score get None and do not count."""
    valid = {i: float(s) for i, s in enumerate(scores) if s is not None and not math.isnan(s)}
    scored = sorted(valid, key=lambda i: -valid[i])
    counts = quota_counts(len(scored), quotas)
    labels = [g for g in quotas for _ in range(counts[g])]
    out: list[str | None] = [None] * len(scores)
    for rank, i in enumerate(scored):
        tied = rank > 0 and valid[i] == valid[scored[rank - 1]]
        out[i] = out[scored[rank - 1]] if tied else labels[rank]
    return out


def incentive(grades: Sequence[str | None], table: Mapping[str, float] = DEFAULT_INCENTIVES) -> list[float | None]:
    """The incentive coefficient of each grade (None when ungraded or not in the table)."""
    return [None if g is None else table.get(g) for g in grades]
