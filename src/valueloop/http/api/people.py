"""``/api/v1/audits|people|risk``: audit plans and checks, scorecards, awards, disputes, cases, complaint risk.

Per-agent results are filtered to a scoped manager's units (agents sit in the entity tree);
analyses pooled over every unit, auditor or customer are refused to a scoped caller (404),
as ``/drivers`` is. A text the CLI reads from a file (a case write-up, a checklist) comes
as a string in the JSON body.
"""

from __future__ import annotations

from typing import Annotated, Literal, Protocol, TypeVar

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import Principal, visible_units
from valueloop.http.deps import ActionsWrite, AuditsWrite, EvaluateRun, ModelsRead, ScoresRead, WorkspaceDep
from valueloop.http.response_cache import CACHED
from valueloop.ingest.service.user_input import as_input_error
from valueloop.people.awards import AwardRules
from valueloop.people.checklist import Checklist
from valueloop.people.results import (
    AddedCase,
    AuditPlan,
    Awards,
    BotResolution,
    CalibrationGroup,
    Case,
    CaseText,
    Dispute,
    RiskModel,
    RiskQueue,
    RiskScores,
    Scorecards,
    TrainingEffect,
    TrainingProblem,
    VisitProblem,
)
from valueloop.people.service import audits as people
from valueloop.people.service import performance as people_perf
from valueloop.people.service import records as people_records
from valueloop.people.service import risk as people_risk
from valueloop.store.workspace import Workspace

router = APIRouter(tags=["people"])
Short = Annotated[str, Field(min_length=1, max_length=200)]
Period = Annotated[str | None, Query(pattern=r"^\d{4}(-(\d{2}|Q[1-4]))?$")]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Document = Annotated[str, Field(min_length=1, max_length=200_000)]


class _OfAgent(Protocol):
    @property
    def agent_id(self) -> str: ...


AgentRow = TypeVar("AgentRow", bound=_OfAgent)


def _agents(ws: Workspace, who: Principal, rows: list[AgentRow]) -> list[AgentRow]:
    """The rows of agents the caller may see (every row for an unscoped caller)."""
    seen = visible_units(ws, who)
    return rows if seen is None else [r for r in rows if r.agent_id in seen]


class AuditPlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    visits: int = Field(default=2000, ge=0, le=100_000)
    year: int = Field(default=2027, ge=2000, le=2100)
    seed: int = Field(default=7, ge=0, le=2**31 - 1)
    level: Short = "branch"


class DisputeOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent: Short
    period: Short
    indicator: Short
    reason: Annotated[str, Field(min_length=1, max_length=5_000)]
    model: Short | None = None


class DisputeResolve(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dispute_id: Short
    decision: Literal["upheld", "rejected"]
    note: Annotated[str, Field(min_length=1, max_length=5_000)]


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent: Short
    period: Annotated[str, Field(min_length=1, max_length=20, description="Award month, e.g. 2026-10")]
    title: Short
    text: Annotated[Document, Field(description="The write-up (Markdown), what `people case add FILE` reads")]


class ChecklistIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[Document, Field(description="The checklist YAML, what `audits checklist FILE` reads")]


class RiskTrainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    horizon_days: int = Field(default=14, ge=1, le=365)
    cutoff: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    test_months: int = Field(default=3, ge=1, le=120)
    k: int = Field(default=100, ge=1, le=100_000)


@router.post("/audits/plan", status_code=201)
def audit_plan(_: AuditsWrite, ws: WorkspaceDep, body: AuditPlanIn) -> AuditPlan:
    """Plan the year's unannounced visits (stratified, within auditor capacity) and save the plan."""
    return people.audit_plan(ws, visits=body.visits, year=body.year, seed=body.seed, level=body.level)


@router.post("/audits/checklist")
def audit_checklist(_: ModelsRead, body: ChecklistIn) -> Checklist:
    """Validate a checklist (weights sum to 1, items well formed) and answer it, or every problem with its line."""
    return people.checklist_from_text(body.text)


@router.get("/audits/verify")
def audit_verify(who: ScoresRead, ws: WorkspaceDep,
                 min_minutes: Annotated[float, Query(ge=0, le=1440)] = 10.0) -> list[VisitProblem]:  # fmt: skip
    """Problems found in the recorded visits (duration, timing, items)."""
    scope.pooled(who, "audit checks")
    return people.verify_audits(ws, min_minutes=min_minutes)


@router.get("/audits/calibration")
def audit_calibration(who: ScoresRead, ws: WorkspaceDep) -> list[CalibrationGroup]:
    """How far each auditor's marks sit from the others'."""
    scope.pooled(who, "auditor calibration")
    return people.calibration(ws)


@router.get("/people/scorecards", dependencies=[CACHED])
def scorecards(
    who: ScoresRead,
    ws: WorkspaceDep,
    period: str | None = None,
    model: str | None = None,
    method: Annotated[str, Query(pattern="^(absolute|forced)$")] = "absolute",
) -> Scorecards:
    """Agent scorecards on controllable indicators, graded, with incentive coefficients (nothing exported)."""
    doc = people.scorecards(ws, period=period, model_id=model, method=method, export=False)
    return doc.model_copy(update={"scorecards": _agents(ws, who, doc.scorecards)})


@router.get("/people/bot-resolution")
def bot_resolution(who: ScoresRead, ws: WorkspaceDep, period: Period = None,
                   by: Annotated[str | None, Query(max_length=50)] = None) -> list[BotResolution]:  # fmt: skip
    """Share of conversations the bot resolved without a hand-over."""
    scope.pooled(who, "bot resolution")
    return as_input_error(lambda: people.bot_resolution_rate(ws, period=period, by=by))


@router.get("/people/awards")
def awards(who: ScoresRead, ws: WorkspaceDep, period: Period = None,
           indicator: Annotated[str, Query(min_length=1, max_length=100)] = "csat",
           top: Annotated[int, Query(ge=1, le=1000)] = 5, min_n: Annotated[int, Query(ge=1, le=100_000)] = 10,
           min_stable: Annotated[int, Query(ge=1, le=120)] = 2,
           window: Annotated[int, Query(ge=1, le=120)] = 3) -> Awards:  # fmt: skip
    """Service benchmark awards (shrunk score, minimum volume, stability); a manager sees their agents' only."""
    rules = AwardRules(top=top, min_n=min_n, window=window, min_stable=min_stable)
    doc = as_input_error(lambda: people_perf.benchmark_awards(ws, period=period, indicator=indicator, rules=rules))
    return doc.model_copy(update={"winners": _agents(ws, who, doc.winners)})


@router.get("/people/training-effect")
def training_effect(
    who: ScoresRead,
    ws: WorkspaceDep,
    course: Annotated[str, Query(min_length=1, max_length=100)],
    indicator: Annotated[str, Query(min_length=1, max_length=100)] = "csat",
) -> TrainingEffect:
    """A course's effect on trainees vs untrained peers (difference-in-differences)."""
    scope.pooled(who, "training effect")
    return as_input_error(lambda: people_perf.course_effect(ws, course=course, indicator=indicator))


@router.get("/people/disputes")
def disputes(who: ScoresRead, ws: WorkspaceDep,
             status: Annotated[Literal["open", "upheld", "rejected"] | None, Query()] = None,
             agent: Annotated[str | None, Query(max_length=200)] = None,
             period: Period = None) -> list[Dispute]:  # fmt: skip
    """Disputes on scorecard items, with who opened and resolved them and why."""
    return _agents(ws, who, people_records.list_disputes(ws, status=status, agent=agent, period=period))


@router.post("/people/disputes", status_code=201)
def dispute_open(who: ActionsWrite, ws: WorkspaceDep, body: DisputeOpen) -> Dispute:
    """Open a dispute on one indicator of an agent's monthly scorecard."""
    scope.check_unit(ws, who, body.agent)
    return people_records.open_dispute(ws, agent=body.agent, period=body.period, indicator=body.indicator,
                                       reason=body.reason, by=who.username, model_id=body.model)  # fmt: skip


@router.post("/people/disputes/resolve")
def dispute_resolve(who: ActionsWrite, ws: WorkspaceDep, body: DisputeResolve) -> Dispute:
    """Resolve an open dispute: upheld leaves the indicator out of that scorecard."""
    if who.scoped:
        found = [r for r in people_records.list_disputes(ws) if r.dispute_id == body.dispute_id]
        if not _agents(ws, who, found):
            raise scope.hidden(f"dispute {body.dispute_id}")
    return people_records.resolve_dispute(ws, body.dispute_id, decision=body.decision, note=body.note,
                                          by=who.username)  # fmt: skip


@router.post("/people/cases", status_code=201)
def case_add(who: ActionsWrite, ws: WorkspaceDep, body: CaseIn) -> AddedCase:
    """Keep a case write-up of what an award winner did; ``/people/awards`` links it (``case``)."""
    scope.check_unit(ws, who, body.agent)
    return people_records.add_case(ws, agent=body.agent, period=body.period, title=body.title, text=body.text,
                                   by=who.username)  # fmt: skip


@router.get("/people/cases")
def case_list(who: ScoresRead, ws: WorkspaceDep) -> list[Case]:
    """Every case write-up record (a manager sees their agents' cases)."""
    return _agents(ws, who, people_records.list_cases(ws))


@router.get("/people/cases/text")
def case_show(who: ScoresRead, ws: WorkspaceDep,
              case_id: Annotated[str, Query(min_length=1, max_length=50)]) -> CaseText:  # fmt: skip
    """One case record with its text."""
    rec = scope.guarded(who, f"case {case_id}", lambda: people_records.show_case(ws, case_id))
    if not _agents(ws, who, [rec]):
        raise scope.hidden(f"case {case_id}")
    return rec


@router.get("/people/training-check")
def training_check(who: ScoresRead, ws: WorkspaceDep) -> list[TrainingProblem]:
    """Training records naming a person not in ``staff``, each with its lake file, batch, source and row."""
    scope.pooled(who, "training records")
    return people_records.check_training(ws)


@router.post("/risk/train", status_code=201)
def risk_train(_: EvaluateRun, ws: WorkspaceDep, body: RiskTrainIn) -> RiskModel:
    """Train the complaint-risk model on a time-ordered split and save it in the workspace."""
    b = body
    return as_input_error(
        lambda: people_risk.train(ws, horizon_days=b.horizon_days, cutoff=b.cutoff, test_months=b.test_months, k=b.k)
    )


@router.get("/risk/scores")
def risk_scores(who: ScoresRead, ws: WorkspaceDep, date: Day = None) -> RiskScores:
    """Complaint probability of every interaction predicted on a day (customers, not units)."""
    scope.pooled(who, "complaint risk")
    return as_input_error(lambda: people_risk.score(ws, date=date))


@router.get("/risk/queue")
def risk_queue(who: ScoresRead, ws: WorkspaceDep, date: Day = None,
               top: Annotated[int, Query(ge=1, le=10_000)] = 20) -> RiskQueue:  # fmt: skip
    """The day's proactive-intervention queue: the highest-risk customers with their top reasons."""
    scope.pooled(who, "intervention queue")
    return as_input_error(lambda: people_risk.queue(ws, date=date, top=top))
