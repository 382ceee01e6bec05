"""Hostile transcript and rubric text stays data in every QA output: terminal tables, CSV, JSON, review forms.

Rich markup (``[/bold]``) in a cell once crashed every table (``MarkupError``); a spreadsheet
formula must reach a CSV or a review form only as text.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from conftest import write
from qa.helpers import by_words
from valueloop.cli.qa import register
from valueloop.ingest.service.ingest import ingest
from valueloop.qa.service.review import draw_sample
from valueloop.qa.service.score import score_workspace
from valueloop.store.workspace import Workspace

HOSTILE = (
    "[/bold][red]M1",
    '=HYPERLINK("http://127.0.0.1/x","M2")',
    "<script>alert('M3')</script>",
    "\u202eM4\u202c",
    "@SUM(1)+M5",
    "M6" + "x" * 10_000,
)
TRIGGERS = ("=", "+", "-", "@")


@pytest.fixture
def hostile(ws: Workspace, tmp_path: Path) -> Workspace:
    lines = []
    for k, text in enumerate(HOSTILE):
        turns = [{"speaker": "agent", "text": f"您好 {text}"}, {"speaker": "customer", "text": text},
                 {"speaker": "customer", "text": text}, {"speaker": "agent", "text": text}]  # fmt: skip
        row = {"conversation_id": f"H{k}", "agent_id": "A1", "entity_id": "T1", "started_at": "2026-03-01T09:00:00",
               "turns": turns}  # fmt: skip
        lines.append(json.dumps(row, ensure_ascii=False))
    s = ingest(ws, "conversations", [write(tmp_path / "h.jsonl", "\n".join(lines) + "\n")])
    assert s.stored == 4 * len(HOSTILE)
    (ws.root / "qa").mkdir()
    rubric = (Path(__file__).parent / "hostile_rubric.yaml").read_text(encoding="utf-8")
    write(ws.root / "qa" / "hostile.yaml", rubric)
    score_workspace(ws, "hostile", by_words)
    return ws


def _run(*args: str) -> str:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("k", range(len(HOSTILE)))
def test_a_conversation_prints_in_every_format(hostile: Workspace, k: int) -> None:
    w = ["-w", str(hostile.root), "--rubric", "hostile"]
    marker = f"M{k + 1}"
    assert marker in _run("qa", "show", "--conversation", f"H{k}", *w)
    view = json.loads(_run("qa", "show", "--conversation", f"H{k}", "-f", "json", *w))
    assert view["turns"][1]["text"] == HOSTILE[k]
    rows = list(csv.reader(_run("qa", "show", "--conversation", f"H{k}", "-f", "csv", *w).splitlines()))
    assert any(marker in cell for row in rows for cell in row)
    assert not [cell for row in rows for cell in row if cell.startswith(TRIGGERS)]


def test_weakest_items_print_whole_hostile_turns_as_text(hostile: Workspace) -> None:
    out = _run("qa", "show", "--weakest", "-w", str(hostile.root), "--rubric", "hostile")
    assert "[/bold][red]M1" in out


def test_review_forms_neutralise_formulas(hostile: Workspace, tmp_path: Path) -> None:
    sample = draw_sample(hostile, "hostile", 10, "random", tmp_path, ["=cmd|' /C calc'!A0", "../../up"], session_id="S")
    assert [Path(f).parent for f in sample.forms] == [tmp_path, tmp_path], "a reviewer name is no path"
    form = sample.forms[0]
    with open(form, encoding="utf-8-sig", newline="") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert any("M7" in c for c in cells), "the hostile item name reached the form"
    assert not [c for c in cells if c.startswith(TRIGGERS)]
