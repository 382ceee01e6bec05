"""Value stream summary: lead time, value-added time, PCE, bottleneck, hand-offs, and before/after.

Built on :mod:`valueloop.improvement.vsm`'s per-row measures; every time is in minutes.
Lead time is first start → last end of interactions whose every step has ended; PCE is
total value-added time / total lead time (a ratio of medians is not a share of anything).
The bottleneck is the step with the largest median wait beyond its planned wait.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from valueloop.improvement.vsm import MINUTE, FloatArr, StepRows, StepStats, quantile_minutes, step_stats
from valueloop.spec.process import ProcessDefinition


@dataclass(frozen=True)
class ProcessStats:
    interactions: int
    complete: int
    lead_time_median: float | None
    lead_time_p90: float | None
    lead_time_mean: float | None
    value_added_median: float | None
    value_added_mean: float | None
    pce: float | None
    rework_interactions: int
    handoffs: int
    handoffs_per_interaction: float | None
    bottleneck: str | None
    non_value_adding: list[str]


def _per_interaction(rows: StepRows, values: FloatArr) -> FloatArr:
    """Sum of ``values`` per interaction (rows are grouped by interaction)."""
    starts = np.flatnonzero(rows.first)
    return np.add.reduceat(values, starts) if starts.size else np.zeros(0)


def lead_and_value_added(rows: StepRows, process: ProcessDefinition) -> tuple[FloatArr, FloatArr]:
    """Lead and value-added seconds of each interaction whose every step has ended."""
    starts = np.flatnonzero(rows.first)
    if not starts.size:
        return np.zeros(0), np.zeros(0)
    va_steps = [s.name for s in process.steps if s.value_adding]
    va = np.where(np.isin(rows.step, va_steps), rows.process, 0.0)
    open_rows = _per_interaction(rows, np.isnan(rows.ended).astype(float)) > 0
    lead = np.maximum.reduceat(np.nan_to_num(rows.ended), starts) - np.minimum.reduceat(rows.started, starts)
    return lead[~open_rows], _per_interaction(rows, np.nan_to_num(va))[~open_rows]


def summarise(rows: StepRows, process: ProcessDefinition, steps: list[StepStats]) -> ProcessStats:
    lead, va = lead_and_value_added(rows, process)
    n = int(rows.first.sum())
    waits = [(s.excess_wait, s.step) for s in steps if s.excess_wait is not None]
    return ProcessStats(
        interactions=n,
        complete=int(lead.size),
        lead_time_median=quantile_minutes(lead, 50),
        lead_time_p90=quantile_minutes(lead, 90),
        lead_time_mean=float(lead.mean()) / MINUTE if lead.size else None,
        value_added_median=quantile_minutes(va, 50),
        value_added_mean=float(va.mean()) / MINUTE if va.size else None,
        pce=float(va.sum() / lead.sum()) if lead.size and lead.sum() > 0 else None,
        rework_interactions=int(np.unique(rows.interaction[rows.rework]).size),
        handoffs=int(rows.handoff.sum()),
        handoffs_per_interaction=float(rows.handoff.sum()) / n if n else None,
        bottleneck=max(waits)[1] if waits else None,
        non_value_adding=[s.step for s in steps if not s.value_adding],
    )


def handoff_pairs(rows: StepRows) -> list[dict[str, Any]]:
    """Each department boundary crossed in the data: how often and the median wait across it."""
    idx = np.flatnonzero(rows.handoff)
    src, dst = rows.department[idx - 1], rows.department[idx]
    out = []
    for a, b in sorted(set(zip(src.tolist(), dst.tolist(), strict=True))):
        m = (src == a) & (dst == b)
        out.append(
            {"from": a, "to": b, "handoffs": int(m.sum()), "wait_median": quantile_minutes(rows.wait[idx][m], 50)}
        )
    return out


def value_stream(rows: StepRows, process: ProcessDefinition) -> dict[str, Any]:
    """The whole map as plain data: process summary, steps, hand-off boundaries, chart series."""
    steps = step_stats(rows, process)
    return {
        "summary": asdict(summarise(rows, process, steps)),
        "steps": [{**asdict(s), "vs_standard": s.vs_standard, "excess_wait": s.excess_wait} for s in steps],
        "handoff_pairs": handoff_pairs(rows),
        "chart": chart(steps),
    }


def chart(steps: list[StepStats]) -> dict[str, Any]:
    """Step bars (median wait stacked on median processing, minutes), ready for a bar chart."""
    return {
        "type": "bar",
        "unit": "minutes",
        "categories": [s.step for s in steps],
        "series": [
            {"name": "wait_median", "stack": "time", "data": [s.wait_median for s in steps]},
            {"name": "process_median", "stack": "time", "data": [s.process_median for s in steps]},
            {"name": "standard_minutes", "data": [s.standard_minutes for s in steps]},
        ],
    }


COMPARED_PROCESS = ("lead_time_median", "lead_time_p90", "value_added_median", "pce", "handoffs_per_interaction")
COMPARED_STEP = ("process_median", "wait_median", "volume", "rework")


def _delta(before: Any, after: Any) -> dict[str, Any]:
    change = after - before if before is not None and after is not None else None
    return {"before": before, "after": after, "change": change}


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Before/after of two :func:`value_stream` results: process measures and each step's."""
    b_steps = {s["step"]: s for s in before["steps"]}
    steps = []
    for s in after["steps"]:
        b = b_steps.get(s["step"], {})
        steps.append({"step": s["step"], **{k: _delta(b.get(k), s[k]) for k in COMPARED_STEP}})
    summary = {k: _delta(before["summary"][k], after["summary"][k]) for k in COMPARED_PROCESS}
    summary["bottleneck"] = {"before": before["summary"]["bottleneck"], "after": after["summary"]["bottleneck"]}
    return {"summary": summary, "steps": steps}
