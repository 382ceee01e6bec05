"""A manager bound to one region never receives another unit's data, through any endpoint or page."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.conftest import MANAGER_UNIT, TestClient
from valueloop.diagnosis.service.diagnose import list_findings
from valueloop.improvement.service.actions import create_action
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]


@pytest.fixture(scope="module")
def tree(demo: Workspace) -> tuple[set[str], set[str]]:
    """(units under the manager's region, every other unit), computed independently of the app."""
    wh = Warehouse(demo)
    e = wh.execute(wh.table("entities"))
    parent = dict(zip(e["entity_id"], e["parent_id"], strict=True))

    def under(x: str) -> bool:
        while isinstance(x, str):
            if x == MANAGER_UNIT:
                return True
            x = parent.get(x)  # type: ignore[assignment]
        return False

    mine = {x for x in parent if under(x)}
    return mine, set(parent) - mine


@pytest.fixture(scope="module")
def foreign_action(demo: Workspace, tree: tuple[set[str], set[str]]) -> int:
    other = sorted(x for x in tree[1] if x.startswith("B"))[0]
    return create_action(
        demo,
        {"title": "elsewhere", "owner": "x", "department": "y", "links": [{"kind": "entity", "ref": other}]},
        "admin",
    )


def test_scores_and_rankings_are_scoped(
    app_client: TestClient, as_role: Headers, tree: tuple[set[str], set[str]]
) -> None:
    mine, others = tree
    h = as_role("manager")
    run = app_client.get("/api/v1/runs/latest", headers=h).json()
    ids = {r["entity_id"] for r in run["results"]}
    assert ids and ids <= mine
    admin = app_client.get("/api/v1/runs/latest", headers=as_role("admin")).json()
    everyone = {r["entity_id"] for r in admin["results"]}
    assert everyone - ids  # the admin does see more
    outside = sorted(everyone - ids)[0]
    r = app_client.get(f"/api/v1/scores/{outside}", headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found" and "score" not in r.text
    assert app_client.get("/api/v1/scores/NO-SUCH-UNIT", headers=h).status_code == 404  # same answer as hidden
    for page in ("/rankings", "/rankings.csv", "/"):
        body = app_client.get(page, headers=h).text
        assert not [x for x in others if f'/units/{x}"' in body or f"\n{x}," in body or f",{x}," in body], page
    assert app_client.get(f"/units/{outside}", headers=h).status_code == 404


def test_findings_are_scoped(
    app_client: TestClient, as_role: Headers, demo: Workspace, tree: tuple[set[str], set[str]]
) -> None:
    mine, others = tree
    h = as_role("manager")
    got = app_client.get("/api/v1/findings", headers=h).json()
    assert {f["entity_id"] for f in got} <= mine
    hidden = [f for f in list_findings(demo) if f.entity_id in others]
    assert hidden
    assert app_client.get(f"/api/v1/findings/{hidden[0].id}", headers=h).status_code == 404


def test_actions_are_scoped(
    app_client: TestClient, as_role: Headers, foreign_action: int, tree: tuple[set[str], set[str]]
) -> None:
    mine, others = tree
    h = as_role("manager")
    listed = [a["action_id"] for a in app_client.get("/api/v1/actions", headers=h).json()]
    assert foreign_action not in listed
    assert app_client.get(f"/api/v1/actions/{foreign_action}", headers=h).status_code == 404
    move = {"to": "approved", "reason": "not mine"}
    assert app_client.post(f"/api/v1/actions/{foreign_action}/moves", json=move, headers=h).status_code == 404
    assert f"#{foreign_action}</b>" not in app_client.get("/actions", headers=h).text
    other = sorted(x for x in others if x.startswith("B"))[0]
    body = {"title": "t", "owner": "o", "department": "d", "links": [{"kind": "entity", "ref": other}]}
    assert app_client.post("/api/v1/actions", json=body, headers=h).status_code == 404
    assert app_client.post("/api/v1/actions", json={**body, "links": []}, headers=h).status_code == 403
    own = sorted(x for x in mine if x.startswith("B"))[0]
    made = app_client.post("/api/v1/actions", json={**body, "links": [{"kind": "entity", "ref": own}]}, headers=h)
    assert made.status_code == 201
    assert made.json()["action_id"] in [a["action_id"] for a in app_client.get("/api/v1/actions", headers=h).json()]
