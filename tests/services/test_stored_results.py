"""A stored run's results read back as they were written: typed, but nothing added, dropped or reordered."""

from __future__ import annotations

import json

from valueloop.evaluation.service.scores import StoredResult, UnitScores

OLD = {"entity_id": "B1", "name": "b", "score": 80.0, "rank": 1, "percentile": 100.0, "change": None,
       "dimensions": {"d": 80.0}, "indicators": {"csat": {"value": 4, "score": 80.0}},
       "points_lost": {"csat": 20.0}}  # fmt: skip
"""A result written before ``n`` and ``enough_data`` were stored."""


def test_a_result_of_an_older_run_gains_no_keys() -> None:
    assert json.dumps(StoredResult.model_validate(OLD).model_dump(mode="json")) == json.dumps(OLD)


def test_a_key_a_newer_run_wrote_is_kept() -> None:
    newer = OLD | {"n": 12, "enough_data": False, "note": "x"}
    assert StoredResult.model_validate(newer).model_dump(mode="json") == newer


def test_unit_scores_put_the_run_after_the_stored_result() -> None:
    rows = [{"indicator": "csat", "value": 4, "score": 80.0, "points_lost": 20.0}]
    run = {"model": "m", "run_id": "r", "period": "2026-10", "level": "branch", "indicator_rows": rows}
    doc = UnitScores.model_validate(OLD | run).model_dump(mode="json")
    assert json.dumps(doc) == json.dumps(OLD | run)  # the ``{**result, "model": …}`` dict it replaces
