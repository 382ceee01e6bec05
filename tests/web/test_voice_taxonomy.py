"""The voice-of-the-customer page, its quotes and the API read the workspace's own taxonomy, not the shipped one."""

from __future__ import annotations

import json
import re

import pytest

from valueloop.accounts.service.accounts import create_token
from valueloop.accounts.service.workspace import create_workspace
from valueloop.ingest.service.ingest import ingest
from valueloop.store.workspace import Workspace, open_workspace
from valueloop.voice.service import text as ft
from valueloop.voice.service import voice_view
from valueloop.voice.service.taxonomies import use_taxonomy

REVIEWS = ["早餐太少了，品种单一", "隔音太差，晚上很吵", "前台办理入住等了半小时", "房间很干净"]


@pytest.fixture(scope="module")
def hotel(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("voice") / "hotel"
    create_workspace(root)
    ws = open_workspace(root)
    csv = root / "fb.csv"
    rows = [
        f"H-{m}-{i},2026-{m:02d}-{10 + i} 10:00:00,B001,complaint,{REVIEWS[(m + i) % len(REVIEWS)]}"
        for m in range(1, 8)
        for i in range(6)
    ]
    csv.write_text("feedback_id,submitted_at,entity_id,kind,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert ingest(ws, "feedback", [csv]).stored == len(rows)
    use_taxonomy(ws, "hospitality")
    ft.analyze_feedback(ws)
    return ws


def test_quotes_highlight_evidence_of_the_workspace_taxonomy(hotel: Workspace) -> None:
    quotes = voice_view.topic_quotes(hotel, ["breakfast", "noise"])
    assert quotes["breakfast"] and all(q.match == "早餐" for q in quotes["breakfast"])
    assert quotes["noise"] and {q.match for q in quotes["noise"]} <= {"隔音", "吵"}


def test_a_quote_carries_the_polarity_of_its_topic_clause(hotel: Workspace) -> None:
    quotes = voice_view.topic_quotes(hotel, ["breakfast", "cleanliness"])
    assert {q.polarity for q in quotes["breakfast"]} == {"negative"}  # 早餐太少了
    assert {q.polarity for q in quotes["cleanliness"]} == {"positive"}  # 房间很干净


def test_the_voice_page_names_the_workspace_topics(hotel: Workspace) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette asks for httpx2 (a deprecation); httpx is what we ship
        from fastapi.testclient import TestClient

    from valueloop.http.app import create_app
    from valueloop.http.settings import ApiSettings

    token = create_token(hotel, "admin", "tests", [])[1]
    with TestClient(create_app(ApiSettings(workspace=hotel.root)), base_url="https://testserver") as client:
        page = client.get("/voice", headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh"})
        hot = client.get("/api/v1/text/hotspots", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200, page.text[:500]
    assert "对该主题" in page.text
    charts = json.loads(re.search(r'id="chart-data"[^>]*>(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    assert {"早餐餐饮", "噪音隔音"} <= set(charts["heatmap"]["items"])  # the hotel taxonomy's names, not its ids
    assert hot.status_code == 200 and {"breakfast", "noise"} <= {r["item"] for r in hot.json()["category"]["table"]}


def test_discover_reads_the_workspace_feedback_without_a_file(hotel: Workspace) -> None:
    from valueloop.voice.service.taxonomies import discover_file

    report = discover_file(None, "text", hotel, k=4)
    assert report.texts == 42 and report.topics
    assert {"早餐", "隔音", "前台", "房间"} & {t for r in report.topics for t in r.terms.split(", ")}
