"""Findings in the app database: replace a period's findings, list them, fetch one.

Not pure maths: this is the storage side of diagnosis (SQLAlchemy Core over
:data:`valueloop.store.tables.findings`). Re-diagnosing a model × level × period deletes
that period's findings and inserts the new ones in one transaction (with their ledger
record), so a finding that no longer holds disappears and one that still holds keeps its id.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa

from valueloop.diagnosis.findings import Finding
from valueloop.errors import InputError
from valueloop.store import appdb, ledger_state, tables
from valueloop.store.tables import ledger

COLUMNS = (
    "id",
    "entity_id",
    "indicator",
    "period",
    "segment",
    "value",
    "benchmark",
    "gap_pct",
    "severity",
    "rule",
    "n",
    "evidence",
    "run_id",
    "created_at",
)


def replace(url: str, model: str, level: str, period: str, findings: list[Finding]) -> None:
    table = tables.findings
    scope = (table.c.model_id == model) & (table.c.level == level) & (table.c.period == period)
    with appdb.engine(url).begin() as conn:
        conn.execute(table.delete().where(scope))
        if findings:
            conn.execute(table.insert(), [_row(f) for f in findings])
        ledger_state.record(conn, "findings", ledger_state.findings_ref(model, level, period), scope)


def _row(f: Finding) -> dict[str, Any]:
    data = f.model_dump(mode="json", exclude={"model", "created_at"})
    return {**data, "model_id": f.model, "created_at": f.created_at}


def _finding(row: sa.Row[Any]) -> Finding:
    data = {c: getattr(row, c) for c in COLUMNS}
    data["created_at"] = appdb.as_utc(row.created_at)  # SQLite hands times back naive
    return Finding.model_validate({**data, "model": row.model_id, "level": row.level})


_cache: dict[str, tuple[int, list[Finding]]] = {}
_cache_lock = threading.Lock()


def _all(url: str) -> list[Finding]:
    """Every stored finding, ordered; re-read only when the ledger has moved.

    Findings change only through :func:`replace`, which appends to the ledger in the same
    transaction, so the ledger's last position is a version of the findings table that
    other processes' writes also advance. Pages and the API list findings on most requests;
    re-validating every row each time was most of their cost.
    """
    table = tables.findings
    with appdb.engine(url).connect() as conn:
        version = conn.execute(sa.select(sa.func.max(ledger.c.seq))).scalar() or 0
        with _cache_lock:
            hit = _cache.get(url)
        if hit is not None and hit[0] == version:
            return hit[1]
        query = sa.select(table).order_by(table.c.period.desc(), table.c.severity, table.c.entity_id,
                                          table.c.indicator)  # fmt: skip
        rows = [_finding(r) for r in conn.execute(query)]
    with _cache_lock:
        _cache[url] = (version, rows)
    return rows


def select(
    url: str,
    period: str | None = None,
    severity: str | None = None,
    entity: str | None = None,
    model: str | None = None,
) -> list[Finding]:
    """Stored findings matching every given filter (callers must not mutate them: they are shared)."""
    wanted = {"period": period, "severity": severity, "entity_id": entity, "model": model}
    checks = [(k, v) for k, v in wanted.items() if v is not None]
    return [f for f in _all(url) if all(getattr(f, k) == v for k, v in checks)]


def get(url: str, finding_id: str) -> Finding:
    table = tables.findings
    with appdb.engine(url).connect() as conn:
        row = conn.execute(sa.select(table).where(table.c.id == finding_id)).first()
    if row is None:
        raise InputError(f"no finding {finding_id!r}; `valueloop findings list` shows the stored ones")
    return _finding(row)
