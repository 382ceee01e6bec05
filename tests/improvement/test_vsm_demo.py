"""The value stream map on demo data: the bottleneck agrees with an independent SQL computation."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from valueloop.accounts.service.workspace import create_workspace
from valueloop.demo.generate import generate
from valueloop.improvement.service.vsm import process_files, resolve_process, value_stream_map
from valueloop.ingest.service.ingest import ingest
from valueloop.store.workspace import Workspace, open_workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace holding only the demo's interaction_steps (enough for value streams, fast)."""
    root = tmp_path_factory.mktemp("vsm")
    generate(root / "src", entities=60, interactions=20_000, seed=7)
    create_workspace(root / "ws")
    ws = open_workspace(root / "ws")
    ingest(ws, "interaction_steps", [root / "src" / "interaction_steps.parquet"])
    return ws


def _oracle_bottleneck(ws: Workspace) -> str:
    """Largest median wait beyond the planned wait, straight from the lake in SQL."""
    planned = {s.name: s.planned_wait_minutes for s in resolve_process(ws, "service-request").steps}
    rows = duckdb.sql(
        f"""
        WITH s AS (
          SELECT step, started_at,
                 lag(ended_at) OVER (PARTITION BY interaction_id ORDER BY started_at) AS prev_end
          FROM read_parquet('{ws.lake_dir}/interaction_steps/**/*.parquet'))
        SELECT step, median(greatest(epoch(started_at) - epoch(prev_end), 0)) / 60 AS wait
        FROM s WHERE prev_end IS NOT NULL GROUP BY step
        """
    ).fetchall()
    return max(rows, key=lambda r: r[1] - planned[r[0]])[0]


def test_the_bottleneck_is_found(demo: Workspace) -> None:
    out = value_stream_map(demo, "service-request").model_dump()
    assert out["summary"]["bottleneck"] == _oracle_bottleneck(demo) == "审批"
    steps = {s["step"]: s for s in out["steps"]}
    assert steps["处理"]["rework"] > 0  # the demo plants rework of 处理
    assert out["summary"]["handoffs"] > 0 and 0 < out["summary"]["pce"] < 1
    assert steps["受理"]["volume"] == out["summary"]["interactions"]


def test_two_periods_compare(demo: Workspace) -> None:
    out = value_stream_map(demo, "service-request", "2026-09", "2026-10").model_dump()
    assert out["period"] == "2026-09" and out["compare"]["after"] == "2026-10"
    assert out["summary"]["interactions"] > 0 and out["compare"]["map"]["summary"]["interactions"] > 0
    lead = out["compare"]["summary"]["lead_time_median"]
    assert lead["change"] == pytest.approx(lead["after"] - lead["before"])
    assert out["chart"]["categories"] == ["受理", "核实", "审批", "处理", "复核", "回访"]


def test_a_period_keeps_whole_interactions(demo: Workspace) -> None:
    sept = value_stream_map(demo, "service-request", "2026-09").model_dump()
    year = value_stream_map(demo, "service-request").model_dump()
    assert 0 < sept["summary"]["interactions"] < year["summary"]["interactions"]
    assert {s["step"]: s["volume"] for s in sept["steps"]}["受理"] == sept["summary"]["interactions"]


def test_process_files_are_accepted_by_path(demo: Workspace, tmp_path: Path) -> None:
    f = tmp_path / "mine.yaml"
    f.write_text(
        process_files(demo)["service-request"].read_text(encoding="utf-8").replace("id: service-request", "id: mine")
    )
    assert value_stream_map(demo, str(f)).process.id == "mine"
