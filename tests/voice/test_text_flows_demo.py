"""On the demo workspace: the planted topic is found, and a model trained on its ratings beats the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from valueloop.store.workspace import Workspace, open_workspace
from valueloop.voice.service import sentiment_training as st
from valueloop.voice.service import text as ft


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    from typer.testing import CliRunner

    from valueloop.cli.main import app

    out = tmp_path_factory.mktemp("demo") / "ws"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return open_workspace(Path(out))


@pytest.mark.slow
def test_planted_topic_is_emerging_or_growing(demo: Workspace) -> None:
    topics = {r.topic: r for r in ft.lifecycle(demo)}
    assert topics["退款到账慢"].stage in {"emerging", "growing"}
    assert topics["退款到账慢"].since == "2026-04"


@pytest.mark.slow
def test_from_ratings_in_domain(demo: Workspace) -> None:
    report = st.train_from_ratings(demo)
    assert report.accuracy >= 0.90
    assert report.saved is (report.accuracy > report.default_accuracy)


@pytest.mark.slow
def test_hotspots_flag_the_planted_topic(demo: Workspace) -> None:
    data = ft.hotspots(demo, "month", 10)
    hot = {(r.item, r.period) for r in data.category.table if r.hot}
    assert ("refund/refund_delay", "2026-10") in hot


@pytest.mark.slow
def test_lifecycle_history_of_the_planted_topic(demo: Workspace) -> None:
    row = next(r for r in ft.lifecycle(demo, "month", history=True) if r.topic_id == "refund/refund_delay")
    assert row.history[-1].stage == row.stage
    assert row.transitions and row.transitions[-1].to == row.stage
    assert {t.to for t in row.transitions} & {"emerging", "growing"}
    assert set(row.model_dump(mode="json")["transitions"][-1]) == {"period", "from", "to"}


@pytest.mark.slow
def test_hot_spots_read_the_stored_analysis(demo: Workspace) -> None:
    """Categories come from feedback_text where it exists, and equal what classifying again gives."""
    ft.analyze_feedback(demo)
    df = ft.feedback_texts(demo)
    stored = ft._stored_categories(demo, df)
    fresh = ft._categories(df["text"].tolist(), ft.workspace_classifier(demo))
    assert len(stored) == len(df) and [set(c) for c in stored] == [set(c) for c in fresh]
    assert sum(bool(c) for c in stored) > len(df) // 4
