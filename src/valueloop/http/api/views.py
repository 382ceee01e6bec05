"""``/api/v1/views``: the caller's saved filter sets (named queries of the rankings, alerts, board and voice pages).

Every signed-in user has their own; nobody sees or deletes another's (another user's view id is a 404).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from valueloop.accounts.service import saved_views
from valueloop.accounts.service.saved_views import SavedView
from valueloop.http.deps import Authenticated, WorkspaceDep

router = APIRouter(tags=["views"])
PageName = Literal["rankings", "alerts", "actions", "voice", "cases", "surveys", "vsm"]
ViewId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class ViewIn(BaseModel):
    """A filter set to save under ``name`` (an existing view of that name on that page is replaced)."""

    model_config = ConfigDict(extra="forbid")
    page: PageName
    name: Annotated[str, Field(min_length=1, max_length=100)]
    query: Annotated[str, Field(max_length=2000, examples=["period=2026-10&region=east"])] = ""


@router.get("/views")
def list_views(who: Authenticated, ws: WorkspaceDep, page: Annotated[PageName | None, Query()] = None
               ) -> list[SavedView]:  # fmt: skip
    """The caller's saved views, of one page or of every page."""
    return saved_views.list_views(ws, who.username, page)


@router.post("/views", status_code=201)
def save_view(who: Authenticated, ws: WorkspaceDep, body: ViewIn) -> SavedView:
    """Save the caller's current filters of a page under a name."""
    return saved_views.save_view(ws, who.username, body.page, body.name, body.query)


@router.delete("/views/{view_id}", status_code=204)
def delete_view(who: Authenticated, ws: WorkspaceDep, view_id: ViewId) -> None:
    """Delete one of the caller's saved views."""
    saved_views.delete_view(ws, who.username, view_id)
