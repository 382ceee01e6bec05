"""Exact quantiles that agree bit for bit with ``numpy.quantile(method="linear")``.

The streaming windows keep their values sorted and read quantiles off directly; doing the
index and interpolation arithmetic exactly as numpy does (virtual index ``(n − 1)·q``,
then numpy's two-sided lerp) makes the streaming == batch oracle an equality, not a
tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from valueloop.monitoring.base import FloatArray


def _lerp(a: float, b: float, frac: float) -> float:
    diff = b - a
    return b - diff * (1.0 - frac) if frac >= 0.5 else a + diff * frac


def sorted_quantile(values: Sequence[float], q: float) -> float:
    """Quantile ``q`` of already sorted ``values``; NaN when there are none."""
    n = len(values)
    if n == 0:
        return math.nan
    virtual = min(max((n - 1) * q, 0.0), n - 1.0)
    lo = math.floor(virtual)
    return _lerp(values[lo], values[min(lo + 1, n - 1)], virtual - lo)


def rows_quantile(rows: FloatArray, counts: FloatArray, q: float) -> FloatArray:
    """Quantile ``q`` of each row of ``rows`` (sorted, real values first, padding after).

    ``counts`` is the number of real values in each row; rows with none give NaN.
    """
    n = counts.astype(np.float64)
    virtual = np.clip((n - 1.0) * q, 0.0, np.maximum(n - 1.0, 0.0))
    lo = np.floor(virtual).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(counts.astype(np.int64) - 1, 0))
    a = np.take_along_axis(rows, lo[:, None], axis=1)[:, 0]
    b = np.take_along_axis(rows, hi[:, None], axis=1)[:, 0]
    frac = virtual - lo
    diff = b - a
    out = np.where(frac >= 0.5, b - diff * (1.0 - frac), a + diff * frac)
    return np.where(counts > 0, out, np.nan)
