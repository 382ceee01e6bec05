"""``/api/v1/allocate`` and ``/api/v1/models/diff``: traffic allocation by score band, version comparison."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import visible_units
from valueloop.evaluation.service import allocate as alloc
from valueloop.evaluation.service.model_diff import ModelDiff, diff_versions
from valueloop.http.deps import ScoresRead, WorkspaceDep

router = APIRouter(tags=["scores"])
Version = Annotated[int, Query(ge=1, le=2**31 - 1)]


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


@router.get("/models/diff", response_model_by_alias=True)
def model_diff(who: ScoresRead, ws: WorkspaceDep, model: Annotated[str, Query(min_length=1, max_length=100)],
               from_: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)],
               to: Version, period: Annotated[str | None, Query(max_length=20)] = None,
               level: Annotated[str | None, Query(max_length=50)] = None) -> ModelDiff:  # fmt: skip
    """Score one period under two versions (nothing stored): rank correlations, movers, every unit's change.

    The rank correlations pool every unit, so a scoped caller gets none (404).
    """
    scope.pooled(who, "model comparison")
    return diff_versions(ws, model, from_, to, period, level)
