"""The survey analytics page ``/surveys``: a survey's response figures, their trend, the non-response bias
check, for SERVQUAL items the gap per dimension, and the latest answers with the case each opened —
the caller's units only.

It reads the same use cases and scope as ``/api/v1/surveys/{id}/stats|trends|bias|servqual``.
A broken survey file is listed with its problem and breaks no other survey's page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.errors import InputError, SpecError
from valueloop.http.deps import ActionsRead, WorkspaceDep, units_of
from valueloop.http.web.i18n import Translator
from valueloop.http.web.render import page, translator
from valueloop.store.workspace import Workspace
from valueloop.surveys.service.bias import bias_check
from valueloop.surveys.service.catalog import catalog
from valueloop.surveys.service.servqual import ServqualReport, servqual_report
from valueloop.surveys.service.stats import latest_answers, response_stats
from valueloop.surveys.service.trends import Trends, survey_trends
from valueloop.surveys.trends import PERIODS

router = APIRouter(include_in_schema=False)
LATEST = 20
"""Answers listed under the figures, newest first, each with the follow-up case it opened."""


@router.get("/surveys", response_class=HTMLResponse)
def surveys(
    who: ActionsRead, ws: WorkspaceDep, request: Request, survey: str | None = None, period: str = "week"
) -> Response:
    tr = translator(request)
    cat = catalog(ws, "zh" if tr.zh else "en")
    ids = [s.id for s in cat.surveys]
    chosen = survey if survey in ids else (ids[0] if ids else None)
    period = period if period in PERIODS else "week"
    ctx: dict[str, Any] = {"catalog": cat, "chosen": chosen, "period": period, "periods": PERIODS, "charts": None}
    if chosen is None:
        return page(request, "surveys.html", who, **ctx)
    units = units_of(ws, who)
    trend = survey_trends(ws, chosen, period, (), units)
    bias = bias_check(ws, chosen, units, lang="zh" if tr.zh else "en")
    ctx |= {
        "stats": response_stats(ws, chosen, units),
        "answers": latest_answers(ws, chosen, units, LATEST),
        "trend": trend,
        "bias": bias,
        "servqual": _servqual(ws, chosen, units),
        "charts": {"surveytrend": _chart(trend, tr)} if trend.points else None,
    }
    return page(request, "surveys.html", who, **ctx)


def _servqual(ws: Workspace, survey_id: str, units: frozenset[str] | None) -> ServqualReport | None:
    try:
        return servqual_report(ws, survey_id, units)
    except (InputError, SpecError):  # no SERVQUAL item in this survey
        return None


def _chart(trend: Trends, tr: Translator) -> dict[str, Any]:
    """Bars of invitations and answers received, the response rate (%) as a line on its own axis."""
    rate = [None if p.response_rate is None else round(100 * p.response_rate, 1) for p in trend.points]
    return {
        "periods": [tr.date(p.period) for p in trend.points],
        "labels": [tr.t("sv_invited"), tr.t("sv_responses"), tr.t("sv_rate") + " (%)"],
        "invited": [p.invited for p in trend.points],
        "responses": [p.responses for p in trend.points],
        "rate": rate,
    }
