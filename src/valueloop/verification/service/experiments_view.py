"""Use case: the experiments and verifications behind improvement actions, with their verdicts.

An action has an experiment when one is attached (``experiments/action-<id>.json``, written by
``valueloop verify action``) or when a verification verdict (or waiver) was recorded on it.
"""

from __future__ import annotations

from typing import Any

from valueloop.errors import InputError
from valueloop.improvement.service.actions_view import list_actions, show_action
from valueloop.store.workspace import Workspace
from valueloop.verification.service.experiment import attached_experiment


def _definition(ws: Workspace, aid: int) -> dict[str, Any] | None:
    exp = attached_experiment(ws, aid)
    return exp.model_dump() if exp is not None else None


def _row(ws: Workspace, summary: dict[str, Any]) -> dict[str, Any] | None:
    aid = summary["action_id"]
    definition = _definition(ws, aid)
    if definition is None and summary["verification"] is None:
        return None
    detail = show_action(ws, aid)
    return {k: summary[k] for k in ("action_id", "title", "status", "status_label", "owner", "department")} | {
        "experiment": definition,
        "verification": detail["verification"],
        "expected_effect": summary["expected_effect"],
    }


def list_experiments(ws: Workspace) -> list[dict[str, Any]]:
    """Every action with an experiment or a verdict, newest action first."""
    return [row for s in list_actions(ws) if (row := _row(ws, s)) is not None]


def show_experiment(ws: Workspace, aid: int) -> dict[str, Any]:
    found = [row for s in list_actions(ws) if s["action_id"] == aid and (row := _row(ws, s)) is not None]
    if not found:
        raise InputError(f"action {aid} has no experiment or verification")
    return found[0]
