"""Use case: read stored evaluation results back (drill-down for one unit)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from valueloop.errors import InputError
from valueloop.store import appdb
from valueloop.store.workspace import Workspace


def latest_run(ws: Workspace, period: str | None, model: str | None) -> sa.Row[Any]:
    runs = appdb.evaluation_runs
    query = sa.select(runs).order_by(runs.c.created_at.desc()).limit(1)
    if period:
        query = query.where(runs.c.period == period)
    if model:
        query = query.where(runs.c.model_id == model)
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise InputError("no stored evaluation run matches; run `valueloop evaluate` first")
    return row


def entity_scores(ws: Workspace, entity: str, period: str | None, model: str | None) -> dict[str, Any]:
    run = latest_run(ws, period, model)
    res = appdb.evaluation_results
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
    return {**result, "model": run.model_id, "run_id": run.run_id, "period": run.period, "indicator_rows": rows}
