"""Template rendering shared by the page routers: the locale, the caller and the CSRF token in every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from valueloop.accounts.service.accounts import Principal
from valueloop.accounts.service.saved_views import SavedView, list_views
from valueloop.http.web.i18n import LANG_COOKIE, Translator
from valueloop.http.web.labels import Labels

HERE = Path(__file__).parent
# autoescape=True, not Starlette's default select_autoescape(): that escapes only *.html/*.xml names,
# so a page template named otherwise would render names and titles as markup
templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True))


def translator(request: Request) -> Translator:
    """The caller's language, on the served workspace's clock."""
    ws = getattr(request.app.state, "workspace", None)
    tz = ws.settings.workspace.timezone if ws is not None else None
    return Translator(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "", tz)


def landing(who: Principal | None) -> str | None:
    """A user bound to one unit lands on that unit's page (its subtree's roll-up), not the company overview."""
    return f"/units/{quote(who.units[0], safe='')}" if who is not None and len(who.units) == 1 else None


def _views_of(request: Request, who: Principal | None) -> Any:
    """The caller's saved views of a page, read only by the pages that show them (``_saved_views.html``)."""

    def views(page_name: str) -> list[SavedView]:
        ws = getattr(request.app.state, "workspace", None)
        return list_views(ws, who.username, page_name) if ws is not None and who is not None else []

    return views


def page(request: Request, name: str, who: Principal | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    tr = translator(request)
    ctx = {
        "tr": tr,
        "t": tr.t,
        "lb": context.pop("lb", None) or Labels(getattr(request.app.state, "workspace", None), tr),
        "who": who,
        "csrf": who.csrf_token if who else None,
        "path": request.url.path,
        "home": landing(who),
        "query": request.url.query,
        "saved_views": _views_of(request, who),
        **context,
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
