"""The QA score is an indicator like any other: the ``conversation-qa`` template evaluates teams from qa_scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import write
from qa.helpers import by_words
from qa.test_planted import AGENTS, SKIP_AGENT, generated
from valueloop.demo.transcripts import turns
from valueloop.evaluation.service.evaluate import evaluate
from valueloop.evaluation.service.models import install_template
from valueloop.ingest.service.ingest import ingest
from valueloop.qa.service.score import score_workspace
from valueloop.spec.datasets import DATASETS
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace


def _entities() -> str:
    rows = ["entity_id,name,type,parent_id", "C0,Co,company,", "R1,North,region,C0", "B1,Branch,branch,R1"]
    rows += [f"{t},{t},team,B1" for t in sorted(set(AGENTS.values()))]
    rows += [f"{a},{a},agent,{t}" for a, t in sorted(AGENTS.items())]
    return "\n".join(rows) + "\n"


def test_teams_are_evaluated_on_their_stored_qa_scores(ws: Workspace, tmp_path: Path) -> None:
    ingest(ws, "entities", [write(tmp_path / "e.csv", _entities())])
    rng = np.random.default_rng(3)
    rows = [r for spec, _ in generated(180) for r in turns(rng, spec)]
    file = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=DATASETS["conversations"].schema), file)
    ingest(ws, "conversations", [file])
    score_workspace(ws, "bank_call", by_words)
    install_template(ws, "conversation-qa")
    run = evaluate(ws, "conversation-qa", period="2026-03")
    stored = Lake(ws.lake_dir).read("qa_scores").to_pandas()
    means = stored.groupby("entity_id")["score"].mean()
    got = {r.entity_id: r.indicators["qa_score"]["value"] for r in run.results}
    assert set(got) == set(AGENTS.values())
    for team, value in got.items():
        assert value == pytest.approx(means[team]), team
    # the team of the agent who skips verification has the most auto-fails, and so the lowest score
    auto_fail = {r.entity_id: r.indicators["qa_auto_fail_rate"]["value"] for r in run.results}
    assert max(auto_fail, key=auto_fail.__getitem__) == AGENTS[SKIP_AGENT]
    assert min(run.results, key=lambda r: r.score or 0).entity_id == AGENTS[SKIP_AGENT]


def test_agents_scorecards_use_their_qa_scores(ws: Workspace, tmp_path: Path) -> None:
    from valueloop.people.service.audits import scorecards

    ingest(ws, "entities", [write(tmp_path / "e.csv", _entities())])
    rng = np.random.default_rng(4)
    rows = [r for spec, _ in generated(180) for r in turns(rng, spec)]
    file = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=DATASETS["conversations"].schema), file)
    ingest(ws, "conversations", [file])
    score_workspace(ws, "bank_call", by_words)
    install_template(ws, "conversation-qa")
    cards = scorecards(ws, period="2026-03", model_id="conversation-qa", export=False).scorecards
    assert {c.agent_id for c in cards} == set(AGENTS)
    assert min(cards, key=lambda c: c.score or 0.0).agent_id == SKIP_AGENT
