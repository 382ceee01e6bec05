"""``/api/v1/qa``: conversation quality assurance — rubrics, scoring, roll-ups, one conversation, calibration.

Per-agent and per-unit results are filtered to a scoped caller's units (agents and teams
sit in the entity tree); a conversation outside them answers exactly as a missing one
(404); calibration pools every unit's reviews and is refused to a scoped caller, as other
pooled analyses are. Transcript text is returned as data (JSON strings), never as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from valueloop.accounts import scope
from valueloop.errors import NotFound
from valueloop.http.deps import ActionsWrite, AuditsWrite, EvaluateRun, ModelsRead, ScoresRead, WorkspaceDep
from valueloop.qa.rubric import Rubric
from valueloop.qa.rubric_loader import resolve
from valueloop.qa.service import catalog, coaching, disputes, review, score, show
from valueloop.store.workspace import Workspace

router = APIRouter(prefix="/qa", tags=["qa"])
RubricName = Annotated[str, Query(pattern=r"^[A-Za-z0-9_.-]{1,100}$")]


class RubricText(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(min_length=1, max_length=200_000, description="The rubric YAML")]


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rubric: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")] = "bank_call"


class CalibrateIn(ScoreIn):
    threshold: float = Field(default=0.6, ge=-1, le=1)
    min_pairs: int = Field(default=10, ge=1, le=100_000)
    session: Annotated[str, Field(max_length=200)] | None = None


Id = Annotated[str, Field(min_length=1, max_length=200)]


class DisputeIn(ScoreIn):
    conversation_id: Id
    item: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")]
    reason: Annotated[str, Field(min_length=1, max_length=disputes.MAX_TEXT)]


class DisputeResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: disputes.Decision
    note: Annotated[str, Field(min_length=1, max_length=disputes.MAX_TEXT)]
    result: Literal["pass", "fail", "na"] | None = None


class CoachIn(ScoreIn):
    agent: Id
    top: int = Field(default=3, ge=1, le=20)
    follow_up_after: int = Field(default=coaching.FOLLOW_UP_AFTER, ge=1, le=100_000)


def _named(ws: Workspace, rubric: str) -> Path:
    """Only workspace or starter rubrics by name over HTTP: a path would read any file on the server."""
    return resolve(rubric, ws.root, names_only=True)


@router.get("/rubrics")
def rubrics(_: ModelsRead, ws: WorkspaceDep) -> list[catalog.RubricEntry]:
    """The starter rubrics and the workspace's own (``qa/*.yaml``), with their item counts or their problems."""
    return catalog.catalog(ws.root)


@router.post("/rubrics/validate")
def validate(_: ModelsRead, body: RubricText) -> Rubric:
    """Validate rubric YAML sent as text: the rubric, or every problem with its line (422)."""
    return catalog.validate_text(body.text)


@router.post("/score")
def run_score(_: EvaluateRun, ws: WorkspaceDep, body: ScoreIn) -> score.ScoreSummary:
    """Score every stored conversation against a rubric into qa_scores and qa_items."""
    return score.score_workspace(ws, _named(ws, body.rubric))


@router.get("/rollup")
def rollup(
    who: ScoresRead,
    ws: WorkspaceDep,
    rubric: RubricName = "bank_call",
    by: Literal["agent", "unit"] = "agent",
    period: Literal["week", "month", "all"] = "month",
) -> list[show.RollupRow]:
    """Mean score, pass rate and auto-fails per agent or unit and period (a scoped caller: their units only)."""
    return scope.qa_rows(ws, who, show.rollup(ws, _named(ws, rubric), by, period), lambda r: r.group)


@router.get("/weakest")
def weakest(
    who: ScoresRead, ws: WorkspaceDep, rubric: RubricName = "bank_call", agent: RubricName | None = None
) -> list[show.WeakItem]:
    """Each agent's most often failed items, with failing and passing example turns."""
    return scope.qa_rows(ws, who, show.weakest_items(ws, _named(ws, rubric), agent), lambda w: w.agent_id)


@router.get("/conversations/{conversation_id}")
def conversation(
    who: ScoresRead, ws: WorkspaceDep, conversation_id: str, rubric: RubricName = "bank_call"
) -> show.ConversationView:
    """One conversation: its turns and every item's result with the turns and character spans behind it."""
    return scope.qa_conversation(ws, who, conversation_id, _named(ws, rubric))


@router.post("/calibrate")
def calibrate(who: EvaluateRun, ws: WorkspaceDep, body: CalibrateIn) -> review.Calibration:
    """Agreement per item (auto vs human, between reviewers) over every unit's reviews; flags unreliable items."""
    scope.pooled(who, "calibration")
    return review.calibrate(ws, _named(ws, body.rubric), body.threshold, body.min_pairs, body.session)


@router.get("/disputes")
def dispute_list(
    who: ScoresRead,
    ws: WorkspaceDep,
    status: disputes.Status | None = None,
    agent: Annotated[str | None, Query(max_length=200)] = None,
    conversation: Annotated[str | None, Query(max_length=200)] = None,
) -> list[disputes.Dispute]:
    """Disputes of item results, newest first (a scoped caller: their agents' and teams' only)."""
    rows = disputes.list_disputes(ws, status=status, agent=agent, conversation_id=conversation)
    return scope.qa_disputes(ws, who, rows)


@router.post("/disputes", status_code=201)
def dispute_open(who: ActionsWrite, ws: WorkspaceDep, body: DisputeIn) -> disputes.Dispute:
    """Dispute one item's automatic result in a conversation the caller may see."""
    file = _named(ws, body.rubric)
    scope.qa_conversation(ws, who, body.conversation_id, file)
    return disputes.open_dispute(ws, file, body.conversation_id, body.item, body.reason, who.username)


@router.post("/disputes/{dispute_id}/resolve")
def dispute_resolve(
    who: AuditsWrite, ws: WorkspaceDep, dispute_id: Annotated[str, PathParam(max_length=40)], body: DisputeResolveIn
) -> disputes.Dispute:
    """A reviewer's decision; upheld re-scores the conversation with the item's new result."""
    scope.qa_dispute(ws, who, dispute_id)
    return disputes.resolve_dispute(ws, dispute_id, body.decision, body.note, who.username, body.result)


@router.post("/coaching", status_code=201)
def coaching_create(who: ActionsWrite, ws: WorkspaceDep, body: CoachIn) -> coaching.Coaching:
    """A coaching task from one of the caller's agents' weakest items, with failing and peers' passing turns.

    Peers' example turns may come from other teams; a scoped caller sees those of their own units only.
    """
    scope.check_unit(ws, who, body.agent)
    file = _named(ws, body.rubric)
    task = coaching.coach(ws, file, body.agent, who.username, body.top, body.follow_up_after)
    return scope.qa_coaching(ws, who, [task])[0]


@router.get("/coaching")
def coaching_list(
    who: ScoresRead, ws: WorkspaceDep, agent: Annotated[str | None, Query(max_length=200)] = None
) -> list[coaching.Coaching]:
    """Coaching tasks, newest first, with their follow-up verdicts (a scoped caller: their agents' only)."""
    return scope.qa_coaching(ws, who, coaching.list_coaching(ws, agent))


@router.post("/coaching/{coaching_id}/measure")
def coaching_measure(
    who: ActionsWrite, ws: WorkspaceDep, coaching_id: Annotated[str, PathParam(max_length=40)]
) -> coaching.Coaching:
    """The follow-up: the coached items' pass rate after vs before (two-proportion z-test), once enough calls are in."""
    try:
        found = coaching.get_coaching(ws, coaching_id)
    except NotFound:
        found = None
    if found is None or not scope.qa_coaching(ws, who, [found]):
        raise scope.hidden(f"coaching task {coaching_id}")
    return scope.qa_coaching(ws, who, [coaching.measure(ws, coaching_id)])[0]
