"""Row coverage: the content hash of every app-database row people rely on, chained in the ledger.

Alerts (status, resolution, acknowledgement …) and action history (one row per status
change) are not snapshots of one business object the way :mod:`valueloop.store.ledger_state`
tracks them, but many rows whose loss or forgery must show. So every ledger record that
creates or changes such a row carries ``"rows": {"TABLE/ID": sha256}`` — the hash of the
row as read back inside the same transaction — and checking compares each row now with
the newest hash recorded for it: a row edited, deleted or added behind the application's
back is named by table and id.

Rows that existed before their table was covered (migration ``0008`` for alerts and action
history, ``0012`` for hand-offs and comments) have no hash: that migration records their ids
in one ``coverage`` record, and they are reported as *not covered* instead of failing; a
listed row that disappears still fails.

Row hash = SHA-256 of the canonical JSON of the row's columns (timestamps as UTC ISO
text, JSON columns as values) — the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from valueloop.store.ledger_chain import Problem
from valueloop.store.ledger_hash import LedgerRecord, canonical, sha256_hex
from valueloop.store.tables import action_comments, action_transitions, alerts, handoffs

SINCE = "0008"
"""The migration from which covered rows carry a hash in the ledger."""


@dataclass(frozen=True)
class Covered:
    table: sa.Table
    key: str


COVERED: dict[str, Covered] = {
    "alerts": Covered(alerts, "alert_id"),
    "action_transitions": Covered(action_transitions, "transition_id"),
    "handoffs": Covered(handoffs, "handoff_id"),
    "action_comments": Covered(action_comments, "comment_id"),
}
"""Tables whose every row is chained, by name (the name is the first part of a row's ref)."""


def _plain(v: object) -> object:
    if isinstance(v, datetime):
        return (v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)).isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return v


def row_hash(row: Mapping[Any, Any]) -> str:
    """The content hash of one row (every column)."""
    return sha256_hex(canonical({str(k): _plain(v) for k, v in row.items()}))


def hashes(conn: sa.Connection, name: str, where: sa.ColumnElement[bool] | None = None) -> dict[str, str]:
    """``{"TABLE/ID": hash}`` of the covered table's rows (matching ``where``), read through ``conn``."""
    c = COVERED[name]
    query = sa.select(c.table) if where is None else sa.select(c.table).where(where)
    return {f"{name}/{r[c.key]}": row_hash(r) for r in conn.execute(query).mappings()}


def current(conn: sa.Connection) -> dict[str, str]:
    """The hash of every covered row now."""
    out: dict[str, str] = {}
    for name in COVERED:
        out.update(hashes(conn, name))
    return out


def legacy_ids(conn: sa.Connection, names: Iterable[str]) -> dict[str, list[str]]:
    """The ids of the rows of tables ``names`` that exist now (what a migration that starts covering them lists)."""
    return {name: sorted(ref.split("/", 1)[1] for ref in hashes(conn, name)) for name in names}


@dataclass(frozen=True)
class Recorded:
    """What the chain says about covered rows: newest hash per row, and the rows from before coverage."""

    rows: dict[str, str | None]
    legacy: frozenset[str]


def recorded(chain: Iterable[LedgerRecord]) -> Recorded:
    """Read ``chain`` (in chain order); a recorded hash of null means the row was deleted with a record."""
    rows: dict[str, str | None] = {}
    legacy: set[str] = set()
    for r in chain:
        payload = json.loads(r.payload)
        if not isinstance(payload, dict):
            continue
        listed, hashed = payload.get("not_covered"), payload.get("rows")
        if r.kind == "coverage" and isinstance(listed, dict):
            legacy |= {f"{name}/{key}" for name, keys in listed.items() if isinstance(keys, list) for key in keys}
        if isinstance(hashed, dict):
            rows.update({str(k): v if isinstance(v, str) else None for k, v in hashed.items()})
    return Recorded(rows, frozenset(legacy))


def check(now: Mapping[str, str], then: Recorded) -> tuple[list[Problem], list[Problem]]:
    """(problems, rows not covered): every covered row compared with its newest recorded hash."""
    problems, notes = [], []
    for ref in sorted(set(now) | set(then.rows) | then.legacy):
        table, _, key = ref.partition("/")
        a, b = now.get(ref), then.rows.get(ref)
        if (a is not None and a == b) or (a is None and ref in then.rows and b is None):
            continue
        if a is None:
            problems.append(Problem(ref, "unrecorded_change", f"{table} row {key} was deleted without a ledger record"))
        elif b is not None:
            why = f"{table} row {key} differs from the hash in its newest ledger record"
            problems.append(Problem(ref, "unrecorded_change", why))
        elif ref in then.legacy:
            notes.append(Problem(ref, "not_covered", f"{table} row {key}: not covered (stored before its table was)"))
        else:
            problems.append(Problem(ref, "unrecorded_change", f"{table} row {key} has no ledger record"))
    return problems, notes
