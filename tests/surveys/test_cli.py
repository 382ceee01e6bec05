"""The CLI as a user runs it: validate with file:line and exit 2, a dry run, sending with an export CSV,
QR files and the printable sheet, and closing a case; ``--format json`` for machines."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import CliRun
from surveys.conftest import SURVEY, interactions, write_survey
from valueloop.store.workspace import Workspace
from valueloop.surveys.service.answers import submit


def _recent(ws: Workspace, tmp_path: Path) -> None:
    """Three interactions resolved 3 h ago (one without a customer); no quiet hours, as the CLI runs on the clock."""
    write_survey(ws, SURVEY.replace(', quiet_hours: "21:00-08:00"', ""))
    at = datetime.now(UTC) - timedelta(hours=3)
    customers = ["K0", "K1", None, "K3"]
    rows = [
        {"interaction_id": f"N{i}", "entity_id": "B001", "customer_id": c,
         "opened_at": (at - timedelta(hours=1)).isoformat(), "resolved_at": at.isoformat()}
        for i, c in enumerate(customers)
    ]  # fmt: skip
    interactions(ws, rows, tmp_path)


def test_validate_lists_every_problem_and_exits_2(cli: CliRun, sws: Workspace) -> None:
    ok = cli("surveys", "validate", "-w", sws.root, "--format", "json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["valid"] is True
    text = "id: broken\ntitle: x\nquestions:\n  - {id: a, type: nps, text: x, options: [{id: o, text: o}]}\n"
    bad = write_survey(sws, text, "broken.yaml")
    out = cli("surveys", "validate", "-w", sws.root)
    assert out.returncode == 2 and f"{bad}:4: questions[0].options: a nps question has no options" in out.stderr
    assert "Traceback" not in out.stderr
    listed = cli("surveys", "list", "-w", sws.root, "--format", "json")
    assert listed.returncode == 0 and list(json.loads(listed.stdout)["problems"]) == ["broken.yaml"]


def test_send_dry_run_then_export_links(cli: CliRun, sws: Workspace, tmp_path: Path) -> None:
    _recent(sws, tmp_path)
    dry = cli("surveys", "send", "after_service", "--dry-run", "-w", sws.root, "--format", "json")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert plan["dry_run"] and plan["invited"] == 3 and "no customer" in json.dumps(plan["rows"])
    no_url = cli("surveys", "send", "after_service", "-w", sws.root)
    assert no_url.returncode == 2 and "--base-url" in no_url.stderr
    target = tmp_path / "links.csv"
    sent = cli("surveys", "send", "after_service", "-w", sws.root, "--base-url", "https://vl.example",
               "--export", target, "--format", "json")  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["exported"] == 3
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 3 and all(r["url"].startswith("https://vl.example/s/i.") for r in rows)
    again = cli("surveys", "send", "after_service", "-w", sws.root, "--base-url", "https://vl.example")
    assert again.returncode == 0 and again.stdout.splitlines() == [",".join(rows[0])]  # the CSV header, no link twice
    assert '"exported": 0' in again.stderr
    listed = json.loads(cli("surveys", "invitations", "-w", sws.root, "--format", "json").stdout)
    assert {i["delivery"] for i in listed} == {"exported"} and "contact" not in listed[0]
    now = datetime.now(UTC)
    case = submit(sws, rows[0]["url"].rsplit("/s/", 1)[1], {"q.csat": ["1"]}, "en", now).case_id
    shown = cli("cases", "list", "-w", sws.root)
    assert shown.returncode == 0 and "1 open case(s)" in shown.stdout
    closed = cli("cases", "close", str(case), "--outcome", "reached", "--cause", "logistics", "--by", "amy",
                 "-w", sws.root, "--format", "json")  # fmt: skip
    assert closed.returncode == 0, closed.stderr
    assert json.loads(closed.stdout)["closed_by"] == "amy"
    again = cli("cases", "close", str(case), "--outcome", "reached", "--cause", "logistics", "-w", sws.root)
    assert again.returncode == 2 and "was closed on" in again.stderr
    assert cli("cases", "show", "12345", "-w", sws.root).returncode == 2
    figures = json.loads(cli("cases", "figures", "-w", sws.root, "--format", "json").stdout)
    assert figures["closed"] == 1


def test_qr_codes_per_unit_and_a_printable_sheet(cli: CliRun, sws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "qr"
    base = ("-w", sws.root, "--base-url", "https://vl.example", "--out", out)
    svg = cli("surveys", "qr", "after_service", "--unit", "B001", "--unit", "../B 2", "--kind", "svg", *base)
    assert svg.returncode == 0, svg.stderr
    assert sorted(p.name for p in out.iterdir()) == ["after_service-B001.svg", "after_service-___B_2.svg"]
    assert (out / "after_service-B001.svg").read_text().startswith("<svg")
    png = cli("surveys", "qr", "after_service", "--unit", "B001", "--kind", "png", *base)
    assert png.returncode == 0 and (out / "after_service-B001.png").read_bytes().startswith(b"\x89PNG")
    sheet = cli("surveys", "qr", "after_service", "--unit", "B001", "--unit", "<b>x</b>", "--lang", "en", *base)
    html = (out / "after_service-qr.html").read_text()
    assert sheet.returncode == 0 and html.count("<svg") == 2 and "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x" not in html
    assert "How did we do?" in html and "Scan to rate our service" in html
