"""Inter-rater agreement: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha.

Used for calibration visits, where several mystery shoppers score the same visit: an
auditor panel whose agreement is poor is measuring the auditors, not the branch.

* **Cohen's kappa** (Cohen 1960): two raters, nominal categories, optionally weighted
  (linear or quadratic) for ordered scales. ``κ = (p_o − p_e) / (1 − p_e)``.
* **Fleiss' kappa** (Fleiss 1971): any fixed number of raters per subject, from a
  subjects × categories table of counts.
* **Krippendorff's alpha** (Krippendorff 2011, "Computing Krippendorff's
  Alpha-Reliability"): any number of coders, missing values allowed, nominal / ordinal /
  interval metrics, ``α = 1 − D_o / D_e`` from the coincidence matrix.

Degenerate data (one category only, no pairable unit) gives NaN, not an exception:
agreement is undefined there, and the caller reports it so.

>>> round(cohen_kappa(["y"] * 20 + ["y"] * 5 + ["n"] * 10 + ["n"] * 15,
...                   ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15), 3)
0.4
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from enum import StrEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class Level(StrEnum):
    """Level of measurement for Krippendorff's alpha."""

    nominal = "nominal"
    ordinal = "ordinal"
    interval = "interval"


class KappaWeights(StrEnum):
    none = "none"
    linear = "linear"
    quadratic = "quadratic"


def _codes(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[list[Hashable], FloatArray]:
    if len(a) != len(b):
        raise ValueError(f"both raters must rate the same items: {len(a)} vs {len(b)} ratings")
    labels = sorted(set(a) | set(b), key=lambda v: (str(type(v)), str(v)))
    index = {v: i for i, v in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for x, y in zip(a, b, strict=True):
        table[index[x], index[y]] += 1
    return labels, table


def _disagreement(k: int, weights: KappaWeights) -> FloatArray:
    i, j = np.indices((k, k))
    diff = np.abs(i - j).astype(np.float64)
    out: FloatArray = (diff > 0).astype(np.float64) if weights is KappaWeights.none else diff
    return out**2 if weights is KappaWeights.quadratic else out


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable], weights: KappaWeights | str = KappaWeights.none) -> float:
    """Cohen's kappa of two raters' labels for the same items (sorted labels order the weighted scale)."""
    _, table = _codes(a, b)
    n = table.sum()
    if n == 0:
        return float("nan")
    expected = np.outer(table.sum(1), table.sum(0)) / n
    w = _disagreement(table.shape[0], KappaWeights(weights))
    chance = float((w * expected).sum())
    return float("nan") if chance == 0 else 1.0 - float((w * table).sum()) / chance


def fleiss_kappa(counts: npt.ArrayLike) -> float:
    """Fleiss' kappa from a subjects × categories table; every subject needs the same rater count."""
    table = np.asarray(counts, dtype=np.float64)
    raters = table.sum(1)
    if table.ndim != 2 or table.shape[0] == 0:
        raise ValueError("counts must be a non-empty subjects × categories table")
    if not np.allclose(raters, raters[0]) or raters[0] < 2:
        raise ValueError("every subject must be rated by the same number (≥ 2) of raters")
    m = raters[0]
    p_j = table.sum(0) / table.sum()
    p_i = ((table * (table - 1)).sum(1)) / (m * (m - 1))
    p_e = float((p_j**2).sum())
    return float("nan") if p_e == 1 else (float(p_i.mean()) - p_e) / (1 - p_e)


def _coincidences(data: FloatArray, values: FloatArray) -> FloatArray:
    """Krippendorff's coincidence matrix ``o_ck`` over units with at least two values."""
    index = {v: i for i, v in enumerate(values)}
    o = np.zeros((values.size, values.size))
    for unit in data.T:
        present = unit[~np.isnan(unit)]
        if present.size < 2:
            continue
        counts = np.zeros(values.size)
        for v in present:
            counts[index[v]] += 1
        o += (np.outer(counts, counts) - np.diag(counts)) / (present.size - 1)
    return o


def _delta2(values: FloatArray, n_c: FloatArray, level: Level) -> FloatArray:
    if level is Level.nominal:
        return 1.0 - np.eye(values.size)
    if level is Level.interval:
        return np.subtract.outer(values, values) ** 2
    cum = np.concatenate([[0.0], np.cumsum(n_c)])
    i, j = np.indices((values.size, values.size))
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    between = cum[hi + 1] - cum[lo] - (n_c[lo] + n_c[hi]) / 2.0
    out: FloatArray = between**2
    return out


def krippendorff_alpha(reliability_data: npt.ArrayLike, level: Level | str = Level.nominal) -> float:
    """Krippendorff's alpha of a coders × units matrix of numeric codes, NaN = not coded.

    Ordinal codes are ranked by value; nominal codes may be any numbers standing for labels.
    """
    data = np.atleast_2d(np.asarray(reliability_data, dtype=np.float64))
    values = np.unique(data[~np.isnan(data)])
    o = _coincidences(data, values)
    n_c = o.sum(1)
    n = n_c.sum()
    if values.size < 2 or n <= 1:
        return float("nan")
    d2 = _delta2(values, n_c, Level(level))
    observed = float((o * d2).sum())
    expected = float((np.outer(n_c, n_c) * d2).sum()) / (n - 1)
    return float("nan") if expected == 0 else 1.0 - observed / expected
