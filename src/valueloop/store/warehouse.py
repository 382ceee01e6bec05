"""The analytical engine over the lake: an Ibis connection with one table per dataset.

DuckDB by default (embedded, in process); the same Ibis expressions run on PySpark when
``warehouse = "pyspark"``. The session time zone is the workspace's, so period
extraction (month, week, hour) happens in local time while the lake stores UTC.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from valueloop.spec.datasets import DATASETS
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
        if dataset not in self._tables:
            files = [str(self.lake.root / f) for f in self.manifest.datasets.get(dataset, [])]
            schema = DATASETS[dataset].schema
            if files and self.engine == "pyspark":  # Spark reads a list of files natively; Ibis takes one path
                self.con._session.read.parquet(*files).createOrReplaceTempView(f"lake_{dataset}")
                table = self.con.table(f"lake_{dataset}").select(*schema.names)
            elif files:
                table = self.con.read_parquet(files, table_name=f"lake_{dataset}").select(*schema.names)
            else:
                table = ibis.memtable(schema.empty_table())
            self._tables[dataset] = table
        return self._tables[dataset]

    def execute(self, expr: ir.Table) -> Any:
        return self.con.execute(expr)


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
