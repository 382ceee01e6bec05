"""Key drivers of an outcome indicator: LMG importance, bootstrap intervals, IPA quadrants.

Observations are unit × period rows of the long values table; a row is used only when
the outcome and every driver were measured on at least their ``min_n`` observations
(small samples would put noise into the regression). Performance is a driver's mean
score over the same rows, on the model's scale.

Pure: numpy and pandas, no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from valueloop.diagnosis.ipa import Quadrant, quadrants
from valueloop.diagnosis.lmg import MAX_DRIVERS, bootstrap, lmg
from valueloop.errors import InputError
from valueloop.spec.model import Derived, EvaluationModel

MIN_COVERAGE = 0.5


class Driver(BaseModel):
    model_config = ConfigDict(frozen=True)

    indicator: str
    importance: float
    """LMG share of R² (the shares add up to ``r2``)."""
    relative: float
    """Share of the explained part: importance / R²."""
    ci_low: float | None
    ci_high: float | None
    performance: float | None
    quadrant: Quadrant | None


class DriverAnalysis(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: str
    periods: list[str]
    observations: int
    units: int
    r2: float
    bootstrap: int
    seed: int
    drivers: list[Driver]
    excluded: list[str]
    """Drivers left out: well measured (n ≥ min_n) in under half of the unit-periods."""


def default_drivers(model: EvaluationModel, outcome: str) -> list[str]:
    """Indicators that count in the composite, except the outcome and derived ones (often outcomes too)."""
    return [i.id for i in model.indicators if i.weight > 0 and i.id != outcome and not isinstance(i.measure, Derived)]


def coverage(values: pd.DataFrame, model: EvaluationModel, indicator: str) -> float:
    """Share of the unit-periods where ``indicator`` has a value on at least ``min_n`` observations."""
    rows = values[values["segment"].isna() & (values["indicator"] == indicator)]
    if rows.empty:
        return 0.0
    return float(((rows["n"] >= model.indicator(indicator).min_n) & rows["value"].notna()).mean())


def observations(values: pd.DataFrame, model: EvaluationModel, columns: list[str]) -> pd.DataFrame:
    """Unit × period rows with a well-measured value of every column."""
    overall = values[values["segment"].isna() & values["indicator"].isin(columns)]
    min_n = overall["indicator"].map({i.id: i.min_n for i in model.indicators})
    solid = overall[(overall["n"] >= min_n) & overall["value"].notna()]
    wide = solid.pivot_table(index=["entity_id", "period"], columns="indicator", values="value", aggfunc="first")
    return wide.reindex(columns=columns).dropna()


def analyse(
    values: pd.DataFrame,
    scores: pd.DataFrame,
    model: EvaluationModel,
    outcome: str,
    drivers: list[str],
    *,
    replicates: int = 200,
    seed: int = 20060101,
) -> DriverAnalysis:
    """LMG of ``drivers`` for ``outcome``; ``scores`` has entity_id, period, indicator, score."""
    known = {i.id for i in model.indicators}
    unknown = [k for k in [outcome, *drivers] if k not in known]
    if unknown:
        raise InputError(f"unknown indicator(s): {', '.join(unknown)}; the model has {', '.join(sorted(known))}")
    if not drivers or len(drivers) > MAX_DRIVERS:
        raise InputError(f"choose between 1 and {MAX_DRIVERS} drivers (got {len(drivers)})")
    excluded = [k for k in drivers if coverage(values, model, k) < MIN_COVERAGE]
    drivers = [k for k in drivers if k not in excluded]
    if not drivers:
        raise InputError(f"no driver is well measured (n ≥ min_n) in half the unit-periods: {', '.join(excluded)}")
    rows = observations(values, model, [outcome, *drivers])
    y, x = rows[outcome].to_numpy(np.float64), rows[drivers].to_numpy(np.float64)
    result = lmg(y, x)
    clusters = pd.factorize(rows.index.get_level_values("entity_id"))[0].astype(np.int64)
    low, high = bootstrap(y, x, clusters, replicates=replicates, seed=seed) if replicates else (None, None)
    perf = _performance(scores, rows.index, drivers)
    importance = dict(zip(drivers, result.shares, strict=True))
    quads = quadrants(importance, {k: v for k, v in perf.items() if v is not None})
    return DriverAnalysis(
        outcome=outcome,
        periods=sorted(rows.index.get_level_values("period").unique()),
        observations=len(rows),
        units=int(clusters.max() + 1),
        r2=result.r2,
        bootstrap=replicates,
        seed=seed,
        drivers=sorted(
            (
                Driver(
                    indicator=k,
                    importance=v,
                    relative=v / result.r2 if result.r2 > 0 else 0.0,
                    ci_low=_opt(low, i),
                    ci_high=_opt(high, i),
                    performance=perf.get(k),
                    quadrant=quads.get(k),
                )
                for i, (k, v) in enumerate(importance.items())
            ),
            key=lambda d: -d.importance,
        ),
        excluded=excluded,
    )


def _opt(a: np.ndarray | None, i: int) -> float | None:
    return None if a is None or np.isnan(a[i]) else float(a[i])


def _performance(scores: pd.DataFrame, index: pd.Index, drivers: list[str]) -> dict[str, float | None]:
    """Mean score of each driver over the rows used in the regression."""
    used = scores.set_index(["entity_id", "period"]).loc[lambda s: s.index.isin(index)]
    out: dict[str, float | None] = {}
    for k in drivers:
        mean = used.loc[used["indicator"] == k, "score"].mean()
        out[k] = None if pd.isna(mean) else float(mean)
    return out
