"""Use cases of diagnosis: findings for a period, key drivers of an outcome, why a unit's score moved.

Wires the layers: the model in force and its indicator values (metrics), scores
(scoring), the pure rules and decompositions (diagnose) and the app database.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.diagnosis import records
from valueloop.diagnosis.config import DiagnoseConfig, parse_config
from valueloop.diagnosis.contributions import decompose, mix_shares
from valueloop.diagnosis.drivers import DriverAnalysis, analyse, default_drivers
from valueloop.diagnosis.evidence import Scope, collect
from valueloop.diagnosis.findings import Finding
from valueloop.diagnosis.rules import find
from valueloop.diagnosis.service.kept import Memo, snapshot
from valueloop.diagnosis.service.results import ChildMove, ChildPart, Contribution, Explanation
from valueloop.errors import InputError, SpecError
from valueloop.evaluation.service.evaluate import check_level, latest_period
from valueloop.evaluation.service.models import load_versions, version_for_period
from valueloop.metrics.hierarchy import ancestors_at
from valueloop.metrics.periods import bounds_utc, previous
from valueloop.metrics.run import compute_values
from valueloop.scoring.composite import effective_weights, score_model
from valueloop.scoring.model_weights import resolve_weights
from valueloop.spec.lookup import using
from valueloop.spec.model import Aggregate, EvaluationModel, Rate
from valueloop.spec.yamlsource import load_yaml
from valueloop.store import appdb, tables
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

CONFIG_FILE = "diagnose.yaml"


class DiagnoseResult(BaseModel):
    """The JSON contract of ``valueloop diagnose``."""

    model: str
    version: int
    level: str
    period: str
    run_id: str | None
    counts: dict[str, int]
    findings: list[Finding]


def load_config(ws: Workspace) -> DiagnoseConfig:
    path = ws.root / CONFIG_FILE
    if not path.is_file():
        return DiagnoseConfig()
    doc = load_yaml(path)
    if doc.data is not None and not isinstance(doc.data, dict):
        raise SpecError(f"{path}:1: expected a mapping of indicator id → settings")
    return parse_config(doc.data, str(path), lambda key: doc.line((key,)))


def _model(
    ws: Workspace,
    wh: Warehouse,
    model_id: str | None,
    period: str | None,
    version: int | None = None,
    level: str | None = None,
) -> tuple[EvaluationModel, str]:
    versions = load_versions(ws, model_id)
    period = period or latest_period(wh, versions[-1])
    model = version_for_period(versions, period, versions[-1].period, version)
    return (model.model_copy(update={"level": check_level(wh, level)}) if level else model), period


def _run(ws: Workspace, run_id: str) -> sa.Row[Any]:
    runs = tables.evaluation_runs
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(sa.select(runs).where(runs.c.run_id == run_id)).first()
    if row is None:
        raise InputError(f"no evaluation run {run_id!r}; `valueloop evaluate` stores one")
    return row


def _window(period: str, model: EvaluationModel, config: DiagnoseConfig) -> list[str]:
    """The target period and as many before it as the longest history any rule needs."""
    settings = [config.for_indicator(i.id) for i in model.indicators]
    back = max([1, *(max(s.deterioration_periods, s.trend_periods - 1) for s in settings)])
    periods = [period]
    for _ in range(back):
        periods.insert(0, previous(periods[0], model.period))
    return periods


def diagnose(
    ws: Workspace,
    run_id: str | None = None,
    period: str | None = None,
    model_id: str | None = None,
    level: str | None = None,
    store: bool = True,
) -> DiagnoseResult:
    """Apply every rule to every unit for the period, attach evidence and (by default) store the findings."""
    wh = Warehouse(ws)
    run = _run(ws, run_id) if run_id else None
    if run is not None:
        model, period = _model(ws, wh, run.model_id, run.period, run.version, run.level)
    else:
        model, period = _model(ws, wh, model_id, period, level=level)
    config = load_config(ws)
    periods = _window(period, model, config)
    values, _ = compute_values(wh, model, periods)
    now = datetime.now(UTC)
    found = [f.with_id(model.id, model.level) for f in find(values, model, config, periods)]
    found = _with_evidence(wh, model, found)
    found = [f.model_copy(update={"run_id": run_id, "created_at": now}) for f in found]
    if store:
        records.replace(ws.database_url, model.id, model.level, period, found)
    counts = {s: sum(f.severity == s for f in found) for s in ("critical", "warning")}
    return DiagnoseResult(
        model=model.id,
        version=model.version,
        level=model.level,
        period=period,
        run_id=run_id,
        counts=counts,
        findings=found,
    )


def _with_evidence(wh: Warehouse, model: EvaluationModel, found: list[Finding]) -> list[Finding]:
    """Evidence per (unit, indicator, segment), shared by the rules that fired on the same value."""
    subtree = _subtrees(wh, model.level) if model.unit_field is None else {}
    cache: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    out, datasets = [], wh.ws.datasets
    for f in found:
        key = (f.entity_id, f.indicator, f.segment)
        if key not in cache:
            start, end = bounds_utc(f.period, model.period, wh.ws.settings.workspace.timezone)
            scope = Scope(tuple(subtree.get(f.entity_id, [f.entity_id])), start, end, f.segment, model.unit_field)
            with using(datasets):
                cache[key] = collect(wh.table, wh.execute, model.indicator(f.indicator), scope)
        out.append(f.model_copy(update={"evidence": {**f.evidence, **cache[key]}}))
    return out


def _subtrees(wh: Warehouse, level: str) -> dict[str, list[str]]:
    """Unit → every entity id whose rows roll up to it (itself included)."""
    out: dict[str, list[str]] = {}
    for entity, unit in ancestors_at(wh.execute(wh.table("entities")), level).items():
        out.setdefault(unit, []).append(str(entity))
    return {k: sorted(v) for k, v in out.items()}


def list_findings(
    ws: Workspace, period: str | None = None, severity: str | None = None, entity: str | None = None
) -> list[Finding]:
    return [_aware(f) for f in records.select(ws.database_url, period=period, severity=severity, entity=entity)]


def show_finding(ws: Workspace, finding_id: str) -> Finding:
    return _aware(records.get(ws.database_url, finding_id))


def _aware(f: Finding) -> Finding:
    """``created_at`` as an aware UTC time (SQLite hands it back naive, which is not an RFC 3339 date-time)."""
    if f.created_at is None or f.created_at.tzinfo is not None:
        return f
    return f.model_copy(update={"created_at": appdb.as_utc(f.created_at)})


def _periods_back(period: str, model: EvaluationModel, count: int) -> list[str]:
    out = [period]
    while len(out) < count:
        out.insert(0, previous(out[0], model.period))
    return out


def _scores(values: pd.DataFrame, model: EvaluationModel, periods: list[str]) -> pd.DataFrame:
    """Long table entity_id, period, indicator, score (None where not scored)."""
    rows = []
    for p in periods:
        for s in score_model(values[values["period"] == p], model):
            rows += [
                {"entity_id": s.entity_id, "period": p, "indicator": k, "score": v.score}
                for k, v in s.indicators.items()
            ]
    return pd.DataFrame(rows, columns=["entity_id", "period", "indicator", "score"])


def drivers(
    ws: Workspace,
    outcome: str,
    period: str | None = None,
    periods: int = 6,
    chosen: list[str] | None = None,
    model_id: str | None = None,
    replicates: int = 200,
    seed: int = 20060101,
) -> DriverAnalysis:
    """Key drivers of ``outcome`` over units × the ``periods`` periods ending at ``period``."""
    wh = Warehouse(ws)
    model, period = _model(ws, wh, model_id, period)
    labels = _periods_back(period, model, max(1, periods))
    values, _ = compute_values(wh, model, labels)
    names = chosen or default_drivers(model, outcome)
    return analyse(values, _scores(values, model, labels), model, outcome, names, replicates=replicates, seed=seed)


_EXPLAINED: Memo[Explanation] = Memo(256, 256, lambda _: 1)


def explain(
    ws: Workspace, entity: str, period: str | None = None, model_id: str | None = None, indicator: str | None = None
) -> Explanation:
    """Each indicator's contribution to the unit's composite change since the previous period,
    and which child units explain the move of one additive (rate or mean) indicator.

    It recomputes every unit's values of two periods from the lake (seconds at a million rows),
    and the drill-down's explanation page asks for it on every view: the answer is kept per
    lake snapshot, model files read and question (:mod:`valueloop.diagnosis.service.kept`). It
    does not depend on who asks; callers narrow it to their scope afterwards. A copy is returned.
    """
    lake = snapshot(ws)
    versions = tuple(load_versions(ws, model_id))
    key = (ws.root, lake.version, tuple(map(id, versions)), entity, period, model_id, indicator)
    found = _EXPLAINED.get(key, versions, lambda: _explain(ws, entity, period, model_id, indicator))
    return copy.deepcopy(found)


def _explain(ws: Workspace, entity: str, period: str | None, model_id: str | None, indicator: str | None
             ) -> Explanation:  # fmt: skip
    wh = Warehouse(ws)
    model, period = _model(ws, wh, model_id, period)
    if model.aggregation != "weighted_mean":
        raise InputError("explain decomposes weighted-mean composites; this model aggregates with TOPSIS")
    before_p = previous(period, model.period)
    values, unit_table = compute_values(wh, model, [before_p, period])
    if entity not in set(unit_table["entity_id"]):
        raise InputError(f"{entity!r} is not a {model.level} of model {model.id}")
    model = resolve_weights(model, values[values["period"] == period])
    sides = [_scored(values[values["period"] == p], model, entity) for p in (before_p, period)]
    t0, t1, parts = decompose(sides[0], sides[1])
    contributions = [
        Contribution(indicator=p.key, score_before=p.before, score_after=p.after, weight_before=p.weight_before,
                     weight_after=p.weight_after, score_effect=p.value_effect, weight_effect=p.weight_effect,
                     total=p.total)
        for p in parts
    ]  # fmt: skip
    target = indicator or _additive(model, [p.key for p in parts])
    children = _children(wh, model, values, entity, target, [before_p, period]) if target else None
    return Explanation(entity_id=entity, model=model.id, level=model.level, period=period, previous=before_p,
                       score_before=t0 if sides[0] else None, score_after=t1 if sides[1] else None, change=t1 - t0,
                       contributions=contributions, children=children)  # fmt: skip


def _scored(values: pd.DataFrame, model: EvaluationModel, entity: str) -> dict[str, tuple[float, float]]:
    result = next((s for s in score_model(values, model) if s.entity_id == entity), None)
    if result is None:
        return {}
    scores = {k: v.score for k, v in result.indicators.items()}
    weights = effective_weights(model, {k: s is not None for k, s in scores.items()})
    return {k: (w, s) for k, w in weights.items() if (s := scores[k]) is not None}


def _additive(model: EvaluationModel, ranked: list[str]) -> str | None:
    """The most contributing indicator whose value is a row mean (rates, means): mix/rate is exact for those."""
    ok = {
        i.id
        for i in model.indicators
        if isinstance(i.measure, Rate) or (isinstance(i.measure, Aggregate) and i.measure.type == "mean")
    }
    return next((k for k in ranked if k in ok), None)


def _children(
    wh: Warehouse, model: EvaluationModel, values: pd.DataFrame, entity: str, indicator: str, periods: list[str]
) -> ChildMove | None:
    entities = wh.execute(wh.table("entities"))
    kids = entities[entities["parent_id"] == entity]
    if kids.empty:
        return None
    level = str(kids["type"].mode().iloc[0])
    child_values, _ = compute_values(wh, model.model_copy(update={"level": level}), periods)
    sides = [_mix(values, child_values, set(kids["entity_id"]), entity, indicator, p) for p in periods]
    t0, t1, parts = decompose(sides[0], sides[1])
    return ChildMove(indicator=indicator, child_level=level, value_before=t0, value_after=t1, change=t1 - t0, parts=[
        ChildPart(child=p.key, rate_before=p.before, rate_after=p.after, mix_before=p.weight_before,
                  mix_after=p.weight_after, rate_effect=p.value_effect, mix_effect=p.weight_effect, total=p.total)
        for p in parts
    ])  # fmt: skip


def _mix(
    parent: pd.DataFrame, children: pd.DataFrame, kids: set[str], entity: str, indicator: str, period: str
) -> dict[str, tuple[float, float]]:
    """Child → (mix, value) in one period; the parent's own rows (not under any child) form '(own rows)'."""

    def overall(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["indicator"] == indicator) & frame["segment"].isna() & (frame["period"] == period)]

    rows = overall(children)
    rows = rows[rows["entity_id"].isin(kids) & rows["value"].notna()]
    counts = dict(zip(rows["entity_id"], rows["n"].astype(float), strict=True))
    vals = dict(zip(rows["entity_id"], rows["value"].astype(float), strict=True))
    top = overall(parent)
    top = top[top["entity_id"] == entity]
    if len(top) and pd.notna(top["value"].iloc[0]):
        n_all, v_all = float(top["n"].iloc[0]), float(top["value"].iloc[0])
        own = n_all - sum(counts.values())
        if own > 0:
            counts["(own rows)"] = own
            vals["(own rows)"] = (n_all * v_all - sum(counts[k] * vals[k] for k in vals)) / own
    return mix_shares(counts, vals)
