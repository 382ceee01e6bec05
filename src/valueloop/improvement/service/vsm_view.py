"""Use cases behind the value-stream page: which processes exist, which months have step data, a scoped map.

The map is :func:`valueloop.improvement.service.vsm.value_stream_map`'s; a month here is the month an
interaction's *first* step started in, the same rule the map uses to filter a period. A
caller bound to some units gets the map of their units' interactions only.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from valueloop.improvement.service.vsm import (
    _map_frame,
    process_files,
    process_ref,
    resolve_process,
    step_frame,
    value_stream_map,
)
from valueloop.improvement.vsm_results import ValueStreamMap
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace


def process_ids(ws: Workspace) -> list[str]:
    """The workspace's process definitions (packaged ones included), by id."""
    return sorted(process_files(ws))


def step_months(ws: Workspace) -> list[str]:
    """``YYYY-MM`` labels (workspace time zone) of months in which interactions with step data began, oldest first."""
    wh = Warehouse(ws)
    t = wh.table("interaction_steps")
    first = t.group_by("interaction_id").aggregate(first_start=t.started_at.min())
    months = first.group_by(month=first.first_start.truncate("M")).aggregate(n=first.interaction_id.count())
    df: pd.DataFrame = wh.execute(months)
    if df.empty:
        return []
    zone = ws.settings.workspace.timezone
    local: Any = pd.to_datetime(df["month"], utc=True).dt.tz_convert(zone)
    return sorted({str(x) for x in local.dt.strftime("%Y-%m")})


def unit_map(ws: Workspace, process_name: str, period: str | None, units: frozenset[str] | None) -> ValueStreamMap:
    """:func:`value_stream_map` of the interactions of ``units`` (every interaction when None)."""
    if units is None:
        return value_stream_map(ws, process_name, period)
    process = resolve_process(ws, process_name)
    wh = Warehouse(ws)
    t = wh.table("interactions")
    mine: pd.DataFrame = wh.execute(t.filter(t.entity_id.isin(sorted(units))).select("interaction_id"))
    steps = step_frame(ws, period)
    current = _map_frame(steps[steps["interaction_id"].isin(mine["interaction_id"])], process)
    return ValueStreamMap.model_validate({"process": process_ref(process), "period": period or "all", **current})
