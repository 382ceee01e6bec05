"""The app database: operational records (ingest batches now; models, findings, actions later).

SQLAlchemy Core tables, SQLite by default and PostgreSQL for a team server. The schema
is owned by Alembic migrations shipped in the package (``store/migrations``); ``migrate``
brings any database to the newest revision and is what ``valueloop init`` runs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import overload

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

metadata = sa.MetaData()
TZ = sa.DateTime(timezone=True)
"""Every timestamp valueloop stores is an aware UTC instant."""

ingest_batches = sa.Table(
    "ingest_batches",
    metadata,
    sa.Column("batch_id", sa.String(40), primary_key=True),
    sa.Column("dataset", sa.String(64), nullable=False, index=True),
    sa.Column("files", sa.JSON, nullable=False),
    sa.Column("read", sa.Integer, nullable=False),
    sa.Column("stored", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("duplicates", sa.Integer, nullable=False),
    sa.Column("quarantined", sa.Integer, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
)

model_versions = sa.Table(
    "model_versions",
    metadata,
    sa.Column("model_id", sa.String(100), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("reason_category", sa.String(20)),
    sa.Column("reason", sa.Text),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)

evaluation_runs = sa.Table(
    "evaluation_runs",
    metadata,
    sa.Column("run_id", sa.String(40), primary_key=True),
    sa.Column("model_id", sa.String(100), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("period", sa.String(20), nullable=False, index=True),
    sa.Column("level", sa.String(120), nullable=False),
    sa.Column("parameters", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

evaluation_results = sa.Table(
    "evaluation_results",
    metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("evaluation_runs.run_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("entity_id", sa.String(100), primary_key=True),
    sa.Column("score", sa.Float),
    sa.Column("rank", sa.Integer),
    sa.Column("result", sa.JSON, nullable=False),
)


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
    with _engine(url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("model_id", sa.String(100), nullable=False),
    sa.Column("level", sa.String(120), nullable=False),
    sa.Column("period", sa.String(20), nullable=False, index=True),
    sa.Column("run_id", sa.String(40), index=True),
    sa.Column("entity_id", sa.String(100), nullable=False, index=True),
    sa.Column("indicator", sa.String(100), nullable=False),
    sa.Column("segment", sa.String(100)),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("benchmark", sa.Float),
    sa.Column("gap_pct", sa.Float),
    sa.Column("severity", sa.String(10), nullable=False, index=True),
    sa.Column("rule", sa.String(30), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


from valueloop.store import accounts_db as accounts_db  # noqa: E402  (registers the account tables on metadata)
from valueloop.store import actions_db as actions_db  # noqa: E402  (registers the action tables on metadata)
from valueloop.store import alerts_db as alerts_db  # noqa: E402  (registers the monitor's tables on metadata)
from valueloop.store import ledger as ledger  # noqa: E402  (registers the ledger table on metadata)
