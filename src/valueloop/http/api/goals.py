"""``/api/v1/goals``: targets per indicator, unit and period (``goals.yaml``) and how far each is attained.

``GET /goals/check`` is ``valueloop goals check`` (the file against the model, every problem with
file:line); ``GET /goals`` is ``valueloop goals show`` (one row per goal and unit). A scoped
manager gets the rows, and the counts, of their own units' goals (and of ``entity: "*"``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from valueloop.accounts.service.accounts import visible_units
from valueloop.errors import SpecError
from valueloop.evaluation.service.goals import GOALS_FILE, GoalsCheck, applies, check_goals, goals_path, load_goals
from valueloop.evaluation.service.models import load_versions
from valueloop.http.deps import ScoresRead, WorkspaceDep
from valueloop.reporting.data import GoalsSection
from valueloop.reporting.service.review import goal_attainment

router = APIRouter(tags=["goals"])
ModelId = Annotated[str | None, Query(min_length=1, max_length=100)]
Level = Annotated[str | None, Query(min_length=1, max_length=100)]
Period = Annotated[str, Query(min_length=4, max_length=20, examples=["2026-10", "2026-Q3", "2026"])]


@router.get("/goals/check")
def check(who: ScoresRead, ws: WorkspaceDep, model: ModelId = None) -> GoalsCheck:
    """Validate goals.yaml against the model in force: ``valid`` and the number of goals, or every problem.

    A workspace without goals.yaml is valid with no goals (``exists`` says which).
    """
    return check_goals(ws, load_versions(ws, model)[-1], visible_units(ws, who))


@router.get("/goals")
def show(who: ScoresRead, ws: WorkspaceDep, period: Period, level: Level = None, model: ModelId = None
         ) -> GoalsSection:  # fmt: skip
    """Attainment of every goal set for ``period`` (a month, quarter or year), one row per goal and unit.

    ``attainment`` is a percent: value/target when higher is better, target/value when lower is
    better; ``other_periods`` counts the goals set for other periods.
    """
    path = goals_path(ws)
    try:
        section = goal_attainment(ws, period, level, model)
    except SpecError as err:
        raise SpecError(str(err).replace(str(path), GOALS_FILE)) from err
    out = section.model_copy(update={"file": GOALS_FILE if section.file else None})
    seen = visible_units(ws, who)
    if seen is None:
        return out
    rows = [r for r in out.rows if r.entity_id in seen]
    others = sum(g.period != period and applies(g, seen) for g in load_goals(ws))
    return out.model_copy(update={"rows": rows, "other_periods": others})
