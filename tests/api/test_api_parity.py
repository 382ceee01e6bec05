"""Every CLI operation has an API route: what the routes do beyond their shape — values, scope, errors, statuses.

That a route and ``--format json`` print one document is the generic check of
tests/api/test_openapi_responses.py (both print the service's result model).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.conftest import TestClient
from valueloop.accounts.service.accounts import Principal, Role, visible_units
from valueloop.cli.main import app as cli
from valueloop.improvement.service import vsm
from valueloop.ingest.service import quarantine
from valueloop.people.service import performance as people_perf
from valueloop.people.service import records as people_records
from valueloop.store.workspace import Workspace

Headers = Callable[[str], dict[str, str]]
V = "/api/v1"


def _cli(*args: str | Path) -> Any:
    result = CliRunner().invoke(cli, [*map(str, args), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _manager_units(demo: Workspace) -> frozenset[str]:
    who = Principal(0, "m", Role.manager, ("R01",), frozenset())
    seen = visible_units(demo, who)
    assert seen is not None
    return seen


AB_ROWS = [{"unit": f"u{i}", "variant": "control" if i % 2 else "treatment", "value": (i * 7 % 11) + (i % 2 == 0) * 2}
           for i in range(80)]  # fmt: skip


def test_verify_routes_refuse_bad_input(app_client: TestClient, as_role: Headers) -> None:
    h = as_role("viewer")
    body = {"rows": AB_ROWS, "metric_type": "mean", "unit_col": "unit", "control": "control"}
    power = {"metric_type": "proportion", "baseline": 0.2, "mde": 0.02}
    bad = app_client.post(f"{V}/verify/ab", json=body | {"value_col": "nope"}, headers=h)
    assert bad.status_code == 400 and "nope" in bad.json()["error"]["message"] and "vl-rows" not in bad.text
    ratio = app_client.post(f"{V}/verify/ab", json=body | {"metric_type": "ratio"}, headers=h)
    assert ratio.status_code == 400 and ratio.json()["error"]["code"] == "input_error"
    assert app_client.post(f"{V}/verify/power", json=power).status_code == 401


def test_mcda_routes_refuse_a_ragged_matrix(app_client: TestClient, as_role: Headers) -> None:
    h = as_role("viewer")
    topsis = {"matrix": [[3, 200, 0.5], [5, 150, 0.7]], "criteria": ["q", "cost", "s"], "cost": ["cost"],
              "weights": [0.5, 0.3, 0.2], "alternatives": ["a1", "a2"]}  # fmt: skip
    assert app_client.post(f"{V}/rank/topsis", json=topsis, headers=h).status_code == 200
    ragged = app_client.post(f"{V}/rank/topsis", json=topsis | {"matrix": [[1, 2, 3], [1]]}, headers=h)
    assert ragged.status_code == 400


def test_monitor_detect_flags_the_spike(app_client: TestClient, as_role: Headers) -> None:
    """The CLI prints the same DetectedPoint documents (tests/api/test_openapi_responses.py)."""
    points = [{"timestamp": f"2026-10-01T{m // 60:02d}:{m % 60:02d}:00", "value": 10.0 + (m % 3) + 40 * (m == 90)}
              for m in range(120)]  # fmt: skip
    got = app_client.post(f"{V}/monitor/detect", json={"points": points}, headers=as_role("manager"))
    assert got.status_code == 200 and not any(p["anomaly"] for p in got.json())
    # 120 rows are inside the default likelihood's learning period: the spike is the EWMA chart's to flag
    got = app_client.post(
        f"{V}/monitor/detect", json={"points": points, "detector": "ewma"}, headers=as_role("manager")
    )
    assert got.status_code == 200 and [p["anomaly"] for p in got.json()].index(True) >= 90
    bad = app_client.post(f"{V}/monitor/detect", json={"points": [{"timestamp": "x", "value": 1}]},
                          headers=as_role("manager"))  # fmt: skip
    assert bad.status_code == 400


def test_text_routes_need_their_permission(app_client: TestClient, as_role: Headers) -> None:
    texts = ["服务态度很好，很满意", "等了一个小时没人理，太差了", "退款一直不到账，客服也不回复", "还可以"]
    h = as_role("viewer")
    got = app_client.post(f"{V}/text/sentiment", json={"texts": texts}, headers=h)
    assert got.status_code == 200 and [r["label"] for r in got.json()][:2] == ["positive", "negative"]
    assert app_client.post(f"{V}/text/sentiment", json={"texts": texts}, headers=as_role("manager")).status_code == 403
    assert app_client.post(f"{V}/text/train", json={}, headers=h).status_code == 403
    assert app_client.post(f"{V}/text/train-taxonomy", json={"texts": ["x"], "categories": ["nope"]},
                           headers=as_role("analyst")).status_code == 400  # fmt: skip


def test_text_train_and_analyze(app_client: TestClient, as_role: Headers) -> None:
    h = as_role("analyst")
    trained = app_client.post(f"{V}/text/train", json={}, headers=h).json()
    assert trained["saved"] is (trained["accuracy"] > trained["default_accuracy"] or False)
    assert (trained["path"] is None) is not trained["saved"] and "/" not in trained["test_set"]
    assert app_client.post(f"{V}/text/analyze", json={}, headers=h).status_code == 200
    assert app_client.get(f"{V}/text/qualitative", headers=as_role("viewer")).status_code == 200


def test_people_routes(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    awards = app_client.get(f"{V}/people/awards", headers=as_role("viewer")).json()
    want = people_perf.benchmark_awards(demo, period=None)
    assert [w["agent_id"] for w in awards["winners"]] == [w.agent_id for w in want.winners]
    seen = _manager_units(demo)
    mine = app_client.get(f"{V}/people/awards", headers=as_role("manager")).json()["winners"]
    assert all(w["agent_id"] in seen for w in mine)
    for path in ("/audits/calibration", "/audits/verify", "/risk/queue", "/people/bot-resolution"):
        assert app_client.get(V + path, headers=as_role("manager")).status_code == 404, path
    assert app_client.get(f"{V}/audits/calibration", headers=as_role("auditor")).status_code == 200
    plan = app_client.post(f"{V}/audits/plan", json={"visits": 50, "year": 2027}, headers=as_role("analyst"))
    assert plan.status_code == 201 and len(plan.json()["visits"]) == 50
    assert app_client.post(f"{V}/audits/plan", json={}, headers=as_role("viewer")).status_code == 403


def test_disputes_are_scoped(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    card = app_client.get(f"{V}/people/scorecards", headers=as_role("viewer")).json()
    seen = _manager_units(demo)
    inside = next(c for c in card["scorecards"] if c["agent_id"] in seen)
    outside = next(c for c in card["scorecards"] if c["agent_id"] not in seen)
    indicator = next(iter(inside["indicators"])) if isinstance(inside.get("indicators"), dict) else None
    if indicator is None:
        pytest.skip("scorecards carry no indicator map")
    body = {"agent": outside["agent_id"], "period": card["period"], "indicator": indicator, "reason": "r"}
    assert app_client.post(f"{V}/people/disputes", json=body, headers=as_role("manager")).status_code == 404
    made = app_client.post(f"{V}/people/disputes", json=body, headers=as_role("analyst"))
    assert made.status_code == 201, made.text
    dispute = made.json()["dispute_id"]
    listed = app_client.get(f"{V}/people/disputes", headers=as_role("viewer")).json()
    assert listed == [d.model_dump(mode="json") for d in people_records.list_disputes(demo)]
    assert app_client.get(f"{V}/people/disputes", headers=as_role("manager")).json() == []
    resolve = {"dispute_id": dispute, "decision": "rejected", "note": "n"}
    assert app_client.post(f"{V}/people/disputes/resolve", json=resolve, headers=as_role("manager")).status_code == 404
    done = app_client.post(f"{V}/people/disputes/resolve", json=resolve, headers=as_role("analyst"))
    assert done.status_code == 200 and done.json()["status"] == "rejected"


def test_allocate_model_diff_and_vsm(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    got = app_client.get(f"{V}/allocate", params={"budget": 1000}, headers=as_role("viewer")).json()
    mine = app_client.get(f"{V}/allocate", params={"budget": 1000}, headers=as_role("manager")).json()
    seen = _manager_units(demo)
    assert mine["rows"] and all(r["entity_id"] in seen for r in mine["rows"])
    assert len(mine["rows"]) < len(got["rows"])
    procs = sorted(vsm.process_files(demo))
    out = app_client.get(f"{V}/vsm", params={"process": procs[0]}, headers=as_role("viewer"))
    assert out.status_code == 200 and out.json()["process"]["id"] == procs[0]
    assert app_client.get(f"{V}/vsm", params={"process": "/etc/passwd.yaml"}, headers=as_role("viewer")).status_code \
        == 400  # fmt: skip
    assert app_client.get(f"{V}/vsm", params={"process": procs[0]}, headers=as_role("manager")).status_code == 404
    models = app_client.get(f"{V}/models", headers=as_role("viewer")).json()
    model = models[0]["id"]
    diff = app_client.get(f"{V}/models/diff", params={"model": model, "from": 1, "to": 1}, headers=as_role("viewer"))
    assert diff.status_code in (200, 400), diff.text
    assert app_client.get(f"{V}/models/diff", params={"model": model, "from": 1, "to": 1},
                          headers=as_role("manager")).status_code == 404  # fmt: skip


def test_ledger_proof_and_anchor(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    proof = app_client.get(f"{V}/ledger/proof", params={"record": "1"}, headers=as_role("auditor"))
    assert proof.status_code == 200
    assert app_client.get(f"{V}/ledger/proof", params={"record": "1"}, headers=as_role("manager")).status_code == 404
    assert app_client.get(f"{V}/ledger/proof", params={"record": "x"}, headers=as_role("auditor")).status_code == 400


def test_documents(app_client: TestClient, as_role: Headers, demo: Workspace) -> None:
    body = {"doc_id": "script-parity", "body": "# v1\nsay hello\n", "title": "t", "kind": "script", "owner": "o"}
    assert app_client.post(f"{V}/documents", json=body, headers=as_role("viewer")).status_code == 403
    assert app_client.post(f"{V}/documents", json=body, headers=as_role("manager")).status_code == 201
    again = app_client.post(f"{V}/documents", json=body, headers=as_role("analyst"))
    assert again.status_code == 400 and "identical" in again.json()["error"]["message"]
    v2 = app_client.post(f"{V}/documents", json=body | {"body": "# v2\nsay hi\n"}, headers=as_role("analyst"))
    assert v2.json()["version"] == 2
    one = app_client.get(f"{V}/documents/version", params={"doc_id": "script-parity", "version": 1},
                         headers=as_role("viewer")).json()  # fmt: skip
    assert one["body"] == "# v1\nsay hello\n" and one["actions"] == []
    diff = app_client.get(f"{V}/documents/diff", params={"doc_id": "script-parity", "old": 1},
                          headers=as_role("viewer"))  # fmt: skip
    assert diff.status_code == 200 and "say hi" in diff.text


def test_quarantine(app_client: TestClient, as_role: Headers, demo: Workspace, tmp_path: Path) -> None:
    rows = app_client.get(f"{V}/quarantine", params={"limit": 20}, headers=as_role("analyst"))
    assert rows.status_code == 200
    listed = [r.model_dump(mode="json") for r in quarantine.list_quarantine(demo, None, None, 20)]
    assert json.dumps(rows.json()) == json.dumps(listed)  # the model's document, key order included
    assert app_client.get(f"{V}/quarantine", headers=as_role("viewer")).status_code == 403
    if not rows.json():
        return
    first = rows.json()[0]
    shown = app_client.get(f"{V}/quarantine/batch", params={"batch": first["batch_id"]}, headers=as_role("analyst"))
    assert shown.status_code == 200 and shown.json()
    out = tmp_path / "q.csv"
    n = quarantine.export_quarantine(demo, first["dataset"], out, None)
    got = app_client.get(f"{V}/quarantine/export", params={"dataset": first["dataset"]}, headers=as_role("analyst"))
    assert got.status_code == 200 and got.content == out.read_bytes() and n >= 1


def test_text_tags_take_a_shipped_taxonomy(
    app_client: TestClient, as_role: Headers, demo: Workspace, tmp_path: Path
) -> None:
    texts = ["隔音太差，早餐难吃", "The room was dirty and the front desk rude"]
    file = tmp_path / "t.jsonl"
    file.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
    h = as_role("viewer")
    got = app_client.post(f"{V}/text/tags", json={"texts": texts, "taxonomy": "hotel"}, headers=h)
    # the same workspace on both sides: another test may have trained its sentiment model by now
    cli_json = _cli("text", "tags", file, "--taxonomy", "hotel", "--workspace", demo.root)
    assert got.status_code == 200 and got.json() == cli_json
    assert {c["category"] for c in got.json()[0]["categories"]} == {"noise", "breakfast"}
    bad = app_client.post(f"{V}/text/tags", json={"texts": texts, "taxonomy": "/etc/passwd"}, headers=h)
    assert bad.status_code == 422  # only shipped names: a server reads no client-named file
    hot = app_client.get(f"{V}/text/hotspots", params={"taxonomy": "hotel", "top": 3}, headers=h)
    assert hot.status_code == 200 and "category" in hot.json()


def test_scores_explain_and_vsm_are_one_document_three_ways(
    app_client: TestClient, as_role: Headers, demo: Workspace
) -> None:
    """The stored result read back as it was written (key order included); explain; a compared value stream map.

    The API, ``--format json`` and the service's model print one document (typed seams, as in
    tests/api/test_openapi_responses.py, which has no evaluated workspace to read).
    """
    from valueloop.diagnosis.service.diagnose import explain
    from valueloop.evaluation.service.scores import entity_scores, run_results

    h, w = as_role("analyst"), ("--workspace", demo.root)

    def same(path: str, cli_args: tuple[str | Path, ...], model: Any, **params: str) -> None:
        api = app_client.get(V + path, params=params, headers=h)
        assert api.status_code == 200, api.text
        want = json.dumps(model.model_dump(mode="json"))
        assert json.dumps(api.json()) == want and json.dumps(_cli(*cli_args, *w)) == want

    shown = entity_scores(demo, "B016", None, None)
    same("/scores/B016", ("scores", "show", "B016"), shown)
    stored = run_results(demo, None).results[0].model_dump(mode="json")
    assert list(stored)[:2] == ["entity_id", "name"] and list(stored)[-2:] == ["n", "enough_data"]
    assert list(shown.model_dump())[-5:] == ["model", "run_id", "period", "level", "indicator_rows"]
    same("/scores/B016/explain", ("diagnose", "explain", "B016"), explain(demo, "B016"))
    model = vsm.value_stream_map(demo, "service-request", "2026-09", "2026-10")
    same("/vsm", ("vsm", "service-request", "--period", "2026-09", "--compare", "2026-10"), model,
         process="service-request", period="2026-09", compare="2026-10")  # fmt: skip
    assert model.model_dump(mode="json")["process"]["steps"][0]["planned_wait_minutes"] == 0  # an int stays an int
