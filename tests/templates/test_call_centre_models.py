"""The call-centre template's models on a hand-made call log (August 1999, ten calls).

Until the workspace dataset registry ships a ``calls`` dataset, the test registers one with
the template's fields (the registry's canonical lookup reads it), so the models run through
the real ingest and engine. Every expected number is worked out beside the data.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from valueloop.evaluation.service.evaluate import evaluate
from valueloop.ingest.service.ingest import ingest
from valueloop.spec.datasets import DATASETS, Dataset, Field
from valueloop.spec.model_loader import load_model
from valueloop.store.workspace import Workspace

MODELS = Path(str(resources.files("valueloop.templates"))) / "call-centre" / "models"
_S, _T, _I = "string", "timestamp", "int"
CALLS = Dataset(
    "calls",
    (
        Field("call_id", _S, required=True), Field("vru_line", _S), Field("customer_id", _S), Field("priority", _I),
        Field("type", _S), Field("outcome", _S), Field("server", _S), Field("vru_entry", _T, required=True),
        Field("vru_exit", _T), Field("q_start", _T), Field("q_exit", _T), Field("ser_start", _T),
        Field("ser_exit", _T), Field("vru_time", _I), Field("q_time", _I), Field("ser_time", _I),
    ),
    key=("call_id",),
    time_field="vru_entry",
)  # fmt: skip


def _call(
    cid: str, kind: str, outcome: str, q_time: int | None, ser_time: int, server: str | None, day: int = 2
) -> dict[str, object]:
    """One call; ``q_time`` None = never queued (the log's 0:00:00 queue start)."""
    entry = f"1999-08-{day:02d} 10:00:00"
    return {"call_id": cid, "type": kind, "outcome": outcome, "server": server, "vru_entry": entry,
            "q_start": None if q_time is None else f"1999-08-{day:02d} 10:00:05", "q_time": q_time or 0,
            "ser_time": ser_time}  # fmt: skip


LOG = [
    # PS: queued c1 c2 c3 c5, c3 hung up → abandonment 1/4; answered queued waits 30 90 60 → median 60,
    # within 60 s: c1 c5 → 2/3; their service times 100 200 300 → median 200. c4 answered without queue.
    _call("c1", "PS", "AGENT", 30, 100, "ANNA"),
    _call("c2", "PS", "AGENT", 90, 200, "BOB"),
    _call("c3", "PS", "HANG", 40, 0, None),
    _call("c4", "PS", "AGENT", None, 50, "ANNA"),
    _call("c5", "PS", "AGENT", 60, 300, "ANNA"),
    # IN: queued c6 c7 c8; only c7 is HANG (PHANTOM is not) → 1/3; answered c6 waited 10 s, served 400 s.
    _call("c6", "IN", "AGENT", 10, 400, "BOB"),
    _call("c7", "IN", "HANG", 120, 0, None),
    _call("c8", "IN", "PHANTOM", 5, 0, None),
    _call("c9", "IN", "HANG", None, 0, None),
    _call("c10", "IN", "AGENT", 10, 999, "BOB", day=31) | {"vru_entry": "1999-09-02 10:00:00"},  # September
]


@pytest.fixture
def calls_ws(ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    if "calls" not in DATASETS:
        monkeypatch.setitem(DATASETS, "calls", CALLS)
    for f in ws.models_dir.glob("*.yaml"):
        f.unlink()
    for f in MODELS.glob("*.yaml"):
        (ws.models_dir / f.name).write_bytes(f.read_bytes())
    src = tmp_path / "calls.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in LOG), encoding="utf-8")
    assert ingest(ws, "calls", [src]).quarantined == 0
    return ws


@pytest.mark.parametrize("name", ["call-types", "agents"])
def test_models_are_valid(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if "calls" not in DATASETS:
        monkeypatch.setitem(DATASETS, "calls", CALLS)
    assert load_model(MODELS / f"{name}.yaml").id == name


def test_call_types_per_type_kpis(calls_ws: Workspace) -> None:
    run = evaluate(calls_ws, "call-types", "1999-08", store=False)
    assert run.level == "field:type"
    got = {r.entity_id: {k: v["value"] for k, v in r.indicators.items()} for r in run.results}
    assert got["PS"] == pytest.approx({"calls": 5, "queued": 4, "abandonment_rate": 0.25,
                                       "median_wait_answered_s": 60, "service_level_60s": 2 / 3,
                                       "median_service_s": 200})  # fmt: skip
    assert got["IN"] == pytest.approx({"calls": 4, "queued": 3, "abandonment_rate": 1 / 3,
                                       "median_wait_answered_s": 10, "service_level_60s": 1.0,
                                       "median_service_s": 400})  # fmt: skip
    ps = next(r for r in run.results if r.entity_id == "PS").indicators
    assert ps["median_wait_answered_s"]["shown"] == "1 min"


def test_agents_are_mix_adjusted_by_call_type(calls_ws: Workspace) -> None:
    """Answered calls: ANNA PS 100 50 300 (median 100); BOB PS 200, IN 400 (median 300).
    All agents' medians: PS (50 100 200 300) 150, IN 400. Expected ANNA 150, BOB (150 + 400) / 2
    = 275; reference (4·150 + 400) / 5 = 200; scored ANNA 100 − 150 + 200 = 150, BOB 300 − 275 + 200 = 225.
    ANNA answered 3 and BOB 2, below min_n 20: the counts are scored as they are, not shrunk."""
    run = evaluate(calls_ws, "agents", "1999-08", store=False)
    by = {r.entity_id: r.indicators for r in run.results}
    assert set(by) == {"ANNA", "BOB"}
    med = {a: (by[a]["median_service_s"]["value"], by[a]["median_service_s"]["benchmark"],
               by[a]["median_service_s"]["adjusted_value"]) for a in by}  # fmt: skip
    assert med == {"ANNA": (100.0, 150.0, 150.0), "BOB": (300.0, 275.0, 225.0)}
    assert [by[a]["answered"]["flag"] for a in ("ANNA", "BOB")] == ["ok", "ok"]
    assert (by["ANNA"]["answered"]["score"], by["BOB"]["answered"]["score"]) == (5.0, 1.0)
