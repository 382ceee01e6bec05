"""Use case: the experiments and verifications behind improvement actions, with their verdicts.

An action has an experiment when one is attached (``experiments/action-<id>.json``, written by
``valueloop verify action``) or when a verification verdict (or waiver) was recorded on it.
"""

from __future__ import annotations

from valueloop.errors import InputError
from valueloop.improvement.results import ActionSummary, ExpectedEffect, Verification
from valueloop.improvement.service.actions_view import list_actions, show_action
from valueloop.results import Result
from valueloop.store.workspace import Workspace
from valueloop.verification.service.experiment import LakeExperiment, attached_experiment


class ExperimentRow(Result):
    """An action with an attached experiment or a recorded verdict."""

    action_id: int
    title: str
    status: str
    status_label: str
    owner: str
    department: str
    experiment: LakeExperiment | None
    verification: Verification | None
    expected_effect: ExpectedEffect | None


def _row(ws: Workspace, summary: ActionSummary) -> ExperimentRow | None:
    aid = summary.action_id
    definition = attached_experiment(ws, aid)
    if definition is None and summary.verification is None:
        return None
    return ExperimentRow(
        **summary.model_dump(include={"action_id", "title", "status", "status_label", "owner", "department"}),
        experiment=definition,
        verification=show_action(ws, aid).verification,
        expected_effect=summary.expected_effect,
    )


def list_experiments(ws: Workspace) -> list[ExperimentRow]:
    """Every action with an experiment or a verdict, newest action first."""
    return [row for s in list_actions(ws) if (row := _row(ws, s)) is not None]


def show_experiment(ws: Workspace, aid: int) -> ExperimentRow:
    found = [row for s in list_actions(ws) if s.action_id == aid and (row := _row(ws, s)) is not None]
    if not found:
        raise InputError(f"action {aid} has no experiment or verification")
    return found[0]
