"""Every change lands in the ledger with it; every kind of tampering is detected and named."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from valueloop.errors import InputError
from valueloop.improvement.service.actions import move_action
from valueloop.improvement.workflow import Status
from valueloop.store import appdb, ledger
from valueloop.store.ledger_hash import canonical, record_hash
from valueloop.store.ledger_proof import anchor, verify
from valueloop.store.workspace import Workspace


def _sql(ws: Workspace, statement: str, **params: Any) -> None:
    with appdb.engine(ws.database_url).begin() as conn:
        conn.execute(sa.text(statement), params)


def _count(ws: Workspace) -> int:
    with appdb.engine(ws.database_url).connect() as conn:
        return len(ledger.records(conn))


def _problems(ws: Workspace) -> set[tuple[int | str, str]]:
    report = verify(ws)
    assert report.ok is False
    return {(p.record, p.kind) for p in report.problems}


def test_every_recorded_change_is_in_the_ledger_and_the_books_verify(books: Workspace) -> None:
    report = verify(books)
    assert report.ok, report.problems
    with appdb.engine(books.database_url).connect() as conn:
        kinds = [r.kind for r in ledger.records(conn)]
    assert kinds == [
        "model_version",
        "evaluation_run",
        "findings",
        "document",
        "action_transition",
        "action_transition",
        *["action_transition"] * 4,
        "action_transition",
        "verification_verdict",
    ]
    assert report.records == len(kinds)


def test_a_failing_change_leaves_no_ledger_record(books: Workspace) -> None:
    before = _count(books)
    with pytest.raises(InputError):
        move_action(books, 1, Status.closed, "mallory", "skip the workflow")
    assert _count(books) == before
    assert verify(books).ok


def test_an_edited_payload_is_modified(books: Workspace) -> None:
    _sql(books, "UPDATE ledger SET payload = replace(payload, '4.25', '4.5') WHERE kind = 'evaluation_run'")
    found = _problems(books)
    assert (2, "modified") in found


def test_a_deleted_record_is_named(books: Workspace) -> None:
    _sql(books, "DELETE FROM ledger WHERE seq = 4")
    assert (4, "deleted") in _problems(books)


def _forge(ws: Workspace, seq: int, prev: str) -> None:
    payload = canonical({"event": {}, "state": {"status": "closed"}})
    at = "2026-01-01T00:00:00.000000+00:00"
    digest = record_hash(at, "action_transition", "action/1", payload, prev)
    _sql(
        ws,
        "INSERT INTO ledger (seq, at, kind, ref, payload, prev, hash) "
        "VALUES (:seq, :at, 'action_transition', 'action/1', :payload, :prev, :hash)",
        seq=seq,
        at=at,
        payload=payload,
        prev=prev,
        hash=digest,
    )


def test_a_forged_record_in_the_middle_is_inserted(books: Workspace) -> None:
    with appdb.engine(books.database_url).connect() as conn:
        third = ledger.find(conn, "3")
    assert third is not None
    _sql(books, "UPDATE ledger SET seq = seq + 1000 WHERE seq > 3")
    _sql(books, "UPDATE ledger SET seq = seq - 999 WHERE seq > 1000")
    _forge(books, 4, third.hash)
    assert _problems(books) == {(4, "inserted")}


def test_a_forged_record_at_the_end_is_inserted(books: Workspace) -> None:
    _forge(books, _count(books) + 1, "ab" * 32)
    assert (_count(books), "inserted") in _problems(books)


def test_two_swapped_records_are_reordered(books: Workspace) -> None:
    _sql(books, "UPDATE ledger SET seq = -1 WHERE seq = 5")
    _sql(books, "UPDATE ledger SET seq = 5 WHERE seq = 6")
    _sql(books, "UPDATE ledger SET seq = 6 WHERE seq = -1")
    assert _problems(books) == {(5, "reordered"), (6, "reordered")}


Tamper = Callable[[Workspace], None]
UNRECORDED: dict[str, tuple[str, str]] = {
    "action status": ("UPDATE actions SET status = 'closed' WHERE action_id = 1", "action/1"),
    "published score": ("UPDATE evaluation_results SET score = 4.9 WHERE entity_id = 'B3'", "run/R1"),
    "published rank": ("UPDATE evaluation_results SET rank = 9 WHERE entity_id = 'B1'", "run/R1"),
    "finding severity": ("UPDATE findings SET severity = 'critical'", "findings/three-dimension/branch/2026-10"),
    "finding deleted": ("DELETE FROM findings", "findings/three-dimension/branch/2026-10"),
    "verdict": ("UPDATE action_verifications SET verdict = 'not_effective'", "verification/1"),
    "document": ("UPDATE documents SET sha256 = 'x'", "document/SOP-1@1"),
    "model version": ("UPDATE model_versions SET reason = 'backdated'", "model/three-dimension@1"),
}


@pytest.mark.parametrize("case", sorted(UNRECORDED))
def test_a_business_row_changed_without_a_record_is_an_unrecorded_change(books: Workspace, case: str) -> None:
    statement, ref = UNRECORDED[case]
    _sql(books, statement)
    assert _problems(books) == {(ref, "unrecorded_change")}


def test_a_row_with_no_record_at_all_is_unrecorded(books: Workspace) -> None:
    _sql(
        books,
        "INSERT INTO actions (title, description, status, owner, department, created_by, created_at, "
        "updated_at) VALUES ('t', 'd', 'closed', 'o', 'x', 'm', '2026-01-01', '2026-01-01')",
    )
    assert _problems(books) == {("action/3", "unrecorded_change")}


def test_a_truncated_tail_is_caught_by_the_anchor(books: Workspace) -> None:
    saved = anchor(books)
    _sql(books, "DELETE FROM ledger WHERE seq = :seq", seq=saved.seq)
    report = verify(books, saved)
    assert (saved.seq, "deleted") in {(p.record, p.kind) for p in report.problems}
