"""Dashboard pages: overview, rankings, one unit, and the actions board (exports and later pages mount here too).

Pages read through the same use cases and scope rules as the API; where data does not
exist yet they say so instead of drawing anything.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import NotFound, Permission, Principal, visible_units
from valueloop.diagnosis.findings import Finding
from valueloop.diagnosis.service.priorities import Priority, latest_period, prioritise
from valueloop.errors import InputError
from valueloop.evaluation.service.directory import below, unit_directory
from valueloop.evaluation.service.models import load_versions
from valueloop.evaluation.service.scores import run_history, run_levels, run_results, unit_scores
from valueloop.http.deps import ActionsRead, ScoresRead, WorkspaceDep, units_of
from valueloop.http.response_cache import CACHED
from valueloop.http.web import (
    accounts_page,
    action_pages,
    alerts_page,
    api_docs_page,
    auth_pages,
    cases_page,
    cuts,
    drill_page,
    explain_page,
    exports,
    insight_pages,
    models_page,
    qa_pages,
    sparkline,
    subscriptions_page,
    survey_page,
    surveys_page,
    upload_page,
    vsm_page,
)
from valueloop.http.web.render import HERE, landing, page, translator
from valueloop.improvement.service.actions_view import list_actions
from valueloop.improvement.workflow import Status, allowed_next
from valueloop.monitoring.service import alerts as alert_records
from valueloop.spec.model import level_field
from valueloop.store.workspace import Workspace

router = APIRouter(include_in_schema=False)
SortKey = Literal["rank", "score", "name", "change", "percentile"]
BINS = 10
LIVE_ALERTS = 5
FIX_FIRST = 8
SEVERITY_ORDER = {"critical": 0, "warning": 1}


def mount(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (auth_pages, exports, models_page, insight_pages, alerts_page, action_pages, vsm_page, upload_page,
                   accounts_page, survey_page, cases_page, qa_pages, explain_page, surveys_page,
                   drill_page, api_docs_page, subscriptions_page):  # fmt: skip
        app.include_router(module.router)
    app.include_router(router)


def _run(
    ws: Workspace, who: Principal, period: str | None = None, model: str | None = None, level: str | None = None
) -> dict[str, Any] | None:
    try:
        return run_results(ws, visible_units(ws, who), period, model, level).model_dump()  # templates read dicts
    except InputError:
        return None


def _priorities(ws: Workspace, who: Principal, found: list[Finding], run: dict[str, Any] | None) -> list[Priority]:
    """``found`` in fix-first order, with points lost from ``run``'s model and the caller's actions on each."""
    model = run["model"] if run else None
    return prioritise(ws, found, visible_units(ws, who), scope.actions_on(ws, who), model)


def _dimension_names(ws: Workspace, model: str, request: Request) -> tuple[dict[str, str], float]:
    tr = translator(request)
    m = load_versions(ws, model)[-1]
    top = float(m.scale.value.split("-")[-1]) if "-" in m.scale.value else 100.0
    return {d.id: tr.text(d.name) for d in m.dimensions}, top


def _charts(ws: Workspace, who: Principal, run: dict[str, Any], request: Request) -> dict[str, Any]:
    names, top = _dimension_names(ws, run["model"], request)
    scale = f"{'1' if top == 5 else '0'}–{top:g}"
    results = run["results"]
    dims = {d: [v for r in results if (v := r["dimensions"].get(d)) is not None] for d in names}
    scores = [r["score"] for r in results if r["score"] is not None]
    lo, hi = (min(scores), max(scores)) if scores else (0.0, 1.0)
    if hi - lo < 1e-9:  # one unit (a manager's own branch): a narrow band around it, not bins past the scale's top
        lo, hi = lo - 0.25, hi + 0.25
    width = (hi - lo) / BINS or 1.0
    counts = [0] * BINS
    for s in scores:
        counts[min(int((s - lo) / width), BINS - 1)] += 1
    tr = translator(request)
    history = run_history(ws, visible_units(ws, who), run["model"])
    return {
        "trend": {
            "periods": [tr.period(h.period) for h in history],
            "mean": [h.mean for h in history],
            "min": [h.min for h in history],
            "max": [h.max for h in history],
            "labels": [tr.t("mean"), tr.t("min"), tr.t("max")],
            "axes": [tr.t("period"), f"{tr.t('score')} ({scale})"],
        },
        "radar": {
            "indicators": [{"name": n, "max": top} for n in names.values()],
            "values": [sum(v) / len(v) if v else 0 for v in dims.values()],
            "label": tr.t("mean"),
        },
        "distribution": {
            "bins": [f"{lo + i * width:.2f}–{lo + (i + 1) * width:.2f}" for i in range(BINS)],
            "counts": counts,
            "label": tr.t("units"),
            "axes": [f"{tr.t('score')} ({scale})", tr.t("units")],
        },
    }


@router.get("/", response_class=HTMLResponse, dependencies=[CACHED])
def overview(who: ScoresRead, ws: WorkspaceDep, request: Request) -> Response:
    if home := landing(who):  # a region head's morning page is the region's roll-up
        return RedirectResponse(home, status_code=303)
    run = _run(ws, who)
    charts = _charts(ws, who, run, request) if run and run["results"] else None
    every = scope.findings(ws, who)
    period = latest_period(every)
    fix = _priorities(ws, who, [f for f in every if f.period == period], run)[:FIX_FIRST]
    live = _live_alerts(ws, who)
    sparks = sparkline.for_rows(ws, fix)
    return page(request, "overview.html", who, run=run, charts=charts, fix=fix, findings_period=period, live=live,
                sparks=sparks)  # fmt: skip


def _live_alerts(ws: Workspace, who: Principal) -> dict[str, Any] | None:
    """The caller's firing alerts, most severe and newest first; None if they may not see alerts or none ever fired."""
    if not who.can(Permission.alerts_read):
        return None
    units = units_of(ws, who)
    firing = alert_records.list_alerts(ws, status="firing", units=units)
    if not firing and not alert_records.list_alerts(ws, units=units, limit=1):
        return None
    firing.sort(key=lambda a: (SEVERITY_ORDER.get(a.severity, 2), -a.fired_at.timestamp()))
    return {"rows": firing[:LIVE_ALERTS], "firing": len(firing)}


def _sorted(results: list[dict[str, Any]], key: SortKey, desc: bool) -> list[dict[str, Any]]:
    present = [r for r in results if r.get(key) is not None]
    missing = [r for r in results if r.get(key) is None]
    return sorted(present, key=lambda r: r[key], reverse=desc) + missing


@router.get("/rankings", response_class=HTMLResponse, dependencies=[CACHED])
def rankings(
    who: ScoresRead, ws: WorkspaceDep, request: Request, sort: SortKey = "rank", order: Literal["asc", "desc"] = "asc",
    model: str | None = None, period: str | None = None, region: str | None = None, level: str | None = None,
    segment: str | None = None,
) -> Response:  # fmt: skip
    """One stored run's ranking; ``model``/``period``/``level`` pick the run (unknown values fall back to the
    latest), ``region`` keeps the units under one region (ranks stay those of the whole run), ``segment``
    (``vip:true``) ranks the run's units on one customer segment's rows (see :mod:`.cuts`). Above the
    table, the parent's roll-up: the region's when one is chosen, else that of every unit the caller sees."""
    cut = cuts.choose(ws, who, model, period, level, region, segment)
    run, results = cuts.results(ws, who, cut)
    rows = _sorted(results, sort, order == "desc")
    chosen = {"model": run["model"] if run else cut.model, "period": run["period"] if run else cut.period,
              "region": cut.region, "level": cut.level,
              "segment": cut.segment.key if cut.segment else None}  # fmt: skip
    return page(request, "rankings.html", who, run=run, rows=rows, sort=sort, order=order, choices=cut.choices,
                chosen=chosen, regions=cut.regions, levels=cut.levels, segments=cut.segments)  # fmt: skip


def known_unit(ws: Workspace, who: Principal, entity_id: str) -> dict[str, Any] | None:
    """A unit page needs a unit: one of the caller's, in the organisation tree or a run (else 404).

    Returns the unit's scores (None for a unit read through a roll-up), read once for the check and the page.
    """
    scope.check_unit(ws, who, entity_id)
    detail = unit_scores(ws, entity_id)
    if detail is None and entity_id not in unit_directory(ws):
        raise scope.hidden(f"unit {entity_id}")
    return detail.model_dump() if detail else None


@router.get("/units/{entity_id}", response_class=HTMLResponse, dependencies=[CACHED])
def unit(who: ScoresRead, ws: WorkspaceDep, request: Request, entity_id: str) -> Response:
    try:
        detail = known_unit(ws, who, entity_id)
    except NotFound:
        return page(request, "not_found.html", who, status_code=404, entity_id=entity_id)
    run = _run(ws, who)
    # a unit above the evaluated level (a region) is read through the units below it: their scores and findings
    under = below(unit_directory(ws), entity_id) if detail is None else set()
    rolled = [r for r in run["results"] if r["entity_id"] in under] if run and under else []
    mine = (
        [f for f in scope.findings(ws, who) if f.entity_id in under]
        if rolled
        else scope.findings(ws, who, entity=entity_id)
    )
    found = _priorities(ws, who, mine, run)[: FIX_FIRST * 2 if rolled else None]
    acts = []
    if who.can(Permission.actions_read):
        units = scope.units_by_action(ws)
        about = {entity_id} | under
        acts = [a for a in scope.actions(ws, who, list_actions(ws)) if about & units.get(a.action_id, set())]
    can_create = who.can(Permission.actions_write)
    context: dict[str, Any] = {
        "entity_id": entity_id,
        "detail": detail,
        "run": run,
        "rolled": rolled,
        "findings": found,
        "actions": acts,
        "can_create": can_create,
        "sparks": sparkline.for_rows(ws, found),
        "field_levels": _field_levels(ws, who, run) if rolled else [],
    }
    return page(request, "unit.html", who, **context)


def _field_levels(ws: Workspace, who: Principal, run: dict[str, Any] | None) -> list[str]:
    """A bound caller's field levels of the run's model (agents, channels): ranked on their own units' rows
    (:mod:`valueloop.evaluation.service.segments`), so their landing page links them."""
    if run is None or not who.scoped:
        return []
    return [level for level in run_levels(ws).get(run["model"], []) if level_field(level)]


@router.get("/actions", response_class=HTMLResponse, dependencies=[CACHED])
def board(
    who: ActionsRead, ws: WorkspaceDep, request: Request, owner: str | None = None, department: str | None = None,
    overdue: bool = False,
) -> Response:  # fmt: skip
    """The caller's actions by status; ``owner``/``department`` (one of those on the board, else ignored) and
    ``overdue`` narrow the tickets, and a user's set of them can be saved as a view."""
    every = scope.actions(ws, who, list_actions(ws))
    owners = sorted({a.owner for a in every if a.owner})
    departments = sorted({a.department for a in every if a.department})
    owner = owner if owner in owners else None
    department = department if department in departments else None
    rows = [a for a in every if owner in (None, a.owner) and department in (None, a.department)
            and (a.overdue or not overdue)]  # fmt: skip
    columns = [(s.value, [r for r in rows if r.status == s.value]) for s in Status]
    moves = {s.value: [n.value for n in allowed_next(s)] for s in Status}
    return page(
        request,
        "actions.html",
        who,
        columns=columns,
        total=len(rows),
        every=len(every),
        owners=owners,
        departments=departments,
        chosen={"owner": owner, "department": department, "overdue": overdue},
        moves=moves,
        states={s.value: translator(request).t(s.value) for s in Status},  # the board's messages name states
        can_move=who.can(Permission.actions_write),
    )
