"""A small workspace with one of everything the ledger records, built through the real flows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import valueloop.templates
from valueloop.accounts.service.workspace import create_workspace
from valueloop.diagnosis import records
from valueloop.diagnosis.findings import Finding, RuleName, Severity
from valueloop.evaluation.service.evaluate import EntityResult, EvaluationRun, _store
from valueloop.improvement.documents import DocKind
from valueloop.improvement.service.actions import create_action, move_action
from valueloop.improvement.service.documents import add_document
from valueloop.improvement.workflow import Evidence, Status
from valueloop.spec.model_loader import load_model
from valueloop.store.workspace import Workspace, open_workspace

FIELDS = {"title": "缩短首次响应", "owner": "alice", "department": "客服部", "description": "排班调整"}
PATH = [Status.approved, Status.in_progress, Status.implemented, Status.verifying]


def _run(model_id: str, version: int, scale: str) -> EvaluationRun:
    results = [
        EntityResult(
            entity_id=e,
            name=e,
            score=s,
            rank=i + 1,
            percentile=None,
            change=None,
            dimensions={},
            indicators={},
            points_lost={},
        )
        for i, (e, s) in enumerate([("B1", 4.25), ("B2", 3.5), ("B3", 2.125)])
    ]
    return EvaluationRun(
        run_id="R1", model=model_id, version=version, period="2026-10", level="branch", scale=scale, results=results
    )


def _finding(entity: str, value: float) -> Finding:
    f = Finding(
        entity_id=entity,
        indicator="csat",
        period="2026-10",
        value=value,
        benchmark=4.0,
        gap_pct=0.1,
        severity=Severity.warning,
        rule=RuleName.benchmark,
        n=50,
    )
    return f.with_id("three-dimension", "branch").model_copy(update={"run_id": "R1", "created_at": datetime.now(UTC)})


def build(root: Path) -> Workspace:
    """Evaluation run (+ model version), findings, two actions (one verified), a document."""
    create_workspace(root)
    ws = open_workspace(root)
    model = load_model(Path(valueloop.templates.__file__).with_name("three-dimension.yaml"))
    _store(ws, model, _run(model.id, model.version, model.scale.value))
    records.replace(ws.database_url, model.id, "branch", "2026-10", [_finding("B3", 3.6), _finding("B2", 3.7)])
    add_document(
        ws,
        "SOP-1",
        "先致歉，再处理。",
        title="投诉话术",
        kind=DocKind.script,
        owner="alice",
        effective_from=date(2026, 10, 1),
    )
    create_action(ws, FIELDS, "alice")
    aid = create_action(ws, FIELDS, "alice")
    for s in PATH:
        move_action(ws, aid, s, "alice", f"on to {s}")
    ev = Evidence(verdict="effective", method="ab_test", p_value=0.01, ci_low=0.1, ci_high=0.3)
    move_action(ws, aid, Status.effective, "bob", "A/B test passed", ev)
    return ws


@pytest.fixture
def books(tmp_path: Path) -> Workspace:
    return build(tmp_path / "ws")
