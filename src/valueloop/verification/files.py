"""Use cases over a data file: ``verify ab``, ``did`` and ``its`` end to end.

The moments come from one DuckDB query (:mod:`valueloop.verification.sufficient`); rows are
loaded into memory only for what cannot be done from sums — the rank test of an
ordinal metric, the optional bootstrap interval and the regressions of DiD and ITS.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

from valueloop.errors import InputError
from valueloop.stats.bootstrap import bootstrap_diff_ci
from valueloop.stats.did import DidResult, diff_in_diff
from valueloop.stats.its import ItsResult, segmented_regression
from valueloop.stats.ordinal import RankTest, mann_whitney
from valueloop.verification.ab import AbResult, Settings, analyse, holm_adjusted, with_p_value
from valueloop.verification.source import numeric_columns
from valueloop.verification.sufficient import Columns, group_moments


@dataclass(frozen=True)
class AbRun:
    """Results per treatment plus the extras that needed the rows."""

    results: list[AbResult]
    ranks: dict[str, RankTest]
    bootstrap_ci: dict[str, tuple[float, float] | None]


def verify_ab_file(
    path: Path, cols: Columns, settings: Settings, control: str | None = None, bootstrap: int = 0
) -> AbRun:
    """Moments by SQL, inference on the moments; ranks and bootstrap from the rows if asked."""
    groups = group_moments(path, cols, binary=settings.metric_type == "proportion")
    results = analyse(groups, settings, control)
    if settings.metric_type != "ordinal" and not bootstrap:
        return AbRun(results, {}, {})
    rows = numeric_columns(path, [cols.value], [cols.variant])
    values, variants = rows[cols.value], rows[cols.variant]
    ranks: dict[str, RankTest] = {}
    boot: dict[str, tuple[float, float] | None] = {}
    for i, r in enumerate(results):
        c, t = values[variants == r.control_name], values[variants == r.treatment_name]
        if settings.metric_type == "ordinal":
            ranks[r.treatment_name] = test = mann_whitney(c, t)
            results[i] = _ranked(r, test, settings)
        if bootstrap:
            boot[r.treatment_name] = bootstrap_diff_ci(c, t, settings.alpha, bootstrap, settings.seed)
    return AbRun(holm_adjusted(results, settings) if ranks else results, ranks, boot)


def _ranked(result: AbResult, test: RankTest, settings: Settings) -> AbResult:
    """The Welch summary kept for description, the rank test's p-value for the verdict."""
    if test.reason is not None and test.p_value is None:
        comparison = replace(result.comparison, p_value=None, reason=test.reason, method="mann_whitney_u")
        return replace(result, comparison=comparison, verdict="no_verdict", reason=test.reason)
    return with_p_value(result, test.p_value, settings, "mann_whitney_u")


def _binary(values: np.ndarray[tuple[int], np.dtype[np.float64]], name: str, path: Path) -> None:
    if not np.isin(values, (0.0, 1.0)).all():
        raise InputError(f"{path}: column {name} must hold 0 or 1")


def verify_did_file(
    path: Path, unit: str, treated: str, post: str, value: str, alpha: float, period: str | None = None
) -> DidResult:
    """Difference-in-differences from unit-period rows (0/1 treated and post columns)."""
    cols = numeric_columns(path, [treated, post, value], [unit, *([period] if period else [])])
    _binary(cols[treated], treated, path)
    _binary(cols[post], post, path)
    return diff_in_diff(cols[unit], cols[treated], cols[post], cols[value], alpha)


def verify_its_file(path: Path, time: str, value: str, intervention: str, alpha: float) -> ItsResult:
    """Segmented regression; time is a number or an ISO date (then counted in days)."""
    cols = numeric_columns(path, [value], [time])
    stamps = [_ordinal(s, path) for s in cols[time]]
    order = np.argsort(stamps, kind="stable")
    t = np.asarray(stamps, dtype=np.float64)[order]
    return segmented_regression(t, cols[value][order], _ordinal(intervention, path), alpha)


def _ordinal(text: str, path: Path) -> float:
    """A number as is, an ISO date as its day number (so slopes are per day)."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return float(date.fromisoformat(text.strip()[:10]).toordinal())
    except ValueError as err:
        raise InputError(f"{path}: {text!r} is neither a number nor an ISO date") from err
