"""The monitor after a failure or a kill: no alert lost or recorded twice, no event counted twice.

Oracle tests (river-style): the same file replayed in one go and replayed with a failure
injected at several points — mid-minute included — then resumed give identical per-minute
KPI series, counters and alerts.
"""

from __future__ import annotations

import json
import math
import re
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import Webhook, write
from valueloop.ingest.service.ingest import ingest
from valueloop.monitoring.kpis import KpiFrame
from valueloop.monitoring.service import alerts as records
from valueloop.monitoring.service import outbox
from valueloop.monitoring.service.monitor import Monitor
from valueloop.monitoring.service.notify import Outbox, Retry
from valueloop.monitoring.service.replay import replay
from valueloop.store import appdb
from valueloop.store.tables import ledger
from valueloop.store.workspace import Workspace

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp()
ENTITIES = """entity_id,name,type,parent_id
C,Company,company,
B1,Branch 1,branch,C
B2,Branch 2,branch,C
A1,Agent 1,agent,B1
A2,Agent 2,agent,B1
"""
SPEC = """
rules:
  - name: error_burst
    expr: errors[1m] >= 5
    by: entity
    entity_types: [branch, agent]
    for: 2m
    keep_firing_for: 1m
    severity: critical
  - name: error_trickle
    expr: errors[1m] >= 2
    by: entity
    entity_types: [branch]
    for: 1m
    severity: warning
"""
BATCH = 7  # lines per micro-batch: batches end mid-minute


@pytest.fixture
def mws(ws: Workspace, tmp_path: Path) -> Workspace:
    ingest(ws, "entities", [write(tmp_path / "entities.csv", ENTITIES)])
    (ws.root / "monitor.yaml").write_text(SPEC, encoding="utf-8")
    return ws


def _stream() -> list[str]:
    """Steady traffic; an error burst at A1 (minutes 8–12) and errors at B2 (minutes 20–24)."""
    lines = []
    for minute in range(34):
        for s, ent in ((5, "A1"), (25, "A2"), (40, "B2"), (50, "A2")):
            lines.append(json.dumps({"type": "interaction_opened", "ts": T0 + minute * 60 + s, "entity_id": ent}))
        burst = [("A1", 6)] if 8 <= minute < 13 else [("B2", 3)] if 20 <= minute < 25 else []
        for ent, n in burst:
            lines += [
                json.dumps(
                    {"type": "device_status", "status": "fault", "ts": T0 + minute * 60 + 30 + k, "entity_id": ent}
                )
                for k in range(n)
            ]
    return lines


class Spy:
    """The KPIs of every closed minute the monitor evaluated: (minute, entity) → values; a repeat must agree."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.series: dict[tuple[int, str], tuple[float, ...]] = {}
        original = Monitor._evaluate
        spy = self

        def evaluate(monitor: Monitor, frame: KpiFrame) -> Any:
            spy.take(monitor, frame)
            return original(monitor, frame)

        monkeypatch.setattr(Monitor, "_evaluate", evaluate)

    def take(self, monitor: Monitor, frame: KpiFrame) -> None:
        cols = sorted(frame.values)
        for i, (minute, key) in enumerate(zip(frame.minute.tolist(), frame.key.tolist(), strict=True)):
            values = tuple(float(frame.values[c][i]) for c in cols)
            where = (int(minute), monitor.stream.names[key])
            if where in self.series:
                assert _same(self.series[where], values), f"minute {where} evaluated twice with different KPIs"
            self.series[where] = values


def _same(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return len(a) == len(b) and all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))


def _outcome(ws: Workspace, counters: dict[str, int]) -> dict[str, Any]:
    alerts = [(a.id, a.status, a.fired_at, a.resolved_at, a.severity) for a in records.list_alerts(ws)]
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(sa.select(ledger.c.ref, ledger.c.payload).where(ledger.c.kind == "alert_transition")).all()
    transitions = sorted((ref, (json.loads(p) if isinstance(p, str) else p)["status"]) for ref, p in rows)
    keep = ("events_accepted", "events_late", "minutes_closed", "alerts_fired", "alerts_resolved")
    return {"alerts": sorted(alerts), "ledger": transitions, "counters": {k: counters[k] for k in keep}}


def _full_run(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], Spy]:
    spy = Spy(monkeypatch)
    m = Monitor(ws)
    replay(m, _stream(), speed=0, batch=BATCH)
    m.close()
    return _outcome(ws, m.counters), spy


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, k: int) -> None:
    """``owner.name`` raises on its ``k``-th call (then works again, as a database that came back)."""
    original = getattr(owner, name)
    calls = [0]

    def failing(*args: Any, **kw: Any) -> Any:
        calls[0] += 1
        if calls[0] == k:
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        return original(*args, **kw)

    monkeypatch.setattr(owner, name, failing)


def test_the_stream_raises_several_alerts(mws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    outcome, _ = _full_run(mws, monkeypatch)
    severities = {a[4] for a in outcome["alerts"]}
    assert len(outcome["alerts"]) >= 4 and severities == {"critical", "warning"}
    assert all(status == "resolved" for _, status, *_ in outcome["alerts"])


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_failed_alert_write_is_not_checkpointed_past_and_a_rerun_records_every_alert_once(
    mws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, k: int
) -> None:
    """The k-th alert write fails mid-replay; the replay command closes the monitor (as in ``finally``);
    re-running the same command records every alert exactly once."""
    clean_ws = _twin(mws, tmp_path)
    expected, _ = _full_run(clean_ws, monkeypatch)
    monkeypatch.undo()

    _fail_on_call(monkeypatch, records, "record", k)
    first = Monitor(mws, checkpoint_every=0.0)
    try:
        with pytest.raises(sa.exc.OperationalError):
            replay(first, _stream(), speed=0, batch=BATCH)
    finally:
        first.close()  # what `valueloop monitor replay` does on the way out
    second = Monitor(mws)
    replay(second, _stream(), speed=0, batch=BATCH)
    second.close()
    assert _outcome(mws, second.counters) == expected


def test_a_live_monitor_heals_after_a_failed_write(
    mws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server keeps running after one failed batch: the next batch re-runs it from checkpoint and log."""
    clean_ws = _twin(mws, tmp_path)
    expected, _ = _full_run(clean_ws, monkeypatch)
    monkeypatch.undo()
    _fail_on_call(monkeypatch, records, "record", 2)
    m = Monitor(mws, checkpoint_every=0.0)
    lines = _stream()
    failed = 0
    for i in range(0, len(lines), BATCH):
        try:
            m.ingest_lines(lines[i : i + BATCH])
        except sa.exc.OperationalError:
            failed += 1
    m.advance(T0 + 33 * 60 + 50 + 60)  # as replay closes: a minute past the last event
    m.close()
    assert failed == 1
    assert _outcome(mws, m.counters) == expected


CUTS = [
    (3, "process"),
    (12, "process"),
    (20, "process"),
    (1, "write"),
    (3, "write"),
    (9, "interrupt"),
    (24, "interrupt"),
]
"""(n, how): the n-th batch fails while processed, the n-th alert write fails, or Ctrl-C after batch n (26 batches)."""


@pytest.mark.parametrize(("cut", "how"), CUTS)
@pytest.mark.parametrize("checkpoint_every", [0.0, 1e9])
def test_killed_and_resumed_replay_equals_one_replay(
    mws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: int, how: str, checkpoint_every: float
) -> None:
    """Killed at ``cut`` (mid-minute: 7-line batches over 4–10 events a minute), then the same file
    replayed again: the same per-minute KPIs, counters and alerts as one uninterrupted replay."""
    clean_ws = _twin(mws, tmp_path)
    expected, full = _full_run(clean_ws, monkeypatch)
    monkeypatch.undo()
    spy = Spy(monkeypatch)
    with monkeypatch.context() as patch:
        first = Monitor(mws, checkpoint_every=checkpoint_every)
        if how == "process":  # the crash hits while the batch is processed (it is in the log already)
            _fail_on_call(patch, first.stream, "update", cut)
        elif how == "write":
            _fail_on_call(patch, records, "record", cut)
        progress = _interrupt_at(cut * BATCH) if how == "interrupt" else None
        with pytest.raises((sa.exc.OperationalError, KeyboardInterrupt)):
            replay(first, _stream(), speed=0, batch=BATCH, progress=progress)
        if how == "interrupt":
            first.close()  # Ctrl-C: the command's `finally` closes the monitor
        else:
            first.release()  # the process died: no checkpoint on the way out
    second = Monitor(mws, checkpoint_every=checkpoint_every)
    result = replay(second, _stream(), speed=0, batch=BATCH)
    second.close()
    assert result.resumed_after > 0
    assert _outcome(mws, second.counters) == expected
    assert spy.series.keys() == full.series.keys()
    assert all(_same(spy.series[w], full.series[w]) for w in full.series)


def test_a_different_file_is_replayed_from_its_start(mws: Workspace) -> None:
    lines = _stream()
    m = Monitor(mws)
    replay(m, lines[:50], speed=0, batch=BATCH)
    other = [json.dumps({"type": "interaction_opened", "ts": T0 + 3600 + i, "entity_id": "A1"}) for i in range(5)]
    result = replay(m, other, speed=0, batch=BATCH)
    m.close()
    assert result.resumed_after == 0 and result.accepted == 5


def _interrupt_at(lines: int) -> Any:
    def progress(done: int, total: int) -> None:
        if done >= lines:
            raise KeyboardInterrupt

    return progress


def _twin(ws: Workspace, tmp_path: Path) -> Workspace:
    """A second, fresh workspace with the same entities and monitor spec."""
    from valueloop.accounts.service.workspace import create_workspace
    from valueloop.store.workspace import open_workspace

    create_workspace(tmp_path / "twin")
    twin = open_workspace(tmp_path / "twin")
    ingest(twin, "entities", [write(tmp_path / "entities2.csv", ENTITIES)])
    (twin.root / "monitor.yaml").write_text(SPEC, encoding="utf-8")
    return twin


# --- notifications across restarts -----------------------------------------------------------

FAST = Retry(base=0.05, cap=0.2, jitter=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _with_channel(ws: Workspace, url: str) -> None:
    channel = f'channels:\n  - {{name: hook, kind: webhook, url: "{url}", min_severity: info}}\n'
    (ws.root / "monitor.yaml").write_text(SPEC + channel, encoding="utf-8")


def _wait_for(pred: Callable[[], bool], timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def _notifiable(ws: Workspace) -> list[tuple[str, str]]:
    return sorted((a.id, s) for a in records.list_alerts(ws) for s in ("firing", "resolved") if a.muted is None)


def test_a_down_receiver_gets_every_notification_once_after_a_restart(mws: Workspace) -> None:
    """Connection refused for the whole first run: nothing is dead, nothing lost; the restarted worker
    delivers each alert × status exactly once when the receiver is up."""
    port = _free_port()
    _with_channel(mws, f"http://127.0.0.1:{port}/hook")
    first = Monitor(mws, retry=FAST)
    replay(first, _stream(), speed=0, batch=BATCH)
    _wait_for(lambda: all(r.attempts >= 2 for r in outbox.list_notifications(mws)))
    metrics = first.metrics_text()
    first.close()
    before = outbox.list_notifications(mws)
    assert f'valueloop_notifications{{state="queued",channel="hook"}} {len(before)}' in metrics
    assert 'valueloop_notifications{state="dead",channel="hook"} 0' in metrics
    retried = re.search(r'valueloop_notification_deliveries_total\{channel="hook",outcome="retried"\} (\d+)', metrics)
    assert retried is not None and int(retried[1]) >= 2
    assert len(before) >= 6 and {r.state for r in before} == {"queued"}
    assert all("ConnectError" in (r.last_error or "") for r in before)
    hook = Webhook(port)
    try:
        second = Monitor(mws, retry=FAST)
        _wait_for(lambda: {r.state for r in outbox.list_notifications(mws)} == {"sent"})
        second.close()
    finally:
        hook.server.shutdown()
        hook.server.server_close()
    assert hook.alerts() == _notifiable(mws)  # every key, each once
    keys = [h["Idempotency-Key"] for h in hook.headers]
    assert len(keys) == len(set(keys)) == len(hook.bodies)


def test_notifications_not_yet_sent_at_a_crash_are_sent_once_after_it(
    mws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies with notifications queued (in flight, never sent); the restart re-runs its log
    and its outbox: each notification goes out once, not once per path that remembers it."""
    hook = Webhook()
    try:
        _with_channel(mws, hook.url)
        with monkeypatch.context() as patch:
            patch.setattr(Outbox, "start", lambda self: None)  # the worker never got to them
            first = Monitor(mws, checkpoint_every=1e9, retry=FAST)
            replay(first, _stream()[:120], speed=0, batch=BATCH)
            first.release()  # killed: no checkpoint, the log is all there is
        assert {r.state for r in outbox.list_notifications(mws)} == {"queued"}
        second = Monitor(mws, retry=FAST)
        replay(second, _stream(), speed=0, batch=BATCH)
        _wait_for(lambda: {r.state for r in outbox.list_notifications(mws)} == {"sent"})
        second.close()
    finally:
        hook.server.shutdown()
        hook.server.server_close()
    assert hook.alerts() == _notifiable(mws)


def test_rows_queued_before_the_outbox_are_migrated_and_sent(mws: Workspace) -> None:
    """A row left queued by the 0007 schema (no stored notice) gets due after migration 0009, and
    the monitor rebuilds its notice from the alert and sends it."""
    from alembic import command
    from alembic.config import Config

    m = Monitor(mws)  # no channels yet: alerts recorded, nothing queued
    replay(m, _stream(), speed=0, batch=BATCH)
    m.close()
    alert = records.list_alerts(mws)[0]
    cfg = Config()
    cfg.set_main_option("script_location", str(appdb.MIGRATIONS))
    with appdb.engine(mws.database_url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
        conn.execute(
            sa.text(
                "INSERT INTO notifications (alert_id, status, channel, state, attempts, created_at) "
                "VALUES (:a, 'firing', 'hook', 'queued', 0, :t)"
            ),
            {"a": alert.id, "t": datetime.now(UTC)},
        )
    appdb.migrate(mws.database_url)
    hook = Webhook()
    try:
        _with_channel(mws, hook.url)
        second = Monitor(mws, retry=FAST)
        _wait_for(lambda: [r.state for r in outbox.list_notifications(mws)] == ["sent"])
        second.close()
    finally:
        hook.server.shutdown()
        hook.server.server_close()
    assert hook.alerts() == [(alert.id, "firing")]
    assert hook.bodies[0]["alerts"][0]["labels"]["alertname"] == alert.rule


def test_a_torn_last_log_line_is_dropped(mws: Workspace) -> None:
    """The process died while appending to the log: the half-written batch was never processed."""
    m = Monitor(mws, checkpoint_every=1e9)
    replay(m, _stream()[:40], speed=0, batch=BATCH)
    taken = m.counters["events_accepted"]
    m.release()
    with open(mws.root / "monitor" / "wal.jsonl", "a", encoding="utf-8") as f:
        f.write('{"seq": 99, "t": [1.0, 2')
    again = Monitor(mws)
    assert again.counters["events_accepted"] == taken
    again.close()
