"""``/api/v1/ledger``: check the whole ledger, a record's inclusion proof and a day's Merkle root (read-only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from valueloop.accounts import scope
from valueloop.http.deps import ReportsRead, WorkspaceDep
from valueloop.store import ledger_proof as ledger

router = APIRouter(tags=["ledger"])


@router.get("/ledger/verify")
def ledger_verify(who: ReportsRead, ws: WorkspaceDep) -> ledger.LedgerReport:
    """Check the hash chain, the daily roots' inputs and every recorded row."""
    report = ledger.verify(ws)
    return report.model_copy(update={"problems": [], "not_covered": []}) if who.scoped else report


@router.get("/ledger/proof")
def ledger_proof(who: ReportsRead, ws: WorkspaceDep,
                 record: Annotated[str, Query(min_length=1, max_length=128)]) -> ledger.LedgerProof:  # fmt: skip
    """The record's (position or hash) Merkle path to its day's root; ``docs/verify_ledger_proof.py`` checks it.

    A record may name any unit, so a scoped caller gets none (404), as for a record that does not exist.
    """
    if who.scoped:
        raise scope.hidden(f"ledger record {record}")
    return ledger.proof(ws, record)


@router.get("/ledger/anchor")
def ledger_anchor(
    _: ReportsRead, ws: WorkspaceDep, day: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None
) -> ledger.Anchor:
    """A day's Merkle root and the chain head it covers (default: the newest day), to timestamp elsewhere."""
    return ledger.anchor(ws, day)
