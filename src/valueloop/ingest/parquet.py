"""Parquet sources: the schema checked before any row is read, damage named by file and row group.

Columns arrive typed. A nested column (struct, list, map, union) has no single value to
store in a canonical field: feeding one to a field is refused up front with its name and
type, while a nested column nothing reads is carried along harmlessly (quarantine shows it
as JSON). Pages are verified against their checksums when the writer saved them, and a
page that cannot be decoded stops the ingest with the file and row group named — the
lake transaction then writes nothing, rather than storing part of a damaged file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from valueloop.errors import InputError
from valueloop.spec.mapping import Mapping

_NESTED = (
    pa.types.is_struct,
    pa.types.is_list,
    pa.types.is_large_list,
    pa.types.is_fixed_size_list,
    pa.types.is_map,
    pa.types.is_union,
)


def open_file(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path, page_checksum_verification=True)
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"{path}: not a readable Parquet file: {_one_line(err)}") from err


def check_nested(path: Path, mapping: Mapping, fields: Iterable[str]) -> None:
    """Refuse nested columns that feed one of ``fields`` through ``mapping`` (all of them named at once)."""
    schema = open_file(path).schema_arrow
    wanted = {c for name in fields if (fm := mapping.for_field(name, tuple(schema.names))) for c in fm.sources}
    bad = [f"{f.name!r} is {f.type}" for f in schema if f.name in wanted and any(t(f.type) for t in _NESTED)]
    if bad:
        raise InputError(
            f"{path}: nested Parquet column(s) cannot fill a field: {'; '.join(bad)}; "
            "map a plain column (or flatten it when writing the file)"
        )


def batches(path: Path, size: int) -> Iterator[pa.RecordBatch]:
    """Every record batch of ``path``; a damaged page is an InputError naming the row group."""
    file = open_file(path)
    done = 0
    try:
        for batch in file.iter_batches(batch_size=size):
            yield batch
            done += batch.num_rows
    except (pa.ArrowException, OSError) as err:
        group, first, last = _damaged_group(file, done)
        raise InputError(
            f"{path}: damaged Parquet data in row group {group} (rows {first}-{last}): {_one_line(err)}"
        ) from err


def _damaged_group(file: pq.ParquetFile, done: int) -> tuple[int, int, int]:
    """(row group, its first and last 1-based row) of the first group from row ``done`` on that fails to read.

    Batches span row groups, so the failing group is found again by reading groups one by one.
    """
    meta, start, found = file.metadata, 0, None
    for i in range(meta.num_row_groups):
        rows = meta.row_group(i).num_rows
        if start + rows > done and found is None:
            try:
                file.read_row_group(i)
            except (pa.ArrowException, OSError):
                found = (i, start + 1, start + rows)
        start += rows
    return found or (meta.num_row_groups - 1, start, start)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:300] or type(err).__name__
