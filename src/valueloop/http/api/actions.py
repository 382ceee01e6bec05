"""``/api/v1/actions``: improvement actions — list, show, create, move, hand off, comment, escalate, ROI, verify.

``/actions/overdue`` and ``/actions/roi`` are declared before ``/actions/{action_id}``: routes
match in order, and the id route would otherwise claim those words (and refuse them as ids).

``POST /actions/{action_id}/experiment`` is ``valueloop verify action --assignment …``: it
attaches an A/B test on the lake to an action and records the verdict; its conditions go
through :mod:`valueloop.verification.service.experiment_conditions` (an allow-list) first.
``POST /actions/{action_id}/verify`` re-runs the attached test.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import Principal
from valueloop.http.deps import ActionsRead, ActionsWrite, ReportsRead, WorkspaceDep
from valueloop.http.response_cache import CACHED
from valueloop.http.schemas import ActionCreate, ActionMove, CommentIn, HandoffAccept, HandoffIn, VerifyRun
from valueloop.improvement.results import ActionDetail, ActionRoi, ActionSummary, Escalations, PeriodRoi
from valueloop.improvement.service.actions import (
    MAX_ACTION_ID,
    accept_handoff,
    comment,
    create_action,
    move_action,
    send_handoff,
)
from valueloop.improvement.service.actions_view import escalations, list_actions, show_action
from valueloop.improvement.service.roi import action_roi, period_roi
from valueloop.improvement.workflow import Status
from valueloop.store.workspace import Workspace
from valueloop.verification.service.experiment import ActionVerification, verify_action
from valueloop.verification.service.experiment_conditions import checked_experiment

router = APIRouter(tags=["actions"])
ActionId = Annotated[int, Path(ge=1, le=MAX_ACTION_ID)]
VerifyActionId = Annotated[int, Path(ge=1, le=2**63 - 1)]
"""The re-run route's bound, kept as it was when ``/experiments`` served it (wider than ``ActionId``)."""
Department = Annotated[str, Field(min_length=1, max_length=200)]
Money = Annotated[float, Query(gt=-1e12, lt=1e12)]
Quarter = Annotated[str, Query(pattern=r"^(19\d\d|2[01]\d\d)-Q[1-4]$", examples=["2026-Q3"])]


@router.get("/actions", dependencies=[CACHED])
def actions(
    who: ActionsRead, ws: WorkspaceDep, status: Status | None = None, department: str | None = None
) -> list[ActionSummary]:
    return scope.actions(ws, who, list_actions(ws, status, department))


@router.get("/actions/overdue")
def overdue(who: ActionsRead, ws: WorkspaceDep,
            stall_hours: Annotated[float, Query(ge=0, le=24 * 366)] = 48.0) -> Escalations:  # fmt: skip
    """What to escalate: overdue actions, hand-offs unaccepted for ``stall_hours``, waits per department pair.

    A scoped caller gets the actions of their units only, and the department pairs of those actions' hand-offs.
    """
    visible = None if not who.scoped else {r.action_id for r in scope.actions(ws, who, list_actions(ws))}
    return escalations(ws, stall_hours, actions=visible)


@router.get("/actions/roi")
def roi_of_period(who: ReportsRead, ws: WorkspaceDep, period: Quarter) -> PeriodRoi:
    """``actions roi --period``: cost against benefit of every action verified in the quarter and valued.

    The totals pool every unit's actions, so a scoped caller gets none (404).
    """
    scope.pooled(who, "return on investment")
    return period_roi(ws, period)


@router.get("/actions/{action_id}", dependencies=[CACHED])
def action(who: ActionsRead, ws: WorkspaceDep, action_id: int) -> ActionDetail:
    return scope.action(ws, who, action_id)


@router.get("/actions/{action_id}/roi")
def roi(who: ReportsRead, ws: WorkspaceDep, action_id: ActionId, value_per_unit: Money, units: Money) -> ActionRoi:
    """``actions roi ACTION``: benefit and ROI from the latest verified effect, with intervals.

    Read-only: unlike the CLI it does not remember the valuation for period totals.
    """
    scope.action(ws, who, action_id)
    return action_roi(ws, action_id, value_per_unit, units)


@router.post("/actions", status_code=201)
def create(who: ActionsWrite, ws: WorkspaceDep, body: ActionCreate) -> ActionDetail:
    """Propose an action; a scoped caller must tie it to their units only (entity, finding and alert links)."""
    fields = body.model_dump(exclude={"from_finding"}, mode="json")
    fields["links"] = [link for link in fields["links"]]
    _check_create_scope(ws, who, body)
    aid = create_action(ws, fields, who.username, from_finding=body.from_finding)
    return show_action(ws, aid)


def _check_create_scope(ws: Workspace, who: Principal, body: ActionCreate) -> None:
    """Every unit, finding and alert the new action names (``from_finding`` too) must be the caller's."""
    named = [(x.kind.value, x.ref) for x in body.links]
    scope.links(ws, who, named + ([("finding", body.from_finding)] if body.from_finding else []))


@router.post("/actions/{action_id}/moves")
def move(who: ActionsWrite, ws: WorkspaceDep, action_id: int, body: ActionMove) -> ActionDetail:
    """Move the action to the next status (the workflow decides which moves are allowed)."""
    scope.action(ws, who, action_id)
    move_action(ws, action_id, body.to, who.username, body.reason)
    return show_action(ws, action_id)


@router.post("/actions/{action_id}/handoffs", status_code=201)
def handoff(who: ActionsWrite, ws: WorkspaceDep, action_id: ActionId, body: HandoffIn) -> ActionDetail:
    """Record a hand-off between departments; its wait runs until it is accepted. Answers the action."""
    scope.action(ws, who, action_id)
    send_handoff(ws, action_id, body.from_department, body.to_department, body.what, who.username)
    return show_action(ws, action_id)


@router.post("/actions/{action_id}/handoffs/accept")
def accept(who: ActionsWrite, ws: WorkspaceDep, action_id: ActionId, body: HandoffAccept) -> ActionDetail:
    """The receiving department accepts one of the action's hand-offs (its id in the body). Answers the action."""
    scope.action(ws, who, action_id)
    accept_handoff(ws, body.handoff_id, who.username, action_id=action_id)
    return show_action(ws, action_id)


@router.post("/actions/{action_id}/comments", status_code=201)
def add_comment(who: ActionsWrite, ws: WorkspaceDep, action_id: ActionId, body: CommentIn) -> ActionDetail:
    """Add a comment to the action. Answers the action."""
    scope.action(ws, who, action_id)
    comment(ws, action_id, who.username, body.text)
    return show_action(ws, action_id)


Condition = Annotated[str, Field(min_length=1, max_length=20_000)]


class ExperimentIn(BaseModel):
    """``verify action ACTION --assignment … [--scope …]``: where the action's A/B test lives in the lake."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    assignment: Condition = Field(examples=["CAST(substr(i.customer_id, 2) AS BIGINT) % 2 = 1"])
    """A condition true for the treatment arm, over ``i`` (the interaction) and ``f`` (its feedback)."""
    scope: Condition = "TRUE"
    """A condition selecting the interactions in the test (period, branches, ...)."""
    outcome: Annotated[str, Field(min_length=1, max_length=100)] = "csat"
    """The feedback field measured (a numeric column of feedback)."""
    feedback_kind: Annotated[str, Field(min_length=1, max_length=50)] = "survey"
    """The feedback kind measured (survey, complaint, review, interview, focus_group)."""
    unit: Annotated[str, Field(min_length=1, max_length=200)] = "i.customer_id"
    """The randomisation unit, a column: outcomes are averaged per unit first."""
    alpha: float = Field(default=0.05, ge=1e-6, le=0.5)


@router.post("/actions/{action_id}/experiment")
def attach_experiment(who: ActionsWrite, ws: WorkspaceDep, action_id: ActionId,
                      body: ExperimentIn) -> ActionVerification:  # fmt: skip
    """Attach an A/B test to the action (replacing any), run it on the lake and write the verdict back.

    Answers the ``verify action`` document: the status reached, the experiment as stored (the
    conditions as rebuilt) and the comparison. Re-run it later with ``POST /actions/{id}/verify``.
    Its conditions may read every unit's interactions, so a scoped caller may not define one (404).
    """
    scope.action(ws, who, action_id)
    scope.pooled(who, "experiment conditions")
    experiment = checked_experiment(body.assignment, body.scope, body.outcome, body.feedback_kind, body.unit)
    return verify_action(ws, action_id, experiment, who.username, body.alpha)


@router.post("/actions/{action_id}/verify")
def verify(who: ActionsWrite, ws: WorkspaceDep, action_id: VerifyActionId, body: VerifyRun) -> ActionVerification:
    """Re-run the action's attached A/B test on the lake and record the verdict (no SQL is taken from the caller)."""
    scope.action(ws, who, action_id)
    return verify_action(ws, action_id, None, who.username, body.alpha)
