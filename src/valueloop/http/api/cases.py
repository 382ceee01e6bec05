"""``/api/v1/cases``: the inner loop's follow-up cases — list, figures, show, assign, close — scoped by unit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from valueloop.http.deps import ActionsRead, ActionsWrite, WorkspaceDep, units_of
from valueloop.surveys.cases import CaseFigures, Outcome
from valueloop.surveys.service import cases as service
from valueloop.surveys.service.rollup import Proposal, propose, recurring
from valueloop.voice.service.text import taxonomy_of

router = APIRouter(tags=["cases"])
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1)]
"""A case id as the database can hold it (a larger one is a 422, not a server error)."""


@router.get("/cases")
def list_cases(
    who: ActionsRead,
    ws: WorkspaceDep,
    state: str = "open",
    owner: str | None = None,
    limit: int = Query(500, ge=1, le=5000),
) -> list[service.CaseRecord]:
    """Cases most urgent first; ``state`` is open, overdue, closed or all."""
    return service.list_cases(ws, datetime.now(UTC), units_of(ws, who), state, owner, limit)


@router.get("/cases/figures")
def case_figures(who: ActionsRead, ws: WorkspaceDep) -> CaseFigures:
    """Time to close the loop and recovery rate over the caller's cases."""
    return service.case_figures(ws, datetime.now(UTC), units_of(ws, who))


@router.get("/cases/rollup")
def rollup(
    who: ActionsRead, ws: WorkspaceDep, month: str, min_cases: int = Query(3, ge=1, le=10_000)
) -> list[Proposal]:
    """Root causes behind at least ``min_cases`` cases closed in ``month`` (YYYY-MM), with any action made for them."""
    return recurring(ws, month, min_cases, units_of(ws, who))


class RollupBody(BaseModel):
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    min_cases: int = Field(3, ge=1, le=10_000)
    owner: str = Field(min_length=1, max_length=100)
    department: str = Field(min_length=1, max_length=100)


@router.post("/cases/rollup")
def propose_actions(who: ActionsWrite, ws: WorkspaceDep, body: RollupBody) -> list[Proposal]:
    """The button: one improvement action per recurring root cause that has none yet (linked to its units)."""
    return propose(ws, body.month, body.min_cases, body.owner, body.department, who.username, units_of(ws, who))


@router.get("/cases/{case_id}")
def show_case(who: ActionsRead, ws: WorkspaceDep, case_id: CaseId) -> service.CaseRecord:
    return service.get_case(ws, case_id, datetime.now(UTC), units_of(ws, who))


class AssignBody(BaseModel):
    owner: str = Field(min_length=1, max_length=100)


@router.post("/cases/{case_id}/assign")
def assign_case(who: ActionsWrite, ws: WorkspaceDep, case_id: CaseId, body: AssignBody) -> service.CaseRecord:
    return service.assign(ws, case_id, body.owner, datetime.now(UTC), units_of(ws, who))


class CloseBody(BaseModel):
    outcome: Outcome
    root_cause: str = Field(min_length=1, max_length=service.MAX_CAUSE, description="An issue taxonomy category id")
    note: str = Field("", max_length=service.MAX_NOTE)


@router.post("/cases/{case_id}/close")
def close_case(who: ActionsWrite, ws: WorkspaceDep, case_id: CaseId, body: CloseBody) -> service.CaseRecord:
    """Close with the call-back outcome and a root cause from the issue taxonomy (once)."""
    causes = frozenset(c.id for c in taxonomy_of(ws))
    return service.close(
        ws,
        case_id,
        body.outcome.value,
        body.root_cause,
        who.username,
        datetime.now(UTC),
        note=body.note,
        units=units_of(ws, who),
        causes=causes,
    )
