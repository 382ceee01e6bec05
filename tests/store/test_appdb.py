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
