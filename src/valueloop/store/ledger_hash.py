"""The ledger's hashing, pure: canonical JSON, record hashes, daily Merkle roots and paths.

No database here, so ``docs/verify_ledger_proof.py`` can repeat the same steps with
``hashlib`` and ``json`` alone. The rules, which that script relies on (**contract**):

* canonical JSON: keys sorted, no whitespace, UTF-8 (no ``\\u`` escapes), floats as
  Python's ``repr`` (what :func:`json.dumps` writes); NaN and ±infinity, which JSON
  cannot hold, are written as the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``.
* record hash = SHA-256 (hex) of the canonical JSON of
  ``{"at", "kind", "ref", "payload", "prev"}``, ``prev`` being the previous record's
  hash (:data:`GENESIS` for the first). The position (``seq``) is not hashed: the chain
  order is what the ``prev`` links say, so a renumbered record is "reordered", not "modified".
* a day's Merkle tree has the day's records (UTC day of ``at``, in chain order) as
  leaves: leaf = SHA-256(0x00 ‖ record hash), node = SHA-256(0x01 ‖ left ‖ right); a
  node without a partner moves up a level unchanged. The root is computed, not stored.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

GENESIS = "0" * 64

Side = Literal["left", "right"]


@dataclass(frozen=True)
class LedgerRecord:
    """One ledger record as stored; ``payload`` is its canonical JSON text."""

    seq: int
    at: str
    kind: str
    ref: str
    payload: str
    prev: str
    hash: str

    @property
    def day(self) -> str:
        """The UTC day the record belongs to (``at`` is an ISO timestamp in UTC)."""
        return self.at[:10]

    def body(self) -> dict[str, object]:
        """What the hash covers, as a JSON object."""
        return {
            "at": self.at,
            "kind": self.kind,
            "ref": self.ref,
            "payload": json.loads(self.payload),
            "prev": self.prev,
        }


def _finite(obj: object) -> object:
    if isinstance(obj, float) and not math.isfinite(obj):
        return "NaN" if math.isnan(obj) else ("Infinity" if obj > 0 else "-Infinity")
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def canonical(obj: object) -> str:
    """Canonical JSON text of ``obj`` (sorted keys, no whitespace, floats as repr).

    >>> canonical({"b": 0.1, "a": [1, "é", None]})
    '{"a":[1,"é",null],"b":0.1}'
    """
    return json.dumps(_finite(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_hash(at: str, kind: str, ref: str, payload: str, prev: str) -> str:
    """The hash of a record whose canonical payload text is ``payload``."""
    body = {"at": at, "kind": kind, "ref": ref, "payload": json.loads(payload), "prev": prev}
    return sha256_hex(canonical(body))


def rehash(r: LedgerRecord) -> str:
    """The hash ``r`` should have, recomputed from its content."""
    return record_hash(r.at, r.kind, r.ref, r.payload, r.prev)


def _leaf(record_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(record_hex)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _levels(record_hashes: Sequence[str]) -> list[list[bytes]]:
    level = [_leaf(h) for h in record_hashes]
    levels = [level]
    while len(level) > 1:
        level = [_node(*level[i : i + 2]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
        levels.append(level)
    return levels


def merkle_root(record_hashes: Sequence[str]) -> str:
    """The Merkle root (hex) over the records' hashes, in order; a day needs at least one record.

    >>> merkle_root(["00" * 32]) == hashlib.sha256(bytes(33)).hexdigest()
    True
    """
    if not record_hashes:
        raise ValueError("a Merkle root needs at least one record")
    return _levels(record_hashes)[-1][0].hex()


def merkle_path(record_hashes: Sequence[str], index: int) -> list[dict[str, str]]:
    """The sibling hashes from leaf ``index`` up to the root: ``[{"side", "hash"}]``.

    ``side`` says where the sibling sits; a level where the node has no partner is skipped.
    """
    path: list[dict[str, str]] = []
    for level in _levels(record_hashes)[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append({"side": "left" if sibling < index else "right", "hash": level[sibling].hex()})
        index //= 2
    return path


def fold_path(record_hex: str, path: Sequence[dict[str, str]]) -> str:
    """The root that ``path`` leads to from the record with hash ``record_hex``."""
    node = _leaf(record_hex)
    for step in path:
        other = bytes.fromhex(step["hash"])
        node = _node(other, node) if step["side"] == "left" else _node(node, other)
    return node.hex()
