"""Use case: a value stream map of a defined process, measured from real step timestamps.

The process definition says what should happen (steps, departments, value-adding,
standard times); ``interaction_steps`` in the lake says what did. The query only selects
and filters (Ibis, so DuckDB or Spark); the maths runs on plain arrays in
:mod:`valueloop.improvement.vsm`. A period keeps interactions whose *first* step started in
it, so an interaction is never cut in half at a period boundary.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from valueloop.errors import InputError
from valueloop.improvement.vsm import derive
from valueloop.improvement.vsm_results import ProcessRef, StepDefinition, ValueStreamMap
from valueloop.improvement.vsm_summary import compare, value_stream
from valueloop.metrics.periods import bounds_utc, first_day
from valueloop.spec.model import Grain
from valueloop.spec.process import ProcessDefinition, load_process
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

EPOCH = pd.Timestamp(0, tz="UTC")


def process_files(ws: Workspace) -> dict[str, Path]:
    """Process definitions by id: the packaged templates, overridden by the workspace's ``processes/``."""
    folder = Path(str(resources.files("valueloop.templates") / "processes"))
    found = {p.stem: p for p in sorted(folder.glob("*.yaml"))}
    found.update({p.stem: p for p in sorted((ws.root / "processes").glob("*.y*ml"))})
    return found


def resolve_process(ws: Workspace, name: str) -> ProcessDefinition:
    """``name`` is a YAML file path or the id of a workspace or packaged process."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_process(path)
    files = process_files(ws)
    if name not in files:
        raise InputError(f"unknown process {name!r}; known: {', '.join(files) or 'none'} (or give a YAML file)")
    return load_process(files[name])


def grain_of(label: str) -> Grain:
    """The grain a period label is written in (``2026``, ``2026-Q3``, ``2026-10``, ``2026-W09``, a day)."""
    for grain in (Grain.day, Grain.week, Grain.month, Grain.quarter, Grain.year):
        try:
            first_day(label, grain)
        except InputError:
            continue
        return grain
    raise InputError(f"period {label!r} is not a day, week, month, quarter or year (e.g. 2026-10, 2026-Q3)")


def step_frame(ws: Workspace, period: str | None) -> pd.DataFrame:
    """The step rows of interactions whose first step started in ``period`` (all when None)."""
    wh = Warehouse(ws)
    t = wh.table("interaction_steps")
    if period is not None:
        start, end = bounds_utc(period, grain_of(period), ws.settings.workspace.timezone)
        first = t.group_by("interaction_id").aggregate(first_start=t.started_at.min())
        keep = first.filter((first.first_start >= start) & (first.first_start < end)).select("interaction_id")
        t = t.semi_join(keep, "interaction_id")
    expr = t.select("interaction_id", "step", "department", "started_at", "ended_at")
    df: pd.DataFrame = wh.execute(expr)
    return df


def _map_frame(df: pd.DataFrame, process: ProcessDefinition) -> dict[str, Any]:
    codes, _ = pd.factorize(df["interaction_id"])
    rows = derive(
        codes,
        df["step"].astype(str).to_numpy(),
        df["department"].fillna("").astype(str).to_numpy(),
        _seconds(df["started_at"]),
        _seconds(df["ended_at"]),
    )
    return value_stream(rows, process)


def _seconds(s: pd.Series) -> Any:
    return (pd.to_datetime(s, utc=True) - EPOCH).dt.total_seconds().to_numpy(dtype=float)


def value_stream_map(
    ws: Workspace, process_name: str, period: str | None = None, compare_to: str | None = None
) -> ValueStreamMap:
    """The map for ``period``; with ``compare_to``, the map for that period too and the change
    from ``period`` (before) to ``compare_to`` (after)."""
    process = resolve_process(ws, process_name)
    current = _map_frame(step_frame(ws, period), process)
    out: dict[str, Any] = {"process": process_ref(process), "period": period or "all", **current}
    if compare_to is not None:
        after = _map_frame(step_frame(ws, compare_to), process)
        out["compare"] = {"before": period or "all", "after": compare_to, "map": after, **compare(current, after)}
    return ValueStreamMap.model_validate(out)


def process_ref(process: ProcessDefinition) -> ProcessRef:
    steps = [StepDefinition.model_validate(s.model_dump()) for s in process.steps]
    return ProcessRef(id=process.id, name=process.name, steps=steps)
