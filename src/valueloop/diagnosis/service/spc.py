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
from valueloop.results import MISSING, Result
from valueloop.stats.spc import ControlChart, DispersionChart, p_chart, revise, u_chart, xmr_chart
from valueloop.stats.western_electric import Signal

ChartKind = Literal["p", "u", "xmr"]
Builder = Callable[[frozenset[int]], ControlChart]


class SignalDoc(Result):
    """A point a Western Electric rule flags: its row (1-based) and the rule (``WE1`` … ``WE4``)."""

    row: int
    rule: str


class DispersionDoc(Result):
    """The companion chart of an XmR chart (moving ranges) or X̄–R chart (ranges): one pair of limits."""

    center: float
    ucl: float
    lcl: float
    first_row: int
    values: list[float]
    signals: list[SignalDoc]


class ChartDoc(Result):
    """One control chart (``valueloop spc … --format json``, ``POST /api/v1/spc``): rows 1-based, one limit per row.

    A variables chart carries its dispersion chart under its kind (``moving_range`` or ``range``);
    an attribute chart has neither key.
    """

    chart: str
    center: float
    ucl: list[float]
    lcl: list[float]
    signals: list[SignalDoc]
    values: list[float]
    sigma: list[float]
    baseline: int
    excluded: list[int]
    """Rows left out of the limits (a revised chart's out-of-control baseline points)."""
    note: str
    moving_range: DispersionDoc | MISSING = MISSING
    range: DispersionDoc | MISSING = MISSING


def control_chart(kind: ChartKind, values: Sequence[float], sizes: Sequence[float] | None = None,
                  baseline: int | None = None, phase1: bool = False) -> ChartDoc:  # fmt: skip
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
    if not _finite(out.model_dump()):
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


def payload(chart: ControlChart) -> ChartDoc:
    """The JSON document of one chart (the CLI's and the API's): rows 1-based, one limit per row."""
    extra = {} if chart.dispersion is None else {chart.dispersion.kind: _dispersion(chart.dispersion)}
    return ChartDoc(
        chart=chart.chart, center=chart.center, ucl=chart.ucl.tolist(), lcl=chart.lcl.tolist(),
        signals=_signals(chart.signals), values=chart.values.tolist(), sigma=chart.sigma.tolist(),
        baseline=chart.baseline, excluded=[r + 1 for r in chart.excluded], note=chart.note, **extra,
    )  # fmt: skip


def _signals(signals: Sequence[Signal]) -> list[SignalDoc]:
    return [SignalDoc(row=s.row + 1, rule=s.rule) for s in signals]


def _dispersion(chart: DispersionChart) -> DispersionDoc:
    return DispersionDoc(
        center=chart.center,
        ucl=chart.ucl,
        lcl=chart.lcl,
        first_row=chart.first_row + 1,
        values=chart.values.tolist(),
        signals=_signals(chart.signals),
    )
