"""Evidence for a finding: a few of the unit's rows from the lake and the SQL that reproduces the value.

Not pure maths: this module builds Ibis expressions. The same builder runs twice —
on the warehouse's tables to fetch sample ids, and on unbound tables named after the
canonical datasets to print portable SQL (``SELECT ... FROM interactions``), which
anyone can run against a view of the lake to check the number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from valueloop.metrics.compile import all_of, duration, measure_aggs
from valueloop.spec.datasets import Dataset
from valueloop.spec.lookup import VIA, dataset_spec, unit_source
from valueloop.spec.model import Derived, Direction, Duration, Indicator, Rate, Ratio, SegmentBenchmark

Tables = Callable[[str], ir.Table]
SAMPLE = 5
SEGMENT = "_segment"


@dataclass(frozen=True)
class Scope:
    """Which rows: the unit's subtree, the period's [start, end) and, optionally, one segment.

    At a field level (``field`` set) ``entity_ids`` holds the unit's field value: rows with
    that value, or whose interaction has it.
    """

    entity_ids: tuple[str, ...]
    start: datetime
    end: datetime
    segment: str | None = None
    field: str | None = None


def _spec(dataset: str) -> Dataset:
    """The dataset in the registry in use (a workspace's own, under ``spec.lookup.using``)."""
    spec = dataset_spec(dataset)
    if spec is None:
        raise KeyError(dataset)
    return spec


def unbound(dataset: str) -> ir.Table:
    return ibis.table(ibis.Schema.from_pyarrow(_spec(dataset).schema), name=dataset)


def _rows(tables: Tables, dataset: str, scope: Scope, indicator: Indicator) -> ir.Table:
    t = tables(dataset)
    time = _spec(dataset).time_field or ""
    t = _in_unit(tables, dataset, t, scope).filter(t[time] >= scope.start, t[time] < scope.end)
    if scope.segment is not None and isinstance(indicator.benchmark, SegmentBenchmark):
        customers = tables("customers")
        seg = customers.select("customer_id", **{SEGMENT: customers[indicator.benchmark.field].cast("string").lower()})
        t = t.left_join(seg, "customer_id")
        t = t.filter(t[SEGMENT].fill_null("(none)") == scope.segment).drop(SEGMENT)
    return t


def _in_unit(tables: Tables, dataset: str, t: ir.Table, scope: Scope) -> ir.Table:
    ids = list(scope.entity_ids)
    if scope.field is None:
        return t.filter(t.entity_id.isin(ids))
    if unit_source(dataset, scope.field) == "own":
        return t.filter(t[scope.field].cast("string").isin(ids))
    x = tables(VIA)
    return t.filter(t.interaction_id.isin(x.filter(x[scope.field].cast("string").isin(ids)).interaction_id))


def _parts(indicator: Indicator) -> list[tuple[str, Any, bool]]:
    """(dataset, simple measure, whether the indicator's own filter applies), as metrics.run does."""
    m = indicator.measure
    if isinstance(m, Ratio):
        return [(part.dataset or indicator.dataset, part, False) for part in (m.numerator, m.denominator)]
    if isinstance(m, Derived):
        return []
    return [(m.dataset or indicator.dataset, m, (m.dataset or indicator.dataset) == indicator.dataset)]


def value_queries(tables: Tables, indicator: Indicator, scope: Scope) -> list[ir.Table]:
    """One aggregate query per measure part (two for a ratio: value = scale × num / den)."""
    out = []
    for dataset, measure, own in _parts(indicator):
        t = _rows(tables, dataset, scope, indicator)
        where = all_of(t, indicator.filter) if own else ibis.literal(True)
        out.append(t.aggregate(**measure_aggs(t, measure, where, "value")))
    return out


def sample_query(tables: Tables, indicator: Indicator, scope: Scope) -> tuple[str, ir.Table] | None:
    """The id column and up to :data:`SAMPLE` of the unit's rows, worst first where 'worst' is defined."""
    parts = _parts(indicator)
    if not parts:
        return None
    dataset, measure, own = parts[0]
    t = _rows(tables, dataset, scope, indicator)
    where = all_of(t, measure.filter)
    t = t.filter(where & all_of(t, indicator.filter) if own else where)
    key = _spec(dataset).key[0]
    order = _badness(t, measure, indicator.direction)
    t = t.order_by([order.desc(), t[key]]) if order is not None else t.order_by(t[key])
    return key, t.select(key).limit(SAMPLE)


def _badness(t: ir.Table, measure: Any, direction: Direction) -> ir.Value | None:
    sign = 1.0 if direction is Direction.LOWER else -1.0
    if isinstance(measure, Duration):
        return duration(t, measure.start, measure.end, measure.unit) * sign
    if isinstance(measure, Rate):
        met = all_of(t, measure.condition).ifelse(1.0, 0.0)
        return met * sign
    field = getattr(measure, "field", None)
    if field is not None and measure.type in ("sum", "mean", "median", "quantile"):
        return t[field].cast("float64") * sign
    return None


def collect(tables: Tables, execute: Callable[[ir.Table], Any], indicator: Indicator, scope: Scope) -> dict[str, Any]:
    """Evidence for the finding: sample ids from the lake, and the reproducing SQL text."""
    sql = [str(ibis.to_sql(q, dialect="duckdb")) for q in value_queries(unbound, indicator, scope)]
    evidence: dict[str, Any] = {"queries": sql, "entity_ids": list(scope.entity_ids)}
    if isinstance(indicator.measure, Derived):
        evidence["expression"] = indicator.measure.expression
    if isinstance(indicator.measure, Ratio):
        evidence["combine"] = f"{indicator.measure.scale} * numerator.value__v / denominator.value__v"
    sample = sample_query(tables, indicator, scope)
    if sample is not None:
        key, query = sample
        evidence["sample_ids"] = [str(x) for x in execute(query)[key].tolist()]
        evidence["sample_field"] = key
    return evidence


MEASURED = "_measured"
"""The column a drill-down adds where a row's own contribution is computed (a rate's 0/1, a duration)."""


def part_names(indicator: Indicator) -> list[str]:
    """The row sets an indicator is made of: one for a simple measure, two for a ratio, none for a derived one."""
    m = indicator.measure
    return ["numerator", "denominator"] if isinstance(m, Ratio) else [] if isinstance(m, Derived) else ["rows"]


def part_dataset(indicator: Indicator, part: int) -> str:
    return _parts(indicator)[part][0]


def records_query(tables: Tables, indicator: Indicator, scope: Scope, part: int) -> ir.Table:
    """Every row that counts in one part of the indicator's value (its ``n``), in a stable order.

    The same filters as :func:`value_queries`: the unit (subtree or field value), the period,
    the measure's own filter, the indicator's filter where metrics.run applies it, and for a
    numeric measure only the rows whose value is present. Rows come newest first, then by key.
    """
    dataset, measure, own = _parts(indicator)[part]
    t = _rows(tables, dataset, scope, indicator)
    x = _measured(t, measure)
    t = t.mutate(**{MEASURED: x}) if x is not None else t
    where = all_of(t, measure.filter) & (all_of(t, indicator.filter) if own else ibis.literal(True))
    if isinstance(measure, Duration):
        where = where & t[MEASURED].notnull()
    field = getattr(measure, "field", None)
    if field is not None and measure.type in ("sum", "mean", "median", "quantile"):
        where = where & t[field].notnull()
    t = t.filter(where)
    spec = _spec(dataset)
    time = [t[spec.time_field].desc()] if spec.time_field else []
    return t.order_by([*time, *(t[k] for k in spec.key)])


def _measured(t: ir.Table, measure: Any) -> ir.Value | None:
    if isinstance(measure, Duration):
        return duration(t, measure.start, measure.end, measure.unit)
    if isinstance(measure, Rate):
        return all_of(t, measure.condition)
    return None
