"""Conversations from the lake's ``conversations`` dataset, grouped into :class:`Conversation` objects.

Conversation fields (channel, category, agent, unit, time) are taken from the first turn:
an export repeats them on every turn, and a rubric's ``applies_if`` reads them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from valueloop.qa.transcript import Conversation, Turn
from valueloop.spec.datasets import DATASETS
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

FIELDS = ("interaction_id", "agent_id", "entity_id", "channel", "category")


def read_where(ws: Workspace, dataset: str, **wanted: str | Sequence[str]) -> pa.Table:
    """A lake dataset's rows whose columns equal (or are among) the values given, filtered as each file is read.

    Parquet's row-group statistics skip what cannot match, so showing one conversation does
    not read every stored score and item into memory.
    """
    schema = DATASETS[dataset].schema
    filters = [(k, "==", v) if isinstance(v, str) else (k, "in", list(v)) for k, v in wanted.items()]
    files = Lake(ws.lake_dir).files(dataset)
    if not files:
        return schema.empty_table()
    parts = [pq.read_table(f, filters=filters or None) for f in files]
    return pa.concat_tables(parts, promote_options="default")


def read_turns(ws: Workspace, ids: Sequence[str] | None = None) -> pa.Table:
    """Every stored turn (of ``ids`` only, when given), sorted by conversation and turn."""
    table = read_where(ws, "conversations") if ids is None else read_where(ws, "conversations", conversation_id=ids)
    return table.sort_by([("conversation_id", "ascending"), ("turn_index", "ascending")])


def conversations(table: pa.Table) -> Iterator[tuple[Conversation, dict[str, object]]]:
    """(conversation, its first row's columns) per conversation of a sorted turn table."""
    rows = table.to_pylist()
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i]["conversation_id"] != rows[start]["conversation_id"]:
            yield _conversation(rows[start:i]), rows[start]
            start = i


def _conversation(rows: list[dict[str, object]]) -> Conversation:
    turns = tuple(
        Turn(int(str(r["turn_index"])), r["speaker"], str(r["text"] or ""), _num(r["start_s"]), _num(r["end_s"]))  # type: ignore[arg-type]
        for r in rows
    )
    fields = {f: str(rows[0][f]) for f in FIELDS if rows[0][f] is not None}
    return Conversation(str(rows[0]["conversation_id"]), turns, fields)


def _num(value: object) -> float | None:
    return None if value is None else float(str(value))
