"""Load and validate rubric files: every problem at once, with file:line and YAML path.

Structure is checked by pydantic; meaning here: item ids unique across the rubric, a
``before`` naming an item that has matches to be before, regular expressions that compile,
a timing check with a bound, and a starter rubric found by name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from valueloop.errors import SpecError
from valueloop.qa.rubric import ClassifierCheck, FlowCheck, PhraseCheck, RegexCheck, Rubric, TimingCheck
from valueloop.spec.yamlsource import PathKey, Problem, load_yaml

NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
RUBRIC_DIR = "qa"
"""The workspace folder of a workspace's own rubrics (``qa/*.yaml``)."""


def starter_rubrics() -> dict[str, Path]:
    """The rubrics shipped with valueloop, by file stem (``bank_call_zh`` …)."""
    folder = Path(str(resources.files("valueloop.qa").joinpath("rubrics")))
    return {f.stem: f for f in sorted(folder.glob("*.yaml"))}


def load_rubric(file: Path) -> Rubric:
    """Parse ``file``; raise :class:`SpecError` listing every problem, or return the rubric."""
    doc = load_yaml(file)
    try:
        rubric = Rubric.model_validate(doc.data)
    except ValidationError as err:
        doc.fail(_structure_problems(err))
        raise AssertionError("unreachable") from err
    doc.fail(list(check_rubric(rubric)))
    return rubric


def _structure_problems(err: ValidationError) -> list[Problem]:
    """pydantic's errors, without "needs at least 1 item" for a list whose items have errors of their own."""
    errors = err.errors()
    locs = [tuple(e["loc"]) for e in errors]
    return [
        Problem(loc, e["msg"])
        for e, loc in zip(errors, locs, strict=True)
        if not (e["type"] == "too_short" and any(other[: len(loc)] == loc and other != loc for other in locs))
    ]


def resolve(name_or_path: str | Path, workspace_root: Path | None = None, *, names_only: bool = False) -> Path:
    """A rubric file: a path, a workspace rubric ``qa/<name>.yaml``, or a starter rubric by name.

    ``names_only`` (requests over HTTP) never reads a path: only workspace and starter rubrics by name.
    """
    path = Path(name_or_path)
    if not names_only and path.is_file():
        return path
    if names_only and not NAME.fullmatch(str(name_or_path)):
        raise SpecError(f"{name_or_path!r}: give a rubric name (letters, digits, _ . -), not a path")
    if workspace_root is not None and (own := workspace_root / RUBRIC_DIR / f"{name_or_path}.yaml").is_file():
        return own
    shipped = starter_rubrics()
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    raise SpecError(f"{name_or_path}: no such rubric file, workspace rubric or starter rubric ({', '.join(shipped)})")


def check_rubric(rubric: Rubric) -> Iterator[Problem]:
    locatable: set[str] = set()
    seen: set[str] = set()
    for si, section in enumerate(rubric.sections):
        for ii, item in enumerate(section.items):
            if item.id in seen:
                yield Problem(("sections", si, "items", ii, "id"), f"duplicate item id {item.id!r}")
            seen.add(item.id)
            if isinstance(item.check, PhraseCheck | RegexCheck) and item.check.present:
                locatable.add(item.id)
    for si, section in enumerate(rubric.sections):
        for ii, item in enumerate(section.items):
            path: PathKey = ("sections", si, "items", ii)
            yield from _check(path, item.id, item.check, locatable)
            if item.bonus and item.auto_fail:
                yield Problem((*path, "auto_fail"), "an item cannot be both a bonus and an auto-fail")


def _check(path: PathKey, item_id: str, check: object, locatable: set[str]) -> Iterator[Problem]:
    at: PathKey = (*path, "check")
    if isinstance(check, PhraseCheck | RegexCheck):
        if check.position.first and check.position.last:
            yield Problem((*at, "position"), "give first or last, not both")
        if check.before is not None and (check.before not in locatable or check.before == item_id):
            yield Problem((*at, "before"), f"{check.before!r} is not another item with a phrase or regex to be found")
        if check.before is not None and not check.present:
            yield Problem((*at, "before"), "'before' needs present: true (an absent phrase has no place)")
    if isinstance(check, ClassifierCheck) and check.position.first and check.position.last:
        yield Problem((*at, "position"), "give first or last, not both")
    if isinstance(check, RegexCheck):
        try:
            re.compile(check.pattern)
        except re.error as err:
            yield Problem((*at, "pattern"), f"invalid regular expression: {err}")
    if isinstance(check, TimingCheck) and check.max is None and check.min is None:
        yield Problem(at, "a timing check needs max, min or both")
    if isinstance(check, FlowCheck) and any(not step for step in check.steps):
        yield Problem((*at, "steps"), "every step needs at least one phrase")
