"""Diagnosis: ``/api/v1/diagnose``, ``/api/v1/drivers``, ``/api/v1/spc``, ``/api/v1/findings`` (with ``/priorities``).

Thin over the same use cases as the CLI. Findings are scoped to the caller's units; pooled
analyses (drivers) read every unit, so a caller bound to part of the tree gets none.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import visible_units
from valueloop.diagnosis.drivers import DriverAnalysis
from valueloop.diagnosis.findings import Finding, Severity
from valueloop.diagnosis.service import diagnose as dx
from valueloop.diagnosis.service.priorities import FixFirst, fix_first
from valueloop.diagnosis.service.spc import ChartDoc, control_chart
from valueloop.evaluation.service.directory import below, unit_directory
from valueloop.http.deps import EvaluateRun, FindingsRead, ScoresRead, WorkspaceDep
from valueloop.http.response_cache import CACHED
from valueloop.http.schemas import DiagnoseCreate, SpcIn

router = APIRouter(tags=["findings"])


@router.post("/diagnose", status_code=201)
def diagnose(_: EvaluateRun, ws: WorkspaceDep, body: DiagnoseCreate) -> dx.DiagnoseResult:
    """Compute and store a period's findings (re-running replaces them)."""
    return dx.diagnose(ws, run_id=body.run, period=body.period, model_id=body.model, level=body.level)


@router.get("/drivers", dependencies=[CACHED])
def drivers(who: ScoresRead, ws: WorkspaceDep, outcome: str, period: str | None = None,
            periods: Annotated[int, Query(ge=1, le=36)] = 6, driver: Annotated[list[str] | None, Query()] = None,
            bootstrap: Annotated[int, Query(ge=0, le=2000)] = 200, seed: int = 20060101,
            model: str | None = None) -> DriverAnalysis:  # fmt: skip
    """Key drivers of an outcome (LMG share of R², bootstrap intervals, IPA); pooled over every unit."""
    scope.pooled(who, "drivers")
    return dx.drivers(ws, outcome, period, periods, driver, model, bootstrap, seed)


@router.post("/spc")
def spc(_: ScoresRead, body: SpcIn) -> ChartDoc:
    """A p-, u- or XmR control chart of the numbers sent, with Western Electric signals."""
    return control_chart(body.chart, body.values, body.sizes, body.baseline, body.revise)


@router.get("/findings", dependencies=[CACHED])
def list_findings(
    who: FindingsRead,
    ws: WorkspaceDep,
    period: str | None = None,
    severity: Severity | None = None,
    entity: str | None = None,
) -> list[Finding]:
    return scope.findings(ws, who, period=period, severity=severity.value if severity else None, entity=entity)


@router.get("/findings/priorities", dependencies=[CACHED])
def priorities(
    who: FindingsRead, ws: WorkspaceDep, entity: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 8
) -> FixFirst:
    """Fix this first: the newest period's findings of the caller's units (or of ``entity`` and the units below it),
    units too thin to rank last, then critical first, most points lost first; with the actions already on each."""
    found = scope.findings(ws, who)
    if entity is not None:
        scope.check_unit(ws, who, entity)
        under = below(unit_directory(ws), entity) | {entity}
        found = [f for f in found if f.entity_id in under]
    return fix_first(ws, found, visible_units(ws, who), scope.actions_on(ws, who), limit)


@router.get("/findings/{finding_id}", dependencies=[CACHED])
def show_finding(who: FindingsRead, ws: WorkspaceDep, finding_id: str) -> Finding:
    return scope.finding(ws, who, finding_id)
