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
    assert rows and {r["stage"] for r in rows} == {"insufficient_history"}
    assert all(r["transitions"] == [] for r in rows)
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
    assert hot["undated"] == 6 and hot["texts"] == 20
    assert hot["category"]["heatmap"]["periods"] == ["2026-10"]
    assert ft.undated(one_month) == 6
    assert {r["mentions"] for r in ft.lifecycle(one_month)} == {20}
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["text", "hotspots", "--workspace", str(one_month.root)])
    assert result.exit_code == 0, result.output
    assert "6 feedback texts have no date: left out" in result.stderr
