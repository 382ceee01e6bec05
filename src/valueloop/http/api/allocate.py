"""``/api/v1/allocate``: traffic allocation by score band over a stored run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from valueloop.accounts.service.accounts import visible_units
from valueloop.evaluation.service import allocate as alloc
from valueloop.http.deps import ScoresRead, WorkspaceDep

router = APIRouter(tags=["scores"])


@router.get("/allocate")
def allocate(who: ScoresRead, ws: WorkspaceDep, budget: Annotated[int, Query(ge=0, le=10**12)],
             run: Annotated[str | None, Query(max_length=100)] = None,
             bands: Annotated[str | None, Query(max_length=500)] = None) -> alloc.Allocation:  # fmt: skip
    """Share ``budget`` among a run's units by score band (the integers add up to the budget).

    A scoped manager sees the rows of their own units only (the shares are those of the whole run).
    """
    table = alloc.allocate(ws, budget, run, bands)
    seen = visible_units(ws, who)
    return table if seen is None else table.model_copy(update={"rows": [r for r in table.rows if r.entity_id in seen]})
