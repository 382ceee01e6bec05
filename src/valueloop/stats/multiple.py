"""Multiple-testing corrections over several metrics of one test.

Why: a team that checks ten metrics at 5 % finds a "significant" one by luck four
times in ten. Two variants, both returning adjusted p-values (compare with α):

* ``holm`` — Holm's step-down (1979): controls the family-wise error rate, uniformly
  more powerful than Bonferroni, valid under any dependence;
* ``bh`` — Benjamini–Hochberg step-up (1995): controls the false discovery rate,
  for independent or positively dependent tests.

Same numbers as statsmodels ``multipletests(method="holm" | "fdr_bh")``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from valueloop.stats.moments import FloatArray

Correction = Literal["holm", "bh"]


def _checked(p_values: Sequence[float]) -> FloatArray:
    p = np.asarray(p_values, dtype=np.float64)
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must be numbers between 0 and 1")
    return p


def holm(p_values: Sequence[float]) -> FloatArray:
    """Holm adjusted p-values: running max of ``(m − i)·p_(i)``, capped at 1."""
    p = _checked(p_values)
    order = np.argsort(p, kind="stable")
    scaled = (p.size - np.arange(p.size)) * p[order]
    out = np.empty_like(p)
    out[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return out


def benjamini_hochberg(p_values: Sequence[float]) -> FloatArray:
    """BH adjusted p-values: running min from the top of ``m·p_(i)/i``, capped at 1."""
    p = _checked(p_values)
    order = np.argsort(p, kind="stable")
    scaled = p.size * p[order] / np.arange(1, p.size + 1)
    out = np.empty_like(p)
    out[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return out


def adjust(p_values: Sequence[float], method: Correction) -> FloatArray:
    """Adjusted p-values by the named correction."""
    return holm(p_values) if method == "holm" else benjamini_hochberg(p_values)
