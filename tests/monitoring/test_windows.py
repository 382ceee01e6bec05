"""Oracle tests: streaming windows == numpy/pandas over the same events, on every prefix."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from valueloop.errors import InputError
from valueloop.monitoring.quantile import sorted_quantile
from valueloop.monitoring.windows import SlidingWindow, TumblingWindow, WindowStats
from valueloop.monitoring.windows_batch import sliding_batch, tumbling_batch

values = st.floats(-1e6, 1e6, allow_nan=False) | st.just(math.nan)
gaps = st.integers(0, 400).map(float)
events = st.lists(st.tuples(gaps, values), min_size=1, max_size=60)


def _arrays(evs: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    t = 1_000_000.0 + np.cumsum([g for g, _ in evs])
    return t, np.array([x for _, x in evs], dtype=float)


def _batch_quantile(x: np.ndarray, q: float) -> float:
    finite = x[np.isfinite(x)]
    return float(np.quantile(finite, q)) if finite.size else math.nan


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=40), st.floats(0, 1))
def test_sorted_quantile_is_numpy_linear_exactly(xs: list[float], q: float) -> None:
    assert sorted_quantile(sorted(xs), q) == float(np.quantile(xs, q))


@settings(max_examples=60, deadline=None)
@given(events, st.sampled_from([900.0, 3600.0]))
def test_sliding_equals_numpy_on_every_prefix(evs: list[tuple[float, float]], width: float) -> None:
    t, x = _arrays(evs)
    w = SlidingWindow(width)
    for k in range(len(t)):
        w.update(float(x[k]), float(t[k]))
        inside = (t[: k + 1] > t[k] - width) & (np.arange(k + 1) <= k)
        got = w.get()
        assert got.count == int(inside.sum())
        assert got.rate == inside.sum() * 60.0 / width
        assert _same(got.p50, _batch_quantile(x[: k + 1][inside], 0.5))
        assert _same(got.p90, _batch_quantile(x[: k + 1][inside], 0.9))


def test_sliding_equals_pandas_rolling() -> None:
    rng = np.random.default_rng(5)
    t = 1_700_000_000 + np.cumsum(rng.integers(1, 120, 2000))
    x = rng.lognormal(3, 1, 2000)
    frame = pd.Series(x, index=pd.to_datetime(t, unit="s"))
    for width, label in [(900.0, "15min"), (3600.0, "60min")]:
        rolling = frame.rolling(label)
        expected = {"count": rolling.count(), "p50": rolling.quantile(0.5), "p90": rolling.quantile(0.9)}
        w = SlidingWindow(width)
        got = []
        for ti, xi in zip(t, x, strict=True):
            w.update(float(xi), float(ti))
            got.append(w.get())
        assert [g.count for g in got] == expected["count"].astype(int).tolist()
        np.testing.assert_allclose([g.p50 for g in got], expected["p50"], rtol=1e-12)
        np.testing.assert_allclose([g.p90 for g in got], expected["p90"], rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(events)
def test_tumbling_equals_pandas_groupby(evs: list[tuple[float, float]]) -> None:
    t, x = _arrays(evs)
    w = TumblingWindow(60.0)
    streamed: list[WindowStats] = []
    for k in range(len(t)):
        streamed += w.update(float(x[k]), float(t[k]))
        current = w.get()  # every prefix: the open minute is the batch group of the latest event
        same_minute = np.floor(t[: k + 1] / 60) == np.floor(t[k] / 60)
        assert current.count == int(same_minute.sum())
        assert _same(current.p50, _batch_quantile(x[: k + 1][same_minute], 0.5))
    streamed.append(w.get())
    minute = np.floor(t / 60).astype(int)
    groups = pd.Series(x).groupby(minute)
    every = pd.RangeIndex(minute[0], minute[-1] + 1)
    counts = groups.size().reindex(every, fill_value=0)
    p90 = groups.quantile(0.9).reindex(every)
    assert [s.count for s in streamed] == counts.tolist()
    assert [s.start for s in streamed] == (every * 60.0).tolist()
    np.testing.assert_allclose([s.p90 for s in streamed], p90.to_numpy(dtype=float), rtol=1e-12)  # pandas' own lerp
    batch = tumbling_batch(x, t, 60.0)
    np.testing.assert_equal([dataclasses.astuple(s) for s in streamed], [dataclasses.astuple(s) for s in batch])


@settings(max_examples=60, deadline=None)
@given(events, st.lists(st.integers(1, 20), min_size=1, max_size=8))
def test_sliding_micro_batches_equal_per_event(evs: list[tuple[float, float]], sizes: list[int]) -> None:
    t, x = _arrays(evs)
    one, many = SlidingWindow(900.0), SlidingWindow(900.0)
    start, size_iter = 0, iter(sizes * 60)
    while start < len(t):
        stop = min(len(t), start + next(size_iter))
        frame = sliding_batch(many, x[start:stop], t[start:stop])
        for j, k in enumerate(range(start, stop)):
            one.update(float(x[k]), float(t[k]))
            ref = one.get()
            assert (int(frame.count[j]), float(frame.rate[j])) == (ref.count, ref.rate)
            assert _same(float(frame.p50[j]), ref.p50) and _same(float(frame.p90[j]), ref.p90)
        start = stop
    np.testing.assert_equal(many.retained(), one.retained())


def test_events_out_of_order_are_refused() -> None:
    w = SlidingWindow()
    w.update(1.0, 100.0)
    with pytest.raises(InputError, match="time order"):
        w.update(1.0, 99.0)
    with pytest.raises(InputError, match="time order"):
        sliding_batch(w, np.array([1.0]), np.array([50.0]))
    with pytest.raises(InputError, match="time order"):
        tumbling_batch(np.array([1.0, 2.0]), np.array([5.0, 4.0]))


def test_empty_window_reads_as_no_traffic() -> None:
    assert SlidingWindow().get().count == 0 and math.isnan(SlidingWindow().get().p50)
    assert tumbling_batch(np.array([]), np.array([])) == []
    w = TumblingWindow(60.0)
    w.update(1.0, 0.0)
    closed = w.update(1.0, 200.0)
    assert [(c.start, c.count, c.rate) for c in closed] == [(0.0, 1, 1.0), (60.0, 0, 0.0), (120.0, 0, 0.0)]
