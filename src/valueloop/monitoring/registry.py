"""Detector names → implementations, and running one over a whole series.

A plain dict, bound explicitly (STYLE §3): the CLI's ``--detector`` choices, the NAB
benchmark and the contract tests all read this one table. ``DEFAULT`` is the detector
``valueloop monitor detect`` uses: the anomaly likelihood, the only one whose score is a
calibrated probability and whose flags are suppressed per incident, so its shipped
threshold holds across series (``bench/nab_bench.py``, docs/monitoring.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from valueloop.monitoring.base import BoolArray, Detector, FloatArray
from valueloop.monitoring.cusum import CUSUM
from valueloop.monitoring.ewma import EWMAChart
from valueloop.monitoring.likelihood import TailLikelihood
from valueloop.monitoring.names import DEFAULT as DEFAULT
from valueloop.monitoring.robust_z import RobustZScore
from valueloop.monitoring.seasonal import SeasonalBaseline
from valueloop.monitoring.threshold import BenchmarkRatio, StaticThreshold

DETECTORS: dict[str, Callable[..., Detector]] = {
    "static": StaticThreshold,
    "benchmark": BenchmarkRatio,
    "robust_z": RobustZScore,
    "ewma": EWMAChart,
    "cusum": CUSUM,
    "seasonal": SeasonalBaseline,
    "likelihood": TailLikelihood,
}


def make(name: str, **params: Any) -> Detector:
    """A fresh detector by registry name; unknown names raise KeyError listing the known ones."""
    try:
        factory = DETECTORS[name]
    except KeyError:
        raise KeyError(f"unknown detector {name!r} (known: {', '.join(DETECTORS)})") from None
    return factory(**params)


def run(
    detector: Detector, values: Sequence[float] | FloatArray, times: Sequence[float] | FloatArray | None = None
) -> tuple[FloatArray, BoolArray]:
    """Feed a series through ``detector``: (scores, fired) arrays, one entry per value."""
    n = len(values)
    scores = np.zeros(n)
    fired = np.zeros(n, dtype=bool)
    for i in range(n):
        detector.update(float(values[i]), None if times is None else float(times[i]))
        scores[i], fired[i] = detector.get(), detector.fired
    return scores, fired
