"""Why a unit's indicator scored as it did: value, benchmark, scoring rule, points lost, n, shrinkage; then the move.

The page itself reads only the stored result of the latest run (fast); the change since the
previous period — the indicator's contribution and, for rates and means, the units below that
moved it — is recomputed from the lake by :func:`valueloop.diagnosis.service.diagnose.explain`
(what ``/api/v1/scores/{id}/explain`` answers) and loaded into the page as a fragment.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import NotFound, visible_units
from valueloop.diagnosis.service import diagnose as dx
from valueloop.errors import InputError, ValueloopError
from valueloop.evaluation.service.directory import unit_directory
from valueloop.evaluation.service.scores import unit_scores
from valueloop.http.deps import ScoresRead, WorkspaceDep
from valueloop.http.response_cache import CACHED
from valueloop.http.web.render import page

router = APIRouter(include_in_schema=False)


def _row(detail: dict[str, Any], indicator: str) -> dict[str, Any] | None:
    return next((r for r in detail["indicator_rows"] if r["indicator"] == indicator), None)


@router.get("/units/{entity_id}/indicators/{indicator}", response_class=HTMLResponse, dependencies=[CACHED])
def indicator_page(who: ScoresRead, ws: WorkspaceDep, request: Request, entity_id: str, indicator: str) -> Response:
    try:
        scope.check_unit(ws, who, entity_id)
        scores = unit_scores(ws, entity_id)
        detail = scores.model_dump() if scores else None
    except (NotFound, InputError):
        detail = None
    if detail is None:
        return page(request, "not_found.html", who, status_code=404, entity_id=entity_id)
    row = _row(detail, indicator)
    if row is None:
        return page(request, "not_found.html", who, status_code=404, entity_id=f"{entity_id} · {indicator}")
    found = [f for f in scope.findings(ws, who, entity=entity_id) if f.indicator == indicator]
    found.sort(key=lambda f: f.period, reverse=True)
    return page(request, "explain.html", who, entity_id=entity_id, indicator=indicator, detail=detail, row=row,
                findings=found)  # fmt: skip


@router.get("/units/{entity_id}/indicators/{indicator}/change", response_class=HTMLResponse, dependencies=[CACHED])
def indicator_change(who: ScoresRead, ws: WorkspaceDep, request: Request, entity_id: str, indicator: str) -> Response:
    """The fragment: this indicator's share of the composite's move, and the units below that moved it."""
    scope.check_unit(ws, who, entity_id)
    try:
        moved: dict[str, Any] | None = dx.explain(ws, entity_id, None, None, indicator).model_dump()
    except ValueloopError:
        moved = None
    part = next((c for c in moved["contributions"] if c["indicator"] == indicator), None) if moved else None
    children = moved["children"] if moved else None
    seen = visible_units(ws, who)
    if children and seen is not None:  # a scoped caller sees the units below theirs, and the own-rows line
        units = unit_directory(ws)
        children = {
            **children,
            "parts": [p for p in children["parts"] if p["child"] in seen or p["child"] not in units],
        }
    return page(request, "explain_change.html", who, entity_id=entity_id, indicator=indicator, moved=moved,
                part=part, children=children)  # fmt: skip
