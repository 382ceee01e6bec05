"""The per-caller response cache: reused only for the same caller and unchanged data, never across callers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from api.conftest import TestClient
from valueloop.accounts.service.accounts import create_token, revoke_token
from valueloop.http.app import create_app
from valueloop.http.response_cache import FLAG, ResponseCache
from valueloop.http.settings import ApiSettings
from valueloop.improvement.service.actions import create_action
from valueloop.store.workspace import Workspace

# ---------------------------------------------------------------------------------------------
# The middleware alone, over a counting ASGI app
# ---------------------------------------------------------------------------------------------


class Counting:
    """An ASGI app answering ``/cached`` (opted in), ``/plain`` (not) and ``/cookie`` (sets one), counting calls."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls = 0
        self.delay = delay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        number = self.calls
        if scope["path"] in ("/cached", "/cookie"):
            scope[FLAG] = True
        await asyncio.sleep(self.delay)
        headers = [(b"content-type", b"text/plain")]
        if scope["path"] == "/cookie":
            headers.append((b"set-cookie", b"a=b"))
        status = 404 if scope["path"] == "/missing" else 200
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": f"answer {number}".encode()})


def request(method: str, path: str, headers: dict[str, str] | None = None) -> Scope:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return {"type": "http", "method": method, "path": path, "query_string": b"", "headers": raw}


async def call(app: ResponseCache, scope: Scope) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def cache(inner: Counting, stamp: Callable[[], object] = lambda: 1, ttl: float = 60.0) -> ResponseCache:
    return ResponseCache(inner, stamp=stamp, ttl=ttl)  # type: ignore[arg-type]


def test_same_request_same_data_is_answered_once() -> None:
    inner = Counting()
    app = cache(inner)
    first = asyncio.run(call(app, request("GET", "/cached")))
    second = asyncio.run(call(app, request("GET", "/cached")))
    assert first == second == (200, b"answer 1")
    assert inner.calls == 1 and app.hits == 1


def test_another_caller_or_language_or_query_is_another_answer() -> None:
    inner = Counting()
    app = cache(inner)
    variants: list[dict[str, str]] = [
        {},
        {"Authorization": "Bearer a"},
        {"Authorization": "Bearer b"},
        {"Cookie": "vl_session=x"},
        {"Cookie": "vl_session=x; vl_lang=en"},
        {"Accept-Language": "en"},
    ]
    bodies = {asyncio.run(call(app, request("GET", "/cached", h)))[1] for h in variants}
    assert len(bodies) == len(variants) == inner.calls
    other_query = {**request("GET", "/cached"), "query_string": b"sort=name"}
    asyncio.run(call(app, other_query))
    assert inner.calls == len(variants) + 1


def test_a_data_change_or_an_unsafe_request_or_age_means_building_again() -> None:
    version = [1]
    inner = Counting()
    app = cache(inner, stamp=lambda: version[0])
    asyncio.run(call(app, request("GET", "/cached")))
    version[0] = 2  # a write somewhere in the workspace
    assert asyncio.run(call(app, request("GET", "/cached")))[1] == b"answer 2"
    asyncio.run(call(app, request("POST", "/anything")))  # a write through this server
    assert asyncio.run(call(app, request("GET", "/cached")))[1] == b"answer 4"
    young = cache(Counting(), ttl=0.0)
    asyncio.run(call(young, request("GET", "/cached")))
    asyncio.run(call(young, request("GET", "/cached")))
    assert young.hits == 0


@pytest.mark.parametrize("path", ["/plain", "/cookie", "/missing"])
def test_not_opted_in_or_setting_a_cookie_or_not_200_is_never_reused(path: str) -> None:
    inner = Counting()
    app = cache(inner)
    asyncio.run(call(app, request("GET", path)))
    asyncio.run(call(app, request("GET", path)))
    assert inner.calls == 2 and app.hits == 0


def test_identical_requests_in_flight_are_built_once() -> None:
    async def burst(app: ResponseCache, path: str, n: int) -> set[bytes]:
        return {body for _, body in await asyncio.gather(*(call(app, request("GET", path)) for _ in range(n)))}

    version = [1]
    inner = Counting(delay=0.05)
    app = cache(inner, stamp=lambda: version[0])
    asyncio.run(call(app, request("GET", "/cached")))  # now known to be cacheable
    version[0] = 2
    assert asyncio.run(burst(app, "/cached", 10)) == {b"answer 2"}
    assert inner.calls == 2
    # a route never seen cacheable (an event stream, say) is not held back behind another request
    assert len(asyncio.run(burst(app, "/plain", 5))) == 5


def test_the_cache_is_bounded() -> None:
    inner = Counting()
    app = ResponseCache(inner, stamp=lambda: 1, max_entries=3)  # type: ignore[arg-type]
    for n in range(5):
        asyncio.run(call(app, request("GET", "/cached", {"Authorization": f"Bearer {n}"})))
    asyncio.run(call(app, request("GET", "/cached", {"Authorization": "Bearer 0"})))  # evicted: built again
    assert inner.calls == 6


# ---------------------------------------------------------------------------------------------
# The served app over the demo workspace
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cached_client(demo: Workspace) -> Any:
    with TestClient(create_app(ApiSettings(workspace=demo.root, response_cache_seconds=60))) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_write_behind_the_servers_back_is_seen_at_once(cached_client: TestClient, demo: Workspace,
                                                         tokens: dict[str, str]) -> None:  # fmt: skip
    board = cached_client.get("/actions", headers=bearer(tokens["analyst"])).text
    assert cached_client.get("/actions", headers=bearer(tokens["analyst"])).text == board
    assert "cache check 缓存" not in board
    fields = {"title": "cache check 缓存", "owner": "ops", "department": "ops", "links": []}
    create_action(demo, fields, "analyst")  # not through the server: only the database file changes
    assert "cache check 缓存" in cached_client.get("/actions", headers=bearer(tokens["analyst"])).text


def test_a_manager_never_gets_the_analysts_answer(cached_client: TestClient, tokens: dict[str, str]) -> None:
    everyone = cached_client.get("/api/v1/runs/latest", headers=bearer(tokens["analyst"])).json()
    mine = cached_client.get("/api/v1/runs/latest", headers=bearer(tokens["manager"])).json()
    assert len(mine["results"]) < len(everyone["results"])
    overview = cached_client.get("/", headers=bearer(tokens["analyst"])).text
    assert cached_client.get("/", headers=bearer(tokens["manager"])).text != overview


def test_a_revoked_token_is_refused_at_once(cached_client: TestClient, demo: Workspace) -> None:
    token_id, secret = create_token(demo, "analyst", "revoke-me", [])
    assert cached_client.get("/api/v1/findings", headers=bearer(secret)).status_code == 200
    assert cached_client.get("/api/v1/findings", headers=bearer(secret)).status_code == 200
    revoke_token(demo, token_id)
    assert cached_client.get("/api/v1/findings", headers=bearer(secret)).status_code == 401
