"""Use case: read stored evaluation results back (drill-down for one unit).

A stored result is the run's :class:`~valueloop.evaluation.service.evaluate.EntityResult` as it
was written: :class:`StoredResult` reads it back without adding what an older run did not store
(``n``, ``enough_data`` are left out, not defaulted) and keeps any key a newer run added.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ConfigDict

from valueloop.errors import InputError
from valueloop.results import MISSING, Result
from valueloop.store import appdb, tables
from valueloop.store.workspace import Workspace


class StoredResult(Result):
    """One unit's stored result: composite, rank, dimensions, each indicator's detail, points lost."""

    model_config = ConfigDict(frozen=True, extra="allow")
    entity_id: str
    name: str
    score: float | None
    rank: int | None
    percentile: float | None
    change: float | None
    dimensions: dict[str, float | None]
    indicators: dict[str, dict[str, Any]]
    """Indicator id → its result (value, score, n, benchmark, flag, unit, shown …) as the run scored it."""
    points_lost: dict[str, float | None]
    n: int | MISSING = MISSING
    enough_data: bool | MISSING = MISSING


class UnitScores(StoredResult):
    """``scores show`` / ``/scores/{entity_id}``: the stored result, its run, and the indicators worst first."""

    model: str
    run_id: str
    period: str
    level: str
    indicator_rows: list[dict[str, Any]]
    """``{"indicator": id, **its result, "points_lost": …}``, most points lost first."""


class RunResults(Result):
    """``/runs/latest``: a stored run and the results the caller may see, by rank (unranked last)."""

    run_id: str
    model: str
    version: int
    period: str
    level: str
    created_at: datetime
    """Written as pydantic writes a UTC moment (``…Z``), as this answer always was (not :data:`Instant`)."""
    results: list[StoredResult]


@dataclass(frozen=True)
class StoredRun:
    """A stored evaluation run's header (a row of ``evaluation_runs``), what the cuts, drill-down and
    allocation read before its results."""

    run_id: str
    model_id: str
    version: int
    period: str
    level: str
    parameters: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, row: sa.Row[Any]) -> StoredRun:
        """The run of an ``evaluation_runs`` row."""
        return cls(run_id=row.run_id, model_id=row.model_id, version=row.version, period=row.period,
                   level=row.level, parameters=dict(row.parameters or {}), created_at=row.created_at)  # fmt: skip


def latest_run(ws: Workspace, period: str | None, model: str | None, level: str | None = None) -> StoredRun:
    runs = tables.evaluation_runs
    query = sa.select(runs).order_by(runs.c.created_at.desc()).limit(1)
    if period:
        query = query.where(runs.c.period == period)
    if model:
        query = query.where(runs.c.model_id == model)
    if level:
        query = query.where(runs.c.level == level)
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise InputError("no stored evaluation run matches; run `valueloop evaluate` first")
    return StoredRun.of(row)


def entity_scores(
    ws: Workspace, entity: str, period: str | None, model: str | None, level: str | None = None
) -> UnitScores:
    run = latest_run(ws, period, model, level)
    res = tables.evaluation_results
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(
            sa.select(res.c.result).where((res.c.run_id == run.run_id) & (res.c.entity_id == entity))
        ).first()
    if row is None:
        raise InputError(
            f"entity {entity!r} is not in run {run.run_id} ({run.model_id}, {run.period}, level {run.level})"
        )
    result: dict[str, Any] = dict(row.result)
    lost = result.get("points_lost", {})
    rows = [{"indicator": k, **v, "points_lost": lost.get(k)} for k, v in result["indicators"].items()]
    rows.sort(key=lambda r: -(r["points_lost"] or 0))
    return UnitScores.model_validate(
        {**result, "model": run.model_id, "run_id": run.run_id, "period": run.period, "level": run.level,
         "indicator_rows": rows}
    )  # fmt: skip


# Scoped reads for the dashboard and the API: a manager sees only the units under their bindings.
# The caller passes the units it may see (``accounts.service.accounts.visible_units``; None = all),
# so the scope rule has one home and this stage does not depend on accounts.


def run_results(
    ws: Workspace,
    seen: Collection[str] | None,
    period: str | None = None,
    model: str | None = None,
    level: str | None = None,
) -> RunResults:
    """The latest stored run (optionally of one period/model/level) with the results the principal may see."""
    run = latest_run(ws, period, model, level)
    res = tables.evaluation_results
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(sa.select(res.c.entity_id, res.c.result).where(res.c.run_id == run.run_id)).all()
    results = [dict(r.result) for r in rows if seen is None or r.entity_id in seen]
    results.sort(key=lambda r: (r.get("rank") is None, r.get("rank") or 0))
    return RunResults(run_id=run.run_id, model=run.model_id, version=run.version, period=run.period,
                      level=run.level, created_at=appdb.as_utc(run.created_at),
                      results=[StoredResult.model_validate(r) for r in results])  # fmt: skip


class PeriodComposite(Result):
    """One evaluated period's composite over the visible units: mean, lowest, highest, and how many units."""

    period: str
    mean: float
    min: float
    max: float
    units: int


def run_history(ws: Workspace, seen: Collection[str] | None, model: str | None = None) -> list[PeriodComposite]:
    """Per evaluated period (latest run of each): mean, min and max composite over the visible units."""
    runs, res = tables.evaluation_runs, tables.evaluation_results
    query = sa.select(runs.c.run_id, runs.c.period, runs.c.model_id).order_by(runs.c.created_at)
    if model:
        query = query.where(runs.c.model_id == model)
    with appdb.engine(ws.database_url).connect() as conn:
        latest = {r.period: r.run_id for r in conn.execute(query)}
        rows = conn.execute(
            sa.select(res.c.run_id, res.c.entity_id, res.c.score).where(
                res.c.run_id.in_(list(latest.values())) & res.c.score.is_not(None)
            )
        ).all()
    out = []
    for period, run_id in sorted(latest.items()):
        scores = [float(r.score) for r in rows if r.run_id == run_id and (seen is None or r.entity_id in seen)]
        if scores:
            mean = sum(scores) / len(scores)
            out.append(PeriodComposite(period=period, mean=mean, min=min(scores), max=max(scores), units=len(scores)))
    return out


def run_choices(ws: Workspace) -> dict[str, list[str]]:
    """Model id → the periods it has stored runs for, newest first (the rankings page's selectors)."""
    runs = tables.evaluation_runs
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(sa.select(runs.c.model_id, runs.c.period).distinct()).all()
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(str(r.model_id), []).append(str(r.period))
    return {m: sorted(set(p), reverse=True) for m, p in sorted(out.items())}


def run_levels(ws: Workspace) -> dict[str, list[str]]:
    """Model id → the levels it has stored runs for (``branch``, ``field:agent_id``, …): the level selector.

    A model scores its own level by default; ``valueloop evaluate --level`` stores runs at others.
    """
    runs = tables.evaluation_runs
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(sa.select(runs.c.model_id, runs.c.level).distinct()).all()
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(str(r.model_id), set()).add(str(r.level))
    return {m: sorted(levels) for m, levels in sorted(out.items())}


def field_member_level(ws: Workspace, entity: str) -> str | None:
    """The field level (``field:NAME``) of the newest stored run that scored ``entity``, if any.

    A field level's units (an agent's id) are not in the organisation tree: their page is read
    from the run that scored them.
    """
    runs, res = tables.evaluation_runs, tables.evaluation_results
    query = (
        sa.select(runs.c.level)
        .join(res, res.c.run_id == runs.c.run_id)
        .where((res.c.entity_id == entity) & runs.c.level.like("field:%"))
        .order_by(runs.c.created_at.desc())
        .limit(1)
    )
    with appdb.engine(ws.database_url).connect() as conn:
        level = conn.execute(query).scalar()
    return str(level) if level is not None else None


def indicator_history(
    ws: Workspace, model: str, level: str, entities: Collection[str], last: int = 6
) -> dict[tuple[str, str], list[tuple[str, float | None]]]:
    """(unit, indicator) → its value in each of the ``last`` evaluated periods of ``model`` at ``level``
    (latest run of each period, oldest first; None where the unit was not scored): a trend sparkline."""
    runs, res = tables.evaluation_runs, tables.evaluation_results
    query = (
        sa.select(runs.c.run_id, runs.c.period)
        .where((runs.c.model_id == model) & (runs.c.level == level))
        .order_by(runs.c.created_at)
    )
    with appdb.engine(ws.database_url).connect() as conn:
        latest = {r.period: r.run_id for r in conn.execute(query)}
        periods = sorted(latest)[-last:]
        rows = conn.execute(
            sa.select(res.c.run_id, res.c.entity_id, res.c.result).where(
                res.c.run_id.in_([latest[p] for p in periods]) & res.c.entity_id.in_(list(entities))
            )
        ).all()
    period_of = {latest[p]: p for p in periods}
    values: dict[tuple[str, str, str], float | None] = {}
    for r in rows:
        for indicator, score in (r.result.get("indicators") or {}).items():
            v = score.get("value")
            values[(str(r.entity_id), indicator, period_of[r.run_id])] = float(v) if v is not None else None
    out: dict[tuple[str, str], list[tuple[str, float | None]]] = {}
    for entity, indicator in {(e, i) for e, i, _ in values}:
        out[(entity, indicator)] = [(p, values.get((entity, indicator, p))) for p in periods]
    return out


def unit_scores(ws: Workspace, entity: str) -> UnitScores | None:
    """A unit page's scores: the latest run's, else those of the latest field-level run that scored the unit
    (an agent of a ``field:agent_id`` run); None when no run scored it (a region: read through a roll-up)."""
    try:
        return entity_scores(ws, entity, None, None)
    except InputError:
        pass
    level = field_member_level(ws, entity)
    try:
        return entity_scores(ws, entity, None, None, level) if level else None
    except InputError:
        return None
