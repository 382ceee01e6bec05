"""``create_app(settings)``: the JSON API under ``/api/v1`` and the dashboard under ``/``, one process."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from valueloop.api import errors
from valueloop.api.routers import actions, findings, health, ingest, models, runs, text
from valueloop.api.settings import ApiSettings
from valueloop.store.workspace import open_workspace

API_PREFIX = "/api/v1"


def create_app(settings: ApiSettings) -> FastAPI:
    """The whole web surface over one workspace (opened, and its database migrated, here)."""
    from valueloop.store import appdb
    from valueloop.web import pages

    ws = open_workspace(settings.workspace)
    appdb.engine(ws.database_url)
    app = FastAPI(title="valueloop", summary="Service value evaluation and continuous improvement",
                  version="1", openapi_url="/openapi.json", docs_url="/api/docs", redoc_url=None)
    app.state.settings = settings
    app.state.workspace = ws
    api = APIRouter(prefix=API_PREFIX)
    for module in (health, models, runs, findings, actions, text, ingest):
        api.include_router(module.router)
    app.include_router(api)
    pages.mount(app)
    errors.install(app)
    return app
