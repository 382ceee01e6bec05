"""What an improvement action says before it is stored: the validated draft.

An action ties a diagnosis (findings, alerts, complaint topics, indicators) to an owner,
a RACI, a due date, an expected effect that verification can test later, a cost for
return on investment, and the standard document versions it changes.
"""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from valueloop.errors import InputError
from valueloop.improvement.choices import LinkKind as LinkKind
from valueloop.improvement.choices import TargetDirection as TargetDirection
from valueloop.improvement.raci import Assignment


class Link(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: LinkKind
    ref: str = Field(min_length=1)


class DocRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    doc_id: str = Field(min_length=1)
    version: int = Field(ge=1)


class ActionDraft(BaseModel):
    """Everything needed to propose an action; the target is all-or-nothing."""

    model_config = ConfigDict(frozen=True)

    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    owner: str = Field(min_length=1)
    department: str = Field(min_length=1)
    collaborators: tuple[Assignment, ...] = ()
    due_date: date | None = None
    links: tuple[Link, ...] = ()
    target_indicator: str | None = None
    target_direction: TargetDirection | None = None
    target_value: float | None = None
    cost: float | None = Field(default=None, ge=0)
    documents: tuple[DocRef, ...] = ()

    @model_validator(mode="after")
    def _target_complete(self) -> Self:
        parts = (self.target_indicator, self.target_direction, self.target_value)
        if any(p is not None for p in parts) and any(p is None for p in parts):
            raise ValueError("an expected effect needs indicator, direction and target value together")
        return self


def parse_link(text: str) -> Link:
    """``finding:F-12`` → Link; the kind is one of :class:`LinkKind`."""
    kind, sep, ref = text.partition(":")
    if not sep or kind not in LinkKind.__members__ or not ref:
        raise InputError(f"link {text!r}: expected KIND:REF with KIND one of {', '.join(LinkKind)}")
    return Link(kind=LinkKind(kind), ref=ref)


def parse_doc_ref(text: str) -> DocRef:
    """``script-refund@3`` → DocRef."""
    doc_id, sep, version = text.rpartition("@")
    if not sep or not doc_id or not version.isdigit() or int(version) < 1:
        raise InputError(f"document {text!r}: expected DOC_ID@VERSION, e.g. script-refund@2")
    return DocRef(doc_id=doc_id, version=int(version))


def make_draft(**fields: object) -> ActionDraft:
    """Build a draft, turning pydantic's complaints into one :class:`InputError` (exit code 2)."""
    try:
        return ActionDraft.model_validate(fields)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'action'}: {e['msg']}" for e in err.errors())
        raise InputError(problems) from err
