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
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from valueloop.accounts.service.accounts import Role, add_user, create_token
from valueloop.cli.main import app as cli
from valueloop.evaluation.service import mcda
from valueloop.http.api import documents, experiments, health, ledger, reports, verify
from valueloop.http.api import mcda as mcda_routes
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.improvement.service import documents as docs
from valueloop.scoring.options import FuzzyOperator
from valueloop.store import ledger_proof
from valueloop.store.workspace import Workspace, init_workspace
from valueloop.verification.service import verify_rows as vr

V = "/api/v1"
TYPED = (verify, experiments, ledger, health, mcda_routes, documents, reports)
"""The routers whose every JSON answer is a result model."""
ALSO_TYPED = [("POST", "/actions/{action_id}/experiment"), ("POST", "/actions/{action_id}/verify")]
ALSO_TYPED += [("GET", "/text/lifecycle"), ("GET", "/text/hotspots"), ("POST", "/text/tags")]
ALSO_TYPED += [
    ("POST", "/text/keywords"),
    ("POST", "/text/evaluate"),
    ("POST", "/text/analyze"),
    ("GET", "/text/qualitative"),
]
"""Typed routes of routers not typed throughout (``actions`` answers its own documents elsewhere)."""
NOT_JSON = {("GET", "/reports/download")}
"""A file download: its body is the file, not a document."""
NOT_YET = {("POST", "/reports/schedule/run")}
"""Answers the schedule use case's rows (reporting/service/schedule.py), not converted yet."""


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
        if (method, path) in NOT_JSON | NOT_YET:
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


def test_text_tags_and_keywords_are_one_document_three_ways(client: TestClient, ws: Workspace, tmp_path: Path) -> None:
    from valueloop.voice.service import text

    texts = ["The refund has not arrived and the agent was rude", "又是退款到账慢，客服态度很差", "Great thanks"]
    file = tmp_path / "t.csv"
    file.write_text("text\n" + "".join(f"{t}\n" for t in texts), encoding="utf-8")
    model = [r.model_dump(mode="json") for r in text.tag_file(file, "text", ws)]
    cli_out = _cli("text", "tags", file, "--workspace", ws.root)
    _same(client.post(f"{V}/text/tags", json={"texts": texts}).json(), cli_out, model)
    assert set(model[0]) == {"row", "label", "score", "categories", "aspects"}
    assert set(model[1]["categories"][0]) == {"category", "name", "start", "end", "match"}
    found = text.keywords_file(file, "text", None, 5, ws, method="tfidf", per_text=True)
    words = [r.model_dump(mode="json") for r in found]
    body = {"texts": texts, "top": 5, "method": "tfidf", "per_text": True}
    _same(client.post(f"{V}/text/keywords", json=body).json(),
          _cli("text", "keywords", file, "-n", "5", "--method", "tfidf", "--per-text", "--workspace", ws.root),
          words)  # fmt: skip
    assert words and list(words[0]) == ["group", "method", "term", "score", "texts", "evidence"]
