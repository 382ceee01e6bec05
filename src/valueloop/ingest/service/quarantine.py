"""Use cases over quarantined rows: list, show, export for fixing, clear once fixed."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import JsonValue

from valueloop.errors import InputError
from valueloop.ingest.cells import neutralise_row
from valueloop.results import Result
from valueloop.spec.registry import lookup
from valueloop.store.lake import Lake, new_batch_id
from valueloop.store.workspace import Workspace


class QuarantineProblem(Result):
    """One problem found in one source row (``quarantine list``): a row with three problems is listed three times."""

    dataset: str
    batch_id: str
    file: str
    row: int
    field: str | None
    reason: str


class QuarantinedRow(Result):
    """One quarantined source row (``quarantine show``): its original values and every reason it was refused."""

    dataset: str
    file: str
    row: int
    reasons: list[str]
    """``field: reason``, one per problem."""
    values: dict[str, JsonValue]


def _read(ws: Workspace, dataset: str | None, batch: str | None) -> list[dict[str, Any]]:
    lake = Lake(ws.lake_dir)
    manifest = lake.manifest()
    names = [dataset] if dataset else sorted(manifest.quarantine)
    out: list[dict[str, Any]] = []
    for name in names:
        for path in lake.quarantine_files(name):
            table = pq.read_table(path)
            if batch:
                table = table.filter(pc.equal(table["batch_id"], batch))
            out += [{"dataset": name, **r} for r in table.to_pylist()]
    return out


def list_quarantine(ws: Workspace, dataset: str | None, batch: str | None, limit: int) -> list[QuarantineProblem]:
    if dataset:
        lookup(ws.datasets, dataset)
    rows = _read(ws, dataset, batch)
    fields = ("dataset", "batch_id", "file", "row", "field", "reason")
    return [QuarantineProblem.model_validate({k: r[k] for k in fields}) for r in rows[:limit]]


def show_quarantine(ws: Workspace, batch: str, row: int | None) -> list[QuarantinedRow]:
    """The quarantined rows of one batch, each once, with its original values and every reason."""
    records = [r for r in _read(ws, None, batch) if row is None or r["row"] == row]
    return [QuarantinedRow.model_validate(r) for r in _by_row(records)]


def _by_row(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, str, int], dict[str, Any]] = {}
    for r in records:
        entry = grouped.setdefault(
            (r["batch_id"], r["file"], r["row"]),
            {
                "dataset": r["dataset"],
                "file": r["file"],
                "row": r["row"],
                "reasons": [],
                "values": json.loads(r["raw"]),
            },
        )
        entry["reasons"].append(f"{r['field']}: {r['reason']}")
    return list(grouped.values())


def export_quarantine(ws: Workspace, dataset: str, out: Path, batch: str | None) -> int:
    """Original values of each quarantined row (once per row), plus where it came from and why.

    The file is meant to be fixed in a spreadsheet and ingested again, so text that a spreadsheet
    would run as a formula gets the ``'`` text mark (:func:`valueloop.ingest.cells.neutralise`);
    the ingest reader drops that mark again, so the round trip gives back the original values.
    """
    lookup(ws.datasets, dataset)
    rows = _by_row(_read(ws, dataset, batch))
    columns: dict[str, None] = {}
    for r in rows:
        columns.update(dict.fromkeys(r["values"]))
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(neutralise_row([*columns, "_source_file", "_source_row", "_reasons"]))
        for r in rows:
            values = [*(r["values"].get(c) for c in columns), r["file"], r["row"], " | ".join(r["reasons"])]
            writer.writerow(neutralise_row(values))
    return len(rows)


def clear_quarantine(ws: Workspace, dataset: str, batch: str | None) -> int:
    """Retire quarantine files (whole batches) in one lake commit; returns records removed.

    ``batch=None`` clears every batch of ``dataset``; an empty batch id is refused rather than
    read as "every batch".
    """
    if batch is not None and not batch.strip():
        raise InputError("the batch id is empty; leave it out to clear every batch of the dataset")
    lake = Lake(ws.lake_dir)
    removed = 0
    with lake.transaction(new_batch_id()) as txn:
        for path in lake.quarantine_files(dataset):
            table = pq.read_table(path)
            if batch is not None and batch not in set(table["batch_id"].to_pylist()):
                continue
            removed += table.num_rows
            txn.replace(dataset, path, None, quarantine=True)
    return removed
