"""SERVQUAL gaps of a survey's answers: per dimension, mean expectation, perception and gap (P − E).

The answers are the stored responses (one per respondent, the latest version of an edited one);
the maths is :mod:`valueloop.surveys.servqual`. A scoped caller sees their units' answers only.
"""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.store import appdb
from valueloop.store.tables import survey_responses as responses
from valueloop.store.workspace import Workspace
from valueloop.surveys.service.catalog import get_survey
from valueloop.surveys.servqual import dimension_gaps, overall
from valueloop.surveys.spec import QuestionType


class DimensionRow(BaseModel):
    dimension: str
    items: int
    respondents: int
    expectation: float | None
    perception: float | None
    gap: float | None
    """Perception − expectation: below 0, the service falls short of what customers expect."""


class ServqualReport(BaseModel):
    survey_id: str
    responses: int
    dimensions: list[DimensionRow]
    overall_gap: float | None
    """The unweighted SERVQUAL score: the mean of the dimension gaps."""


def servqual_report(ws: Workspace, survey_id: str, units: frozenset[str] | None = None) -> ServqualReport:
    """The gap per SERVQUAL dimension over the survey's responses within ``units`` (None: every unit)."""
    survey = get_survey(ws, survey_id)
    if not any(q.type is QuestionType.servqual for q in survey.questions):
        raise InputError(f"survey {survey_id} has no servqual item")
    q = sa.select(responses.c.answers).where(responses.c.survey_id == survey_id)
    if units is not None:
        q = q.where(responses.c.entity_id.in_(sorted(units)))
    with appdb.engine(ws.database_url).connect() as conn:
        answers = [dict(a) for a in conn.execute(q).scalars() if isinstance(a, dict)]
    gaps = dimension_gaps(survey, answers)
    rows = [DimensionRow(dimension=g.dimension.value, items=g.items, respondents=g.respondents,
                         expectation=g.expectation, perception=g.perception, gap=g.gap) for g in gaps]  # fmt: skip
    return ServqualReport(survey_id=survey_id, responses=len(answers), dimensions=rows, overall_gap=overall(gaps))
