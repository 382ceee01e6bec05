"""The live monitor end to end on a workspace: alerts recorded once, muted by silences and
inhibition, acknowledged, surviving a crash without losing or repeating an alert, notifying a
real HTTP endpoint exactly once per alert and status."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import Webhook, write
from valueloop.errors import InputError
from valueloop.ingest.service.ingest import ingest
from valueloop.monitoring.service import alerts as records
from valueloop.monitoring.service import outbox
from valueloop.monitoring.service.monitor import Monitor
from valueloop.monitoring.service.replay import replay
from valueloop.spec.alerts import Schedule, load_monitor_spec
from valueloop.store import appdb
from valueloop.store.tables import alerts as alerts_table
from valueloop.store.tables import ledger
from valueloop.store.workspace import Workspace

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp()  # a Monday, 17:00 in Shanghai
ENTITIES = """entity_id,name,type,parent_id
C,Company,company,
B1,Branch 1,branch,C
B2,Branch 2,branch,C
A1,Agent 1,agent,B1
A2,Agent 2,agent,B1
"""
SPEC = """
group_by: [alertname, branch]
rules:
  - name: error_burst
    expr: errors[1m] >= 5
    by: entity
    entity_types: [branch, agent]
    for: 2m
    keep_firing_for: 1m
    severity: critical
    summary: {zh: 错误突增, en: Error burst}
inhibit:
  - source: {entity_type: branch}
    target: {entity_type: agent}
    equal: [alertname, branch]
channels:
  - {name: hook, kind: webhook, url: "URL", min_severity: warning}
"""


@pytest.fixture
def live_ws(ws: Workspace, tmp_path: Path, hook: Webhook) -> Workspace:
    ingest(ws, "entities", [write(tmp_path / "entities.csv", ENTITIES)])
    (ws.root / "monitor.yaml").write_text(SPEC.replace("URL", hook.url), encoding="utf-8")
    return ws


def _stream() -> list[str]:
    """Steady traffic at B1 (via its agents) and B2; an error burst at agent A1 from minute 10 to 15."""
    lines = []
    for minute in range(30):
        for s, ent in ((5, "A1"), (25, "A2"), (40, "B2")):
            lines.append(json.dumps({"type": "interaction_opened", "ts": T0 + minute * 60 + s, "entity_id": ent}))
        if 10 <= minute < 15:
            lines += [
                json.dumps(
                    {"type": "device_status", "status": "fault", "ts": T0 + minute * 60 + 30 + k, "entity_id": "A1"}
                )
                for k in range(6)
            ]
    return lines


def _wait_for(pred: Any, timeout: float = 10.0) -> None:
    import time

    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_burst_fires_once_branch_inhibits_agent_and_resolves(live_ws: Workspace, hook: Webhook) -> None:
    m = Monitor(live_ws)
    result = replay(m, _stream(), speed=0, batch=7)
    m.close()
    assert result.accepted == len(_stream()) and result.late == 0
    rows = {(a.rule, a.entity_id): a for a in records.list_alerts(live_ws)}
    # the agent's errors roll up to its branch; both breach; the branch alert mutes the agent's
    assert set(rows) == {("error_burst", "A1"), ("error_burst", "B1")}
    agent, branch = rows[("error_burst", "A1")], rows[("error_burst", "B1")]
    assert branch.muted is None and agent.muted == "inhibited by error_burst on B1"
    assert agent.labels["branch"] == "B1" and branch.labels["entity_type"] == "branch"
    # condition true from the close of minute 10; for 2m → fires at the close of minute 12
    assert branch.started_at.timestamp() == T0 + 11 * 60 and branch.fired_at.timestamp() == T0 + 13 * 60
    # last true at the close of minute 14; 1m later (close of minute 15) keep_firing_for has run out
    assert branch.status == "resolved" and branch.resolved_at is not None
    assert branch.resolved_at.timestamp() == T0 + 16 * 60
    assert "Error burst" in branch.summary or "错误突增" in branch.summary
    # one notification for firing and one for resolved, for the branch only
    assert hook.alerts() == [(branch.id, "firing"), (branch.id, "resolved")]
    states = {(r.alert_id, r.status): r.state for r in outbox.list_notifications(live_ws)}
    assert states == {(branch.id, "firing"): "sent", (branch.id, "resolved"): "sent"}
    with appdb.engine(live_ws.database_url).connect() as conn:
        kinds = conn.execute(sa.select(ledger.c.ref, ledger.c.payload).where(ledger.c.kind == "alert_transition")).all()
    assert sorted((ref, json.loads(p)["status"] if isinstance(p, str) else p["status"]) for ref, p in kinds) == sorted(
        [(agent.id, "firing"), (agent.id, "resolved"), (branch.id, "firing"), (branch.id, "resolved")]
    )


def test_a_crash_loses_no_alert_and_sends_none_twice(live_ws: Workspace, hook: Webhook) -> None:
    lines = _stream()
    cut = len(lines) * 2 // 5  # inside the burst: the branch alert is pending
    first = Monitor(live_ws, checkpoint_every=0.0)
    replay(first, lines[: cut // 2], speed=0, batch=5)  # checkpointed after each batch
    first.checkpoint_every = 1e9
    replay(first, lines[cut // 2 : cut], speed=0, batch=5)  # only in the write-ahead log
    assert first.outbox is not None
    first.outbox.close()  # the process dies here: no final checkpoint; the OS drops its lock
    first.release()
    del first
    second = Monitor(live_ws)  # recovers: checkpoint + write-ahead log
    replay(second, lines[cut:], speed=0, batch=5)
    second.close()
    alerts = records.list_alerts(live_ws)
    assert len(alerts) == 2 and {a.status for a in alerts} == {"resolved"}
    branch = next(a for a in alerts if a.entity_id == "B1")
    assert hook.alerts() == [(branch.id, "firing"), (branch.id, "resolved")]
    # the same events through a monitor with no memory at all: ids repeat, nothing is stored or sent again
    shutil.rmtree(live_ws.root / "monitor")
    third = Monitor(live_ws)
    replay(third, lines, speed=0, batch=50)
    third.close()
    assert [(a.id, a.status, a.fired_at, a.resolved_at) for a in records.list_alerts(live_ws)] == [
        (a.id, a.status, a.fired_at, a.resolved_at) for a in alerts
    ]
    assert len(hook.bodies) == 2


def test_recurring_silence_mutes_notifications_not_records(live_ws: Workspace, hook: Webhook) -> None:
    # Mondays 16:00–18:00 Shanghai time: the burst (17:10) falls inside
    records.add_silence(
        live_ws,
        {"alertname": "error_burst"},
        "ops",
        schedule=Schedule(days=("mon",), start="16:00", end="18:00"),
        comment="maintenance window",
    )
    m = Monitor(live_ws)
    replay(m, _stream(), speed=0, batch=50)
    m.close()
    branch = next(a for a in records.list_alerts(live_ws) if a.entity_id == "B1")
    assert branch.muted is not None and branch.muted.startswith("silenced by S") and "maintenance" in branch.muted
    assert hook.bodies == []


def test_ack_records_who_and_mtta(live_ws: Workspace) -> None:
    m = Monitor(live_ws)
    replay(m, _stream()[:66], speed=0)  # up to minute 14: the burst is still firing
    m.close()
    alert = next(a for a in records.list_alerts(live_ws) if a.entity_id == "B1")
    assert alert.status == "firing"
    acked = records.ack(live_ws, alert.id, "王敏", "on it")
    again = records.ack(live_ws, alert.id, "someone else")
    assert acked.acked_by == again.acked_by == "王敏" and acked.acked_at == again.acked_at
    st = records.stats(live_ws)
    assert st.acked == 1 and st.mtta_seconds is not None and st.mtta_seconds > 0


def test_a_resolved_alert_cannot_be_acknowledged_and_late_acks_stay_out_of_mtta(live_ws: Workspace) -> None:
    m = Monitor(live_ws)
    replay(m, _stream(), speed=0, batch=50)
    m.close()
    branch = next(a for a in records.list_alerts(live_ws) if a.entity_id == "B1")
    assert branch.status == "resolved"
    with pytest.raises(records.AlertNotFiring, match="only a firing alert"):
        records.ack(live_ws, branch.id, "王敏")
    assert records.get_alert(live_ws, branch.id).acked_at is None
    assert records.AlertNotFiring.http_status == 409
    # a late acknowledgement stored before the refusal existed does not count towards MTTA
    late = datetime(2027, 3, 1, tzinfo=UTC)
    with appdb.engine(live_ws.database_url).begin() as conn:
        row = alerts_table.c.alert_id == branch.id
        conn.execute(alerts_table.update().where(row).values(acked_by="x", acked_at=late))
    st = records.stats(live_ws)
    assert st.mtta_seconds is None and st.acked == 0 and st.mttr_seconds is not None


def test_bad_lines_are_rejected_with_reasons_and_the_rest_kept(live_ws: Workspace) -> None:
    m = Monitor(live_ws)
    out = m.ingest_lines(
        [
            b'{"type": "interaction_opened", "ts": "2026-11-23T09:00:01Z", "entity_id": "B1"}',
            b"not json",
            b'{"ts": 1}',
            b'{"type": "feedback", "ts": "2026-11-23T09:00:02Z", "csat": 9}',
            b'{"type": "first_response", "ts": "yesterday"}',
            b"\xff\xfe",
            b"",
            b'{"type": "first_response", "ts": 1795424403, "entity_id": "B2", "seconds": 12.5}',
        ]
    )
    m.close()
    assert out.accepted == 2
    reasons = {r.line: r.reason for r in out.rejected}
    assert set(reasons) == {2, 3, 4, 5, 6}
    assert "type is required" in reasons[3] and "csat 9" in reasons[4] and "ISO 8601" in reasons[5]


def test_one_monitor_per_workspace(live_ws: Workspace) -> None:
    m = Monitor(live_ws)
    with pytest.raises(InputError, match="running in another process"):
        Monitor(live_ws)
    m.close()
    Monitor(live_ws).close()


def test_metrics_text_is_prometheus_exposition(live_ws: Workspace) -> None:
    m = Monitor(live_ws)
    replay(m, _stream()[:60], speed=0)
    text = m.metrics_text()
    m.close()
    assert 'valueloop_kpi{kpi="volume",window="1m",entity="*"} 3' in text
    assert 'valueloop_events_total{outcome="accepted"} 60' in text
    import re

    sample = re.compile(r'^[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? (NaN|-?[0-9.e+-]+)$')
    for line in text.splitlines():
        assert line.startswith("#") or sample.match(line), line


def test_shipped_spec_parses_and_names_known_kpis() -> None:
    from valueloop.monitoring.kpis import KPIS
    from valueloop.monitoring.service.monitor import DEFAULT_SPEC
    from valueloop.spec.alerts import KPI_NAMES

    assert set(KPI_NAMES) == set(KPIS)
    spec = load_monitor_spec(DEFAULT_SPEC)
    assert {r.name for r in spec.rules} >= {"error_burst", "traffic_anomaly", "slow_first_response"}


def test_a_replay_with_a_far_future_event_finishes(live_ws: Workspace) -> None:
    """A recorded file with a stray timestamp: replayed as fast as possible, and paced, neither hangs."""
    from valueloop.monitoring.service.replay import MAX_PACED_GAP, feed

    stray = json.dumps({"type": "interaction_opened", "ts": "9999-12-31T00:00:00Z", "entity_id": "B2"})
    lines = [*_stream(), stray]
    m = Monitor(live_ws)
    try:
        result = replay(m, lines, speed=0)
    finally:
        m.close()
    assert result.accepted == len(lines) and result.fired >= 1
    waits: list[float] = []
    paced = feed(lambda c: {"accepted": len(c), "late": 0, "rejected": [], "alerts": []}, lines, speed=60,
                 batch=10, sleep=waits.append)  # fmt: skip
    assert paced.accepted == len(lines)
    assert max(waits) <= (30 * 60 + MAX_PACED_GAP) / 60 + 1  # half an hour of events and one capped jump, at 60×
