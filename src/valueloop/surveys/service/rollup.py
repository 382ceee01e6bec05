"""From the inner loop to the outer: root causes that recur across a month's closed cases become actions.

"N cases with the same cause in a month → propose an action": :func:`recurring` lists them;
:func:`propose` creates one improvement action per recurring cause (linked to the cause as a
complaint topic and to every unit it touched), once per cause and month — proposing again
finds the action by its title and creates nothing.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.improvement.service.actions import create_action
from valueloop.improvement.service.actions_view import list_actions
from valueloop.store import appdb
from valueloop.store.tables import survey_cases as cases
from valueloop.store.workspace import Workspace
from valueloop.surveys.cases import ClosedCase, recurring_causes

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_LINKED_UNITS = 50


class Proposal(BaseModel):
    root_cause: str
    month: str
    cases: list[int]
    units: list[str]
    title: str
    action_id: int | None
    """The action proposed for it (now or by an earlier run); None in a listing before any is made."""


def _title(cause: str, month: str) -> str:
    return f"Recurring root cause {cause} in {month}: follow-up cases"[:200]


def recurring(ws: Workspace, month: str, min_cases: int, units: frozenset[str] | None = None) -> list[Proposal]:
    """Causes of at least ``min_cases`` cases closed in ``month`` within ``units``, with any action already made."""
    if not MONTH.match(month):
        raise InputError(f"month: {month[:20]!r} is not YYYY-MM")
    if min_cases < 1:
        raise InputError("min_cases: at least 1")
    q = sa.select(cases.c.case_id, cases.c.entity_id, cases.c.root_cause, cases.c.closed_at).where(
        cases.c.closed_at.is_not(None), cases.c.root_cause.is_not(None)
    )
    if units is not None:
        q = q.where(cases.c.entity_id.in_(sorted(units)))
    with appdb.engine(ws.database_url).connect() as conn:
        closed = [ClosedCase(int(i), e, c, appdb.as_utc(t)) for i, e, c, t in conn.execute(q)]
    existing = {a.title: a.action_id for a in list_actions(ws)}
    found = recurring_causes(closed, month, min_cases, ws.settings.workspace.timezone)
    out = []
    for r in found:
        title = _title(r.root_cause, month)
        out.append(Proposal(root_cause=r.root_cause, month=month, cases=list(r.cases), units=list(r.units),
                            title=title, action_id=existing.get(title)))  # fmt: skip
    return out


def propose(
    ws: Workspace, month: str, min_cases: int, owner: str, department: str, by: str,
    units: frozenset[str] | None = None,
) -> list[Proposal]:  # fmt: skip
    """Create the action of every recurring cause that has none yet; every proposal, with its action id."""
    out = []
    for p in recurring(ws, month, min_cases, units):
        if p.action_id is None:
            links = [{"kind": "complaint_topic", "ref": p.root_cause}]
            links += [{"kind": "entity", "ref": u} for u in p.units[:MAX_LINKED_UNITS]]
            said = f"{len(p.cases)} follow-up cases closed in {p.month} named root cause {p.root_cause}"
            listed = f"cases {', '.join(map(str, p.cases[:30]))}; units {', '.join(p.units[:30])}"
            fields = {"title": p.title, "description": f"{said} ({listed}).", "owner": owner,
                      "department": department, "links": links}  # fmt: skip
            p = p.model_copy(update={"action_id": create_action(ws, fields, by)})
        out.append(p)
    return out
