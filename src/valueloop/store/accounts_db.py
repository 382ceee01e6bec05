"""App database tables of accounts: users, browser sessions, API tokens and failed logins.

Defined on :data:`valueloop.store.appdb.metadata` (migration ``0006`` creates them).
Secrets never reach the database in the clear: passwords are argon2 hashes, session ids
and API tokens are stored as their SHA-256.
"""

from __future__ import annotations

import sqlalchemy as sa

from valueloop.store.appdb import TZ, metadata


def _user_fk() -> sa.Column[int]:
    return sa.Column("user_id", sa.Integer, sa.ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False)


users = sa.Table(
    "users",
    metadata,
    sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(100), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("units", sa.JSON, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("last_login_at", TZ),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("session_hash", sa.String(64), primary_key=True),
    _user_fk(),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("expires_at", TZ, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("token_id", sa.Integer, primary_key=True, autoincrement=True),
    _user_fk(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("expires_at", TZ),
    sa.Column("revoked_at", TZ),
    sa.Column("last_used_at", TZ),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("failure_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(100), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("at", TZ, nullable=False),
    sa.Index("ix_login_failures_user_ip", "username", "ip"),
)
