"""``/api/v1/evaluate``, ``/api/v1/runs/latest``, ``/api/v1/scores/{entity_id}`` (with ``/explain``, the records)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import visible_units
from valueloop.diagnosis.service import diagnose as dx
from valueloop.diagnosis.service.drill import MAX_PAGE, PAGE, RecordPage, record_page
from valueloop.diagnosis.service.results import Explanation
from valueloop.evaluation.service.evaluate import EvaluationRun, evaluate
from valueloop.evaluation.service.scores import RunResults, UnitScores, entity_scores, run_results
from valueloop.http.deps import EvaluateRun, ScoresRead, WorkspaceDep
from valueloop.http.response_cache import CACHED
from valueloop.http.schemas import EvaluateCreate

router = APIRouter(tags=["scores"])


@router.post("/evaluate", status_code=201)
def run_evaluation(_: EvaluateRun, ws: WorkspaceDep, body: EvaluateCreate) -> EvaluationRun:
    """Evaluate a period (default: the newest) and store the run."""
    return evaluate(ws, body.model, body.period, body.level, body.version, body.store)


@router.get("/runs/latest", dependencies=[CACHED])
def latest(who: ScoresRead, ws: WorkspaceDep, period: str | None = None, model: str | None = None) -> RunResults:
    """The newest stored run and the results of every unit the caller may see, by rank."""
    return scope.guarded(who, "run", lambda: run_results(ws, visible_units(ws, who), period, model))


@router.get("/scores/{entity_id}", dependencies=[CACHED])
def unit_scores(
    who: ScoresRead, ws: WorkspaceDep, entity_id: str, period: str | None = None, model: str | None = None
) -> UnitScores:
    """One unit's composite, dimensions and indicator scores, worst points lost first."""
    scope.check_unit(ws, who, entity_id)
    return scope.guarded(who, f"unit {entity_id}", lambda: entity_scores(ws, entity_id, period, model))


@router.get("/scores/{entity_id}/explain", dependencies=[CACHED])
def explain(who: ScoresRead, ws: WorkspaceDep, entity_id: str, period: str | None = None, model: str | None = None,
            indicator: str | None = None) -> Explanation:  # fmt: skip
    """Why a unit's score moved since the previous period: indicator contributions and child units."""
    scope.check_unit(ws, who, entity_id)
    return scope.guarded(who, f"unit {entity_id}", lambda: dx.explain(ws, entity_id, period, model, indicator))


@router.get("/scores/{entity_id}/indicators/{indicator}/records", dependencies=[CACHED])
def records(
    who: ScoresRead, ws: WorkspaceDep, entity_id: str, indicator: str, period: str | None = None,
    model: str | None = None, part: str | None = None, offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE,
) -> RecordPage:  # fmt: skip
    """The rows behind one indicator value of the unit (``part``: ``numerator``/``denominator`` of a ratio), paged."""
    scope.check_unit(ws, who, entity_id)
    return scope.guarded(who, f"unit {entity_id}", lambda: record_page(
        ws, entity_id, indicator, visible_units(ws, who), period=period, model=model, part=part, offset=offset,
        limit=limit))  # fmt: skip
