"""``/api/v1/alerts``, ``/silences`` and ``/alerts-stream``: the monitor's alerts, acknowledgement, silences, live feed.

The monitor itself (its status, detectors over a sent series, history as events) is :mod:`valueloop.http.api.monitor`.
"""

from __future__ import annotations

import asyncio
import json
import queue
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from valueloop.accounts import scope
from valueloop.errors import InputError
from valueloop.http.deps import AlertsRead, AlertsWrite, WorkspaceDep, units_of
from valueloop.http.live import live
from valueloop.monitoring.service import alerts as records
from valueloop.spec.alerts import Schedule

router = APIRouter(tags=["monitor"])


@router.get("/alerts")
def list_alerts(
    who: AlertsRead,
    ws: WorkspaceDep,
    status: Literal["firing", "resolved"] | None = None,
    rule: str | None = None,
    entity: str | None = None,
    limit: int = Query(200, ge=1, le=5000),
) -> records.AlertList:
    """Alerts newest first (a scoped caller sees its units' alerts only), with MTTA / MTTR."""
    return records.alert_list(ws, status=status, rule=rule, entity=entity, units=units_of(ws, who), limit=limit)


@router.get("/alerts/{alert_id}")
def show_alert(who: AlertsRead, ws: WorkspaceDep, alert_id: str) -> records.AlertRecord:
    return scope.alert(ws, who, alert_id)


class AckBody(BaseModel):
    comment: str = Field("", max_length=500)


@router.post("/alerts/{alert_id}/ack")
def ack_alert(
    who: AlertsWrite, ws: WorkspaceDep, request: Request, alert_id: str, body: AckBody | None = None
) -> records.AlertRecord:
    """Acknowledge: someone is on it (recorded once, with who and when, in the ledger too)."""
    scope.alert(ws, who, alert_id)
    out = records.ack(ws, alert_id, who.username, body.comment if body else "")
    live(request.app).announce({"type": "ack", "id": alert_id, "entity_id": out.entity_id, "by": who.username})
    return out


class SilenceBody(BaseModel):
    matchers: dict[str, str] = Field(min_length=1, description="label → value (value may list alternatives a|b)")
    minutes: int | None = Field(None, ge=1, le=525_600, description="One-off: from now for this many minutes")
    schedule: Schedule | None = Field(None, description="Recurring: weekdays and daily hours, holidays")
    comment: str = Field("", max_length=500)


@router.get("/silences")
def list_silences(who: AlertsRead, ws: WorkspaceDep) -> list[records.SilenceRecord]:
    """Every silence; a scoped caller gets those that can only match their units."""
    return scope.silences(ws, who)


@router.post("/silences", status_code=201)
def add_silence(who: AlertsWrite, ws: WorkspaceDep, body: SilenceBody) -> records.SilenceRecord:
    """A scoped caller's silence must carry an ``entity_id`` matcher naming only their units."""
    scope.silence_matchers(ws, who, body.matchers)
    if body.minutes is None and body.schedule is None:
        raise InputError("give minutes (a one-off silence) or a schedule (a recurring one)")
    ends = datetime.now(UTC) + timedelta(minutes=body.minutes) if body.minutes else None
    return records.add_silence(
        ws, body.matchers, who.username, ends_at=ends, schedule=body.schedule, comment=body.comment
    )


@router.delete("/silences/{silence_id}", status_code=204)
def end_silence(who: AlertsWrite, ws: WorkspaceDep, silence_id: str) -> None:
    scope.silence(ws, who, silence_id)
    records.expire_silence(ws, silence_id)


@router.get("/alerts-stream", response_class=StreamingResponse)
async def alert_stream(who: AlertsRead, ws: WorkspaceDep, request: Request, once: bool = False) -> StreamingResponse:
    """Server-sent events: one ``data:`` line per alert transition or acknowledgement (of the caller's units)."""
    holder = live(request.app)
    q = holder.subscribe(await run_in_threadpool(units_of, ws, who))  # reads the entity tree: off the event loop

    async def events() -> AsyncIterator[str]:
        try:
            yield ": connected\n\n"
            idle = 0
            while not once and not await request.is_disconnected():
                try:
                    msg = q.get_nowait()
                except queue.Empty:
                    await asyncio.sleep(0.25)
                    idle += 1
                    if idle % 60 == 0:  # a comment every 15 s keeps proxies from closing the stream
                        yield ": keep-alive\n\n"
                    continue
                yield f"data: {json.dumps(msg, ensure_ascii=False)}\n\n"
        finally:
            holder.unsubscribe(q)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})
