"""Use case: targets per indicator, unit and period, and how far each is attained.

Goals live in ``goals.yaml`` in the workspace, a list of
``{indicator, entity, period, target}`` (``entity: "*"`` sets the target for every unit
at the report's level; ``indicator: score`` targets the composite score). Every problem
is reported with file:line at once.

>>> attainment(4.2, 4.0, "higher")
105.0
>>> attainment(30.0, 24.0, "lower")
80.0
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from valueloop.errors import InputError, SpecError
from valueloop.results import Result
from valueloop.spec.model import EvaluationModel, Grain
from valueloop.spec.yamlsource import Problem, load_yaml
from valueloop.store.workspace import Workspace

GOALS_FILE = "goals.yaml"
COMPOSITE = "score"
REVIEW_YEARS = (1900, 2199)
_GRAINS = ((Grain.quarter, r"^\d{4}-Q[1-4]$"), (Grain.month, r"^\d{4}-\d{2}$"), (Grain.year, r"^\d{4}$"))


class Goal(BaseModel):
    indicator: str
    entity: str
    period: str
    target: float
    line: int


def grain_of(period: str) -> Grain:
    """The grain of a period label a review can cover: a month, a quarter or a year."""
    for grain, pattern in _GRAINS:
        if re.match(pattern, period):
            if not REVIEW_YEARS[0] <= int(period[:4]) <= REVIEW_YEARS[1]:  # year 1 or 9999 has no neighbour period
                raise InputError(f"period {period!r}: the year must be in {REVIEW_YEARS[0]}–{REVIEW_YEARS[1]}")
            return grain
    raise InputError(f"period {period!r} is not a month (2026-08), quarter (2026-Q3) or year (2026)")


def attainment(value: float | None, target: float, direction: Literal["higher", "lower"]) -> float | None:
    """Percent of the target reached; None when the ratio is undefined (no value, or a zero divisor)."""
    if value is None:
        return None
    num, den = (value, target) if direction == "higher" else (target, value)
    return None if den == 0 else round(100.0 * num / den, 10)


def met(value: float | None, target: float, direction: Literal["higher", "lower"]) -> bool | None:
    if value is None:
        return None
    return value >= target if direction == "higher" else value <= target


class GoalsCheck(Result):
    """``goals.yaml`` against the model in force: ``valid`` and how many goals, or every problem."""

    file: str
    exists: bool
    """A workspace without goals.yaml is valid with no goals."""
    model: str
    valid: bool
    goals: int | None
    """The goals the caller may see (their units' and those set for every unit, ``entity: "*"``)."""
    problems: list[str]
    """``goals.yaml:line: path: message``, the server's folder left out."""


def check_goals(ws: Workspace, model: EvaluationModel, seen: Collection[str] | None) -> GoalsCheck:
    """Validate the goals file against ``model``; count the goals of the units in ``seen`` (None: every unit)."""
    from valueloop.evaluation.service.models import problem_lines

    path = goals_path(ws)
    exists = path.is_file()
    try:
        goals = load_goals(ws, model)
    except SpecError as err:
        problems = problem_lines(str(err), path, GOALS_FILE)
        return GoalsCheck(file=GOALS_FILE, exists=exists, model=model.id, valid=False, goals=None, problems=problems)
    seen_goals = sum(applies(g, seen) for g in goals)
    return GoalsCheck(file=GOALS_FILE, exists=exists, model=model.id, valid=True, goals=seen_goals, problems=[])


def applies(goal: Goal, seen: Collection[str] | None) -> bool:
    """A goal concerns a caller who sees ``seen`` (None: everything): their unit's, or set for every unit."""
    return seen is None or goal.entity == "*" or goal.entity in seen


def goals_path(ws: Workspace) -> Path:
    return ws.root / GOALS_FILE


def load_goals(ws: Workspace, model: EvaluationModel | None = None) -> list[Goal]:
    """The workspace's goals (none without a file); indicators are checked against ``model`` when given."""
    path = goals_path(ws)
    if not path.is_file():
        return []
    doc = load_yaml(path)
    items = doc.data if doc.data is not None else []
    if not isinstance(items, list):
        doc.fail([Problem((), "expected a list of {indicator, entity, period, target}")])
        return []
    known = {i.id for i in model.indicators} | {COMPOSITE} if model else None
    problems: list[Problem] = []
    goals = []
    for i, item in enumerate(items):
        found = _problems(item, known)
        problems += [Problem((i, *p.path), p.message) for p in found]
        if not found:
            goals.append(_goal(item, doc.line((i,))))
    doc.fail(problems)
    return goals


def _problems(item: Any, known: set[str] | None) -> list[Problem]:
    if not isinstance(item, dict):
        return [Problem((), "expected a mapping {indicator, entity, period, target}")]
    out = [Problem((k,), "unknown key") for k in item if k not in ("indicator", "entity", "period", "target")]
    out += [Problem((k,), "required") for k in ("indicator", "period", "target") if k not in item]
    ind, period, target = item.get("indicator"), item.get("period"), item.get("target")
    if "indicator" in item and (not isinstance(ind, str) or (known is not None and ind not in known)):
        out.append(Problem(("indicator",), f"unknown indicator {ind!r}; one of: {', '.join(sorted(known or []))}"))
    if not isinstance(item.get("entity", "*"), str):
        out.append(Problem(("entity",), 'a unit id, or "*" for every unit'))
    if "period" in item:
        try:
            grain_of(str(period))
        except InputError as err:
            out.append(Problem(("period",), str(err)))
    if "target" in item and (isinstance(target, bool) or not isinstance(target, int | float)):
        out.append(Problem(("target",), "a number"))
    return out


def _goal(item: dict[str, Any], line: int) -> Goal:
    return Goal(indicator=item["indicator"], entity=str(item.get("entity", "*")), period=str(item["period"]),
                target=float(item["target"]), line=line)  # fmt: skip
