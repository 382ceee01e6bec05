"""Diagnosis end to end on a small demo workspace: the planted degraded branch, storage, evidence, CLI."""

from __future__ import annotations

import json

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from valueloop.cli.diagnose import register
from valueloop.demo.pipeline import run_demo
from valueloop.diagnosis.findings import RuleName
from valueloop.diagnosis.service.diagnose import diagnose, explain, list_findings
from valueloop.evaluation.service.evaluate import evaluate
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace, open_workspace

AFTER = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
TIMES = {"resolution_time", "first_response"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("diag") / "ws"
    run_demo(root, interactions=6_000, log=lambda _: None)
    return open_workspace(root)


@pytest.fixture(scope="module")
def story(demo: Workspace) -> dict[str, str]:
    stories = json.loads((demo.root / "source-data" / "STORIES.json").read_text(encoding="utf-8"))["stories"]
    return {"branch": stories["degraded_branch"]["branch_id"], "from": stories["degraded_branch"]["from_month"]}


def test_the_degraded_branch_is_found_after_it_degrades(demo: Workspace, story: dict[str, str]) -> None:
    assert story["from"] == AFTER[0]
    hits = {
        p: [f for f in diagnose(demo, period=p).findings if f.entity_id == story["branch"] and f.indicator in TIMES]
        for p in AFTER
    }
    assert sum(bool(h) for h in hits.values()) >= 3
    first = hits[story["from"]]
    assert any(f.rule is RuleName.deterioration for f in first)  # worse than its own previous months
    before = diagnose(demo, period="2026-05").findings
    assert not [
        f
        for f in before
        if f.entity_id == story["branch"] and f.indicator in TIMES and f.rule is RuleName.deterioration
    ]


def test_rerunning_replaces_and_evidence_reproduces_the_value(demo: Workspace) -> None:
    first = diagnose(demo, period="2026-07")
    again = diagnose(demo, period="2026-07")
    stored = list_findings(demo, period="2026-07")
    assert len(stored) == len(again.findings) == len(first.findings)
    assert {f.id for f in stored} == {f.id for f in first.findings}
    f = next(f for f in stored if f.indicator == "resolution_time" and f.segment is None)
    assert f.evidence["sample_ids"] and len(f.evidence["queries"]) == 1
    con = duckdb.connect()
    for name in ("interactions", "customers"):
        files = [str(p) for p in Lake(demo.lake_dir).files(name)]
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({files})")
    row = con.execute(f.evidence["queries"][0]).fetchone()
    assert row is not None and row[0] == pytest.approx(f.value, rel=1e-12) and row[1] == f.n


def test_explain_contributions_add_up_to_the_evaluated_change(demo: Workspace, story: dict[str, str]) -> None:
    result = explain(demo, story["branch"], period="2026-07").model_dump()
    run = evaluate(demo, period="2026-07", store=False)
    change = next(r.change for r in run.results if r.entity_id == story["branch"])
    assert change is not None
    assert result["change"] == pytest.approx(change, abs=1e-9)
    assert sum(c["total"] for c in result["contributions"]) == pytest.approx(change, abs=1e-9)
    kids = result["children"]
    assert kids is not None and sum(p["total"] for p in kids["parts"]) == pytest.approx(kids["change"], abs=1e-9)


def test_cli_contract(demo: Workspace) -> None:
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    ws = ["--workspace", str(demo.root), "--format", "json"]
    out = json.loads(runner.invoke(app, ["diagnose", "--period", "2026-09", *ws]).stdout)
    assert set(out) >= {"model", "period", "counts", "findings"}
    finding = out["findings"][0]
    assert set(finding) >= {
        "id",
        "entity_id",
        "indicator",
        "period",
        "value",
        "benchmark",
        "gap_pct",
        "severity",
        "rule",
    }
    listed = json.loads(
        runner.invoke(app, ["findings", "list", "--period", "2026-09", "--severity", "critical", *ws]).stdout
    )
    assert listed and {f["severity"] for f in listed} == {"critical"}
    shown = json.loads(runner.invoke(app, ["findings", "show", finding["id"], *ws]).stdout)
    assert shown["id"] == finding["id"] and "queries" in shown["evidence"]
    explained = json.loads(runner.invoke(app, ["diagnose", "explain", "B001", "--period", "2026-10", *ws]).stdout)
    assert explained["entity_id"] == "B001" and explained["contributions"]
