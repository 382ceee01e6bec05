"""Load and check survey files, every problem at once with file:line: path (the model loader's manner).

Structure is pydantic's; meaning is checked here: ids are unique and well formed, choice
questions have options and nothing else does, each score type appears once (it fills one
``feedback`` column), a SERVQUAL item names its dimension, every text exists in every language the survey offers, and a
condition names an *earlier* question with a test its answers can meet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import ValidationError

from valueloop.errors import SpecError
from valueloop.spec.yamlsource import PathKey, Problem, load_yaml
from valueloop.surveys.spec import (
    CHOICES,
    EMAIL,
    ID,
    SCALES,
    Condition,
    Dimension,
    Question,
    QuestionType,
    Survey,
    Text,
    TextRule,
)

SUFFIXES = (".yaml", ".yml")


Topics = Callable[[], frozenset[str]]
"""The taxonomy category ids a text rule may name (asked only when one names a topic)."""


def load_survey(file: Path, topics: Topics | None = None) -> Survey:
    """Parse ``file``; raise :class:`SpecError` listing every problem, or return the survey.

    ``topics``: the workspace taxonomy's category ids, to check a text rule's ``topic`` (None: not checked)."""
    doc = load_yaml(file)
    try:
        survey = Survey.model_validate(doc.data)
    except ValidationError as err:
        doc.fail([Problem(tuple(e["loc"]), e["msg"]) for e in err.errors()])
        raise AssertionError("unreachable") from err
    problems = list(check_survey(survey, topics))
    if survey.id != file.stem:
        problems.append(Problem(("id",), f"the survey id {survey.id!r} must be the file name {file.stem!r}"))
    doc.fail(problems)
    return survey


def survey_files(folder: Path) -> list[Path]:
    """The survey files of a workspace's ``surveys/`` folder, by name (none when it does not exist)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and not p.name.startswith((".", "_")))


def load_surveys(folder: Path, topics: Topics | None = None) -> tuple[dict[str, Survey], dict[str, str]]:
    """Every valid survey by id, and every broken file's problems by file name: one bad file hides no other."""
    good: dict[str, Survey] = {}
    bad: dict[str, str] = {}
    for f in survey_files(folder):
        try:
            good[f.stem] = load_survey(f, topics)
        except SpecError as err:
            bad[f.name] = str(err)
    return good, bad


def check_survey(survey: Survey, topics: Topics | None = None) -> Iterator[Problem]:
    if not ID.match(survey.id):
        yield Problem(("id",), "an id is lower-case letters, digits and _ (starting with a letter)")
    yield from _texts(("title",), survey.title, survey)
    seen: dict[str, Question] = {}
    for i, q in enumerate(survey.questions):
        path: PathKey = ("questions", i)
        yield from _question(path, q, survey, seen)
        seen[q.id] = q
    for i, rule in enumerate(survey.follow_up.rules):
        if isinstance(rule, TextRule):
            yield from _text_rule(("follow_up", "rules", i), rule, seen, topics)
        else:
            yield from _condition(("follow_up", "rules", i), rule, seen, scores_only=True)
    if survey.follow_up.rules and not survey.follow_up.owners:
        yield Problem(("follow_up", "owners"), 'cases need an owner: map unit ids (or "*") to user names')
    for who, address in survey.follow_up.addresses.items():
        if not EMAIL.match(address):
            yield Problem(("follow_up", "addresses", who), f"{address[:80]!r} is not an e-mail address")


def _question(path: PathKey, q: Question, survey: Survey, seen: dict[str, Question]) -> Iterator[Problem]:
    if not ID.match(q.id):
        yield Problem((*path, "id"), f"question id {q.id!r}: lower-case letters, digits and _")
    if q.id in seen:
        yield Problem((*path, "id"), f"duplicate question id {q.id!r}")
    if q.type in SCALES and any(s.type is q.type for s in seen.values()):
        yield Problem((*path, "type"), f"a survey has at most one {q.type} question (it fills feedback.{q.type})")
    yield from _texts((*path, "text"), q.text, survey)
    if q.type in CHOICES:
        yield from _options(path, q, survey)
    elif q.options:
        yield Problem((*path, "options"), f"a {q.type} question has no options")
    if q.type is QuestionType.servqual and q.dimension is None:
        yield Problem((*path, "dimension"), "a servqual item needs a dimension: " + ", ".join(Dimension))
    elif q.type is not QuestionType.servqual and q.dimension is not None:
        yield Problem((*path, "dimension"), f"a {q.type} question has no dimension (only servqual items do)")
    if q.show_if is not None:
        yield from _condition((*path, "show_if"), q.show_if, seen, scores_only=False)


def _options(path: PathKey, q: Question, survey: Survey) -> Iterator[Problem]:
    if len(q.options) < 2:
        yield Problem((*path, "options"), f"a {q.type} question needs at least two options")
    ids = [o.id for o in q.options]
    for j, o in enumerate(q.options):
        if ids.count(o.id) > 1:
            yield Problem((*path, "options", j, "id"), f"duplicate option id {o.id!r}")
        yield from _texts((*path, "options", j, "text"), o.text, survey)


def _texts(path: PathKey, text: Text, survey: Survey) -> Iterator[Problem]:
    for lang in survey.languages:
        words = text.zh if lang == "zh" else text.en
        if not words or not words.strip():
            yield Problem(path, f"missing the {lang} text")


def _condition(path: PathKey, cond: Condition, seen: dict[str, Question], *, scores_only: bool) -> Iterator[Problem]:
    target = seen.get(cond.question)
    if target is None:
        where = "any question" if scores_only else "an earlier question"
        yield Problem((*path, "question"), f"{cond.question!r} is not {where} of this survey")
        return
    scale = SCALES.get(target.type)
    if scale is None and (scores_only or cond.at_most is not None or cond.at_least is not None):
        yield Problem(path, f"{cond.question} is a {target.type} question: at_most/at_least need a score question")
    if cond.any_of and target.type not in CHOICES:
        yield Problem((*path, "any_of"), f"{cond.question} is a {target.type} question: any_of needs options")
    for key in ("at_most", "at_least"):
        value = getattr(cond, key)
        if scale is not None and value is not None and not scale[0] <= value <= scale[1]:
            yield Problem((*path, key), f"{value} is outside the {target.type} scale {scale[0]}–{scale[1]}")
    known = {o.id for o in target.options}
    for k, option in enumerate(cond.any_of):
        if target.type in CHOICES and option not in known:
            yield Problem((*path, "any_of", k), f"{cond.question} has no option {option!r}")


def _text_rule(path: PathKey, rule: TextRule, seen: dict[str, Question], topics: Topics | None) -> Iterator[Problem]:
    target = seen.get(rule.text)
    if target is None:
        yield Problem((*path, "text"), f"{rule.text!r} is not any question of this survey")
    elif target.type is not QuestionType.text:
        yield Problem((*path, "text"), f"{rule.text} is a {target.type} question: a text rule needs a text question")
    if rule.topic is not None and topics is not None:
        known = topics()
        if rule.topic not in known:
            yield Problem((*path, "topic"), f"{rule.topic!r} is not a category of the workspace taxonomy")
