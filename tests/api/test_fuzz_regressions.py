"""Requests the schemathesis fuzz run (test_fuzz.py) once answered with a 500, now refused with a clear 400.

Each was an unhandled exception deep in a use case: an unknown entity level reaching the query
engine (an empty unit map joined as float64), an action id beyond SQL INTEGER (SQLite's
OverflowError), a review period whose neighbour is outside ``datetime`` (year 9999), control
chart limits overflowing to infinity (not JSON), and naive ``created_at`` times of findings
(not the RFC 3339 date-time the schema promises).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from api.conftest import TestClient

Headers = Callable[[str], dict[str, str]]


def _refused(r: object, words: str) -> None:
    assert r.status_code == 400, r.text  # type: ignore[attr-defined]
    error = r.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "input_error" and words in error["message"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/evaluate", {"level": "true", "store": False}),
        ("/api/v1/diagnose", {"level": "#½)"}),
        ("/api/v1/reports", {"period": "2026-10", "level": "\u0000"}),
    ],
)
def test_an_unknown_level_is_refused(
    app_client: TestClient, as_role: Headers, path: str, body: dict[str, object]
) -> None:
    _refused(app_client.post(path, json=body, headers=as_role("admin")), "unknown level")


def test_a_known_level_still_evaluates(app_client: TestClient, as_role: Headers) -> None:
    r = app_client.post("/api/v1/evaluate", json={"level": "region", "store": False}, headers=as_role("admin"))
    assert r.status_code == 201, r.text
    assert r.json()["level"] == "region" and r.json()["results"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/actions/-234720157288268857344", None),
        ("GET", "/api/v1/actions/9223372036854775808", None),
        ("GET", "/api/v1/experiments/58305573098825872240126459904", None),
        ("POST", "/api/v1/actions/47363813735458750464/verify", {"alpha": 0.05}),
        ("POST", "/api/v1/actions/4294967296/moves", {"to": "approved", "reason": "x"}),
    ],
)
def test_an_action_id_beyond_sql_integer_is_no_action(
    app_client: TestClient, as_role: Headers, method: str, path: str, body: dict[str, object] | None
) -> None:
    r = app_client.request(method, path, json=body, headers=as_role("admin"))
    if r.status_code == 422:  # the route bounds its path parameter itself
        assert r.json()["error"]["code"] == "validation_error"
    else:
        _refused(r, "no action")


@pytest.mark.parametrize("period", ["9999", "9999-12", "9999-Q4", "0001", "0001-01"])
def test_a_review_period_without_neighbours_is_refused(app_client: TestClient, as_role: Headers, period: str) -> None:
    _refused(app_client.post("/api/v1/reports", json={"period": period}, headers=as_role("admin")), "year must be")


def test_control_limits_that_overflow_are_refused(app_client: TestClient, as_role: Headers) -> None:
    values = [-1.3e16, -1.7976931348623155e308, 8.812159532308419e242, 0.266, 3.4e16]
    r = app_client.post("/api/v1/spc", json={"chart": "xmr", "values": values}, headers=as_role("analyst"))
    _refused(r, "overflow")
    tiny = app_client.post("/api/v1/spc", json={"chart": "u", "values": [1, 2], "sizes": [1e-320, 1]},
                           headers=as_role("analyst"))  # fmt: skip
    _refused(tiny, "overflow")
    fine = app_client.post("/api/v1/spc", json={"chart": "xmr", "values": [1.0, 2.0, 3.0, 2.5]},
                           headers=as_role("analyst"))  # fmt: skip
    assert fine.status_code == 200 and fine.json()["chart"] == "xmr"


def test_findings_carry_aware_creation_times(app_client: TestClient, as_role: Headers) -> None:
    found = app_client.get("/api/v1/findings", headers=as_role("analyst")).json()
    assert found
    for f in found[:20]:
        assert datetime.fromisoformat(f["created_at"]).utcoffset() is not None
    one = app_client.get(f"/api/v1/findings/{found[0]['id']}", headers=as_role("analyst")).json()
    assert datetime.fromisoformat(one["created_at"]).utcoffset() is not None


def test_hotspots_are_kept_but_never_shared(app_client: TestClient, as_role: Headers) -> None:
    """Hot spots are memoised per data snapshot (seconds at 1M interactions); callers get their own copy
    (a frozen model built from the memo, so a caller's list cannot reach it)."""
    from valueloop.voice.service import text

    first = app_client.get("/api/v1/text/hotspots", params={"top": 5}, headers=as_role("analyst")).json()
    ws = app_client.app.state.workspace  # type: ignore[attr-defined]
    mine = text.hotspots(ws, "month", 5)
    mine.category.table.clear()
    again = app_client.get("/api/v1/text/hotspots", params={"top": 5}, headers=as_role("analyst")).json()
    assert again == first and again["category"]["table"]


def test_a_lone_surrogate_in_a_body_is_a_422_not_a_500(app_client: TestClient, as_role: Headers) -> None:
    """The validation error echoes the input back; a lone surrogate cannot be UTF-8, so it is escaped."""
    raw = b'{"version": "\\ud800"}'
    headers = {**as_role("admin"), "Content-Type": "application/json"}
    r = app_client.post("/api/v1/evaluate", content=raw, headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
