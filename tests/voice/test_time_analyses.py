"""Honest time analyses: a lifecycle needs enough periods; undated feedback makes no hot spot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from valueloop.accounts.service.workspace import create_workspace
from valueloop.cli.text import register
from valueloop.store.workspace import Workspace, open_workspace
from valueloop.voice.service import text as ft


@pytest.fixture
def one_month(tmp_path: Path) -> Workspace:
    from valueloop.ingest.service.ingest import ingest

    create_workspace(tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    csv = tmp_path / "fb.csv"
    rows = "".join(f"F{i},2026-10-{i + 1:02d} 10:00:00,B001,complaint,退款到账慢第{i}次\n" for i in range(20))
    csv.write_text("feedback_id,submitted_at,entity_id,kind,text\n" + rows, encoding="utf-8")
    assert ingest(ws, "feedback", [csv]).stored == 20
    return ws


def test_one_month_of_feedback_is_insufficient_history(one_month: Workspace) -> None:
    rows = ft.lifecycle(one_month, "month", history=True)
    assert rows and {r.stage for r in rows} == {"insufficient_history"}
    assert all(r.transitions == [] for r in rows)
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["text", "lifecycle", "--workspace", str(one_month.root)])
    assert result.exit_code == 0, result.output
    assert "insufficient history" in result.stderr and "at least 5 months" in result.stderr


def test_undated_feedback_is_left_out_of_hot_spots_and_counted(
    one_month: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ft.feedback_texts(one_month)
    no_date = pd.array([pd.NaT] * 6, dtype=real["submitted_at"].dtype)
    undated = real.head(6).assign(feedback_id=[f"U{i}" for i in range(6)], submitted_at=no_date)
    monkeypatch.setattr(ft, "feedback_texts", lambda ws: pd.concat([real, undated], ignore_index=True))
    hot = ft.hotspots(one_month)
    assert hot.undated == 6 and hot.texts == 20
    assert hot.category.heatmap.periods == ["2026-10"]
    assert ft.undated(one_month) == 6
    assert {r.mentions for r in ft.lifecycle(one_month)} == {20}
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["text", "hotspots", "--workspace", str(one_month.root)])
    assert result.exit_code == 0, result.output
    assert "6 feedback texts have no date: left out" in result.stderr


def test_feedback_without_any_date_needs_dated_feedback(tmp_path: Path) -> None:
    """A review export without dates ingests (feedback allows it), gets sentiment and topics, and the
    time analyses say they need dated feedback rather than making up a period or a stage."""
    from valueloop.ingest.service.ingest import ingest
    from valueloop.voice.service import voice_view

    create_workspace(tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    export = tmp_path / "reviews.csv"
    rows = "".join(f"{i % 2},退款到账慢第{i}次\n" for i in range(12))
    export.write_text("label,review\n" + rows, encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("dataset: feedback\nfields: {text: review}\n", encoding="utf-8")
    summary = ingest(ws, "feedback", [export], mapping)
    assert (summary.stored, summary.quarantined, summary.content_key) == (12, 0, "feedback_id")
    assert ft.analyze_feedback(ws).stored == 12
    hot = ft.hotspots(ws)
    assert (hot.status, hot.texts, hot.undated) == (ft.NEEDS_DATES, 0, 12)
    assert ft.lifecycle(ws) == [] and voice_view.sentiment_trend(ws) == []
    assert ft.time_status(ws) == "needs dated feedback"
    app = typer.Typer()
    register(app)
    for command in ("hotspots", "lifecycle"):
        result = CliRunner().invoke(app, ["text", command, "--workspace", str(ws.root)])
        assert result.exit_code == 0, result.output
        assert "needs dated feedback" in result.stderr


def test_dated_feedback_is_ok(one_month: Workspace) -> None:
    assert ft.hotspots(one_month).status == "ok" and ft.time_status(one_month) is None
