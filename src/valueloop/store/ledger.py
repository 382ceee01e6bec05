"""The ledger table: an append-only, hash-chained record of every published result and change.

:func:`append` takes the caller's open connection, never an engine: the record is
written in the same transaction as the change it records, so either both are stored
or neither is. Positions (``seq``) are the newest position + 1, so appending takes the
chain's write lock first (:func:`_lock_chain`) and holds it to the end of the
transaction: a second writer waits, then reads the head the first one committed, and
the chain stays one line whatever the number of processes. The hashing rules are in
:mod:`valueloop.store.ledger_hash`; migration ``0005`` creates the table.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import sqlalchemy as sa

from valueloop.store.ledger_hash import GENESIS, LedgerRecord, canonical, record_hash
from valueloop.store.tables import ledger

KINDS = frozenset(
    {
        "model_version",
        "evaluation_run",
        "findings",
        "alert_transition",
        "action_transition",
        "action_handoff",
        "handoff_accepted",
        "action_comment",
        "verification_verdict",
        "audit_result",
        "document",
        "coverage",
    }
)
"""What the ledger records (``coverage``: which rows predate row coverage, see :mod:`valueloop.store.ledger_rows`)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _row(r: sa.Row[tuple[int, str, str, str, str, str, str]]) -> LedgerRecord:
    return LedgerRecord(seq=r.seq, at=r.at, kind=r.kind, ref=r.ref, payload=r.payload, prev=r.prev, hash=r.hash)


def head(conn: sa.Connection) -> LedgerRecord | None:
    """The newest record (highest position), or None for an empty ledger."""
    found = conn.execute(sa.select(ledger).order_by(ledger.c.seq.desc()).limit(1)).first()
    return None if found is None else _row(found)


LOCK_KEY = 0x76616C75656C6467
"""The PostgreSQL advisory-lock key of the ledger's chain head (any constant; "valueldg")."""


def _lock_chain(conn: sa.Connection) -> None:
    """Serialise appends until ``conn``'s transaction ends, so the head read next is the real head.

    PostgreSQL: a transaction-scoped advisory lock (under READ COMMITTED the next
    statement then sees what the previous holder committed). SQLite: a write that
    changes nothing takes the database's write lock (the driver opens the transaction
    before it), where a plain read would leave the head free to move before the insert.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))
    else:
        conn.execute(ledger.update().where(ledger.c.seq < 0).values(seq=ledger.c.seq))


def append(conn: sa.Connection, kind: str, ref: str, payload: object) -> LedgerRecord:
    """Append a record of ``payload`` (any JSON-able value) about ``ref``, inside ``conn``'s transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}")
    _lock_chain(conn)
    last = head(conn)
    text = canonical(payload)
    at = _now()
    prev = GENESIS if last is None else last.hash
    rec = LedgerRecord(
        seq=1 if last is None else last.seq + 1,
        at=at,
        kind=kind,
        ref=ref,
        payload=text,
        prev=prev,
        hash=record_hash(at, kind, ref, text, prev),
    )
    conn.execute(ledger.insert().values(**asdict(rec)))
    return rec


def records(conn: sa.Connection, day: str | None = None) -> list[LedgerRecord]:
    """Every stored record in position order (of one UTC day ``YYYY-MM-DD`` if given)."""
    query = sa.select(ledger).order_by(ledger.c.seq)
    if day is not None:
        query = query.where(ledger.c.at.like(f"{day}%"))
    return [_row(r) for r in conn.execute(query)]


def find(conn: sa.Connection, key: str) -> LedgerRecord | None:
    """The record at position ``key`` (digits) or with hash ``key`` (hex)."""
    where = ledger.c.seq == int(key) if key.isdigit() and len(key) < 64 else ledger.c.hash == key.lower()
    found = conn.execute(sa.select(ledger).where(where)).first()
    return None if found is None else _row(found)
