"""The inner loop's case board ``/cases`` (the survey responses are on ``/surveys``, surveys_page.py).

The board reads the same use cases and scope as ``/api/v1/cases``: figures on top (open, overdue,
closed, time to close, recovery rate), then the cases in the chosen state; closing a case with its
outcome and root cause posts to that API (with the page's CSRF token). Below, the root causes
recurring in this month's closed cases, and the button that turns each into an outer-loop
improvement action (``POST /api/v1/cases/rollup``, once per cause and month).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.accounts.service.accounts import Permission
from valueloop.http.deps import ActionsRead, WorkspaceDep, units_of
from valueloop.http.web.render import page, translator
from valueloop.surveys.cases import Outcome
from valueloop.surveys.service.cases import STATES, case_figures, list_cases
from valueloop.surveys.service.rollup import recurring
from valueloop.voice.service.text import taxonomy_of

router = APIRouter(include_in_schema=False)
SHOWN = 300
LATEST = 20


@router.get("/cases", response_class=HTMLResponse)
def cases(
    who: ActionsRead, ws: WorkspaceDep, request: Request, state: str = "open",
    min_cases: int = Query(3, ge=1, le=10_000),
) -> Response:  # fmt: skip
    state = state if state in STATES else "open"
    now = datetime.now(UTC)
    units = units_of(ws, who)
    month = f"{now.astimezone(ZoneInfo(ws.settings.workspace.timezone)):%Y-%m}"
    recurs = recurring(ws, month, min_cases, units)
    rows = list_cases(ws, now, units, state, limit=SHOWN)
    can_close = who.can(Permission.actions_write)
    zh = translator(request).zh
    causes = (
        [(c.id, c.name_zh if zh else c.name_en or c.name_zh) for c in taxonomy_of(ws)]
        if can_close and any(r.closed_at is None for r in rows)
        else []
    )
    return page(request, "cases.html", who, rows=rows, figures=case_figures(ws, now, units), state=state,
                states=STATES, can_close=can_close, outcomes=list(Outcome), causes=causes, recurs=recurs,
                month=month, min_cases=min_cases)  # fmt: skip
