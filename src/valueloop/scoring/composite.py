"""Composite scores and rankings: indicator values of one period and level → ranked units.

Per indicator, each unit's value is scored with the indicator's rule (:mod:`.rules`)
among its peers. A value measured on fewer than ``min_n`` observations is flagged and,
by the model's ``small_sample`` policy, either left out (``exclude``) or shrunk toward
the peer mean before scoring (``shrink``, :mod:`.shrink`), so that a unit with three
5-star reviews cannot top the ranking by luck. Only estimates are shrunk (means, medians,
quantiles, rates, durations, ratios, derived values): a count or a sum is an exact
volume, not a noisy estimate, so under ``shrink`` it is scored as measured (one call is
one call, never lifted to the peer mean). A value without data (NaN, or ``n == 0``)
is left out as under ``exclude``. A mix-adjusted indicator (:mod:`.mix`) is scored on
``value − expected + reference`` against the reference.

Aggregation, variant ``weighted_mean`` (default): a dimension's score is the weighted
mean of its scored indicators, the total the weighted mean of the scored dimensions,
both with weights renormalised over what was scored. Every scored indicator thus has an
*effective weight* (dimension share × indicator share, summing to 1), and its *points
lost* ``w_eff × (scale max − score)`` add up exactly to ``scale max − total``: the list a
manager reads to see what to fix first. Variant ``topsis``: the total is TOPSIS
closeness (vector normalisation, :mod:`.topsis`) over the unit × indicator score matrix
with weights dimension weight × indicator weight, mapped onto the scale (``1 + 4c`` or
``100c``); a missing indicator score counts as the scale minimum there (no evidence of
quality earns no credit), and points lost keep their weighted-mean meaning. When TOPSIS
cannot separate the units (fewer than two, or identical score rows) the weighted mean
is used.

Ranking: competition ranking (1, 2, 2, 4) on the total; peer percentile
``100 × (average rank ascending − 1) / (N − 1)`` (100 for a lone unit); units without a
total come last, unranked.

Pure: numpy, pandas and scipy only, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict
from scipy.stats import rankdata

from valueloop.errors import InputError
from valueloop.scoring.rules import score_values
from valueloop.scoring.shrink import shrink, shrink_rates
from valueloop.scoring.topsis import competition_rank, topsis
from valueloop.spec.model import (
    Aggregate,
    Count,
    CountDistinct,
    Direction,
    EvaluationModel,
    Indicator,
    MixBenchmark,
    Rate,
    Scale,
    SegmentBenchmark,
    SmallSample,
)

FloatArray = npt.NDArray[np.float64]
COLUMNS = ("entity_id", "indicator", "segment", "value", "n", "var")
MIX_COLUMNS = ("expected", "reference")
"""Optional columns, needed for mix-adjusted indicators."""
Scores = Mapping[str, float | None]


class Flag(StrEnum):
    """Why an indicator score is what it is."""

    ok = "ok"
    shrunk = "shrunk"
    """Below ``min_n``; the value was shrunk toward the peer mean and then scored."""
    small_sample = "small_sample"
    """Below ``min_n`` under the ``exclude`` policy; not scored, weights renormalised."""
    no_data = "no_data"
    no_benchmark = "no_benchmark"
    """Segment or mix benchmarks only: none of the unit's segments has a benchmark."""


_SCORED = (Flag.ok, Flag.shrunk)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IndicatorScore(_Frozen):
    """One unit's indicator: the observed overall value and ``n``, the score (None when
    left out), the benchmark it was scored against (n-weighted over segments for
    differentiated standards), and the shrunk value actually scored when flagged ``shrunk``."""

    value: float | None
    score: float | None
    n: int
    benchmark: float | None
    flag: Flag
    shrunk_value: float | None = None
    adjusted_value: float | None = None
    """Mix-adjusted indicators: ``value − expected + reference``, the value scored (``benchmark`` is the expected)."""


class EntityScore(_Frozen):
    """One unit's result; ``points_lost`` is ordered from the largest loss down."""

    entity_id: str
    score: float | None
    rank: int | None
    percentile: float | None
    change: float | None
    dimensions: dict[str, float | None]
    indicators: dict[str, IndicatorScore]
    points_lost: dict[str, float]
    n: int = 0
    """The unit's records: its largest indicator ``n``."""
    enough_data: bool = True
    """Whether ``n`` reaches the model's :attr:`~valueloop.spec.model.EvaluationModel.rank_min_n`; if not, the
    unit is scored but neither ranked nor counted in the others' percentiles (a new unit is not ranked at once)."""


def _checked(values: pd.DataFrame) -> pd.DataFrame:
    """The input with string ids and ``n`` filled, or an error naming every problem row."""
    missing = [c for c in COLUMNS if c not in values.columns]
    if missing:
        raise InputError(f"indicator values lack the columns {', '.join(missing)}")
    frame = values.assign(entity_id=values["entity_id"].astype(str), n=values["n"].fillna(0))
    for column in MIX_COLUMNS:
        if column not in frame.columns:
            frame[column] = np.nan
    twice = frame[frame.duplicated(["entity_id", "indicator", "segment"])]
    if len(twice):
        keys = ", ".join("/".join(map(str, k)) for k in twice[["entity_id", "indicator", "segment"]].head(5).values)
        raise InputError(f"{len(twice)} repeated entity/indicator/segment rows: {keys}")
    return frame


def _columns(rows: pd.DataFrame, entities: list[str]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """value, n and var aligned on ``entities`` (NaN, 0, NaN where a unit has no row)."""
    aligned = rows.set_index("entity_id").reindex(entities)
    value = aligned["value"].to_numpy(np.float64, na_value=np.nan)
    n = aligned["n"].to_numpy(np.float64, na_value=0.0)
    return value, np.nan_to_num(n), aligned["var"].to_numpy(np.float64, na_value=np.nan)


def shrinkable(indicator: Indicator) -> bool:
    """Whether the indicator is an estimate that shrinkage may pull toward peers (not a count or a sum)."""
    m = indicator.measure
    return not isinstance(m, Count | CountDistinct) and not (isinstance(m, Aggregate) and m.type == "sum")


def _flags(value: FloatArray, n: FloatArray, indicator: Indicator, policy: SmallSample) -> list[Flag]:
    small = Flag.small_sample
    if policy == SmallSample.shrink:
        small = Flag.shrunk if shrinkable(indicator) else Flag.ok
    return [
        Flag.no_data if np.isnan(v) or k <= 0 else small if k < indicator.min_n else Flag.ok
        for v, k in zip(value, n, strict=True)
    ]


def _prepared(value: FloatArray, n: FloatArray, var: FloatArray, flags: list[Flag], indicator: Indicator) -> FloatArray:
    """Values to score: shrunk where flagged ``shrunk``, NaN where left out.

    The mean and spread shrunk toward come from the well-measured peers (``n >= min_n``),
    or from every unit with data when there are none; rates without a reported variance
    use the binomial one (:func:`.shrink.shrink_rates`). A shrunk value is never better
    than the peer mean it is shrunk toward: below the minimum sample a unit can lose points
    but not win them, so a handful of lucky reviews never tops a ranking.
    """
    out = np.where([f in _SCORED for f in flags], value, np.nan)
    small = np.array([f is Flag.shrunk for f in flags], dtype=np.bool_)
    if small.any():
        peers = np.where(n > 0, value, np.nan)
        solid = np.isfinite(peers) & (n >= indicator.min_n)
        ref, k = (solid if solid.any() else None), indicator.min_n
        if isinstance(indicator.measure, Rate) and np.isnan(var).all():
            shrunk = shrink_rates(peers, n, k=k, reference=ref)
        else:
            shrunk = shrink(peers, n, var, k=k, reference=ref)
        cap = np.minimum if indicator.direction is Direction.HIGHER else np.maximum
        out[small] = cap(shrunk.values[small], shrunk.mean)
    return out


def _segment_scores(
    rows: pd.DataFrame,
    indicator: Indicator,
    bench: SegmentBenchmark,
    scale: Scale,
    entities: list[str],
    flags: list[Flag],
) -> tuple[FloatArray, FloatArray]:
    """Differentiated standards: each segment row scored against its segment's benchmark
    (or the default; none → skipped); score and benchmark are n-weighted over segments."""
    size = len(entities)
    score_sum, bench_sum, weight = np.zeros(size), np.zeros(size), np.zeros(size)
    for segment, part in rows[rows["segment"].notna()].groupby("segment"):
        b = bench.values.get(str(segment), bench.default)
        if b is None:
            continue
        value, n, var = _columns(part, entities)
        s = score_values(_prepared(value, n, var, flags, indicator), indicator, scale, b)
        used = np.isfinite(s) & (n > 0)
        score_sum[used] += n[used] * s[used]
        bench_sum[used] += n[used] * b
        weight[used] += n[used]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, score_sum / weight, np.nan), np.where(weight > 0, bench_sum / weight, np.nan)


def _optionals(x: FloatArray) -> list[float | None]:
    """The values as floats, NaN as None, at list speed."""
    return [None if v != v else v for v in np.asarray(x, dtype=np.float64).tolist()]


def _mix(overall: pd.DataFrame, entities: list[str], value: FloatArray) -> tuple[FloatArray, FloatArray, float | None]:
    """(adjusted value, expected, reference) of a mix-adjusted indicator (see :mod:`.mix`)."""
    aligned = overall.set_index("entity_id").reindex(entities)
    exp = aligned["expected"].to_numpy(np.float64, na_value=np.nan)
    ref = aligned["reference"].to_numpy(np.float64, na_value=np.nan)
    known = ref[np.isfinite(ref)]
    reference = float(known[0]) if known.size else None
    return value - exp + (np.nan if reference is None else reference), exp, reference


def score_indicator(
    rows: pd.DataFrame, indicator: Indicator, model: EvaluationModel, entities: list[str]
) -> dict[str, IndicatorScore]:
    """Every unit's score on one indicator (``rows``: that indicator's values, all peers)."""
    overall = rows[rows["segment"].isna()]
    value, n, var = _columns(overall, entities)
    flags = _flags(value, n, indicator, model.small_sample)
    adjusted = None
    if isinstance(indicator.benchmark, MixBenchmark):
        adjusted, bench, reference = _mix(overall, entities, value)
        flags = [Flag.no_benchmark if f in _SCORED and np.isnan(a) else f for f, a in zip(flags, adjusted, strict=True)]
        prepared = _prepared(adjusted, n, var, flags, indicator)
        score = score_values(prepared, indicator, model.scale, reference)
    elif isinstance(indicator.benchmark, SegmentBenchmark):
        prepared = _prepared(value, n, var, flags, indicator)
        score, bench = _segment_scores(rows, indicator, indicator.benchmark, model.scale, entities, flags)
        flags = [Flag.no_benchmark if f in _SCORED and np.isnan(s) else f for f, s in zip(flags, score, strict=True)]
    else:
        prepared = _prepared(value, n, var, flags, indicator)
        score = score_values(prepared, indicator, model.scale, indicator.benchmark)
        bench = np.full(len(entities), np.nan if indicator.benchmark is None else indicator.benchmark)
    values, scores, benches, preps = _optionals(value), _optionals(score), _optionals(bench), _optionals(prepared)
    adjusteds = _optionals(adjusted) if adjusted is not None else [None] * len(entities)
    counts = n.astype(np.int64).tolist()
    return {
        e: IndicatorScore(
            value=values[i],
            score=scores[i] if flags[i] in _SCORED else None,
            n=counts[i],
            benchmark=benches[i],
            flag=flags[i],
            shrunk_value=preps[i] if flags[i] is Flag.shrunk else None,
            adjusted_value=adjusteds[i],
        )
        for i, e in enumerate(entities)
    }


def effective_weights(model: EvaluationModel, scored: Mapping[str, bool]) -> dict[str, float]:
    """Indicator id → its weight in the total, renormalised over the scored indicators
    within each dimension and over the dimensions with any scored indicator (sums to 1,
    or empty when nothing with a positive weight was scored)."""
    shares: list[tuple[float, dict[str, float]]] = []
    for d in model.dimensions:
        inner = {i.id: i.weight for i in d.indicators if scored.get(i.id, False)}
        total = sum(inner.values())
        if total > 0:
            shares.append((d.weight, {k: w / total for k, w in inner.items()}))
    outer = sum(w for w, _ in shares)
    return {k: w / outer * s for w, inner in shares for k, s in inner.items()} if outer > 0 else {}


def dimension_scores(model: EvaluationModel, scores: Scores) -> dict[str, float | None]:
    """Weighted mean of each dimension's scored indicators (None when none is scored)."""
    out: dict[str, float | None] = {}
    for d in model.dimensions:
        pairs = [(i.weight, scores[i.id]) for i in d.indicators if scores.get(i.id) is not None]
        total = sum(w for w, _ in pairs)
        out[d.id] = sum(w * s for w, s in pairs if s is not None) / total if total > 0 else None
    return out


def points_lost(weights: Mapping[str, float], scores: Scores, scale: Scale) -> dict[str, float]:
    """``w_eff × (scale max − score)`` per scored indicator, largest first."""
    top = Scale(scale).bounds[1]
    lost = {k: w * (top - s) for k, w in weights.items() if (s := scores.get(k)) is not None}
    return dict(sorted(lost.items(), key=lambda kv: -kv[1]))


def _scored(scores: Scores) -> dict[str, bool]:
    return {k: s is not None for k, s in scores.items()}


def _weighted_totals(model: EvaluationModel, table: list[dict[str, float | None]]) -> list[float | None]:
    totals: list[float | None] = []
    for scores in table:
        weights = effective_weights(model, _scored(scores))
        totals.append(sum(w * s for k, w in weights.items() if (s := scores[k]) is not None) if weights else None)
    return totals


def _topsis_totals(model: EvaluationModel, table: list[dict[str, float | None]]) -> list[float | None]:
    """TOPSIS closeness on the scale for units with any score; weighted mean if degenerate."""
    fallback = _weighted_totals(model, table)
    rows = [i for i, t in enumerate(fallback) if t is not None]
    ids = [i.id for i in model.indicators]
    weights = [d.weight * i.weight for d in model.dimensions for i in d.indicators]
    low, high = Scale(model.scale).bounds
    matrix = [[low if (s := table[r][k]) is None else s for k in ids] for r in rows]
    try:
        closeness = topsis(matrix, weights).closeness
    except InputError:
        return fallback
    out: list[float | None] = [None] * len(table)
    for r, c in zip(rows, closeness, strict=True):
        out[r] = low + (high - low) * c
    return out


def rank_totals(totals: list[float | None]) -> tuple[list[int | None], list[float | None]]:
    """Competition rank (best = 1, ties share) and peer percentile of each total."""
    known = [i for i, t in enumerate(totals) if t is not None]
    ranks: list[int | None] = [None] * len(totals)
    pct: list[float | None] = [None] * len(totals)
    x = np.array([totals[i] for i in known], dtype=np.float64).round(12)
    for i, r, a in zip(known, competition_rank(x), rankdata(x, method="average"), strict=True):
        ranks[i] = r
        pct[i] = 100.0 * (a - 1.0) / (len(known) - 1) if len(known) > 1 else 100.0
    return ranks, pct


def score_model(
    values: pd.DataFrame, model: EvaluationModel, previous_totals: Mapping[str, float] | None = None
) -> list[EntityScore]:
    """Score, aggregate and rank every unit in ``values`` (one period, one level).

    ``values`` has the columns of :data:`COLUMNS` (others are ignored): one overall row
    (``segment`` None) per unit and indicator, plus segment rows for indicators with
    segment benchmarks. ``previous_totals`` gives each unit's total of the previous period
    for ``change``. Results are sorted by rank, unranked units last.
    """
    frame = _checked(values)
    entities = sorted(frame["entity_id"].unique().tolist())
    by_indicator = {
        ind.id: score_indicator(frame[frame["indicator"] == ind.id], ind, model, entities) for ind in model.indicators
    }
    table = [{k: by_indicator[k][e].score for k in by_indicator} for e in entities]
    totals = (_topsis_totals if model.aggregation == "topsis" else _weighted_totals)(model, table)
    volume = [max((int(by_indicator[k][e].n) for k in by_indicator), default=0) for e in entities]
    enough = [v >= model.rank_min_n for v in volume]
    ranks, pct = rank_totals([t if ok else None for t, ok in zip(totals, enough, strict=True)])
    previous = previous_totals or {}
    results = []
    for i, e in enumerate(entities):
        total = totals[i]
        results.append(
            EntityScore(
                entity_id=e,
                score=total,
                rank=ranks[i],
                percentile=pct[i],
                change=total - previous[e] if total is not None and e in previous else None,
                dimensions=dimension_scores(model, table[i]),
                indicators={k: by_indicator[k][e] for k in by_indicator},
                points_lost=points_lost(effective_weights(model, _scored(table[i])), table[i], model.scale),
                n=volume[i],
                enough_data=enough[i],
            )
        )
    return sorted(results, key=lambda r: (r.rank is None, r.rank or 0, r.entity_id))
