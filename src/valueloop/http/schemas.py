"""Request bodies of the API (responses are the flows' own JSON contracts)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from valueloop.improvement.draft import LinkKind, TargetDirection
from valueloop.improvement.service.actions import MAX_ACTION_ID
from valueloop.improvement.workflow import Status
from valueloop.scoring.ahp import PriorityMethod
from valueloop.spec.locale import LangField


class EvaluateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str | None = None
    period: str | None = None
    level: str | None = None
    version: int | None = None
    store: bool = True


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: LinkKind
    ref: str = Field(min_length=1)


class CollaboratorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: str = Field(min_length=1)
    role: str = Field(pattern="^[RACI]$")


class ActionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    owner: str = Field(min_length=1)
    department: str = Field(min_length=1)
    description: str = ""
    collaborators: list[CollaboratorIn] = Field(default_factory=list)
    due_date: date | None = None
    links: list[LinkIn] = Field(default_factory=list)
    target_indicator: str | None = None
    target_direction: TargetDirection | None = None
    target_value: float | None = None
    cost: float | None = None
    from_finding: str | None = None


class ActionMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: Status
    reason: str = Field(min_length=1)


class Problem(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: Problem


class AhpIn(BaseModel):
    """A pairwise judgement matrix on Saaty's 1–9 scale (``a_ji = 1 / a_ij``)."""

    model_config = ConfigDict(extra="forbid")
    matrix: list[list[float]] = Field(min_length=2, max_length=15)
    criteria: list[str] | None = None
    method: PriorityMethod = PriorityMethod.eigenvector


class DiagnoseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run: str | None = None
    period: str | None = None
    model: str | None = None
    level: str | None = None


class SpcIn(BaseModel):
    """One control chart over numbers in the body: ``p`` (counts + n), ``u`` (counts + units) or ``xmr`` (values)."""

    model_config = ConfigDict(extra="forbid")
    chart: Literal["p", "u", "xmr"]
    values: list[float] = Field(min_length=2, max_length=100_000)
    sizes: list[float] | None = None
    """Sample sizes (p-chart ``n``) or exposure units (u-chart); not used by ``xmr``."""
    baseline: int | None = Field(default=None, ge=1)
    revise: bool = False


class VerifyRun(BaseModel):
    """Re-run the experiment already attached to an action (defined once with ``valueloop verify action``)."""

    model_config = ConfigDict(extra="forbid")
    alpha: float = Field(default=0.05, gt=0, le=0.5)


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: str = Field(min_length=4, max_length=10, pattern=r"^\d{4}(-(\d{2}|Q[1-4]))?$")
    level: str | None = None
    model: str | None = None
    format: Literal["html", "pdf", "xlsx"] = "html"
    lang: LangField = "zh"


Department = Annotated[str, Field(min_length=1, max_length=200)]


class HandoffIn(BaseModel):
    """``actions handoff --from --to --what``: one department hands part of the work to another."""

    model_config = ConfigDict(extra="forbid")
    from_department: Department = Field(alias="from")
    to_department: Department = Field(alias="to")
    what: Annotated[str, Field(min_length=1, max_length=2_000)]


class HandoffAccept(BaseModel):
    """``actions accept HANDOFF``: the receiving department takes the hand-off over."""

    model_config = ConfigDict(extra="forbid")
    handoff_id: int = Field(ge=1, le=MAX_ACTION_ID)


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(min_length=1, max_length=10_000)]
