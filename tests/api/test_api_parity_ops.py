"""API parity of `mappings suggest`, `quarantine clear` and `monitor export`: same answers as the CLI and flows."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from api.conftest import TestClient
from valueloop.accounts.service.accounts import Principal, Role, visible_units
from valueloop.cli.main import app as cli
from valueloop.ingest.service import quarantine
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]
V = "/api/v1"
TICKETS = "工单编号,网点,创建时间,满意度,是否升级\nT1,B001,2026-10-01 09:00:00,5,是\nT2,B002,2026-10-02 10:00:00,4,否\n"
ORDERS = "order_id,customer_id,entity_id,ordered_at,amount\n"


def _run(*args: str | Path) -> Any:
    """The CLI's result (exit code checked by the caller)."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def _upload(client: TestClient, path: str, name: str, data: bytes, headers: dict[str, str], field: str) -> Any:
    return client.post(path, files={field: (name, data, "application/octet-stream")}, headers=headers)


def test_mappings_suggest_matches_the_cli(app_client: TestClient, as_role: Headers, tmp_path: Path) -> None:
    file = tmp_path / "tickets.csv"
    file.write_text(TICKETS, encoding="utf-8")
    want = _run("mappings", "suggest", file, "interactions")
    assert want.exit_code == 0, want.output
    h = as_role("analyst")
    got = _upload(app_client, f"{V}/mappings/suggest/interactions", "tickets.csv", TICKETS.encode(), h, "file")
    assert got.status_code == 200, got.text
    assert got.json() == {"dataset": "interactions", "file": "tickets.csv", "yaml": want.stdout}
    assert "interaction_id: 工单编号" in got.json()["yaml"]
    for role in ("viewer", "manager", "auditor"):
        denied = _upload(app_client, f"{V}/mappings/suggest/interactions", "t.csv", b"a\n1\n", as_role(role), "file")
        assert denied.status_code == 403, role


def test_mappings_suggest_refuses_bad_uploads(app_client: TestClient, as_role: Headers) -> None:
    h = as_role("analyst")
    url = f"{V}/mappings/suggest/interactions"

    def error(r: Any, status: int) -> str:
        assert r.status_code == status, r.text
        assert "vl-upload" not in r.text  # the temporary folder is never shown
        message: str = r.json()["error"]["message"]
        return message

    assert "unknown dataset" in error(_upload(app_client, f"{V}/mappings/suggest/nope", "t.csv", b"a\n1\n", h,
                                              "file"), 400)  # fmt: skip
    assert "unsupported file type" in error(_upload(app_client, url, "t.exe", b"MZ", h, "file"), 400)
    assert error(_upload(app_client, url, "big.csv", b"a,b\n" * 100_000, h, "file"), 413)
    header_only = _upload(app_client, url, "head.csv", b"ticket id,branch\n", h, "file")  # the names suffice
    assert header_only.status_code == 200 and "interaction_id: ticket id" in header_only.json()["yaml"]
    assert "empty" in error(_upload(app_client, url, "empty.csv", b"", h, "file"), 400)
    assert "t.parquet" in error(_upload(app_client, url, "t.parquet", b"not parquet", h, "file"), 400)
    assert "file name" in error(_upload(app_client, url, "x" * 300 + ".csv", b"a\n1\n", h, "file"), 400)


def _ingest_bad_orders(client: TestClient, h: dict[str, str], tag: str) -> dict[str, Any]:
    rows = [f"{tag}-1,C00001,B001,2026-10-03T10:00:00+08:00,12.5",  # good
            f"{tag}-2,C00001,B001,2026-10-03T10:00:00+08:00,lots",  # bad amount
            f"{tag}-3,C00001,B001,not a time,-1",  # bad time, maybe a bad amount too
            f"{tag}-4,,B001,2026-10-03T10:00:00+08:00,x"]  # fmt: skip
    r = _upload(client, f"{V}/ingest/orders", f"{tag}.csv", (ORDERS + "\n".join(rows) + "\n").encode(), h, "files")
    assert r.status_code == 201, r.text
    summary: dict[str, Any] = r.json()
    assert summary["quarantined"] == 3 and summary["errors_total"] >= 3
    return summary


def test_quarantine_clear_reconciles_with_the_ingest(app_client: TestClient, as_role: Headers,
                                                     demo: Workspace) -> None:  # fmt: skip
    h = as_role("analyst")
    first, second = _ingest_bad_orders(app_client, h, "QA"), _ingest_bad_orders(app_client, h, "QB")

    def listed(batch: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"dataset": "orders", "limit": 100_000} | ({"batch": batch} if batch else {})
        r = app_client.get(f"{V}/quarantine", params=params, headers=h)
        assert r.status_code == 200
        rows: list[dict[str, Any]] = r.json()
        return rows

    for s in (first, second):  # one record per problem, one row per quarantined source row
        assert len(listed(s["batch_id"])) == s["errors_total"]
        shown = app_client.get(f"{V}/quarantine/batch", params={"batch": s["batch_id"]}, headers=h).json()
        assert len(shown) == s["quarantined"]
    total = len(listed())
    for role in ("manager", "viewer", "auditor"):
        denied = app_client.delete(f"{V}/quarantine", params={"dataset": "orders"}, headers=as_role(role))
        assert denied.status_code == 403, role
    assert len(listed()) == total
    assert app_client.delete(f"{V}/quarantine", params={"dataset": "nope"}, headers=h).status_code == 400
    assert app_client.delete(f"{V}/quarantine", params={"dataset": "orders", "batch": ""}, headers=h).status_code \
        == 422  # an empty batch must not mean "every batch"  # fmt: skip
    assert app_client.delete(f"{V}/quarantine", headers=h).status_code == 422

    done = app_client.delete(f"{V}/quarantine", params={"dataset": "orders", "batch": first["batch_id"]}, headers=h)
    assert done.status_code == 200, done.text
    assert done.json() == {"dataset": "orders", "batch": first["batch_id"], "cleared": first["errors_total"]}
    assert listed(first["batch_id"]) == [] and len(listed()) == total - first["errors_total"]
    assert len(listed(second["batch_id"])) == second["errors_total"]
    # the CLI clears the rest the same way, and counts the same records
    rest = len(quarantine.list_quarantine(demo, "orders", None, 1_000_000))
    by_cli = _run("quarantine", "clear", "orders", "--workspace", demo.root)
    assert by_cli.exit_code == 0 and f"{rest} quarantine records cleared" in by_cli.stderr
    assert listed() == [] and Lake(demo.lake_dir).manifest().quarantine["orders"] == []
    again = app_client.delete(f"{V}/quarantine", params={"dataset": "orders"}, headers=h)
    assert again.json() == {"dataset": "orders", "batch": None, "cleared": 0}


def _seen(demo: Workspace) -> frozenset[str]:
    seen = visible_units(demo, Principal(0, "m", Role.manager, ("R01",), frozenset()))
    assert seen is not None
    return seen


def test_monitor_export_matches_the_cli(app_client: TestClient, as_role: Headers, demo: Workspace,
                                        tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "events.jsonl"
    want = _run("monitor", "export", "--from", "2026-09-01", "--to", "2026-10-01T12:00", "--out", out,
                "--workspace", demo.root)  # fmt: skip
    assert want.exit_code == 0, want.output
    params = {"from": "2026-09-01", "to": "2026-10-01T12:00"}
    got = app_client.get(f"{V}/monitor/export", params=params, headers=as_role("viewer"))
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/x-ndjson")
    assert got.content == out.read_bytes()
    events = [json.loads(line) for line in got.text.splitlines()]
    assert len(events) > 100 and [e["ts"] for e in events] == sorted(e["ts"] for e in events)
    # a scoped manager gets exactly their units' events
    seen = _seen(demo)
    mine = app_client.get(f"{V}/monitor/export", params=params, headers=as_role("manager"))
    assert mine.status_code == 200
    theirs = [json.loads(line) for line in mine.text.splitlines()]
    assert theirs == [e for e in events if e["entity_id"] in seen]
    assert theirs and len(theirs) < len(events)
    # what the export writes, the events intake reads; live intake then refuses September as too old
    taken = app_client.post(f"{V}/events", content=got.content, headers=as_role("analyst")
                            | {"content-type": "application/x-ndjson"})  # fmt: skip
    assert taken.status_code == 200 and taken.json()["accepted"] == 0
    reasons = [r["reason"] for r in taken.json()["rejected"]]
    assert len(reasons) == len(events) and all(r.startswith("late: ") for r in reasons)


def test_monitor_export_range_is_bounded(app_client: TestClient, as_role: Headers) -> None:
    h = as_role("analyst")

    def status(**params: str) -> tuple[int, str]:
        r = app_client.get(f"{V}/monitor/export", params=params, headers=h)
        return r.status_code, r.text

    code, text = status(**{"from": "2025-01-01", "to": "2026-01-01"})
    assert code == 400 and "92 days" in text and "input_error" in text
    assert status(**{"from": "2026-10-01", "to": "2026-10-01"})[0] == 400
    assert status(**{"from": "2026-10-02", "to": "2026-10-01"})[0] == 400
    code, text = status(**{"from": "yesterday", "to": "2026-10-01"})
    assert code == 400 and "'yesterday' is not an ISO date/time" in text
    assert status(**{"from": "0001-01-01", "to": "0001-01-02"})[0] == 400
    assert status(**{"from": "9999-12-30T00:00+14:00", "to": "9999-12-31"})[0] == 400
    assert status(**{"from": "2026-10-01"})[0] == 422
    assert app_client.get(f"{V}/monitor/export", params={"from": "2026-10-01", "to": "2026-10-02"}).status_code == 401
    empty = app_client.get(f"{V}/monitor/export", params={"from": "2031-01-01", "to": "2031-01-02"}, headers=h)
    assert empty.status_code == 200 and empty.content == b""
