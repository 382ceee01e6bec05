"""The app database: migrations match the table definitions, and PostgreSQL works as well as SQLite."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from conftest import write
from valueloop.flows.ingest import ingest
from valueloop.flows.workspace import create_workspace
from valueloop.store import appdb
from valueloop.store.workspace import Workspace, open_workspace


def test_migrations_match_the_table_definitions(ws: Workspace) -> None:
    with appdb.engine(ws.database_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), appdb.metadata)
    assert diff == []


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL server on loopback, started and stopped by the test."""
    pg = _pg_bin()
    if pg is None:
        pytest.fail("PostgreSQL is not installed (the Makefile's `system` target installs it)")
    tmp = Path(tempfile.mkdtemp(prefix="vl-pg-"))
    shutil.chown(tmp, "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_pg,
            str(pg / "initdb"),
            "-D",
            str(tmp / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    port = "54391"
    subprocess.run(
        [
            *as_pg,
            str(pg / "pg_ctl"),
            "-D",
            str(tmp / "data"),
            "-l",
            str(tmp / "log"),
            "-w",
            "-o",
            f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_pg, str(pg / "pg_ctl"), "-D", str(tmp / "data"), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.slow
def test_postgresql_app_database(postgres_url: str, tmp_path: Path) -> None:
    create_workspace(tmp_path / "ws", database_url=postgres_url)
    ws = open_workspace(tmp_path / "ws")
    assert ws.database_url == postgres_url
    f = write(tmp_path / "i.csv", "interaction_id,entity_id,opened_at\nI1,B1,2026-01-05 09:00\n")
    summary = ingest(ws, "interactions", [f])
    with appdb.engine(postgres_url).connect() as conn:
        stored = conn.execute(
            sa.select(appdb.ingest_batches.c.stored).where(appdb.ingest_batches.c.batch_id == summary.batch_id)
        ).scalar_one()
        diff = compare_metadata(MigrationContext.configure(conn), appdb.metadata)
    assert stored == 1
    assert diff == []
