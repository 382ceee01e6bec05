"""One row per conversation with a JSON ``turns`` column → one row per turn.

Chat exports often hold a whole conversation in one row: its id, agent and time, and a
cell of JSON such as ``[{"speaker": "agent", "text": "您好"}, ...]``. Expanding it here,
before any value is checked, lets every turn go through the same checks as a
one-row-per-turn file. Every turn keeps the number of the row it came from, so an error
names the file and line a user sees; a cell that is not a JSON list of objects
quarantines its whole row, and :mod:`valueloop.ingest.validate` quarantines a
conversation whole when any of its turns fails (a transcript stored with a hole in it
would score wrongly).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from valueloop.ingest.readers import Chunk, InvalidRow
from valueloop.spec.datasets import Dataset
from valueloop.spec.mapping import Mapping, TurnsMapping

TURN_FIELDS = ("turn_index", "speaker", "text", "start_s", "end_s")
"""The canonical columns a turn object fills; the row's other columns are copied to each of its turns."""


def turns_plan(dataset: Dataset, mapping: Mapping, columns: tuple[str, ...]) -> TurnsMapping | None:
    """How to expand the file's rows, or None when it is one row per turn already.

    Explicit with ``turns:`` in the mapping; otherwise a ``conversations`` file with a
    ``turns`` column and no ``text`` column is taken to be one row per conversation.
    """
    if mapping.turns is not None:
        return mapping.turns
    if dataset.name != "conversations" or "turns" not in columns:
        return None
    return None if mapping.for_field("text", columns) is not None else TurnsMapping()


def expanded_columns(columns: tuple[str, ...], plan: TurnsMapping) -> tuple[str, ...]:
    """The columns after expansion: the row's own (without the turns cell) and the turn fields."""
    return (*(c for c in columns if c != plan.column and c not in TURN_FIELDS), *TURN_FIELDS)


def expand_chunks(chunks: Iterator[Chunk], columns: tuple[str, ...], plan: TurnsMapping) -> Iterator[Chunk]:
    for chunk in chunks:
        yield expand(chunk, columns, plan)


def expand(chunk: Chunk, columns: tuple[str, ...], plan: TurnsMapping) -> Chunk:
    """Every row's turns as rows, numbered by the row they came from; unusable rows become invalid."""
    out_columns = expanded_columns(columns, plan)
    records: list[list[str | None]] = []
    rows: list[int] = []
    invalid = list(chunk.invalid)
    for i, cells in enumerate(chunk.table.to_pylist()):
        row = int(chunk.rows[i])
        turns = _turns(cells.get(plan.column), plan)
        if isinstance(turns, str):
            invalid.append(InvalidRow(row, turns, "", {k: _text(v) for k, v in cells.items()}))
            continue
        own = [_text(cells.get(c)) for c in out_columns[: len(out_columns) - len(TURN_FIELDS)]]
        for turn in turns:
            records.append([*own, *turn])
            rows.append(row)
    table = pa.table({c: pa.array([r[j] for r in records], pa.string()) for j, c in enumerate(out_columns)})
    return Chunk(table, np.array(rows, dtype=np.int64), invalid)


def _turns(cell: object, plan: TurnsMapping) -> list[list[str | None]] | str:
    """The turn rows of one cell, or why it cannot be read (the reason quarantines the row)."""
    if cell is None or str(cell).strip() == "":
        return f"{plan.column}: empty (expected a JSON list of turns)"
    try:
        items = json.loads(str(cell))
    except json.JSONDecodeError as err:
        return f"{plan.column}: invalid JSON at character {err.pos + 1}: {err.msg}"
    if not isinstance(items, list) or not items:
        return f"{plan.column}: expected a non-empty JSON list of turns"
    out = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            return f"{plan.column}[{position}]: a turn must be a JSON object"
        out.append(_turn(item, position, plan))
    return out


def _turn(item: dict[str, Any], position: int, plan: TurnsMapping) -> list[str | None]:
    index = _first(item, plan.index) if plan.index else None
    return [
        str(position) if index is None else index,
        _first(item, plan.speaker),
        _first(item, plan.text),
        _first(item, plan.start),
        _first(item, plan.end),
    ]


def _first(item: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in item:
            return _text(item[key])
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
