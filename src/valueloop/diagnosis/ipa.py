"""Importance–performance analysis: where to concentrate, given what matters and how well it is done.

Each driver is placed by its importance (LMG share of R²) and its performance (mean
score); both axes are split at the mean over the drivers (Martilla and James' grid,
with the data-centred cross-hairs that are common in practice).

Pure: no I/O.
"""

from __future__ import annotations

from enum import StrEnum


class Quadrant(StrEnum):
    concentrate = "concentrate here"
    keep_up = "keep up the good work"
    low_priority = "low priority"
    overkill = "possible overkill"


def quadrant(importance: float, performance: float, importance_split: float, performance_split: float) -> Quadrant:
    important = importance >= importance_split
    good = performance >= performance_split
    if important:
        return Quadrant.keep_up if good else Quadrant.concentrate
    return Quadrant.overkill if good else Quadrant.low_priority


def quadrants(importance: dict[str, float], performance: dict[str, float]) -> dict[str, Quadrant]:
    """Quadrant of every driver present in both mappings, split at the means."""
    keys = [k for k in importance if k in performance]
    if not keys:
        return {}
    imp = sum(importance[k] for k in keys) / len(keys)
    perf = sum(performance[k] for k in keys) / len(keys)
    return {k: quadrant(importance[k], performance[k], imp, perf) for k in keys}
