"""The app database: migrations match the table definitions, and PostgreSQL works as well as SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from conftest import write
from valueloop.accounts.service.workspace import create_workspace
from valueloop.ingest.service.ingest import ingest
from valueloop.store import appdb, tables
from valueloop.store.workspace import Workspace, open_workspace


def test_migrations_match_the_table_definitions(ws: Workspace) -> None:
    with appdb.engine(ws.database_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    assert diff == []


def test_an_upgrade_that_copies_a_table_keeps_the_rows_that_refer_to_it(ws: Workspace) -> None:
    """SQLite migrations copy a table to alter it; dropping the old evaluation_runs must not
    cascade to evaluation_results (it deleted every stored result before migrations ran with
    foreign keys off)."""
    from datetime import UTC, datetime

    from alembic import command
    from alembic.config import Config

    now = datetime(2026, 11, 1, tzinfo=UTC)
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(tables.evaluation_runs.insert().values(run_id="R1", model_id="m", version=1, period="2026-10",
                                                            level="branch", parameters={}, created_at=now))  # fmt: skip
        conn.execute(tables.evaluation_results.insert().values(run_id="R1", entity_id="B1", score=3.0, rank=1,
                                                               result={"score": 3.0}))  # fmt: skip
    cfg = Config()
    cfg.set_main_option("script_location", str(appdb.MIGRATIONS))
    with appdb.migration_connection(ws.database_url) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")  # before the level column was widened (a table copy on SQLite)
    appdb.migrate(ws.database_url)
    with appdb.engine(ws.database_url).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.evaluation_results)).scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on for everything else


@pytest.mark.slow
def test_postgresql_app_database(postgres_url: str, tmp_path: Path) -> None:
    create_workspace(tmp_path / "ws", database_url=postgres_url)
    ws = open_workspace(tmp_path / "ws")
    assert ws.database_url == postgres_url
    f = write(tmp_path / "i.csv", "interaction_id,entity_id,opened_at\nI1,B1,2026-01-05 09:00\n")
    summary = ingest(ws, "interactions", [f])
    with appdb.engine(postgres_url).connect() as conn:
        stored = conn.execute(
            sa.select(tables.ingest_batches.c.stored).where(tables.ingest_batches.c.batch_id == summary.batch_id)
        ).scalar_one()
        diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    assert stored == 1
    assert diff == []
