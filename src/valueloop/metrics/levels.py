"""Which unit a row belongs to: its entity's ancestor at a tree level, or the value of a field.

A model's level is an entity type (``branch``: rows roll up the entity tree, every
entity of that type is a unit even without data) or a field of the data
(``field:agent_id``: the units are the field's values found in the evaluated periods, the
entity tree is not needed). A row of a dataset without the field takes its
interaction's value (:func:`valueloop.spec.lookup.unit_source`); a row with no value
belongs to no unit and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from valueloop.errors import InputError
from valueloop.metrics.hierarchy import ancestors_at, units
from valueloop.spec.lookup import VIA, unit_source
from valueloop.spec.model import EvaluationModel
from valueloop.store.warehouse import Warehouse

UNIT = "_unit"


@dataclass(frozen=True)
class Placement:
    """How rows are placed in units; ``units`` lists a tree level's units (None for a field level)."""

    level: str
    field: str | None
    unit_map: ir.Table | None
    units: pd.DataFrame | None

    def rows(self, wh: Warehouse, t: ir.Table, dataset: str) -> ir.Table:
        """``t`` with a ``_unit`` column, rows without a unit dropped."""
        if self.field is None:
            return t.inner_join(self.unit_map, "entity_id")
        source = unit_source(dataset, self.field, wh.ws.datasets)
        if source == "own":
            t = t.mutate(**{UNIT: t[self.field].cast("string")})
        elif source == "interaction":
            x = wh.table(VIA)
            t = t.inner_join(x.select("interaction_id", **{UNIT: x[self.field].cast("string")}), "interaction_id")
        else:
            raise InputError(f"level field {self.field!r} is not a column of {dataset} nor of its interaction")
        return t.filter(t[UNIT].notnull())


def placement(wh: Warehouse, model: EvaluationModel) -> Placement:
    """The placement for ``model``'s level; an entity level with no entity tree loaded is refused clearly."""
    if model.unit_field is not None:
        return Placement(model.level, model.unit_field, None, None)
    entities = wh.execute(wh.table("entities"))
    if not len(entities):
        raise InputError(
            f"level {model.level!r} needs the entity tree and no entities are loaded: ingest entities, "
            "or evaluate by a field of the data (level: {field: agent_id})"
        )
    mapping = ancestors_at(entities, model.level)
    ids, tops = pa.array(list(mapping), pa.string()), pa.array(list(mapping.values()), pa.string())
    table = pa.table({"entity_id": ids, UNIT: tops})
    return Placement(model.level, None, ibis.memtable(table), units(entities, model.level))


def field_units(found: pd.Series) -> pd.DataFrame:
    """A field level's units: the distinct values found, each named by itself, in id order."""
    ids = sorted({str(v) for v in found.dropna()})
    return pd.DataFrame({"entity_id": ids, "name": ids})
