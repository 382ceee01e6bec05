"""A survey as data: questions, conditional display, when to invite and when to open a case.

``surveys/<id>.yaml`` in the workspace::

    id: after_service
    version: 1
    title: {zh: 服务满意度回访, en: "How did we do?"}
    questions:
      - {id: csat, type: csat, text: {zh: 您对本次服务满意吗？, en: "How satisfied are you?"}}
      - {id: nps, type: nps, text: {zh: 您有多大可能推荐我们？, en: "How likely are you to recommend us?"}}
      - id: why
        type: text
        text: {zh: 哪里可以做得更好？, en: "What could we do better?"}
        show_if: {question: nps, at_most: 6}
    trigger: {delay_hours: 24, sample: 0.5, once_per_days: 30, quiet_hours: "21:00-08:00", channel: email}
    follow_up:
      rules: [{question: nps, at_most: 6}, {question: csat, at_most: 2}]
      sla_hours: 1
      owners: {"*": alice, B001: bob}
      escalate_to: {"*": head}

A ``servqual`` question is one SERVQUAL item of a ``dimension`` (tangibles, reliability,
responsiveness, assurance, empathy), rated twice on 1–7: what the customer expects and what
they got; its gap is perception − expectation (:mod:`valueloop.surveys.servqual`).

Score questions fill the ``feedback`` dataset's columns (``csat`` 1–5, ``nps`` 0–10,
``ces`` 1–7), so a survey has at most one of each; the first open-text question fills
``text``. Structure is checked by pydantic, meaning by :func:`valueloop.surveys.loader.check_survey`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
ALIASES = {"zh-cn": "zh", "zh_cn": "zh", "zh-hans": "zh", "en-us": "en", "en-gb": "en"}
ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]{1,255}\.[^@\s<>,;\".]{2,63}$")
"""An e-mail address: the shape accepted in a survey file and from a CRM's contacts."""
QUIET = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class QuestionType(StrEnum):
    csat = "csat"
    nps = "nps"
    ces = "ces"
    single = "single"
    multiple = "multiple"
    text = "text"
    servqual = "servqual"


SCALES: dict[QuestionType, tuple[int, int]] = {
    QuestionType.csat: (1, 5),
    QuestionType.nps: (0, 10),
    QuestionType.ces: (1, 7),
}
"""Score questions and their inclusive range (the ``feedback`` columns of the same names)."""
CHOICES = (QuestionType.single, QuestionType.multiple)
SERVQUAL_SCALE = (1, 7)
"""A SERVQUAL item's expectation and perception, each on a 7-point scale (Parasuraman et al. 1988)."""


class Dimension(StrEnum):
    """SERVQUAL's five dimensions (Parasuraman, Zeithaml & Berry 1988)."""

    tangibles = "tangibles"
    reliability = "reliability"
    responsiveness = "responsiveness"
    assurance = "assurance"
    empathy = "empathy"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """Words in each language; a plain string in YAML means the same words in every language."""

    zh: str | None = None
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, raw: object) -> object:
        if isinstance(raw, str):
            return {"zh": raw, "en": raw}
        if isinstance(raw, dict):
            return {ALIASES.get(str(k).lower(), k): v for k, v in raw.items()}
        return raw

    def get(self, lang: str) -> str:
        """The words in ``lang``, else in the other language (never empty for a valid survey)."""
        first = self.en if lang == "en" else self.zh
        return first or self.zh or self.en or ""


class Option(_Strict):
    id: str
    text: Text


class Condition(_Strict):
    """``question`` answered with a score in a range, or with one of some options."""

    question: str
    at_most: int | None = None
    at_least: int | None = None
    any_of: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if self.at_most is None and self.at_least is None and not self.any_of:
            raise ValueError("a condition needs at_most, at_least or any_of")
        return self


class TextRule(_Strict):
    """Open text ``text`` read as negative (about ``topic``, a taxonomy category id, when given): the voice
    package's sentiment and topic analysis decides, when the answer is flushed to the lake."""

    text: str
    sentiment: Literal["negative"] = "negative"
    topic: str | None = None


class Question(_Strict):
    id: str
    type: QuestionType
    text: Text
    required: bool = False
    options: tuple[Option, ...] = ()
    show_if: Condition | None = None
    max_length: int = Field(default=2000, ge=1, le=10_000)
    """Open text: most characters accepted."""
    dimension: Dimension | None = None
    """SERVQUAL item: the dimension it measures; the respondent rates expectation and perception (1–7)."""


class Channel(StrEnum):
    """How an invitation reaches the customer: e-mail, a webhook (SMS gateway, WeCom or DingTalk robot), or a CSV."""

    email = "email"
    sms = "sms"
    wecom = "wecom"
    dingtalk = "dingtalk"
    export = "export"


WEBHOOK_CHANNELS = (Channel.sms, Channel.wecom, Channel.dingtalk)
"""Channels delivered by posting JSON to a configured webhook; the contact is the customer's mobile number."""


class Trigger(_Strict):
    """When an invitation goes out after an interaction is resolved, and how often a customer may be asked."""

    after: Literal["resolved"] = "resolved"
    delay_hours: float = Field(default=24.0, ge=0)
    sample: float = Field(default=1.0, gt=0, le=1)
    once_per_days: int = Field(default=30, ge=0)
    quiet_hours: str | None = None
    """``HH:MM-HH:MM`` in the customer's own time zone (``customers.timezone``), else the workspace's; an
    invitation due then waits for the end."""
    channel: Channel = Channel.export
    within_days: int = Field(default=7, ge=1, le=365)
    """Interactions resolved longer ago than this are not invited (the customer has moved on)."""
    expires_days: int = Field(default=14, ge=1, le=365)
    reminder_hours: float | None = Field(default=None, gt=0)
    """E-mail: one reminder this long after delivery when there is no answer yet (None: no reminder)."""

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, raw: str | None) -> str | None:
        if raw is not None and not QUIET.match(raw):
            raise ValueError(f"quiet_hours must be HH:MM-HH:MM, not {raw!r}")
        return raw


class FollowUp(_Strict):
    """The inner loop: an answer matching any rule opens a case for its customer."""

    rules: tuple[Condition | TextRule, ...] = ()
    sla_hours: float = Field(default=24.0, gt=0)
    owners: dict[str, str] = Field(default_factory=dict)
    """Unit id → user who owns its cases; ``"*"`` for every other unit."""
    escalate_to: dict[str, str] = Field(default_factory=dict)
    """Unit id → who is told when a case is overdue; ``"*"`` for every other unit."""
    addresses: dict[str, str] = Field(default_factory=dict)
    """Who (a name in ``escalate_to``) → the e-mail address the escalation notice goes to. A name that
    is itself an address needs no entry."""

    @property
    def score_rules(self) -> tuple[Condition, ...]:
        """The rules tested on scores when the answer is posted."""
        return tuple(r for r in self.rules if isinstance(r, Condition))

    @property
    def text_rules(self) -> tuple[TextRule, ...]:
        """The rules tested on open text when the answer is flushed (text analysis is too slow for the POST)."""
        return tuple(r for r in self.rules if isinstance(r, TextRule))


class Survey(_Strict):
    id: str
    version: int = Field(default=1, ge=1)
    title: Text
    intro: Text | None = None
    thanks: Text | None = None
    languages: tuple[Language, ...] = LANGUAGES
    edit_minutes: int = Field(default=30, ge=0, le=7 * 24 * 60)
    """How long after answering the same link may change the answer (0: strictly once)."""
    questions: tuple[Question, ...] = Field(min_length=1, max_length=100)
    trigger: Trigger = Trigger()
    follow_up: FollowUp = FollowUp()

    @field_validator("languages", mode="before")
    @classmethod
    def _languages(cls, raw: object) -> object:
        if isinstance(raw, list | tuple):
            return tuple(ALIASES.get(str(x).lower(), x) for x in raw)
        return raw

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)


def routed(table: dict[str, str], unit: str) -> str | None:
    """The user ``table`` names for ``unit`` (its own entry, else ``"*"``), None when neither is there."""
    return table.get(unit) or table.get("*")
