"""The demo finds what was planted in its data: the slow branch, the emerging topic, the A/B effect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from valueloop.demo.pipeline import run_demo
from valueloop.diagnosis.service.diagnose import show_finding
from valueloop.store.workspace import open_workspace


@pytest.mark.slow
def test_the_demo_finds_its_planted_stories(tmp_path: Path) -> None:
    report = run_demo(tmp_path / "demo", interactions=40_000, log=lambda _: None)
    stories = json.loads(Path(report["stories"]).read_text(encoding="utf-8"))["stories"]
    assert report["slow_branch_finding"] is not None
    finding = show_finding(open_workspace(tmp_path / "demo"), report["slow_branch_finding"])
    assert finding.entity_id == stories["degraded_branch"]["branch_id"]
    assert finding.period == stories["degraded_branch"]["from_month"]
    assert "退款到账慢" in report["rising_topics"]
    assert report["ab_verdict"] == "effective"
    assert sum(d["quarantined"] for d in report["datasets"]) == 0
    # conversation QA: the agent who skips identity verification is among the weakest, with that item
    planted = stories["conversation_qa"]
    weakest = [(agent, item) for agent, item, _ in report["conversation_qa"]["weakest"]]
    assert (planted["skip_verification_agent"], "verify_identity") in weakest
    assert report["conversation_qa"]["coaching"] is not None  # a coaching task for the weakest agent
    # every planted incident raised an alert during the replay: error bursts at their branch
    alerts = {a["incident"]: a for a in report["incident_alerts"]}
    assert set(alerts) == {i["id"] for i in stories["incidents"]}
    for inc in stories["incidents"]:
        want = "error_burst" if inc["kind"] == "error_burst" else "traffic_anomaly"
        assert alerts[inc["id"]]["rule"] == want, inc
