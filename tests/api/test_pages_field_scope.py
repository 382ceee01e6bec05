"""A manager's field levels (issue 20): a region head sees the field level (channels, agents) of their own rows."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from valueloop.evaluation.service.directory import below, unit_directory
from valueloop.evaluation.service.evaluate import evaluate
from valueloop.evaluation.service.models import load_versions
from valueloop.evaluation.service.scores import run_results
from valueloop.evaluation.service.segments import segment_results
from valueloop.metrics.periods import bounds_utc
from valueloop.spec.model import Grain
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]
CHANNEL = "field:channel"
KEPT = {"professionalism", "resolution_time"}


@pytest.fixture(scope="module")
def channels(demo: Workspace) -> dict[str, str]:
    """The demo model cut to two indicators on interactions, evaluated per channel (a field no unit of the
    tree is named by); then per branch again, so the latest run is the branch run."""
    branch = run_results(demo, None).model_dump()
    model = load_versions(demo, branch["model"])[-1]
    dims = [d.model_copy(update={"indicators": tuple(i for i in d.indicators if i.id in KEPT)})
            for d in model.dimensions if any(i.id in KEPT for i in d.indicators)]  # fmt: skip
    cut = model.model_copy(update={"dimensions": tuple(dims)})
    assert evaluate(demo, branch["model"], branch["period"], CHANNEL, versions=[cut]).results
    evaluate(demo, branch["model"], branch["period"])
    return {"model": branch["model"], "period": branch["period"]}


def _professionalism(ws: Workspace, units: set[str], period: str) -> dict[str, float]:
    """Per channel: share of the units' non-bot interactions in the period neither reopened nor escalated."""
    wh = Warehouse(ws)
    rows = wh.execute(wh.table("interactions"))
    start, end = bounds_utc(period, Grain.month, ws.settings.workspace.timezone)
    at = pd.to_datetime(rows["opened_at"], utc=True)
    mine = rows[rows["entity_id"].isin(units) & (at >= pd.Timestamp(start)) & (at < pd.Timestamp(end))
                & (rows["channel"] != "bot")]  # fmt: skip
    ok = (mine["reopened"] == False) & (mine["escalated"] == False)  # noqa: E712  (pandas masks)
    return {str(c): float(v) for c, v in ok.groupby(mine["channel"]).mean().items()}


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr><td class=\"num\">.*?</td>\s*<td>(.*?)</td>", html.split('id="ranking"', 1)[1], re.S)


def test_a_region_head_sees_the_channels_of_their_region_on_their_rows(
    app_client: TestClient, as_role: Headers, demo: Workspace, channels: dict[str, str]
) -> None:
    params = {"model": channels["model"], "level": CHANNEL, "lang": "zh-CN"}
    html = app_client.get("/rankings", headers=as_role("manager"), params=params).text
    assert 'id="ranking-within"' in html and "按您负责单位的记录评分并排名" in html
    shown = {re.sub(r"<[^>]+>", "", c).strip() for c in _rows(html)}
    region = below(unit_directory(demo), "R01") | {"R01"}
    manual = _professionalism(demo, region, channels["period"])
    assert shown and shown == set(manual) | {"bot"}  # bot conversations count for resolution time only
    assert app_client.get("/rankings.csv", headers=as_role("manager"), params=params).text.count("\n") == len(shown) + 1
    cut = segment_results(demo, frozenset(region), None, channels["period"], channels["model"], CHANNEL)
    assert cut is not None
    for r in cut.model_dump()["results"]:
        got = r["indicators"]["professionalism"]["value"]
        assert got == pytest.approx(manual.get(r["entity_id"])), r["entity_id"]
    company = run_results(demo, None, channels["period"], channels["model"], CHANNEL).model_dump()["results"]
    every = {r["entity_id"]: r["indicators"]["professionalism"]["value"] for r in company}
    assert any(every[c] != pytest.approx(v) for c, v in manual.items() if c in every)  # not the pooled values


def test_an_unbound_caller_reads_the_stored_field_run(
    app_client: TestClient, as_role: Headers, channels: dict[str, str]
) -> None:
    params = {"model": channels["model"], "level": CHANNEL}
    html = app_client.get("/rankings", headers=as_role("analyst"), params=params).text
    assert 'id="ranking-within"' not in html and _rows(html)


def test_the_region_heads_landing_page_links_their_field_levels(
    app_client: TestClient, as_role: Headers, channels: dict[str, str]
) -> None:
    html = app_client.get("/", headers=as_role("manager"), params={"lang": "zh-CN"}, follow_redirects=True).text
    links = html.split('id="unit-field-levels"', 1)[1].split("</p>", 1)[0]
    assert "level=field%3Achannel" in links and "渠道" in links
    assert 'id="unit-field-levels"' not in app_client.get("/units/R01", headers=as_role("analyst")).text
