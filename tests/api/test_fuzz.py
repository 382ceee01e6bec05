"""Fuzz the OpenAPI schema with schemathesis: no route answers 5xx, and responses match the schema.

Every operation of ``/openapi.json`` gets generated requests that fit the schema (positive)
and requests that do not (negative), sent as an admin over a throw-away demo workspace, so
the mutating routes (ingest, evaluate, actions, reports) are fuzzed too. Each operation gets
``EXAMPLES`` requests per mode, fewer for the few that compute a whole analysis per call
(``SLOW``), which keeps the test near a minute. Under CI hypothesis is derandomized
(tests/conftest.py's "ci" profile), so a red run reproduces.

schemathesis's own pytest loader (``schemathesis.pytest.from_fixture``) breaks on pytest 9.2
(it reads the removed ``Item._nodeid``), so each operation is driven through
``operation.as_strategy()`` and hypothesis directly, and every failing operation is listed.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.store.workspace import Workspace

pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = 25
SLOW = {
    "POST /api/v1/reports": 3,  # renders a whole period review (HTML/PDF/XLSX)
    "POST /api/v1/evaluate": 8,
    "POST /api/v1/diagnose": 8,
    "GET /api/v1/drivers": 8,
    "GET /api/v1/people/scorecards": 8,
    "GET /api/v1/scores/{entity_id}/explain": 8,
    "GET /api/v1/text/hotspots": 8,
}
TIMEOUT = 120
"""Seconds per request (schemathesis's default of 10 s is below a cold PDF review)."""
FIXED_QUERY = {"GET /api/v1/alerts-stream": {"once": "true"}}
"""An event stream never ends on its own; ``once`` sends the current state and closes."""


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: object, value: object) -> bytes:
    """The events API takes one JSON document per line: a list becomes lines, anything else one line."""
    rows = value if isinstance(value, list) else [value]
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


@pytest.fixture(scope="module")
def fuzz_schema(demo: Workspace) -> schemathesis.BaseSchema:
    app = create_app(ApiSettings(workspace=demo.root, max_upload_bytes=200_000))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _fuzz(operation: schemathesis.APIOperation, mode: GenerationMode, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, query=FIXED_QUERY.get(operation.label)))
    @settings(max_examples=SLOW.get(operation.label, EXAMPLES), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=TIMEOUT)

    try:
        run()
    except Unsatisfiable:  # nothing to get wrong: no parameters, or only free-form strings (negative mode)
        if mode is GenerationMode.POSITIVE:
            raise


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {str(exc)[:1500]}"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(fuzz_schema: schemathesis.BaseSchema, tokens: dict[str, str], mode: GenerationMode) -> None:
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) >= 10
    failures: list[str] = []
    for operation in operations:
        try:
            _fuzz(operation, mode, headers)
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; all failures are listed below
            failures.append(f"{operation.label}: {_describe(exc)}")
    assert not failures, "\n\n".join(failures)
