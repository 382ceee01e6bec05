"""The datasets a workspace knows (``Workspace.datasets``): canonical + ``datasets/*.yaml`` + own fields.

Table-driven: each case writes a few files into a fresh workspace and names either the fields
a dataset must have (name → kind) or the problems the files must be reported with, each with
its file and line, all at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from valueloop.errors import SpecError
from valueloop.evaluation.service.models import validate_workspace_models
from valueloop.ingest.service.ingest import ingest
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace

CALLS = """name: calls
doc: {en: Calls, zh: 电话}
key: call_id
time_field: start
units: [type]
fields:
  call_id: string
  type: string
  start: timestamp
  wait: duration_s
  priority: {type: integer, min: 0, max: 2}
"""

CASES: list[dict[str, Any]] = [
    {
        "id": "own_dataset",
        "files": {"datasets/calls.yaml": CALLS},
        "fields": {
            "calls": {
                "call_id": "string",
                "type": "string",
                "start": "timestamp",
                "wait": "duration_s",
                "priority": "int",
            }
        },
        "dataset": {"calls": {"key": ("call_id",), "time_field": "start", "units": ("type",), "doc_zh": "电话"}},
    },
    {
        "id": "keyless_dataset_gets_record_hash",
        "files": {"datasets/notes.yaml": "name: notes\nkey: none\nfields: {note: string}\n"},
        "fields": {"notes": {"record_hash": "string", "note": "string"}},
        "dataset": {"notes": {"key": ("record_hash",)}},
    },
    {
        "id": "mapping_extra_widens_a_canonical_dataset",
        "files": {"mappings/log.yaml": "dataset: interactions\nextra: {outcome: string, q_time: duration_s}\n"},
        "fields": {"interactions": {"outcome": "string", "q_time": "duration_s", "opened_at": "timestamp"}},
        "dataset": {"interactions": {"extras": ("outcome", "q_time")}},
    },
    {
        "id": "mapping_extra_widens_an_own_dataset",
        "files": {"datasets/calls.yaml": CALLS, "mappings/calls.yaml": "dataset: calls\nextra: {server: string}\n"},
        "fields": {"calls": {"server": "string", "wait": "duration_s"}},
    },
    {
        "id": "bad_dataset_file_every_problem_with_its_line",
        "files": {"datasets/bad.yaml": "name: Bad-Name\nkey: [nope]\ntime_field: note\nfields:\n  note: text\n"},
        "problems": [
            "bad.yaml:1: name: 'Bad-Name' is not a valid name",
            "bad.yaml:5: fields.note.type: unknown type 'text'",
        ],
    },
    {
        "id": "references_to_undeclared_fields",
        "files": {"datasets/d.yaml": "name: d\nkey: [a, b]\ntime_field: a\nunits: [c]\nfields: {a: string}\n"},
        "problems": [
            "d.yaml:2: key[1]: key field 'b' is not one of the fields",
            "d.yaml:3: time_field: time_field 'a' must be a timestamp field",
            "d.yaml:4: units[0]: unit field 'c' is not one of the fields",
        ],
    },
    {
        "id": "a_canonical_name_is_refused",
        "files": {"datasets/feedback.yaml": "name: feedback\nfields: {a: string}\n"},
        "problems": ["feedback.yaml:1: name: 'feedback' is a canonical dataset; give yours another name"],
    },
    {
        "id": "two_types_for_one_field",
        "files": {
            "mappings/a.yaml": "dataset: interactions\nextra: {outcome: string}\n",
            "mappings/b.yaml": "dataset: interactions\nextra: {outcome: integer}\n",
        },
        "problems": ["b.yaml:2: extra: outcome is integer there but string in interactions"],
    },
    {
        "id": "extra_against_a_field_of_another_type",
        "files": {"mappings/a.yaml": "dataset: feedback\nextra: {csat: string}\n"},
        "problems": ["a.yaml:2: extra: csat is string there but integer in feedback"],
    },
    {
        "id": "extra_with_an_unknown_type",
        "files": {"mappings/a.yaml": "dataset: feedback\nextra: {mood: text, wait: duration_s}\n"},
        "problems": ["a.yaml:2: extra.mood: unknown type 'text'"],
    },
    {
        "id": "extra_for_an_unknown_dataset",
        "files": {"mappings/a.yaml": "dataset: callz\nextra: {mood: string}\n"},
        "problems": ["a.yaml:1: dataset: unknown dataset 'callz'"],
    },
]


def _write(ws: Workspace, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = ws.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_registry(case: dict[str, Any], ws: Workspace) -> None:
    _write(ws, case["files"])
    if "problems" in case:
        with pytest.raises(SpecError) as err:
            ws.datasets  # noqa: B018
        for problem in case["problems"]:
            assert problem in str(err.value)
        return
    datasets = ws.datasets
    for name, fields in case["fields"].items():
        assert {f: datasets[name].by_name[f].kind for f in fields} == fields
    for name, attrs in case.get("dataset", {}).items():
        assert {a: getattr(datasets[name], a) for a in attrs} == attrs


def test_models_validate_knows_own_datasets_and_fields(ws: Workspace) -> None:
    _write(ws, {"datasets/calls.yaml": CALLS, "mappings/calls.yaml": "dataset: calls\nextra: {outcome: string}\n"})
    for f in ws.models_dir.glob("*.yaml"):
        f.unlink()
    model = """id: calls
name: calls
level: branch
period: month
dimensions:
  - id: d
    name: d
    weight: 1
    indicators:
      - {id: n, name: n, dataset: calls, filter: "outcome = HANG", measure: {type: count}, weight: 0.5}
      - {id: w, name: w, dataset: calls, measure: {type: median, field: %s}, weight: 0.5}
"""
    (ws.models_dir / "calls.yaml").write_text(model % "wait", encoding="utf-8")
    assert validate_workspace_models(ws) == []
    (ws.models_dir / "calls.yaml").write_text(model % "type", encoding="utf-8")
    problems = validate_workspace_models(ws)
    assert (
        len(problems) == 1 and "column calls.type is string, expected int or float or bool or duration_s" in problems[0]
    )


def test_datasets_command_lists_own_datasets_and_fields(ws: Workspace) -> None:
    from typer.testing import CliRunner

    from valueloop.cli.main import app

    _write(ws, {"datasets/calls.yaml": CALLS, "mappings/calls.yaml": "dataset: calls\nextra: {outcome: string}\n"})
    listed = CliRunner().invoke(app, ["datasets", "--workspace", str(ws.root), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    calls = next(d for d in json.loads(listed.stdout) if d["dataset"] == "calls")
    assert (calls["own"], calls["key"], calls["units"], calls["own_fields"]) == (True, "call_id", "type", "outcome")
    shown = CliRunner().invoke(app, ["datasets", "calls", "--workspace", str(ws.root), "--format", "json"])
    fields = {f["field"]: (f["type"], f["own_field"]) for f in json.loads(shown.stdout)}
    assert fields["wait"] == ("duration_s", False) and fields["priority"] == ("integer", False)
    assert fields["outcome"] == ("string", True)


def test_the_warehouse_reads_old_files_as_null_and_undeclared_fields_as_typed_nulls(
    ws: Workspace, tmp_path: Path
) -> None:
    old = tmp_path / "a.csv"
    old.write_text("interaction_id,entity_id,opened_at\ni1,B1,2026-03-01 09:00:00\n", encoding="utf-8")
    ingest(ws, "interactions", [old])
    new = tmp_path / "b.csv"
    new.write_text("interaction_id,entity_id,opened_at,wait\ni2,B1,2026-03-01 10:00:00,1:05\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("dataset: interactions\nextra: {wait: duration_s}\n", encoding="utf-8")
    ingest(ws, "interactions", [new], mapping)
    _write(ws, {"mappings/later.yaml": "dataset: interactions\nextra: {outcome: string}\n"})
    wh = Warehouse(ws)
    table = wh.table("interactions")
    assert str(table.schema()["wait"]) == "int64" and str(table.schema()["outcome"]) == "string"
    rows = wh.execute(table.order_by("interaction_id").select("interaction_id", "wait", "outcome"))
    assert rows["wait"].tolist()[1] == 65 and rows["wait"].isna().tolist() == [True, False]
    assert rows["outcome"].isna().all()
