"""Benchmark awards, complaint risk and training effects: properties and a small demo workspace."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CliRun
from valueloop.accounts.service.workspace import create_workspace
from valueloop.demo.generate import generate
from valueloop.ingest.service.ingest import ingest
from valueloop.people.awards import AwardRules, awards
from valueloop.people.risk_features import build
from valueloop.store.workspace import Workspace, open_workspace

PERIODS = ("2026-08", "2026-09", "2026-10")


def _peers(rng: np.random.Generator, agents: int, mean: float, spread: float) -> pd.DataFrame:
    rows = []
    for a in range(agents):
        level = mean + rng.normal(0, spread)
        for p in PERIODS:
            n = int(rng.integers(10, 40))
            rows += [(f"A{a}", p, float(np.clip(np.round(rng.normal(level, 0.9)), 1, 5))) for _ in range(n)]
    return pd.DataFrame(rows, columns=["agent_id", "period", "value"])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(4, 30), st.floats(3.0, 4.8), st.floats(0.0, 0.5))
def test_three_perfect_interactions_never_win(seed: int, agents: int, mean: float, spread: float) -> None:
    peers = _peers(np.random.default_rng(seed), agents, mean, spread)
    lucky = pd.DataFrame([("LUCKY", p, 5.0) for p in PERIODS for _ in range(3)], columns=peers.columns)
    doc = awards(pd.concat([peers, lucky]), "2026-10", 1, AwardRules(top=agents + 1))
    assert "LUCKY" not in {w["agent_id"] for w in doc["winners"]}  # type: ignore[attr-defined]


def test_shrinkage_alone_keeps_a_small_perfect_sample_below_a_proven_agent() -> None:
    rng = np.random.default_rng(3)
    peers = _peers(rng, 20, 4.0, 0.2)
    star = pd.DataFrame([("STAR", p, v) for p in PERIODS for v in [5.0] * 36 + [4.0] * 4], columns=peers.columns)
    lucky = pd.DataFrame([("LUCKY", p, 5.0) for p in PERIODS for _ in range(3)], columns=peers.columns)
    doc = awards(pd.concat([peers, star, lucky]), "2026-10", 1, AwardRules(min_n=1, top=1))
    [winner] = doc["winners"]  # type: ignore[misc]
    assert winner["agent_id"] == "STAR" and "top quartile in 3 of the last 3" in winner["why"]
    assert winner["interval"][0] < winner["score"] < winner["interval"][1]


def test_risk_features_see_nothing_after_the_prediction_time() -> None:
    t = pd.Timestamp("2026-03-01 02:00", tz="UTC")
    x = pd.DataFrame(
        [{"interaction_id": "i1", "customer_id": "c", "opened_at": t, "first_response_at": t + pd.Timedelta(hours=1),
          "resolved_at": t + pd.Timedelta(hours=5), "reopened": False, "escalated": True, "resolved_by_bot": False,
          "steps_required": 3, "steps_completed": 2, "channel": "phone", "category": "billing"}]
    )  # fmt: skip
    fb = pd.DataFrame(
        {"customer_id": ["c", "c", "c"], "kind": ["complaint", "complaint", "survey"], "csat": [None, None, 1],
         "submitted_at": [t - pd.Timedelta(days=3), t + pd.Timedelta(days=2), t + pd.Timedelta(hours=6)]}
    )  # fmt: skip
    cu = pd.DataFrame({"customer_id": ["c"], "vip": [True], "spend_tier": ["high"]})
    [row] = build(x, fb, cu, 14).to_dict("records")
    assert row["prior_negative_90d"] == 1, "the later survey and complaint are not features"
    assert row["label"] == 1 and build(x, fb, cu, 1).iloc[0]["label"] == 0
    assert row["log_resolution_h"] == pytest.approx(np.log1p(5)) and row["steps_missing"] == 1


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("people")
    paths = generate(root / "src", entities=80, interactions=12_000, seed=5)
    create_workspace(root / "ws")
    ws = open_workspace(root / "ws")
    for name in ("entities", "customers", "interactions", "feedback", "staff", "training"):
        ingest(ws, name, [paths[name]])
    return ws


def test_risk_train_queue_and_json_model(small: Workspace, cli: CliRun) -> None:
    w = ("--workspace", small.root, "--format", "json")
    doc = json.loads(cli("risk", "train", *w, check=True).stdout)
    assert doc["test"]["auc"] > 0.6 and doc["split"]["train_until"] < doc["split"]["test_from"]
    assert len(doc["test"]["calibration"]) == 10
    model = json.loads((small.root / "people" / "risk-model.json").read_text(encoding="utf-8"))
    assert len(model["coef"]) == len(model["features"]) == len(model["mean"])
    q = json.loads(cli("risk", "queue", "--top", "5", *w, check=True).stdout)
    assert 0 < len(q["queue"]) <= 5 and len({r["customer_id"] for r in q["queue"]}) == len(q["queue"])
    probs = [r["probability"] for r in q["queue"]]
    assert probs == sorted(probs, reverse=True) and all(r["contribution"] > 0 for r in q["queue"][0]["reasons"])


def test_planted_training_effect_is_found_and_a_useless_course_is_not(small: Workspace, cli: CliRun) -> None:
    w = ("--workspace", small.root, "--format", "json")
    doc = json.loads(
        cli("people", "training-effect", "--course", "PRO-EMPATHY", "--indicator", "professionalism", *w,
            check=True).stdout
    )  # fmt: skip
    assert doc["verdict"] == "improved" and doc["ci"][0] > 0 and doc["tier"] == "professional"
    onboard = json.loads(cli("people", "training-effect", "--course", "BAS-ONBOARD", *w, check=True).stdout)
    assert onboard["estimate"] is None and onboard["reason"]


def test_awards_cli(small: Workspace, cli: CliRun) -> None:
    doc = json.loads(cli("people", "awards", "--workspace", small.root, "--format", "json", check=True).stdout)
    assert doc["periods"][-1] == doc["period"] and doc["rules"]["min_n"] == 10
    for w in doc["winners"]:
        assert w["n"] >= 10 and len(w["top_quartile_periods"]) >= 2 and "shrunk score" in w["why"]


def test_unknown_course_is_a_clear_error(small: Workspace, tmp_path: Path, cli: CliRun) -> None:
    r = cli("people", "training-effect", "--course", "NOPE", "--workspace", small.root)
    assert r.returncode != 0 and "NOPE" in r.stderr + r.stdout
