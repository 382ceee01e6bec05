"""Migration 0004 creates exactly the tables defined in store/actions_db.py."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from valueloop.store import actions_db, appdb
from valueloop.store.workspace import Workspace


def test_migrations_match_the_action_tables(ws: Workspace) -> None:
    assert actions_db.actions.metadata is appdb.metadata
    with appdb.engine(ws.database_url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), appdb.metadata) == []
