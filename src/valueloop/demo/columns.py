"""NumPy arrays → Arrow columns and tables with exactly the canonical schema.

Ids, labels and timestamps are built with Arrow compute kernels so a million-row
column costs milliseconds; ``table`` refuses anything that does not match
``DATASETS[name].schema`` column for column, so the demo can never drift from the
contract that ingest and the lake rely on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from valueloop.demo.clock import BoolArr, FloatArr, IntArr
from valueloop.spec.datasets import DATASETS

TIMESTAMP = pa.timestamp("us", tz="UTC")


def id_width(n: int, minimum: int = 5) -> int:
    """Digits needed so every id of a table has the same length (sorts as text)."""
    return max(minimum, len(str(max(n, 1))))


def ids(prefix: str, numbers: IntArr, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``numbers``, e.g. ``I00000042``."""
    text = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), text, pa.scalar(""))


def pick(values: pa.Array | Sequence[str], codes: IntArr, null: BoolArr | None = None) -> pa.Array:
    """``values[codes]`` as a string column, null where ``null`` is set (or code < 0)."""
    pool = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    mask = codes < 0 if null is None else (null | (codes < 0))
    return pc.take(pool, pa.array(np.where(mask, 0, codes), pa.int64(), mask=mask))


def timestamps(us: IntArr, null: BoolArr | None = None) -> pa.Array:
    """UTC microsecond instants, null where ``null`` is set."""
    return pa.array(us, TIMESTAMP, mask=null)


def offsets(base: IntArr, seconds: FloatArr) -> IntArr:
    """``base`` + ``seconds`` in µs; NaN seconds become 0 and must be masked by the caller."""
    return base + np.round(np.nan_to_num(seconds) * 1_000_000).astype(np.int64)


def ints(values: IntArr, null: BoolArr | None = None) -> pa.Array:
    return pa.array(values, pa.int64(), mask=null)


def floats(values: FloatArr) -> pa.Array:
    """Float column with NaN stored as null (the lake has no NaN semantics)."""
    return pa.array(values, pa.float64(), mask=np.isnan(values))


def bools(values: BoolArr) -> pa.Array:
    return pa.array(values, pa.bool_())


def table(name: str, columns: Mapping[str, pa.Array]) -> pa.Table:
    """Assemble the canonical dataset ``name``; a missing or mistyped column is a bug here."""
    schema = DATASETS[name].schema
    if set(columns) != set(schema.names):
        raise ValueError(f"{name}: columns {sorted(columns)} != schema {schema.names}")
    return pa.Table.from_arrays([columns[n] for n in schema.names], schema=schema)


def write(tab: pa.Table, path: Path) -> Path:
    """Parquet has no wall-clock metadata, so equal tables give byte-identical files."""
    pq.write_table(tab, path, compression="zstd")
    return path
