"""``/api/v1/experiments``: the experiments and verdicts behind actions, and re-running a verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from valueloop.accounts import scope
from valueloop.http.deps import ActionsWrite, ExperimentsRead, WorkspaceDep
from valueloop.http.schemas import VerifyRun
from valueloop.verification.service.experiment import ActionVerification, verify_action
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


@router.post("/actions/{action_id}/verify")
def verify(who: ActionsWrite, ws: WorkspaceDep, action_id: ActionId, body: VerifyRun) -> ActionVerification:
    """Re-run the action's attached A/B test on the lake and record the verdict (no SQL is taken from the caller)."""
    scope.action(ws, who, action_id)
    return verify_action(ws, action_id, None, who.username, body.alpha)
