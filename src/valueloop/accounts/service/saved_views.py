"""Saved views: a user's named filter sets on the dashboard's list pages (rankings, alerts, cases, surveys, …).

A view is the page's query string, kept as the user typed it into the page's selectors; applying it
is opening the page with that query, so the page's own checks judge it every time (a view saved
before a model or period went away shows what the page shows for an unknown choice). Each user sees
and deletes only their own views: another user's view id is answered as not found.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa

from valueloop.errors import InputError, NotFound
from valueloop.results import Instant, Result
from valueloop.store import appdb
from valueloop.store import tables as db
from valueloop.store.workspace import Workspace

PAGES: Final = ("rankings", "alerts", "actions", "voice", "cases", "surveys", "vsm")
"""The pages with selectors whose filters can be saved. (The records behind an indicator value have a part
and a page, not filters: their address names the unit and indicator, and a bookmark keeps it.)"""
MAX_VIEWS: Final = 50
"""Views per user and page: a list to pick from, not a store."""


class SavedView(Result):
    view_id: int
    page: str
    name: str
    query: str
    created_at: Instant

    @property
    def href(self) -> str:
        return f"/{self.page}" + (f"?{self.query}" if self.query else "")


def clean_query(query: str) -> str:
    """The query string without a leading ``?`` and without empty parameters, in a stable form."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=True) if k and v]
    return urlencode(pairs)


def _page(page: str) -> str:
    if page not in PAGES:
        raise InputError(f"page: {page!r} has no saved views; one of {', '.join(PAGES)}")
    return page


def _row(r: sa.RowMapping) -> SavedView:
    return SavedView(view_id=r["view_id"], page=r["page"], name=r["name"], query=r["query"],
                     created_at=appdb.as_utc(r["created_at"]))  # fmt: skip


def list_views(ws: Workspace, username: str, page: str | None = None) -> list[SavedView]:
    """``username``'s views, of one page or of all, by name."""
    t = db.saved_views
    q = sa.select(t).where(t.c.username == username).order_by(t.c.page, t.c.name)
    if page is not None:
        q = q.where(t.c.page == _page(page))
    with appdb.engine(ws.database_url).connect() as conn:
        return [_row(r) for r in conn.execute(q).mappings()]


def save_view(ws: Workspace, username: str, page: str, name: str, query: str) -> SavedView:
    """Save (or replace, by name) ``username``'s view of ``page``."""
    name = name.strip()
    if not name:
        raise InputError("name: a saved view needs a name")
    t = db.saved_views
    values = {"query": clean_query(query), "created_at": datetime.now(UTC)}
    key = (t.c.username == username) & (t.c.page == _page(page)) & (t.c.name == name)
    with appdb.engine(ws.database_url).begin() as conn:
        if conn.execute(t.update().where(key).values(**values)).rowcount == 0:
            count = conn.execute(
                sa.select(sa.func.count()).select_from(t).where((t.c.username == username) & (t.c.page == page))
            ).scalar_one()
            if count >= MAX_VIEWS:
                raise InputError(f"{page}: at most {MAX_VIEWS} saved views; delete one first")
            conn.execute(t.insert().values(username=username, page=page, name=name, **values))
        return _row(conn.execute(sa.select(t).where(key)).mappings().one())


def delete_view(ws: Workspace, username: str, view_id: int) -> None:
    """Delete one of ``username``'s views; someone else's, or none, is :class:`NotFound`."""
    t = db.saved_views
    with appdb.engine(ws.database_url).begin() as conn:
        gone = conn.execute(t.delete().where((t.c.view_id == view_id) & (t.c.username == username))).rowcount
    if gone != 1:
        raise NotFound(f"saved view {view_id} not found")
