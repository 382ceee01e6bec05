"""The monitor over HTTP: events in (bad lines rejected one by one), an alert out, ack, silences, metrics."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from api.conftest import TestClient
from valueloop.monitoring.service.alerts import list_alerts
from valueloop.store.workspace import Workspace

BASE = (time.time() // 3600 - 3) * 3600
"""Three hours ago, on the hour: after the demo's replayed weeks, inside the live window of a day around
now, and beyond the clock's reach (it closes minutes only within an hour of now)."""


def _lines(events: list[dict[str, object]]) -> bytes:
    return "\n".join(json.dumps(e, ensure_ascii=False) for e in events).encode()


def _post(client: TestClient, headers: dict[str, str], body: bytes) -> dict[str, object]:
    r = client.post("/api/v1/events", content=body, headers=headers | {"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    out: dict[str, object] = r.json()
    return out


@pytest.fixture(scope="module")
def burst(app_client: TestClient, tokens: dict[str, str], demo: Workspace) -> dict[str, object]:
    """Twelve errors at branch B001 in one minute, then quiet traffic for five minutes."""
    headers = {"Authorization": f"Bearer {tokens['analyst']}"}
    events: list[dict[str, object]] = [
        {"type": "device_status", "status": "故障", "ts": BASE + k, "entity_id": "B001"} for k in range(12)
    ]
    events += [{"type": "interaction_opened", "ts": BASE + 60 * m + 5, "entity_id": "B001"} for m in range(1, 6)]
    return _post(app_client, headers, _lines(events))


def test_events_in_bad_lines_rejected_with_reasons(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], burst: dict[str, object]
) -> None:
    body = _lines([{"type": "interaction_opened", "ts": BASE + 400, "entity_id": "B002"}])
    at = datetime.fromtimestamp(BASE + 410, UTC).isoformat()
    body += b"\n{oops\n" + _lines([{"type": "feedback", "ts": at, "csat": 0}])
    got = _post(app_client, as_role("analyst"), body)
    assert got["accepted"] == 1
    assert [r["line"] for r in got["rejected"]] == [2, 3]  # type: ignore[index]
    assert "csat 0" in got["rejected"][1]["reason"]  # type: ignore[index]
    late = _post(app_client, as_role("analyst"), _lines([{"type": "error", "ts": BASE, "entity_id": "B001"}]))
    assert late["late"] == 1 and late["accepted"] == 0


def test_a_burst_fires_an_alert_that_people_can_ack(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], burst: dict[str, object], demo: Workspace
) -> None:
    fired = [a for a in burst["alerts"] if a["status"] == "firing"]  # type: ignore[union-attr]
    assert [(a["rule"], a["entity_id"]) for a in fired] == [("error_burst", "B001")]
    listed = app_client.get("/api/v1/alerts?status=firing", headers=as_role("viewer")).json()
    ids = [a["id"] for a in listed["alerts"]]
    assert fired[0]["id"] in ids and listed["stats"]["firing"] >= 1
    assert app_client.post(f"/api/v1/alerts/{fired[0]['id']}/ack", headers=as_role("viewer")).status_code == 403
    r = app_client.post(
        f"/api/v1/alerts/{fired[0]['id']}/ack", json={"comment": "网点排查中"}, headers=as_role("analyst")
    )
    assert r.status_code == 200 and r.json()["acked_by"] == "analyst"
    stored = next(a for a in list_alerts(demo) if a.id == fired[0]["id"])
    assert stored.acked_by == "analyst" and stored.acked_at is not None


def test_silences_round_trip(app_client: TestClient, as_role: Callable[[str], dict[str, str]]) -> None:
    h = as_role("analyst")
    made = app_client.post(
        "/api/v1/silences",
        json={
            "matchers": {"alertname": "traffic_anomaly"},
            "schedule": {"days": ["sat", "sun"]},
            "comment": "weekends",
        },
        headers=h,
    )
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    assert sid in [s["id"] for s in app_client.get("/api/v1/silences", headers=h).json()]
    assert app_client.post("/api/v1/silences", json={"matchers": {"a": "b"}}, headers=h).status_code == 400
    assert app_client.delete(f"/api/v1/silences/{sid}", headers=h).status_code == 204
    assert app_client.delete("/api/v1/silences/nope", headers=h).status_code == 400


def test_metrics_and_status(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], burst: dict[str, object]
) -> None:
    assert app_client.get("/metrics", headers=as_role("viewer")).status_code == 403  # metrics:read, not alerts:read
    r = app_client.get("/metrics", headers=as_role("scraper"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert 'valueloop_kpi{kpi="volume",window="15m",entity="*"}' in r.text
    assert 'valueloop_events_total{outcome="accepted"}' in r.text
    app_client.cookies.clear()
    assert app_client.get("/metrics").status_code == 401
    status = app_client.get("/api/v1/monitor/status", headers=as_role("viewer")).json()
    assert status["counters"]["events_accepted"] >= 17


def test_scoped_manager_sees_only_its_units(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], burst: dict[str, object], demo: Workspace
) -> None:
    mine = app_client.get("/api/v1/alerts", headers=as_role("manager")).json()["alerts"]
    everyone = app_client.get("/api/v1/alerts", headers=as_role("analyst")).json()["alerts"]
    assert len(mine) <= len(everyone)
    for a in everyone:
        if a["entity_id"] not in {m["entity_id"] for m in mine}:
            assert app_client.get(f"/api/v1/alerts/{a['id']}", headers=as_role("manager")).status_code == 404


def test_event_stream_says_hello(app_client: TestClient, as_role: Callable[[str], dict[str, str]]) -> None:
    r = app_client.get("/api/v1/alerts-stream?once=true", headers=as_role("viewer"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    assert r.text.startswith(": connected")


def test_live_intake_rejects_events_far_from_now(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], burst: dict[str, object]
) -> None:
    """An event from last year is no live news; one from the far future would close every minute up to it."""
    times = ("9999-12-31T00:00:00Z", BASE - 2 * 86_400, 1e300)
    far = [{"type": "error", "ts": ts, "entity_id": "B001"} for ts in times]
    got = _post(app_client, as_role("analyst"), _lines(far))
    assert got["accepted"] == 0 and [r["line"] for r in got["rejected"]] == [1, 2, 3]  # type: ignore[index]
    reasons = [r["reason"] for r in got["rejected"]]  # type: ignore[attr-defined]
    assert reasons[0].startswith("early: ts 9999-12-31T00:00:00+00:00 is more than 24 h after now")
    assert reasons[1].startswith("late: ") and reasons[2].startswith("early: ")
    # the stream did not move: an event just after the burst is still taken
    on_time = _post(app_client, as_role("analyst"), _lines([{"type": "interaction_opened", "ts": BASE + 900}]))
    assert on_time["accepted"] == 1 and on_time["late"] == 0
