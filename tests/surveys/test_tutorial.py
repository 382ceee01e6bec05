"""docs/surveys.md's tutorial, run as written: every `valueloop` line of its bash blocks, in order.

The test supplies what the tutorial says comes from elsewhere — the survey file it shows, the CRM's
resolved interactions and contacts, a mail server (a real SMTP server on loopback), and the customer
who answers on a phone (the public page, posted as a phone's browser would) — then checks what the
tutorial promises: the answer is in the lake and on the dashboard, and the detractor's case closed.
The workspace's zone is set so that "now" is noon there: the tutorial's quiet hours never hold the
mail back, whatever time of day the test runs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest

from conftest import SmtpServer
from valueloop.accounts.service.accounts import Role, add_user, create_token
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import open_workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TUTORIAL = Path(__file__).parents[2] / "docs" / "surveys.md"
VALUELOOP = Path(sys.executable).with_name("valueloop")
CUSTOMERS = 10
SENT = "valueloop surveys send after_service --contacts crm/contacts.csv"

pytestmark = pytest.mark.slow


def _commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def _survey() -> str:
    found = re.search(r"```yaml\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), flags=re.S)
    assert found, "the tutorial lost its survey"
    return found.group(1)


def _noon_zone() -> str:
    """A fixed-offset zone where it is about noon now (``Etc/GMT-8`` is UTC+8)."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}"


def _crm_files(ws_root: Path) -> None:
    """Interactions resolved a day and a half ago (past the 24 h delay), and the customers' addresses."""
    crm = ws_root / "crm"
    crm.mkdir()
    at = datetime.now(UTC) - timedelta(hours=36)
    rows = [f"T{i},{'B002' if i % 2 else 'B001'},C{i},{(at - timedelta(hours=1)).isoformat()},{at.isoformat()}"
            for i in range(CUSTOMERS)]  # fmt: skip
    (crm / "interactions.csv").write_text(
        "interaction_id,entity_id,customer_id,opened_at,resolved_at\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    (crm / "contacts.csv").write_text(
        "customer_id,email\n" + "".join(f"C{i},c{i}@example.com\n" for i in range(CUSTOMERS)), encoding="utf-8"
    )


def _answer_on_a_phone(ws_root: Path, mail: bytes) -> str:
    """Open the mailed link and send a detractor's answer, as a phone's browser does; the customer."""
    msg = message_from_bytes(mail)
    body = msg.get_payload(decode=True).decode()  # type: ignore[union-attr]
    (link,) = re.findall(r"https://survey\.example\.com(/s/\S+)", body)
    phone = {"accept-language": "zh-CN,zh;q=0.9", "user-agent": "Mozilla/5.0 (iPhone) Mobile"}
    with TestClient(create_app(ApiSettings(workspace=ws_root)), base_url="https://survey.example.com") as client:
        page = client.get(link, headers=phone)
        assert page.status_code == 200 and "服务满意度回访" in page.text
        sent = client.post(link, data={"q.csat": "2", "q.nps": "3", "q.why": "排队太久"}, headers=phone)
        assert sent.status_code == 200 and "感谢" in sent.text, sent.text[:500]
    return str(msg["To"]).split("@")[0].upper()


def _run(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    args = shlex.split(line)
    assert args[0] == "valueloop", line
    done = subprocess.run([str(VALUELOOP), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def test_the_surveys_tutorial_runs_as_written(tmp_path: Path) -> None:
    commands = _commands()
    assert SENT in commands and any(c.startswith("valueloop cases close 1 ") for c in commands), commands
    server = SmtpServer()
    env = os.environ | {
        "VALUELOOP_PUBLIC_URL": "https://survey.example.com",
        "VALUELOOP_SMTP_URL": f"smtp://127.0.0.1:{server.server.server_address[1]}",
        "VALUELOOP_SMTP_SENDER": "survey@example.com",
        "VALUELOOP_WORKSPACE__TIMEZONE": _noon_zone(),
        "VALUELOOP_USER": "alice",
    }
    cwd, customer, out = tmp_path, "", {}
    try:
        for line in commands:
            if line.startswith("cd "):
                cwd = cwd / line.split(maxsplit=1)[1]
                (cwd / "surveys").mkdir(exist_ok=True)
                (cwd / "surveys" / "after_service.yaml").write_text(_survey(), encoding="utf-8")
                _crm_files(cwd)
                continue
            out[line] = _run(line, cwd, env)
            if line == SENT:
                assert server.messages, out[line].stdout + out[line].stderr
                customer = _answer_on_a_phone(cwd, server.messages[0])
    finally:
        server.stop()
    ws = open_workspace(cwd)
    wh = Warehouse(ws)  # in the lake
    (got,) = wh.execute(wh.table("feedback")).to_dict("records")
    seen = (got["kind"], got["csat"], got["nps"], got["text"], got["customer_id"])
    assert seen == ("survey", 2, 3, "排队太久", customer)
    add_user(ws, "ana", "correct horse battery", Role.analyst)  # on the dashboard
    head = {"Authorization": f"Bearer {create_token(ws, 'ana', 'tutorial', [])[1]}"}
    with TestClient(create_app(ApiSettings(workspace=cwd)), base_url="https://testserver") as client:
        shown = client.get("/surveys", headers=head).text
        closed = client.get("/cases?state=closed", headers=head).text
    assert '<div class="big stat-answered">1</div>' in shown and "排队太久" in shown
    assert 'id="case-1"' in closed and ("已补偿" in closed or "Compensated" in closed)
    figures = next(c for c in commands if c.startswith("valueloop cases figures"))
    assert '"closed": 1' in out[figures].stdout or re.search(r"closed\W+1", out[figures].stdout), out[figures].stdout
    assert json.loads(_run("valueloop cases show 1 --format json", cwd, env).stdout)["outcome"] == "compensated"
