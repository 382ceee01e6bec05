"""The notification outbox rows: queue with the alert, find the due ones, mark, list, re-queue, count.

One row per alert × status × channel (the table's unique key), written in the alert's own
transaction, so an alert is never recorded without its notifications nor notified without
being recorded, and a re-run after a crash queues nothing twice. States: ``queued`` (due at
``next_attempt_at``), ``sent`` (a channel accepted it), ``dead`` (failed for longer than the
channel's give-up age; ``valueloop alerts notifications --resend`` queues it again). The
worker that sends them is :class:`valueloop.monitoring.service.notify.Outbox`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.monitoring.notify import Notice
from valueloop.store import appdb
from valueloop.store.tables import notifications as table
from valueloop.store.workspace import Workspace

State = Literal["queued", "sent", "dead"]
STATES: tuple[State, ...] = ("queued", "sent", "dead")


class NotificationRecord(BaseModel):
    """A notification as people see it (JSON of ``valueloop alerts notifications``)."""

    id: int
    alert_id: str
    status: str
    channel: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    queued_at: datetime | None
    next_attempt_at: datetime | None
    done_at: datetime | None


@dataclass(frozen=True)
class Due:
    """A queued notification whose time has come; ``notice`` is None for rows queued before the outbox."""

    id: int
    alert_id: str
    status: str
    channel: str
    attempts: int
    queued_at: datetime
    notice: Notice | None


def enqueue(conn: sa.Connection, notice: Notice, channel: str, now: datetime) -> bool:
    """Queue ``notice`` for ``channel`` (inside the alert's transaction); False when it was queued before."""
    exists = conn.execute(
        sa.select(table.c.notification_id).where(
            table.c.alert_id == notice.alert_id, table.c.status == notice.status, table.c.channel == channel
        )
    ).first()
    if exists:
        return False
    conn.execute(
        table.insert().values(
            alert_id=notice.alert_id,
            status=notice.status,
            channel=channel,
            state="queued",
            attempts=0,
            created_at=now,
            queued_at=now,
            next_attempt_at=now,
            notice=notice.as_json(),
        )
    )
    return True


def due(ws: Workspace, now: datetime, limit: int = 200) -> list[Due]:
    """Queued rows due by ``now``, oldest first."""
    q = (
        sa.select(table)
        .where(table.c.state == "queued", table.c.next_attempt_at <= now)
        .order_by(table.c.next_attempt_at, table.c.notification_id)
        .limit(limit)
    )
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(q).all()
    return [
        Due(
            id=r.notification_id,
            alert_id=r.alert_id,
            status=r.status,
            channel=r.channel,
            attempts=r.attempts,
            queued_at=appdb.as_utc(r.queued_at or r.created_at),
            notice=_notice(r.notice),
        )
        for r in rows
    ]


def _notice(raw: object) -> Notice | None:
    """The stored notice; None when absent or unreadable (the worker then rebuilds it or gives up on the row)."""
    if not isinstance(raw, dict):
        return None
    try:
        return Notice.from_json(raw)
    except (TypeError, ValueError):
        return None


def next_due(ws: Workspace) -> datetime | None:
    """When the earliest queued row is due (None when nothing is queued)."""
    q = sa.select(sa.func.min(table.c.next_attempt_at)).where(table.c.state == "queued")
    with appdb.engine(ws.database_url).connect() as conn:
        return appdb.as_utc(conn.execute(q).scalar())


def mark_sent(ws: Workspace, ids: Sequence[int], now: datetime) -> None:
    """The channel accepted these: never send them again (a row re-queued meanwhile stays as it is)."""
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            table.update()
            .where(table.c.notification_id.in_(list(ids)), table.c.state == "queued")
            .values(state="sent", attempts=table.c.attempts + 1, last_error=None, done_at=now, next_attempt_at=None)
        )


def mark_failed(ws: Workspace, ids: Sequence[int], error: str, now: datetime, retry_at: datetime | None) -> None:
    """An attempt failed: try again at ``retry_at``, or give up (``dead``) when it is None."""
    values = {"attempts": table.c.attempts + 1, "last_error": error[:500] or "failed"}
    if retry_at is None:
        values |= {"state": "dead", "done_at": now, "next_attempt_at": None}
    else:
        values |= {"next_attempt_at": retry_at}
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            table.update().where(table.c.notification_id.in_(list(ids)), table.c.state == "queued").values(values)
        )


def list_notifications(ws: Workspace, states: Sequence[str] = STATES, limit: int = 500) -> list[NotificationRecord]:
    """Notifications in ``states``, oldest first."""
    unknown = sorted(set(states) - set(STATES))
    if unknown:
        raise InputError(f"unknown notification state(s) {', '.join(unknown)} (known: {', '.join(STATES)})")
    q = sa.select(table).where(table.c.state.in_(list(states))).order_by(table.c.notification_id).limit(limit)
    with appdb.engine(ws.database_url).connect() as conn:
        return [
            NotificationRecord(
                id=r.notification_id,
                alert_id=r.alert_id,
                status=r.status,
                channel=r.channel,
                state=r.state,
                attempts=r.attempts,
                last_error=r.last_error,
                created_at=appdb.as_utc(r.created_at),
                queued_at=appdb.as_utc(r.queued_at),
                next_attempt_at=appdb.as_utc(r.next_attempt_at),
                done_at=appdb.as_utc(r.done_at),
            )
            for r in conn.execute(q)
        ]


def resend(ws: Workspace, ids: Sequence[int] = (), now: datetime | None = None) -> list[int]:
    """Queue dead notifications again (``ids``, or every dead one), due now, with a fresh give-up age.

    Only dead ones: a sent notification is never sent twice on purpose, a queued one is
    already being tried. Every id that is not a dead notification is named at once.
    """
    now = now or datetime.now(UTC)
    with appdb.engine(ws.database_url).begin() as conn:
        q = sa.select(table.c.notification_id, table.c.state)
        found = dict(conn.execute(q.where(table.c.notification_id.in_(list(ids))) if ids else q).all())
        if ids:
            problems = [f"{i}: no such notification" for i in ids if i not in found]
            problems += [
                f"{i}: is {found[i]}, only dead ones are re-queued" for i in ids if found.get(i, "dead") != "dead"
            ]
            if problems:
                raise InputError("cannot resend " + "; ".join(problems))
        chosen = sorted(i for i, state in found.items() if state == "dead")
        if chosen:
            conn.execute(
                table.update()
                .where(table.c.notification_id.in_(chosen), table.c.state == "dead")
                .values(state="queued", attempts=0, queued_at=now, next_attempt_at=now, done_at=None)
            )
    return chosen


def counts(ws: Workspace) -> dict[tuple[str, str], int]:
    """(state, channel) → rows, for ``/metrics``."""
    q = sa.select(table.c.state, table.c.channel, sa.func.count()).group_by(table.c.state, table.c.channel)
    with appdb.engine(ws.database_url).connect() as conn:
        return {(state, channel): int(n) for state, channel, n in conn.execute(q)}
