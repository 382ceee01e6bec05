"""Use case: the records behind one unit's indicator value in one period (the drill-down's last step).

"Why is this score low" ends at "which records": the rows of interactions, feedback or
steps that make up the indicator's value — its numerator and denominator for a ratio —
filtered exactly as the value was computed (:func:`valueloop.diagnosis.evidence.records_query`:
the unit's subtree or field value, the period's bounds in the workspace's zone, the measure's
and the indicator's filters). Pages of rows come in a stable order (newest first, then the
dataset's key), so paging never skips or repeats a row. The caller passes the units it may
see; a scoped caller additionally gets only rows of those units, whatever the model's level.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from datetime import date, datetime
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from valueloop.diagnosis.evidence import MEASURED, Scope, part_dataset, part_names, records_query
from valueloop.errors import InputError
from valueloop.evaluation.service.models import load_versions, version_for_period
from valueloop.evaluation.service.scores import latest_run
from valueloop.metrics.hierarchy import ancestors_at
from valueloop.metrics.periods import bounds_utc
from valueloop.results import Instant, Result
from valueloop.spec.conditions import Condition
from valueloop.spec.lookup import using
from valueloop.spec.model import EvaluationModel, Indicator
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

Cell = str | float | int | bool | None
PAGE = 50
MAX_PAGE = 500
EXPORT_ROWS = 100_000


class RecordPart(Result):
    """One row set of the indicator: ``rows`` (a simple measure), ``numerator`` or ``denominator``."""

    name: str
    dataset: str
    total: int


class RecordPage(Result):
    """One page of the rows behind ``indicator`` of ``entity_id`` in ``period`` (``total`` over all pages)."""

    entity_id: str
    indicator: str
    model: str
    version: int
    level: str
    period: str
    run_id: str
    start: Instant
    end: Instant
    part: str
    parts: list[RecordPart]
    dataset: str
    filters: list[str]
    columns: list[str]
    measured: str | None
    """The column holding each row's own contribution (a rate's condition met, a duration), if any."""
    rows: list[list[Cell]]
    total: int
    offset: int
    limit: int


class _Drill:
    """What the queries need: the model version of the run, the indicator, the row scope and the warehouse."""

    def __init__(self, ws: Workspace, entity: str, indicator: str, period: str | None, model: str | None) -> None:
        run = latest_run(ws, period, model)
        versions = load_versions(ws, run.model_id)
        self.run = run
        self.model: EvaluationModel = version_for_period(versions, run.period, versions[-1].period, run.version)
        self.model = self.model.model_copy(update={"level": run.level})
        if indicator not in {i.id for i in self.model.indicators}:
            raise InputError(f"model {self.model.id} has no indicator {indicator!r}")
        self.indicator: Indicator = self.model.indicator(indicator)
        self.wh = Warehouse(ws)
        start, end = bounds_utc(run.period, self.model.period, ws.settings.workspace.timezone)
        self.scope = Scope(self._members(entity), start, end, None, self.model.unit_field)

    def _members(self, entity: str) -> tuple[str, ...]:
        """The entity ids whose rows roll up to the unit (the field value itself at a field level)."""
        if self.model.unit_field is not None:
            return (entity,)
        tree = ancestors_at(self.wh.execute(self.wh.table("entities")), self.model.level)
        members = sorted(e for e, unit in tree.items() if unit == entity)
        if not members:
            raise InputError(f"{entity!r} is not a {self.model.level} of model {self.model.id}")
        return tuple(members)

    def query(self, part: int, seen: Collection[str] | None) -> ir.Table:
        with using(self.wh.ws.datasets):
            t = records_query(self.wh.table, self.indicator, self.scope, part)
        return t if seen is None else t.filter(t.entity_id.isin(sorted(seen)))

    def total(self, part: int, seen: Collection[str] | None) -> int:
        return int(self.wh.con.execute(self.query(part, seen).count()))


def _part_index(indicator: Indicator, part: str | None) -> int:
    names = part_names(indicator)
    if not names:
        raise InputError(f"indicator {indicator.id} is derived from other indicators and has no records of its own")
    if part is None:
        return 0
    if part not in names:
        raise InputError(f"indicator {indicator.id} has no part {part!r}; choose one of {', '.join(names)}")
    return names.index(part)


def _filters(indicator: Indicator, part: int) -> list[str]:
    """The conditions the rows meet, as written in the model."""
    measure = getattr(indicator.measure, part_names(indicator)[part], indicator.measure)
    own: tuple[Condition, ...] = () if part_names(indicator) != ["rows"] else indicator.filter
    return [c.text for c in (*own, *getattr(measure, "filter", ()))]


def record_page(
    ws: Workspace, entity: str, indicator: str, seen: Collection[str] | None, *, period: str | None = None,
    model: str | None = None, part: str | None = None, offset: int = 0, limit: int = PAGE,
) -> RecordPage:  # fmt: skip
    """One page of the records behind the unit's indicator value in the run's period."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InputError(f"offset must be ≥ 0 and limit between 1 and {MAX_PAGE}")
    return _page(_Drill(ws, entity, indicator, period, model), entity, seen, part, offset, limit)


def record_export(
    ws: Workspace, entity: str, indicator: str, seen: Collection[str] | None, *, period: str | None = None,
    model: str | None = None, part: str | None = None,
) -> RecordPage:  # fmt: skip
    """Every record of one part (up to :data:`EXPORT_ROWS`), for the CSV download."""
    return _page(_Drill(ws, entity, indicator, period, model), entity, seen, part, 0, EXPORT_ROWS)


def _page(drill: _Drill, entity: str, seen: Collection[str] | None, part: str | None, offset: int,
          limit: int) -> RecordPage:  # fmt: skip
    index = _part_index(drill.indicator, part)
    frame = drill.wh.execute(drill.query(index, seen).limit(limit, offset=offset))
    names = part_names(drill.indicator)
    parts = [RecordPart(name=n, dataset=part_dataset(drill.indicator, i), total=drill.total(i, seen))
             for i, n in enumerate(names)]  # fmt: skip
    return RecordPage(
        entity_id=entity, indicator=drill.indicator.id, model=drill.model.id, version=drill.model.version,
        level=drill.model.level, period=str(drill.run.period), run_id=str(drill.run.run_id),
        start=drill.scope.start, end=drill.scope.end, part=names[index], parts=parts,
        dataset=part_dataset(drill.indicator, index), filters=_filters(drill.indicator, index),
        columns=[str(c) for c in frame.columns], measured=MEASURED if MEASURED in frame.columns else None,
        rows=list(_rows(frame)), total=parts[index].total, offset=offset, limit=limit,
    )  # fmt: skip


def _rows(frame: pd.DataFrame) -> Iterator[list[Cell]]:
    for row in frame.itertuples(index=False, name=None):
        yield [_cell(v) for v in row]


def _cell(value: Any) -> Cell:
    """A JSON value: times as ISO 8601, numpy scalars as Python ones, NaN/NaT as null."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)
