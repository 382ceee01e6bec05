"""Use case: one control chart over numbers given directly (the API's ``spc``; the CLI reads a CSV).

Same maths and the same JSON shape as ``valueloop spc … --format json``: rows 1-based, one
limit per row, signals by Western Electric rule id.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

from valueloop.errors import InputError
from valueloop.stats.spc import ControlChart, DispersionChart, p_chart, revise, u_chart, xmr_chart

ChartKind = Literal["p", "u", "xmr"]
Builder = Callable[[frozenset[int]], ControlChart]


def control_chart(kind: ChartKind, values: Sequence[float], sizes: Sequence[float] | None = None,
                  baseline: int | None = None, phase1: bool = False) -> dict[str, Any]:  # fmt: skip
    """``p``: nonconforming counts with sample sizes; ``u``: defects with units; ``xmr``: individual values."""
    if kind != "xmr" and sizes is None:
        raise InputError(f"a {kind}-chart needs sizes (one per value)")
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):  # checked just below
        if kind == "p":
            chart = _run(lambda ex: p_chart(values, sizes or [], baseline, ex), phase1)
        elif kind == "u":
            chart = _run(lambda ex: u_chart(values, sizes or [], baseline, ex), phase1)
        else:
            chart = _run(lambda ex: xmr_chart(values, baseline, ex), phase1)
        out = payload(chart)
    if not _finite(out):
        raise InputError(
            "the numbers are too large (or the sizes too small) for a control chart: its limits overflow; rescale them"
        )
    return out


def _finite(value: Any) -> bool:
    """No infinity or NaN anywhere in the payload (JSON has neither)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_finite(v) for v in value)
    return True


def _run(build: Builder, phase1: bool) -> ControlChart:
    return revise(build) if phase1 else build(frozenset())


def payload(chart: ControlChart) -> dict[str, Any]:
    """The JSON document of one chart (the CLI's and the API's): rows 1-based, one limit per row."""
    out: dict[str, Any] = {
        "chart": chart.chart, "center": chart.center, "ucl": chart.ucl.tolist(), "lcl": chart.lcl.tolist(),
        "signals": [{"row": s.row + 1, "rule": s.rule} for s in chart.signals], "values": chart.values.tolist(),
        "sigma": chart.sigma.tolist(), "baseline": chart.baseline, "excluded": [r + 1 for r in chart.excluded],
        "note": chart.note,
    }  # fmt: skip
    if chart.dispersion is not None:
        out[chart.dispersion.kind] = _dispersion(chart.dispersion)
    return out


def _dispersion(chart: DispersionChart) -> dict[str, Any]:
    return {
        "center": chart.center,
        "ucl": chart.ucl,
        "lcl": chart.lcl,
        "first_row": chart.first_row + 1,
        "values": chart.values.tolist(),
        "signals": [{"row": s.row + 1, "rule": s.rule} for s in chart.signals],
    }
