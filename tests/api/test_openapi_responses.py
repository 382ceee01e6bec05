"""Typed seams: a route answers its service's result model, documented in OpenAPI, and the CLI prints the same.

Two generic checks instead of one parity test per route:

* every JSON route of the routers below declares a response schema that names its fields
  (a model, a list of models or a union of them), never an empty or free-form object;
* for representative calls, the API's JSON, the CLI's ``--format json`` and the service
  model's ``model_dump(mode="json")`` are one document — keys, order, types and nulls —
  including the keys a model leaves out when they do not apply (MISSING).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from valueloop.accounts.service.accounts import Role, add_user, create_token
from valueloop.cli.main import app as cli
from valueloop.diagnosis.service.spc import control_chart
from valueloop.evaluation.service import mcda
from valueloop.evaluation.service.models import check_model_text
from valueloop.http.api import (
    actions,
    alerts,
    documents,
    events,
    experiments,
    findings,
    goals,
    health,
    ledger,
    models,
    monitor,
    people,
    quarantine,
    reports,
    runs,
    verify,
    vsm,
)
from valueloop.http.api import mcda as mcda_routes
from valueloop.http.api import text as text_routes
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.improvement.service import actions_view, roi
from valueloop.improvement.service import documents as docs
from valueloop.improvement.service.actions import accept_handoff, comment, create_action, send_handoff
from valueloop.monitoring.service import alerts as alert_records
from valueloop.monitoring.service.detect import detect
from valueloop.people.checklist import builtin_checklists
from valueloop.people.results import BotResolution
from valueloop.people.service import audits as people_audits
from valueloop.people.service import records as people_records
from valueloop.qa.rubric_loader import starter_rubrics
from valueloop.qa.service.catalog import catalog, validate_text
from valueloop.scoring.options import FuzzyOperator
from valueloop.store import ledger_proof
from valueloop.store.workspace import Workspace, init_workspace
from valueloop.verification.service import verify_rows as vr

V = "/api/v1"
TYPED = (verify, experiments, ledger, health, mcda_routes, documents, reports, actions, findings, goals, models,
         quarantine, alerts, monitor, events, people, runs, vsm, text_routes)  # fmt: skip
"""The routers whose every JSON answer is a result model."""
ALSO_TYPED = [("GET", "/qa/rubrics"), ("POST", "/qa/rubrics/validate")]
"""Typed routes of routers not typed throughout."""
NOT_JSON = {("GET", "/reports/download"), ("GET", "/quarantine/export"), ("GET", "/monitor/export"),
            ("GET", "/alerts-stream"), ("DELETE", "/silences/{silence_id}")}  # fmt: skip
"""File downloads and a live stream (their body is not a document), and an answer with no body (204)."""


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = init_workspace(tmp_path_factory.mktemp("typed") / "ws")
    add_user(ws, "analyst", "correct horse battery", Role.analyst, [])
    return ws


@pytest.fixture(scope="module")
def client(ws: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(ApiSettings(workspace=ws.root)), base_url="https://testserver") as c:
        c.headers["Authorization"] = f"Bearer {create_token(ws, 'analyst', 'tests', [])[1]}"
        yield c


def _routes(module: ModuleType) -> list[tuple[str, str]]:
    return [(m, r.path) for r in module.router.routes if isinstance(r, APIRoute) for m in sorted(r.methods)]


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def _names_fields(schema: dict[str, Any], spec: dict[str, Any]) -> bool:
    """A schema that says what is in the answer: an object with properties, or a list or union of those."""
    schema = _resolve(schema, spec)
    if "anyOf" in schema or "oneOf" in schema:
        return all(_names_fields(s, spec) for s in schema.get("anyOf", schema.get("oneOf")))
    if schema.get("type") == "array":
        return _names_fields(schema.get("items", {}), spec)
    return schema.get("type") == "object" and bool(schema.get("properties"))


def test_every_typed_route_documents_its_response(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    checked = []
    for method, path in [route for module in TYPED for route in _routes(module)] + ALSO_TYPED:
        if (method, path) in NOT_JSON:
            continue
        op = spec["paths"][V + path][method.lower()]
        ok = next(code for code in op["responses"] if code.startswith("2"))
        schema = op["responses"][ok]["content"]["application/json"]["schema"]
        assert _names_fields(schema, spec), f"{method} {path}: response schema {schema} names no fields"
        checked.append(path)
    assert len(checked) >= 20


def test_a_key_that_only_sometimes_applies_is_documented_but_not_required(client: TestClient) -> None:
    """``score`` (with grade scores) and the Holm keys appear in the schema; absent, they are left out, not null."""
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    fuzzy = schemas["FuzzyGrade"]
    assert "score" in fuzzy["properties"] and "score" not in fuzzy["required"]
    assert {"grades", "membership", "grade", "variant"} <= set(fuzzy["required"])
    assert "p_value_adjustment" in schemas["AbDoc"]["properties"]


def _cli(*args: str | Path) -> Any:
    result = CliRunner().invoke(cli, [*map(str, args), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _same(api: Any, cli_out: Any, model: Any) -> None:
    """One document three ways, key order included (dict equality ignores order; the dumps do not)."""
    want = json.dumps(model, sort_keys=False)
    assert json.dumps(api) == want
    assert json.dumps(cli_out) == want


AB = [{"unit": f"u{i}", "variant": ("control", "t1", "t2")[i % 3], "value": (i * 7 % 11) + (i % 3 == 1) * 3}
      for i in range(90)]  # fmt: skip


def test_verify_is_one_document_three_ways(client: TestClient, tmp_path: Path) -> None:
    file = tmp_path / "ab.csv"
    file.write_text("unit,variant,value\n" + "".join(f"{r['unit']},{r['variant']},{r['value']}\n" for r in AB))
    body = {"rows": AB, "metric_type": "mean", "unit_col": "unit", "control": "control", "bootstrap": 50}
    api = client.post(f"{V}/verify/ab", json=body)
    assert api.status_code == 200, api.text
    cli_out = _cli("verify", "ab", file, "--metric-type", "mean", "--unit-col", "unit", "--control", "control",
                   "--bootstrap", "50")  # fmt: skip
    model = [d.model_dump(mode="json") for d in vr.ab(AB, metric_type="mean", unit_col="unit", control="control",
                                                          bootstrap=50)]  # fmt: skip
    _same(api.json(), cli_out, model)
    assert {"p_value_adjustment", "bootstrap_ci"} <= set(model[0]) and "cuped" not in model[0]
    power = {"metric_type": "mean", "sd": 2.0, "n": 400}
    _same(client.post(f"{V}/verify/power", json=power).json(),
          _cli("verify", "power", "--metric-type", "mean", "--sd", "2", "--n", "400"),
          vr.power("mean", sd=2.0, n=400).model_dump(mode="json"))  # fmt: skip


def test_mcda_is_one_document_three_ways(client: TestClient, tmp_path: Path) -> None:
    fuzzy = tmp_path / "f.csv"
    fuzzy.write_text("factor,good,fair,poor\nf1,0.6,0.3,0.1\nf2,0.2,0.5,0.3\n", encoding="utf-8")
    membership = [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3]]
    for extra, args in (({}, ()), ({"grade_scores": [90, 75, 60]}, ("--grade-scores", "90,75,60"))):
        body = {"membership": membership, "weights": [0.7, 0.3], "factors": ["f1", "f2"],
                "grades": ["good", "fair", "poor"]} | extra  # fmt: skip
        model = mcda.rank_fuzzy(membership, [0.7, 0.3], ["f1", "f2"], ["good", "fair", "poor"],
                                FuzzyOperator.product_sum, extra.get("grade_scores"), False)  # fmt: skip
        _same(client.post(f"{V}/rank/fuzzy", json=body).json(), _cli("rank", "fuzzy", fuzzy, "--weights", "0.7,0.3",
              *args), model.model_dump(mode="json"))  # fmt: skip
        assert ("score" in model.model_dump()) == bool(extra)
    ahp = tmp_path / "ahp.csv"
    ahp.write_text("a,b,c\n1,3,5\n1/3,1,2\n1/5,1/2,1\n", encoding="utf-8")
    matrix = [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]
    _same(client.post(f"{V}/weights/ahp", json={"matrix": matrix, "criteria": ["a", "b", "c"]}).json(),
          _cli("weights", "ahp", ahp), mcda.ahp_weights([matrix], ["a", "b", "c"]).model_dump(mode="json"))  # fmt: skip


def test_ledger_and_documents_are_one_document_three_ways(client: TestClient, ws: Workspace) -> None:
    body = {"doc_id": "script-typed", "body": "# v1\nsay hello\n", "title": "t", "kind": "script", "owner": "o"}
    added = client.post(f"{V}/documents", json=body)
    assert added.status_code == 201, added.text
    assert added.json()["created_at"].endswith("+00:00")  # isoformat, as the dict it replaces was written
    params = {"doc_id": "script-typed", "version": 1}
    shown = client.get(f"{V}/documents/version", params=params).json()
    assert shown["created_at"] == added.json()["created_at"]  # the stored instant keeps its zone (was naive)
    _same(client.get(f"{V}/documents/version", params=params).json(),
          _cli("docs", "show", "script-typed", "--version", "1", "--workspace", ws.root),
          docs.get_document(ws, "script-typed", 1).model_dump(mode="json"))  # fmt: skip
    _same(client.get(f"{V}/documents").json(), _cli("docs", "list", "--workspace", ws.root),
          [d.model_dump(mode="json") for d in docs.list_documents(ws)])  # fmt: skip
    _same(client.get(f"{V}/ledger/anchor").json(), _cli("ledger", "anchor", "--workspace", ws.root),
          ledger_proof.anchor(ws).model_dump(mode="json"))  # fmt: skip


def test_the_rubric_catalogue_is_one_document_three_ways(client: TestClient, ws: Workspace) -> None:
    """``/qa/rubrics`` answers the catalogue's models; a broken rubric carries ``error`` and no item count."""
    (ws.root / "qa").mkdir(exist_ok=True)
    (ws.root / "qa" / "broken.yaml").write_text("id: broken\nname: B\nsections: []\n", encoding="utf-8")
    api = client.get(f"{V}/qa/rubrics").json()
    want = [e.model_dump(mode="json") for e in catalog(ws.root)]
    assert json.dumps(api) == json.dumps(want)
    broken = next(e for e in api if e["name"] == "broken")
    assert set(broken) == {"name", "error"} and broken["error"].startswith("1 problem(s) in qa/broken.yaml")
    assert str(ws.root) not in json.dumps(api)
    bank = next(e for e in api if e["name"] == "bank_call")
    assert list(bank) == ["name", "id", "name_zh", "name_en", "items"] and "path" not in bank
    text = (ws.root / "qa" / "broken.yaml").read_text(encoding="utf-8").replace("sections: []", "")
    good = starter_rubrics()["bank_call"].read_text(encoding="utf-8")
    checked = client.post(f"{V}/qa/rubrics/validate", json={"text": good}).json()
    assert json.dumps(checked) == json.dumps(validate_text(good).model_dump(mode="json"))
    assert client.post(f"{V}/qa/rubrics/validate", json={"text": text}).status_code == 422
    (ws.root / "qa" / "broken.yaml").unlink()


def test_actions_are_one_document_three_ways(client: TestClient, ws: Workspace) -> None:
    """A list row, the action in full (hand-offs written ``from``/``to``), escalations and an empty quarter's ROI."""
    fields = {"title": "typed", "owner": "o", "department": "客服部", "due_date": "2020-01-01", "cost": 10.0,
              "target_indicator": "csat", "target_direction": "increase", "target_value": 4,
              "links": [{"kind": "entity", "ref": "B1"}]}  # fmt: skip
    aid = create_action(ws, fields, "analyst")
    accept_handoff(ws, send_handoff(ws, aid, "客服部", "技术部", "规则", "analyst"), "analyst")
    comment(ws, aid, "analyst", "看一下")
    w = ("--workspace", ws.root)
    shown = actions_view.show_action(ws, aid).model_dump(mode="json")
    assert shown["handoffs"][0]["from"] == "客服部" and shown["expected_effect"]["target"] == 4.0
    _same(client.get(f"{V}/actions/{aid}").json(), _cli("actions", "show", aid, *w), shown)
    _same(client.get(f"{V}/actions").json(), _cli("actions", "list", *w),
          [a.model_dump(mode="json") for a in actions_view.list_actions(ws)])  # fmt: skip
    _same(
        client.get(f"{V}/actions/roi", params={"period": "2020-Q1"}).json(),
        _cli("actions", "roi", "--period", "2020-Q1", *w),
        roi.period_roi(ws, "2020-Q1").model_dump(mode="json"),
    )
    late = [{k: v for k, v in d.items() if k != "as_of"} for d in  # as_of is each call's own clock
            (client.get(f"{V}/actions/overdue").json(), _cli("actions", "overdue", *w),
             actions_view.escalations(ws).model_dump(mode="json"))]  # fmt: skip
    _same(*late)
    assert late[0]["overdue_actions"][0]["action_id"] == aid and late[0]["boundaries"][0]["to"] == "技术部"


def test_spc_is_one_document_three_ways(client: TestClient, tmp_path: Path) -> None:
    """An XmR chart carries its ``moving_range`` chart; a p-chart has no dispersion key at all."""
    values = [1.0, 2.0, 3.0, 4.0, 10.0, 3.0, 2.0, 5.0, 4.0, 3.0, 2.0, 3.0]
    file = tmp_path / "x.csv"
    file.write_text("value\n" + "".join(f"{v}\n" for v in values), encoding="utf-8")
    model = control_chart("xmr", values, baseline=8, phase1=True).model_dump(mode="json")
    api = client.post(f"{V}/spc", json={"chart": "xmr", "values": values, "baseline": 8, "revise": True}).json()
    _same(api, _cli("spc", "xmr", file, "--baseline", "8", "--revise"), model)
    assert "moving_range" in model and "range" not in model
    p = client.post(f"{V}/spc", json={"chart": "p", "values": [3, 4, 2, 9], "sizes": [100, 100, 90, 100]}).json()
    assert json.dumps(p) == json.dumps(control_chart("p", [3, 4, 2, 9], [100, 100, 90, 100]).model_dump(mode="json"))
    assert "moving_range" not in p and "range" not in p


def test_models_and_goals_answer_their_models(client: TestClient, ws: Workspace) -> None:
    """``models validate`` (valid and not) and ``goals check`` print the service's model (the CLI prints no JSON)."""
    text = (Path(__file__).parents[2] / "src" / "valueloop" / "templates" / "three-dimension.yaml").read_text("utf-8")
    (ws.models_dir / "three-dimension.yaml").write_text(text, encoding="utf-8")
    listed = client.get(f"{V}/models").json()
    for body in ({"text": text}, {"text": "id: [", "filename": "bad.yaml"}):
        got = client.post(f"{V}/models/validate", json=body).json()
        assert json.dumps(got) == json.dumps(check_model_text(body["text"], body.get("filename", "model.yaml"))
                                             .model_dump(mode="json"))  # fmt: skip
    assert list(got) == ["file", "valid", "problems", "model"] and got["model"] is None and not got["valid"]
    assert list(listed[0]) == ["id", "version", "name", "level", "period", "effective_from", "file", "indicators"]
    check = client.get(f"{V}/goals/check").json()
    assert check == {"file": "goals.yaml", "exists": False, "model": listed[0]["id"], "valid": True, "goals": 0,
                     "problems": []}  # fmt: skip


def test_monitor_answers_are_one_document_three_ways(client: TestClient, ws: Workspace, tmp_path: Path) -> None:
    """``monitor detect`` (explain keys left out unless asked), ``alerts list``, an intake and the status."""
    points = [{"timestamp": f"2026-10-01T{m // 60:02d}:{m % 60:02d}:00", "value": 10.0 + (m % 3) + 40 * (m == 90)}
              for m in range(120)]  # fmt: skip
    file = tmp_path / "s.csv"
    file.write_text("timestamp,value\n" + "".join(f"{p['timestamp']},{p['value']}\n" for p in points), "utf-8")
    model = [p.model_dump(mode="json") for p in detect("ewma", [p["timestamp"] for p in points],
                                                       [p["value"] for p in points])]  # fmt: skip
    _same(client.post(f"{V}/monitor/detect", json={"points": points, "detector": "ewma"}).json(),
          _cli("monitor", "detect", file, "-d", "ewma"), model)  # fmt: skip
    assert set(model[0]) == {"timestamp", "value", "score", "anomaly"}
    _same(client.get(f"{V}/alerts").json(), _cli("alerts", "list", "--workspace", ws.root),
          alert_records.alert_list(ws).model_dump(mode="json"))  # fmt: skip
    taken = client.post(
        f"{V}/events", content=b'{"type": "nonsense"}\n', headers={"Content-Type": "application/x-ndjson"}
    )
    assert list(taken.json()) == ["accepted", "rejected", "late", "minutes_closed", "alerts"], taken.text
    assert list(taken.json()["rejected"][0]) == ["line", "reason"]
    state = client.get(f"{V}/monitor/status").json()
    assert list(state) == ["counters", "open_minute", "active"] and state["counters"]["events_rejected"] >= 1


def test_text_tags_and_keywords_are_one_document_three_ways(client: TestClient, ws: Workspace, tmp_path: Path) -> None:
    from valueloop.voice.service import text

    texts = ["The refund has not arrived and the agent was rude", "又是退款到账慢，客服态度很差", "Great thanks"]
    file = tmp_path / "t.csv"
    file.write_text("text\n" + "".join(f"{t}\n" for t in texts), encoding="utf-8")
    model = [r.model_dump(mode="json") for r in text.tag_file(file, "text", ws)]
    cli_out = _cli("text", "tags", file, "--workspace", ws.root)
    _same(client.post(f"{V}/text/tags", json={"texts": texts}).json(), cli_out, model)
    assert set(model[0]) == {"row", "label", "score", "categories", "aspects"}
    assert set(model[1]["categories"][0]) == {"category", "name", "start", "end", "match", "polarity", "polarity_score",
                                               "clause_start", "clause_end"}  # fmt: skip
    found = text.keywords_file(file, "text", None, 5, ws, method="tfidf", per_text=True)
    words = [r.model_dump(mode="json") for r in found]
    body = {"texts": texts, "top": 5, "method": "tfidf", "per_text": True}
    _same(client.post(f"{V}/text/keywords", json=body).json(),
          _cli("text", "keywords", file, "-n", "5", "--method", "tfidf", "--per-text", "--workspace", ws.root),
          words)  # fmt: skip
    assert words and list(words[0]) == ["group", "method", "term", "score", "texts", "evidence"]


def test_people_answers_are_one_document_three_ways(client: TestClient, ws: Workspace) -> None:
    """A checklist (the spec model), a case as added, listed and shown, and bot resolution of no questions."""
    file = builtin_checklists()["branch-visit"]
    text = file.read_text(encoding="utf-8")
    _same(client.post(f"{V}/audits/checklist", json={"text": text}).json(), _cli("audits", "checklist", file),
          people_audits.checklist_from_text(text).model_dump(mode="json"))  # fmt: skip
    body = {"agent": "A-typed", "period": "2026-10", "title": "Calm", "text": "# Calm\n"}
    added = client.post(f"{V}/people/cases", json=body)
    assert added.status_code == 201, added.text
    case_id = added.json()["case_id"]
    assert list(added.json())[-2:] == ["added_at", "source"] and added.json()["source"] is None
    w = ("--workspace", ws.root)
    _same(client.get(f"{V}/people/cases/text", params={"case_id": case_id}).json(),
          _cli("people", "case", "show", case_id, *w),
          people_records.show_case(ws, case_id).model_dump(mode="json"))  # fmt: skip
    _same(client.get(f"{V}/people/cases").json(), _cli("people", "case", "list", *w),
          [c.model_dump(mode="json") for c in people_records.list_cases(ws)])  # fmt: skip
    _same(client.get(f"{V}/people/bot-resolution").json(), _cli("people", "bot-resolution", *w),
          [r.model_dump(mode="json") for r in people_audits.bot_resolution_rate(ws)])  # fmt: skip
    assert client.get(f"{V}/people/bot-resolution").json()[0]["rate"] is None  # no routine question: no rate


def test_bot_resolution_puts_the_group_columns_first(client: TestClient) -> None:
    """``--by`` names a column, so its key is not a field: it comes first, and the fields stay documented."""
    row = {"entity_id": "B1", "routine": 2, "resolved": 1, "returned_to_human": 1, "rate": 0.5, "target": 0.85,
           "meets_target": False}  # fmt: skip
    assert json.dumps(BotResolution.model_validate(row).model_dump(mode="json")) == json.dumps(row)
    schema = client.get("/openapi.json").json()["components"]["schemas"]["BotResolution"]
    assert list(schema["properties"]) == list(row)[1:] and schema["additionalProperties"] is True


def test_sentiment_and_schedule_runs_are_one_document_three_ways(
    client: TestClient, ws: Workspace, tmp_path: Path
) -> None:
    """``text sentiment`` (``reason`` left out where there is none) and a schedule that is not due (no period)."""
    from valueloop.reporting.service.schedule import run_schedules
    from valueloop.voice.service import text

    texts = ["服务态度很好，很满意", "退款一直不到账，客服也不回复", "?!"]
    file = tmp_path / "t.csv"
    file.write_text("text\n" + "".join(f"{t}\n" for t in texts), encoding="utf-8")
    model = [r.model_dump(mode="json") for r in text.sentiment_file(file, "text", ws)]
    _same(client.post(f"{V}/text/sentiment", json={"texts": texts}).json(),
          _cli("text", "sentiment", file, "--workspace", ws.root), model)  # fmt: skip
    assert list(model[0]) == ["row", "label", "score"]
    (ws.root / "schedule.yaml").write_text("- {name: later, cron: '0 8 1 1 *', webhook: 'https://x.invalid/'}\n")
    try:
        at = "2026-10-01T08:30:00+00:00"
        model = [r.model_dump(mode="json") for r in run_schedules(ws, datetime.fromisoformat(at))]
        _same(client.post(f"{V}/reports/schedule/run", json={"now": at}).json(),
              _cli("schedule", "run", "--now", at, "--workspace", ws.root), model)  # fmt: skip
    finally:
        (ws.root / "schedule.yaml").unlink()
    assert model == [{"schedule": "later", "status": "not due", "last_run": None}]
