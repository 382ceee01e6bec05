"""Merge a staged batch into the lake: deduplicate, detect updates, write, retire.

Runs inside a :class:`~valueloop.store.lake.LakeTransaction`. Rows are identified by
the dataset key and fingerprinted by a hash of their canonical values:

* the same key twice in the batch with the same content → a duplicate;
  with different content → the later row is quarantined (we cannot tell which is right);
* a key already stored with the same content → a duplicate;
  with different content → an update: the new version is stored, and the file that held
  the old one is rewritten without it (so readers see exactly one version).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from valueloop.spec.datasets import Dataset
from valueloop.store.lake import LakeTransaction
from valueloop.store.sql import ident, literal, path_list


@dataclass(frozen=True)
class MergeResult:
    stored: int
    updated: int
    duplicates: int
    conflicts: pa.Table
    """Rows quarantined as conflicting duplicates: canonical columns, _src_file, _src_row, and the
    file and row (_f0, _r0) of the first occurrence they conflict with."""


def merge_batch(txn: LakeTransaction, dataset: Dataset, staged: list[pa.Table | Path], live: list[Path]) -> MergeResult:
    """Fold staged chunks (canonical columns + _src_file, _src_row, _seq) into ``dataset``.

    Chunks are Arrow tables in memory or Parquet files in the staging folder, in batch order.
    """
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    cols = ", ".join(ident(f.name) for f in dataset.fields)
    keys = ", ".join(ident(k) for k in dataset.key)
    source = _staged_relation(con, staged)
    repeated = _count(con, f"SELECT count(*) FROM (SELECT 1 FROM {source} GROUP BY {keys} HAVING count(*) > 1)")
    fingerprint = _fingerprint(dataset)
    if not live and not repeated:  # the first load of a dataset: straight through, in staged order
        stored = _write(con, txn, dataset, f"SELECT {cols}, {fingerprint} AS _hash FROM {source}")
        con.close()
        return MergeResult(stored, 0, 0, pa.table({}))
    con.execute(f"CREATE TEMP TABLE batch AS SELECT *, {fingerprint} AS _hash FROM {source}")
    if repeated:
        conflicts, in_batch_dupes = _first_occurrences(con, cols, keys)
    else:  # the common case: every key once, no window needed
        con.execute("ALTER TABLE batch RENAME TO cand")
        conflicts, in_batch_dupes = pa.table({}), 0
    if live:
        con.execute(
            f"""CREATE TEMP TABLE existing AS SELECT {keys}, _hash AS _old, filename AS _file
            FROM read_parquet({path_list(live)}, filename = true, union_by_name = true) SEMI JOIN cand USING ({keys})"""
        )
        con.execute(
            f"""CREATE TEMP TABLE verdict AS SELECT c.*, e._old IS NOT NULL AS _known, c._hash = e._old AS _same
            FROM cand c LEFT JOIN existing e USING ({keys})"""
        )
    else:
        con.execute("CREATE TEMP VIEW verdict AS SELECT *, false AS _known, NULL::BOOLEAN AS _same FROM cand")
    order = "ORDER BY _seq"
    same = _count(con, "SELECT count(*) FROM verdict WHERE _same")
    updated = _count(con, "SELECT count(*) FROM verdict WHERE _known AND NOT _same")
    stored = _count(con, "SELECT count(*) FROM verdict WHERE NOT coalesce(_same, false)")
    if stored:
        _write(con, txn, dataset, f"SELECT {cols}, _hash FROM verdict WHERE NOT coalesce(_same, false) {order}")
    if updated:
        _retire_old_versions(con, txn, dataset, keys)
    con.close()
    return MergeResult(stored, updated, same + in_batch_dupes, conflicts)


def _fingerprint(dataset: Dataset) -> str:
    """SQL for a row's content hash. Own fields a mapping added count only when present, so a
    row stored before they existed and the same row sent again afterwards are still the same."""
    base = ", ".join(ident(f.name) for f in dataset.fields if f.name not in dataset.extras)
    out = f"hash({base})"
    for name in dataset.extras:
        present = f"hash({literal(name)}, {ident(name)})"
        out = f"xor({out}, CASE WHEN {ident(name)} IS NULL THEN 0::UBIGINT ELSE {present} END)"
    return out


def _staged_relation(con: duckdb.DuckDBPyConnection, staged: list[pa.Table | Path]) -> str:
    """SQL for all staged rows in batch order: in-memory tables first, then spilled files."""
    tables = [t for t in staged if isinstance(t, pa.Table)]
    files = [p for p in staged if isinstance(p, Path)]
    parts = []
    if tables:
        con.register("staged_memory", pa.concat_tables(tables))
        parts.append("SELECT * FROM staged_memory")
    if files:
        parts.append(f"SELECT * FROM read_parquet({path_list(files)})")
    return "(" + " UNION ALL ".join(parts) + ")"


def _write(con: duckdb.DuckDBPyConnection, txn: LakeTransaction, dataset: Dataset, select: str) -> int:
    """Write the rows of ``select`` as a new live file of ``dataset``; returns how many."""
    target = txn.new_path(dataset.name, "part")
    con.execute(f"COPY (SELECT *, '{txn.batch_id}' AS _batch FROM ({select})) TO {literal(target)} (FORMAT parquet)")
    stored = _count(con, f"SELECT count(*) FROM read_parquet({literal(target)})")
    if stored:
        txn.add(dataset.name, target)
    else:
        target.unlink()
    return stored


def _first_occurrences(con: duckdb.DuckDBPyConnection, cols: str, keys: str) -> tuple[pa.Table, int]:
    """Keep the first row of each key; later rows are duplicates (same content) or conflicts."""
    con.execute(
        f"""CREATE TEMP TABLE ranked AS
        SELECT *, row_number() OVER w AS _k, first_value(_hash) OVER w AS _h0,
               first_value(_src_file) OVER w AS _f0, first_value(_src_row) OVER w AS _r0
        FROM batch WINDOW w AS (PARTITION BY {keys} ORDER BY _seq)"""
    )
    conflicts = con.execute(
        f"SELECT {cols}, _src_file, _src_row, _f0, _r0 FROM ranked WHERE _k > 1 AND _hash <> _h0 ORDER BY _seq"
    ).to_arrow_table()
    dupes = _count(con, "SELECT count(*) FROM ranked WHERE _k > 1 AND _hash = _h0")
    con.execute("CREATE TEMP TABLE cand AS SELECT * EXCLUDE (_k, _h0, _f0, _r0) FROM ranked WHERE _k = 1")
    return conflicts, dupes


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _retire_old_versions(con: duckdb.DuckDBPyConnection, txn: LakeTransaction, dataset: Dataset, keys: str) -> None:
    """Rewrite each file holding a superseded version without it (copy-on-write)."""
    con.execute(
        f"""CREATE TEMP TABLE superseded AS SELECT e.* FROM existing e
        JOIN verdict v USING ({keys}) WHERE v._known AND NOT v._same"""
    )
    files = [Path(r[0]) for r in con.execute("SELECT DISTINCT _file FROM superseded ORDER BY 1").fetchall()]
    for i, old in enumerate(files):
        new = txn.new_path(dataset.name, f"part-r{i}")
        con.execute(
            f"""COPY (SELECT * FROM read_parquet({literal(old)}) ANTI JOIN superseded USING ({keys}))
            TO {literal(new)} (FORMAT parquet)"""
        )
        kept = _count(con, f"SELECT count(*) FROM read_parquet({literal(new)})")
        txn.replace(dataset.name, old, new if kept else None)
