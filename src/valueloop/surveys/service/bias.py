"""The non-response bias check of a survey: responders vs invited non-responders on interaction attributes.

The invited are the survey's delivered (or exported) invitations — an invitation never
delivered could not be answered; each is joined to its interaction in the lake. Attributes:
the unit and the invitation channel, and of the interaction whatever the lake holds of
channel, category (the interaction type), escalated, reopened, resolved by a bot, handle time
(resolved − opened), time to first response and steps required. The tests are
:mod:`valueloop.surveys.bias`. Invitations still open may yet be answered, so the check is
most telling once the survey's links have expired.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from valueloop.errors import InputError
from valueloop.store import appdb
from valueloop.store.tables import survey_invitations as inv
from valueloop.store.workspace import Workspace
from valueloop.surveys.bias import compare, warning
from valueloop.surveys.service.catalog import get_survey

CATEGORIES = {"channel": "interaction channel", "category": "interaction type", "escalated": "escalated",
              "reopened": "reopened", "resolved_by_bot": "resolved by bot"}  # fmt: skip
"""Interaction fields compared as categories (lake name → the attribute's name in the report)."""
DURATIONS = {"resolved_at": "handle time (h)", "first_response_at": "time to first response (h)"}
"""Timestamps whose distance from ``opened_at``, in hours, is compared as a number."""
NUMBERS = {"steps_required": "steps required"}


class _Row(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LevelRow(_Row):
    value: str
    responders: int
    non_responders: int
    responder_share: float
    non_responder_share: float


class AttributeRow(_Row):
    attribute: str
    kind: str
    test: str | None
    responders: int
    non_responders: int
    statistic: float | None
    p_value: float | None
    p_adjusted: float | None
    """Holm-adjusted over the attributes tested."""
    effect: float | None
    effect_name: str | None
    magnitude: str | None
    differs: bool
    note: str | None
    levels: list[LevelRow]
    responder_median: float | None
    non_responder_median: float | None


class BiasReport(BaseModel):
    survey_id: str
    invited: int
    """Delivered (or exported) invitations: who could have answered."""
    responders: int
    non_responders: int
    alpha: float
    attributes: list[AttributeRow]
    warning: str | None
    """Plain language, in the requested language: which attributes differ; None when none does."""


def bias_check(
    ws: Workspace, survey_id: str, units: frozenset[str] | None = None, alpha: float = 0.05, lang: str = "en"
) -> BiasReport:
    """Compare the survey's responders with its invited non-responders (within ``units``; None: every unit)."""
    get_survey(ws, survey_id)  # an unknown survey is a clear error, not an empty report
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, not {alpha}")
    q = sa.select(inv.c.interaction_id, inv.c.entity_id, inv.c.channel, inv.c.answered_at).where(
        inv.c.survey_id == survey_id, inv.c.delivered_at.is_not(None)
    )
    if units is not None:
        q = q.where(inv.c.entity_id.in_(sorted(units)))
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(q.order_by(inv.c.interaction_id)).all()
    answered = [r.answered_at is not None for r in rows]
    categories: dict[str, list[str | None]] = {
        "unit": [r.entity_id for r in rows],
        "invitation channel": [r.channel for r in rows],
    }
    numbers: dict[str, list[float | None]] = {}
    _interaction_attributes(ws, [r.interaction_id for r in rows], categories, numbers)
    tests = compare(answered, categories, numbers, alpha)
    yes = sum(answered)
    return BiasReport(survey_id=survey_id, invited=len(rows), responders=yes, non_responders=len(rows) - yes,
                      alpha=alpha, attributes=[AttributeRow.model_validate(t) for t in tests],
                      warning=warning(tests, lang))  # fmt: skip


def _interaction_attributes(
    ws: Workspace, ids: list[str], categories: dict[str, list[str | None]], numbers: dict[str, list[float | None]]
) -> None:
    """Add the lake's attributes of the interactions ``ids`` (in that order); fields with no value are left out."""
    from valueloop.store.warehouse import Warehouse

    if not ids:
        return
    wh = Warehouse(ws)
    t = wh.table("interactions")
    wanted = ["interaction_id", "opened_at", *CATEGORIES, *DURATIONS, *NUMBERS]
    df = wh.execute(t.filter(t.interaction_id.isin(ids)).select(*[c for c in wanted if c in t.columns]))
    found: dict[str, dict[str, Any]] = {str(r["interaction_id"]): r for r in df.to_dict("records")}
    got = [found.get(i, {}) for i in ids]
    for field, name in CATEGORIES.items():
        values = [_category(g.get(field)) for g in got]
        if any(v is not None for v in values):
            categories[name] = values
    for field, name in DURATIONS.items():
        hours = [_hours(g.get("opened_at"), g.get(field)) for g in got]
        if any(h is not None for h in hours):
            numbers[name] = hours
    for field, name in NUMBERS.items():
        values_n = [_number(g.get(field)) for g in got]
        if any(v is not None for v in values_n):
            numbers[name] = values_n


def _missing(value: object) -> bool:
    """None, NaN, NaT or pandas' NA (whose comparisons are NA, not False)."""
    import pandas as pd

    return value is None or bool(pd.isna(value))  # type: ignore[call-overload]


def _category(value: object) -> str | None:
    if _missing(value) or value == "":
        return None
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    return str(value)


def _hours(start: object, end: object) -> float | None:
    if _missing(start) or _missing(end):
        return None
    delta = end - start  # type: ignore[operator]
    return float(delta.total_seconds()) / 3600.0


def _number(value: object) -> float | None:
    return None if _missing(value) else float(value)  # type: ignore[arg-type]
