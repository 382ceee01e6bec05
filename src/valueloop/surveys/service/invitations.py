"""Invite customers after resolved interactions: plan (a dry run says who and why not), record, list, export.

Candidates are the lake's resolved interactions of the last ``within_days``; the pure rules of
:mod:`valueloop.surveys.fatigue` decide. Recording an invitation is idempotent (one per survey
× interaction), so running the trigger every few minutes is safe. An invitation's link is
signed from its random id and expiry; the database alone knows whose it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Literal

import pandas as pd
import sqlalchemy as sa
from pydantic import BaseModel, PrivateAttr, computed_field

from valueloop.errors import InputError
from valueloop.store import appdb
from valueloop.store.tables import survey_invitations as inv
from valueloop.store.workspace import Workspace
from valueloop.surveys import tokens
from valueloop.surveys.fatigue import Resolved
from valueloop.surveys.fatigue_batch import decide_frame
from valueloop.surveys.service.catalog import get_survey, secret
from valueloop.surveys.spec import Channel

Delivery = Literal["queued", "sent", "dead", "exported"]
DELIVERIES: tuple[Delivery, ...] = ("queued", "sent", "dead", "exported")


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One candidate's decision. A plain dataclass, not a model: a plan over a million interactions lists a
    million of them, and a validated model per row cost more than deciding them."""

    interaction_id: str
    entity_id: str
    customer_id: str | None
    invite: bool
    reason: str
    send_at: datetime | None


class Plan(BaseModel):
    """Who is invited and why not. ``rows`` (one per candidate) are listed when read or shown, not when the
    plan is made: a run over a million interactions decides and records without building a million rows."""

    survey_id: str
    dry_run: bool
    invited: int
    skipped: int
    _decided: pd.DataFrame | None = PrivateAttr(default=None)

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def rows(self) -> list[PlanRow]:
        return [] if self._decided is None else _rows(self._decided)


class InvitationRecord(BaseModel):
    invitation_id: str
    survey_id: str
    interaction_id: str
    customer_id: str | None
    entity_id: str
    channel: str
    delivery: str
    attempts: int
    last_error: str | None
    reason: str
    created_at: datetime
    send_at: datetime
    expires_at: datetime
    delivered_at: datetime | None
    opened_at: datetime | None
    answered_at: datetime | None
    reminded_at: datetime | None


def resolved_since(ws: Workspace, since: datetime) -> pd.DataFrame:
    """Interactions of the lake resolved at or after ``since`` (with a customer or not: the plan says why not),
    as columns (``resolved_at`` in UTC): a million rows are read without a Python object each."""
    from valueloop.store.warehouse import Warehouse

    wh = Warehouse(ws)
    t = wh.table("interactions")
    expr = t.filter(t.resolved_at.notnull() & (t.resolved_at >= since)).select(
        "interaction_id", "entity_id", "customer_id", "resolved_at"
    )
    df: pd.DataFrame = wh.execute(expr)
    df["resolved_at"] = _utc(df["resolved_at"])
    return df


def _utc(values: pd.Series) -> pd.Series:
    """Timestamps (the warehouse's, in its session zone, or given ones in any zone; naive means UTC) as UTC."""
    return pd.to_datetime(values, utc=True)


def _frame(rows: list[Resolved]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interaction_id": pd.Series([r.interaction_id for r in rows], dtype=object),
            "entity_id": pd.Series([r.entity_id for r in rows], dtype=object),
            "customer_id": pd.Series([r.customer_id for r in rows], dtype=object),
            "resolved_at": _utc(pd.Series([r.resolved_at for r in rows], dtype=object)),
            "timezone": pd.Series([r.timezone for r in rows], dtype=object),
        }
    )


def customer_zones(ws: Workspace) -> dict[str, str]:
    """Each customer's own time zone, for those the lake's ``customers`` names one (validated at ingest)."""
    from valueloop.store.warehouse import Warehouse

    wh = Warehouse(ws)
    t = wh.table("customers")
    df: pd.DataFrame = wh.execute(t.filter(t.timezone.notnull()).select("customer_id", "timezone"))
    return dict(zip(df["customer_id"], df["timezone"], strict=True))


def plan(
    ws: Workspace,
    survey_id: str,
    now: datetime,
    *,
    contacts: Mapping[str, str] | None = None,
    dry_run: bool = True,
    candidates: list[Resolved] | None = None,
) -> Plan:
    """Decide who is invited now; unless ``dry_run``, record the invitations (queued for their channel).

    ``candidates`` default to the lake's interactions resolved within the trigger's ``within_days``.
    The rules run over columns (:func:`valueloop.surveys.fatigue_batch.decide_frame`), which decides
    exactly as :func:`valueloop.surveys.fatigue.decide` does, row by row.
    """
    survey = get_survey(ws, survey_id)
    trig = survey.trigger
    cand = resolved_since(ws, now - timedelta(days=trig.within_days)) if candidates is None else _frame(candidates)
    col = cand["customer_id"]  # missing or "": no customer (masks over the Arrow column, no Python str each)
    cand["customer_id"] = col.mask(col.isna().to_numpy(dtype=bool) | (col == "").to_numpy(dtype=bool, na_value=False))
    cand["contact"] = cand["customer_id"].map(dict(contacts or {})) if contacts else None
    zones = customer_zones(ws)
    known = cand["customer_id"].map(zones) if zones else pd.Series(None, index=cand.index, dtype=object)
    cand["timezone"] = cand["timezone"].fillna(known) if "timezone" in cand else known
    invited, last = _history(ws, survey_id)
    decided = decide_frame(
        survey_id, trig, cand, now=now, tz=ws.settings.workspace.timezone, invited=invited, last_asked=last
    )
    chosen = decided[decided["invite"]]
    if not dry_run:
        _record(ws, survey_id, trig.channel, trig.expires_days, chosen, contacts or {}, now)
    n = len(chosen)
    out = Plan(survey_id=survey_id, dry_run=dry_run, invited=n, skipped=len(decided) - n)
    out._decided = decided
    return out


def _rows(decided: pd.DataFrame) -> list[PlanRow]:
    """The decisions as rows (columns to plain Python first: iterating Arrow-backed columns is slow).

    An invitation is sent now, or when the quiet hours end in its customer's zone."""
    invite = decided["invite"].to_numpy(dtype=bool)
    send = [_py(s) if v else None for s, v in zip(decided["send_at"].to_numpy(dtype=object), invite, strict=True)]
    cols = [decided[c].to_numpy(dtype=object) for c in ("interaction_id", "entity_id", "customer_id", "reason")]
    return [PlanRow(i, e, c, v, r, s) for i, e, c, r, v, s in zip(*cols, invite.tolist(), send, strict=True)]


def _history(ws: Workspace, survey_id: str) -> tuple[frozenset[str], dict[str, datetime]]:
    """Interactions already invited to this survey, and each customer's latest invitation to any survey."""
    with appdb.engine(ws.database_url).connect() as conn:
        done = conn.execute(sa.select(inv.c.interaction_id).where(inv.c.survey_id == survey_id)).scalars().all()
        q = sa.select(inv.c.customer_id, sa.func.max(inv.c.created_at)).where(inv.c.customer_id.is_not(None))
        last = {c: appdb.as_utc(t) for c, t in conn.execute(q.group_by(inv.c.customer_id))}
    return frozenset(done), last


def _record(
    ws: Workspace,
    survey_id: str,
    channel: Channel,
    expires_days: int,
    chosen: pd.DataFrame,
    contacts: Mapping[str, str],
    now: datetime,
) -> None:
    rows = [
        {
            "invitation_id": tokens.new_ref(),
            "survey_id": survey_id,
            "interaction_id": iid,
            "customer_id": customer,
            "entity_id": entity,
            "channel": channel.value,
            "contact": contacts.get(customer or "") if channel is not Channel.export else None,
            "reason": reason[:300],
            "created_at": now,
            "send_at": _py(send_at),
            "expires_at": _py(send_at) + timedelta(days=expires_days),
            "delivery": "queued",
            "attempts": 0,
            "queued_at": now,
            "next_attempt_at": _py(send_at),
        }
        for iid, entity, customer, reason, send_at in zip(
            chosen["interaction_id"],
            chosen["entity_id"],
            chosen["customer_id"],
            chosen["reason"],
            chosen["send_at"],
            strict=True,
        )
    ]
    if rows:
        with appdb.engine(ws.database_url).begin() as conn:
            conn.execute(inv.insert(), rows)


def _py(value: object) -> datetime:
    """A send time from the decision frame as a plain aware datetime."""
    return pd.Timestamp(value).to_pydatetime() if not isinstance(value, datetime) else value  # type: ignore[arg-type]


def link(ws: Workspace, base_url: str, invitation_id: str, expires_at: datetime) -> str:
    """The public URL of an invitation: ``{base_url}/s/{token}``."""
    token = tokens.sign(secret(ws), "i", invitation_id, expires_at)
    return f"{base_url.rstrip('/')}/s/{token}"


def list_invitations(
    ws: Workspace,
    survey_id: str | None = None,
    delivery: str | None = None,
    units: frozenset[str] | None = None,
    limit: int = 500,
) -> list[InvitationRecord]:
    """Invitations newest first; ``units`` (a scoped caller's) keeps only theirs. Contact addresses stay inside."""
    if delivery is not None and delivery not in DELIVERIES:
        raise InputError(f"unknown delivery state {delivery!r} (known: {', '.join(DELIVERIES)})")
    q = sa.select(inv).order_by(inv.c.created_at.desc(), inv.c.invitation_id).limit(limit)
    if survey_id:
        q = q.where(inv.c.survey_id == survey_id)
    if delivery:
        q = q.where(inv.c.delivery == delivery)
    if units is not None:
        q = q.where(inv.c.entity_id.in_(sorted(units)))
    with appdb.engine(ws.database_url).connect() as conn:
        return [_record_of(r) for r in conn.execute(q)]


def _record_of(r: sa.Row[tuple[object, ...]]) -> InvitationRecord:
    m = dict(r._mapping)
    m.pop("contact", None)
    m.pop("next_attempt_at", None)
    m.pop("queued_at", None)
    for key in ("created_at", "send_at", "expires_at", "delivered_at", "opened_at", "answered_at", "reminded_at"):
        m[key] = appdb.as_utc(m[key])
    return InvitationRecord(**m)


class ExportRow(BaseModel):
    invitation_id: str
    survey_id: str
    interaction_id: str
    customer_id: str | None
    entity_id: str
    url: str
    expires_at: datetime


def export_links(ws: Workspace, survey_id: str, base_url: str, now: datetime) -> list[ExportRow]:
    """Links of the survey's due ``export`` invitations, for a CRM to send; they are marked ``exported``.

    Exporting again gives only invitations that became due since, so a CRM never sends a link twice.
    """
    q = (
        sa.select(inv)
        .where(
            inv.c.survey_id == survey_id,
            inv.c.channel == Channel.export.value,
            inv.c.delivery == "queued",
            inv.c.send_at <= now,
        )
        .order_by(inv.c.send_at, inv.c.invitation_id)
    )
    with appdb.engine(ws.database_url).begin() as conn:
        rows = conn.execute(q).all()
        ids = [r.invitation_id for r in rows]
        if ids:
            conn.execute(
                inv.update()
                .where(inv.c.invitation_id.in_(ids))
                .values(delivery="exported", delivered_at=now, next_attempt_at=None)
            )
    return [
        ExportRow(
            invitation_id=r.invitation_id,
            survey_id=r.survey_id,
            interaction_id=r.interaction_id,
            customer_id=r.customer_id,
            entity_id=r.entity_id,
            url=link(ws, base_url, r.invitation_id, appdb.as_utc(r.expires_at)),
            expires_at=appdb.as_utc(r.expires_at),
        )
        for r in rows
    ]
