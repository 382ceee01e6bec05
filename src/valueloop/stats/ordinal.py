"""Ordinal satisfaction scores (1–5 stars, CSAT, NPS answers): Mann–Whitney U.

Why: the distance between "satisfied" and "very satisfied" is not a number, so a mean
difference over-interprets the scale; the rank test asks only whether a treated
customer tends to answer higher than a control customer.

Variant: ``scipy.stats.mannwhitneyu`` two-sided (``method="auto"``: exact for small
samples without ties, otherwise the normal approximation with tie and continuity
correction). Effect sizes: the probability of superiority ``P(T > C) + ½P(T = C) =
U_t/(n_t·n_c)`` and the rank-biserial correlation ``2·P − 1`` (Kerby 2014).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats


@dataclass(frozen=True)
class RankTest:
    """Mann–Whitney U of treatment vs control with effect sizes, or why not."""

    u: float | None
    p_value: float | None
    prob_superiority: float | None
    rank_biserial: float | None
    reason: str | None = None


def mann_whitney(control: npt.ArrayLike, treatment: npt.ArrayLike) -> RankTest:
    """Two-sided Mann–Whitney U test; U is the treatment's statistic."""
    c, t = np.asarray(control, dtype=np.float64), np.asarray(treatment, dtype=np.float64)
    if c.size == 0 or t.size == 0:
        return RankTest(None, None, None, None, "a group is empty")
    if np.unique(np.concatenate([c, t])).size == 1:
        return RankTest(None, None, 0.5, 0.0, "every answer in both groups is the same: no ranks to compare")
    result = stats.mannwhitneyu(t, c, alternative="two-sided")
    prob = float(result.statistic) / (c.size * t.size)
    return RankTest(float(result.statistic), float(result.pvalue), prob, 2 * prob - 1)
