"""Trend sparklines for the fix-first rows: the indicator's value for that unit over the last periods.

Drawn as inline SVG from numbers only (no outside assets, no names inside the drawing), so a
hostile unit name can reach the page only through the escaped accessible label.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from valueloop.diagnosis.service.priorities import Priority
from valueloop.evaluation.service.scores import indicator_history
from valueloop.store.workspace import Workspace

WIDTH, HEIGHT, PAD = 80.0, 20.0, 2.0
PERIODS = 6


@dataclass(frozen=True)
class Spark:
    """One sparkline: the SVG polyline points and the (period, value) series its label reads out."""

    points: str
    last: tuple[float, float] | None
    series: list[tuple[str, float | None]]


def spark(series: Sequence[tuple[str, float | None]]) -> Spark:
    """Scale the known values into the box (a flat line for a constant); gaps are skipped, not drawn as 0."""
    known = [(i, v) for i, (_, v) in enumerate(series) if v is not None]
    if not known:
        return Spark("", None, list(series))
    lo, hi = min(v for _, v in known), max(v for _, v in known)
    step = (WIDTH - 2 * PAD) / max(len(series) - 1, 1)

    def y(v: float) -> float:
        return HEIGHT / 2 if hi - lo < 1e-12 else PAD + (hi - v) / (hi - lo) * (HEIGHT - 2 * PAD)

    xy = [(PAD + i * step, y(v)) for i, v in known]
    return Spark(" ".join(f"{x:.1f},{yy:.1f}" for x, yy in xy), xy[-1], list(series))


def for_rows(ws: Workspace, rows: Iterable[Priority]) -> dict[str, Spark]:
    """Finding id → the sparkline of its unit × indicator, in the model and level the finding came from."""
    rows = list(rows)
    wanted: dict[tuple[str, str], set[str]] = {}
    for p in rows:
        f = p.finding
        if f.model and f.level:
            wanted.setdefault((f.model, f.level), set()).add(f.entity_id)
    history = {key: indicator_history(ws, key[0], key[1], units, PERIODS) for key, units in wanted.items()}
    out: dict[str, Spark] = {}
    for p in rows:
        f = p.finding
        series = history.get((f.model or "", f.level or ""), {}).get((f.entity_id, f.indicator))
        if series:
            out[f.id] = spark(series)
    return out
