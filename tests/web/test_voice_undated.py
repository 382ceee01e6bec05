"""The Voice page with feedback that has no dates at all: it says it needs dated feedback, in both languages."""

from __future__ import annotations

import warnings
from pathlib import Path

from valueloop.accounts.service.accounts import create_token
from valueloop.accounts.service.workspace import create_workspace
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.ingest.service.ingest import ingest
from valueloop.store.workspace import open_workspace
from valueloop.voice.service.text import analyze_feedback

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2 (a deprecation); httpx is what we ship
    from fastapi.testclient import TestClient


def test_voice_page_needs_dated_feedback(tmp_path: Path) -> None:
    create_workspace(tmp_path / "ws", announce=lambda _: None)
    ws = open_workspace(tmp_path / "ws")
    export = tmp_path / "reviews.csv"
    export.write_text("stars,text\n1,The refund never arrived\n5,Lovely room\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("dataset: feedback\nfields: {csat: stars}\n", encoding="utf-8")
    assert ingest(ws, "feedback", [export], mapping).stored == 2
    analyze_feedback(ws)
    token = create_token(ws, "admin", "tests", [])[1]
    with TestClient(create_app(ApiSettings(workspace=ws.root)), base_url="https://testserver") as client:
        headers = {"Authorization": f"Bearer {token}"}
        zh = client.get("/voice", headers=headers)
        client.cookies.set("vl_lang", "en")
        en = client.get("/voice", headers=headers)
    assert zh.status_code == en.status_code == 200
    assert "需要带日期的反馈" in zh.text and "Needs dated feedback" in en.text
