"""Shared fixtures: a fresh workspace, and the CLI run as a user runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from valueloop.accounts.service.workspace import create_workspace
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL server on loopback (a free port), started and stopped by the test session."""
    pg = _pg_bin()
    if pg is None:
        pytest.fail("PostgreSQL is not installed (the Makefile's `system` target installs it)")
    tmp = Path(tempfile.mkdtemp(prefix="vl-pg-"))
    shutil.chown(tmp, "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_pg,
            str(pg / "initdb"),
            "-D",
            str(tmp / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    port = str(free_port())
    subprocess.run(
        [
            *as_pg,
            str(pg / "pg_ctl"),
            "-D",
            str(tmp / "data"),
            "-l",
            str(tmp / "log"),
            "-w",
            "-o",
            f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_pg, str(pg / "pg_ctl"), "-D", str(tmp / "data"), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(tmp, ignore_errors=True)


class SmtpServer:
    """A minimal SMTP server on loopback (EHLO, MAIL, RCPT, DATA, QUIT); keeps every message."""

    def __init__(self, port: int = 0) -> None:
        self.messages: list[bytes] = []
        box = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.say("220 test ESMTP")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb == b"DATA":
                        self.say("354 end with .")
                        data = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                        box.messages.append(data)
                        self.say("250 queued")
                    elif verb == b"QUIT":
                        self.say("221 bye")
                        return
                    else:
                        self.say("250 ok")

            def say(self, text: str) -> None:
                self.wfile.write(text.encode() + b"\r\n")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
