"""Use cases of the ledger: verify it, prove one record's inclusion, give a root to anchor.

``verify`` checks the chain (:mod:`valueloop.store.ledger_chain`), then compares every
tracked business row with the newest state the ledger recorded for it
(:mod:`valueloop.store.ledger_state`), so a status or score changed behind the
application's back is named as an ``unrecorded_change``; so is a covered row (alert,
action history; :mod:`valueloop.store.ledger_rows`) or a ledgered lake file
(:mod:`valueloop.store.ledger_lake`) whose content hash differs from the one recorded,
or that is missing or was never recorded. Rows and files from before coverage are listed
as ``not_covered`` and do not fail the check. With an anchor printed
earlier by ``ledger anchor`` it also checks that the anchored record is still there,
unchanged: the chain then vouches for everything before it, and truncating the tail
or rewriting the whole chain no longer goes unnoticed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, JsonValue, ValidationError

from valueloop.errors import InputError
from valueloop.results import Result
from valueloop.store import appdb, ledger, ledger_lake, ledger_rows, ledger_state
from valueloop.store.lake import Lake
from valueloop.store.ledger_chain import Problem, check_chain
from valueloop.store.ledger_hash import LedgerRecord, merkle_path, merkle_root
from valueloop.store.workspace import Workspace


class LedgerProblem(BaseModel):
    record: int | str
    kind: str
    detail: str


class LedgerReport(BaseModel):
    """The JSON contract of ``valueloop ledger verify``."""

    ok: bool
    records: int
    problems: list[LedgerProblem]
    not_covered: list[LedgerProblem] = []
    """Rows and lake files stored before coverage began: no hash to check them against (not a failure)."""


class ProvenRecord(Result):
    """A ledger record as its hash covers it, with its position on the chain."""

    seq: int
    at: str
    kind: str
    ref: str
    payload: JsonValue
    prev: str


class PathStep(Result):
    """One sibling on the way up to the day's root, and on which side of the node it sits."""

    side: Literal["left", "right"]
    hash: str


class LedgerProof(Result):
    """An inclusion proof: the record, its hash, and the Merkle path from it to its day's root."""

    record: ProvenRecord
    hash: str
    day: str
    leaf_index: int
    leaves: int
    path: list[PathStep]
    root: str


class Anchor(Result):
    """A day's Merkle root and the chain head it covers (``ledger anchor``); all null for a day with no records.

    Read back from a file, only ``seq`` and ``head`` matter: ``verify`` checks that record is still there.
    """

    day: str | None = None
    root: str | None = None
    records: int = 0
    seq: int | None
    head: str | None


def _unrecorded(now: Mapping[str, Any], then: Mapping[str, Any]) -> list[Problem]:
    out = []
    for ref in sorted(set(now) | set(then)):
        a, b = now.get(ref), then.get(ref)
        if a == b:
            continue
        if ref not in then:
            why = "the row has no ledger record"
        elif a is None:
            why = "the row was deleted without a ledger record"
        else:
            keys = sorted(k for k in set(a) | set(b or {}) if a.get(k) != (b or {}).get(k))
            why = f"{', '.join(keys)} differ from the newest ledger record"
        out.append(Problem(ref, "unrecorded_change", why))
    return out


def _anchored(chain: list[LedgerRecord], anchor: Anchor) -> list[Problem]:
    seq, expected = anchor.seq, anchor.head
    if seq is None:
        return []
    found = next((r for r in chain if r.seq == seq), None)
    if found is None:
        return [Problem(int(seq), "deleted", "the anchored record is no longer on the chain")]
    if found.hash != expected:
        return [Problem(int(seq), "modified", "the anchored record's hash differs from the anchor")]
    return []


def _public(problems: list[Problem]) -> list[LedgerProblem]:
    return [LedgerProblem(record=p.record, kind=p.kind, detail=p.detail) for p in problems]


def verify(ws: Workspace, anchor: Anchor | None = None) -> LedgerReport:
    with appdb.engine(ws.database_url).connect() as conn:
        stored = ledger.records(conn)
        now = ledger_state.current(conn)
        rows_now = ledger_rows.current(conn)
    chain, problems = check_chain(stored)
    problems += _anchored(chain, anchor) if anchor else []
    problems += _unrecorded(now, ledger_state.recorded(chain))
    row_problems, row_notes = ledger_rows.check(rows_now, ledger_rows.recorded(chain))
    lake_problems, lake_notes = ledger_lake.check(Lake(ws.lake_dir), chain)
    out = _public(problems + row_problems + lake_problems)
    return LedgerReport(ok=not out, records=len(stored), problems=out, not_covered=_public(row_notes + lake_notes))


def _chain(ws: Workspace) -> list[LedgerRecord]:
    with appdb.engine(ws.database_url).connect() as conn:
        return check_chain(ledger.records(conn))[0]


def proof(ws: Workspace, key: str) -> LedgerProof:
    """An inclusion proof of the record at position or with hash ``key`` in its day's Merkle root.

    ``docs/verify_ledger_proof.py`` checks it with nothing but the standard library.
    """
    chain = _chain(ws)
    rec = next((r for r in chain if str(r.seq) == key or r.hash == key.lower()), None)
    if rec is None:
        raise InputError(f"no ledger record {key!r} on the chain (give a position or a hash)")
    day = [r.hash for r in chain if r.day == rec.day]
    index = day.index(rec.hash)
    return LedgerProof.model_validate(
        {
            "record": {"seq": rec.seq, **rec.body()},
            "hash": rec.hash,
            "day": rec.day,
            "leaf_index": index,
            "leaves": len(day),
            "path": merkle_path(day, index),
            "root": merkle_root(day),
        }
    )


def anchor(ws: Workspace, day: str | None = None) -> Anchor:
    """The Merkle root of ``day`` (default: the newest day with records), to timestamp elsewhere."""
    chain = _chain(ws)
    day = day or (max(r.day for r in chain) if chain else None)
    todays = [r for r in chain if r.day == day]
    if not todays:
        return Anchor(day=day, root=None, records=0, seq=None, head=None)
    last = max(todays, key=lambda r: r.seq)
    return Anchor(day=day, root=merkle_root([r.hash for r in todays]), records=len(todays), seq=last.seq,
                  head=last.hash)  # fmt: skip


def load_anchor(text: str) -> Anchor:
    """An anchor as printed by ``ledger anchor --format json``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"the anchor is not JSON: {err}") from err
    if not isinstance(data, dict) or "seq" not in data or "head" not in data:
        raise InputError('the anchor needs "seq" and "head" (the output of `valueloop ledger anchor --format json`)')
    try:
        return Anchor.model_validate(data)
    except ValidationError as err:
        where = ", ".join(".".join(map(str, e["loc"])) + f": {e['msg']}" for e in err.errors())
        raise InputError(f"the anchor is not one `valueloop ledger anchor` printed ({where})") from err
