"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against a live server."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from valueloop.accounts.service.accounts import Role, add_user
from valueloop.demo.pipeline import run_demo
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.store.workspace import open_workspace

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium"),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo workspace served by uvicorn in a thread; yields the base URL.

    Plain http on 127.0.0.1, so the cookies are not Secure, as with ``valueloop demo --serve``.
    """
    root = tmp_path_factory.mktemp("web") / "ws"
    run_demo(root, interactions=6_000, log=lambda _: None)
    add_user(open_workspace(root), "ana", PASSWORD, Role.analyst)
    add_user(open_workspace(root), "mia", PASSWORD, Role.manager, ["B016"])  # a manager bound to one branch
    add_user(open_workspace(root), "rex", PASSWORD, Role.manager, ["R04"])  # a region head (B016 is in R04)
    port = _free_port()
    app = create_app(ApiSettings(workspace=root, secure_cookies=False))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
