"""The route × role × scope matrix: a user bound to one region never reads, names or changes another's units.

Two sibling regions, A (``MANAGER_UNIT``) and B, each with an alert, a silence, a finding and
an action. ``manager-b`` (and ``viewer-b``, a viewer bound to B) call every id-taking route
with A's ids (:data:`FOREIGN`, a table): each is refused exactly as a missing id is, and no
response — nor any GET route of the app, nor the live stream — carries a byte of A's unit
ids or names.
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute, iter_route_contexts

from api.conftest import MANAGER_UNIT, PASSWORD, TestClient
from valueloop.accounts.service.accounts import Role, add_user, create_token
from valueloop.diagnosis.service.diagnose import list_findings
from valueloop.errors import InputError
from valueloop.http.live import live
from valueloop.improvement.service.actions import create_action
from valueloop.monitoring.alerting import Transition
from valueloop.monitoring.service import alerts as records
from valueloop.store import appdb
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace


@dataclass(frozen=True)
class Region:
    root: str
    units: frozenset[str]
    names: frozenset[str]
    branch: str
    alert: str
    silence: str
    finding: str
    action: int


def _tree(ws: Workspace) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    wh = Warehouse(ws)
    e = wh.execute(wh.table("entities"))
    parent = dict(zip(e["entity_id"], e["parent_id"], strict=True))
    kinds = dict(zip(e["entity_id"], e["type"], strict=True))
    names = dict(zip(e["entity_id"], e["name"], strict=True)) if "name" in e else {}
    return parent, kinds, names


def _under(parent: dict[str, Any], root: str) -> frozenset[str]:
    def inside(x: Any) -> bool:
        while isinstance(x, str):
            if x == root:
                return True
            x = parent.get(x)
        return False

    return frozenset(x for x in parent if inside(x))


def _plant(ws: Workspace, root: str, parent: dict[str, Any], kinds: dict[str, str], names: dict[str, str]) -> Region:
    """An alert, a silence and an action on a branch of region ``root``; one of its findings."""
    units = _under(parent, root)
    branch = sorted(x for x in units if kinds.get(x) == "branch")[0]
    t = datetime(2026, 1, 5, tzinfo=UTC).timestamp()
    tr = Transition("matrix_rule", branch, "firing", t + 60, t, 1.0)
    with appdb.engine(ws.database_url).begin() as conn:
        records.record(conn, tr, "warning", {"entity_id": branch}, f"matrix alert at {branch}", None)
    ends = datetime.now(UTC) + timedelta(days=1)
    silence = records.add_silence(ws, {"entity_id": branch}, "admin", ends_at=ends).id
    finding = next(f.id for f in list_findings(ws) if f.entity_id in units)
    action = create_action(ws, {"title": f"fix {root}", "owner": "o", "department": "d",
                                "links": [{"kind": "entity", "ref": branch}]}, "admin")  # fmt: skip
    shown = frozenset(str(names[x]) for x in units if isinstance(names.get(x), str) and len(str(names[x])) > 2)
    return Region(root, units, shown, branch, tr.alert_id, silence, finding, action)


@pytest.fixture(scope="module")
def regions(demo: Workspace) -> tuple[Region, Region]:
    parent, kinds, names = _tree(demo)
    found = {f.entity_id for f in list_findings(demo)}
    siblings = [x for x, k in sorted(kinds.items()) if k == "region" and x != MANAGER_UNIT]
    sibling = next(x for x in siblings if _under(parent, x) & found)  # a region with findings of its own
    return _plant(demo, MANAGER_UNIT, parent, kinds, names), _plant(demo, sibling, parent, kinds, names)


@pytest.fixture(scope="module")
def company_silence(demo: Workspace) -> str:
    """A silence with no unit matcher (it can mute every unit): only unscoped users see or end it."""
    return records.add_silence(demo, {"alertname": "matrix_rule"}, "admin",
                               ends_at=datetime.now(UTC) + timedelta(days=1)).id  # fmt: skip


def _user(ws: Workspace, name: str, role: Role, units: list[str]) -> dict[str, str]:
    add_user(ws, name, PASSWORD, role, units)
    return {"Authorization": f"Bearer {create_token(ws, name, 'tests', [])[1]}"}


@pytest.fixture(scope="module")
def scoped_b(demo: Workspace, regions: tuple[Region, Region]) -> dict[str, dict[str, str]]:
    """Bearer headers of users bound to region B: a manager (and a viewer, where the code allows binding one)."""
    out = {"manager-b": _user(demo, "manager-b", Role.manager, [regions[1].root])}
    with contextlib.suppress(InputError):  # before every role could be bound to units (the viewer tests then fail)
        out["viewer-b"] = _user(demo, "viewer-b", Role.viewer, [regions[1].root])
    return out


def leaks(text: str, region: Region) -> list[str]:
    """Unit ids (as whole words) and names of ``region`` found in ``text``."""
    ids = [u for u in region.units if re.search(rf"(?<![\w-]){re.escape(u)}(?![\w-])", text)]
    return ids + [n for n in region.names if n in text]


FOREIGN: list[tuple[str, str, Any, int]] = [
    # (method, path, JSON body, status): the ids are region A's, the caller is bound to region B
    ("GET", "/api/v1/alerts/{alert}", None, 404),
    ("POST", "/api/v1/alerts/{alert}/ack", {"comment": "not mine"}, 404),
    ("POST", "/api/v1/silences", {"matchers": {"entity_id": "{branch}"}, "minutes": 60}, 404),
    ("POST", "/api/v1/silences", {"matchers": {"entity_id": "{own}|{branch}"}, "minutes": 60}, 404),
    ("POST", "/api/v1/silences", {"matchers": {"alertname": "matrix_rule"}, "minutes": 60}, 403),
    ("POST", "/api/v1/silences", {"matchers": {"region": "{root}"}, "minutes": 60}, 403),
    ("DELETE", "/api/v1/silences/{silence}", None, 404),
    ("DELETE", "/api/v1/silences/{company_silence}", None, 404),
    ("GET", "/api/v1/findings/{finding}", None, 404),
    ("GET", "/api/v1/actions/{action}", None, 404),
    ("POST", "/api/v1/actions/{action}/moves", {"to": "approved", "reason": "x"}, 404),
    ("POST", "/api/v1/actions/{action}/comments", {"text": "x"}, 404),
    ("POST", "/api/v1/actions/{action}/handoffs", {"from": "a", "to": "b", "what": "x"}, 404),
    ("GET", "/api/v1/experiments/{action}", None, 404),
    ("POST", "/api/v1/actions/{action}/verify", {}, 404),
    ("POST", "/api/v1/actions", {"owner": "o", "department": "d", "links": [{"kind": "entity", "ref": "{branch}"}]},
     404),
    ("POST", "/api/v1/actions", {"owner": "o", "department": "d", "links": [
        {"kind": "entity", "ref": "{own}"}, {"kind": "finding", "ref": "{finding}"}]}, 404),
    ("POST", "/api/v1/actions", {"owner": "o", "department": "d", "links": [
        {"kind": "entity", "ref": "{own}"}, {"kind": "alert", "ref": "{alert}"}]}, 404),
    ("POST", "/api/v1/actions", {"owner": "o", "department": "d", "title": "t", "from_finding": "{finding}"}, 404),
    ("POST", "/api/v1/actions", {"owner": "o", "department": "d", "title": "t",
                                 "links": [{"kind": "indicator", "ref": "csat"}]}, 403),
    ("POST", "/api/v1/people/disputes", {"agent": "{branch}", "period": "2026-01", "indicator": "csat",
                                        "reason": "x"}, 404),
    ("POST", "/api/v1/people/cases", {"agent": "{branch}", "period": "2026-01", "title": "t", "text": "x"}, 404),
    ("GET", "/api/v1/scores/{branch}", None, 404),
    ("GET", "/api/v1/scores/{branch}/indicators/csat/records", None, 404),
    ("GET", "/api/v1/scores/{branch}/indicators/complaint_rate/records?part=denominator", None, 404),
    ("GET", "/units/{branch}/indicators/csat/records.csv", None, 404),
    ("GET", "/api/v1/findings/priorities?entity={root}", None, 404),
    ("GET", "/metrics", None, 403),
]  # fmt: skip


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], value)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _ids(a: Region, b: Region, company_silence: str) -> dict[str, str]:
    return {"alert": a.alert, "branch": a.branch, "root": a.root, "silence": a.silence, "finding": a.finding,
            "action": str(a.action), "own": b.branch, "company_silence": company_silence}  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "status"), FOREIGN, ids=[f"{m} {p}" for m, p, *_ in FOREIGN])
def test_foreign_ids_are_refused_without_a_trace(
    app_client: TestClient, regions: tuple[Region, Region], scoped_b: dict[str, dict[str, str]],
    company_silence: str, method: str, path: str, body: Any, status: int,
) -> None:  # fmt: skip
    a, b = regions
    ids = _ids(a, b, company_silence)
    url, sent = _fill(path, ids), _fill(body, ids)
    r = app_client.request(method, url, json=sent, headers=scoped_b["manager-b"])
    assert r.status_code == status, r.text
    echoed = r.text  # naming back an id the caller sent tells nothing; anything else of region A would
    for named in sorted(set(re.findall(r"[\w-]+", f"{url} {sent}")), key=len, reverse=True):
        echoed = echoed.replace(named, "")
    assert leaks(echoed, a) == []


@pytest.mark.parametrize("what", ["alerts", "findings", "actions"])
def test_a_hidden_id_answers_exactly_as_a_missing_one(
    app_client: TestClient, regions: tuple[Region, Region], scoped_b: dict[str, dict[str, str]], what: str
) -> None:
    a = regions[0]
    real = {"alerts": a.alert, "findings": a.finding, "actions": str(a.action)}[what]
    missing = "999999" if what == "actions" else "NO-SUCH-ID"
    h = scoped_b["manager-b"]
    hidden, absent = (app_client.get(f"/api/v1/{what}/{x}", headers=h) for x in (real, missing))
    assert hidden.status_code == absent.status_code == 404
    assert hidden.text.replace(real, "ID") == absent.text.replace(missing, "ID")


def test_silences_are_scoped_both_ways(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], regions: tuple[Region, Region],
    scoped_b: dict[str, dict[str, str]], company_silence: str,
) -> None:  # fmt: skip
    a, b = regions
    h = scoped_b["manager-b"]
    listed = {s["id"] for s in app_client.get("/api/v1/silences", headers=h).json()}
    assert b.silence in listed and a.silence not in listed and company_silence not in listed
    made = app_client.post("/api/v1/silences", json={"matchers": {"entity_id": b.branch, "alertname": "x"},
                                                     "minutes": 30}, headers=h)  # fmt: skip
    assert made.status_code == 201, made.text
    assert app_client.delete(f"/api/v1/silences/{made.json()['id']}", headers=h).status_code == 204
    mine = {s["id"] for s in app_client.get("/api/v1/silences", headers=as_role("manager")).json()}
    assert a.silence in mine and b.silence not in mine
    everyone = {s["id"] for s in app_client.get("/api/v1/silences", headers=as_role("admin")).json()}
    assert {a.silence, b.silence, company_silence} <= everyone
    assert leaks(app_client.get("/alerts", headers=h).text, a) == []


def test_own_ids_work_for_the_scoped_manager(
    app_client: TestClient, regions: tuple[Region, Region], scoped_b: dict[str, dict[str, str]]
) -> None:
    b = regions[1]
    h = scoped_b["manager-b"]
    assert app_client.post(f"/api/v1/alerts/{b.alert}/ack", json={}, headers=h).status_code == 200
    body = {"owner": "o", "department": "d", "links": [{"kind": "entity", "ref": b.branch},
                                                       {"kind": "finding", "ref": b.finding},
                                                       {"kind": "alert", "ref": b.alert}]}  # fmt: skip
    made = app_client.post("/api/v1/actions", json={**body, "title": "mine"}, headers=h)
    assert made.status_code == 201, made.text


def test_monitor_status_shows_only_own_units(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], regions: tuple[Region, Region],
    scoped_b: dict[str, dict[str, str]],
) -> None:  # fmt: skip
    a, b = regions
    base = float(int(datetime.now(UTC).timestamp()) // 60 * 60 - 600)  # inside the live intake's window
    events = [{"type": "device_status", "status": "故障", "ts": base + k, "entity_id": a.branch} for k in range(12)]
    events += [{"type": "interaction_opened", "ts": base + 60 + k, "entity_id": a.branch} for k in range(3)]
    body = "\n".join(json.dumps(e, ensure_ascii=False) for e in events).encode()
    sent = app_client.post("/api/v1/events", content=body,
                           headers=as_role("analyst") | {"Content-Type": "application/x-ndjson"})  # fmt: skip
    assert sent.status_code == 200, sent.text
    everyone = app_client.get("/api/v1/monitor/status", headers=as_role("admin")).json()
    assert a.branch in {x["entity_id"] for x in everyone["active"]}
    status = app_client.get("/api/v1/monitor/status", headers=scoped_b["manager-b"])
    assert status.status_code == 200
    assert {x["entity_id"] for x in status.json()["active"]} <= b.units
    assert leaks(status.text, a) == []


def test_monitor_status_counters_are_not_for_a_scoped_caller(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], scoped_b: dict[str, dict[str, str]],
) -> None:  # fmt: skip
    """The counters are pooled over every unit (events and alerts of other regions too): admin only."""
    assert app_client.get("/api/v1/monitor/status", headers=as_role("admin")).json()["counters"] is not None
    for user in ("manager-b", "viewer-b"):
        status = app_client.get("/api/v1/monitor/status", headers=scoped_b[user])
        assert status.status_code == 200
        assert status.json()["counters"] is None


def _get_routes(client: TestClient) -> list[str]:
    paths = []
    for ctx in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        if isinstance(ctx.original_route, APIRoute) and ctx.path and "GET" in (ctx.methods or {"GET"}):
            paths.append(ctx.path)
    return sorted(set(paths))


@pytest.mark.parametrize("user", ["manager-b", "viewer-b"])
def test_no_get_route_sends_a_byte_of_the_sibling_region(
    app_client: TestClient, regions: tuple[Region, Region], scoped_b: dict[str, dict[str, str]], user: str
) -> None:
    """Every GET route of the API and the pages, called with region B's own ids: nothing of region A in any body.

    Runs after region A has an alert in the database and one active in the live monitor.
    """
    a, b = regions
    values = {"entity_id": b.branch, "action_id": str(b.action), "finding_id": b.finding, "alert_id": b.alert}
    app_client.cookies.clear()
    assert user in scoped_b, "a viewer could not be bound to units"
    found = {}
    for path in _get_routes(app_client):
        if path.startswith(("/openapi", "/api/docs", "/static")):
            continue
        url = re.sub(r"{(\w+)(:\w+)?}", lambda m: values.get(m.group(1), "999999"), path)
        url += "?once=true" if path.endswith("/alerts-stream") else ""
        r = app_client.get(url, headers=scoped_b[user], follow_redirects=False)
        if bad := leaks(r.text, a):
            found[path] = bad[:3]
    assert found == {}


def test_the_live_stream_carries_only_the_subscribers_units(
    app_client: TestClient, regions: tuple[Region, Region]
) -> None:
    """Alert transitions and acknowledgements reach a scoped subscriber for its own units only."""
    a, b = regions
    holder = live(app_client.app)  # type: ignore[arg-type]
    scoped, everyone = holder.subscribe(b.units), holder.subscribe()
    try:
        holder.announce({"type": "ack", "id": a.alert, "entity_id": a.branch, "by": "x"})
        holder.announce({"type": "alert", "id": "z", "rule": "r", "entity_id": "*", "status": "firing"})
        holder.announce({"type": "alert", "id": b.alert, "rule": "r", "entity_id": b.branch, "status": "firing"})
        got = [scoped.get_nowait()["entity_id"]]
        with pytest.raises(queue.Empty):
            scoped.get_nowait()
        assert got == [b.branch] and everyone.qsize() == 3
    finally:
        holder.unsubscribe(scoped)
        holder.unsubscribe(everyone)


def test_an_acknowledgement_names_its_unit_for_the_stream(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], regions: tuple[Region, Region]
) -> None:
    a, b = regions
    holder = live(app_client.app)  # type: ignore[arg-type]
    q = holder.subscribe(b.units)
    try:
        assert app_client.post(f"/api/v1/alerts/{a.alert}/ack", json={}, headers=as_role("admin")).status_code == 200
        assert q.empty()
    finally:
        holder.unsubscribe(q)


def test_metrics_need_their_own_permission(
    app_client: TestClient, as_role: Callable[[str], dict[str, str]], scoped_b: dict[str, dict[str, str]]
) -> None:
    for role in ("manager", "viewer", "auditor", "analyst"):
        assert app_client.get("/metrics", headers=as_role(role)).status_code == 403, role
    for role in ("admin", "scraper"):
        assert app_client.get("/metrics", headers=as_role(role)).status_code == 200, role
    if "viewer-b" in scoped_b:
        assert app_client.get("/metrics", headers=scoped_b["viewer-b"]).status_code == 403


def test_a_scoped_viewer_sees_only_its_region(
    app_client: TestClient, regions: tuple[Region, Region], scoped_b: dict[str, dict[str, str]]
) -> None:
    a, b = regions
    h = scoped_b.get("viewer-b")
    assert h is not None, "a viewer could not be bound to units"
    findings = app_client.get("/api/v1/findings", headers=h).json()
    assert findings and {f["entity_id"] for f in findings} <= b.units
    alerts = app_client.get("/api/v1/alerts", headers=h).json()["alerts"]
    assert {x["entity_id"] for x in alerts} <= b.units and b.alert in {x["id"] for x in alerts}
    assert app_client.get(f"/api/v1/alerts/{a.alert}", headers=h).status_code == 404
    who = app_client.get("/api/v1/me", headers=h)
    if who.status_code == 200:
        assert "text:read" not in who.text  # workspace-wide permissions go with a unit binding


def test_db_is_untouched_by_refused_requests(demo: Workspace, regions: tuple[Region, Region]) -> None:
    """After the matrix: region A's alert is not acknowledged by B, its silence still runs, its action unmoved."""
    a = regions[0]
    alert = records.get_alert(demo, a.alert)
    assert alert.acked_by in (None, "admin")
    assert any(s.id == a.silence for s in records.list_silences(demo))
    with appdb.engine(demo.database_url).connect() as conn:
        status = conn.execute(sa.text("SELECT status FROM actions WHERE action_id = :a"), {"a": a.action}).scalar()
    assert status == "proposed"
