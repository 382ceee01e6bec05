"""``valueloop qa``: validate, score, show, review sample/import and calibrate, end to end in a workspace."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from conftest import write
from qa.test_planted import AGENTS, generated
from valueloop.cli.ingest import register as register_ingest
from valueloop.cli.qa import register
from valueloop.demo.transcripts import turns
from valueloop.spec.datasets import DATASETS
from valueloop.store.workspace import Workspace


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    register_ingest(app)
    return app


def run(*args: str | Path, code: int = 0) -> str:
    result = CliRunner().invoke(_app(), [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.stdout


@pytest.fixture
def loaded(ws: Workspace, tmp_path: Path) -> Workspace:
    rng = np.random.default_rng(1)
    rows = [r for spec, _ in generated(120) for r in turns(rng, spec)]
    file = tmp_path / "conversations.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=DATASETS["conversations"].schema), file)
    run("ingest", "conversations", file, "-w", ws.root)
    return ws


def test_validate_lists_every_problem_with_file_and_line(tmp_path: Path) -> None:
    good = json.loads(run("qa", "validate", "-f", "json", "-w", tmp_path))
    assert {r["rubric"] for r in good} >= {"bank_call", "ecommerce_chat", "after_sales_zh"}
    bad = write(
        tmp_path / "bad.yaml", "id: x\nname: X\nsections:\n  - id: s\n    name: S\n    weight: 0\n    items: []\n"
    )
    result = CliRunner().invoke(_app(), ["qa", "validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:6: sections[0].weight" in result.stderr


def test_score_show_review_and_calibrate(loaded: Workspace, tmp_path: Path) -> None:
    w = ["-w", str(loaded.root)]
    summary = json.loads(run("qa", "score", "-f", "json", *w))
    assert summary["conversations"] == 120 and summary["stored"] == 120
    rollup = json.loads(run("qa", "show", "--by", "unit", "--period", "all", "-f", "json", *w))
    assert {r["group"] for r in rollup} == set(AGENTS.values())
    weakest = json.loads(run("qa", "show", "--weakest", "--agent", "A1", "-f", "json", *w))
    assert weakest[0]["item"] == "verify_identity" and weakest[0]["bad"][0]["conversation_id"]
    assert "先核实身份再谈账户" in run("qa", "show", "--weakest", "--agent", "A1", *w)
    one = json.loads(run("qa", "show", "--conversation", "C0000", "-f", "json", *w))
    assert one["turns"][0]["speaker"] == "agent" and one["items"]

    forms = json.loads(
        run(
            "qa",
            "review",
            "sample",
            "-n",
            "12",
            "--reviewer",
            "r1",
            "--reviewer",
            "r2",
            "--session",
            "S1",
            "--out",
            tmp_path / "forms",
            "-f",
            "json",
            *w,
        )
    )
    assert len(forms["conversations"]) == 12 and len(forms["forms"]) == 2
    for k, form in enumerate(forms["forms"]):
        _fill(Path(form), flip_item="customer_mood" if k == 1 else None)
        run("qa", "review", "import", form, *w)
    report = json.loads(run("qa", "calibrate", "--min-pairs", "5", "-f", "json", *w))
    items = {i["item"]: i for i in report["items"]}
    assert items["verify_identity"]["pairs"] == 24 and not items["verify_identity"]["needs_human_review"]
    assert items["customer_mood"]["needs_human_review"]
    assert items["customer_mood"]["units_multi"] == 12
    again = json.loads(run("qa", "score", "-f", "json", *w))
    assert again["held_back"] == report["needs_human_review"]


def _fill(form: Path, flip_item: str | None) -> None:
    """A reviewer who agrees with the automatic result, except on ``flip_item`` where they always disagree."""
    with open(form, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        auto = r["auto_result"]
        r["result"] = ("fail" if auto == "pass" else "pass") if r["item"] == flip_item and auto != "na" else auto
    with open(form, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
