"""``POST /reports/schedule/run``: the due schedules are written and posted once, as ``valueloop schedule run`` does."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.conftest import TestClient
from conftest import Webhook
from valueloop.cli.main import app as cli
from valueloop.reporting.schedule import SCHEDULE_FILE
from valueloop.reporting.service.schedule import STATE_FILE
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]
RUN = "/api/v1/reports/schedule/run"
NOW = "2026-10-01T01:00:00Z"  # 09:00 in Asia/Shanghai, an hour after the 08:00 firing


@pytest.fixture
def schedules(demo: Workspace, hook: Webhook) -> Iterator[Path]:
    file = demo.root / SCHEDULE_FILE
    file.write_text(
        f"- {{name: q-review, cron: '0 8 1 10 *', webhook: '{hook.url}', period: previous-quarter, format: html, "
        "lang: en}\n",
        encoding="utf-8",
    )
    yield file
    file.unlink()
    (demo.root / STATE_FILE).unlink(missing_ok=True)


def _cli(*args: str | Path) -> Any:
    result = CliRunner().invoke(cli, [*map(str, args), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_nothing_to_run_without_a_schedule_file(app_client: TestClient, as_role: Headers) -> None:
    got = app_client.post(RUN, json={}, headers=as_role("analyst"))
    assert got.status_code == 200 and got.json() == []
    assert app_client.post(RUN, headers=as_role("analyst")).json() == []  # the body is optional


def test_runs_once_posts_and_matches_the_cli(app_client: TestClient, as_role: Headers, demo: Workspace, hook: Webhook,
                                            schedules: Path) -> None:  # fmt: skip
    h = as_role("analyst")
    sent = app_client.post(RUN, json={"now": NOW}, headers=h)
    assert sent.status_code == 200, sent.text
    [row] = sent.json()
    assert row["schedule"] == "q-review" and row["status"] == "sent" and row["period"] == "2026-Q3"
    assert row["file"].startswith("q-review-2026-Q3-") and row["file"].endswith("-en.html") and "/" not in row["file"]
    [payload] = hook.bodies
    assert payload["period"] == "2026-Q3" and payload["format"] == "html" and payload["filename"] == row["file"]
    assert "Executive summary" in base64.b64decode(payload["content_base64"]).decode("utf-8")
    assert json.loads((demo.root / STATE_FILE).read_text())["q-review"].startswith("2026-10-01T09:00")
    listed = app_client.get("/api/v1/reports", headers=h).json()
    assert row["file"] in {f["name"] for f in listed}
    assert app_client.get("/api/v1/reports/download", params={"name": row["file"]}, headers=h).status_code == 200

    # run again: not due any more, nothing posted; the CLI answers the same
    again = app_client.post(RUN, json={"now": "2026-10-01T01:30:00"}, headers=h)  # naive: UTC, as in the CLI
    assert again.status_code == 200 and [r["status"] for r in again.json()] == ["not due"]
    assert again.json() == _cli("schedule", "run", "--now", "2026-10-01T01:30:00", "-w", demo.root)
    assert len(hook.bodies) == 1


def test_a_failing_webhook_is_reported_and_stays_due(app_client: TestClient, as_role: Headers, demo: Workspace,
                                                      hook: Webhook, schedules: Path) -> None:  # fmt: skip
    hook.status = 500
    [row] = app_client.post(RUN, json={"now": NOW}, headers=as_role("admin")).json()
    assert row["status"] == "failed" and "500" in row["error"] and row["period"] == "2026-Q3"
    assert not (demo.root / STATE_FILE).exists() or "q-review" not in json.loads((demo.root / STATE_FILE).read_text())
    hook.status = 200
    [row] = app_client.post(RUN, json={"now": NOW}, headers=as_role("admin")).json()
    assert row["status"] == "sent" and len(hook.bodies) == 2


def test_refusals(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    for role in ("manager", "viewer", "auditor"):
        assert app_client.post(RUN, json={}, headers=as_role(role)).status_code == 403, role
    assert app_client.post(RUN, json={}).status_code == 401
    h = as_role("analyst")
    ahead = app_client.post(RUN, json={"now": "2999-01-01T00:00:00Z"}, headers=h)
    assert ahead.status_code == 400 and ahead.json()["error"]["code"] == "input_error"
    ancient = app_client.post(RUN, json={"now": "0001-01-01T00:00:00+05:00"}, headers=h)
    assert ancient.status_code == 400 and ancient.json()["error"]["code"] == "input_error"
    assert app_client.post(RUN, json={"now": "yesterday"}, headers=h).status_code == 422
    assert app_client.post(RUN, json={"webhook": "http://elsewhere"}, headers=h).status_code == 422
    file = demo.root / SCHEDULE_FILE
    file.write_text("- {name: broken, cron: '61 * * * *', webhook: 'http://x'}\n", encoding="utf-8")
    try:
        bad = app_client.post(RUN, json={}, headers=h)
    finally:
        file.unlink()
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "spec_error" and "cron" in bad.text
