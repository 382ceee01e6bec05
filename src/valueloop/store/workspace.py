"""A workspace on disk: settings, model and mapping folders, the lake and the app database.

``init_workspace`` is the only thing that creates one; everything else opens an
existing workspace and fails with a clear message when the folder is not one.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tomli_w

from valueloop.errors import WorkspaceError
from valueloop.settings import SETTINGS_FILE, Settings, load_settings
from valueloop.spec.datasets import Dataset
from valueloop.spec.registry import for_workspace, kind_of
from valueloop.store.lake import MANIFEST


@dataclass(frozen=True)
class Workspace:
    root: Path
    settings: Settings

    @property
    def lake_dir(self) -> Path:
        return self.root / self.settings.lake.path

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def mappings_dir(self) -> Path:
        return self.root / "mappings"

    @property
    def datasets_dir(self) -> Path:
        return self.root / "datasets"

    @property
    def datasets(self) -> dict[str, Dataset]:
        """Every dataset this workspace knows: canonical, its own (``datasets/*.yaml``) and the own
        fields of its mappings and of its lake (:func:`valueloop.spec.registry.for_workspace`).

        Read again only when one of those files changes.
        """
        manifest = self.lake_dir / MANIFEST
        files = [*_yaml_files(self.datasets_dir, DATASET_FILES), *_yaml_files(self.mappings_dir, ("*.y*ml",)), manifest]
        return dict(_datasets(self.root, manifest, tuple(_stamp(f) for f in files)))

    @property
    def database_url(self) -> str:
        """The app database URL, with a relative SQLite path anchored at the workspace."""
        url = self.settings.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str((self.root / url[len(prefix) :]).resolve())
        return url


DATASET_FILES = ("*.yaml", "*.yml")
"""What :func:`valueloop.spec.registry.dataset_files` reads in ``datasets/``."""


def _yaml_files(folder: Path, patterns: tuple[str, ...]) -> tuple[Path, ...]:
    """The files of ``folder`` matching ``patterns``, sorted; listed again only when the folder's entries change.

    Adding, removing or renaming a file changes the folder's mtime, so a stat replaces a glob on
    every access (pages ask for the datasets several times per request). A file edited in place
    keeps the folder's mtime; :attr:`Workspace.datasets` stamps each listed file for that.
    """
    return _listed(folder, patterns, _stamp(folder))


@lru_cache(maxsize=64)
def _listed(folder: Path, patterns: tuple[str, ...], stamp: tuple[str, int, int]) -> tuple[Path, ...]:
    del stamp  # the cache key: the folder's (path, mtime, size)
    return tuple(sorted({p for pattern in patterns for p in folder.glob(pattern)}))


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return (str(path), -1, -1)
    return (str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=32)
def _datasets(root: Path, manifest: Path, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, Dataset]:
    recorded: dict[str, dict[str, str]] = {}
    with contextlib.suppress(FileNotFoundError):
        recorded = json.loads(manifest.read_text(encoding="utf-8")).get("fields", {})
    return for_workspace(root, {d: {n: kind_of(k) for n, k in f.items()} for d, f in recorded.items()})


UNSTAMPED = frozenset({"monitor", "source-data", ".lock"})
"""Workspace entries :func:`data_stamp` skips: the live monitor's own log and checkpoint
(rewritten every few seconds; what pages show of it is in the app database) and the demo's
source files (ingested copies live in the lake)."""
VOLATILE_SUFFIXES = ("-shm", ".tmp")
"""SQLite's shared-memory index (touched by readers too) and files being written."""


def data_stamp(ws: Workspace) -> tuple[tuple[str, int, int], ...]:
    """What changes whenever the stored data of ``ws`` changes: (path, size, mtime) of its files.

    Covers the app database when it is SQLite (with its write-ahead log), the lake's
    manifest (every lake write ends by replacing it; the Parquet files themselves are not
    visited) and the files of the workspace's other folders two levels deep (models,
    experiments, reports, goals, people …). Costs a few hundred ``stat`` calls at most; used
    to tell whether an answer computed earlier is still the answer (the web response cache).
    A database server (PostgreSQL) has no file to look at: callers bound their staleness
    by time as well.
    """
    found: list[tuple[str, int, int]] = []

    def visit(folder: Path, depth: int) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except FileNotFoundError:
            return
        for entry in entries:
            if (depth == 0 and entry.name in UNSTAMPED) or entry.name.endswith(VOLATILE_SUFFIXES):
                continue
            if entry.is_dir(follow_symlinks=False):
                if depth < 2 and Path(entry.path) != ws.lake_dir:
                    visit(Path(entry.path), depth + 1)
                continue
            with contextlib.suppress(FileNotFoundError):  # replaced while we looked: the next stamp sees it
                st = entry.stat()
                found.append((entry.path, st.st_size, st.st_mtime_ns))

    visit(ws.root, 0)
    manifest = ws.lake_dir / MANIFEST
    with contextlib.suppress(FileNotFoundError):
        st = manifest.stat()
        found.append((str(manifest), st.st_size, st.st_mtime_ns))
    return tuple(found)


def resolve_root(path: Path | None) -> Path:
    """The workspace folder: the given path, else ``VALUELOOP_WORKSPACE``, else the current folder."""
    if path is not None:
        return path
    env = os.environ.get("VALUELOOP_WORKSPACE")
    return Path(env) if env else Path.cwd()


def open_workspace(path: Path | None = None) -> Workspace:
    root = resolve_root(path).resolve()
    if not (root / SETTINGS_FILE).is_file():
        raise WorkspaceError(f"{root} is not a valueloop workspace (no {SETTINGS_FILE}); run `valueloop init {root}`")
    try:
        settings = load_settings(root)
    except ValueError as err:
        raise WorkspaceError(f"{root / SETTINGS_FILE}: {err}") from err
    return Workspace(root, settings)


def init_workspace(path: Path, *, template: str = "three-dimension", database_url: str | None = None) -> Workspace:
    """Create the folder layout and settings file (idempotent for an existing workspace)."""
    root = path.resolve()
    root.mkdir(parents=True, exist_ok=True)
    settings_path = root / SETTINGS_FILE
    if not settings_path.exists():
        doc: dict[str, dict[str, str]] = {
            "workspace": {"name": root.name, "timezone": "Asia/Shanghai", "language": "zh", "template": template},
            "database": {"url": database_url or "sqlite:///valueloop.db"},
            "lake": {"path": "lake", "warehouse": "duckdb"},
        }
        settings_path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    ws = open_workspace(root)
    for folder in (ws.models_dir, ws.mappings_dir, ws.lake_dir):
        folder.mkdir(parents=True, exist_ok=True)
    return ws
