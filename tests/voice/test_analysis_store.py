"""Text analysis into the evaluation: stored once in feedback_text, incremental, counted by a model template.

Also the per-text analysis (repeats analysed once) and qualitative coding of notes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from valueloop.spec.datasets import DATASETS
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace, open_workspace
from valueloop.voice.analysis import analyze_texts, joined
from valueloop.voice.qualitative import code_notes, statements
from valueloop.voice.service import text as ft
from valueloop.voice.service.results import AnalysisReport

# --- pure parts ------------------------------------------------------------------------------


def test_analysis_of_one_text_and_repeats() -> None:
    texts = ["又是退款到账慢，客服态度很差", "送餐很快，味道很好", "", None, "又是退款到账慢，客服态度很差"]
    out = analyze_texts(texts)
    assert out[0] is out[4]  # a repeated text is analysed once
    assert out[0].sentiment.label == "negative"
    assert joined(out[0].categories) == "|attitude|refund|refund/refund_delay|"
    assert set(out[0].aspects) == {"refund", "attitude"}
    assert out[1].sentiment.label == "positive" and out[1].aspects == ()
    assert out[2].categories == out[3].categories == () and out[3].sentiment.reason == "empty"
    assert joined(()) == ""


def test_statements_keep_their_spans() -> None:
    note = (
        "焦点小组｜8名客户参加。多数人认为收费标准不透明，也有人提到电话客服排队时间太长。\n"
        "Says the app is confusing. Fine."
    )
    found = statements(note)
    assert all(note[s.start : s.end] == s.text for s in found)
    assert "也有人提到电话客服排队时间太长" in [s.text for s in found]
    assert "Says the app is confusing" in [s.text for s in found]


def test_code_notes_counts_statements_and_notes_and_quotes() -> None:
    ids = ["n1", "n2", "n3", "n4"]
    notes = [
        "访谈。退款流程太复杂；退款还没到账。",
        "访谈。退款到账慢。",
        "焦点小组。退款审核太慢，也有人提到收费标准不透明。",
        "访谈。环境不错。",
    ]
    topics, total, uncoded = code_notes(ids, notes, quotes=2)
    by = {t.id: t for t in topics}
    assert by["refund"].statements == 4 and len(by["refund"].notes) == 3
    assert topics[0].id == "refund"  # most statements first
    assert [q.note for q in by["refund"].quotes] == ["n1", "n2"]  # distinct notes first
    for q in by["refund"].quotes:
        assert notes[ids.index(q.note)][q.start : q.end] == q.text
    assert by["price"].statements == 1
    assert total == 10 and uncoded == 5


# --- on a small demo workspace ---------------------------------------------------------------


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    from valueloop.demo.pipeline import run_demo

    root = tmp_path_factory.mktemp("voc") / "ws"
    run_demo(root, interactions=6_000, log=lambda _: None)
    return open_workspace(root)


@pytest.fixture(scope="module")
def first_run(ws: Workspace) -> AnalysisReport:
    return ft.analyze_feedback(ws)


def test_analyze_stores_every_text_once_and_is_incremental(ws: Workspace, first_run: AnalysisReport) -> None:
    # The demo analysed its feedback already; this run finds nothing new.
    r = first_run
    assert r.analysed == r.stored == 0 and r.batch_id is None
    assert r.already_analysed == r.feedback_with_text and r.feedback_with_text > 500
    table = Lake(ws.lake_dir).read("feedback_text")
    assert table.num_rows == r.feedback_with_text
    assert set(table.column("model").to_pylist()) == {"default"}
    expected = DATASETS["feedback_text"].schema
    assert [(f.name, f.type) for f in table.schema if f.name in expected.names] == list(
        zip(expected.names, expected.types, strict=True)
    )
    assert set(pc.unique(table.column("sentiment")).to_pylist()) <= {"negative", "neutral", "positive"}
    cats = [c for c in table.column("categories").to_pylist() if c]
    assert cats and all(c.startswith("|") and c.endswith("|") for c in cats)

    everything = ft.analyze_feedback(ws, everything=True)  # same model, same results: all duplicates
    assert everything.analysed == r.feedback_with_text
    assert everything.duplicates == r.feedback_with_text and everything.stored == 0
    assert Lake(ws.lake_dir).read("feedback_text").num_rows == r.feedback_with_text


def test_new_feedback_is_the_only_thing_analysed(ws: Workspace, first_run: AnalysisReport, tmp_path: Path) -> None:
    from valueloop.ingest.service.ingest import ingest

    csv = tmp_path / "new.csv"
    csv.write_text(
        "feedback_id,submitted_at,entity_id,kind,text\n"
        "NEW-1,2026-10-20 10:00:00,B001,complaint,退款到账慢，等了两周\n"
        "NEW-2,2026-10-20 11:00:00,B001,survey,\n",
        encoding="utf-8",
    )
    assert ingest(ws, "feedback", [csv]).stored == 2
    r = ft.analyze_feedback(ws)
    assert r.analysed == r.stored == 1  # the row without text is not analysed
    row = Lake(ws.lake_dir).read("feedback_text").filter(pc.field("feedback_id") == "NEW-1").to_pylist()[0]
    assert row["sentiment"] == "negative" and "|refund/refund_delay|" in row["categories"]
    assert row["kind"] == "complaint" and row["entity_id"] == "B001"


def test_voice_of_customer_template_evaluates(ws: Workspace, first_run: AnalysisReport) -> None:
    from valueloop.evaluation.service.evaluate import evaluate
    from valueloop.evaluation.service.models import install_template, template_path
    from valueloop.spec.model_loader import load_model

    model = load_model(template_path("voice-of-customer"))
    assert {i.dataset for i in model.indicators} == {"feedback_text"}
    install_template(ws, "voice-of-customer")
    run = evaluate(ws, model_id="voice-of-customer", store=False)
    assert run.results
    values = [r.indicators["negative_sentiment_rate"]["value"] for r in run.results]
    assert any(v is not None and 0 <= v <= 1 for v in values)
    assert any(r.score is not None for r in run.results)


def test_cli_analyze_and_qualitative(ws: Workspace, first_run: AnalysisReport) -> None:
    from valueloop.cli.main import app

    res = CliRunner().invoke(app, ["text", "analyze", "--workspace", str(ws.root), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["analysed"] == 0

    res = CliRunner().invoke(app, ["text", "qualitative", "--workspace", str(ws.root), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["notes"] > 0 and data["topics"]
    texts = dict(zip(*ft.feedback_texts(ws)[["feedback_id", "text"]].T.values.tolist(), strict=True))
    for topic in data["topics"]:
        assert topic["notes"] <= topic["statements"]
        assert 1 <= len(topic["quotes"]) <= 3
        for q in topic["quotes"]:
            assert texts[q["feedback_id"]][q["start"] : q["end"]] == q["text"]
