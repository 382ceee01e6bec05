"""Compile indicator specs to Ibis expressions (no data is touched here).

Every simple measure becomes three aggregates over its dataset, computed per unit ×
period in one grouped query per dataset: the value, the sample size ``n`` and, where it
means something, the within-unit variance of one observation (``var``, for shrinkage).
These are the sufficient statistics the scoring layer works from.
"""

from __future__ import annotations

from functools import reduce

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from valueloop.spec.conditions import Condition
from valueloop.spec.model import Aggregate, Count, CountDistinct, Duration, Quantile, Rate

SimpleMeasure = Count | CountDistinct | Aggregate | Quantile | Rate | Duration
SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}
Aggs = dict[str, ir.Scalar]


@ibis.udf.scalar.builtin  # type: ignore[untyped-decorator]
def unix_micros(ts: dt.Timestamp(timezone="UTC")) -> dt.int64:  # type: ignore[valid-type]
    """Microseconds since the epoch of an instant, with no time-zone conversion.

    sqlglot writes ``EPOCH_US`` on DuckDB and ``UNIX_MICROS`` on Spark. Ibis's
    ``epoch_seconds`` casts to local wall-clock time first: slow, and wrong by an hour
    across a daylight-saving change.
    """


def duration(t: ir.Table, start: str, end: str, unit: str) -> ir.FloatingValue:
    """Whole seconds between two instants (floored, as Spark's epoch is whole seconds)."""
    seconds = unix_micros(t[end]) // 1_000_000 - unix_micros(t[start]) // 1_000_000
    return seconds.cast("float64") / SECONDS[unit]


def condition(t: ir.Table, cond: Condition) -> ir.BooleanValue:
    """One comparison; a null operand makes it false (an unresolved ticket is not 'resolved within 24 h')."""
    if cond.unit:
        left: ir.Value = duration(t, cond.start or "", cond.end or "", cond.unit)
    else:
        left = t[cond.field or ""]
    value = cond.value
    ops = {
        "==": lambda: left == value,
        "!=": lambda: left != value,
        "<": lambda: left < value,
        "<=": lambda: left <= value,
        ">": lambda: left > value,
        ">=": lambda: left >= value,
        "in": lambda: left.isin(list(value)),  # type: ignore[arg-type]
        "not in": lambda: ~left.isin(list(value)),  # type: ignore[arg-type]
        "is null": lambda: left.isnull(),
        "is not null": lambda: left.notnull(),
        "contains": lambda: left.cast("string").contains(str(value)),
    }
    expr: ir.BooleanValue = ops[cond.op]()
    return expr if cond.op in ("is null", "is not null") else expr.fill_null(False)


def all_of(t: ir.Table, conds: tuple[Condition, ...]) -> ir.BooleanValue:
    return reduce(lambda a, b: a & b, (condition(t, c) for c in conds), ibis.literal(True))


def measure_aggs(t: ir.Table, measure: SimpleMeasure, where: ir.BooleanValue, prefix: str) -> Aggs:
    """``{prefix}__v``, ``{prefix}__n`` and (mean-like measures) ``{prefix}__var``."""
    where = where & all_of(t, measure.filter)
    if isinstance(measure, Count):
        n = t.count(where=where)
        return {f"{prefix}__v": n.cast("float64"), f"{prefix}__n": n}
    if isinstance(measure, CountDistinct):
        col = t[measure.field]
        return {f"{prefix}__v": col.nunique(where=where).cast("float64"), f"{prefix}__n": t.count(where=where)}
    if isinstance(measure, Rate):
        met = all_of(t, measure.condition).ifelse(1, 0).cast("float64")  # Spark reads 1.0 as a decimal
        return {f"{prefix}__v": met.mean(where=where), f"{prefix}__n": t.count(where=where)}
    if isinstance(measure, Duration):
        x = duration(t, measure.start, measure.end, measure.unit)
        return _numeric(x, measure.agg, measure.p, where, prefix)
    col = t[measure.field]
    x = col.cast("float64")
    agg = "quantile" if isinstance(measure, Quantile) else measure.type
    p = measure.p if isinstance(measure, Quantile) else None
    return _numeric(x, agg, p, where, prefix)


def _numeric(x: ir.FloatingValue, agg: str, p: float | None, where: ir.BooleanValue, prefix: str) -> Aggs:
    present = where & x.notnull()
    value = {
        "sum": lambda: x.sum(where=present),
        "mean": lambda: x.mean(where=present),
        "median": lambda: x.quantile(0.5, where=present),
        "quantile": lambda: x.quantile(p or 0.5, where=present),
    }[agg]()
    out: Aggs = {f"{prefix}__v": value, f"{prefix}__n": x.count(where=present)}
    if agg == "mean":
        out[f"{prefix}__var"] = x.var(how="sample", where=present)
    return out
