"""The analytical engine over the lake: an Ibis connection with one table per dataset.

DuckDB by default (embedded, in process); the same Ibis expressions run on PySpark when
``warehouse = "pyspark"``. The session time zone is the workspace's, so period
extraction (month, week, hour) happens in local time while the lake stores UTC.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace


class Warehouse:
    """Lazily opened tables of the committed lake (a snapshot of the manifest at open time)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.lake = Lake(ws.lake_dir)
        self.manifest = self.lake.manifest()
        self.engine = ws.settings.lake.warehouse
        self.con: Any = _connect(self.engine, ws.settings.workspace.timezone)
        self._tables: dict[str, ir.Table] = {}

    def table(self, dataset: str) -> ir.Table:
        """The dataset's committed rows with exactly its fields (:attr:`Workspace.datasets`).

        Files are read by column name: a file written before a mapping added own fields lacks
        them, and reads as null there; a field no file has yet is a typed null column.
        """
        if dataset not in self._tables:
            files = [str(self.lake.root / f) for f in self.manifest.datasets.get(dataset, [])]
            schema = self.ws.datasets[dataset].schema
            if files and self.engine == "pyspark":  # Spark reads a list of files natively; Ibis takes one path
                frame = self.con._session.read.option("mergeSchema", "true").parquet(*files)
                frame.createOrReplaceTempView(f"lake_{dataset}")
                table = _fields(self.con.table(f"lake_{dataset}"), schema)
            elif files:
                table = _fields(self.con.read_parquet(files, table_name=f"lake_{dataset}", union_by_name=True), schema)
            else:
                table = ibis.memtable(schema.empty_table())
            self._tables[dataset] = table
        return self._tables[dataset]

    def execute(self, expr: ir.Table) -> Any:
        return self.con.execute(expr)


def _fields(table: ir.Table, schema: pa.Schema) -> ir.Table:
    """``table`` with the columns of ``schema`` in order; a column it lacks is a typed null."""
    have = set(table.columns)
    types = ibis.Schema.from_pyarrow(schema)
    return table.select(*(table[n] if n in have else ibis.null().cast(types[n]).name(n) for n in schema.names))


def _connect(engine: str, timezone: str) -> Any:
    if engine == "pyspark":
        return _spark(timezone)
    con = ibis.duckdb.connect()
    con.raw_sql(f"SET TimeZone = '{timezone}'")
    return con


def _spark(timezone: str) -> Any:
    import os
    import tempfile

    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("valueloop")
        .config("spark.sql.session.timeZone", timezone)
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="valueloop-spark-"))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    con = ibis.pyspark.connect(session)
    session.conf.set("spark.sql.session.timeZone", timezone)  # Ibis resets it to UTC; periods are local
    return con
