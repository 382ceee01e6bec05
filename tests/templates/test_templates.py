"""Shipped model templates: every one loads, and the two with a stated shape keep it.

SERVQUAL's gaps are checked on a tiny survey ingested through the real path, against
differences of means worked out by hand below.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from valueloop.evaluation.service.evaluate import evaluate
from valueloop.evaluation.service.models import (
    TEMPLATES,
    available_templates,
    install_template,
    template_model_files,
    template_models,
    template_path,
)
from valueloop.ingest.service.ingest import ingest
from valueloop.metrics.run import compute_values
from valueloop.scoring.rules import score_values
from valueloop.spec.datasets import SERVQUAL_DIMENSIONS
from valueloop.spec.model import Derived, Linear, Percentile, Scale
from valueloop.spec.model_loader import load_model
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace


@pytest.mark.parametrize("name", available_templates())
def test_every_template_loads(name: str) -> None:
    models = template_models(name)
    assert len(models) == len(template_model_files(name))
    assert all(m.id == name for m in models) or template_path(name).is_dir()


def test_every_listed_template_is_shipped() -> None:
    assert set(TEMPLATES) <= set(available_templates())


def test_experience_score_has_twelve_scored_indicators_on_one_to_five() -> None:
    model = load_model(template_path("experience-score"))
    scored = [i for i in model.indicators if i.weight > 0]
    assert len(scored) == 12
    assert (model.level, model.period.value, model.scale) == ("branch", "month", Scale.five)
    assert 3 <= len(model.dimensions) <= 4
    # Absolute rules, so a month's score does not depend on how the peers did that month.
    assert not any(isinstance(i.scoring, Percentile) for i in scored)


def test_servqual_scores_a_gap_per_rater_dimension() -> None:
    model = load_model(template_path("servqual"))
    assert {d.id for d in model.dimensions} == set(SERVQUAL_DIMENSIONS)
    gaps = [i for i in model.indicators if i.weight > 0]
    assert [i.id for i in gaps] == [f"{d.id}_gap" for d in model.dimensions]
    assert all(isinstance(i.measure, Derived) and isinstance(i.scoring, Linear) for i in gaps)
    assert sum(d.weight for d in model.dimensions) == pytest.approx(1.0)


def test_servqual_gap_scoring_runs_from_minus_two_to_plus_half() -> None:
    gap = load_model(template_path("servqual")).indicator("reliability_gap")
    scores = score_values(np.array([-3.0, -2.0, -0.75, 0.5, 1.0]), gap, Scale.five, 0.0)
    assert scores.tolist() == pytest.approx([1.0, 1.0, 3.0, 5.0, 5.0])


# (response, item, entity, local time, dimension, expectation, perception)
SURVEY = [
    ("r1", "q01", "B1", "2026-02-10 10:00:00", "reliability", 7, 5),
    ("r1", "q02", "B1", "2026-02-10 10:00:00", "reliability", 6, 5),
    ("r2", "q01", "T1", "2026-03-05 15:00:00", "reliability", 7, 4),  # team T1 rolls up into B1
    ("r2", "q02", "T1", "2026-03-05 15:00:00", "reliability", None, 7),  # unpaired: left out
    ("r1", "q05", "B1", "2026-02-10 10:00:00", "responsiveness", 6, 6),
    ("r2", "q05", "T1", "2026-03-05 15:00:00", "responsiveness", 5, 6),
    ("r1", "q10", "B1", "2026-02-10 10:00:00", "assurance", 7, 6),
    ("r1", "q14", "B1", "2026-02-10 10:00:00", "empathy", 5, 4),
    ("r2", "q14", "T1", "2026-03-05 15:00:00", "empathy", 7, 6),
    ("r1", "q19", "B1", "2026-02-10 10:00:00", "tangibles", 4, 5),
    ("r1", "q20", "B1", "2026-02-10 10:00:00", "tangibles", 6, 6),
    ("r2", "q19", "T1", "2026-03-05 15:00:00", "tangibles", 5, 4),
    ("r2", "q20", "T1", "2026-03-05 15:00:00", "tangibles", 3, 5),
    ("s1", "q01", "B2", "2026-01-20 09:00:00", "reliability", 6, 3),
    ("s1", "q02", "B2", "2026-01-20 09:00:00", "reliability", 7, 5),
    ("s2", "q01", "B2", "2026-04-02 09:00:00", "reliability", 7, 1),  # next quarter: left out
    ("s1", "q05", "B2", "2026-01-20 09:00:00", "responsiveness", 5, 5),
    ("s1", "q10", "B2", "2026-01-20 09:00:00", "assurance", 6, 4),
    ("s1", "q11", "B2", "2026-01-20 09:00:00", "assurance", 6, 5),
    ("s1", "q14", "B2", "2026-01-20 09:00:00", "empathy", 4, 4),
    ("s1", "q19", "B2", "2026-01-20 09:00:00", "tangibles", 5, 6),
]
# Hand-computed over the paired items of 2026-Q1: (mean perception, mean expectation, gap).
EXPECTED = {
    "B1": {
        "reliability": (14 / 3, 20 / 3, -2.0),
        "responsiveness": (6.0, 5.5, 0.5),
        "assurance": (6.0, 7.0, -1.0),
        "empathy": (5.0, 6.0, -1.0),
        "tangibles": (5.0, 4.5, 0.5),
    },
    "B2": {
        "reliability": (4.0, 6.5, -2.5),
        "responsiveness": (5.0, 5.0, 0.0),
        "assurance": (4.5, 6.0, -1.5),
        "empathy": (4.0, 4.0, 0.0),
        "tangibles": (6.0, 5.0, 1.0),
    },
}


def _ingest(ws: Workspace, tmp_path: Path, dataset: str, rows: list[dict[str, object]]) -> None:
    src = tmp_path / f"{dataset}.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    summary = ingest(ws, dataset, [src])
    assert summary.quarantined == 0, summary.errors


@pytest.fixture
def survey_ws(ws: Workspace, tmp_path: Path) -> Workspace:
    install_template(ws, "servqual")
    entities = [
        {"entity_id": "C0", "type": "company"},
        {"entity_id": "B1", "type": "branch", "parent_id": "C0"},
        {"entity_id": "T1", "type": "team", "parent_id": "B1"},
        {"entity_id": "B2", "type": "branch", "parent_id": "C0"},
    ]
    _ingest(ws, tmp_path, "entities", entities)
    keys = ("response_id", "item", "entity_id", "submitted_at", "dimension", "expectation", "perception")
    _ingest(ws, tmp_path, "survey_items", [dict(zip(keys, row, strict=True)) for row in SURVEY])
    return ws


def test_servqual_gaps_on_a_hand_made_survey(survey_ws: Workspace) -> None:
    model = load_model(survey_ws.models_dir / "servqual.yaml")
    values, _ = compute_values(Warehouse(survey_ws), model, ["2026-Q1"])
    got = values[values["segment"].isna()].set_index(["entity_id", "indicator"])["value"]
    for entity, dims in EXPECTED.items():
        for dim, (perception, expectation, gap) in dims.items():
            assert got[(entity, f"{dim}_perception")] == pytest.approx(perception), (entity, dim)
            assert got[(entity, f"{dim}_expectation")] == pytest.approx(expectation), (entity, dim)
            assert got[(entity, f"{dim}_gap")] == pytest.approx(gap), (entity, dim)


def test_servqual_evaluates_end_to_end(survey_ws: Workspace) -> None:
    run = evaluate(survey_ws, "servqual", "2026-Q1", store=False)
    by_id = {r.entity_id: r for r in run.results}
    assert set(by_id) == {"B1", "B2"}
    assert by_id["B1"].indicators["reliability_gap"]["value"] == pytest.approx(-2.0)
    assert all(r.score is not None and 1.0 <= r.score <= 5.0 for r in run.results)
