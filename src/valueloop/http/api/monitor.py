"""``/api/v1/monitor``: the live monitor's status, detectors over a sent series, history as events.

``status`` is what the running monitor holds now: pending and firing series and its counters.
``detect`` runs one anomaly detector over a series sent as JSON (nothing stored).
``export`` writes the lake's interactions, feedback and behaviour events of a bounded time
range as the monitor's JSON Lines, exactly what ``valueloop monitor export`` writes, so the
answer can be sent back to ``POST /events`` to try alert rules on history.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from valueloop.accounts.service.accounts import visible_units
from valueloop.errors import InputError
from valueloop.http.deps import AlertsRead, WorkspaceDep, units_of
from valueloop.http.live import live
from valueloop.monitoring.registry import DEFAULT
from valueloop.monitoring.service import status
from valueloop.monitoring.service.detect import DetectedPoint, detect
from valueloop.monitoring.service.replay import export_stream, local_time

router = APIRouter(tags=["monitor"])
NDJSON = "application/x-ndjson"
MAX_EXPORT_DAYS = 92
"""The longest range one export may cover (a quarter); the events are built in memory, so split longer ones."""
STAMP = "ISO date/time; naive means the workspace's time zone"


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timestamp: Annotated[str, Field(min_length=1, max_length=40)]
    value: Annotated[float | None, Field(ge=-1e15, le=1e15)] = None


class DetectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    detector: Annotated[str, Field(max_length=50)] = DEFAULT
    points: Annotated[list[Point], Field(min_length=1, max_length=200_000)]


@router.get("/monitor/status")
def monitor_status(who: AlertsRead, ws: WorkspaceDep, request: Request) -> status.MonitorStatus:
    """Pending and firing series now (a scoped caller: of their units only), and the monitor's counters.

    The counters (events, alerts fired, minutes closed) are pooled over every unit, so a scoped
    caller gets ``null``: how busy other regions are is not theirs to see.
    """
    m = live(request.app).monitor
    return status.monitor_status(m.counters, m.stream.open_minute, m.engine.active(m.stream.names), units_of(ws, who))


@router.post("/monitor/detect")
def monitor_detect(_: AlertsRead, body: DetectIn) -> list[DetectedPoint]:
    """Score every point of a timestamp/value series in order and flag the anomalies."""
    return detect(body.detector, [p.timestamp for p in body.points], [p.value for p in body.points])


@router.get("/monitor/export", response_class=Response,
            responses={200: {"content": {NDJSON: {"schema": {"type": "string"}}}}})  # fmt: skip
def monitor_export(
    who: AlertsRead,
    ws: WorkspaceDep,
    start: Annotated[str, Query(alias="from", min_length=1, max_length=40, description=f"Start, {STAMP}")],
    end: Annotated[str, Query(alias="to", min_length=1, max_length=40, description=f"End (exclusive), {STAMP}")],
) -> Response:
    """The monitor events of [from, to) as JSON Lines in time order (at most ``MAX_EXPORT_DAYS`` days).

    A scoped manager gets the events of their own units only.
    """
    first, last = local_time(ws, start, "from"), local_time(ws, end, "to")
    if last <= first:
        raise InputError(f"to ({end}) must be later than from ({start})")
    if last - first > timedelta(days=MAX_EXPORT_DAYS):
        raise InputError(f"the range from {start} to {end} is longer than {MAX_EXPORT_DAYS} days; "
                         "export it in shorter pieces")  # fmt: skip
    lines = export_stream(ws, first, last, units=visible_units(ws, who))
    body = "".join(line + "\n" for line in lines)
    return Response(body.encode("utf-8"), media_type=NDJSON,
                    headers={"content-disposition": 'attachment; filename="monitor-events.jsonl"'})  # fmt: skip
