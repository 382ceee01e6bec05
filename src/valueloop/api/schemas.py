"""Request bodies of the API (responses are the flows' own JSON contracts)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from valueloop.actions.draft import LinkKind, TargetDirection
from valueloop.actions.workflow import Status


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
