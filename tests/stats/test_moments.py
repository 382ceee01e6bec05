"""Sufficient statistics: additivity (streaming == batch) and agreement with numpy."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from valueloop.stats.moments import CrossMoments, Moments

values = st.lists(st.floats(-1e3, 1e3, allow_nan=False), max_size=40)


@given(values, values)
def test_moments_of_a_concatenation_are_the_sum_of_the_moments(a: list[float], b: list[float]) -> None:
    whole, parts = Moments.of(a + b), Moments.of(a) + Moments.of(b)
    assert whole.n == parts.n
    assert math.isclose(whole.sum, parts.sum, rel_tol=1e-12, abs_tol=1e-9)
    assert math.isclose(whole.sum_sq, parts.sum_sq, rel_tol=1e-12, abs_tol=1e-9)


@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), max_size=60), st.integers(0, 60))
def test_batch_equals_merged_partials(pairs: list[tuple[float, float]], cut: int) -> None:
    x, y = [p[0] for p in pairs], [p[1] for p in pairs]
    batch = CrossMoments.of(x, y)
    merged = CrossMoments.of(x[:cut], y[:cut]) + CrossMoments.of(x[cut:], y[cut:])
    for field in ("sum_x", "sum_y", "sum_x2", "sum_y2", "sum_xy"):
        assert math.isclose(getattr(batch, field), getattr(merged, field), rel_tol=1e-12, abs_tol=1e-8)
    assert batch.n == merged.n


def test_mean_variance_and_covariance_match_numpy() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(5, 2, 500)
    y = 0.7 * x + rng.normal(0, 1, 500)
    m = CrossMoments.of(x, y)
    assert math.isclose(m.y.mean, float(y.mean()), rel_tol=1e-12)
    assert math.isclose(m.y.var, float(y.var(ddof=1)), rel_tol=1e-10)
    assert math.isclose(m.cov, float(np.cov(x, y)[0, 1]), rel_tol=1e-10)


def test_degenerate_groups_give_nan_not_an_exception() -> None:
    assert math.isnan(Moments().mean)
    assert math.isnan(Moments.of([4.0]).var)
    assert Moments.of([2.0, 2.0, 2.0]).var == 0.0
    assert Moments() + Moments.of([1.0]) == Moments.of([1.0])
