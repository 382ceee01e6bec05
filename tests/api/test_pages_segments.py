"""The rankings page's segment selector (issue 20): the run's units scored and ranked on one customer segment's rows."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from valueloop.evaluation.service.directory import below, unit_directory
from valueloop.evaluation.service.scores import run_results
from valueloop.evaluation.service.segments import Segment, segment_choices, segment_results
from valueloop.metrics.periods import bounds_utc
from valueloop.spec.model import Grain
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]
HIGH = Segment("spend_tier", "high")


def _manual_mean(ws: Workspace, branch: str, period: str, segment: Segment) -> tuple[float, int]:
    """avg_order_value (mean order amount) of ``branch``'s orders by the segment's customers, read with pandas."""
    wh = Warehouse(ws)
    orders = wh.execute(wh.table("orders"))
    customers = wh.execute(wh.table("customers"))
    members = set(customers.loc[customers[segment.field].astype(str).str.lower() == segment.value, "customer_id"])
    start, end = bounds_utc(period, Grain.month, ws.settings.workspace.timezone)
    at = pd.to_datetime(orders["ordered_at"], utc=True)
    mine = orders[
        orders["customer_id"].isin(members)
        & orders["entity_id"].isin(below(unit_directory(ws), branch) | {branch})
        & (at >= pd.Timestamp(start)) & (at < pd.Timestamp(end))
    ]  # fmt: skip
    return float(mine["amount"].mean()), len(mine)


def test_the_segments_are_the_models_declared_customer_fields(demo: Workspace) -> None:
    found = segment_choices(demo, run_results(demo, None).model)
    assert {s.field for s in found} == {"spend_tier", "age_band", "vip"}
    assert HIGH in found and Segment("vip", "true") in found


def test_a_segment_ranking_is_the_model_on_the_segments_rows(demo: Workspace) -> None:
    every = run_results(demo, None, level="branch").model_dump()
    cut = segment_results(demo, None, HIGH, level="branch")
    assert cut is not None
    assert cut.run_id == every["run_id"] and cut.segment == "spend_tier:high"
    whole = {r["entity_id"]: r for r in every["results"]}
    part = {r["entity_id"]: r for r in cut.model_dump()["results"]}
    assert part.keys() == whole.keys()
    assert any(part[u]["score"] != whole[u]["score"] for u in part if part[u]["score"] is not None)
    assert all(part[u]["n"] <= whole[u]["n"] for u in part)
    for unit in list(part)[:5]:
        value, n = _manual_mean(demo, unit, str(every["period"]), HIGH)
        got = part[unit]["indicators"]["avg_order_value"]
        assert got["n"] == n
        if n:
            assert got["value"] == pytest.approx(value)
            assert got["value"] != pytest.approx(whole[unit]["indicators"]["avg_order_value"]["value"])


def test_the_rankings_page_offers_and_applies_a_segment(
    app_client: TestClient, as_role: Headers, demo: Workspace
) -> None:
    html = app_client.get("/rankings", headers=as_role("analyst"), params={"lang": "zh-CN"}).text
    assert 'id="ranking-segment"' in html and '<option value="spend_tier:high">消费层级 · 高</option>' in html
    cut = app_client.get("/rankings", headers=as_role("analyst"),
                         params={"lang": "zh-CN", "segment": "spend_tier:high", "level": "branch"}).text  # fmt: skip
    assert '<option value="spend_tier:high" selected>' in cut and 'id="ranking-segment-info"' in cut
    found = segment_results(demo, None, HIGH, level="branch")
    assert found is not None
    first = found.results[0].entity_id
    table = cut.split('id="ranking"', 1)[1]
    assert re.findall(r'href="/units/([\w-]+)"', table)[0] == first
    assert "segment=spend_tier%3Ahigh" in cut.split('id="export"', 1)[0].rsplit("<a", 1)[1]
    csv = app_client.get("/rankings.csv", headers=as_role("analyst"), params={"segment": "spend_tier:high"})
    assert csv.status_code == 200 and "spend_tier-high" in csv.headers["content-disposition"]


def test_an_unknown_segment_falls_back_to_every_customer(app_client: TestClient, as_role: Headers) -> None:
    html = app_client.get("/rankings", headers=as_role("analyst"), params={"segment": "vip:<b>x</b>"}).text
    assert 'id="ranking-segment-info"' not in html and "<b>x</b>" not in html


def test_a_scoped_manager_sees_only_their_units_in_a_segment(
    app_client: TestClient, as_role: Headers, demo: Workspace
) -> None:
    html = app_client.get("/rankings", headers=as_role("manager"), params={"segment": "vip:true", "level": "branch"})
    shown = set(re.findall(r'href="/units/([\w-]+)"', html.text.split('id="ranking"', 1)[1]))
    assert shown and shown <= below(unit_directory(demo), "R01")
