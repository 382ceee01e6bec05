"""The upload page and the upload API know a workspace's own datasets (call-centre template: ``calls``)."""

from __future__ import annotations

import warnings
from pathlib import Path

from valueloop.accounts.service.accounts import create_token
from valueloop.accounts.service.workspace import create_workspace
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.store.workspace import open_workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2 (a deprecation); httpx is what we ship
    from fastapi.testclient import TestClient


def test_upload_offers_and_takes_own_datasets(tmp_path: Path) -> None:
    create_workspace(tmp_path / "ws", template="call-centre", announce=lambda _: None)
    ws = open_workspace(tmp_path / "ws")
    token = create_token(ws, "admin", "tests", [])[1]
    log = b"call_id,vru_entry,type\nc1,2026-03-01 09:00:00,PS\nc2,2026-03-01 09:01:00,IN\n"
    with TestClient(create_app(ApiSettings(workspace=ws.root)), base_url="https://testserver") as client:
        headers = {"Authorization": f"Bearer {token}"}
        page = client.get("/upload", headers=headers)
        assert page.status_code == 200 and 'value="calls"' in page.text
        files = {"files": ("calls.csv", log, "text/csv")}
        done = client.post("/api/v1/ingest/calls", files=files, headers=headers)
        assert done.status_code == 201, done.text
        assert (done.json()["stored"], done.json()["quarantined"]) == (2, 0)
        unknown = client.post("/api/v1/ingest/callz", files=files, headers=headers)
        assert unknown.status_code == 400 and "unknown dataset 'callz'" in unknown.text
