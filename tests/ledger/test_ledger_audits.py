"""Audit results are recorded in the ledger in the same transaction as their ingest batch."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write
from valueloop.ingest.service.ingest import ingest
from valueloop.store import appdb
from valueloop.store import ledger as ledger_db
from valueloop.store.ledger_proof import verify
from valueloop.store.workspace import Workspace


def test_ingested_audit_results_are_ledgered(ws: Workspace, tmp_path: Path) -> None:
    f = write(
        tmp_path / "audits.csv",
        "audit_id,entity_id,started_at,auditor_id,score,passed\n"
        "AU1,B1,2026-10-01 10:00,X1,0.925,true\nAU2,B2,2026-10-02 14:00,X2,0.61,false\n",
    )
    summary = ingest(ws, "audits", [f])
    assert summary.stored == 2
    with appdb.engine(ws.database_url).connect() as conn:
        found = [r for r in ledger_db.records(conn) if r.kind == "audit_result"]
    assert len(found) == 1 and found[0].ref == f"audits/{summary.batch_id}"
    rows = json.loads(found[0].payload)["state"]["rows"]
    assert [(r["audit_id"], r["score"], r["passed"]) for r in rows] == [("AU1", 0.925, True), ("AU2", 0.61, False)]
    assert verify(ws).ok
    again = ingest(ws, "audits", [f])  # nothing new stored: nothing new to record
    with appdb.engine(ws.database_url).connect() as conn:
        assert sum(r.kind == "audit_result" for r in ledger_db.records(conn)) == 1
    assert again.duplicates == 2
