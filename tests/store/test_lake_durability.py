"""A lake commit survives power loss: data files, their folders and the manifest reach the disk around the rename."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import write
from valueloop.ingest.service.ingest import ingest
from valueloop.store.lake import MANIFEST, Lake
from valueloop.store.workspace import Workspace


def _journal(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every fsync (with the path of what it flushed) and every rename, in order."""
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        events.append(("replace", str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return events


def test_files_and_folders_are_fsynced_before_the_manifest_rename_and_the_folder_after(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = write(tmp_path / "i.csv", "interaction_id,entity_id,opened_at\nI1,B1,2026-01-05 09:00\nI2,B1,not a date\n")
    events = _journal(monkeypatch)
    ingest(ws, "interactions", [f])
    root = ws.lake_dir.resolve()
    lake = Lake(root)
    data = [str(p.resolve()) for p in [*lake.files("interactions"), *lake.quarantine_files("interactions")]]
    assert len(data) == 2
    rename = events.index(("replace", str(root / MANIFEST)))
    before = [path for kind, path in events[:rename] if kind == "fsync"]
    after = [path for kind, path in events[rename + 1 :] if kind == "fsync"]
    for file in data:
        assert file in before, f"{file} is not fsynced before the commit"
        assert before.index(file) < before.index(str(Path(file).parent)), "a file before its folder"
    manifest_tmp = next(p for p in before if Path(p).name.startswith(MANIFEST + "."))
    assert before.index(manifest_tmp) > max(before.index(str(Path(p).parent)) for p in data)
    assert before[-1] == str(root), "the lake folder (new folders, the new manifest) just before the rename"
    assert after[0] == str(root), "the lake folder right after the rename"
