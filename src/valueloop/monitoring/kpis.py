"""The monitor's KPIs, defined once: counters per minute, and KPIs over 1, 15 and 60 minutes.

A minute is summarised by counters (how many interactions opened, complaints, errors, …)
and by its first-response times. A window's KPI is computed from the sums of its minutes'
counters (a rate is Σ numerator ÷ Σ denominator, never a mean of minute rates) and from
all first-response times inside it (exact type-7 quantiles, as numpy gives them). A
rate with a zero denominator is NaN: no traffic is not a 0 % complaint rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from valueloop.monitoring.base import FloatArray
from valueloop.monitoring.events import IntArray, Kind

COUNTERS: Final = (
    "opened",
    "first_responses",
    "resolved",
    "abandoned",
    "feedback",
    "negative_feedback",
    "complaints",
    "bot_handoffs",
    "errors",
    "events",
)
C = {name: i for i, name in enumerate(COUNTERS)}
NEGATIVE_CSAT: Final = 2.0
"""CSAT at or below this is negative feedback (the 1–2 of a 1–5 scale)."""

WINDOWS: Final = {"1m": 1, "15m": 15, "60m": 60}
"""Window name → width in minutes; sliding windows end at the close of each minute."""
HISTORY: Final = max(WINDOWS.values())

COUNT_KPIS: Final = {
    "volume": "opened",
    "resolved": "resolved",
    "complaints": "complaints",
    "bot_handoffs": "bot_handoffs",
    "errors": "errors",
    "events": "events",
    "feedback": "feedback",
    "first_responses": "first_responses",
}
RATE_KPIS: Final = {
    "complaint_rate": ("complaints", "opened"),
    "abandonment": ("abandoned", "opened"),
    "negative_feedback_rate": ("negative_feedback", "feedback"),
    "error_rate": ("errors", "events"),
}
QUANTILE_KPIS: Final = {"frt_p50": 0.5, "frt_p90": 0.9}
KPIS: Final = (*COUNT_KPIS, *RATE_KPIS, *QUANTILE_KPIS)
SAMPLE_OF: Final = {
    "complaint_rate": "volume",
    "abandonment": "volume",
    "negative_feedback_rate": "feedback",
    "error_rate": "events",
    "frt_p50": "first_responses",
    "frt_p90": "first_responses",
}
"""The count a rate or quantile KPI rests on: a rule's ``min_samples`` is checked against it."""


def column(kpi: str, window: str) -> str:
    """The frame column of a KPI over a window: ``frt_p90[15m]``."""
    return f"{kpi}[{window}]"


def counters_of(kind: IntArray, value: FloatArray) -> list[np.ndarray]:
    """One boolean mask per counter, in :data:`COUNTERS` order."""
    return [
        kind == Kind.opened,
        kind == Kind.first_response,
        kind == Kind.resolved,
        kind == Kind.abandoned,
        kind == Kind.feedback,
        (kind == Kind.feedback) & (value <= NEGATIVE_CSAT),
        kind == Kind.complaint,
        kind == Kind.bot_handoff,
        kind == Kind.error,
        np.ones(len(kind), dtype=bool),
    ]


def frt_mask(kind: IntArray, value: FloatArray) -> np.ndarray:
    """Events that carry a first-response time."""
    out: np.ndarray = (kind == Kind.first_response) & np.isfinite(value)
    return out


def group_counts(group: IntArray, n_groups: int, kind: IntArray, value: FloatArray) -> IntArray:
    """Counters per group: an ``n_groups × len(COUNTERS)`` matrix."""
    out = np.zeros((n_groups, len(COUNTERS)), dtype=np.int64)
    for j, mask in enumerate(counters_of(kind, value)):
        out[:, j] = np.bincount(group[mask], minlength=n_groups)
    return out


@dataclass(frozen=True)
class KpiFrame:
    """KPIs per (minute, key) row for the minutes that closed; key 0 is the overall series."""

    minute: IntArray
    key: IntArray
    values: dict[str, FloatArray]

    def __len__(self) -> int:
        return len(self.minute)


def kpis_from_sums(sums: dict[str, IntArray], quantiles: dict[str, FloatArray], window: str) -> dict[str, FloatArray]:
    """KPI columns of one window from its counter sums and its first-response quantiles."""
    out: dict[str, FloatArray] = {}
    for kpi, counter in COUNT_KPIS.items():
        out[column(kpi, window)] = sums[counter].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        for kpi, (num, den) in RATE_KPIS.items():
            d = sums[den].astype(np.float64)
            out[column(kpi, window)] = np.where(d > 0, sums[num] / np.where(d > 0, d, 1.0), np.nan)
    for kpi in QUANTILE_KPIS:
        out[column(kpi, window)] = quantiles[kpi]
    return out
