"""The case board ``/cases``: the inner loop's follow-up cases of the caller's units, most urgent first.

Reads the same use cases and scope as ``/api/v1/cases``: figures on top (open, overdue, closed,
time to close, recovery rate), then the cases in the chosen state. Assigning and closing go
through the API or the CLI.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.http.deps import ActionsRead, WorkspaceDep, units_of
from valueloop.http.web.render import page
from valueloop.surveys.service.cases import STATES, case_figures, list_cases

router = APIRouter(include_in_schema=False)
SHOWN = 300


@router.get("/cases", response_class=HTMLResponse)
def cases(who: ActionsRead, ws: WorkspaceDep, request: Request, state: str = "open") -> Response:
    state = state if state in STATES else "open"
    now = datetime.now(UTC)
    units = units_of(ws, who)
    rows = list_cases(ws, now, units, state, limit=SHOWN)
    return page(request, "cases.html", who, rows=rows, figures=case_figures(ws, now, units), state=state,
                states=STATES)  # fmt: skip
