"""The same windows, a micro-batch at a time, with numpy instead of a Python loop per event.

Each function gives exactly what feeding the events one by one through
:mod:`valueloop.monitoring.windows` gives (the tests check equality on every prefix); they
exist because a collector that flushes a thousand events at once should not pay a
thousand Python calls. Windows are laid out as rows of a padded matrix, sorted with NaN
padding last, and quantiles read with numpy's own interpolation arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from valueloop.errors import InputError
from valueloop.monitoring.base import FloatArray
from valueloop.monitoring.quantile import rows_quantile
from valueloop.monitoring.windows import SlidingWindow, WindowStats

IntArray = npt.NDArray[np.int64]
CELLS = 4_000_000  # padded-matrix budget per chunk (32 MB of floats)


@dataclass(frozen=True)
class SlidingFrame:
    """Per-event sliding-window KPIs, one entry per event of the batch."""

    end: FloatArray
    count: IntArray
    rate: FloatArray
    p50: FloatArray
    p90: FloatArray


def _check(t: FloatArray, x: FloatArray) -> None:
    if t.shape != x.shape or t.ndim != 1:
        raise InputError("times and values must be 1-D arrays of the same length")
    if t.size and np.any(np.diff(t) < 0):
        raise InputError("windows need events in time order")


def window_quantiles(x: FloatArray, lo: IntArray, hi: IntArray, qs: tuple[float, ...]) -> list[FloatArray]:
    """Quantiles of x[lo[i]:hi[i]] (finite values only) for each i, chunked to bound memory.

    Rows are grouped by width (within a factor of two), so a few wide windows (the overall
    series) do not pad thousands of narrow ones (single units) to their width.
    """
    out = [np.full(len(lo), np.nan) for _ in qs]
    width = hi - lo
    order = np.argsort(width, kind="stable")
    widths = width[order]
    # width classes [2^c, 2^(c+1)): padding a row to its class's widest costs at most 2×
    classes = np.ceil(np.log2(np.maximum(widths, 1))).astype(np.int64)
    bounds = np.flatnonzero(np.diff(classes)) + 1
    starts = [int(np.searchsorted(widths, 1)), *bounds.tolist()]  # empty windows stay NaN
    ends = [*bounds.tolist(), len(order)]
    for a, b in zip(starts, ends, strict=True):
        if a >= b:
            continue
        w = int(widths[b - 1])
        step = max(1, CELLS // w)
        for s in range(a, b, step):
            rows_of = order[s : min(b, s + step)]
            idx = lo[rows_of, None] + np.arange(w)[None, :]
            inside = idx < hi[rows_of, None]
            rows = np.where(inside, x[np.minimum(idx, len(x) - 1)], np.nan)
            rows.sort(axis=1)  # NaN (padding and missing values) sorts last
            counts = np.isfinite(rows).sum(axis=1)
            for k, q in enumerate(qs):
                out[k][rows_of] = rows_quantile(rows, counts, q)
    return out


def sliding_batch(window: SlidingWindow, x: FloatArray, t: FloatArray) -> SlidingFrame:
    """Feed a micro-batch into ``window``; KPIs after each event, as ``update``/``get`` would give."""
    x, t = np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64)
    _check(t, x)
    kept = window.retained()
    if kept and t.size and t[0] < kept[-1][0]:
        raise InputError("windows need events in time order")
    all_t = np.concatenate([np.array([e[0] for e in kept], dtype=np.float64), t])
    all_x = np.concatenate([np.array([e[1] for e in kept], dtype=np.float64), x])
    hi = np.arange(len(kept), len(all_t)) + 1
    lo = np.searchsorted(all_t, t - window.width, side="right").astype(np.int64)
    p50, p90 = window_quantiles(all_x, lo, hi, (0.5, 0.9))
    count = hi - lo
    if t.size:
        window.restore(list(zip(all_t[lo[-1] :].tolist(), all_x[lo[-1] :].tolist(), strict=True)))
    rate = np.asarray(count * 60.0 / window.width, dtype=np.float64)
    return SlidingFrame(t.copy(), count, rate, p50, p90)


def tumbling_batch(x: FloatArray, t: FloatArray, width: float = 60.0) -> list[WindowStats]:
    """Every bucket from the first event's to the last one's, empty ones included, in order."""
    x, t = np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64)
    _check(t, x)
    if not t.size:
        return []
    bucket = np.floor(t / width).astype(np.int64)
    first, last = int(bucket[0]), int(bucket[-1])
    keys = np.arange(first, last + 2)
    bounds = np.searchsorted(bucket, keys, side="left").astype(np.int64)
    lo, hi = bounds[:-1], bounds[1:]
    p50, p90 = window_quantiles(x, lo, hi, (0.5, 0.9))
    count = hi - lo
    return [
        WindowStats(k * width, (k + 1) * width, int(c), int(c) * 60.0 / width, float(a), float(b))
        for k, c, a, b in zip(keys[:-1].tolist(), count.tolist(), p50.tolist(), p90.tolist(), strict=True)
    ]
