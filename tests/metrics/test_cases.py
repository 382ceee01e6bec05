"""Data-driven evaluation cases: ``tests/cases/*.yaml`` pair a model and data with hand-computed expectations.

Each case ingests its rows into a fresh workspace through the real ingest path, runs the
real engine (DuckDB over the lake) and compares indicator values, n, and — where the case
gives them — scores, totals and ranks. The arithmetic behind each number is in the case file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from valueloop.accounts.service.workspace import create_workspace
from valueloop.ingest.service.ingest import ingest
from valueloop.metrics.run import compute_values
from valueloop.spec.model_loader import load_model
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace, open_workspace

CASES = sorted(Path(__file__).parents[1].joinpath("cases").glob("*.yaml"))


def _workspace(tmp: Path, case: dict[str, Any]) -> tuple[Workspace, Path]:
    create_workspace(tmp / "ws")
    ws = open_workspace(tmp / "ws")
    for f in ws.models_dir.glob("*.yaml"):
        f.unlink()
    for dataset, rows in case["data"].items():
        src = tmp / f"{dataset}.jsonl"
        src.write_text("\n".join(json.dumps(r, ensure_ascii=False, default=str) for r in rows), encoding="utf-8")
        summary = ingest(ws, dataset, [src])
        assert summary.quarantined == 0, summary.errors
    model_file = ws.models_dir / "case.yaml"
    model_file.write_text(yaml.safe_dump(case["model"], allow_unicode=True), encoding="utf-8")
    return ws, model_file


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_case(case_file: Path, tmp_path: Path) -> None:
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    ws, model_file = _workspace(tmp_path, case)
    model = load_model(model_file)
    values, _ = compute_values(Warehouse(ws), model, [str(case["period"])])
    overall = values[values["segment"].isna()].set_index(["entity_id", "indicator"])
    for entity, expected in case["expect"].get("values", {}).items():
        for indicator, want in expected.items():
            got = overall.loc[(entity, indicator)]
            if want is None:
                assert got["value"] != got["value"], f"{entity}.{indicator}: expected no value, got {got['value']}"
            else:
                assert got["value"] == pytest.approx(want, rel=1e-9, abs=1e-12), f"{entity}.{indicator}"
    for entity, expected in case["expect"].get("n", {}).items():
        for indicator, want in expected.items():
            assert overall.loc[(entity, indicator)]["n"] == want, f"{entity}.{indicator} n"
    if {"scores", "totals", "ranks", "benchmarks", "adjusted"} & set(case["expect"]):
        _check_scores(ws, case)


def _check_scores(ws: Workspace, case: dict[str, Any]) -> None:
    from valueloop.evaluation.service.evaluate import evaluate

    run = evaluate(ws, period=str(case["period"]), store=False)
    by_id = {r.entity_id: r for r in run.results}
    for entity, expected in case["expect"].get("scores", {}).items():
        for indicator, want in expected.items():
            got = by_id[entity].indicators[indicator]["score"]
            assert (got is None) if want is None else got == pytest.approx(want, abs=1e-9), (
                f"{entity}.{indicator} score"
            )
    for key, field in (("benchmarks", "benchmark"), ("adjusted", "adjusted_value")):
        for entity, expected in case["expect"].get(key, {}).items():
            for indicator, want in expected.items():
                assert by_id[entity].indicators[indicator][field] == pytest.approx(want, abs=1e-9), f"{entity}.{key}"
    for entity, want in case["expect"].get("totals", {}).items():
        got_total = by_id[entity].score
        assert (got_total is None) if want is None else got_total == pytest.approx(want, abs=1e-9), f"{entity} total"
    for entity, want in case["expect"].get("ranks", {}).items():
        assert by_id[entity].rank == want, f"{entity} rank"
