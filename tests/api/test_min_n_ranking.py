"""A new unit with a handful of records is scored but not ranked: "not enough data" on every page that ranks.

The demo's model asks at least 20 records (its smallest indicator ``min_n``) before it ranks a unit;
a branch opened this month with five service records must not top or tail the ranking.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from valueloop.evaluation.service.evaluate import evaluate
from valueloop.ingest.service.ingest import ingest
from valueloop.store.workspace import Workspace

NEW = "B099"


@pytest.fixture(scope="module")
def new_branch(demo: Workspace, tmp_path_factory: pytest.TempPathFactory) -> str:
    """B099 under R01 with five service records in October 2026, then October evaluated again."""
    where = tmp_path_factory.mktemp("new-branch")
    entity = [{"entity_id": NEW, "name": "新开试点支行", "type": "branch", "parent_id": "R01"}]
    calls = [{"interaction_id": f"NEW{k}", "entity_id": NEW, "opened_at": f"2026-10-1{k}T02:00:00+00:00",
              "first_response_at": f"2026-10-1{k}T02:01:00+00:00", "resolved_at": f"2026-10-1{k}T03:00:00+00:00",
              "channel": "phone", "category": "account", "steps_required": 3, "steps_completed": 3}
             for k in range(5)]  # fmt: skip
    for dataset, rows in (("entities", entity), ("interactions", calls)):
        src = Path(where) / f"{dataset}.jsonl"
        src.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
        assert ingest(demo, dataset, [src]).quarantined == 0
    run = evaluate(demo, period="2026-10")
    mine = next(r for r in run.results if r.entity_id == NEW)
    assert mine.score is not None and mine.rank is None and not mine.enough_data and mine.n == 5
    return NEW


def test_the_new_branch_is_not_ranked_in_the_api(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], new_branch: str
) -> None:
    results = app_client.get("/api/v1/runs/latest", headers=as_role("analyst")).json()["results"]
    mine = next(r for r in results if r["entity_id"] == new_branch)
    assert mine["rank"] is None and mine["percentile"] is None and mine["enough_data"] is False
    ranked = sorted(r["rank"] for r in results if r["rank"] is not None)
    assert ranked[0] == 1 and len(ranked) == len({r["entity_id"] for r in results if r["enough_data"]})


@pytest.mark.parametrize(("lang", "words"), [("zh-CN", "数据不足"), ("en", "Not enough data")])
def test_pages_say_not_enough_data(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], new_branch: str, lang: str, words: str
) -> None:
    h = as_role("analyst")
    rankings = app_client.get("/rankings", headers=h, params={"lang": lang}).text
    row = rankings.split(f'href="/units/{new_branch}"')[0].rsplit("<tr>", 1)[1]
    assert words in row
    unit = app_client.get(f"/units/{new_branch}", headers=h, params={"lang": lang}).text
    assert 'id="unit-not-ranked"' in unit and words in unit
    region = app_client.get("/units/R01", headers=h, params={"lang": lang}).text
    assert words in region.split(f'href="/units/{new_branch}"')[0].rsplit("<tr>", 1)[1]
