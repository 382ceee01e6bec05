"""Run a model's indicators on the warehouse: values per unit × period (× segment).

One grouped query per dataset computes every indicator on it (conditional aggregates),
plus one per dataset for segment-differentiated benchmarks and, for mix-adjusted
indicators, one per unit × segment and one per segment over the whole population;
ratios, derived indicators and the mix's expected values are then combined from those
sufficient statistics in pandas. Rows are placed in units by :mod:`.levels` (entity tree
or a field's values).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from valueloop.errors import InputError
from valueloop.metrics.compile import all_of, measure_aggs
from valueloop.metrics.levels import UNIT, Placement, field_units, placement
from valueloop.metrics.periods import bounds_utc
from valueloop.scoring.mix import expected
from valueloop.spec.lookup import dataset_spec
from valueloop.spec.model import Derived, EvaluationModel, Indicator, MixBenchmark, Ratio, SegmentBenchmark
from valueloop.spec.model_loader import derived_refs
from valueloop.store.warehouse import Warehouse

VALUE_COLUMNS = ["entity_id", "period", "indicator", "segment", "value", "n", "var", "expected", "reference"]
"""``expected`` and ``reference``: on mix-adjusted indicators' overall rows only (:mod:`valueloop.scoring.mix`)."""
PERIOD, SEGMENT = "_period", "_segment"
POPULATION = "\x00population"
"""The pseudo-unit of whole-population segment statistics (never a unit of the result)."""


def compute_values(wh: Warehouse, model: EvaluationModel, periods: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, units): long table of indicator values, and the units at the model's level."""
    place = placement(wh, model)
    stats = _dataset_stats(wh, model, periods, place)
    unit_table = place.units if place.units is not None else field_units(stats[UNIT][stats[UNIT] != POPULATION])
    frame = _assemble(model, stats, unit_table["entity_id"].tolist(), periods)
    return frame, unit_table


def _parts(model: EvaluationModel) -> dict[str, list[tuple[str, Indicator, object]]]:
    """dataset → [(prefix, indicator, simple measure)] for every simple measure to aggregate."""
    out: dict[str, list[tuple[str, Indicator, object]]] = {}
    for ind in model.indicators:
        m = ind.measure
        if isinstance(m, Ratio):
            for part in ("numerator", "denominator"):
                sub = getattr(m, part)
                out.setdefault(sub.dataset or ind.dataset, []).append((f"{ind.id}__{part}", ind, sub))
        elif not isinstance(m, Derived):
            out.setdefault(m.dataset or ind.dataset, []).append((ind.id, ind, m))
    return out


def _dataset_stats(wh: Warehouse, model: EvaluationModel, periods: list[str], place: Placement) -> pd.DataFrame:
    """Wide statistics: one row per unit × period × segment ('' = overall), columns {prefix}__v/n/var."""
    frames = []
    for dataset, parts in _parts(model).items():
        t = _scoped(wh, dataset, place, model, periods)
        frames.append(wh.execute(t.group_by([UNIT, PERIOD]).aggregate(**_aggs(t, parts))).assign(**{SEGMENT: ""}))
        frames += _segment_stats(wh, t, parts)
        frames += _mix_stats(wh, t, parts)
    if not frames:
        return pd.DataFrame(columns=[UNIT, PERIOD, SEGMENT])
    # Frames share keys but never columns, except segment frames which repeat an overall frame's columns
    # on other keys: taking the first non-null per key and column combines them all.
    combined: pd.DataFrame = (
        pd.concat(frames, ignore_index=True).groupby([UNIT, PERIOD, SEGMENT], as_index=False).first()
    )
    return combined


def _indicator_filter(t: ir.Table, ind: Indicator, measure: object) -> ir.BooleanValue:
    own = (getattr(measure, "dataset", None) or ind.dataset) == ind.dataset and not isinstance(ind.measure, Ratio)
    return all_of(t, ind.filter) if own else ibis.literal(True)


def _aggs(t: ir.Table, parts: list[tuple[str, Indicator, object]]) -> dict[str, ir.Scalar]:
    aggs: dict[str, ir.Scalar] = {}
    for prefix, ind, measure in parts:
        aggs.update(measure_aggs(t, measure, _indicator_filter(t, ind, measure), prefix))  # type: ignore[arg-type]
    return aggs


def _scoped(wh: Warehouse, dataset: str, place: Placement, model: EvaluationModel, periods: list[str]) -> ir.Table:
    """Rows of ``dataset`` in the periods, with their unit and period label."""
    t = wh.table(dataset)
    spec = dataset_spec(dataset, wh.ws.datasets)
    time_field = spec.time_field if spec else None
    if time_field is None:
        raise InputError(f"dataset {dataset} has no time field to place rows in periods")
    spans = [bounds_utc(p, model.period, wh.ws.settings.workspace.timezone) for p in periods]
    t = t.filter((t[time_field] >= min(s for s, _ in spans)) & (t[time_field] < max(e for _, e in spans)))
    t = place.rows(wh, t, dataset)
    ts = t[time_field]
    # Periods by comparing instants with their UTC bounds: no per-row time-zone conversion, exact across DST.
    label = ibis.cases(*[((ts >= s) & (ts < e), p) for p, (s, e) in zip(periods, spans, strict=True)])
    t = t.mutate(**{PERIOD: label})
    return t.filter(t[PERIOD].notnull())


def _segment_stats(wh: Warehouse, t: ir.Table, parts: list[tuple[str, Indicator, object]]) -> list[pd.DataFrame]:
    by_field: dict[str, list[tuple[str, Indicator, object]]] = {}
    for prefix, ind, measure in parts:
        if isinstance(ind.benchmark, SegmentBenchmark) and not isinstance(ind.measure, Ratio):
            by_field.setdefault(ind.benchmark.field, []).append((prefix, ind, measure))
    frames = []
    customers = wh.table("customers")
    for field, seg_parts in by_field.items():
        seg = customers.select("customer_id", **{SEGMENT: customers[field].cast("string").lower()})
        joined = t.left_join(seg, "customer_id")
        joined = joined.mutate(**{SEGMENT: joined[SEGMENT].fill_null("(none)")})
        frames.append(wh.execute(joined.group_by([UNIT, PERIOD, SEGMENT]).aggregate(**_aggs(joined, seg_parts))))
    return frames


def _mix_stats(wh: Warehouse, t: ir.Table, parts: list[tuple[str, Indicator, object]]) -> list[pd.DataFrame]:
    """Mix-adjusted indicators by their segment field: per unit × segment, and per segment over everyone."""
    by_field: dict[str, list[tuple[str, Indicator, object]]] = {}
    for prefix, ind, measure in parts:
        if isinstance(ind.benchmark, MixBenchmark):
            by_field.setdefault(ind.benchmark.segment_by, []).append((prefix, ind, measure))
    frames = []
    for field, seg_parts in by_field.items():
        seg = t.mutate(**{SEGMENT: t[field].cast("string").fill_null("(none)")})
        aggs = _aggs(seg, seg_parts)
        frames.append(wh.execute(seg.group_by([UNIT, PERIOD, SEGMENT]).aggregate(**aggs)))
        population = wh.execute(seg.group_by([PERIOD, SEGMENT]).aggregate(**aggs))
        frames.append(population.assign(**{UNIT: POPULATION}))
    return frames


def _assemble(model: EvaluationModel, stats: pd.DataFrame, unit_ids: list[str], periods: list[str]) -> pd.DataFrame:
    """Long values table with a row for every unit × period × indicator (NaN where no data)."""
    grid = pd.MultiIndex.from_product([unit_ids, periods, [""]], names=[UNIT, PERIOD, SEGMENT]).to_frame(index=False)
    segments = stats[stats[SEGMENT] != ""] if len(stats) else stats
    wide = pd.concat([grid.merge(stats, on=[UNIT, PERIOD, SEGMENT], how="left"), segments], ignore_index=True)
    wide = wide[wide[UNIT].isin(unit_ids) | (wide[UNIT] == POPULATION)]
    rows = []
    for ind in sorted(model.indicators, key=lambda i: isinstance(i.measure, Derived)):
        value, n, var = _indicator_columns(wide, ind)
        wide[f"{ind.id}__value"], wide[f"{ind.id}__count"] = value, n
        segment = wide[SEGMENT].replace("", None)
        rows.append(
            pd.DataFrame(
                {
                    "entity_id": wide[UNIT],
                    "period": wide[PERIOD],
                    "indicator": ind.id,
                    "segment": segment,
                    "value": value,
                    "n": n,
                    "var": var,
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out = _mix_adjusted(out[out["segment"].isna() | out["value"].notna()], model)
    return _complete(out, model, unit_ids, periods)


def _mix_adjusted(values: pd.DataFrame, model: EvaluationModel) -> pd.DataFrame:
    """Overall rows of mix-adjusted indicators get their ``expected`` and ``reference``; their
    segment rows and the population rows, used up, are dropped."""
    values = values.assign(expected=np.nan, reference=np.nan)
    mixes = {i.id: i.benchmark for i in model.indicators if isinstance(i.benchmark, MixBenchmark)}
    for ind_id, bench in mixes.items():
        seg = values[(values["indicator"] == ind_id) & values["segment"].notna()].rename(columns={"entity_id": "unit"})
        bench_table = _segment_benchmarks(seg, bench)
        units = seg[seg["unit"] != POPULATION][["unit", "period", "segment", "n"]]
        pop = seg[seg["unit"] == POPULATION][["unit", "period", "segment", "n"]]
        own = expected(units, bench_table).set_index(["unit", "period"])["expected"]
        ref = expected(pop, bench_table).set_index("period")["expected"]
        overall = (values["indicator"] == ind_id) & values["segment"].isna()
        keys = pd.MultiIndex.from_frame(values.loc[overall, ["entity_id", "period"]])
        values.loc[overall, "expected"] = own.reindex(keys).to_numpy()
        values.loc[overall, "reference"] = ref.reindex(values.loc[overall, "period"]).to_numpy()
    used = values["indicator"].isin(list(mixes)) & values["segment"].notna()
    return values[~used & (values["entity_id"] != POPULATION)]


def _segment_benchmarks(seg: pd.DataFrame, bench: MixBenchmark) -> pd.DataFrame:
    """(period, segment, benchmark): the given value, else the default, else the population's value."""
    pop = seg[seg["unit"] == POPULATION].set_index(["period", "segment"])["value"]
    table = seg[["period", "segment"]].drop_duplicates().reset_index(drop=True)
    given = table["segment"].map(bench.values).astype(float)
    if bench.default is not None:
        given = given.fillna(bench.default)
    observed = pop.reindex(pd.MultiIndex.from_frame(table)).to_numpy()
    return table.assign(benchmark=given.fillna(pd.Series(observed, index=table.index)))


def _indicator_columns(wide: pd.DataFrame, ind: Indicator) -> tuple[pd.Series, pd.Series, pd.Series]:
    m = ind.measure
    nan = pd.Series(np.nan, index=wide.index)
    if isinstance(m, Ratio):
        num, den = _col(wide, f"{ind.id}__numerator__v"), _col(wide, f"{ind.id}__denominator__v")
        value = m.scale * num / den.where(den != 0)
        return value, _col(wide, f"{ind.id}__denominator__n").fillna(0), nan
    if isinstance(m, Derived):
        refs = sorted(derived_refs(m.expression))
        env = {r: _col(wide, f"{r}__value") for r in refs}
        value = eval(
            compile(m.expression, "<derived>", "eval"), {"__builtins__": {}}, env
        )  # the AST was checked: arithmetic only
        counts = pd.concat([_col(wide, f"{r}__count") for r in refs], axis=1).min(axis=1) if refs else nan
        return pd.Series(value, index=wide.index, dtype=float), counts.fillna(0), nan
    value, n = _col(wide, f"{ind.id}__v"), _col(wide, f"{ind.id}__n").fillna(0)
    var = _col(wide, f"{ind.id}__var")
    if m.type == "rate":
        var = value * (1 - value)
    return value, n, var


def _col(wide: pd.DataFrame, name: str) -> pd.Series:
    return wide[name].astype(float) if name in wide else pd.Series(np.nan, index=wide.index)


def _complete(values: pd.DataFrame, model: EvaluationModel, unit_ids: list[str], periods: list[str]) -> pd.DataFrame:
    """Make sure every unit × period × indicator has its overall row (NaN value, n = 0 when no data)."""
    grid = pd.MultiIndex.from_product(
        [unit_ids, periods, [i.id for i in model.indicators]], names=["entity_id", "period", "indicator"]
    ).to_frame(index=False)
    overall = values[values["segment"].isna()]
    full = grid.merge(overall, on=["entity_id", "period", "indicator"], how="left")
    full["n"] = full["n"].fillna(0).astype(int)
    full["segment"] = None
    seg = values[values["segment"].notna()].copy()
    seg["n"] = seg["n"].astype(int)
    return pd.concat([full, seg], ignore_index=True)[VALUE_COLUMNS]
