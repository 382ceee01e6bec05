"""Rankings of a cut of the rows: a stored run's model evaluated again on one customer segment's rows, or
on a scoped caller's own units' rows at a field level, on demand.

Why evaluate again, not re-weight what was stored: a run keeps each unit's indicators over all its
records, and a unit's value among, say, VIP customers is not derivable from those totals (a ratio or a
mean of the segment's rows needs the segment's own sums), while percentile scores, shrinkage, the
minimum n and the ranks all depend on the peers' values in that segment too. So a segment ranking runs
the run's model version, period and level once more with the warehouse cut to the rows of the
segment's customers (:class:`SegmentWarehouse`), stores nothing, and is cached per run, segment and
lake snapshot: the same page opened twice computes once, new data computes afresh.

A field level (``field:agent_id``, ``field:channel``) cuts across the organisation tree: a stored value
pools the rows of every region, so showing it to a region head would show other regions' numbers, and
keeping only the values that are tree ids would hide a channel altogether. So a caller bound to units
sees a field level evaluated on the rows of their units (ranked among them): every number they see is
made of rows they may see. A caller who sees everything reads the stored run as it is.

The segments are the model's declared ``segments`` (customer fields such as ``spend_tier``, ``vip``;
checked against ``customers`` by the model loader) and their values as found in ``customers``. A dataset
without ``customer_id`` (the entity tree, staff records) is not cut: its rows belong to no customer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import ibis
import ibis.expr.types as ir
import sqlalchemy as sa

from valueloop.evaluation.service.evaluate import EvaluationRun, evaluate
from valueloop.evaluation.service.models import load_versions, version_for_period
from valueloop.evaluation.service.scores import StoredResult, latest_run
from valueloop.results import Result
from valueloop.spec.model import EvaluationModel, level_field
from valueloop.store import appdb, tables
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

CUSTOMERS = "customers"
CUSTOMER_KEY = "customer_id"
UNIT_KEY = "entity_id"
TREE = "entities"


@dataclass(frozen=True)
class Segment:
    """One value of one customer field (``spend_tier`` = ``high``); written ``spend_tier:high`` in a URL."""

    field: str
    value: str

    @property
    def key(self) -> str:
        return f"{self.field}:{self.value}"

    @classmethod
    def parse(cls, key: str | None) -> Segment | None:
        field, sep, value = (key or "").partition(":")
        return cls(field, value) if sep and field and value else None


def _label(column: ir.Column) -> ir.StringValue:
    """A segment value as the segment benchmarks read it (:mod:`valueloop.metrics.run`): text, lower case."""
    return column.cast("string").lower()


class SegmentWarehouse(Warehouse):
    """The lake seen through a cut: with a segment, every dataset with a ``customer_id`` keeps its rows of
    the segment's customers; with ``units``, every dataset with an ``entity_id`` (but the tree itself) keeps
    the rows of those units; the others are as they are."""

    def __init__(self, ws: Workspace, segment: Segment | None, units: frozenset[str] | None = None) -> None:
        super().__init__(ws)
        self.segment, self.units = segment, units

    def table(self, dataset: str) -> ir.Table:
        t = super().table(dataset)
        if self.units is not None and dataset != TREE and UNIT_KEY in t.columns:
            t = t.filter(t[UNIT_KEY].isin(sorted(self.units)))
        return t if self.segment is None else self._segment(dataset, t, self.segment)

    def _segment(self, dataset: str, t: ir.Table, segment: Segment) -> ir.Table:
        customers = super().table(CUSTOMERS)
        if segment.field not in customers.columns:
            return t.filter(ibis.literal(False)) if CUSTOMER_KEY in t.columns else t
        members = customers.filter(_label(customers[segment.field]) == segment.value)
        if dataset == CUSTOMERS:
            return members
        if CUSTOMER_KEY not in t.columns:
            return t
        return t.filter(t[CUSTOMER_KEY].isin(members[CUSTOMER_KEY]))


def segment_choices(ws: Workspace, model_id: str) -> list[Segment]:
    """Every segment the model declares, each field's values found in ``customers`` (sorted)."""
    fields = load_versions(ws, model_id)[-1].segments
    if not fields:
        return []
    wh = Warehouse(ws)
    customers = wh.table(CUSTOMERS)
    out = []
    for field in fields:
        if field in customers.columns:
            found = wh.execute(_label(customers[field]).name("v").as_table().distinct())["v"]
            out += [Segment(field, str(v)) for v in sorted(found.dropna())]
    return out


def _snapshot(ws: Workspace) -> str:
    """The lake's committed files, as one digest: the cache key's "new data" part."""
    files = Warehouse(ws).manifest.datasets
    return hashlib.sha256(json.dumps(files, sort_keys=True, default=str).encode()).hexdigest()


@lru_cache(maxsize=32)
def _evaluated(
    ws: Workspace, run_id: str, segment: Segment | None, units: frozenset[str] | None, snapshot: str
) -> EvaluationRun:
    """The run ``run_id`` evaluated again on the cut's rows (``snapshot`` only keys the cache)."""
    del snapshot
    runs, res = tables.evaluation_runs, tables.evaluation_results
    with appdb.engine(ws.database_url).connect() as conn:
        run = conn.execute(runs.select().where(runs.c.run_id == run_id)).one()
        stored = {k for (r,) in conn.execute(sa.select(res.c.result).where(res.c.run_id == run_id))
                  for k in r["indicators"]}  # fmt: skip
    versions = load_versions(ws, run.model_id)
    model = version_for_period(versions, run.period, versions[-1].period, run.version)
    return evaluate(ws, run.model_id, run.period, run.level, run.version, store=False,
                    versions=[_cut_to(model, stored)], wh=SegmentWarehouse(ws, segment, units))  # fmt: skip


def _cut_to(model: EvaluationModel, kept: set[str]) -> EvaluationModel:
    """``model`` with only the indicators the stored run scored (a run made with a cut model, such as what
    an agent controls, is evaluated again with that cut), weights renormalised as the cut did."""
    if not kept or {i.id for i in model.indicators} <= kept:
        return model
    dims = []
    for d in model.dimensions:
        inds = [i for i in d.indicators if i.id in kept]
        total = sum(i.weight for i in inds)
        if inds and total > 0:
            scaled = tuple(i.model_copy(update={"weight": i.weight / total}) for i in inds)
            dims.append(d.model_copy(update={"indicators": scaled}))
    weight = sum(d.weight for d in dims) or 1.0
    return model.model_copy(update={"dimensions": tuple(d.model_copy(update={"weight": d.weight / weight})
                                                        for d in dims)})  # fmt: skip


class SegmentResults(Result):
    """A stored run evaluated again on a cut: one segment's rows and/or (``within``) the caller's units' rows.

    ``results`` are as the stored run's (:class:`~valueloop.evaluation.service.scores.StoredResult`), by rank.
    """

    run_id: str
    model: str
    version: int
    period: str
    level: str
    created_at: datetime
    segment: str | None
    """The segment's key (``field:value``), None when only the caller's units cut the rows."""
    within: list[str] | None
    """The caller's units the rows were cut to (sorted), None when the cut is a segment's only."""
    results: list[StoredResult]


def segment_results(
    ws: Workspace,
    seen: Collection[str] | None,
    segment: Segment | None,
    period: str | None = None,
    model: str | None = None,
    level: str | None = None,
) -> SegmentResults | None:
    """:func:`~valueloop.evaluation.service.scores.run_results` of a cut: the latest stored run of the
    selectors, its units scored and ranked on one segment's rows and, at a field level for a caller bound
    to units (``seen`` not None), on their units' rows; None when neither applies (the stored run is it)."""
    run = latest_run(ws, period, model, level)
    units = frozenset(seen) if seen is not None and level_field(run.level) else None
    if segment is None and units is None:
        return None
    found = _evaluated(ws, str(run.run_id), segment, units, _snapshot(ws))
    # a field level's values are no tree ids: its rows were cut to the caller's units already
    results = [StoredResult.model_validate(r.model_dump(mode="json")) for r in found.results
               if units is not None or seen is None or r.entity_id in seen]  # fmt: skip
    results.sort(key=lambda r: (r.rank is None, r.rank or 0))
    return SegmentResults(
        run_id=run.run_id,
        model=run.model_id,
        version=run.version,
        period=run.period,
        level=run.level,
        created_at=appdb.as_utc(run.created_at),
        segment=segment.key if segment else None,
        within=sorted(units) if units is not None else None,
        results=results,
    )
