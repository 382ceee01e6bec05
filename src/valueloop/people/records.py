"""Small JSON record files under ``<workspace>/people/``: read, and replace atomically.

Disputes and case write-ups are a handful of records each, kept as one JSON list per kind.
A write goes to a temporary file in the same folder and is committed with ``os.replace``,
under an exclusive lock so two writers never lose each other's record.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Record = dict[str, Any]


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def load(path: Path) -> list[Record]:
    """The records in ``path`` (empty when the file does not exist yet)."""
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of records")
    return data


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def update(path: Path, change: Callable[[list[Record]], Record]) -> Record:
    """Read the records, let ``change`` edit the list in place, write it back; return what it returns."""
    with _locked(path):
        records = load(path)
        out = change(records)
        write_atomic(path, json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8"))
        return out


def next_id(records: list[Record], key: str, prefix: str) -> str:
    """``prefix`` and one more than the largest number used so far, e.g. ``D0007``."""
    used = [int(r[key][len(prefix) :]) for r in records if str(r.get(key, "")).startswith(prefix)]
    return f"{prefix}{max(used, default=0) + 1:04d}"
