"""``goals check / show`` and ``models validate`` through the API: the CLI's answers, scoped to a manager's units."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from api.conftest import MANAGER_UNIT, TestClient
from valueloop.accounts.service.accounts import Principal, Role, visible_units
from valueloop.cli.main import app as cli
from valueloop.errors import SpecError
from valueloop.evaluation.service.goals import goals_path
from valueloop.evaluation.service.models import model_files
from valueloop.spec.model_loader import validate_models
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]
V = "/api/v1"


def _cli(demo: Workspace, *args: str, fmt: bool = True) -> Result:
    return CliRunner().invoke(cli, [*args, "--workspace", str(demo.root), *(["--format", "json"] if fmt else [])])


def _seen(demo: Workspace) -> frozenset[str]:
    seen = visible_units(demo, Principal(0, "m", Role.manager, (MANAGER_UNIT,), frozenset()))
    assert seen is not None
    return seen


@pytest.fixture
def goals(demo: Workspace) -> Iterator[tuple[str, str]]:
    """goals.yaml with a goal for every unit, one for a unit inside the manager's region and one outside."""
    period = json.loads(_cli(demo, "scores", "show", "B001").stdout)["period"]  # the newest evaluated month
    wh = Warehouse(demo)
    e = wh.execute(wh.table("entities"))
    branches = {str(x) for x, t in zip(e["entity_id"], e["type"], strict=True) if t == "branch"}
    seen = _seen(demo)
    mine, other = sorted(branches & seen)[0], sorted(branches - seen)[0]
    goals_path(demo).write_text(
        f"- {{indicator: score, entity: '*', period: '{period}', target: 3.5}}\n"
        f"- {{indicator: csat, entity: {mine}, period: '{period}', target: 4.2}}\n"
        f"- {{indicator: csat, entity: {other}, period: '{period}', target: 4.0}}\n"
        f"- {{indicator: csat, entity: {other}, period: '2025-Q1', target: 4.0}}\n",
        encoding="utf-8",
    )
    yield period, other
    goals_path(demo).unlink()


def test_goals_show_matches_the_cli(app_client: TestClient, as_role: Headers, demo: Workspace,
                                    goals: tuple[str, str]) -> None:  # fmt: skip
    period, other = goals
    r = app_client.get(f"{V}/goals", params={"period": period}, headers=as_role("viewer"))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["other_periods"] == 1 and got["file"] == "goals.yaml"
    want = json.loads(_cli(demo, "goals", "show", "--period", period).stdout)
    assert [(g["indicator"]["id"], g["entity_id"], g["target"], g["value"], g["attainment"], g["met"])
            for g in got["rows"]] == [(w["indicator"], w["entity_id"], w["target"], w["value"], w["attainment_pct"],
                                       w["met"]) for w in want]  # fmt: skip
    assert any(g["entity_id"] == other for g in got["rows"])
    scoped = app_client.get(f"{V}/goals", params={"period": period}, headers=as_role("manager")).json()
    seen = _seen(demo)
    assert scoped["rows"] and all(g["entity_id"] in seen for g in scoped["rows"])
    assert scoped["rows"] == [g for g in got["rows"] if g["entity_id"] in seen]
    assert scoped["other_periods"] == 0  # the other period's goal is another unit's


def test_goals_show_refuses_bad_input(app_client: TestClient, as_role: Headers, goals: tuple[str, str]) -> None:
    period, _ = goals
    h = as_role("viewer")
    cases = [({"period": "9999"}, 400), ({"period": "someday"}, 400), ({}, 422),
             ({"period": period, "level": "zzz"}, 400), ({"period": period, "model": "nope"}, 400)]  # fmt: skip
    for params, code in cases:
        r = app_client.get(f"{V}/goals", params=params, headers=h)
        assert r.status_code == code, (params, r.text)
    assert app_client.get(f"{V}/goals", params={"period": period}).status_code == 401


def test_goals_check_matches_the_cli(app_client: TestClient, as_role: Headers, demo: Workspace,
                                     goals: tuple[str, str]) -> None:  # fmt: skip
    ok = app_client.get(f"{V}/goals/check", headers=as_role("viewer")).json()
    assert ok == {"file": "goals.yaml", "exists": True, "model": "three-dimension", "valid": True, "goals": 4,
                  "problems": []}  # fmt: skip
    cli_ok = _cli(demo, "goals", "check", fmt=False)
    assert cli_ok.exit_code == 0 and "4 goal(s), all valid" in cli_ok.output
    assert app_client.get(f"{V}/goals/check", headers=as_role("manager")).json()["goals"] == 2  # '*' and their unit
    path = goals_path(demo)
    path.write_text(path.read_text(encoding="utf-8") + "- {indicator: nope, period: '2026-10', target: x, extra: 1}\n",
                    encoding="utf-8")  # fmt: skip
    bad = app_client.get(f"{V}/goals/check", headers=as_role("viewer")).json()
    assert not bad["valid"] and bad["goals"] is None and len(bad["problems"]) == 3
    cli_bad = _cli(demo, "goals", "check", fmt=False).exception  # the CLI's main() prints it and exits 2
    assert isinstance(cli_bad, SpecError)
    assert bad["problems"] == [line.replace(str(path), "goals.yaml") for line in str(cli_bad).splitlines()[1:]]
    assert all(p.startswith("goals.yaml:5: ") for p in bad["problems"]) and str(demo.root) not in json.dumps(bad)
    shown = app_client.get(f"{V}/goals", params={"period": goals[0]}, headers=as_role("viewer"))
    assert shown.status_code == 422 and str(demo.root) not in shown.text and "goals.yaml:5" in shown.text


def test_no_goals_file_is_valid_and_empty(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    assert not goals_path(demo).exists()
    check = app_client.get(f"{V}/goals/check", headers=as_role("viewer")).json()
    assert check["valid"] and check["goals"] == 0 and not check["exists"]
    shown = app_client.get(f"{V}/goals", params={"period": "2026-10"}, headers=as_role("viewer")).json()
    assert shown == {"file": None, "rows": [], "other_periods": 0}


def _installed(demo: Workspace) -> str:
    return next(f for f in model_files(demo) if f.stem == "three-dimension").read_text(encoding="utf-8")


def test_models_validate_matches_the_cli(app_client: TestClient, as_role: Headers, demo: Workspace,
                                         tmp_path: Path) -> None:  # fmt: skip
    text = _installed(demo)
    h = as_role("manager")  # models:read: every role, nothing per unit
    ok = app_client.post(f"{V}/models/validate", json={"text": text}, headers=h)
    assert ok.status_code == 200 and ok.json()["valid"] and ok.json()["problems"] == []
    listed = app_client.get(f"{V}/models", headers=h).json()
    assert ok.json()["model"] == next(m for m in listed if m["id"] == "three-dimension") | {"file": "model.yaml"}
    broken = text.replace("weight: 0.4", "weight: 0.9", 1).replace("level: branch", "level: galaxy", 1)
    assert broken != text
    r = app_client.post(f"{V}/models/validate", json={"text": broken, "filename": "mine.yaml"}, headers=h)
    got = r.json()
    assert r.status_code == 200 and not got["valid"] and got["model"] is None
    file = tmp_path / "mine.yaml"
    file.write_text(broken, encoding="utf-8")
    [want] = validate_models([file])  # what `valueloop models validate` lists for this file
    assert got["problems"] == [line.replace(str(file), "mine.yaml") for line in want.splitlines()[1:]]
    assert len(got["problems"]) == 2 and all(p.startswith("mine.yaml:") for p in got["problems"])
    assert "tmp" not in json.dumps(got) and not (demo.models_dir / "mine.yaml").exists()  # nothing installed
    syntax = app_client.post(f"{V}/models/validate", json={"text": "a: [1, 2\n"}, headers=h).json()
    assert syntax["problems"] == ["model.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>'"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: &x [1, 2]\nb: [*x, *x]\n", "anchors and aliases"),
        ("[" * 200 + "]" * 200, "nested deeper than"),
        ("- " * 200 + "x", "nested deeper than"),
        ("", "valid dictionary"),
    ],
)
def test_models_validate_refuses_what_it_cannot_safely_read(app_client: TestClient, as_role: Headers, text: str,
                                                            words: str) -> None:  # fmt: skip
    r = app_client.post(f"{V}/models/validate", json={"text": text}, headers=as_role("viewer"))
    assert r.status_code == 200 and not r.json()["valid"] and words in r.json()["problems"][0]


def test_models_validate_survives_a_deep_expression(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    text = _installed(demo)
    assert "100 * (promoters - detractors)" in text
    for expression in ("-" * 50_000 + "promoters", "+".join(["promoters"] * 60_000)):
        deep = text.replace("100 * (promoters - detractors)", expression)
        r = app_client.post(f"{V}/models/validate", json={"text": deep}, headers=as_role("viewer"))
        assert r.status_code == 200 and not r.json()["valid"]


def test_models_validate_input(app_client: TestClient, as_role: Headers) -> None:
    h = as_role("viewer")
    for body in ({"text": "x", "filename": "../etc/x.yaml"}, {"text": "x", "filename": "x.txt"}, {},
                 {"text": "x", "other": 1}):  # fmt: skip
        assert app_client.post(f"{V}/models/validate", json=body, headers=h).status_code == 422, body
    assert app_client.post(f"{V}/models/validate", json={"text": "x"}).status_code == 401
