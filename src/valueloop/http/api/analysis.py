"""API equivalents of the analysis commands: diagnose, explain, drivers, spc, scorecards, ledger verify.

Thin over the same use cases as the CLI. Pooled analyses (drivers) and workspace-wide checks
read every unit, so a caller bound to part of the tree gets them only where they are scoped.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import visible_units
from valueloop.diagnosis.drivers import DriverAnalysis
from valueloop.diagnosis.service import diagnose as dx
from valueloop.diagnosis.service.spc import control_chart
from valueloop.http.deps import EvaluateRun, ReportsRead, ScoresRead, WorkspaceDep
from valueloop.http.response_cache import CACHED
from valueloop.http.schemas import DiagnoseCreate, SpcIn
from valueloop.people.service import audits as people
from valueloop.store import ledger_proof as ledger

router = APIRouter(tags=["analysis"])


@router.post("/diagnose", status_code=201)
def diagnose(_: EvaluateRun, ws: WorkspaceDep, body: DiagnoseCreate) -> dx.DiagnoseResult:
    """Compute and store a period's findings (re-running replaces them)."""
    return dx.diagnose(ws, run_id=body.run, period=body.period, model_id=body.model, level=body.level)


@router.get("/scores/{entity_id}/explain", dependencies=[CACHED])
def explain(who: ScoresRead, ws: WorkspaceDep, entity_id: str, period: str | None = None, model: str | None = None,
            indicator: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Why a unit's score moved since the previous period: indicator contributions and child units."""
    scope.check_unit(ws, who, entity_id)
    return scope.guarded(who, f"unit {entity_id}", lambda: dx.explain(ws, entity_id, period, model, indicator))


@router.get("/drivers", dependencies=[CACHED])
def drivers(who: ScoresRead, ws: WorkspaceDep, outcome: str, period: str | None = None,
            periods: Annotated[int, Query(ge=1, le=36)] = 6, driver: Annotated[list[str] | None, Query()] = None,
            bootstrap: Annotated[int, Query(ge=0, le=2000)] = 200, seed: int = 20060101,
            model: str | None = None) -> DriverAnalysis:  # fmt: skip
    """Key drivers of an outcome (LMG share of R², bootstrap intervals, IPA); pooled over every unit."""
    scope.pooled(who, "drivers")
    return dx.drivers(ws, outcome, period, periods, driver, model, bootstrap, seed)


@router.post("/spc")
def spc(_: ScoresRead, body: SpcIn) -> dict[str, Any]:
    """A p-, u- or XmR control chart of the numbers sent, with Western Electric signals."""
    return control_chart(body.chart, body.values, body.sizes, body.baseline, body.revise)


@router.get("/people/scorecards", dependencies=[CACHED])
def scorecards(
    who: ScoresRead,
    ws: WorkspaceDep,
    period: str | None = None,
    model: str | None = None,
    method: Annotated[str, Query(pattern="^(absolute|forced)$")] = "absolute",
) -> dict[str, Any]:
    """Agent scorecards on controllable indicators, graded, with incentive coefficients (nothing exported)."""
    doc = people.scorecards(ws, period=period, model_id=model, method=method, export=False)
    seen = visible_units(ws, who)
    if seen is not None:
        doc["scorecards"] = [r for r in doc["scorecards"] if r["agent_id"] in seen]
    return doc


@router.get("/ledger/verify")
def ledger_verify(who: ReportsRead, ws: WorkspaceDep) -> ledger.LedgerReport:
    """Check the hash chain, the daily roots' inputs and every recorded row."""
    report = ledger.verify(ws)
    return report.model_copy(update={"problems": [], "not_covered": []}) if who.scoped else report
