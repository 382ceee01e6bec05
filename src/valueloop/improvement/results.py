"""What the improvement use cases answer: an action (as a list row and in full), escalations and ROI.

The CLI's ``actions … --format json`` and ``/api/v1/actions/…`` print these models, so the two
cannot drift and OpenAPI documents every answer. Field order is the JSON's key order. A
department pair is written ``from``/``to`` (Python keywords), hence the aliases serialised by
default.
"""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, Field

from valueloop.results import Instant, Result


class Verification(Result):
    """The latest verdict recorded on an action (or its waiver), with the test behind it."""

    verdict: str
    waived: bool
    reason: str | None
    p_value: float | None
    ci: list[float | None]
    method: str
    created_by: str
    created_at: Instant


class ExpectedEffect(Result):
    """What the action set out to move: an indicator, the direction, the target."""

    indicator: str
    direction: str | None
    target: float | None


class _ActionHead(Result):
    """What a list row and the full action share, in the order both print it."""

    action_id: int
    title: str
    status: str
    status_label: str
    """The status, with ``(waived)`` when it was reached on a waived verification."""
    owner: str
    department: str
    due_date: date | None
    overdue: bool
    days_overdue: int
    expected_effect: ExpectedEffect | None
    cost: float | None


class ActionSummary(_ActionHead):
    """An action as ``actions list`` shows it: its latest verdict by name only."""

    verification: str | None


class ActionLink(Result):
    """What an action is about: a unit (``entity``), finding, alert, indicator or complaint topic."""

    kind: str
    ref: str


class RaciRole(Result):
    department: str
    role: str


class DocumentRef(Result):
    """A standard document version the action cites."""

    doc_id: str
    version: int


class Transition(Result):
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    at: Instant


class Comment(Result):
    author: str
    body: str
    at: Instant


class _Pair(Result):
    model_config = ConfigDict(frozen=True, serialize_by_alias=True, validate_by_name=True)


class HandoffRow(_Pair):
    """A hand-off between departments and how long it has waited (hours, to now when still pending)."""

    handoff_id: int
    action_id: int
    from_department: str = Field(alias="from")
    to_department: str = Field(alias="to")
    what: str
    sent_at: Instant
    accepted_at: Instant | None
    pending: bool
    wait_hours: float


class Boundary(_Pair):
    """One department pair: hand-offs, how many still pending, the median accepted wait (hours)."""

    from_department: str = Field(alias="from")
    to_department: str = Field(alias="to")
    handoffs: int
    pending: int
    median_wait_hours: float | None


class ActionDetail(_ActionHead):
    """One action in full (``actions show``, and what every change to an action answers)."""

    verification: Verification | None
    description: str
    allowed_next: list[str]
    links: list[ActionLink]
    raci: list[RaciRole]
    documents: list[DocumentRef]
    history: list[Transition]
    comments: list[Comment]
    handoffs: list[HandoffRow]
    created_by: str
    created_at: Instant
    updated_at: Instant


class Escalations(Result):
    """``actions overdue``: what to escalate as of a moment."""

    as_of: Instant
    stall_hours: float
    overdue_actions: list[ActionSummary]
    """Past due with the work unfinished, most days overdue first."""
    stalled_handoffs: list[HandoffRow]
    boundaries: list[Boundary]


class ActionRoi(Result):
    """``actions roi ACTION``: benefit and ROI from the latest verified effect, intervals when it has one."""

    action_id: int
    title: str
    verdict: str
    effect: float
    effect_ci: list[float | None]
    units: float
    value_per_unit: float
    cost: float
    benefit: float
    benefit_ci: list[float] | None
    roi: float
    roi_ci: list[float] | None


class PeriodRoi(Result):
    """``actions roi --period``: the valued actions verified in a quarter, added up."""

    period: str
    actions: list[ActionRoi]
    without_valuation: list[int]
    """Verified in the period but never valued (``actions roi ACTION`` remembers a valuation)."""
    cost: float
    benefit: float
    benefit_ci: list[float] | None
    roi: float | None
    roi_ci: list[float] | None
