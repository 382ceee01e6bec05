"""Key drivers on a demo workspace large enough for satisfaction to be well measured per branch-month."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from valueloop.cli.diagnose import register
from valueloop.demo.pipeline import run_demo
from valueloop.diagnosis.service.diagnose import drivers
from valueloop.store.workspace import Workspace, open_workspace

QUADRANTS = {"concentrate here", "keep up the good work", "low priority", "possible overkill", None}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("drivers") / "ws"
    run_demo(root, interactions=30_000, log=lambda _: None)
    return open_workspace(root)


def test_drivers_json_contract(demo: Workspace) -> None:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(
        app,
        [
            "drivers",
            "--outcome",
            "csat",
            "--period",
            "2026-10",
            "--periods",
            "6",
            "--bootstrap",
            "30",
            "--workspace",
            str(demo.root),
            "--format",
            "json",
        ],
    )
    out = json.loads(result.stdout)
    assert set(out) >= {"outcome", "r2", "observations", "drivers", "excluded"}
    assert sum(d["importance"] for d in out["drivers"]) == pytest.approx(out["r2"])
    assert {d["quadrant"] for d in out["drivers"]} <= QUADRANTS
    first = out["drivers"][0]
    assert set(first) >= {"indicator", "importance", "ci_low", "ci_high", "performance", "quadrant"}
    assert first["ci_low"] <= first["importance"] <= first["ci_high"]


def test_drivers_are_seeded(demo: Workspace) -> None:
    a = drivers(demo, "csat", period="2026-10", replicates=20, seed=3)
    assert a == drivers(demo, "csat", period="2026-10", replicates=20, seed=3)
    assert a.observations > len(a.drivers) + 1
