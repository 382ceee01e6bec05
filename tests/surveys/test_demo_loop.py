"""`valueloop demo` runs the inner loop: surveys sent after its resolved interactions (links exported, no
network), some answered through the public page's use cases, detractor cases opened, closed and escalated."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from valueloop.demo.pipeline import run_demo
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import open_workspace
from valueloop.surveys.service.cases import list_cases
from valueloop.surveys.service.invitations import list_invitations
from valueloop.voice.service.text import analyze_feedback


@pytest.mark.slow
def test_the_demo_sends_answers_and_follows_up_surveys(tmp_path: Path) -> None:
    said: list[str] = []
    report = run_demo(tmp_path / "demo", interactions=6_000, log=said.append)
    loop = report["inner_loop"]
    ws = open_workspace(tmp_path / "demo")
    assert 0 < loop["answered"] <= loop["exported"] == loop["invited"]
    with (tmp_path / "demo" / "source-data" / "survey-links.csv").open(encoding="utf-8") as fh:
        links = list(csv.DictReader(fh))
    assert len(links) == loop["exported"] and all("/s/i." in r["url"] for r in links)
    invitations = list_invitations(ws, "after_service", limit=10_000)
    assert sum(i.answered_at is not None for i in invitations) == loop["answered"]
    wh = Warehouse(ws)
    t = wh.table("feedback")
    answers = wh.execute(t.filter(t.feedback_id.isin([i.invitation_id for i in invitations])))
    assert len(answers) == loop["answered"] and answers["nps"].notna().all()
    cases = list_cases(ws, datetime.now(UTC), state="all")
    assert len(cases) == loop["cases"] > 0 and all(c.score <= 6 or c.question == "csat" for c in cases)
    closed = [c for c in cases if c.closed_at is not None]
    assert len(closed) == loop["closed"] > 0 and all(c.outcome and c.root_cause for c in closed)
    assert sum(c.escalated_to == "质量经理" for c in cases) == loop["escalated"] == len(cases) - len(closed)
    assert analyze_feedback(ws).analysed == 0  # the answers' texts were analysed with the rest
    published = wh.execute(wh.table("follow_up_cases"))  # time to close and recovery, for models
    assert len(published) == len(cases) and published["hours_to_close"].notna().sum() == len(closed)
    assert any(line.startswith("surveys: ") and "detractor cases opened" in line for line in said)
