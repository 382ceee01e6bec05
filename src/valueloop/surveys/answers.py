"""A respondent's form, checked against the survey: every refusal names its field.

Form fields are ``q.<question id>`` (a multiple-choice question repeats its field; a SERVQUAL
item has two, ``q.<id>.e`` for the expectation and ``q.<id>.p`` for the perception). A score
must be a whole number on its scale, a choice one of the question's options, a text at most
``max_length`` characters and free of control characters. Answers to a question whose
``show_if`` is not met are dropped, as the page hides that question; a required question
that is shown must be answered. Unknown ``q.`` fields are refused: a form built by hand is not
guessed at.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from valueloop.surveys import servqual
from valueloop.surveys.spec import CHOICES, SCALES, SERVQUAL_SCALE, Condition, Question, QuestionType, Survey

Answer = int | str | tuple[str, ...] | dict[str, int]
"""A score, a single choice or text, several choices, or a SERVQUAL item's ``{"e": expectation, "p": perception}``."""
PREFIX = "q."
SERVQUAL_PARTS = ("e", "p")
MAX_FIELDS = 300


@dataclass(frozen=True)
class Checked:
    answers: dict[str, Answer] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    """Form field → why it was refused."""


def meets(cond: Condition, answers: Mapping[str, Answer]) -> bool:
    """Whether ``answers`` meet ``cond`` (an unanswered question meets nothing)."""
    got = answers.get(cond.question)
    if got is None:
        return False
    if isinstance(got, dict):
        return False  # a SERVQUAL item is never a condition (the loader refuses one)
    if isinstance(got, int):
        return (cond.at_most is None or got <= cond.at_most) and (cond.at_least is None or got >= cond.at_least)
    chosen = {got} if isinstance(got, str) else set(got)
    return bool(chosen & set(cond.any_of))


def shown(q: Question, answers: Mapping[str, Answer]) -> bool:
    return q.show_if is None or meets(q.show_if, answers)


def check_form(survey: Survey, form: Mapping[str, Sequence[str]]) -> Checked:
    """The answers in ``form`` (field → values, as a form decoder gives them), or why each field is refused."""
    out = Checked()
    if sum(len(v) for v in form.values()) > MAX_FIELDS:
        out.problems["form"] = f"more than {MAX_FIELDS} values"
        return out
    known = {name for q in survey.questions for name in _fields(q)}
    for name in sorted(n for n in form if n.startswith(PREFIX) and n not in known):
        out.problems[name[:80]] = "no such question in this survey"
    for q in survey.questions:
        if q.type is QuestionType.servqual:
            _servqual(q, form, out)
            continue
        values = [v for v in form.get(PREFIX + q.id, ()) if v.strip()]
        if not values:
            continue
        value, problem = _one(q, values)
        if problem:
            out.problems[PREFIX + q.id] = problem
        elif value is not None:
            out.answers[q.id] = value
    for q in survey.questions:
        if not shown(q, out.answers):
            out.answers.pop(q.id, None)
        elif q.required and q.id not in out.answers and PREFIX + q.id not in out.problems:
            out.problems[PREFIX + q.id] = "an answer is required"
    return out


def _fields(q: Question) -> list[str]:
    if q.type is QuestionType.servqual:
        return [f"{PREFIX}{q.id}.{part}" for part in SERVQUAL_PARTS]
    return [PREFIX + q.id]


def _servqual(q: Question, form: Mapping[str, Sequence[str]], out: Checked) -> None:
    """Both ratings of a SERVQUAL item, or neither; a problem is named at the item (``q.<id>``)."""
    lo, hi = SERVQUAL_SCALE
    got: dict[str, int] = {}
    for part in SERVQUAL_PARTS:
        values = [v for v in form.get(f"{PREFIX}{q.id}.{part}", ()) if v.strip()]
        if len(values) > 1:
            out.problems[PREFIX + q.id] = "one answer only"
            return
        raw = values[0].strip() if values else ""
        if raw and (not (raw.isascii() and raw.isdigit()) or not lo <= int(raw) <= hi):
            out.problems[PREFIX + q.id] = f"a whole number from {lo} to {hi}"
            return
        if raw:
            got[part] = int(raw)
    if len(got) == 1:
        out.problems[PREFIX + q.id] = "rate both what you expected and what you got"
    elif got:
        out.answers[q.id] = got


def _one(q: Question, values: list[str]) -> tuple[Answer | None, str | None]:
    if q.type is not QuestionType.multiple and len(values) > 1:
        return None, "one answer only"
    if q.type in SCALES:
        lo, hi = SCALES[q.type]
        raw = values[0].strip()
        if not (raw.isascii() and raw.isdigit()) or not lo <= int(raw) <= hi:
            return None, f"a whole number from {lo} to {hi}"
        return int(raw), None
    if q.type in CHOICES:
        options = {o.id for o in q.options}
        unknown = [v for v in values if v not in options]
        if unknown:
            return None, f"not an option: {unknown[0][:40]!r}"
        if len(set(values)) != len(values):
            return None, "an option chosen twice"
        return (values[0] if q.type is QuestionType.single else tuple(values)), None
    return _text(q, values[0])


def _text(q: Question, raw: str) -> tuple[Answer | None, str | None]:
    text = raw.replace("\r\n", "\n").strip()
    if len(text) > q.max_length:
        return None, f"at most {q.max_length} characters (got {len(text)})"
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        return None, "contains control characters"
    return text, None


def feedback_row(survey: Survey, answers: Mapping[str, Answer]) -> dict[str, float | str | None]:
    """The ``feedback`` columns the answers fill: each score type's question, the first open text, and
    the respondent's SERVQUAL gap per dimension (``<dimension>_gap``, :func:`servqual.respondent_gaps`)."""
    row: dict[str, float | str | None] = {"csat": None, "nps": None, "ces": None, "text": None}
    for q in survey.questions:
        value = answers.get(q.id)
        if q.type in SCALES and isinstance(value, int):
            row[q.type.value] = value
        elif q.type is QuestionType.text and isinstance(value, str) and row["text"] is None:
            row["text"] = value
    for dim, mean_gap in servqual.respondent_gaps(survey, answers).items():
        row[servqual.gap_field(dim)] = mean_gap
    return row
