"""verify action / actions roi: the verdict from lake data is written back to the action, with evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CliRun
from valueloop.demo.pipeline import run_demo
from valueloop.errors import InputError
from valueloop.improvement.service.actions import create_action, move_action, status_now
from valueloop.improvement.service.actions_view import show_action
from valueloop.improvement.service.roi import action_roi
from valueloop.improvement.workflow import Status
from valueloop.store.workspace import Workspace, open_workspace
from valueloop.verification.service.experiment import LakeExperiment, verify_action


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("loop") / "ws"
    run_demo(root, interactions=20_000, log=lambda _: None)
    return open_workspace(root)


def _implemented(ws: Workspace, cost: float | None = 1000.0) -> int:
    aid = create_action(ws, {"title": "试点", "owner": "o", "department": "客服部", "cost": cost}, "t")
    for status in (Status.approved, Status.in_progress, Status.implemented):
        move_action(ws, aid, status, "t", "step")
    return aid


def test_a_real_effect_is_verified_and_written_back(demo: Workspace) -> None:
    story = json.loads((demo.root / "source-data" / "STORIES.json").read_text(encoding="utf-8"))["stories"]["ab_test"]
    scope = f"i.opened_at >= TIMESTAMPTZ '{story['start']}' AND i.opened_at < TIMESTAMPTZ '{story['end']}'"
    exp = LakeExperiment(assignment="CAST(substr(i.customer_id, 2) AS BIGINT) % 2 = 1", scope=scope)
    aid = _implemented(demo)
    out = verify_action(demo, aid, exp, "qa").model_dump(mode="json")
    assert out["verdict"] == "effective" and out["status"] == "effective"
    assert out["ci"][0] > 0
    verification = show_action(demo, aid).verification
    assert verification is not None and verification.verdict == "effective"
    assert verification.ci == pytest.approx(out["ci"])
    gain = action_roi(demo, aid, value_per_unit=2.0, units=1000)
    assert gain.benefit == pytest.approx(out["diff"] * 2000)
    assert gain.roi == pytest.approx((out["diff"] * 2000 - 1000) / 1000)
    assert gain.roi_ci is not None and gain.roi_ci[0] < gain.roi < gain.roi_ci[1]


def test_no_effect_is_not_effective_and_rerun_uses_the_attached_definition(demo: Workspace, cli: CliRun) -> None:
    # Even vs odd interaction number is not the planted assignment: nothing to find. It is not
    # per customer either, so it must be analysed per interaction.
    parity = "CAST(substr(i.interaction_id, 2) AS BIGINT) % 2 = 1"
    with pytest.raises(InputError, match="fall in both arms"):
        verify_action(demo, _implemented(demo), LakeExperiment(assignment=parity), "qa")
    exp = LakeExperiment(assignment=parity, unit="i.interaction_id")
    aid = _implemented(demo)
    assert verify_action(demo, aid, exp, "qa").status in ("not_effective", "effective")
    assert status_now(demo, aid) is not Status.implemented
    again = _implemented(demo)
    with pytest.raises(InputError, match="no experiment attached"):
        verify_action(demo, again, None, "qa")
    r = cli(
        "verify",
        "action",
        str(again),
        "--assignment",
        "CAST(substr(i.customer_id, 2) AS BIGINT) % 2 = 1",
        "-w",
        demo.root,
        "-f",
        "json",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["action_id"] == again


def test_roi_needs_evidence(demo: Workspace, tmp_path: Path) -> None:
    aid = _implemented(demo)
    with pytest.raises(InputError, match="no verification result"):
        action_roi(demo, aid, 1.0, 1.0)


def test_period_roi_adds_up_valued_actions(demo: Workspace, cli: CliRun) -> None:
    from datetime import UTC, datetime

    from valueloop.metrics.periods import label_of
    from valueloop.spec.model import Grain

    quarter = label_of(datetime.now(UTC).date(), Grain.quarter)
    before = json.loads(cli("actions", "roi", "--period", quarter, "-w", demo.root, "-f", "json", check=True).stdout)
    story = json.loads((demo.root / "source-data" / "STORIES.json").read_text(encoding="utf-8"))["stories"]["ab_test"]
    scope = f"i.opened_at >= TIMESTAMPTZ '{story['start']}' AND i.opened_at < TIMESTAMPTZ '{story['end']}'"
    aid = _implemented(demo, cost=500.0)
    verify_action(
        demo, aid, LakeExperiment(assignment="CAST(substr(i.customer_id, 2) AS BIGINT) % 2 = 1", scope=scope), "qa"
    )
    one = json.loads(
        cli(
            "actions",
            "roi",
            str(aid),
            "--value-per-unit",
            "3",
            "--units",
            "1000",
            "-w",
            demo.root,
            "-f",
            "json",
            check=True,
        ).stdout
    )
    after = json.loads(cli("actions", "roi", "--period", quarter, "-w", demo.root, "-f", "json", check=True).stdout)
    assert after["cost"] == pytest.approx(before["cost"] + 500.0)
    assert after["benefit"] == pytest.approx(before["benefit"] + one["benefit"])
    assert aid in [a["action_id"] for a in after["actions"]]
