"""Own datasets, own fields and time as real logs have it: ``tests/cases/ingest/*.yaml`` through the real ingest.

Each case declares the workspace's own datasets (``datasets:``), a mapping, and steps of files
to ingest with the counts each must give (``read == stored + duplicates + quarantined``
always); then the rows the lake holds, compared field by field with values worked out by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import yaml

from valueloop.ingest.service.ingest import IngestSummary, ingest
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

CASE_FILES = sorted(Path(__file__).parents[1].joinpath("cases", "ingest").glob("*.yaml"))
CASES = [c for f in CASE_FILES for c in yaml.safe_load(f.read_text(encoding="utf-8"))["cases"]]


def _step(ws: Workspace, tmp: Path, case: dict[str, Any], number: int, step: dict[str, Any]) -> IngestSummary:
    folder = tmp / f"step{number}"
    folder.mkdir()
    files = []
    for name, text in step["files"].items():
        files.append(folder / name)
        files[-1].write_text(text, encoding="utf-8")
    mapping_text = step.get("mapping", case.get("mapping"))
    mapping = None
    if mapping_text:
        mapping = folder / "mapping.yaml"
        mapping.write_text(mapping_text, encoding="utf-8")
    return ingest(ws, step["dataset"], files, mapping, names=list(step["files"]))


def _shown(value: object) -> object:
    """A stored value as the case writes it: timestamps as UTC "YYYY-MM-DD HH:MM:SS"."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "strftime") else value


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any], ws: Workspace, tmp_path: Path) -> None:
    for name, text in case.get("datasets", {}).items():
        ws.datasets_dir.mkdir(exist_ok=True)
        (ws.datasets_dir / name).write_text(text, encoding="utf-8")
    for number, step in enumerate(case["steps"]):
        summary = _step(ws, tmp_path, case, number, step)
        want = {"updated": 0, **step["expect"]}
        got = {k: getattr(summary, k) for k in want}
        assert got == want, (number, summary.errors)
        assert summary.read == summary.stored + summary.duplicates + summary.quarantined
        assert summary.content_key == step.get("content_key")
        errors = [{"row": e.row, "field": e.field, "reason": e.reason} for e in summary.errors]
        assert errors == step.get("errors", []), number
    for dataset, rows in case.get("stored", {}).items():
        table: pa.Table = Lake(ws.lake_dir).read(dataset)
        fields = list(rows[0])
        stored = sorted(({f: _shown(r.get(f)) for f in fields} for r in table.to_pylist()), key=repr)
        assert stored == sorted(rows, key=repr)
