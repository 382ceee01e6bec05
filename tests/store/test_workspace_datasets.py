"""``Workspace.datasets`` lists ``datasets/`` and ``mappings/`` only when their entries change, not on every access."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from valueloop.store.workspace import Workspace, init_workspace

NOTES = "name: notes\nkey: none\nfields: {note: string}\n"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws")


def _count_globs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = Path.glob

    def counting(self: Path, pattern: str, **kw: object) -> object:
        seen.append(self)
        return real(self, pattern, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "glob", counting)
    return seen


def test_a_second_access_lists_no_folder(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    (ws.root / "datasets").mkdir(exist_ok=True)
    (ws.root / "datasets" / "notes.yaml").write_text(NOTES, encoding="utf-8")
    assert "notes" in ws.datasets
    globs = _count_globs(monkeypatch)
    for _ in range(3):
        assert "notes" in ws.datasets
    assert globs == []


def test_a_file_added_removed_or_edited_is_seen(ws: Workspace) -> None:
    folder = ws.root / "datasets"
    folder.mkdir(exist_ok=True)
    assert "notes" not in ws.datasets
    (folder / "notes.yml").write_text(NOTES, encoding="utf-8")
    assert "notes" in ws.datasets  # added: the folder's mtime moved
    path = folder / "notes.yml"
    path.write_text(NOTES.replace("note: string", "note: string, more: string"), encoding="utf-8")
    stat = path.stat()
    os.utime(folder, ns=(stat.st_atime_ns, folder.stat().st_mtime_ns))  # an in-place edit leaves the folder alone
    assert "more" in {f.name for f in ws.datasets["notes"].fields}
    path.unlink()
    assert "notes" not in ws.datasets
