"""``http/api/`` has one router per URL prefix, and no route hides behind an earlier one.

The prefix of a route is the first path segment after ``/api/v1`` (``/people/scorecards`` →
``people``). Every prefix is served by exactly one module, so a reader looking for a route
finds it in one place, named after its resource (docs/architecture.md). Moving routes between
modules changes the order FastAPI tries them in, so the second check walks the routes in
matching order and asserts each one still answers its own path (a static ``/actions/overdue``
must come before the parameterised ``/actions/{action_id}``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from valueloop.http.app import API_PREFIX, ROUTERS, create_app
from valueloop.http.settings import ApiSettings
from valueloop.store.workspace import init_workspace


@dataclass(frozen=True)
class Served:
    path: str
    methods: frozenset[str]
    module: str
    name: str


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    ws = init_workspace(tmp_path_factory.mktemp("prefixes") / "ws")
    return create_app(ApiSettings(workspace=ws.root))


def _api_routes(app: FastAPI) -> Iterator[Served]:
    """The app's API routes in the order FastAPI matches them (included routers walked through)."""
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute) and ctx.path and ctx.path.startswith(API_PREFIX + "/"):
            yield Served(ctx.path, frozenset(ctx.methods or ()), route.endpoint.__module__, route.name)


def _prefix(path: str) -> str:
    return path.removeprefix(API_PREFIX + "/").split("/")[0]


def test_every_prefix_is_served_by_exactly_one_module(app: FastAPI) -> None:
    modules: dict[str, set[str]] = defaultdict(set)
    for served in _api_routes(app):
        modules[_prefix(served.path)].add(served.module)
    assert len(modules) >= 30  # the walk found the API
    shared = {prefix: sorted(names) for prefix, names in modules.items() if len(names) > 1}
    assert not shared, f"URL prefixes served by more than one module: {shared}"


def test_every_router_module_serves_the_routes_it_declares(app: FastAPI) -> None:
    """Handlers are defined in the module whose ``router`` registers them (no re-exported endpoints)."""
    for module in ROUTERS:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            assert route.endpoint.__module__ == module.__name__, (route.path, route.endpoint.__module__)


def test_no_route_is_shadowed_by_an_earlier_one(app: FastAPI) -> None:
    routes = list(_api_routes(app))
    for served in routes:
        concrete = re.sub(r"\{[^}]+\}", "1", served.path)
        for method in served.methods:
            first = next(r for r in routes if method in r.methods and _matches(r.path, concrete))
            assert first == served, f"{method} {concrete}: {first.name} ({first.path}) answers before {served.name}"


def _matches(template: str, path: str) -> bool:
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.fullmatch(pattern, path) is not None
