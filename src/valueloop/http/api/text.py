"""``/api/v1/text``: voice of the customer — topic lifecycle and hot spots (workspace-wide)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from valueloop.http.deps import TextRead, WorkspaceDep
from valueloop.http.response_cache import CACHED
from valueloop.voice.service import text
from valueloop.voice.service.text import Period
from valueloop.voice.taxonomy import ShippedName

router = APIRouter(tags=["text"])


@router.get("/text/lifecycle", dependencies=[CACHED])
def lifecycle(_: TextRead, ws: WorkspaceDep, by: Period = "month") -> list[dict[str, Any]]:
    return text.lifecycle(ws, by)


@router.get("/text/hotspots", dependencies=[CACHED])
def hotspots(_: TextRead, ws: WorkspaceDep, by: Period = "month", top: int = Query(20, ge=1, le=200),
             taxonomy: ShippedName | None = None) -> dict[str, Any]:  # fmt: skip
    """``taxonomy``: a shipped taxonomy by name; none: the workspace's taxonomy.yaml when it has one."""
    return text.hotspots(ws, by, top, taxonomy)
