"""Lake coverage: each committed batch of a ledgered dataset records its files' hashes in the ledger.

A batch's ledger record carries ``"lake": {"dataset", "files": {path: sha256}, "retired":
[path]}`` — the batch's own manifest: the Parquet files it made live (paths relative to
the lake) with the SHA-256 of their bytes, and the live files it took out (an update
rewrites the file that held the old version). Replaying those records in chain order
gives the files that should be live and their hashes; checking re-hashes the files the
lake's manifest names and reports any file whose bytes changed, that disappeared, or
that no record made live.

Batches recorded before coverage (migration ``0008``: an ``audit_result`` record without
``lake``) are reported as not covered rather than failing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from valueloop.store.lake import MANIFEST, Lake, LakeTransaction, file_sha256
from valueloop.store.ledger_chain import Problem
from valueloop.store.ledger_hash import LedgerRecord
from valueloop.store.ledger_rows import SINCE

LAKE_KINDS = frozenset({"audit_result"})
"""Ledger kinds that record a lake batch (their ref is ``DATASET/BATCH_ID``)."""


def batch_manifest(txn: LakeTransaction, dataset: str) -> dict[str, object]:
    """What a committed batch changed in ``dataset``, with the hash of every file it made live."""
    prefix = f"{dataset}/"
    files = {txn.rel(p): file_sha256(p) for p in txn.written if txn.rel(p).startswith(prefix)}
    return {"dataset": dataset, "files": files, "retired": [r for r in txn.retired if r.startswith(prefix)]}


def batch_of(path: str) -> str:
    """The batch id in a lake file name (``part-<batch>``, ``part-r0-<batch>``)."""
    return "-".join(Path(path).stem.split("-")[-2:])


@dataclass
class Expected:
    """The live files the chain vouches for, and the batches recorded before coverage, per dataset."""

    files: dict[str, tuple[str, str]] = field(default_factory=dict)
    """path → (sha256, ref of the record that made it live)"""
    legacy: dict[str, set[str]] = field(default_factory=dict)
    """dataset → batch ids"""


def expected(chain: Iterable[LedgerRecord]) -> Expected:
    out = Expected()
    for r in chain:
        if r.kind not in LAKE_KINDS:
            continue
        dataset, _, batch = r.ref.partition("/")
        payload = json.loads(r.payload)
        lake = payload.get("lake") if isinstance(payload, dict) else None
        out.legacy.setdefault(dataset, set())
        if not isinstance(lake, dict):
            out.legacy[dataset].add(batch)
            continue
        for path in lake.get("retired") or []:
            out.files.pop(str(path), None)
        files = lake.get("files")
        out.files.update({str(p): (str(d), r.ref) for p, d in (files.items() if isinstance(files, dict) else [])})
    return out


def _hash(root: Path, path: str) -> str | None:
    try:
        return file_sha256(root / path)
    except FileNotFoundError:
        return None


def check(lake: Lake, chain: Iterable[LedgerRecord]) -> tuple[list[Problem], list[Problem]]:
    """(problems, files not covered) of every ledgered dataset's live files."""
    want = expected(chain)
    try:
        manifest = lake.manifest()
    except (ValueError, TypeError) as err:  # JSONDecodeError is a ValueError
        return [Problem(MANIFEST, "unrecorded_change", f"the lake manifest cannot be read: {err}")], []
    live = {p: ds for ds in want.legacy for p in manifest.datasets.get(ds, [])}
    problems, notes = [], []
    for path in sorted(set(want.files) | set(live)):
        if path not in want.files:
            if batch_of(path) in want.legacy.get(live[path], set()):
                notes.append(Problem(path, "not_covered", f"lake file {path}: not covered (before migration {SINCE})"))
            else:
                problems.append(Problem(path, "unrecorded_change", f"lake file {path} has no ledger record"))
            continue
        digest, ref = want.files[path]
        now = _hash(lake.root, path) if path in live else None
        if now is None:
            why = f"lake file {path} (batch {ref}) is no longer in the lake"
        elif now != digest:
            why = f"lake file {path} differs from the hash in batch {ref}'s ledger record"
        else:
            continue
        problems.append(Problem(path, "unrecorded_change", why))
    return problems, notes
