"""The workspace's data stamp changes with every kind of stored data, and not with the live monitor's log."""

from __future__ import annotations

from pathlib import Path

from valueloop.accounts.service.accounts import Role, add_user
from valueloop.store.lake import MANIFEST
from valueloop.store.workspace import data_stamp, init_workspace


def test_the_stamp_follows_the_data_and_ignores_the_monitor_log(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    first = data_stamp(ws)
    assert data_stamp(ws) == first

    (ws.root / "monitor").mkdir(exist_ok=True)
    (ws.root / "monitor" / "wal.jsonl").write_text("{}\n")  # rewritten all the time while serving
    (ws.root / "valueloop.db-shm").write_bytes(b"\0")  # touched by readers too
    assert data_stamp(ws) == first

    add_user(ws, "ana", "long enough password", Role.analyst)  # the app database
    second = data_stamp(ws)
    assert second != first

    (ws.models_dir / "mine.yaml").write_text("id: mine\n", encoding="utf-8")
    third = data_stamp(ws)
    assert third != second

    (ws.lake_dir / MANIFEST).write_text('{"datasets": {}, "version": 2}', encoding="utf-8")
    fourth = data_stamp(ws)
    assert fourth != third

    (ws.root / "experiments").mkdir(exist_ok=True)
    (ws.root / "experiments" / "action-1.json").write_text("{}", encoding="utf-8")
    assert data_stamp(ws) != fourth
