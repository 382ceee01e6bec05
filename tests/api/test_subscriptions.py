"""Period review subscriptions: per user, scoped to the user's units, sent by e-mail or webhook when due."""

from __future__ import annotations

import base64
import email
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.conftest import MANAGER_UNIT, TestClient
from conftest import SmtpServer, free_port
from valueloop.accounts.service.accounts import user_principal, visible_units
from valueloop.accounts.service.subscriptions import Mail, due, run_subscriptions, subscribe
from valueloop.errors import InputError
from valueloop.reporting.service.review import build_review
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]
NOW = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)  # monthly → the review of 2026-10


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    (tmp_path / "r.pdf").write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_due_keys() -> None:
    assert due("monthly", datetime(2026, 11, 3).date()) == ("2026-10", "2026-10")
    assert due("monthly", datetime(2026, 1, 1).date()) == ("2025-12", "2025-12")
    assert due("weekly", datetime(2026, 11, 3).date()) == ("2026-W45", "2026-11")


def test_api_is_the_callers_own_and_checks_targets(app_client: TestClient, as_role: Headers) -> None:
    r = app_client.post("/api/v1/subscriptions", json={"channel": "email", "target": "viewer@example.com"},
                        headers=as_role("viewer"))  # fmt: skip
    assert r.status_code == 201, r.text
    sid = r.json()["subscription_id"]
    assert [s["target"] for s in app_client.get("/api/v1/subscriptions", headers=as_role("viewer")).json()] == [
        "viewer@example.com"
    ]
    assert app_client.get("/api/v1/subscriptions", headers=as_role("auditor")).json() == []
    assert app_client.delete(f"/api/v1/subscriptions/{sid}", headers=as_role("auditor")).status_code == 404
    bad = app_client.post("/api/v1/subscriptions", json={"channel": "email", "target": "not an address"},
                          headers=as_role("viewer"))  # fmt: skip
    assert bad.status_code == 400 and "target" in bad.text
    assert app_client.delete(f"/api/v1/subscriptions/{sid}", headers=as_role("viewer")).status_code == 204


def test_a_bound_managers_pdf_holds_only_their_units(demo: Workspace, tmp_path: Path) -> None:
    mine = visible_units(demo, user_principal(demo, "manager"))
    assert mine is not None and MANAGER_UNIT in mine
    every = build_review(demo, "2026-10").summary.units
    theirs = [u for u in every if u.entity_id in mine]
    others = [u for u in every if u.entity_id not in mine]
    assert theirs and others

    port = free_port()
    smtp = SmtpServer(port)
    posted: list[tuple[str, dict[str, Any]]] = []
    try:
        subscribe(demo, "manager", "monthly", "email", "manager@example.com", "zh")
        subscribe(demo, "analyst", "monthly", "webhook", "https://hooks.example.com/review", "en")
        runs = run_subscriptions(demo, NOW, Mail(url=f"smtp://127.0.0.1:{port}", sender="vl@example.com"),
                                 lambda url, body: posted.append((url, body)))  # fmt: skip
    finally:
        smtp.stop()
    by_user = {r.username: r for r in runs}
    assert by_user["manager"].status == "sent", by_user["manager"].error
    assert by_user["manager"].period == "2026-10" and by_user["manager"].units == len(theirs)
    assert by_user["analyst"].status == "sent" and by_user["analyst"].units == len(every)

    message = email.message_from_bytes(smtp.messages[-1])
    assert message["To"] == "manager@example.com"
    pdfs = [p.get_payload(decode=True) for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1
    text = _pdf_text(pdfs[0], tmp_path)
    assert any(u.name in text for u in theirs)
    assert not [u.name for u in others if u.name in text], "another region's unit is in the manager's PDF"

    url, body = posted[0]
    assert url == "https://hooks.example.com/review" and body["period"] == "2026-10"
    assert base64.b64decode(body["content_base64"]).startswith(b"%PDF")

    again = run_subscriptions(demo, NOW, None, lambda url, body: posted.append((url, body)))
    assert {r.status for r in again} == {"not due"}  # sent once per period


def test_e_mail_without_a_server_fails_visibly_and_stays_due(demo: Workspace) -> None:
    sub = subscribe(demo, "viewer", "weekly", "email", "viewer@example.com")
    runs = [r for r in run_subscriptions(demo, NOW, None) if r.subscription_id == sub.subscription_id]
    assert runs[0].status == "failed" and "SMTP" in (runs[0].error or "")
    with pytest.raises(InputError, match="target"):
        subscribe(demo, "viewer", "weekly", "webhook", "ftp://x")


def test_cli_adds_lists_and_refuses_a_missing_target(demo: Workspace) -> None:
    from typer.testing import CliRunner

    from valueloop.cli.main import app

    runner = CliRunner()
    root = str(demo.root)
    none = runner.invoke(app, ["subscriptions", "add", "--user", "auditor", "--workspace", root])
    assert isinstance(none.exception, InputError) and none.exception.exit_code == 2  # main() exits 2 with it
    assert "--email" in str(none.exception)
    added = runner.invoke(app, ["subscriptions", "add", "-u", "auditor", "--webhook", "https://h.example.com/r",
                                "--workspace", root, "--format", "json"])  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["subscriptions", "list", "-u", "auditor", "--workspace", root])
    assert "h.example.com" in listed.output
