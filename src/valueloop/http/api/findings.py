"""``/api/v1/findings``: diagnosis findings, scoped to the caller's units."""

from __future__ import annotations

from fastapi import APIRouter

from valueloop.accounts import scope
from valueloop.diagnosis.findings import Finding, Severity
from valueloop.http.deps import FindingsRead, WorkspaceDep
from valueloop.http.response_cache import CACHED

router = APIRouter(tags=["findings"])


@router.get("/findings", dependencies=[CACHED])
def list_findings(
    who: FindingsRead,
    ws: WorkspaceDep,
    period: str | None = None,
    severity: Severity | None = None,
    entity: str | None = None,
) -> list[Finding]:
    return scope.findings(ws, who, period=period, severity=severity.value if severity else None, entity=entity)


@router.get("/findings/{finding_id}", dependencies=[CACHED])
def show_finding(who: FindingsRead, ws: WorkspaceDep, finding_id: str) -> Finding:
    return scope.finding(ws, who, finding_id)
