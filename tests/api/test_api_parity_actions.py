"""``actions handoff / accept / comment / overdue / roi`` and ``verify action`` through the API, and the action page.

Each route gives what the CLI (or its flow) gives for the same input; a manager bound to R01
acts on and sees only actions of their units, and gets pooled figures nowhere (404).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from api.conftest import MANAGER_UNIT, TestClient, sign_in
from valueloop.accounts.service.accounts import Principal, Role, visible_units
from valueloop.cli.main import app as cli
from valueloop.improvement.service.actions import create_action, move_action
from valueloop.improvement.service.actions_view import show_action
from valueloop.improvement.service.roi import action_roi
from valueloop.improvement.workflow import Status, waiver
from valueloop.metrics.periods import label_of
from valueloop.spec.model import Grain
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace
from valueloop.verification.service.experiment import LakeExperiment, verify_action

Headers = Callable[[str], dict[str, str]]
V = "/api/v1"
PARITY = "CAST(substr(i.customer_id, 2) AS BIGINT) % 2 = 1"


def _cli(demo: Workspace, *args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--workspace", str(demo.root), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _units(demo: Workspace) -> tuple[str, str]:
    """(a branch under the manager's region, a branch outside it)."""
    seen = visible_units(demo, Principal(0, "m", Role.manager, (MANAGER_UNIT,), frozenset()))
    assert seen is not None
    wh = Warehouse(demo)
    e = wh.execute(wh.table("entities"))
    branches = {str(x) for x, t in zip(e["entity_id"], e["type"], strict=True) if t == "branch"}
    return sorted(branches & seen)[0], sorted(branches - seen)[0]


def _action(demo: Workspace, unit: str, due: date | None = None, to: Status | None = None, cost: float = 100.0) -> int:
    aid = create_action(demo, {"title": f"about {unit}", "owner": "o", "department": "客服部", "due_date": due,
                               "cost": cost, "links": [{"kind": "entity", "ref": unit}]}, "admin")  # fmt: skip
    path = [Status.approved, Status.in_progress, Status.implemented]
    for status in path[: path.index(to) + 1] if to else []:
        move_action(demo, aid, status, "admin", "step")
    return aid


def _same(detail: dict[str, Any]) -> dict[str, Any]:
    """An action as both routes should leave it: hand-offs and comments without ids, clocks and authors."""
    return {
        "handoffs": [(h["from"], h["to"], h["what"], h["pending"]) for h in detail["handoffs"]],
        "comments": [c["body"] for c in detail["comments"]],
        "status": detail["status"],
    }


def test_handoff_accept_comment_match_the_cli(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    mine, _ = _units(demo)
    by_cli, by_api = _action(demo, mine), _action(demo, mine)
    sent = _cli(demo, "actions", "handoff", str(by_cli), "--from", "客服部", "--to", "技术部", "--what", "规则")
    h = as_role("analyst")
    r = app_client.post(f"{V}/actions/{by_api}/handoffs", json={"from": "客服部", "to": "技术部", "what": "规则"},
                        headers=h)  # fmt: skip
    assert r.status_code == 201, r.text
    assert _same(r.json()) == _same(sent) and r.json()["handoffs"][0]["pending"]
    hid_cli, hid_api = sent["handoffs"][0]["handoff_id"], r.json()["handoffs"][0]["handoff_id"]
    accepted = _cli(demo, "actions", "accept", str(hid_cli), "--by", "y")
    r = app_client.post(f"{V}/actions/{by_api}/handoffs/accept", json={"handoff_id": hid_api}, headers=h)
    assert r.status_code == 200 and _same(r.json()) == _same(accepted) and not r.json()["handoffs"][0]["pending"]
    again = app_client.post(f"{V}/actions/{by_api}/handoffs/accept", json={"handoff_id": hid_api}, headers=h)
    assert again.status_code == 400 and "already accepted" in again.json()["error"]["message"]
    elsewhere = app_client.post(f"{V}/actions/{by_api}/handoffs/accept", json={"handoff_id": hid_cli}, headers=h)
    assert elsewhere.status_code == 400 and f"no hand-off {hid_cli}" in elsewhere.json()["error"]["message"]
    said = _cli(demo, "actions", "comment", str(by_cli), "看一下", "--by", "x")
    r = app_client.post(f"{V}/actions/{by_api}/comments", json={"text": "看一下"}, headers=h)
    assert r.status_code == 201 and _same(r.json()) == _same(said)
    assert r.json()["comments"][0]["author"] == "analyst" and r.json()["handoffs"][0]["from"] == "客服部"
    for body, words in (({"from": "a", "to": "a", "what": "w"}, "one department to another"),
                        ({"from": "a", "to": "b", "what": "  "}, "say what")):  # fmt: skip
        bad = app_client.post(f"{V}/actions/{by_api}/handoffs", json=body, headers=h)
        assert bad.status_code == 400 and words in bad.json()["error"]["message"]
    blank = app_client.post(f"{V}/actions/{by_api}/comments", json={"text": " "}, headers=h)
    assert blank.status_code == 400
    assert app_client.post(f"{V}/actions/{by_api}/comments", json={"text": "x"}, headers=as_role("viewer")) \
        .status_code == 403  # fmt: skip
    assert app_client.post(f"{V}/actions/2147483648/comments", json={"text": "x"}, headers=h).status_code == 422
    assert app_client.post(f"{V}/actions/999999/comments", json={"text": "x"}, headers=h).status_code == 400


def test_a_closed_action_takes_no_handoff(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    mine, _ = _units(demo)
    aid = _action(demo, mine, to=Status.implemented)
    move_action(demo, aid, Status.verifying, "admin", "check")
    move_action(demo, aid, Status.effective, "admin", "obvious", waiver("plain to see"))
    move_action(demo, aid, Status.closed, "admin", "done")
    r = app_client.post(f"{V}/actions/{aid}/handoffs", json={"from": "a", "to": "b", "what": "w"},
                        headers=as_role("analyst"))  # fmt: skip
    assert r.status_code == 400 and "closed" in r.json()["error"]["message"]


def test_handoffs_and_comments_are_scoped(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    mine, other = _units(demo)
    own, foreign = _action(demo, mine), _action(demo, other)
    h = as_role("manager")
    body = {"from": "客服部", "to": "技术部", "what": "w"}
    assert app_client.post(f"{V}/actions/{foreign}/handoffs", json=body, headers=h).status_code == 404
    assert app_client.post(f"{V}/actions/{foreign}/comments", json={"text": "x"}, headers=h).status_code == 404
    made = app_client.post(f"{V}/actions/{foreign}/handoffs", json=body, headers=as_role("analyst")).json()
    hid = made["handoffs"][0]["handoff_id"]
    accept = {"handoff_id": hid}
    assert app_client.post(f"{V}/actions/{foreign}/handoffs/accept", json=accept, headers=h).status_code == 404
    # another unit's hand-off cannot be reached through one of the manager's own actions either
    through = app_client.post(f"{V}/actions/{own}/handoffs/accept", json=accept, headers=h)
    assert through.status_code == 400 and show_action(demo, foreign).handoffs[0].pending
    mine_made = app_client.post(f"{V}/actions/{own}/handoffs", json=body, headers=h)
    assert mine_made.status_code == 201
    ok = app_client.post(f"{V}/actions/{own}/handoffs/accept",
                         json={"handoff_id": mine_made.json()["handoffs"][0]["handoff_id"]}, headers=h)  # fmt: skip
    assert ok.status_code == 200 and ok.json()["handoffs"][0]["accepted_at"]
    assert app_client.post(f"{V}/actions/{own}/comments", json={"text": "ok"}, headers=h).status_code == 201


def test_overdue_is_scoped(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    mine, other = _units(demo)
    late = date.today() - timedelta(days=3)
    own, foreign = _action(demo, mine, due=late), _action(demo, other, due=late)
    for aid in (own, foreign):
        app_client.post(f"{V}/actions/{aid}/handoffs", json={"from": "客服部", "to": f"部门{aid}", "what": "w"},
                        headers=as_role("admin"))  # fmt: skip
    # the CLI prints the same Escalations document (tests/api/test_openapi_responses.py)
    got = app_client.get(f"{V}/actions/overdue", params={"stall_hours": 0}, headers=as_role("viewer"))
    assert got.status_code == 200, got.text
    body = got.json()
    assert {own, foreign} <= {r["action_id"] for r in body["overdue_actions"]}
    scoped = app_client.get(f"{V}/actions/overdue", params={"stall_hours": 0}, headers=as_role("manager")).json()
    assert own in {r["action_id"] for r in scoped["overdue_actions"]}
    assert foreign not in {r["action_id"] for r in scoped["overdue_actions"]}
    assert foreign not in {h["action_id"] for h in scoped["stalled_handoffs"]}
    pairs = {b["to"] for b in scoped["boundaries"]}
    assert f"部门{own}" in pairs and f"部门{foreign}" not in pairs
    assert app_client.get(f"{V}/actions/overdue", params={"stall_hours": -1}, headers=as_role("viewer")) \
        .status_code == 422  # fmt: skip
    assert app_client.get(f"{V}/actions/overdue").status_code == 401


def _experiment(demo: Workspace) -> LakeExperiment:
    """The demo's planted A/B test (the same conditions the demo attached to its pilot action)."""
    story = json.loads((demo.root / "source-data" / "STORIES.json").read_text(encoding="utf-8"))["stories"]["ab_test"]
    scope = f"i.opened_at >= TIMESTAMPTZ '{story['start']}' AND i.opened_at < TIMESTAMPTZ '{story['end']}'"
    return LakeExperiment(assignment=PARITY, scope=scope)


def _close(a: Any, b: Any) -> bool:
    """Equal documents, floats to 1e-9 (DuckDB's parallel sums need not add up in the same order twice)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-12)
    return bool(a == b)


def test_attaching_an_experiment_matches_the_flow(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    mine, _ = _units(demo)
    by_flow = _action(demo, mine, to=Status.implemented)
    by_api = _action(demo, mine, to=Status.implemented)
    exp = _experiment(demo)
    r = app_client.post(f"{V}/actions/{by_api}/experiment", json={"assignment": exp.assignment, "scope": exp.scope},
                        headers=as_role("analyst"))  # fmt: skip
    assert r.status_code == 200, r.text
    got = r.json()
    stored = LakeExperiment.model_validate(got["experiment"])  # the conditions as rebuilt from the allow-list
    want = verify_action(demo, by_flow, stored, "qa").model_dump(mode="json")
    assert got["experiment"] == want["experiment"]
    without_id = ({k: v for k, v in doc.items() if k != "action_id"} for doc in (got, want))
    assert _close(*without_id)
    assert got["status"] in ("effective", "not_effective") and show_action(demo, by_api).verification
    # the flow on the caller's original text reaches the same verdict as on the rebuilt text
    again = verify_action(demo, _action(demo, mine, to=Status.implemented), exp, "qa")
    assert again.verdict == got["verdict"] and again.p_value == pytest.approx(got["p_value"], rel=1e-9)
    rerun = app_client.post(f"{V}/actions/{by_api}/verify", json={}, headers=as_role("analyst"))
    assert rerun.status_code in (200, 400)  # attached: re-runnable (the status may no longer allow a new verdict)
    assert "no experiment attached" not in rerun.text


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"assignment": "read_csv('/etc/passwd') IS NULL"}, "not allowed"),
        ({"assignment": "1 = 1; COPY (SELECT 1) TO '/tmp/x.csv'"}, "one condition"),
        ({"assignment": "i.customer_id IN (SELECT customer_id FROM customers)"}, "not allowed"),
        ({"assignment": "getenv('HOME') = 'x'"}, "not allowed"),
        ({"assignment": "i.customer_id = ?"}, "not allowed"),
        ({"assignment": "customer_id = 'x'"}, "i.<column>"),
        ({"assignment": "i.password = 'x'"}, "no column 'password'"),
        ({"assignment": "x.customer_id = 'x'"}, "i.<column>"),
        ({"assignment": PARITY, "unit": "i.customer_id || 'x'"}, "unit: a column"),
        ({"assignment": PARITY, "outcome": "text"}, "numeric feedback field"),
        ({"assignment": "((("}, "not an SQL condition"),
        ({"assignment": "(" * 5000 + "TRUE" + ")" * 5000}, "nested too deeply"),
        ({"assignment": "CAST(i.customer_id AS BIGINT) % 2 = 1"}, "query failed"),
    ],
)
def test_experiment_conditions_are_an_allow_list(app_client: TestClient, as_role: Headers, demo: Workspace,
                                                 body: dict[str, Any], words: str) -> None:  # fmt: skip
    mine, _ = _units(demo)
    aid = _action(demo, mine, to=Status.implemented)
    r = app_client.post(f"{V}/actions/{aid}/experiment", json=body, headers=as_role("admin"))
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "input_error" and words in r.json()["error"]["message"]
    assert not (demo.root / "experiments" / f"action-{aid}.json").exists()  # nothing attached by a refused one
    assert show_action(demo, aid).status == "implemented"


def test_attaching_is_refused_to_managers_and_readers(app_client: TestClient, as_role: Headers,
                                                      demo: Workspace) -> None:  # fmt: skip
    mine, other = _units(demo)
    body = {"assignment": PARITY}
    own = _action(demo, mine, to=Status.implemented)
    assert app_client.post(f"{V}/actions/{own}/experiment", json=body, headers=as_role("viewer")).status_code == 403
    for aid in (own, _action(demo, other, to=Status.implemented)):  # pooled conditions: even on their own action
        r = app_client.post(f"{V}/actions/{aid}/experiment", json=body, headers=as_role("manager"))
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert not (demo.root / "experiments" / f"action-{own}.json").exists()


def test_roi_matches_the_cli_and_is_scoped(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    mine, other = _units(demo)
    exp = _experiment(demo)
    own, foreign = _action(demo, mine, to=Status.implemented), _action(demo, other, to=Status.implemented)
    for aid in (own, foreign):
        verify_action(demo, aid, exp, "qa")
    params = {"value_per_unit": 3, "units": 1000}
    got = app_client.get(f"{V}/actions/{own}/roi", params=params, headers=as_role("viewer"))
    assert got.status_code == 200, got.text
    assert got.json() == action_roi(demo, own, 3.0, 1000.0).model_dump(mode="json")
    # the CLI records the valuation (the API only reads it): the period below lists the action because of it
    assert got.json() == _cli(demo, "actions", "roi", str(own), "--value-per-unit", "3", "--units", "1000")
    assert app_client.get(f"{V}/actions/{own}/roi", params=params, headers=as_role("manager")).json() == got.json()
    assert app_client.get(f"{V}/actions/{foreign}/roi", params=params, headers=as_role("manager")).status_code == 404
    unverified = _action(demo, mine)
    r = app_client.get(f"{V}/actions/{unverified}/roi", params=params, headers=as_role("viewer"))
    assert r.status_code == 400 and "no ROI without evidence" in r.json()["error"]["message"]
    for bad in ({"value_per_unit": "nan", "units": 1}, {"value_per_unit": 1, "units": "inf"}, {"units": 1}):
        assert app_client.get(f"{V}/actions/{own}/roi", params=bad, headers=as_role("viewer")).status_code == 422
    quarter = label_of(datetime.now(UTC).date(), Grain.quarter)
    period = app_client.get(f"{V}/actions/roi", params={"period": quarter}, headers=as_role("viewer"))
    assert period.status_code == 200 and own in [a["action_id"] for a in period.json()["actions"]]  # valued above
    assert app_client.get(f"{V}/actions/roi", params={"period": quarter}, headers=as_role("manager")).status_code \
        == 404  # fmt: skip
    for bad_period in ("9999-Q4", "2026-10", "2026-Q5"):
        r = app_client.get(f"{V}/actions/roi", params={"period": bad_period}, headers=as_role("viewer"))
        assert r.status_code == 422, bad_period


def test_the_action_page_hands_off_accepts_and_comments(app_client: TestClient, demo: Workspace) -> None:
    mine, other = _units(demo)
    aid = _action(demo, mine)
    try:
        csrf = sign_in(app_client, "analyst")
        page = app_client.get(f"/actions/{aid}").text
        for form in ("handoff-form", "comment-form"):
            chunk = page.split(f'id="{form}"')[1].split("</form>")[0]
            assert f'name="csrf_token" value="{csrf}"' in chunk and f'hx-post="/actions/{aid}/' in chunk
        htmx = {"X-CSRF-Token": csrf, "HX-Request": "true"}
        form = {"from_department": "客服部", "to_department": "技术部", "what": "交接单", "csrf_token": csrf}
        r = app_client.post(f"/actions/{aid}/handoff", data=form, headers=htmx, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/actions/{aid}"
        hid = show_action(demo, aid).handoffs[0].handoff_id
        page = app_client.get(f"/actions/{aid}").text
        assert f'id="accept-{hid}"' in page and "交接单" in page
        accept = {"handoff_id": str(hid), "csrf_token": csrf}
        r = app_client.post(f"/actions/{aid}/accept", data=accept, headers=htmx, follow_redirects=False)
        assert r.status_code == 303 and not show_action(demo, aid).handoffs[0].pending
        assert f'id="accept-{hid}"' not in app_client.get(f"/actions/{aid}").text
        comment = {"text": "页面上的评论", "csrf_token": csrf}
        r = app_client.post(f"/actions/{aid}/comment", data=comment, headers=htmx)  # follows the redirect
        assert r.status_code == 200 and "页面上的评论" in r.text
        assert show_action(demo, aid).comments[0].author == "analyst"
        refused = app_client.post(f"/actions/{aid}/accept", data=accept, headers=htmx)  # already accepted
        assert refused.status_code == 200 and 'id="action-error"' in refused.text and "already accepted" in refused.text
        plain = app_client.post(f"/actions/{aid}/handoff", data=form | {"to_department": "客服部"},
                                headers={"X-CSRF-Token": csrf})  # fmt: skip
        assert plain.status_code == 400 and "one department to another" in plain.text
        assert app_client.post(f"/actions/{aid}/comment", data=comment | {"csrf_token": "wrong"},
                               headers={"X-CSRF-Token": csrf}).status_code == 403  # fmt: skip
        assert app_client.post(f"/actions/{aid}/comment", data=comment).status_code == 403  # no CSRF header
        assert len(show_action(demo, aid).comments) == 1
        english = app_client.get(f"/actions/{aid}", params={"lang": "en"}).text
        assert "Hand off" in english and "Add comment" in english and "发起交接" not in english
        chinese = app_client.get(f"/actions/{aid}", params={"lang": "zh-CN"}).text
        assert "发起交接" in chinese and "发表评论" in chinese
        sign_in(app_client, "viewer")
        read_only = app_client.get(f"/actions/{aid}").text
        assert 'id="handoff-form"' not in read_only and 'id="comment-form"' not in read_only
        assert "页面上的评论" in read_only
        csrf = sign_in(app_client, "manager")
        foreign = _action(demo, other)
        r = app_client.post(f"/actions/{foreign}/comment", data={"text": "x", "csrf_token": csrf},
                            headers={"X-CSRF-Token": csrf})  # fmt: skip
        assert r.status_code == 404 and show_action(demo, foreign).comments == []
    finally:
        app_client.cookies.clear()
