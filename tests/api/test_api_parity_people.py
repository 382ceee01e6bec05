"""What the people and audits routes do beyond their documented shape: scope, errors, values.

That the API and the CLI answer one document is the typed seam's guarantee
(``tests/api/test_openapi_responses.py``); these tests check who sees what, what is refused
and why, and the values a call leaves behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from api.conftest import TestClient
from valueloop.accounts.service.accounts import Principal, Role, visible_units
from valueloop.cli.main import app as cli
from valueloop.people.checklist import builtin_checklists
from valueloop.people.service import performance as people_perf
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]
V = "/api/v1"
BAD_CHECKLIST = """id: bad
name: 坏清单
items:
  - id: greet
    text: 问候
    weight: 0.5
  - id: greet
    text: 重复
    weight: 0.3
  - id: price
    text: 价格
    weight: 2
"""


def _run(*args: str | Path) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _json(*args: str | Path) -> Any:
    result = _run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _seen(demo: Workspace) -> frozenset[str]:
    seen = visible_units(demo, Principal(0, "m", Role.manager, ("R01",), frozenset()))
    assert seen is not None
    return seen


def _agents(demo: Workspace) -> tuple[str, str]:
    """An agent under the manager's region and one outside it."""
    wh = Warehouse(demo)
    agents = sorted(str(a) for a in wh.execute(wh.table("interactions").select("agent_id"))["agent_id"].dropna())
    seen = _seen(demo)
    return next(a for a in agents if a in seen), next(a for a in agents if a not in seen)


def test_cases_are_kept_listed_and_linked(app_client: TestClient, as_role: Headers, demo: Workspace,
                                          tmp_path: Path) -> None:  # fmt: skip
    awards = people_perf.benchmark_awards(demo, period=None)
    period = awards.period
    agent = awards.winners[0].agent_id if awards.winners else _agents(demo)[1]
    text = "# 沉着应对\n\nTurned a complaint into a renewal.\n"
    body = {"agent": agent, "period": period, "title": "Calm", "text": text}
    made = app_client.post(f"{V}/people/cases", json=body, headers=as_role("analyst"))
    assert made.status_code == 201, made.text
    rec = made.json()
    assert rec["added_by"] == "analyst" and rec["source"] is None and rec["agent_id"] == agent
    shown = app_client.get(f"{V}/people/cases/text", params={"case_id": rec["case_id"]}, headers=as_role("viewer"))
    assert shown.status_code == 200 and shown.json()["text"] == text
    assert {k: v for k, v in shown.json().items() if k not in ("path", "text")} == \
        {k: v for k, v in rec.items() if k != "source"}  # fmt: skip
    md = tmp_path / "second.md"
    md.write_text("Second write-up.\n", encoding="utf-8")
    by_cli = _json("people", "case", "add", md, "--agent", agent, "--period", period, "--title", "Again",
                   "--by", "ann", "--workspace", demo.root)  # fmt: skip
    listed = app_client.get(f"{V}/people/cases", headers=as_role("auditor"))
    assert listed.status_code == 200
    assert [c["case_id"] for c in listed.json()][-2:] == [rec["case_id"], by_cli["case_id"]]
    if awards.winners:
        won = app_client.get(f"{V}/people/awards", headers=as_role("viewer")).json()["winners"]
        assert {w["agent_id"]: w["case"] for w in won}[agent] == by_cli["case_id"]


def test_case_input_errors(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    h = as_role("analyst")
    agent = _agents(demo)[0]
    body = {"agent": agent, "period": "2026-10", "title": "t", "text": "x"}

    def refused(status: int, **change: Any) -> str:
        r = app_client.post(f"{V}/people/cases", json=body | change, headers=h)
        assert r.status_code == status, r.text
        assert "vl-case" not in r.text and "case.md" not in r.text  # no temporary file in the message
        message: str = r.json()["error"]["message"]
        return message

    assert "empty" in refused(400, text="  \n")
    assert "month" in refused(400, period="October")
    assert "title" in refused(400, title=" ")
    refused(422, text="")
    refused(422, extra=1)
    missing = app_client.get(f"{V}/people/cases/text", params={"case_id": "C9999"}, headers=h)
    assert missing.status_code == 400 and "C9999" in missing.text
    assert app_client.post(f"{V}/people/cases", json=body, headers=as_role("viewer")).status_code == 403
    assert app_client.post(f"{V}/people/cases", json=body).status_code == 401


def test_cases_are_scoped(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    inside, outside = _agents(demo)
    seen = _seen(demo)
    m = as_role("manager")
    case = {"period": "2026-10", "text": "x"}
    theirs = app_client.post(f"{V}/people/cases", headers=as_role("analyst"),
                             json=case | {"agent": outside, "title": "elsewhere"})  # fmt: skip
    assert theirs.status_code == 201
    refused = app_client.post(f"{V}/people/cases", headers=m, json=case | {"agent": outside, "title": "no"})
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    mine = app_client.post(f"{V}/people/cases", headers=m, json=case | {"agent": inside, "title": "mine", "text": "y"})
    assert mine.status_code == 201 and mine.json()["added_by"] == "manager"
    listed = app_client.get(f"{V}/people/cases", headers=m).json()
    assert listed and all(c["agent_id"] in seen for c in listed)
    assert mine.json()["case_id"] in {c["case_id"] for c in listed}
    everyone = app_client.get(f"{V}/people/cases", headers=as_role("admin")).json()
    assert listed == [c for c in everyone if c["agent_id"] in seen] and len(everyone) > len(listed)
    hidden = app_client.get(f"{V}/people/cases/text", params={"case_id": theirs.json()["case_id"]}, headers=m)
    assert hidden.status_code == 404 and "elsewhere" not in hidden.text
    unknown = app_client.get(f"{V}/people/cases/text", params={"case_id": "C9999"}, headers=m)
    assert unknown.status_code == 404 and unknown.json()["error"] == {"code": "not_found",
                                                                      "message": "case C9999 not found"}  # fmt: skip
    own = app_client.get(f"{V}/people/cases/text", params={"case_id": mine.json()["case_id"]}, headers=m)
    assert own.status_code == 200 and own.json()["text"] == "y"


def test_training_check_names_each_unknown_person(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    h = as_role("auditor")
    clean = app_client.get(f"{V}/people/training-check", headers=h)
    assert clean.status_code == 200 and clean.json() == []
    assert _run("people", "check-training", "--workspace", demo.root).exit_code == 0
    csv = ("staff_id,course_id,tier,mode,enrolled_at,completed_at\n"
           "GHOST-9,C-API,basic,online,2026-01-05T09:00:00+08:00,2026-01-20T09:00:00+08:00\n")  # fmt: skip
    up = app_client.post(f"{V}/ingest/training", files={"files": ("training.csv", csv.encode(), "text/csv")},
                         headers=as_role("analyst"))  # fmt: skip
    assert up.status_code == 201 and up.json()["stored"] == 1, up.text
    got = app_client.get(f"{V}/people/training-check", headers=h)
    assert got.status_code == 200
    problems = got.json()
    assert _run("people", "check-training", "--workspace", demo.root).exit_code == 1  # any problem: exit 1
    [ghost] = [p for p in problems if p["staff_id"] == "GHOST-9"]
    assert ghost["batch_id"] == up.json()["batch_id"] and ghost["row"] == 1 and "GHOST-9" in ghost["message"]
    assert app_client.get(f"{V}/people/training-check", headers=as_role("manager")).status_code == 404  # pooled


def test_a_bad_checklist_is_refused_as_the_cli_refuses_it(app_client: TestClient, as_role: Headers,
                                                           tmp_path: Path) -> None:  # fmt: skip
    path = builtin_checklists()["branch-visit"]
    got = app_client.post(f"{V}/audits/checklist", json={"text": path.read_text(encoding="utf-8")},
                          headers=as_role("manager"))  # fmt: skip
    assert got.status_code == 200, got.text
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_CHECKLIST, encoding="utf-8")
    by_cli = _run("audits", "checklist", bad)
    assert by_cli.exit_code != 0
    refused = app_client.post(f"{V}/audits/checklist", json={"text": BAD_CHECKLIST}, headers=as_role("viewer"))
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "spec_error"
    message = refused.json()["error"]["message"]
    assert "checklist.yaml:12: items[2].weight" in message and "vl-checklist" not in message
    assert message == str(by_cli.exception).replace(str(bad), "checklist.yaml")


def test_checklist_input_is_checked(app_client: TestClient, as_role: Headers) -> None:
    h = as_role("viewer")

    def post(text: str) -> tuple[int, str]:
        r = app_client.post(f"{V}/audits/checklist", json={"text": text}, headers=h)
        assert "vl-checklist" not in r.text
        return r.status_code, r.json()["error"]["code"]

    assert post("id: [unclosed\n") == (422, "spec_error")
    assert post("- just\n- a list\n") == (422, "spec_error")
    assert post("id: 2026-13-45\n") == (400, "input_error")  # YAML reads a date, then cannot build it
    assert post("[" * 5000 + "]" * 5000) == (400, "input_error")
    laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert post(laughs) == (400, "input_error")
    assert post("") == (422, "validation_error")
