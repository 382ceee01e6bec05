"""The app database: engines, migrations, and the one rule for stored times.

The tables are all in :mod:`valueloop.store.tables`. SQLite by default and PostgreSQL for a
team server. The schema is owned by Alembic migrations shipped in the package
(``store/migrations``); ``migrate`` brings any database to the newest revision and is what
``valueloop init`` runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import overload

import sqlalchemy as sa
from alembic import command
from alembic.config import Config


@overload
def as_utc(t: datetime) -> datetime: ...
@overload
def as_utc(t: None) -> None: ...
@overload
def as_utc(t: datetime | None) -> datetime | None: ...
def as_utc(t: datetime | None) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite hands them back naive); ``None`` stays ``None``."""
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


MIGRATIONS = Path(__file__).with_name("migrations")


@cache
def engine(url: str) -> sa.Engine:
    """The app database at ``url``, migrated to the newest schema (once per process).

    Upgrading valueloop therefore upgrades an existing workspace's database on first use.
    """
    eng = _engine(url)
    migrate(url)
    return eng


@cache
def _engine(url: str) -> sa.Engine:
    """One engine per URL per process (SQLite gets foreign keys, WAL and a busy timeout)."""
    if url.startswith("sqlite"):
        eng = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(eng, "connect")
        def _pragmas(dbapi_conn: object, _record: object) -> None:
            cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return eng
    return sa.create_engine(url, pool_pre_ping=True)


def migrate(url: str) -> None:
    """Upgrade the database at ``url`` to the newest schema revision."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with migration_connection(url) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def migration_connection(url: str) -> Iterator[sa.Connection]:
    """A connection in one transaction for schema changes; on SQLite with foreign keys off.

    SQLite cannot alter a column, so a migration copies the table, drops the old one and renames
    the copy (Alembic's batch mode). With foreign keys on, dropping ``evaluation_runs`` would
    cascade and delete every stored result; the pragma only takes effect outside a transaction,
    so it is set before the transaction starts, and set back before the connection is reused.
    """
    with _engine(url).connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                yield conn
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
