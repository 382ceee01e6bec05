"""Migration 0004 creates exactly the tables defined in store/tables.py."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from valueloop.store import appdb, tables
from valueloop.store.workspace import Workspace


def test_migrations_match_the_action_tables(ws: Workspace) -> None:
    assert tables.actions.metadata is tables.metadata
    with appdb.engine(ws.database_url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), tables.metadata) == []
