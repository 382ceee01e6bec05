"""A workspace with a CSAT + NPS survey, a few resolved interactions, and helpers to answer it."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.ingest.service.ingest import ingest
from valueloop.store.workspace import Workspace

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)  # 18:00 in Asia/Shanghai: outside the quiet hours below

SURVEY = """\
id: after_service
version: 1
title: {zh: 服务回访, en: "How did we do?"}
questions:
  - {id: csat, type: csat, required: true, text: {zh: 您对本次服务满意吗？, en: "How satisfied are you?"}}
  - {id: nps, type: nps, text: {zh: 您有多大可能推荐我们？, en: "How likely are you to recommend us?"}}
  - id: why
    type: text
    max_length: 200
    text: {zh: 哪里可以做得更好？, en: "What could we do better?"}
    show_if: {question: nps, at_most: 6}
  - id: topics
    type: multiple
    text: {zh: 涉及哪些方面？, en: "Which topics?"}
    options:
      - {id: speed, text: {zh: 速度, en: Speed}}
      - {id: staff, text: {zh: 态度, en: Staff}}
trigger: {delay_hours: 2, sample: 1, once_per_days: 30, quiet_hours: "21:00-08:00", channel: export}
follow_up:
  rules: [{question: nps, at_most: 6}, {question: csat, at_most: 2}]
  sla_hours: 1
  owners: {"*": alice, B002: bob}
  escalate_to: {"*": head}
"""


def write_survey(ws: Workspace, text: str = SURVEY, name: str = "after_service.yaml") -> Path:
    folder = ws.root / "surveys"
    folder.mkdir(exist_ok=True)
    file = folder / name
    file.write_text(text, encoding="utf-8")
    return file


def interactions(ws: Workspace, rows: list[dict[str, object]], tmp: Path) -> None:
    file = tmp / "interactions.jsonl"
    file.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    summary = ingest(ws, "interactions", [file])
    assert summary.quarantined == 0, summary.errors


def resolved(i: int, customer: str | None, unit: str = "B001", hours_ago: float = 5) -> dict[str, object]:
    at = NOW - timedelta(hours=hours_ago)
    return {
        "interaction_id": f"I{i}",
        "entity_id": unit,
        "customer_id": customer,
        "opened_at": (at - timedelta(hours=1)).isoformat(),
        "resolved_at": at.isoformat(),
    }


@pytest.fixture
def sws(ws: Workspace, tmp_path: Path) -> Workspace:
    """The survey workspace: the survey and four interactions (two customers share C1)."""
    write_survey(ws)
    interactions(
        ws,
        [
            resolved(1, "C1"),
            resolved(2, "C2", "B002"),
            resolved(3, "C1", hours_ago=4),
            resolved(4, None),
            resolved(5, "C5", hours_ago=1),
        ],
        tmp_path,
    )
    return ws


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium"),
        "headless": True,
        "args": ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    }  # fmt: skip


@pytest.fixture
def served(sws: Workspace) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    app = create_app(ApiSettings(workspace=sws.root, secure_cookies=False))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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
