"""Evaluate end to end on a small demo workspace: contract, versions, levels, empty periods, drill-down."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import CliRun
from valueloop.demo.pipeline import run_demo
from valueloop.diagnosis.service.diagnose import diagnose
from valueloop.errors import SpecError
from valueloop.evaluation.service.evaluate import evaluate
from valueloop.metrics.periods import version_day
from valueloop.reporting.service.review import build_review
from valueloop.spec.model import Grain
from valueloop.spec.model_loader import load_model
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace, open_workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("demo") / "ws"
    run_demo(root, interactions=6_000, log=lambda _: None)
    return open_workspace(root)


def test_json_contract(demo: Workspace, cli: CliRun) -> None:
    out = json.loads(
        cli("evaluate", "--workspace", demo.root, "--period", "2026-10", "--format", "json", check=True).stdout
    )
    assert set(out) >= {"run_id", "model", "version", "period", "level", "results"}
    assert out["period"] == "2026-10" and out["level"] == "branch"
    first = out["results"][0]
    assert set(first) >= {"entity_id", "name", "score", "rank", "percentile", "dimensions", "indicators"}
    assert first["rank"] == 1
    ind = first["indicators"]["csat"]
    assert set(ind) >= {"value", "score", "n", "benchmark", "flag"}
    ranks = [r["rank"] for r in out["results"] if r["rank"] is not None]
    assert ranks == sorted(ranks)
    scores = [r["score"] for r in out["results"] if r["rank"] is not None]
    assert scores == sorted(scores, reverse=True)
    assert all(1 <= s <= 5 for s in scores)
    total_lost = sum(first["points_lost"].values())
    assert total_lost == pytest.approx(5 - first["score"])


def test_higher_levels_use_the_raw_rows_of_the_subtree(demo: Workspace) -> None:
    run = evaluate(demo, period="2026-10", level="region", store=False)
    region = next(r for r in run.results if r.score is not None)
    files = [str(p) for p in Lake(demo.lake_dir).files("interactions")]
    entities = [str(p) for p in Lake(demo.lake_dir).files("entities")]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    # Every entity under the region (three levels down at most), then the median over all their rows.
    median = con.execute(
        f"""WITH RECURSIVE tree(id) AS (SELECT '{region.entity_id}' UNION ALL
              SELECT e.entity_id FROM read_parquet({entities}) e JOIN tree ON e.parent_id = tree.id)
            SELECT quantile_cont(floor(epoch(resolved_at)) - floor(epoch(opened_at)), 0.5) / 3600
            FROM read_parquet({files}) i
            WHERE entity_id IN (SELECT id FROM tree) AND strftime(opened_at, '%Y-%m') = '2026-10'"""
    ).fetchone()
    assert median is not None
    assert region.indicators["resolution_time"]["value"] == pytest.approx(median[0], rel=1e-12)


def test_versions_in_force_and_what_if(demo: Workspace) -> None:
    source = demo.models_dir / "three-dimension.yaml"
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    doc.update(version=2, effective_from="2026-10-01", reason={"category": "economic", "text": "成本压力：更看重效率"})
    doc["dimensions"][0]["weight"], doc["dimensions"][1]["weight"] = 0.15, 0.5
    v2 = demo.models_dir / "three-dimension.v2.yaml"
    v2.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        assert evaluate(demo, period="2026-09", store=False).version == 1
        assert evaluate(demo, period="2026-10", store=False).version == 2
        what_if = evaluate(demo, period="2026-10", version=1, store=False)
        assert what_if.version == 1
        assert load_model(v2).reason is not None
    finally:
        v2.unlink()


def test_one_version_in_force_for_a_period_in_evaluation_diagnosis_and_review(demo: Workspace) -> None:
    """A version effective mid-period applies from the next period on, in every reader (it is the
    version effective on the period's first day, which is what the published scores used)."""
    source = demo.models_dir / "three-dimension.yaml"
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    doc.update(version=2, effective_from="2026-10-15", reason={"category": "economic", "text": "月中生效"})
    v2 = demo.models_dir / "three-dimension.v2.yaml"
    v2.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        assert version_day("2026-Q4", Grain.quarter) == date(2026, 10, 1)
        assert evaluate(demo, period="2026-10", store=False).version == 1
        assert diagnose(demo, period="2026-10", store=False).version == 1
        review = build_review(demo, "2026-10")
        assert review.models.in_force == 1
        assert [v.version for v in review.models.versions if v.in_period] == [2]
    finally:
        v2.unlink()


def test_a_period_without_data_is_an_explicit_empty_result(demo: Workspace) -> None:
    run = evaluate(demo, period="2024-01", store=False)
    assert run.results
    assert all(r.score is None and r.rank is None for r in run.results)
    assert {v["flag"] for r in run.results for v in r.indicators.values()} == {"no_data"}


def test_broken_model_reports_every_problem_with_its_line(demo: Workspace, tmp_path: Path, cli: CliRun) -> None:
    ws_copy = tmp_path / "ws"
    shutil.copytree(demo.root, ws_copy)
    bad = ws_copy / "models" / "broken.yaml"
    bad.write_text(
        "id: broken\nname: 坏模型\nlevel: branch\ndimensions:\n"
        "  - id: d1\n    name: 维度\n    weight: 0.7\n    indicators:\n"
        "      - id: a\n        name: A\n        dataset: interactions\n"
        "        measure: {type: mean, field: no_such_column}\n"
        "      - id: b\n        name: B\n        dataset: nowhere\n        measure: {type: count}\n"
        "      - id: c\n        name: C\n        dataset: feedback\n"
        "        measure: {type: derived, expression: 'c + 1'}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as err:
        load_model(bad)
    text = str(err.value)
    assert "broken.yaml:4: dimensions: dimension weights sum to 0.7, not 1" in text
    assert "broken.yaml:5: dimensions[0]: indicator weights sum to 3, not 1" in text
    assert re.search(
        r"broken.yaml:12: dimensions\[0\]\.indicators\[0\]\.measure\.field: dataset interactions has no column", text
    )
    assert "broken.yaml:15: dimensions[0].indicators[1].dataset: unknown dataset 'nowhere'" in text
    assert "cycle" in text
    r = cli("models", "validate", "--workspace", ws_copy)
    assert r.returncode == 2 and "broken.yaml:15" in r.stderr


def test_scores_show_drills_down(demo: Workspace, cli: CliRun) -> None:
    run = evaluate(demo, period="2026-10")
    best = run.results[0]
    out = json.loads(
        cli("scores", "show", best.entity_id, "--period", "2026-10", "-w", demo.root, "-f", "json", check=True).stdout
    )
    assert out["entity_id"] == best.entity_id and out["run_id"] == run.run_id
    lost = [r["points_lost"] or 0 for r in out["indicator_rows"]]
    assert lost == sorted(lost, reverse=True)
