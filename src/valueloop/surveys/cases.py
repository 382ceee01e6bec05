"""The inner loop's rules, pure: which answers open a case, when it is due, how well the loop closes.

A case opens when an answer meets any of the survey's ``follow_up.rules`` (e.g. NPS ≤ 6,
CSAT ≤ 2; a text rule, open text read negative about a topic, is tested when the answer is
flushed: see :mod:`valueloop.surveys.service.answer_flush`); it is owned by the user routed for
its unit and due ``sla_hours`` after it opened; past due and still open it is overdue and escalated
once. Closing records an outcome and a root cause. Figures: time to close (median and mean
hours over closed cases) and recovery rate — of the customers with a case who answered the same
question again later, the share whose later score was higher.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from valueloop.surveys.answers import Answer, meets
from valueloop.surveys.spec import Condition, Survey, TextRule
from valueloop.voice.analysis import TextAnalysis


class Outcome(StrEnum):
    reached = "reached"
    resolved = "resolved"
    compensated = "compensated"
    not_reachable = "not_reachable"


@dataclass(frozen=True)
class Trigger:
    """The first rule an answer met: which question, its score, and the rule in words."""

    question: str
    score: int
    rule: str


def describe(cond: Condition) -> str:
    parts = [
        f"≤ {cond.at_most}" if cond.at_most is not None else "",
        f"≥ {cond.at_least}" if cond.at_least is not None else "",
    ]
    if cond.any_of:
        parts.append("in " + "|".join(cond.any_of))
    return f"{cond.question} " + " ".join(p for p in parts if p)


def opens_case(survey: Survey, answers: Mapping[str, Answer]) -> Trigger | None:
    """The first follow-up rule ``answers`` meet, or None (no case)."""
    for cond in survey.follow_up.score_rules:
        score = answers.get(cond.question)
        if isinstance(score, int) and meets(cond, answers):
            return Trigger(cond.question, score, describe(cond))
    return None


TEXT_SCORE = 0
"""A text rule's case has no score; the cases table keeps 0 for it (its rule says what was read)."""


def describe_text(rule: TextRule) -> str:
    return f"{rule.text} {rule.sentiment}" + (f" about {rule.topic}" if rule.topic else "")


def meets_text(rule: TextRule, analysis: TextAnalysis) -> bool:
    """Negative about the topic: a clause about ``topic`` (or a category under it) read negative; with no
    topic, the whole text read negative."""
    if rule.topic is None:
        return analysis.sentiment.label == rule.sentiment
    under = (rule.topic, f"{rule.topic}/")
    return any(t.label == rule.sentiment and (t.category == rule.topic or t.category.startswith(under[1]))
               for t in analysis.topics)  # fmt: skip


def opens_text_case(survey: Survey, analyses: Mapping[str, TextAnalysis]) -> Trigger | None:
    """The first text rule the analysed open answers (question id → analysis) meet, or None."""
    for rule in survey.follow_up.text_rules:
        found = analyses.get(rule.text)
        if found is not None and meets_text(rule, found):
            return Trigger(rule.text, TEXT_SCORE, describe_text(rule))
    return None


def due_at(opened_at: datetime, sla_hours: float) -> datetime:
    return opened_at + timedelta(hours=sla_hours)


def overdue(due: datetime, closed_at: datetime | None, now: datetime) -> bool:
    return closed_at is None and now > due


@dataclass(frozen=True)
class CaseFacts:
    """What the figures need of one case (``response_id``: the answer that opened it)."""

    response_id: str
    customer_id: str | None
    question: str
    score: int
    opened_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True)
class LaterAnswer:
    response_id: str
    customer_id: str
    submitted_at: datetime
    scores: Mapping[str, int]


class CaseFigures(BaseModel):
    cases: int
    open: int
    closed: int
    overdue: int
    median_hours_to_close: float | None
    mean_hours_to_close: float | None
    followed_up: int
    """Cases whose customer answered the same question again after the case opened."""
    recovered: int
    recovery_rate: float | None


def figures(cases: Sequence[CaseFacts], later: Iterable[LaterAnswer], overdue_count: int) -> CaseFigures:
    """Time to close and recovery rate; None where there is nothing to measure (no closed case, no re-answer)."""
    hours = [(c.closed_at - c.opened_at).total_seconds() / 3600 for c in cases if c.closed_at is not None]
    by_customer: dict[str, list[LaterAnswer]] = {}
    for a in later:
        by_customer.setdefault(a.customer_id, []).append(a)
    followed = recovered = 0
    for c in cases:
        nxt = next_score(c, by_customer.get(c.customer_id or "", []))
        if nxt is not None:
            followed += 1
            recovered += nxt > c.score
    return CaseFigures(
        cases=len(cases),
        open=sum(c.closed_at is None for c in cases),
        closed=len(hours),
        overdue=overdue_count,
        median_hours_to_close=statistics.median(hours) if hours else None,
        mean_hours_to_close=statistics.fmean(hours) if hours else None,
        followed_up=followed,
        recovered=recovered,
        recovery_rate=recovered / followed if followed else None,
    )


def next_score(case: CaseFacts, answers: Iterable[LaterAnswer]) -> int | None:
    """The customer's next score on the case's question after it opened (another answer than the one that
    opened it), or None: the figure recovery is measured on."""
    later = sorted(
        (
            a
            for a in answers
            if a.response_id != case.response_id and a.submitted_at > case.opened_at and case.question in a.scores
        ),
        key=lambda a: a.submitted_at,
    )
    return later[0].scores[case.question] if later else None


@dataclass(frozen=True)
class ClosedCase:
    case_id: int
    entity_id: str
    root_cause: str
    closed_at: datetime


@dataclass(frozen=True)
class Recurring:
    """A root cause behind at least the threshold of cases closed in one month: worth an outer-loop action."""

    root_cause: str
    month: str
    cases: tuple[int, ...]
    units: tuple[str, ...]


def recurring_causes(closed: Iterable[ClosedCase], month: str, min_cases: int, tz: str = "UTC") -> list[Recurring]:
    """Root causes of at least ``min_cases`` cases closed in ``month`` (``YYYY-MM``, local time), most cases first.

    Each cause counts as recorded (``logistics/late`` is not also ``logistics``), so the action is
    proposed for what the people who called back named.
    """
    zone = ZoneInfo(tz)
    groups: dict[str, list[ClosedCase]] = {}
    for c in closed:
        if f"{c.closed_at.astimezone(zone):%Y-%m}" == month:
            groups.setdefault(c.root_cause, []).append(c)
    found = [
        Recurring(cause, month, tuple(sorted(c.case_id for c in cs)), tuple(sorted({c.entity_id for c in cs})))
        for cause, cs in groups.items()
        if len(cs) >= min_cases
    ]
    return sorted(found, key=lambda r: (-len(r.cases), r.root_cause))
