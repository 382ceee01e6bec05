"""Pages over later stages of the loop: voice of the customer, experiments, and review reports.

Each reads the same use cases (and scope rules) as its API and says so when there is no data yet.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import Permission, Principal, visible_units
from valueloop.errors import ValueloopError
from valueloop.evaluation.service.scores import run_results
from valueloop.http.deps import ExperimentsRead, ReportsRead, TextRead, WorkspaceDep
from valueloop.http.web.i18n import Translator
from valueloop.http.web.render import page, translator
from valueloop.reporting.service.report_files import list_reports
from valueloop.store.workspace import Workspace
from valueloop.verification.service.experiments_view import list_experiments
from valueloop.voice.service import text, voice_view

router = APIRouter(include_in_schema=False)
HOT_ITEMS = 15
QUOTED_TOPICS = 5


def _voice(ws: Workspace) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    if not voice_view.has_feedback(ws):
        return None
    try:
        hot, life = text.hotspots(ws, "month", HOT_ITEMS), text.lifecycle(ws, "month")
    except (ValueloopError, KeyError):
        return None
    return (hot.model_dump(), [r.model_dump() for r in life]) if hot.texts and hot.category.heatmap.items else None


def _heatmap(ws: Workspace, hot: dict[str, Any], tr: Translator) -> dict[str, Any]:
    """ECharts heat-map series: [period index, item index, share %] per cell; names from the workspace's taxonomy."""
    names = {c.id: c.name_zh if tr.zh else c.name_en for c in text.taxonomy_of(ws)}
    grid = hot["category"]["heatmap"]
    cells = [[x, y, round(100 * share, 1)] for y, row in enumerate(grid["shares"]) for x, share in enumerate(row)
             if share is not None]  # fmt: skip
    return {"items": [names.get(i, i) for i in grid["items"]], "periods": [tr.period(p) for p in grid["periods"]],
            "cells": cells, "max": max((c[2] for c in cells), default=1.0), "label": tr.t("share_pct")}  # fmt: skip


def _sentiment(ws: Workspace, tr: Translator) -> dict[str, Any] | None:
    """ECharts data of the monthly sentiment trend: negative share (%) and mean score."""
    rows = voice_view.sentiment_trend(ws)
    if not rows:
        return None
    return {"periods": [tr.period(r.period) for r in rows],
            "negative": [round(100 * r.negative_share, 1) for r in rows],
            "score": [None if r.mean_score is None else round(r.mean_score, 3) for r in rows],
            "labels": [tr.t("negative_share"), tr.t("mean_sentiment")]}  # fmt: skip


def _quoted(ws: Workspace, topics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The top-level topics with most mentions, each with its quotes (empty list when none could be found)."""
    top = [r for r in topics if "/" not in r["topic_id"]][:QUOTED_TOPICS]
    quotes = voice_view.topic_quotes(ws, [r["topic_id"] for r in top])
    return [{**r, "quotes": [q.model_dump() for q in quotes[r["topic_id"]]]} for r in top]


@router.get("/voice", response_class=HTMLResponse)
def voice(who: TextRead, ws: WorkspaceDep, request: Request) -> Response:
    tr = translator(request)
    found = _voice(ws)
    if found is None:
        needs_dates = voice_view.has_feedback(ws) and text.time_status(ws) is not None
        return page(request, "voice.html", who, hot=None, topics=[], quoted=[], charts=None, needs_dates=needs_dates)
    hot, life = found
    topics = sorted(life, key=lambda r: -r["mentions"])
    charts: dict[str, Any] = {"heatmap": _heatmap(ws, hot, tr)}
    if sentiment := _sentiment(ws, tr):
        charts["sentiment"] = sentiment
    return page(request, "voice.html", who, hot=hot, topics=topics, quoted=_quoted(ws, topics), charts=charts)


@router.get("/experiments", response_class=HTMLResponse)
def experiments(who: ExperimentsRead, ws: WorkspaceDep, request: Request) -> Response:
    rows = scope.actions(ws, who, list_experiments(ws))
    return page(request, "experiments.html", who, rows=rows)


def _latest_period(ws: Workspace, who: Principal) -> str:
    try:
        return run_results(ws, visible_units(ws, who)).period
    except ValueloopError:
        return ""


@router.get("/reports", response_class=HTMLResponse)
def reports(who: ReportsRead, ws: WorkspaceDep, request: Request) -> Response:
    files = [] if who.scoped else list_reports(ws)
    can_generate = who.can(Permission.evaluate)
    return page(
        request,
        "reports.html",
        who,
        files=files,
        can_generate=can_generate,
        period=_latest_period(ws, who) if can_generate else "",
    )
