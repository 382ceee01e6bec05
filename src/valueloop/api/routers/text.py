"""``/api/v1/text``: voice of the customer — topic lifecycle and hot spots (workspace-wide)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from valueloop.api.deps import TextRead, WorkspaceDep
from valueloop.api.response_cache import CACHED
from valueloop.flows import text
from valueloop.flows.text import Period

router = APIRouter(tags=["text"])


@router.get("/text/lifecycle", dependencies=[CACHED])
def lifecycle(_: TextRead, ws: WorkspaceDep, by: Period = "month") -> list[dict[str, Any]]:
    return text.lifecycle(ws, by)


@router.get("/text/hotspots", dependencies=[CACHED])
def hotspots(_: TextRead, ws: WorkspaceDep, by: Period = "month", top: int = Query(20, ge=1, le=200)) -> dict[str, Any]:
    return text.hotspots(ws, by, top)
