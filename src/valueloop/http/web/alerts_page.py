"""The alerts page: what fires now and what fired, acknowledgement, silences, live updates.

Reads the same use cases and scope as ``/api/v1/alerts``; the buttons call that API (with
the page's CSRF token), and an ``EventSource`` on ``/api/v1/alerts-stream`` refreshes the
page when an alert fires, resolves or is acknowledged.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import Permission
from valueloop.http.deps import AlertsRead, WorkspaceDep, units_of
from valueloop.http.web.render import page
from valueloop.monitoring.service import alerts as records

router = APIRouter(include_in_schema=False)
SHOWN = 300


@router.get("/alerts", response_class=HTMLResponse)
def alerts(who: AlertsRead, ws: WorkspaceDep, request: Request, status: str | None = None) -> Response:
    units = units_of(ws, who)
    status = status if status in ("firing", "resolved") else None
    rows = records.list_alerts(ws, status=status, units=units, limit=SHOWN)
    return page(
        request,
        "alerts.html",
        who,
        rows=rows,
        stats=records.stats(ws, units=units),
        silences=scope.silences(ws, who),
        example_unit=who.units[0] if who.units else "B003",
        status=status,
        can_write=who.can(Permission.alerts_write),
    )
