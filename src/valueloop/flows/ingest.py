"""Use case: ingest source files into one canonical dataset of a workspace.

Reads every file in chunks, checks each row, stages the good rows, merges them into the
lake and quarantines the rest with their reasons, all in one lake transaction: either
the whole batch lands or nothing does. Counts always reconcile:
``read == stored + duplicates + quarantined``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from valueloop.errors import SpecError
from valueloop.ingest.readers import Source, open_source
from valueloop.ingest.validate import RowError, check_chunk, check_columns
from valueloop.spec.datasets import Dataset, get_dataset
from valueloop.spec.mapping import Mapping, load_mapping
from valueloop.store import appdb
from valueloop.store.lake import Lake, LakeTransaction, new_batch_id
from valueloop.store.merge import MergeResult, merge_batch
from valueloop.store.workspace import Workspace

MAX_ERRORS_SHOWN = 100
Progress = Callable[[str, int], None]

QUARANTINE_SCHEMA = pa.schema(
    [("batch_id", pa.string()), ("file", pa.string()), ("row", pa.int64()), ("field", pa.string()),
     ("reason", pa.string()), ("raw", pa.string()), ("quarantined_at", pa.timestamp("us", tz="UTC"))]
)


class IngestError(BaseModel):
    file: str
    row: int
    field: str
    reason: str


class IngestSummary(BaseModel):
    """The JSON contract of ``valueloop ingest`` (plus ``updated`` and ``batch_id``)."""

    dataset: str
    files: list[str]
    read: int
    stored: int
    updated: int
    duplicates: int
    quarantined: int
    errors: list[IngestError]
    errors_total: int
    batch_id: str


def ingest(
    ws: Workspace, dataset: str, files: list[Path], mapping_path: Path | None = None, progress: Progress | None = None
) -> IngestSummary:
    """Ingest ``files`` into ``dataset``; bad input that makes a file unusable raises before anything is written."""
    ds = get_dataset(dataset)
    mapping = load_mapping(mapping_path) if mapping_path else Mapping()
    if mapping.dataset and mapping.dataset != dataset:
        raise SpecError(f"{mapping_path}: the mapping is for dataset {mapping.dataset!r}, not {dataset!r}")
    sources = [open_source(f, mapping) for f in files]
    for src in sources:
        check_columns(ds, mapping, src.columns, str(src.path))
    batch_id, started = new_batch_id(), datetime.now(UTC)
    lake = Lake(ws.lake_dir)
    with lake.transaction(batch_id) as txn:
        staged, errors, raw, read = _stage(txn, ds, mapping, sources, ws.settings.workspace.timezone, progress)
        merged = merge_batch(txn, ds, staged, lake.files(ds.name)) if staged else None
        errors += _conflict_errors(merged, ds, raw)
        _write_quarantine(txn, ds, errors, raw, started)
    summary = _summary(ds, files, batch_id, read, merged, errors, len(raw))
    _record_batch(ws, summary, started)
    return summary


def _stage(
    txn: LakeTransaction, ds: Dataset, mapping: Mapping, sources: list[Source], tz: str, progress: Progress | None
) -> tuple[list[Path], list[tuple[str, RowError]], dict[tuple[str, int], str], int]:
    staged: list[Path] = []
    errors: list[tuple[str, RowError]] = []
    raw: dict[tuple[str, int], str] = {}
    read = seq = 0
    for src in sources:
        name, done = str(src.path), 0
        for chunk in src.chunks():
            checked = check_chunk(chunk, ds, mapping, tz)
            n_good = checked.good.num_rows
            read += n_good + len(checked.bad_raw)
            done += n_good + len(checked.bad_raw)
            errors += [(name, e) for e in checked.errors]
            raw.update({(name, row): text for row, text in checked.bad_raw.items()})
            if n_good:
                table = checked.good.append_column("_src_file", pa.array([name] * n_good, pa.string()))
                table = table.append_column("_src_row", pa.array(checked.good_rows, pa.int64()))
                table = table.append_column("_seq", pa.array(range(seq, seq + n_good), pa.int64()))
                path = txn.staging / f"chunk-{len(staged):05d}.parquet"
                pq.write_table(table, path, compression="lz4")
                staged.append(path)
                seq += n_good
            if progress:
                progress(name, done)
    return staged, errors, raw, read


def _conflict_errors(
    merged: MergeResult | None, ds: Dataset, raw: dict[tuple[str, int], str]
) -> list[tuple[str, RowError]]:
    """Rows whose key repeats an earlier row of the batch with different content."""
    if merged is None or merged.conflicts.num_rows == 0:
        return []
    out = []
    key = ds.key[0]
    canonical = [f.name for f in ds.fields]
    for rec in merged.conflicts.to_pylist():
        file, row = rec["_src_file"], int(rec["_src_row"])
        reason = f"duplicate {key} {rec[key]!r} with different content (first at row {rec['_r0']} of {rec['_f0']})"
        out.append((file, RowError(row, key, reason)))
        raw[(file, row)] = json.dumps({c: rec[c] for c in canonical}, ensure_ascii=False, default=str)
    return out


def _write_quarantine(
    txn: LakeTransaction, ds: Dataset, errors: list[tuple[str, RowError]], raw: dict[tuple[str, int], str], at: datetime
) -> None:
    if not errors:
        return
    table = pa.table(
        {
            "batch_id": [txn.batch_id] * len(errors),
            "file": [f for f, _ in errors],
            "row": [e.row for _, e in errors],
            "field": [e.field for _, e in errors],
            "reason": [e.reason for _, e in errors],
            "raw": [raw.get((f, e.row), "{}") for f, e in errors],
            "quarantined_at": [at] * len(errors),
        },
        schema=QUARANTINE_SCHEMA,
    )
    path = txn.new_path(ds.name, "q", quarantine=True)
    pq.write_table(table, path, compression="zstd")
    txn.add(ds.name, path, quarantine=True)


def _summary(
    ds: Dataset, files: list[Path], batch_id: str, read: int, merged: MergeResult | None,
    errors: list[tuple[str, RowError]], quarantined: int,
) -> IngestSummary:
    order = {str(f): i for i, f in enumerate(files)}
    errors.sort(key=lambda fe: (order.get(fe[0], len(order)), fe[1].row))
    shown = [IngestError(file=f, row=e.row, field=e.field, reason=e.reason) for f, e in errors[:MAX_ERRORS_SHOWN]]
    return IngestSummary(
        dataset=ds.name, files=[str(f) for f in files], read=read,
        stored=merged.stored if merged else 0, updated=merged.updated if merged else 0,
        duplicates=merged.duplicates if merged else 0, quarantined=quarantined,
        errors=shown, errors_total=len(errors), batch_id=batch_id,
    )


def _record_batch(ws: Workspace, s: IngestSummary, started: datetime) -> None:
    """Log the batch in the app database (the lake commit above is what makes it real)."""
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            appdb.ingest_batches.insert().values(
                batch_id=s.batch_id, dataset=s.dataset, files=s.files, read=s.read, stored=s.stored,
                updated=s.updated, duplicates=s.duplicates, quarantined=s.quarantined,
                started_at=started, finished_at=datetime.now(UTC),
            )
        )
