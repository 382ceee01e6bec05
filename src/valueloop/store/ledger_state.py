"""What the ledger records about a business row, and what that row looks like now.

Each recorded change carries a ``state``: a snapshot of the row(s) it changed, read
back inside the same transaction by the functions here. Checking the ledger reads the
same snapshots again; a row whose snapshot differs from the newest recorded one was
changed without a ledger record ("unrecorded_change"). One function per family of
references, each ``(conn, where) -> {ref: state}``:

=====================  =============================================================
``action/ID``          status, title, owner, department, due date, target, cost
``run/RUN_ID``         model, version, period, level; per unit score, rank, result hash
``model/ID@VERSION``   effective from, spec hash, reason
``findings/M/L/P``     a model × level × period's findings (ids, values, severities, …)
``verification/ID``    action, verdict, p-value, interval, method
``document/ID@V``      title, kind, effective from, owner, body hash
=====================  =============================================================
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from valueloop.store import tables
from valueloop.store.ledger import append
from valueloop.store.ledger_hash import LedgerRecord, canonical, sha256_hex

Where = sa.ColumnElement[bool] | None
State = dict[str, Any]


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _select(conn: sa.Connection, table: sa.Table, where: Where) -> Iterable[sa.Row[Any]]:
    query = sa.select(table)
    return conn.execute(query if where is None else query.where(where))


def actions(conn: sa.Connection, where: Where = None) -> dict[str, State]:
    cols = ("status", "title", "owner", "department", "target_indicator", "target_direction", "target_value", "cost")
    return {
        f"action/{r.action_id}": {**{c: getattr(r, c) for c in cols}, "due_date": _iso(r.due_date)}
        for r in _select(conn, tables.actions, where)
    }


def runs(conn: sa.Connection, where: Where = None) -> dict[str, State]:
    out: dict[str, State] = {}
    for run in _select(conn, tables.evaluation_runs, where):
        res = tables.evaluation_results
        rows = conn.execute(sa.select(res).where(res.c.run_id == run.run_id).order_by(res.c.entity_id))
        results = {
            r.entity_id: {"score": r.score, "rank": r.rank, "sha256": sha256_hex(canonical(r.result))} for r in rows
        }
        out[f"run/{run.run_id}"] = {
            "model": run.model_id,
            "version": run.version,
            "period": run.period,
            "level": run.level,
            "results": results,
        }
    return out


def model_versions(conn: sa.Connection, where: Where = None) -> dict[str, State]:
    return {
        f"model/{r.model_id}@{r.version}": {
            "effective_from": _iso(r.effective_from),
            "sha256": r.sha256,
            "reason_category": r.reason_category,
            "reason": r.reason,
        }
        for r in _select(conn, tables.model_versions, where)
    }


def findings(conn: sa.Connection, where: Where = None) -> dict[str, State]:
    cols = (
        "id",
        "entity_id",
        "indicator",
        "segment",
        "value",
        "benchmark",
        "gap_pct",
        "severity",
        "rule",
        "n",
        "run_id",
    )
    scopes: dict[str, list[State]] = {}
    for r in sorted(_select(conn, tables.findings, where), key=lambda r: str(r.id)):
        row = {**{c: getattr(r, c) for c in cols}, "evidence_sha256": sha256_hex(canonical(r.evidence))}
        scopes.setdefault(findings_ref(r.model_id, r.level, r.period), []).append(row)
    return {ref: {"findings": rows} for ref, rows in scopes.items()}


def findings_ref(model: str, level: str, period: str) -> str:
    return f"findings/{model}/{level}/{period}"


def verifications(conn: sa.Connection, where: Where = None) -> dict[str, State]:
    cols = ("action_id", "verdict", "p_value", "ci_low", "ci_high", "method")
    return {
        f"verification/{r.verification_id}": {c: getattr(r, c) for c in cols}
        for r in _select(conn, tables.action_verifications, where)
    }


def documents(conn: sa.Connection, where: Where = None) -> dict[str, State]:
    return {
        f"document/{r.doc_id}@{r.version}": {
            "title": r.title,
            "kind": r.kind,
            "owner": r.owner,
            "effective_from": _iso(r.effective_from),
            "sha256": r.sha256,
        }
        for r in _select(conn, tables.documents, where)
    }


FAMILIES: dict[str, Callable[[sa.Connection, Where], dict[str, State]]] = {
    "action": actions,
    "run": runs,
    "model": model_versions,
    "findings": findings,
    "verification": verifications,
    "document": documents,
}


def record(
    conn: sa.Connection,
    kind: str,
    ref: str,
    where: Where,
    event: Mapping[str, Any] | None = None,
    rows: Mapping[str, str] | None = None,
) -> LedgerRecord:
    """Append a record of ``ref``'s current state (read through ``conn``) with what happened to it.

    A family of rows that is now empty (a re-diagnosis found nothing) is recorded with state null.
    ``rows`` are the content hashes of covered rows the change wrote (:mod:`valueloop.store.ledger_rows`).
    """
    state = FAMILIES[ref.split("/", 1)[0]](conn, where).get(ref)
    payload: dict[str, Any] = {"event": dict(event or {}), "state": state}
    if rows:
        payload["rows"] = dict(rows)
    return append(conn, kind, ref, payload)


def current(conn: sa.Connection) -> dict[str, Any]:
    """Every tracked business row's state now, normalised as it would be stored."""
    out: dict[str, Any] = {}
    for family in FAMILIES.values():
        out.update(family(conn, None))
    return {ref: json.loads(canonical(state)) for ref, state in out.items()}


def recorded(records: Iterable[LedgerRecord]) -> dict[str, Any]:
    """The newest recorded state of every tracked reference (``records`` in chain order)."""
    out: dict[str, Any] = {}
    for r in records:
        if r.ref.split("/", 1)[0] in FAMILIES:
            payload = json.loads(r.payload)
            out[r.ref] = payload.get("state") if isinstance(payload, dict) else None
    return out
