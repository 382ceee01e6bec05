"""Use case: evaluate a period — indicator values → scores → composite → ranking, stored as a run."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field

from valueloop.errors import InputError
from valueloop.evaluation.service.models import load_versions, version_for_period
from valueloop.metrics.periods import label_of, previous
from valueloop.metrics.run import compute_values
from valueloop.scoring.composite import EntityScore, score_model
from valueloop.scoring.model_weights import resolve_weights
from valueloop.spec.lookup import dataset_spec
from valueloop.spec.model import FIELD_LEVEL, EvaluationModel, Indicator, level_field
from valueloop.spec.units import percent_factor, seconds_per, show
from valueloop.store import appdb, ledger_state, tables
from valueloop.store.lake import new_batch_id
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace


class EntityResult(BaseModel):
    entity_id: str
    name: str
    score: float | None
    rank: int | None
    percentile: float | None
    change: float | None
    dimensions: dict[str, float | None]
    indicators: dict[str, dict[str, Any]]
    points_lost: dict[str, float]
    n: int = 0
    """The unit's records (its largest indicator n)."""
    enough_data: bool = True
    """False: fewer records than the model asks for before ranking; scored, shown as "not enough data", unranked."""


class EvaluationRun(BaseModel):
    """The JSON contract of ``valueloop evaluate``."""

    run_id: str
    model: str
    version: int
    period: str
    level: str
    scale: str
    weights: dict[str, float] = Field(default_factory=dict)
    """Each indicator's share of the total (dimension weight × indicator weight), after weighting methods."""
    results: list[EntityResult]


def evaluate(
    ws: Workspace,
    model_id: str | None = None,
    period: str | None = None,
    level: str | None = None,
    version: int | None = None,
    store: bool = True,
    versions: list[EvaluationModel] | None = None,
    wh: Warehouse | None = None,
) -> EvaluationRun:
    """Evaluate ``period`` (default: the latest with data); ``versions`` replaces the model files'
    versions (e.g. their cut to what an agent controls, for scorecards); ``wh`` replaces the whole lake
    (e.g. by the rows of one customer segment, :mod:`.segments`)."""
    versions = versions or load_versions(ws, model_id)
    wh = wh or Warehouse(ws)
    grain = versions[-1].period
    period = period or latest_period(wh, versions[-1])
    model = version_for_period(versions, period, grain, version)
    if level:
        model = model.model_copy(update={"level": check_level(wh, level)})
    values, unit_table = compute_values(wh, model, [previous(period, grain), period])
    model = resolve_weights(model, values[values["period"] == period])
    before = score_model(values[values["period"] == previous(period, grain)], model)
    scores = score_model(
        values[values["period"] == period], model, {s.entity_id: s.score for s in before if s.score is not None}
    )
    names = dict(zip(unit_table["entity_id"], unit_table["name"], strict=True))
    run = EvaluationRun(
        run_id=new_batch_id(),
        model=model.id,
        version=model.version,
        period=period,
        level=model.level,
        scale=model.scale.value,
        weights={i.id: d.weight * i.weight for d in model.dimensions for i in d.indicators},
        results=[_result(s, names, {i.id: i for i in model.indicators}) for s in scores],
    )
    if store:
        _store(ws, model, run)
    return run


def check_level(wh: Warehouse, level: str) -> str:
    """``level`` if some entity of the tree is of that type, or ``field:NAME`` for a column of a dataset;
    an unknown level is refused, not scored as nothing."""
    field = level_field(level)
    if field is not None:
        if not any(field in d.by_name for d in wh.ws.datasets.values()):
            raise InputError(f"unknown level field {field!r}: no dataset has a column of that name")
        return level
    types = wh.execute(wh.table("entities").select("type").distinct())["type"]
    known = sorted(str(t) for t in types if isinstance(t, str))
    if level not in known:
        tree = ", ".join(known) or "no entities"
        raise InputError(f"unknown level {level!r}; the entity tree has {tree} (a field level: {FIELD_LEVEL}NAME)")
    return level


def latest_period(wh: Warehouse, model: EvaluationModel) -> str:
    """The period of the newest row in the model's datasets."""
    times = {
        i.dataset: spec.time_field
        for i in model.indicators
        if (spec := dataset_spec(i.dataset, wh.ws.datasets)) is not None
    }
    newest = []
    for name, time_field in times.items():
        if time_field is None:
            continue
        t = wh.table(name)
        value = wh.execute(t[time_field].max())
        if value is not None and not pd.isna(value):
            newest.append(pd.Timestamp(value).tz_convert(wh.ws.settings.workspace.timezone))
    if not newest:
        raise InputError("no data to evaluate: ingest interactions, feedback or orders first")
    return label_of(max(newest).date(), model.period)


def _result(s: EntityScore, names: dict[str, str], indicators: dict[str, Indicator]) -> EntityResult:
    return EntityResult(
        entity_id=s.entity_id,
        name=str(names.get(s.entity_id) or s.entity_id),
        score=s.score,
        rank=s.rank,
        percentile=s.percentile,
        change=s.change,
        dimensions=dict(s.dimensions),
        indicators={k: _indicator(v, indicators.get(k)) for k, v in s.indicators.items()},
        points_lost=dict(s.points_lost),
        n=s.n,
        enough_data=s.enough_data,
    )


def _indicator(v: Any, spec: Indicator | None) -> dict[str, Any]:
    """The indicator's result, with its unit and the value shown in it (``"1 min 35 s"``, ``"17.3 %"``)."""
    data = v.model_dump() if hasattr(v, "model_dump") else dict(vars(v))
    out = {k: (None if isinstance(x, float) and x != x else x) for k, x in data.items()}
    unit = spec.unit if spec is not None else ""
    percent = percent_factor(spec) if spec is not None else None
    seconds = seconds_per(spec) if spec is not None else None
    return out | {"unit": unit, "shown": show(out.get("value"), unit, percent, seconds)}


def _store(ws: Workspace, model: EvaluationModel, run: EvaluationRun) -> None:
    """Record the model version used, the run and every unit's result, in one transaction."""
    spec = model.model_dump(mode="json")
    sha = hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    now = datetime.now(UTC)
    with appdb.engine(ws.database_url).begin() as conn:
        known = conn.execute(
            tables.model_versions.select().where(
                (tables.model_versions.c.model_id == model.id) & (tables.model_versions.c.version == model.version)
            )
        ).first()
        if known is None:
            conn.execute(
                tables.model_versions.insert().values(
                    model_id=model.id,
                    version=model.version,
                    effective_from=model.effective_from,
                    reason_category=model.reason.category.value if model.reason else None,
                    reason=model.reason.text if model.reason else None,
                    sha256=sha,
                    spec=spec,
                    recorded_at=now,
                )
            )
            mv = tables.model_versions.c
            ref = f"model/{model.id}@{model.version}"
            ledger_state.record(conn, "model_version", ref, (mv.model_id == model.id) & (mv.version == model.version))
        conn.execute(
            tables.evaluation_runs.insert().values(
                run_id=run.run_id,
                model_id=run.model,
                version=run.version,
                period=run.period,
                level=run.level,
                parameters={"scale": run.scale, "sha256": sha},
                created_at=now,
            )
        )
        if run.results:
            conn.execute(
                tables.evaluation_results.insert(),
                [
                    {
                        "run_id": run.run_id,
                        "entity_id": r.entity_id,
                        "score": r.score,
                        "rank": r.rank,
                        "result": r.model_dump(mode="json"),
                    }
                    for r in run.results
                ],
            )
        runs = tables.evaluation_runs.c
        ledger_state.record(conn, "evaluation_run", f"run/{run.run_id}", runs.run_id == run.run_id)
