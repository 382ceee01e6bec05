"""Diagnosis rules: indicator values of a unit over recent periods → findings.

Each rule is a plain function registered by name in :data:`RULES`; all take the same
:class:`IndicatorWindow` (one indicator, every unit, the target period and the periods
before it) and return findings for the target period. A value measured on fewer than
the indicator's ``min_n`` observations is treated as missing everywhere: it never
produces a finding and never serves as a baseline, because a handful of tickets says
nothing about a unit. Pure: numpy, pandas and scipy, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from valueloop.diagnosis.config import DiagnoseConfig, RuleSettings
from valueloop.diagnosis.findings import Finding, RuleName, Severity, relative_gap, severity_of
from valueloop.spec.model import Direction, EvaluationModel, Indicator, MixBenchmark, SegmentBenchmark

MIN_PEERS = 10
"""A decile of fewer than ten units is one unit: the peer rule needs at least ten."""


@dataclass(frozen=True)
class IndicatorWindow:
    """One indicator's values: ``solid`` is units × periods (oldest first, target last),
    NaN where there is no value or ``n < min_n``; ``current`` the target period's rows
    (overall and segment) with enough observations."""

    indicator: Indicator
    settings: RuleSettings
    solid: pd.DataFrame
    counts: pd.DataFrame
    current: pd.DataFrame

    @property
    def period(self) -> str:
        return str(self.solid.columns[-1])

    def finding(
        self,
        entity: str,
        value: float,
        reference: float | None,
        gap: float | None,
        severity: Severity,
        rule: RuleName,
        **evidence: object,
    ) -> Finding:
        return Finding(
            entity_id=entity,
            indicator=self.indicator.id,
            period=self.period,
            value=float(value),
            benchmark=None if reference is None else float(reference),
            gap_pct=None if gap is None else round(100.0 * gap, 2),
            severity=severity,
            rule=rule,
            n=int(column(self.counts, self.period).get(entity, 0)),
            evidence=dict(evidence),
        )


Rule = Callable[[IndicatorWindow], list[Finding]]


def column(frame: pd.DataFrame, name: str) -> dict[str, float]:
    """One column as entity → float, without missing values."""
    values = frame[name].to_numpy(np.float64)
    return {str(k): float(v) for k, v in zip(frame.index, values, strict=True) if not np.isnan(v)}


def window(values: pd.DataFrame, indicator: Indicator, settings: RuleSettings, periods: list[str]) -> IndicatorWindow:
    """Arrange one indicator's rows of ``values`` (the long table of compute_values)."""
    rows = values[values["indicator"] == indicator.id]
    overall = rows[rows["segment"].isna()]
    value = overall.pivot_table(index="entity_id", columns="period", values="value", aggfunc="first", dropna=False)
    n = overall.pivot_table(index="entity_id", columns="period", values="n", aggfunc="first", dropna=False)
    value, n = value.reindex(columns=periods), n.reindex(columns=periods).fillna(0)
    solid = value.where(n >= indicator.min_n)
    current = rows[(rows["period"] == periods[-1]) & (rows["n"] >= indicator.min_n) & rows["value"].notna()]
    return IndicatorWindow(indicator, settings, solid, n, current)


def benchmark_rule(w: IndicatorWindow) -> list[Finding]:
    """Worse than the benchmark by ``warning_gap`` / ``critical_gap``; with differentiated
    standards each segment's value is held to its own segment's benchmark, and a
    mix-adjusted value to the unit's expected value (the benchmark of its own mix)."""
    bench = w.indicator.benchmark
    if bench is None:
        return []
    segmented = isinstance(bench, SegmentBenchmark)
    rows = w.current[w.current["segment"].notna() if segmented else w.current["segment"].isna()]
    out = []
    for row in rows.to_dict("records"):
        segment = str(row["segment"]) if segmented else None
        reference = _reference(bench, segment, row)
        if reference is None:
            continue
        value = float(row["value"])
        gap = relative_gap(value, reference, w.indicator.direction)
        sev = severity_of(gap, w.settings.warning_gap, w.settings.critical_gap)
        if sev is not None:
            f = w.finding(str(row["entity_id"]), value, reference, gap, sev, RuleName.benchmark)
            out.append(f.model_copy(update={"segment": segment, "n": int(row["n"])}))
    return out


def _reference(
    bench: float | SegmentBenchmark | MixBenchmark, segment: str | None, row: Mapping[Hashable, Any]
) -> float | None:
    if isinstance(bench, SegmentBenchmark):
        return bench.values.get(str(segment), bench.default)
    if isinstance(bench, MixBenchmark):
        expected = row.get("expected")
        return None if expected is None or pd.isna(expected) else float(expected)
    return bench


def peer_rule(w: IndicatorWindow) -> list[Finding]:
    """In the worst tenth of the peers measured in the period (warning); the reference is the peer median."""
    if not w.settings.peer_bottom_decile:
        return []
    now = column(w.solid, w.period)
    if len(now) < MIN_PEERS:
        return []
    lower = w.indicator.direction is Direction.LOWER
    x = np.array(list(now.values()))
    cut, median = float(np.quantile(x, 0.9 if lower else 0.1)), float(np.median(x))
    # worse than the median too: when most peers tie (all 0 %), the decile cut is the median
    # itself and "bottom decile" would be everyone
    worst = {e: v for e, v in now.items() if (v >= cut and v > median if lower else v <= cut and v < median)}
    return [
        w.finding(
            e,
            v,
            median,
            relative_gap(v, median, w.indicator.direction),
            Severity.warning,
            RuleName.peer_bottom_decile,
            decile_cut=cut,
            peers=len(now),
            rank_from_worst=int((x > v).sum() + 1 if lower else (x < v).sum() + 1),
        )
        for e, v in worst.items()
    ]


def deterioration_rule(w: IndicatorWindow) -> list[Finding]:
    """Worse than the unit's own median of its previous ``deterioration_periods`` periods."""
    k = w.settings.deterioration_periods
    if k == 0 or w.solid.shape[1] < 2:
        return []
    previous = w.solid.iloc[:, -1 - k : -1]
    need = max(1, (k + 1) // 2)
    out = []
    history = {str(p): column(previous, str(p)) for p in previous.columns}
    for entity, value in column(w.solid, w.period).items():
        past = {p: h[entity] for p, h in history.items() if entity in h}
        if len(past) < need:
            continue
        baseline = float(np.median(list(past.values())))
        gap = relative_gap(value, baseline, w.indicator.direction)
        sev = severity_of(gap, w.settings.warning_gap, w.settings.critical_gap)
        if sev is not None:
            out.append(w.finding(entity, value, baseline, gap, sev, RuleName.deterioration, baseline_periods=past))
    return out


def trend_rule(w: IndicatorWindow) -> list[Finding]:
    """A one-sided significant least-squares trend toward worse over the last ``trend_periods``
    periods, whose fitted change across the window is at least ``warning_gap`` (warning)."""
    k = w.settings.trend_periods
    if k < 3:
        return []
    recent = w.solid.iloc[:, -k:]
    out = []
    for entity, row in recent.iterrows():
        if np.isnan(row.iloc[-1]):
            continue
        fit = _worsening(row.to_numpy(np.float64), w.indicator.direction, w.settings.trend_alpha)
        if fit is None:
            continue
        start, slope, p = fit
        end = start + slope * (len(row) - 1)
        gap = relative_gap(end, start, w.indicator.direction)
        if gap is not None and gap >= w.settings.warning_gap:
            out.append(
                w.finding(
                    str(entity),
                    float(row.iloc[-1]),
                    start,
                    gap,
                    Severity.warning,
                    RuleName.trend,
                    slope_per_period=slope,
                    p_value=p,
                    periods=[str(c) for c in row.index],
                )
            )
    return out


def _worsening(y: np.ndarray, direction: Direction, alpha: float) -> tuple[float, float, float] | None:
    """(fitted first value, slope, one-sided p) when the series worsens significantly, else None."""
    x = np.arange(len(y), dtype=np.float64)
    ok = np.isfinite(y)
    if ok.sum() < 4 or np.ptp(y[ok]) == 0:
        return None
    fit = stats.linregress(x[ok], y[ok], alternative="greater" if direction is Direction.LOWER else "less")
    if not fit.pvalue < alpha:
        return None
    return float(fit.intercept), float(fit.slope), float(fit.pvalue)


RULES: dict[RuleName, Rule] = {
    RuleName.benchmark: benchmark_rule,
    RuleName.peer_bottom_decile: peer_rule,
    RuleName.deterioration: deterioration_rule,
    RuleName.trend: trend_rule,
}


def diagnosed(indicator: Indicator, settings: RuleSettings) -> bool:
    """Helper indicators (weight 0, e.g. the parts of NPS) are left alone unless enabled."""
    return settings.enabled if settings.enabled is not None else indicator.weight > 0


def find(values: pd.DataFrame, model: EvaluationModel, config: DiagnoseConfig, periods: list[str]) -> list[Finding]:
    """Every rule on every diagnosed indicator for ``periods[-1]`` (earlier periods are history)."""
    out: list[Finding] = []
    for ind in model.indicators:
        settings = config.for_indicator(ind.id)
        if not diagnosed(ind, settings):
            continue
        w = window(values, ind, settings, periods)
        for rule in RULES.values():
            out += rule(w)
    return sorted(out, key=lambda f: (f.severity != Severity.critical, f.entity_id, f.indicator, f.rule))
