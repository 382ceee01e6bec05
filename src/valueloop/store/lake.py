"""The Parquet lake: append-only fact files, committed atomically through one manifest.

Layout inside the workspace's lake folder::

    _manifest.json            which files are live (the only thing readers trust)
    <dataset>/part-<batch>.parquet
    _quarantine/<dataset>/q-<batch>.parquet
    _staging/<batch>/         a writer's scratch space, never read

A writer holds an exclusive file lock, writes new files beside the live ones, then
replaces ``_manifest.json`` with one ``os.replace``: that rename is the commit. A crash or
``kill -9`` before it leaves files no manifest names; the next writer deletes them, so the
lake is exactly as before. Power loss too: before the rename the new files, their
folders, the new manifest and the lake folder are fsynced (a manifest on disk never names
a file that is not), and the lake folder again after it (a commit reported is on disk).
Readers never take the lock: they read the manifest and then the files it names, and
files a writer retires are kept for an hour so a slow reader never loses a file under
its feet.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "_manifest.json"
STAGING = "_staging"
QUARANTINE = "_quarantine"
RETIRED_GRACE_SECONDS = 3600.0


def new_batch_id() -> str:
    """A sortable, unique id for one write to the lake."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:8]


@dataclass
class Manifest:
    """The set of live files; ``version`` grows by one with every commit."""

    version: int = 0
    datasets: dict[str, list[str]] = field(default_factory=dict)
    quarantine: dict[str, list[str]] = field(default_factory=dict)
    retired: list[dict[str, Any]] = field(default_factory=list)
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    """Own fields a mapping added to a dataset (name → kind): older files lack them and read as null."""

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True)

    def referenced(self) -> set[str]:
        live = {f for files in (*self.datasets.values(), *self.quarantine.values()) for f in files}
        return live | {r["path"] for r in self.retired}


class Lake:
    """Read access to the lake, and :meth:`transaction` for the single writer."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def manifest(self) -> Manifest:
        path = self.root / MANIFEST
        if not path.exists():
            return Manifest()
        return Manifest(**json.loads(path.read_text(encoding="utf-8")))

    def files(self, dataset: str) -> list[Path]:
        return [self.root / f for f in self.manifest().datasets.get(dataset, [])]

    def quarantine_files(self, dataset: str | None = None) -> list[Path]:
        q = self.manifest().quarantine
        names = [dataset] if dataset else sorted(q)
        return [self.root / f for name in names for f in q.get(name, [])]

    def read(self, dataset: str, schema: pa.Schema | None = None) -> pa.Table:
        """A whole dataset as one Arrow table (for small tables and tests; big reads go through Ibis)."""
        return read_parquet_files(self.files(dataset), schema)

    @contextmanager
    def transaction(self, batch_id: str) -> Iterator[LakeTransaction]:
        """Lock the lake, clean up after crashed writers, and commit on a clean exit."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            manifest = self.manifest()
            _collect_garbage(self.root, manifest)
            txn = LakeTransaction(self.root, manifest, batch_id)
            try:
                yield txn
                if txn.dirty:
                    txn.commit()
            finally:
                shutil.rmtree(txn.staging, ignore_errors=True)


class LakeTransaction:
    """Files added, replaced or retired in one batch; invisible until :meth:`commit`."""

    def __init__(self, root: Path, manifest: Manifest, batch_id: str) -> None:
        self.root = root
        self.batch_id = batch_id
        self.manifest = Manifest(
            manifest.version,
            {k: list(v) for k, v in manifest.datasets.items()},
            {k: list(v) for k, v in manifest.quarantine.items()},
            list(manifest.retired),
            {k: dict(v) for k, v in manifest.fields.items()},
        )
        self.staging = root / STAGING / batch_id
        self.staging.mkdir(parents=True, exist_ok=True)
        self.dirty = False
        self.written: list[Path] = []
        """The data files this batch added (live or quarantined), in the order they were added."""
        self.retired: list[str] = []
        """The files this batch took out of the live set (paths relative to the lake)."""

    def new_path(self, dataset: str, stem: str, *, quarantine: bool = False) -> Path:
        """A fresh file path for ``dataset`` that no live file uses."""
        folder = self.root / (f"{QUARANTINE}/{dataset}" if quarantine else dataset)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{stem}-{self.batch_id}.parquet"

    def add(self, dataset: str, path: Path, *, quarantine: bool = False) -> None:
        target = self.manifest.quarantine if quarantine else self.manifest.datasets
        target.setdefault(dataset, []).append(self.rel(path))
        self.written.append(path)
        self.dirty = True

    def record_fields(self, dataset: str, kinds: dict[str, str]) -> None:
        """Remember own fields of ``dataset`` (committed with the files that first hold them)."""
        known = self.manifest.fields.setdefault(dataset, {})
        if any(known.get(n) != k for n, k in kinds.items()):
            known.update(kinds)
            self.dirty = True

    def replace(self, dataset: str, old: Path, new: Path | None, *, quarantine: bool = False) -> None:
        """Swap a live file for its rewritten version (or drop it when ``new`` is None)."""
        files = (self.manifest.quarantine if quarantine else self.manifest.datasets)[dataset]
        rel = self.rel(old)
        files.remove(rel)
        if new is not None:
            files.append(self.rel(new))
            self.written.append(new)
        self.manifest.retired.append({"path": rel, "at": time.time()})
        self.retired.append(rel)
        self.dirty = True

    def commit(self) -> None:
        """Make the batch durable, then visible: data files and folders, manifest, rename, lake folder."""
        for path in self.written:
            _fsync(path)
        for folder in dict.fromkeys(p.parent for p in self.written):
            _fsync(folder)
        self.manifest.version += 1
        tmp = self.root / f"{MANIFEST}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(self.manifest.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        _fsync(self.root)  # new dataset folders and the temporary manifest's entry
        os.replace(tmp, self.root / MANIFEST)
        _fsync(self.root)  # the rename itself

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def _fsync(path: Path) -> None:
    """Flush a file's or a folder's content (for a folder: its entries) to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    """The SHA-256 (hex) of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _collect_garbage(root: Path, manifest: Manifest) -> None:
    """Delete what crashed writers left and retired files past their grace period."""
    shutil.rmtree(root / STAGING, ignore_errors=True)
    for tmp in root.glob(f"{MANIFEST}.*.tmp"):
        tmp.unlink(missing_ok=True)
    now = time.time()
    expired = {r["path"] for r in manifest.retired if now - r["at"] > RETIRED_GRACE_SECONDS}
    manifest.retired = [r for r in manifest.retired if r["path"] not in expired]
    keep = manifest.referenced()
    for path in root.rglob("*.parquet"):
        rel = path.relative_to(root).as_posix()
        if rel not in keep:
            path.unlink(missing_ok=True)


def read_parquet_files(files: list[Path], schema: pa.Schema | None = None) -> pa.Table:
    if not files:
        if schema is None:
            raise ValueError("no files and no schema")
        return schema.empty_table()
    return pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")
