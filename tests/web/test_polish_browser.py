"""The dashboard's polish in a real browser: the vendored API docs offline, in-page dialogs, board drag and drop.

Screenshots go to /tmp/shots/polish-* (outside the repository), zh-CN at 1440 px and 390 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from web.conftest import PASSWORD

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
    ),
]
SHOTS = Path("/tmp/shots")
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def offline(page: Page, server: str) -> Iterator[list[str]]:
    """Every request to another host fails (as on a machine without internet) and is recorded; so do CSP blocks."""
    outside: list[str] = []
    blocked: list[str] = []

    def only_here(route: Route) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_here)
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield outside
    assert not outside, outside
    assert not blocked, blocked


def _sign_in(page: Page, base: str, user: str = "ana") -> None:
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who")).to_have_text(user)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"polish-{name}.png"), full_page=True)


def test_api_docs_render_offline_from_the_vendored_swagger_ui(page: Page, server: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("valueloop")
    _shot(page, "api-docs")
