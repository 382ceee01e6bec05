"""Field levels end to end: a workspace without an entity tree, evaluated, stored, shown and diagnosed by agent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import CliRun
from valueloop.accounts.service.workspace import create_workspace
from valueloop.diagnosis.service.diagnose import diagnose
from valueloop.errors import InputError
from valueloop.evaluation.service.evaluate import evaluate
from valueloop.evaluation.service.models import load_versions
from valueloop.ingest.service.ingest import ingest
from valueloop.reporting.service.review import build_review
from valueloop.spec.model_loader import validate_models
from valueloop.store.workspace import Workspace, open_workspace

MODEL = {
    "id": "agents",
    "name": "agents",
    "level": {"field": "agent_id"},
    "dimensions": [
        {
            "id": "d",
            "name": "d",
            "indicators": [
                {"id": "calls", "name": "calls", "dataset": "interactions", "measure": {"type": "count"},
                 "weight": 0.5},
                {"id": "fr_s", "name": "first response", "dataset": "interactions", "unit": "seconds",
                 "measure": {"type": "duration", "start": "opened_at", "end": "first_response_at", "unit": "seconds"},
                 "direction": "lower", "scoring": {"rule": "linear", "worst": 300, "best": 0}, "weight": 0.25},
                {"id": "csat", "name": "CSAT", "dataset": "feedback", "measure": {"type": "mean", "field": "csat"},
                 "scoring": {"rule": "linear", "worst": 1, "best": 5}, "weight": 0.25},
            ],
        }
    ],
}  # fmt: skip


def _rows(agent: str, n: int, seconds: int, start: int) -> list[dict[str, object]]:
    return [
        {"interaction_id": f"{agent}-{k}", "entity_id": "T1", "agent_id": agent, "category": "billing",
         "opened_at": f"2026-03-{start + k:02d} 09:00:00",
         "first_response_at": f"2026-03-{start + k:02d} 09:{seconds // 60:02d}:{seconds % 60:02d}"}
        for k in range(n)
    ]  # fmt: skip


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("fields")
    create_workspace(root / "ws")
    w = open_workspace(root / "ws")
    for f in w.models_dir.glob("*.yaml"):
        f.unlink()
    (w.models_dir / "agents.yaml").write_text(yaml.safe_dump(MODEL), encoding="utf-8")
    data = {
        "interactions": _rows("A1", 4, 95, 1) + _rows("A2", 2, 200, 10),
        "feedback": [{"feedback_id": "f1", "interaction_id": "A1-0", "submitted_at": "2026-03-01 10:00:00", "csat": 5},
                     {"feedback_id": "f2", "interaction_id": "A2-1", "submitted_at": "2026-03-11 10:00:00", "csat": 2}],
    }  # fmt: skip
    for name, rows in data.items():
        src = root / f"{name}.jsonl"
        src.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
        assert ingest(w, name, [src]).quarantined == 0
    return w


def test_evaluate_by_agent_without_entities_stores_and_shows(ws: Workspace, cli: CliRun) -> None:
    w = ("--workspace", ws.root, "--format", "json")
    run = json.loads(cli("evaluate", "--period", "2026-03", *w, check=True).stdout)
    assert run["level"] == "field:agent_id"
    assert [(r["entity_id"], r["name"], r["rank"]) for r in run["results"]] == [("A1", "A1", 1), ("A2", "A2", 2)]
    a1 = run["results"][0]["indicators"]
    assert (a1["fr_s"]["value"], a1["fr_s"]["unit"], a1["fr_s"]["shown"]) == (95.0, "seconds", "1 min 35 s")
    assert a1["csat"]["value"] == 5.0 and run["results"][1]["indicators"]["csat"]["value"] == 2.0
    assert run["results"][1]["points_lost"]
    shown = json.loads(cli("scores", "show", "A2", "--period", "2026-03", *w, check=True).stdout)
    assert shown["name"] == "A2" and {r["indicator"] for r in shown["indicator_rows"]} == {"calls", "fr_s", "csat"}


def test_other_levels_of_the_same_data(ws: Workspace, cli: CliRun) -> None:
    by_category = evaluate(ws, "agents", "2026-03", "field:category", store=False)
    assert [r.entity_id for r in by_category.results] == ["billing"]
    assert by_category.results[0].indicators["calls"]["value"] == 6
    branch = load_versions(ws, "agents")[-1].model_copy(update={"level": "branch"})
    with pytest.raises(InputError, match="no entities are loaded"):  # formerly an IbisTypeError
        evaluate(ws, "agents", "2026-03", store=False, versions=[branch])
    bad = cli("evaluate", "--level", "branch", "--period", "2026-03", "--workspace", ws.root)
    assert bad.returncode == 2 and "no entities" in bad.stderr and "Traceback" not in bad.stderr
    unknown = cli("evaluate", "--level", "field:nothing", "--period", "2026-03", "--workspace", ws.root)
    assert unknown.returncode == 2 and "nothing" in unknown.stderr


def test_diagnose_at_a_field_level(ws: Workspace) -> None:
    result = diagnose(ws, period="2026-03", model_id="agents", store=True)
    assert result.level == "field:agent_id"
    for f in result.findings:
        assert f.entity_id in {"A1", "A2"} and f.evidence["entity_ids"] == [f.entity_id]


def test_review_at_a_field_level(ws: Workspace) -> None:
    data = build_review(ws, "2026-03", model_id="agents")
    assert data.level == "field:agent_id"
    assert sorted((u.entity_id, u.name) for u in data.summary.units) == [("A1", "A1"), ("A2", "A2")]


def test_a_level_field_the_data_lacks_is_a_model_problem(tmp_path: Path) -> None:
    bad = MODEL | {"level": {"field": "amount"}}
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    problems = "\n".join(validate_models([tmp_path / "m.yaml"]))
    assert "level field 'amount' is not a column of interactions" in problems
    assert "level field 'amount' is not a column of feedback nor of its interaction" in problems
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(MODEL | {"level": {"fields": "x"}}), encoding="utf-8")
    assert "{field: NAME}" in "\n".join(validate_models([tmp_path / "m.yaml"]))


def test_a_field_level_review_speaks_business_words(ws: Workspace) -> None:
    """The level reads "按坐席" / "by agent", not ``field:agent_id``; a unit named by its id once, not ``A1 (A1)``."""
    from valueloop.reporting.html import render_html

    data = build_review(ws, "2026-03", model_id="agents")
    zh, en = render_html(data, "zh"), render_html(data, "en")
    assert "field:agent_id" not in zh and "按坐席" in zh and "by agent" in en
    assert "A1 (A1)" not in zh and "A2 (A2)" not in zh
