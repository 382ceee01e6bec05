"""``/api/v1/goals``: targets per indicator, unit and period (``goals.yaml``) and how far each is attained.

``GET /goals/check`` is ``valueloop goals check`` (the file against the model, every problem with
file:line); ``GET /goals`` is ``valueloop goals show`` (one row per goal and unit). A scoped
manager gets the rows, and the counts, of their own units' goals (and of ``entity: "*"``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from valueloop.accounts.service.accounts import visible_units
from valueloop.errors import SpecError
from valueloop.evaluation.service.goals import GOALS_FILE, Goal, goals_path, load_goals
from valueloop.evaluation.service.models import load_versions, problem_lines
from valueloop.http.deps import ScoresRead, WorkspaceDep
from valueloop.reporting.service.review import goal_attainment

router = APIRouter(tags=["goals"])
ModelId = Annotated[str | None, Query(min_length=1, max_length=100)]
Level = Annotated[str | None, Query(min_length=1, max_length=100)]
Period = Annotated[str, Query(min_length=4, max_length=20, examples=["2026-10", "2026-Q3", "2026"])]


def _applies(goal: Goal, seen: frozenset[str] | None) -> bool:
    return seen is None or goal.entity == "*" or goal.entity in seen


@router.get("/goals/check")
def check(who: ScoresRead, ws: WorkspaceDep, model: ModelId = None) -> dict[str, Any]:
    """Validate goals.yaml against the model in force: ``valid`` and the number of goals, or every problem.

    A workspace without goals.yaml is valid with no goals (``exists`` says which).
    """
    versions = load_versions(ws, model)
    path = goals_path(ws)
    out: dict[str, Any] = {"file": GOALS_FILE, "exists": path.is_file(), "model": versions[-1].id}
    try:
        goals = load_goals(ws, versions[-1])
    except SpecError as err:
        return {**out, "valid": False, "goals": None, "problems": problem_lines(str(err), path, GOALS_FILE)}
    seen = visible_units(ws, who)
    return {**out, "valid": True, "goals": sum(_applies(g, seen) for g in goals), "problems": []}


@router.get("/goals")
def show(who: ScoresRead, ws: WorkspaceDep, period: Period, level: Level = None, model: ModelId = None
         ) -> dict[str, Any]:  # fmt: skip
    """Attainment of every goal set for ``period`` (a month, quarter or year), one row per goal and unit.

    ``attainment`` is a percent: value/target when higher is better, target/value when lower is
    better; ``other_periods`` counts the goals set for other periods.
    """
    path = goals_path(ws)
    try:
        section = goal_attainment(ws, period, level, model)
    except SpecError as err:
        raise SpecError(str(err).replace(str(path), GOALS_FILE)) from err
    out = section.model_dump(mode="json") | {"file": GOALS_FILE if section.file else None}
    seen = visible_units(ws, who)
    if seen is None:
        return out
    rows = [r for r in out["rows"] if r["entity_id"] in seen]
    others = sum(g.period != period and _applies(g, seen) for g in load_goals(ws))
    return out | {"rows": rows, "other_periods": others}
