"""Reading a CSV or Parquet file for verification, with DuckDB and without the store.

Why here: the verify layer may ask a query engine for sufficient statistics, but the
maths must not (STYLE §5); this module is the only place the verify package touches
files. Paths and column names are quoted into the SQL text (DuckDB table functions do
not take a bound path), single and double quotes doubled.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from valueloop.errors import InputError
from valueloop.store.sql import ident, literal


def relation_sql(path: Path) -> str:
    """``read_parquet(...)`` or ``read_csv(...)`` by file extension."""
    quoted = literal(path)
    if path.suffix.lower() in {".parquet", ".pq"}:
        return f"read_parquet({quoted})"
    return f"read_csv({quoted}, header = true)"


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return duckdb.connect()


def require_columns(con: duckdb.DuckDBPyConnection, path: Path, columns: Sequence[str]) -> None:
    """Raise one InputError naming every missing column and the ones found."""
    try:
        found = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation_sql(path)}").fetchall()]
    except duckdb.Error as err:
        raise InputError(f"{path}: cannot read as CSV or Parquet ({err})") from err
    missing = [c for c in columns if c not in found]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (found: {', '.join(found) or 'none'})")


def query(con: duckdb.DuckDBPyConnection, path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Run ``sql`` and turn engine errors into InputError naming the file."""
    try:
        return con.execute(sql).fetchall()
    except duckdb.Error as err:
        raise InputError(f"{path}: {err}") from err


def numeric_columns(path: Path, numeric: Sequence[str], text: Sequence[str] = ()) -> dict[str, np.ndarray[Any, Any]]:
    """The named columns as arrays: ``numeric`` as float64 (every cell must parse), ``text`` as str."""
    con = connect(path)
    require_columns(con, path, [*numeric, *text])
    casts = [f"TRY_CAST({ident(c)} AS DOUBLE) AS {ident(c)}" for c in numeric]
    casts += [f"CAST({ident(c)} AS VARCHAR) AS {ident(c)}" for c in text]
    bad = " + ".join(f"count(*) FILTER (WHERE TRY_CAST({ident(c)} AS DOUBLE) IS NULL)" for c in numeric) or "0"
    (n_bad,) = query(con, path, f"SELECT {bad} FROM {relation_sql(path)}")[0]
    if n_bad:
        raise InputError(f"{path}: {n_bad} empty or non-numeric cell(s) in {', '.join(numeric)}")
    table = con.execute(f"SELECT {', '.join(casts)} FROM {relation_sql(path)}").fetchnumpy()
    return {c: np.asarray(table[c]) for c in [*numeric, *text]}
