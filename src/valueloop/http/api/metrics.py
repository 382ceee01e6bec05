"""``GET /metrics``: Prometheus text exposition of the monitor's KPIs and counters."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from valueloop.http.deps import MetricsRead
from valueloop.http.live import live

router = APIRouter(tags=["monitor"])


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(_: MetricsRead, request: Request) -> PlainTextResponse:
    """Scrape with a bearer token that has ``metrics:read`` (an admin's, or a ``scraper`` user's).

    Every unit's figures are in the text, so ``alerts:read`` is not enough: a scoped manager has that.
    """
    text = live(request.app).monitor.metrics_text()
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")
