"""Shewhart control charts: p, u, individuals (XmR) and X̄–R.

Why these four: complaint and defect *rates* arrive with a different volume every
period (p- and u-charts, whose limits widen when the volume is small), response
times arrive one at a time (XmR) and audits sample a few cases per period (X̄–R).

Every chart is computed the same way: the limits come from the *baseline* rows only
(the first ``baseline`` rows, default all of them, minus any ``exclude``-d rows), and
are then applied to every row. All rows used is phase I (trial limits); a baseline
shorter than the series is phase II (limits frozen from a reference window).
:func:`revise` automates the phase I loop of dropping out-of-control points from the
limit computation until none are left.

Pure numpy. Rows are 0-based here; error messages count from 1, as people do.

>>> chart = xmr_chart([10.0, 12.0, 11.0, 13.0, 12.0])
>>> round(chart.center, 3), round(float(chart.ucl[0]), 3)
(11.6, 15.59)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from valueloop.errors import InputError
from valueloop.stats.spc_inputs import (
    Rows,
    baseline_rows,
    cell_problems,
    count_problems,
    raise_if,
    same_length,
    subgroup_array,
    vector,
)
from valueloop.stats.western_electric import (
    FloatArray,
    Signal,
    western_electric,
    zscores,
)

ChartKind = Literal["p", "u", "xmr", "xbar_r"]

#: Individuals chart: limits are mean ± E2·MR̄, E2 = 3/d2(2) = 3/1.128 (textbook value).
E2 = 2.66
#: Moving-range chart: UCL = D4(2)·MR̄.
D4_MOVING_RANGE = 3.267

#: Subgroup size → (A2, D3, D4) for X̄–R charts, the 3-decimal values printed in SPC
#: textbooks (A2 = 3/(d2·√n), D3,4 = 1 ∓ 3·d3/d2); the tests recompute them numerically.
XBAR_R_CONSTANTS: dict[int, tuple[float, float, float]] = {
    2: (1.880, 0.0, 3.267), 3: (1.023, 0.0, 2.574), 4: (0.729, 0.0, 2.282),
    5: (0.577, 0.0, 2.114), 6: (0.483, 0.0, 2.004), 7: (0.419, 0.076, 1.924),
    8: (0.373, 0.136, 1.864), 9: (0.337, 0.184, 1.816), 10: (0.308, 0.223, 1.777),
    11: (0.285, 0.256, 1.744), 12: (0.266, 0.283, 1.717), 13: (0.249, 0.307, 1.693),
    14: (0.235, 0.328, 1.672), 15: (0.223, 0.347, 1.653), 16: (0.212, 0.363, 1.637),
    17: (0.203, 0.378, 1.622), 18: (0.194, 0.391, 1.608), 19: (0.187, 0.403, 1.597),
    20: (0.180, 0.415, 1.585), 21: (0.173, 0.425, 1.575), 22: (0.167, 0.434, 1.566),
    23: (0.162, 0.443, 1.557), 24: (0.157, 0.451, 1.548), 25: (0.153, 0.459, 1.541),
}  # fmt: skip


@dataclass(frozen=True, eq=False)
class DispersionChart:
    """The companion chart of a variables chart: moving ranges (XmR) or ranges (X̄–R).

    Only points beyond its limits are flagged (``WE1``): ranges are skewed and
    serially correlated, so the zone rules would cry wolf.
    """

    kind: Literal["moving_range", "range"]
    center: float
    ucl: float
    lcl: float
    values: FloatArray
    first_row: int  # row of values[0]: 1 for moving ranges, 0 for subgroup ranges
    signals: tuple[Signal, ...]


@dataclass(frozen=True, eq=False)
class ControlChart:
    """A computed chart: one plotted value, sigma and pair of limits per row.

    ``sigma`` is the standard deviation of the plotted statistic at that row (the
    limits are ``center ± 3·sigma`` before clipping), so callers can redraw zones.
    ``note`` is non-empty when the baseline is degenerate and says what that means.
    """

    chart: ChartKind
    center: float
    ucl: FloatArray
    lcl: FloatArray
    sigma: FloatArray
    values: FloatArray
    signals: tuple[Signal, ...]
    baseline: int
    excluded: tuple[int, ...] = ()
    note: str = ""
    dispersion: DispersionChart | None = None


def p_chart(
    nonconforming: npt.ArrayLike,
    n: npt.ArrayLike,
    baseline: int | None = None,
    exclude: Collection[int] = (),
) -> ControlChart:
    """Fraction nonconforming per sample; limits p̄ ± 3·sqrt(p̄(1−p̄)/nᵢ) in [0, 1]."""
    d, size = vector(nonconforming, "nonconforming"), vector(n, "n")
    same_length(d, size, "nonconforming", "n")
    raise_if(count_problems(d, size, "nonconforming", "n", at_most_size=True))
    rows = baseline_rows(d.size, baseline, exclude, minimum=1)
    pbar = float(d[rows.use].sum() / size[rows.use].sum())
    sigma = np.sqrt(pbar * (1.0 - pbar) / size)
    note = "" if 0.0 < pbar < 1.0 else _flat_note(f"p̄ = {pbar:g} in the baseline")
    return _chart("p", pbar, sigma, d / size, rows, note=note, floor=0.0, ceiling=1.0)


def u_chart(
    defects: npt.ArrayLike,
    units: npt.ArrayLike,
    baseline: int | None = None,
    exclude: Collection[int] = (),
) -> ControlChart:
    """Defects per unit of exposure; limits ū ± 3·sqrt(ū/nᵢ), LCL clipped at 0."""
    c, size = vector(defects, "defects"), vector(units, "units")
    same_length(c, size, "defects", "units")
    raise_if(count_problems(c, size, "defects", "units", at_most_size=False))
    rows = baseline_rows(c.size, baseline, exclude, minimum=1)
    ubar = float(c[rows.use].sum() / size[rows.use].sum())
    note = "" if ubar > 0.0 else _flat_note("no defects in the baseline")
    return _chart("u", ubar, np.sqrt(ubar / size), c / size, rows, note=note, floor=0.0)


def xmr_chart(values: npt.ArrayLike, baseline: int | None = None, exclude: Collection[int] = ()) -> ControlChart:
    """Individuals chart (mean ± 2.66·MR̄) with its moving-range chart (UCL 3.267·MR̄).

    A moving range counts towards MR̄ only when both of its rows are in the baseline,
    so an excluded outlier does not inflate the limits through its neighbours.
    """
    x = vector(values, "value")
    raise_if(cell_problems("value", ~np.isfinite(x), "is not a finite number"))
    rows = baseline_rows(x.size, baseline, exclude, minimum=2)
    moving = np.abs(np.diff(x))
    paired = rows.use[1:] & rows.use[:-1]
    if not paired.any():
        raise InputError("no two consecutive baseline rows left to form a moving range")
    mrbar = float(moving[paired].mean())
    mr_chart = _dispersion("moving_range", mrbar, D4_MOVING_RANGE * mrbar, 0.0, moving, 1)
    sigma = np.full(x.size, E2 * mrbar / 3.0)
    note = "" if mrbar > 0.0 else _flat_note("the baseline values never change (MR̄ = 0)")
    centre = float(x[rows.use].mean())
    return _chart("xmr", centre, sigma, x, rows, note=note, dispersion=mr_chart)


def xbar_r_chart(
    subgroups: Iterable[npt.ArrayLike],
    baseline: int | None = None,
    exclude: Collection[int] = (),
) -> ControlChart:
    """Subgroup means (x̿ ± A2·R̄) with the range chart (D3·R̄, D4·R̄); equal sizes 2–25."""
    groups = subgroup_array(subgroups, XBAR_R_CONSTANTS)
    rows = baseline_rows(groups.shape[0], baseline, exclude, minimum=1)
    a2, d3, d4 = XBAR_R_CONSTANTS[groups.shape[1]]
    ranges = np.ptp(groups, axis=1)
    rbar = float(ranges[rows.use].mean())
    means = groups.mean(axis=1)
    r_chart = _dispersion("range", rbar, d4 * rbar, d3 * rbar, ranges, 0)
    sigma = np.full(means.size, a2 * rbar / 3.0)
    note = "" if rbar > 0.0 else _flat_note("every baseline subgroup has zero range")
    centre = float(means[rows.use].mean())
    return _chart("xbar_r", centre, sigma, means, rows, note=note, dispersion=r_chart)


def revise(build: Callable[[frozenset[int]], ControlChart]) -> ControlChart:
    """Phase I: drop baseline points beyond 3σ from the limits and recompute until stable.

    ``build`` maps a set of excluded rows to a chart, e.g.
    ``revise(lambda ex: p_chart(d, n, exclude=ex))``. This is the purely statistical
    version of the textbook loop: a person would only drop points with a known
    assignable cause. The returned chart's ``excluded`` lists what was dropped.
    """
    excluded: frozenset[int] = frozenset()
    chart = build(excluded)
    while newly := _baseline_we1(chart) - excluded:
        try:
            chart = build(excluded | newly)
        except InputError as err:
            stop = f"revision stopped with rows {sorted(r + 1 for r in newly)} still beyond 3σ: {err}"
            return _with_note(chart, stop)
        excluded |= newly
    return chart


def _baseline_we1(chart: ControlChart) -> frozenset[int]:
    return frozenset(s.row for s in chart.signals if s.rule == "WE1" and s.row < chart.baseline)


def _with_note(chart: ControlChart, note: str) -> ControlChart:
    return replace(chart, note=f"{chart.note}; {note}" if chart.note else note)


def _chart(
    kind: ChartKind,
    center: float,
    sigma: FloatArray,
    values: FloatArray,
    rows: Rows,
    *,
    note: str = "",
    floor: float | None = None,
    ceiling: float | None = None,
    dispersion: DispersionChart | None = None,
) -> ControlChart:
    ucl, lcl = center + 3.0 * sigma, center - 3.0 * sigma
    if floor is not None:
        lcl = np.maximum(lcl, floor)
    if ceiling is not None:
        ucl = np.minimum(ucl, ceiling)
    signals = western_electric(zscores(values, center, sigma))
    return ControlChart(
        chart=kind, center=center, ucl=_frozen(ucl), lcl=_frozen(lcl), sigma=_frozen(sigma),
        values=_frozen(values), signals=signals, baseline=rows.baseline,
        excluded=rows.excluded, note=note, dispersion=dispersion,
    )  # fmt: skip


def _dispersion(
    kind: Literal["moving_range", "range"],
    center: float, ucl: float, lcl: float, values: FloatArray, first_row: int,
) -> DispersionChart:  # fmt: skip
    beyond = (values > ucl) | ((values < lcl) & (lcl > 0.0))
    signals = tuple(Signal(int(i) + first_row, "WE1") for i in np.flatnonzero(beyond))
    return DispersionChart(kind, center, ucl, lcl, _frozen(values), first_row, signals)


def _flat_note(why: str) -> str:
    return f"{why}: no variation, so the limits collapse onto the centre line and any point off it signals"


def _frozen(values: FloatArray) -> FloatArray:
    """A read-only copy, so a frozen chart cannot be edited through its arrays."""
    out = np.array(values, dtype=np.float64, copy=True)
    out.flags.writeable = False
    return out
