"""``POST /api/v1/events``: monitor events as JSON Lines; bad lines rejected one by one.

This is live intake: an event more than ``event_window_hours`` (a setting, one day by
default) before or after the server's clock is rejected as late or early. The body is
read as it streams and refused once it passes :data:`MAX_BYTES`, not after it is all in memory.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from valueloop.errors import TooLarge
from valueloop.http.deps import EventsWrite
from valueloop.http.live import live
from valueloop.monitoring.events import LiveWindow
from valueloop.monitoring.service.status import IntakeDoc

router = APIRouter(tags=["monitor"])
MAX_BYTES = 32 << 20
NDJSON_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string"},
                "example": '{"type": "interaction_opened", "ts": "2026-11-24T09:30:05+08:00", "entity_id": "B001"}\n'
                '{"type": "first_response", "ts": "2026-11-24T09:31:10+08:00", "entity_id": "B001", "seconds": 65}',
            }
        },
    }
}


@router.post("/events", openapi_extra=NDJSON_BODY)
async def post_events(_: EventsWrite, request: Request) -> IntakeDoc:
    """Take a batch of events (one JSON object per line: type, ts, entity_id, …).

    Answers how many were accepted, each rejected line with its reason (a line too far from
    now is rejected as late or early), how many arrived after their minute had closed
    (late), and the alerts that fired or resolved.
    """
    body = await _body(request)
    hours: float = request.app.state.settings.event_window_hours
    window = LiveWindow(time.time(), hours * 3600.0) if hours > 0 else None
    holder = live(request.app)
    monitor = holder.monitor
    result = await run_in_threadpool(monitor.ingest_lines, body.splitlines(), window=window)
    holder.publish(result.transitions)
    return result.document()


async def _body(request: Request) -> bytes:
    """The whole body, refused as soon as it passes :data:`MAX_BYTES`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise TooLarge(f"a batch may be at most {MAX_BYTES:,} bytes; send smaller batches")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise TooLarge(f"a batch may be at most {MAX_BYTES:,} bytes; send smaller batches")
        chunks.append(chunk)
    return b"".join(chunks)
