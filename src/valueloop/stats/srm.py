"""Sample-ratio mismatch (SRM): did randomisation deliver the split it promised?

Why: when a 50/50 test arrives 52/48 on a large sample, something between assignment
and logging lost units (a redirect, a crash, a bot filter), and the groups are no
longer comparable; any effect estimate is then suspect, however small its p-value.

Variant: Pearson's chi-square goodness-of-fit test of the observed unit counts against
the designed shares (``scipy.stats.chisquare``), ``k − 1`` degrees of freedom.
Threshold: :data:`SRM_ALPHA` = 0.001 — our choice: strict, because every test is
checked and a healthy one should be blocked only about once in a thousand runs, yet a
real SRM on thousands of units gives p-values far below it. (Fabijan et al.,
"Diagnosing Sample Ratio Mismatch in Online Controlled Experiments", KDD 2019, catalogue
the causes.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

#: A p-value below this blocks the verdict.
SRM_ALPHA = 0.001


def srm_p_value(counts: Sequence[int], shares: Sequence[float] | None = None) -> float | None:
    """Chi-square p-value of ``counts`` against ``shares`` (default equal); None if no units."""
    observed = np.asarray(counts, dtype=np.float64)
    total = observed.sum()
    if total <= 0 or observed.size < 2:
        return None
    share = np.full(observed.size, 1 / observed.size) if shares is None else np.asarray(shares, dtype=np.float64)
    if share.shape != observed.shape or np.any(share <= 0) or not np.isclose(share.sum(), 1.0):
        raise ValueError(f"shares must be {observed.size} positive numbers summing to 1, got {list(share)}")
    expected = total * share
    chi2 = float(np.sum((observed - expected) ** 2 / expected))
    return float(stats.chi2.sf(chi2, observed.size - 1))
