"""``/api/v1/vsm``: the value stream map of a process from real step timestamps (pooled over every unit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from valueloop.accounts import scope
from valueloop.errors import InputError
from valueloop.http.deps import ScoresRead, WorkspaceDep
from valueloop.improvement.service.vsm import process_files, value_stream_map
from valueloop.improvement.vsm_results import ValueStreamMap

router = APIRouter(tags=["analysis"])
Period = Annotated[str | None, Query(max_length=20)]


@router.get("/vsm")
def vsm(who: ScoresRead, ws: WorkspaceDep, process: Annotated[str, Query(min_length=1, max_length=100)],
        period: Period = None, compare: Period = None) -> ValueStreamMap:  # fmt: skip
    """Per-step times, lead time, PCE and bottleneck; with ``compare``, the change from ``period`` to it.

    ``process`` is the id of a workspace or packaged process (never a file path). The map pools
    every unit's interactions, so a scoped caller gets none (404).
    """
    scope.pooled(who, "value stream map")
    known = process_files(ws)
    if process not in known:
        raise InputError(f"unknown process {process!r}; known: {', '.join(sorted(known))}")
    return value_stream_map(ws, process, period, compare)
