"""Contract suite over every registered detector, then each detector's own maths."""

from __future__ import annotations

import doctest
import importlib
import math
import pkgutil

import numpy as np
import pandas as pd
import pytest

import valueloop.monitoring
from valueloop.monitoring import names
from valueloop.monitoring.base import SCORE_CAP, Detector, ScoreDetector
from valueloop.monitoring.cusum import CUSUM
from valueloop.monitoring.ewma import EWMAChart
from valueloop.monitoring.registry import DEFAULT, DETECTORS, make, run
from valueloop.monitoring.robust_z import RobustZScore
from valueloop.monitoring.seasonal import WEEK, SeasonalBaseline
from valueloop.monitoring.threshold import BenchmarkRatio, StaticThreshold

NAMES = sorted(DETECTORS)
STEP = 300.0


def _noisy(n: int = 600, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 100.0 + 10.0 * np.sin(np.arange(n) * 2 * np.pi / 288) + rng.normal(0, 1, n)


def _times(n: int) -> np.ndarray:
    return 1_700_000_000.0 + STEP * np.arange(n)


def _all_subclasses(cls: type) -> set[type]:
    return set(cls.__subclasses__()).union(*(_all_subclasses(c) for c in cls.__subclasses__()))


@pytest.mark.parametrize("name", NAMES)
def test_follows_the_protocol(name: str) -> None:
    detector = make(name)
    assert isinstance(detector, Detector)
    assert detector.get() == 0.0 and detector.fired is False


@pytest.mark.parametrize("name", NAMES)
def test_deterministic(name: str) -> None:
    x = _noisy()
    first, second = run(make(name), x, _times(len(x))), run(make(name), x, _times(len(x)))
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])


@pytest.mark.parametrize("name", NAMES)
def test_nan_is_skipped_not_learnt(name: str) -> None:
    x = _noisy(400)
    with_gap = np.insert(x, 200, np.nan)
    times = _times(401)
    scores, fired = run(make(name), with_gap, times)
    clean, _ = run(make(name), x, np.delete(times, 200))
    assert scores[200] == 0.0 and not fired[200]
    assert np.array_equal(np.delete(scores, 200), clean)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("level", [0.0, 1.0, -3.5, 0.1, 1e9])
def test_constant_series_never_alarms(name: str, level: float) -> None:
    scores, fired = run(make(name), np.full(2000, level), _times(2000))
    assert not fired.any()
    assert np.all(scores < 1.2)  # the benchmark ratio of a constant is exactly 1


@pytest.mark.parametrize("name", NAMES)
def test_scores_are_finite_for_wild_input(name: str) -> None:
    x = np.concatenate([np.zeros(400), [1e300, -1e300, np.inf, -np.inf, 5.0], np.zeros(10)])
    scores, _ = run(make(name), x, _times(len(x)))
    assert np.all(np.isfinite(scores)) and np.all(scores >= 0) and np.all(scores <= SCORE_CAP)


def test_every_detector_is_registered() -> None:
    assert set(DETECTORS.values()) == _all_subclasses(ScoreDetector)
    assert DEFAULT in DETECTORS


def test_the_light_name_list_matches_the_registry() -> None:
    """The CLI's --detector choices come from names.NAMES, which must not drift from the registry."""
    assert tuple(DETECTORS) == names.NAMES


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="robust_z"):
        make("nope")


@pytest.mark.parametrize("name", ["robust_z", "ewma", "cusum"])
def test_a_spike_after_a_stable_baseline_fires(name: str) -> None:
    x = _noisy(400)
    x[350] += 40.0
    _, fired = run(make(name), x, _times(400))
    assert fired[350]


def test_modules_doctests() -> None:
    for info in pkgutil.iter_modules(valueloop.monitoring.__path__):
        module = importlib.import_module(f"valueloop.monitoring.{info.name}")
        assert doctest.testmod(module).failed == 0, info.name


def test_static_threshold_band() -> None:
    d = StaticThreshold(upper=100.0, lower=10.0)
    out = []
    for x in [50.0, 100.0, 101.0, 9.0, 5.0]:
        d.update(x)
        out.append((d.fired, round(d.get(), 3)))
    assert out == [(False, 0.0), (False, 0.0), (True, 0.01), (True, 0.1), (True, 0.5)]


def test_benchmark_rule_is_twenty_percent_over() -> None:
    """The policy's early warning: response time 20% over the industry benchmark."""
    d = BenchmarkRatio(benchmark=30.0)
    flags = []
    for x in [30.0, 35.9, 36.0, 45.0]:
        d.update(x)
        flags.append(d.fired)
    assert flags == [False, False, True, True]
    assert d.get() == pytest.approx(1.5)


def test_benchmark_learnt_from_warmup_median_then_frozen() -> None:
    d = BenchmarkRatio(warmup=3)
    for x in [10.0, 30.0, 20.0]:
        d.update(x)
        assert d.get() == 0.0
    d.update(25.0)
    assert d.benchmark == 20.0 and d.get() == 1.25 and d.fired


def test_robust_z_matches_hand_computation() -> None:
    d = RobustZScore(window=5, min_samples=5)
    for x in [1.0, 2.0, 3.0, 4.0, 100.0]:
        d.update(x)
    d.update(10.0)
    assert d.get() == pytest.approx((10 - 3) / (1.4826 * 1.0))  # median 3, MAD 1
    d.update(3.0)  # window now 2,3,4,100,10: median 4, MAD 2
    assert d.get() == pytest.approx(1 / (1.4826 * 2.0))


def test_ewma_statistic_equals_pandas_ewm() -> None:
    """Oracle: the chart's z is pandas' ewm(alpha=λ, adjust=False) of the series."""
    x = _noisy(300)
    d = EWMAChart(lam=0.2, min_samples=10)
    zs = []
    for v in x:
        d.update(float(v))
        zs.append(d._z)
    expected = pd.Series(x).ewm(alpha=0.2, adjust=False).mean().to_numpy()
    np.testing.assert_allclose(zs, expected, rtol=1e-12)


def test_cusum_accumulates_a_small_shift_and_restarts() -> None:
    """A 1σ shift: too small for a 3σ chart, caught by CUSUM within ~10 samples."""
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, 300), rng.normal(1.5, 1, 60)])
    d = CUSUM(k=0.5, threshold=5.0, alpha=0.001)
    _, fired = run(d, x)
    first = int(np.argmax(fired[300:]))
    assert fired[300:].any() and first < 15
    assert fired[:300].sum() <= 2  # in-control ARL ≈ 465 with known μ, σ; shorter while they are learnt


def test_seasonal_flags_a_value_normal_overall_but_not_for_its_hour() -> None:
    n = 288 * 5
    t = _times(n)
    hour = (t % 86400) // 3600
    x = np.where((hour >= 9) & (hour < 17), 100.0, 20.0) + np.random.default_rng(1).normal(0, 1, n)
    x[-1] = 100.0 if hour[-1] < 9 or hour[-1] >= 17 else 20.0
    _, fired = run(SeasonalBaseline(floor=0.05), x, t)  # the default floor trades this for NAB
    assert fired[-1] and not fired[288 * 2 : -1].any()


def test_seasonal_without_timestamps_assumes_the_step() -> None:
    x = np.tile([1.0, 5.0], 50)
    with_t, _ = run(SeasonalBaseline(period=600.0, bucket=300.0, min_samples=3), x, _times(100))
    without, _ = run(SeasonalBaseline(period=600.0, bucket=300.0, min_samples=3), x)
    assert np.array_equal(with_t, without) and not without.any()


def test_seasonal_minute_of_week() -> None:
    d = SeasonalBaseline(period=WEEK, bucket=60.0, min_samples=2, floor=0.05)
    for week in range(3):
        d.update(10.0 + week * 0.1, t=week * WEEK + 120.0)
        d.update(99.0, t=week * WEEK + 180.0)
    d.update(99.0, t=3 * WEEK + 120.0)
    assert d.fired and math.isfinite(d.get())
