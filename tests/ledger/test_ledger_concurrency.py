"""Several processes writing ledger records at once keep one linear, verifiable chain (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from valueloop.accounts.service.workspace import create_workspace
from valueloop.store import appdb, ledger
from valueloop.store.ledger_proof import verify
from valueloop.store.workspace import open_workspace

WORKERS, EACH = 4, 25
FIELDS = {"title": "t", "owner": "alice", "department": "ops", "description": "d"}


def _write(root: str, worker: int, start: Any) -> None:
    """One writer: bare records appended first in their transaction, actions created, alerts fired."""
    from valueloop.improvement.service.actions import create_action
    from valueloop.monitoring.alerting import Transition
    from valueloop.monitoring.service.alerts import record

    ws = open_workspace(Path(root))
    eng = appdb.engine(ws.database_url)
    start.wait()
    for i in range(EACH):
        if i % 3 == 1:
            create_action(ws, FIELDS, f"w{worker}")
            continue
        with eng.begin() as conn:
            if i % 3 == 0:
                ledger.append(conn, "audit_result", f"audits/w{worker}-{i}", {"event": {}, "state": {"rows": []}})
            else:
                tr = Transition("burst", f"E{worker}-{i}", "firing", 1.79e9 + i, 1.79e9, 2.5)
                record(conn, tr, "warning", {"branch": f"E{worker}"}, "burst", None)


def _race(root: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(WORKERS)
    procs = [ctx.Process(target=_write, args=(str(root), n, start)) for n in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
    assert [p.exitcode for p in procs] == [0] * WORKERS


def _check(root: Path) -> None:
    ws = open_workspace(root)
    report = verify(ws)
    assert report.ok, report.problems
    assert report.records == WORKERS * EACH
    with appdb.engine(ws.database_url).connect() as conn:
        refs = [r.ref for r in ledger.records(conn)]
        actions = conn.execute(sa.text("SELECT count(*) FROM actions")).scalar_one()
        alerts = conn.execute(sa.text("SELECT count(*) FROM alerts")).scalar_one()
    assert actions == WORKERS * len(range(1, EACH, 3)) and alerts == WORKERS * len(range(2, EACH, 3))
    bare = {f"audits/w{n}-{i}" for n in range(WORKERS) for i in range(0, EACH, 3)}
    assert bare <= set(refs) and len(set(refs)) == len(bare) + actions + alerts


def test_concurrent_writers_keep_one_chain_on_sqlite(tmp_path: Path) -> None:
    create_workspace(tmp_path / "ws")
    _race(tmp_path / "ws")
    _check(tmp_path / "ws")


@pytest.mark.slow
def test_concurrent_writers_keep_one_chain_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    name = "ledger_" + uuid.uuid4().hex[:8]
    server = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    server.dispose()
    url = postgres_url.rsplit("/", 1)[0] + "/" + name
    create_workspace(tmp_path / "ws", database_url=url)
    try:
        _race(tmp_path / "ws")
        _check(tmp_path / "ws")
    finally:
        appdb.engine(url).dispose()  # the server stops at the end of the session
