"""Rankings per customer segment: a stored run's model evaluated again on one segment's rows, on demand.

Why evaluate again, not re-weight what was stored: a run keeps each unit's indicators over all its
records, and a unit's value among, say, VIP customers is not derivable from those totals (a ratio or a
mean of the segment's rows needs the segment's own sums), while percentile scores, shrinkage, the
minimum n and the ranks all depend on the peers' values in that segment too. So a segment ranking runs
the run's model version, period and level once more with the warehouse cut to the rows of the
segment's customers (:class:`SegmentWarehouse`), stores nothing, and is cached per run, segment and
lake snapshot: the same page opened twice computes once, new data computes afresh.

The segments are the model's declared ``segments`` (customer fields such as ``spend_tier``, ``vip``;
checked against ``customers`` by the model loader) and their values as found in ``customers``. A dataset
without ``customer_id`` (the entity tree, staff records) is not cut: its rows belong to no customer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ibis
import ibis.expr.types as ir

from valueloop.evaluation.service.evaluate import EvaluationRun, evaluate
from valueloop.evaluation.service.models import load_versions
from valueloop.evaluation.service.scores import latest_run
from valueloop.store import appdb, tables
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

CUSTOMERS = "customers"
CUSTOMER_KEY = "customer_id"


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
    """The lake seen through one segment: every dataset with a ``customer_id`` keeps its rows of the
    segment's customers; the others are as they are."""

    def __init__(self, ws: Workspace, segment: Segment) -> None:
        super().__init__(ws)
        self.segment = segment

    def table(self, dataset: str) -> ir.Table:
        t = super().table(dataset)
        customers = super().table(CUSTOMERS)
        if self.segment.field not in customers.columns:
            return t.filter(ibis.literal(False)) if CUSTOMER_KEY in t.columns else t
        members = customers.filter(_label(customers[self.segment.field]) == self.segment.value)
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
def _evaluated(ws: Workspace, run_id: str, segment: Segment, snapshot: str) -> EvaluationRun:
    """The run ``run_id`` evaluated again on ``segment``'s rows (``snapshot`` only keys the cache)."""
    del snapshot
    runs = tables.evaluation_runs
    with appdb.engine(ws.database_url).connect() as conn:
        run = conn.execute(runs.select().where(runs.c.run_id == run_id)).one()
    return evaluate(ws, run.model_id, run.period, run.level, run.version, store=False,
                    wh=SegmentWarehouse(ws, segment))  # fmt: skip


def segment_results(
    ws: Workspace,
    seen: Collection[str] | None,
    segment: Segment,
    period: str | None = None,
    model: str | None = None,
    level: str | None = None,
) -> dict[str, Any]:
    """:func:`~valueloop.evaluation.service.scores.run_results` of one segment: the latest stored run
    of the cut, its units scored and ranked on the segment's rows only (those the principal may see)."""
    run = latest_run(ws, period, model, level)
    found = _evaluated(ws, str(run.run_id), segment, _snapshot(ws))
    results = [r.model_dump() for r in found.results if seen is None or r.entity_id in seen]
    results.sort(key=lambda r: (r.get("rank") is None, r.get("rank") or 0))
    return {
        "run_id": run.run_id,
        "model": run.model_id,
        "version": run.version,
        "period": run.period,
        "level": run.level,
        "created_at": appdb.as_utc(run.created_at),
        "segment": segment.key,
        "results": results,
    }
