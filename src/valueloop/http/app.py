"""``create_app(settings)``: the JSON API under ``/api/v1`` and the dashboard under ``/``, one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp

from valueloop.http import errors
from valueloop.http.answer_batcher import AnswerBatcher
from valueloop.http.api import (
    accounts,
    actions,
    alerts,
    allocate,
    cases,
    documents,
    events,
    experiments,
    findings,
    goals,
    health,
    ingest,
    ledger,
    mcda,
    metrics,
    models,
    monitor,
    people,
    qa,
    quarantine,
    reports,
    runs,
    subscriptions,
    surveys,
    text,
    verify,
    views,
    vsm,
)
from valueloop.http.headers import SecurityHeaders
from valueloop.http.limits import BodyLimit
from valueloop.http.live import Live
from valueloop.http.proxy import TrustedProxies, networks
from valueloop.http.response_cache import ResponseCache
from valueloop.http.settings import ApiSettings
from valueloop.store.workspace import data_stamp, open_workspace

API_PREFIX = "/api/v1"
ROUTERS = (
    health,
    models,
    mcda,
    runs,
    findings,
    actions,
    experiments,
    text,
    ingest,
    reports,
    events,
    alerts,
    monitor,
    allocate,
    verify,
    people,
    qa,
    ledger,
    vsm,
    documents,
    quarantine,
    goals,
    accounts,
    surveys,
    cases,
    views,
    subscriptions,
)
"""The API's resource routers, in OpenAPI order: each module has a ``router`` and alone serves its URL prefixes
(the first path segment after ``/api/v1``; ``tests/api/test_routers_by_prefix.py``)."""


class _App(FastAPI):
    """FastAPI whose whole middleware stack, error pages included, is wrapped in :class:`SecurityHeaders`."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.answers.start()  # survey answers a previous run left pending go to the lake now
    yield
    app.state.live.close()  # checkpoint the monitor, drain notifications
    app.state.answers.close()  # and the last accepted survey answers


def create_app(settings: ApiSettings) -> FastAPI:
    """The whole web surface over one workspace (opened, and its database migrated, here)."""
    from valueloop.http.web import pages
    from valueloop.store import appdb

    proxies = networks(settings.trusted_proxies)  # a mistyped address fails here, not at the first request
    ws = open_workspace(settings.workspace)
    appdb.engine(ws.database_url)
    app = _App(
        title="valueloop",
        summary="Service value evaluation and continuous improvement",
        version="1",
        openapi_url="/openapi.json",
        docs_url=None,  # /api/docs is the dashboard's page over the vendored Swagger UI (web/api_docs_page.py)
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.workspace = ws
    app.state.live = Live(app)
    app.state.answers = AnswerBatcher(ws)
    api = APIRouter(prefix=API_PREFIX)
    for module in ROUTERS:
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(metrics.router)  # Prometheus scrapes /metrics at the root
    pages.mount(app)
    errors.install(app)
    if settings.response_cache_seconds > 0:
        app.add_middleware(ResponseCache, stamp=lambda: data_stamp(ws), ttl=settings.response_cache_seconds)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    if proxies:
        app.add_middleware(TrustedProxies, proxies=proxies)  # outermost: every layer sees the real client
    return app
