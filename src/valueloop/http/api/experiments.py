"""``/api/v1/experiments``: the experiments and verdicts behind actions (attaching and re-running one: ``actions``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from valueloop.accounts import scope
from valueloop.http.deps import ExperimentsRead, WorkspaceDep
from valueloop.verification.service.experiments_view import ExperimentRow, list_experiments, show_experiment

router = APIRouter(tags=["experiments"])
ActionId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/experiments")
def experiments(who: ExperimentsRead, ws: WorkspaceDep) -> list[ExperimentRow]:
    """Actions with an attached experiment or a recorded verdict (p-value, interval, method)."""
    return scope.actions(ws, who, list_experiments(ws))


@router.get("/experiments/{action_id}")
def experiment(who: ExperimentsRead, ws: WorkspaceDep, action_id: ActionId) -> ExperimentRow:
    scope.action(ws, who, action_id)
    return scope.guarded(who, f"action {action_id}", lambda: show_experiment(ws, action_id))
