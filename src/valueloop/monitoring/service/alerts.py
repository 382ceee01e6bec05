"""Alert records: store transitions once, acknowledge, silence, list with MTTA / MTTR.

Everything here is idempotent on the alert id, so the monitor can replay its write-ahead
log after a crash without recording (or notifying) anything twice. Each firing, resolution
and acknowledgement goes into the ledger (kind ``alert_transition``) in the same transaction,
with the alert row's new content hash (:mod:`valueloop.store.ledger_rows`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from valueloop.errors import InputError
from valueloop.monitoring.alerting import Transition
from valueloop.monitoring.routing import ENTITY_LABEL, Silence
from valueloop.spec.alerts import Schedule
from valueloop.store import appdb, ledger, ledger_rows
from valueloop.store.tables import alerts, silences
from valueloop.store.workspace import Workspace


class AlertRecord(BaseModel):
    """An alert as people see it (JSON of ``valueloop alerts list``)."""

    id: str
    rule: str
    entity_id: str
    severity: str
    status: str
    value: float | None
    summary: str
    labels: dict[str, str]
    started_at: datetime
    fired_at: datetime
    resolved_at: datetime | None
    acked_by: str | None
    acked_at: datetime | None
    muted: str | None


def _ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


@dataclass(frozen=True)
class Recorded:
    """What storing a transition changed: nothing (already recorded) or this alert."""

    alert_id: str
    status: str
    new: bool


def record(
    conn: sa.Connection, tr: Transition, severity: str, labels: Mapping[str, str], summary: str, muted: str | None
) -> Recorded:
    """Store one transition (inside ``conn``'s transaction); a repeat changes nothing."""
    aid = tr.alert_id
    if tr.status == "firing":
        exists = conn.execute(sa.select(alerts.c.alert_id).where(alerts.c.alert_id == aid)).first()
        if exists:
            return Recorded(aid, "firing", False)
        conn.execute(
            alerts.insert().values(
                alert_id=aid,
                fingerprint=tr.fingerprint,
                rule=tr.rule,
                entity_id=tr.entity,
                severity=severity,
                labels=dict(labels),
                summary=summary[:500],
                status="firing",
                value=_finite(tr.value),
                started_at=_ts(tr.started_at),
                fired_at=_ts(tr.at),
                muted=muted,
            )
        )
    else:
        done = conn.execute(
            alerts.update()
            .where(alerts.c.alert_id == aid, alerts.c.status == "firing")
            .values(status="resolved", resolved_at=_ts(tr.at))
        )
        if done.rowcount == 0:
            return Recorded(aid, "resolved", False)
    ledger.append(
        conn,
        "alert_transition",
        aid,
        {
            "status": tr.status,
            "rule": tr.rule,
            "entity_id": tr.entity,
            "at": _ts(tr.at).isoformat(),
            "value": _finite(tr.value),
            "rows": ledger_rows.hashes(conn, "alerts", alerts.c.alert_id == aid),
        },
    )
    return Recorded(aid, tr.status, True)


def _finite(v: float) -> float | None:
    return v if v == v and abs(v) != float("inf") else None


def _row(r: Any) -> AlertRecord:
    return AlertRecord(
        id=r.alert_id,
        rule=r.rule,
        entity_id=r.entity_id,
        severity=r.severity,
        status=r.status,
        value=r.value,
        summary=r.summary,
        labels=r.labels,
        started_at=appdb.as_utc(r.started_at),
        fired_at=appdb.as_utc(r.fired_at),
        resolved_at=appdb.as_utc(r.resolved_at),
        acked_by=r.acked_by,
        acked_at=appdb.as_utc(r.acked_at),
        muted=r.muted,
    )


def list_alerts(
    ws: Workspace,
    status: str | None = None,
    rule: str | None = None,
    entity: str | None = None,
    units: frozenset[str] | None = None,
    limit: int = 500,
) -> list[AlertRecord]:
    """Newest first; ``units`` (a caller's visible units) keeps only alerts of those entities (not the overall ones)."""
    q = sa.select(alerts).order_by(alerts.c.fired_at.desc(), alerts.c.alert_id).limit(limit)
    if status:
        q = q.where(alerts.c.status == status)
    if rule:
        q = q.where(alerts.c.rule == rule)
    if entity:
        q = q.where(alerts.c.entity_id == entity)
    if units is not None:
        q = q.where(alerts.c.entity_id.in_(sorted(units)))
    with appdb.engine(ws.database_url).connect() as conn:
        return [_row(r) for r in conn.execute(q)]


def get_alert(ws: Workspace, alert_id: str) -> AlertRecord:
    with appdb.engine(ws.database_url).connect() as conn:
        r = conn.execute(sa.select(alerts).where(alerts.c.alert_id == alert_id)).first()
    if r is None:
        raise InputError(f"no alert {alert_id!r} (see: valueloop alerts list)")
    return _row(r)


class AlertNotFiring(InputError):
    """Acknowledging says "someone is on it": an alert that has already resolved has nothing left to take on."""

    http_status = 409


def ack(ws: Workspace, alert_id: str, by: str, comment: str = "") -> AlertRecord:
    """Record who acknowledged a firing alert and when; acknowledging twice keeps the first.

    A resolved alert that nobody acknowledged is refused (:class:`AlertNotFiring`): an
    acknowledgement months later would say nothing about response and inflate MTTA.
    """
    if not by.strip():
        raise InputError("say who acknowledges (--by)")
    with appdb.engine(ws.database_url).begin() as conn:
        r = conn.execute(sa.select(alerts).where(alerts.c.alert_id == alert_id)).first()
        if r is None:
            raise InputError(f"no alert {alert_id!r} (see: valueloop alerts list)")
        if r.acked_at is None and r.status != "firing":
            raise AlertNotFiring(
                f"alert {alert_id} resolved at {appdb.as_utc(r.resolved_at)}; only a firing alert can be acknowledged"
            )
        if r.acked_at is None:
            now = datetime.now(UTC)
            conn.execute(
                alerts.update()
                .where(alerts.c.alert_id == alert_id)
                .values(acked_by=by, acked_at=now, ack_comment=comment[:500])
            )
            ledger.append(
                conn,
                "alert_transition",
                alert_id,
                {
                    "status": "acked",
                    "by": by,
                    "at": now.isoformat(),
                    "comment": comment,
                    "rows": ledger_rows.hashes(conn, "alerts", alerts.c.alert_id == alert_id),
                },
            )
    return get_alert(ws, alert_id)


class AlertStats(BaseModel):
    """MTTA: fired → acknowledged, over alerts acknowledged while firing; MTTR: fired → resolved.

    Both are medians in seconds (one alert acknowledged weeks late must not move the figure a
    manager reads as "how fast do we respond")."""

    total: int
    firing: int
    resolved: int
    acked: int
    mtta_seconds: float | None
    mttr_seconds: float | None


class AlertList(BaseModel):
    """``alerts list``: alerts newest first, with MTTA and MTTR over every alert of the same units."""

    model_config = ConfigDict(frozen=True)
    alerts: list[AlertRecord]
    stats: AlertStats


def alert_list(
    ws: Workspace,
    *,
    status: str | None = None,
    rule: str | None = None,
    entity: str | None = None,
    units: frozenset[str] | None = None,
    limit: int = 200,
) -> AlertList:
    """The alerts matching the filters and the statistics of ``units`` (None: every unit)."""
    rows = list_alerts(ws, status=status, rule=rule, entity=entity, units=units, limit=limit)
    return AlertList(alerts=rows, stats=stats(ws, units=units))


def stats(ws: Workspace, units: frozenset[str] | None = None) -> AlertStats:
    """Counts, median MTTA (fired → acknowledged while firing) and MTTR (fired → resolved) over ``units``' alerts.

    Reads four columns, not whole records: the alerts page asks on every visit. The time
    differences are taken in Python because SQLite and PostgreSQL spell them differently.
    """
    q = sa.select(alerts.c.status, alerts.c.fired_at, alerts.c.acked_at, alerts.c.resolved_at)
    if units is not None:
        q = q.where(alerts.c.entity_id.in_(sorted(units)))
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(q).all()

    def seconds(end: datetime | None, start: datetime) -> float | None:
        done, began = appdb.as_utc(end), appdb.as_utc(start)
        return (done - began).total_seconds() if done is not None and began is not None else None

    ttr = [t for r in rows if (t := seconds(r.resolved_at, r.fired_at)) is not None]
    tta = [t for r in rows if (t := seconds(r.acked_at, r.fired_at)) is not None and _while_firing(r)]
    return AlertStats(
        total=len(rows),
        firing=sum(r.status == "firing" for r in rows),
        resolved=sum(r.status == "resolved" for r in rows),
        acked=len(tta),
        mtta_seconds=median(tta) if tta else None,
        mttr_seconds=median(ttr) if ttr else None,
    )


def _while_firing(row: Any) -> bool:
    """Acknowledged before it resolved (stores from before the refusal may hold late acknowledgements)."""
    acked, resolved = appdb.as_utc(row.acked_at), appdb.as_utc(row.resolved_at)
    return acked is not None and (resolved is None or acked <= resolved)


class SilenceRecord(BaseModel):
    id: str
    matchers: dict[str, str]
    starts_at: datetime | None
    ends_at: datetime | None
    schedule: dict[str, Any] | None
    comment: str
    created_by: str


def silence_units(matchers: Mapping[str, str]) -> frozenset[str] | None:
    """The only entity ids a silence can match (its ``entity_id`` alternatives), or None when it can match any.

    Matchers are ANDed, so any other matcher only narrows what the ``entity_id`` one allows.
    """
    value = matchers.get(ENTITY_LABEL)
    return None if value is None else frozenset(value.split("|"))


def add_silence(
    ws: Workspace,
    matchers: Mapping[str, str],
    by: str,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    schedule: Schedule | None = None,
    comment: str = "",
) -> SilenceRecord:
    """A one-off silence from now (or ``starts_at``) until ``ends_at``; a recurring one applies in its
    schedule's slots from ``starts_at`` (default: always) until ``ends_at`` (default: until ended)."""
    if not matchers:
        raise InputError("a silence needs at least one matcher (label=value)")
    if ends_at is not None and ends_at <= (starts_at or datetime.now(UTC)):
        raise InputError("the silence ends before it starts")
    if ends_at is None and schedule is None:
        raise InputError("a one-off silence needs an end (--for or --until); a recurring one a schedule")
    sid = "S" + secrets.token_hex(4)
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(
            silences.insert().values(
                silence_id=sid,
                matchers=dict(matchers),
                starts_at=starts_at or (None if schedule else datetime.now(UTC)),
                ends_at=ends_at,
                schedule=schedule.model_dump() if schedule else None,
                comment=comment[:500],
                created_by=by,
                created_at=datetime.now(UTC),
            )
        )
    return next(s for s in list_silences(ws) if s.id == sid)


def list_silences(ws: Workspace) -> list[SilenceRecord]:
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(sa.select(silences).order_by(silences.c.created_at)).all()
    return [
        SilenceRecord(
            id=r.silence_id,
            matchers=r.matchers,
            starts_at=appdb.as_utc(r.starts_at),
            ends_at=appdb.as_utc(r.ends_at),
            schedule=r.schedule,
            comment=r.comment,
            created_by=r.created_by,
        )
        for r in rows
    ]


def expire_silence(ws: Workspace, silence_id: str) -> None:
    with appdb.engine(ws.database_url).begin() as conn:
        done = conn.execute(
            silences.update().where(silences.c.silence_id == silence_id).values(ends_at=datetime.now(UTC))
        )
    if done.rowcount == 0:
        raise InputError(f"no silence {silence_id!r}")


def as_silence(s: SilenceRecord) -> Silence:
    return Silence(
        id=s.id,
        matchers=s.matchers,
        starts_at=s.starts_at.timestamp() if s.starts_at else None,
        ends_at=s.ends_at.timestamp() if s.ends_at else None,
        schedule=Schedule.model_validate(s.schedule) if s.schedule else None,
        comment=s.comment,
        created_by=s.created_by,
    )


def firing_labels(ws: Workspace) -> dict[str, dict[str, str]]:
    """alert id → labels of every alert firing now (for inhibition after a restart)."""
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(sa.select(alerts.c.alert_id, alerts.c.labels).where(alerts.c.status == "firing")).all()
    return {r.alert_id: dict(r.labels) for r in rows}


def get_muted(conn: sa.Connection, alert_id: str) -> str | None:
    """Why an alert was muted when it fired (its resolution is muted the same way), or None."""
    muted: str | None = conn.execute(sa.select(alerts.c.muted).where(alerts.c.alert_id == alert_id)).scalar()
    return muted
