"""Use case: ingest source files into one canonical dataset of a workspace.

Reads every file in chunks, checks each row, stages the good rows, merges them into the
lake and quarantines the rest with their reasons, all in one lake transaction: either
the whole batch lands or nothing does. Counts always reconcile:
``read == stored + duplicates + quarantined``, for any list of files — rows are known by
the position of their file in the list, not by its name, which two files may share.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from valueloop.errors import InputError, SpecError
from valueloop.ingest.readers import Chunk, Source, open_source
from valueloop.ingest.turns import expand_chunks, expanded_columns, turns_plan
from valueloop.ingest.validate import CheckedChunk, RowError, check_chunk, check_columns
from valueloop.spec import registry
from valueloop.spec.datasets import Dataset
from valueloop.spec.mapping import Mapping, load_mapping
from valueloop.store import appdb, ledger, tables
from valueloop.store.lake import Lake, LakeTransaction, new_batch_id
from valueloop.store.ledger_lake import batch_manifest
from valueloop.store.merge import MergeResult, merge_batch
from valueloop.store.workspace import Workspace

MAX_ERRORS_SHOWN = 100
WORKERS = 2
IN_MEMORY_ROWS = 2_000_000
"""Checked rows are kept in memory up to this many per batch, then staged on disk (bounded memory)."""
Progress = Callable[[str, int], None]

QUARANTINE_SCHEMA = pa.schema(
    [
        ("batch_id", pa.string()),
        ("file", pa.string()),
        ("row", pa.int64()),
        ("field", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
        ("quarantined_at", pa.timestamp("us", tz="UTC")),
    ]
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
    content_key: str | None = None
    """The key field filled with a hash of each row's content (the source has no key), else None."""


def ingest(
    ws: Workspace,
    dataset: str,
    files: list[Path],
    mapping_path: Path | None = None,
    progress: Progress | None = None,
    names: list[str] | None = None,
) -> IngestSummary:
    """Ingest ``files`` into ``dataset``; bad input that makes a file unusable raises before anything is written.

    ``names`` are what to call the files in errors, the summary and quarantine (default: their
    paths) — an upload is known by the name it was sent under, not by its temporary copy.
    """
    labels = names if names is not None else [str(f) for f in files]
    if len(labels) != len(files):
        raise ValueError("one name per file")
    ds = registry.lookup(ws.datasets, dataset)
    if ds.derived:
        raise InputError(f"{dataset} is computed by valueloop (e.g. `valueloop text analyze`), not ingested")
    mapping = load_mapping(mapping_path) if mapping_path else Mapping()
    if mapping.dataset and mapping.dataset != dataset:
        raise SpecError(f"{mapping_path}: the mapping is for dataset {mapping.dataset!r}, not {dataset!r}")
    ds = registry.add_extra(ds, mapping.extra_kinds, str(mapping_path))
    sources = [open_source(f, mapping, ds.by_name) for f in files]
    hashed = content_key(ds, mapping, sources)
    for src, label in zip(sources, labels, strict=True):
        plan = turns_plan(ds, mapping, src.columns)
        check_columns(ds, mapping, expanded_columns(src.columns, plan) if plan else src.columns, label, hashed)
    batch_id, started = new_batch_id(), datetime.now(UTC)
    lake = Lake(ws.lake_dir)
    with lake.transaction(batch_id) as txn:
        tz = mapping.timezone or ws.settings.workspace.timezone
        staged, errors, raw, read = _stage(txn, ds, mapping, sources, labels, tz, progress, hashed)
        merged = merge_batch(txn, ds, staged, lake.files(ds.name)) if staged else None
        if merged is not None and merged.stored:
            txn.record_fields(ds.name, dict(mapping.extra_kinds))
        errors += _conflict_errors(merged, ds, raw, labels)
        _write_quarantine(txn, ds, errors, raw, labels, started)
    summary = _summary(ds, labels, batch_id, read, merged, errors, len(raw))
    summary.content_key = hashed
    _record_batch(ws, summary, started, txn)
    return summary


def content_key(ds: Dataset, mapping: Mapping, sources: list[Source]) -> str | None:
    """The key field to fill with a content hash: the dataset's single text key when no file has it.

    A source without ids (a review export, a log without a call id) still ingests idempotently:
    the same row gives the same hash, so ingesting the same file again stores nothing new. Two
    identical rows are one record (the second counts as a duplicate).
    """
    key = ds.content_key
    if key is None or any(mapping.for_field(key, src.columns) is not None for src in sources):
        return None
    return key


def distinct_files(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """``files`` without repeats of the same file (however spelled), and the repeats left out.

    The same file given twice would be read twice: every row of the second copy a duplicate
    or a conflict with itself. Adapters read each file once and say which they skipped.
    """
    seen: set[Path] = set()
    kept: list[Path] = []
    repeats: list[Path] = []
    for f in files:
        key = f.resolve()
        (repeats if key in seen else kept).append(f)
        seen.add(key)
    return kept, repeats


FileErrors = list[tuple[int, RowError]]
"""Row errors with the position of their file in the batch's list of files."""
RawRows = dict[tuple[int, int], str]
"""(file position, source row) → the row's raw values as JSON."""


def _stage(
    txn: LakeTransaction,
    ds: Dataset,
    mapping: Mapping,
    sources: list[Source],
    labels: list[str],
    tz: str,
    progress: Progress | None,
    hashed: str | None = None,
) -> tuple[list[pa.Table | Path], FileErrors, RawRows, int]:
    """Check every chunk and stage its good rows; chunks are checked two at a time (Arrow releases the GIL)."""
    staged: list[pa.Table | Path] = []
    errors: FileErrors = []
    raw: RawRows = {}
    read = kept = 0
    done: dict[int, int] = {}
    for index, checked, table in _checked_chunks(ds, mapping, sources, tz, hashed):
        rows = checked.good.num_rows + len(checked.bad_raw)
        read += rows
        done[index] = done.get(index, 0) + rows
        errors += [(index, e) for e in checked.errors]
        raw.update({(index, row): text for row, text in checked.bad_raw.items()})
        if table is not None:
            kept += table.num_rows
            staged.append(table if kept <= IN_MEMORY_ROWS else _spill(txn, table, len(staged)))
        if progress:
            progress(labels[index], done[index])
    return staged, errors, raw, read


def _checked_chunks(
    ds: Dataset, mapping: Mapping, sources: list[Source], tz: str, hashed: str | None
) -> Iterator[tuple[int, CheckedChunk, pa.Table | None]]:
    """(file position, checked chunk, staged file) in source order, with a bounded number in flight."""
    with ThreadPoolExecutor(WORKERS) as pool:
        pending: deque[tuple[int, Future[tuple[CheckedChunk, pa.Table | None]]]] = deque()
        number = 0
        for file_index, src in enumerate(sources):
            plan = turns_plan(ds, mapping, src.columns)
            chunks = expand_chunks(src.chunks(), src.columns, plan) if plan else src.chunks()
            for chunk in chunks:
                task = pool.submit(_check, ds, mapping, tz, chunk, file_index, number, hashed)
                pending.append((file_index, task))
                number += 1
                if len(pending) > WORKERS:
                    name, fut = pending.popleft()
                    yield name, *fut.result()
        while pending:
            name, fut = pending.popleft()
            yield name, *fut.result()


def _check(
    ds: Dataset, mapping: Mapping, tz: str, chunk: Chunk, file_index: int, number: int, hashed: str | None
) -> tuple[CheckedChunk, pa.Table | None]:
    """Check a chunk; its good rows get where they came from and a sequence number for ordering."""
    checked = check_chunk(chunk, ds, mapping, tz, hashed)
    n = checked.good.num_rows
    if n == 0:
        return checked, None
    table = checked.good.append_column("_src_file", pa.nulls(n, pa.int32()).fill_null(file_index))
    table = table.append_column("_src_row", pa.array(checked.good_rows, pa.int64()))
    table = table.append_column("_seq", pa.array(np.arange(n, dtype=np.int64) + (number << 32)))
    return checked, table


def _spill(txn: LakeTransaction, table: pa.Table, number: int) -> Path:
    path = txn.staging / f"chunk-{number:06d}.parquet"
    pq.write_table(table, path, compression="none")
    return path


def _conflict_errors(merged: MergeResult | None, ds: Dataset, raw: RawRows, names: list[str]) -> FileErrors:
    """Rows whose key repeats an earlier row of the batch with different content."""
    if merged is None or merged.conflicts.num_rows == 0:
        return []
    out = []
    key = ds.key[0]
    canonical = [f.name for f in ds.fields]
    for rec in merged.conflicts.to_pylist():
        file, row = int(rec["_src_file"]), int(rec["_src_row"])
        first = f"row {rec['_r0']} of {names[rec['_f0']]}"
        values = ", ".join(repr(rec[k] if isinstance(rec[k], str | int) else str(rec[k])) for k in ds.key)
        reason = f"duplicate {', '.join(ds.key)} {values} with different content (first at {first})"
        out.append((file, RowError(row, key, reason)))
        raw[(file, row)] = json.dumps({c: rec[c] for c in canonical}, ensure_ascii=False, default=str)
    return out


def _write_quarantine(
    txn: LakeTransaction, ds: Dataset, errors: FileErrors, raw: RawRows, labels: list[str], at: datetime
) -> None:
    if not errors:
        return
    table = pa.table(
        {
            "batch_id": [txn.batch_id] * len(errors),
            "file": [labels[f] for f, _ in errors],
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
    ds: Dataset,
    files: list[str],
    batch_id: str,
    read: int,
    merged: MergeResult | None,
    errors: FileErrors,
    quarantined: int,
) -> IngestSummary:
    errors.sort(key=lambda fe: (fe[0], fe[1].row))
    shown = [
        IngestError(file=files[f], row=e.row, field=e.field, reason=e.reason) for f, e in errors[:MAX_ERRORS_SHOWN]
    ]
    return IngestSummary(
        dataset=ds.name,
        files=files,
        read=read,
        stored=merged.stored if merged else 0,
        updated=merged.updated if merged else 0,
        duplicates=merged.duplicates if merged else 0,
        quarantined=quarantined,
        errors=shown,
        errors_total=len(errors),
        batch_id=batch_id,
    )


LEDGERED = {"audits": ("audit_id", "entity_id", "auditor_id", "checklist_id", "score", "passed")}
"""Datasets whose stored rows are results someone is accountable for: they go into the ledger."""


def _record_batch(ws: Workspace, s: IngestSummary, started: datetime, txn: LakeTransaction) -> None:
    """Log the batch in the app database (the lake commit above is what makes it real).

    Audit results also get a ledger record, in the same transaction as the batch log,
    with the hashes of the Parquet files the batch made live (``ledger verify`` re-hashes them).
    """
    with appdb.engine(ws.database_url).begin() as conn:
        if s.dataset in LEDGERED and s.stored:
            rows = _batch_rows(ws, s.dataset, s.batch_id, LEDGERED[s.dataset])
            counts = {"stored": s.stored, "updated": s.updated, "files": s.files}
            payload = {"event": counts, "state": {"rows": rows}, "lake": batch_manifest(txn, s.dataset)}
            ledger.append(conn, "audit_result", f"{s.dataset}/{s.batch_id}", payload)
        conn.execute(
            tables.ingest_batches.insert().values(
                batch_id=s.batch_id,
                dataset=s.dataset,
                files=s.files,
                read=s.read,
                stored=s.stored,
                updated=s.updated,
                duplicates=s.duplicates,
                quarantined=s.quarantined,
                started_at=started,
                finished_at=datetime.now(UTC),
            )
        )


def _batch_rows(ws: Workspace, dataset: str, batch_id: str, columns: tuple[str, ...]) -> list[dict[str, object]]:
    """The rows one batch stored (its own part file), for the ledger."""
    files = [f for f in Lake(ws.lake_dir).files(dataset) if batch_id in f.name]
    if not files:
        return []
    table = pa.concat_tables([pq.read_table(f, columns=list(columns)) for f in files])
    return sorted(table.to_pylist(), key=lambda r: str(r[columns[0]]))
