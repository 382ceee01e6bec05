"""Shared fixtures: a fresh workspace, and the CLI run as a user runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from valueloop.flows.workspace import create_workspace
from valueloop.store.workspace import Workspace, open_workspace

VALUELOOP = Path(sys.executable).with_name("valueloop")

# CI runs the same examples every time (a red CI must be reproducible); locally hypothesis explores.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    create_workspace(tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


CliRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli() -> CliRun:
    def run(*args: str | Path, check: bool = False) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(VALUELOOP), *map(str, args)], capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"valueloop {args} failed ({result.returncode}): {result.stderr}")
        return result

    return run


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


class Webhook:
    """A real webhook receiver on loopback: records every JSON body it is sent and answers ``status``."""

    def __init__(self, port: int = 0) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                n = int(self.headers.get("content-length", 0))
                hook.headers.append(dict(self.headers))
                hook.bodies.append(json.loads(self.rfile.read(n)))
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def alerts(self) -> list[tuple[str, str]]:
        """(fingerprint, status) of every alert notified, Alertmanager-style bodies."""
        return sorted((a["fingerprint"], a["status"]) for b in self.bodies for a in b["alerts"])


@pytest.fixture
def hook() -> Iterator[Webhook]:
    h = Webhook()
    yield h
    h.server.shutdown()
    h.server.server_close()
