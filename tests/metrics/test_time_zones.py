"""Durations and periods are exact in time zones with daylight saving (Europe/Berlin, 2026-03-29)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write
from valueloop.accounts.service.workspace import create_workspace
from valueloop.ingest.service.ingest import ingest
from valueloop.metrics.run import compute_values
from valueloop.spec.model import EvaluationModel
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import open_workspace

HOURS = {"type": "duration", "start": "opened_at", "end": "resolved_at", "unit": "hours", "agg": "mean"}


def test_durations_and_month_boundaries_across_a_dst_change(tmp_path: Path) -> None:
    create_workspace(tmp_path / "ws")
    toml = tmp_path / "ws" / "valueloop.toml"
    toml.write_text(toml.read_text().replace("Asia/Shanghai", "Europe/Berlin"))
    ws = open_workspace(tmp_path / "ws")
    write(tmp_path / "e.csv", "entity_id,type,parent_id\nC0,company,\nB1,branch,C0\n")
    ingest(ws, "entities", [tmp_path / "e.csv"])
    # i1: 01:30 CET → 03:30 CEST is one real hour. i2: 2026-03-31 23:30 CEST is still March in Berlin
    # (21:30 UTC); i3: 2026-04-01 00:30 CEST (2026-03-31 22:30 UTC) is April.
    write(
        tmp_path / "i.csv",
        "interaction_id,entity_id,opened_at,resolved_at\n"
        "i1,B1,2026-03-29T01:30:00+01:00,2026-03-29T03:30:00+02:00\n"
        "i2,B1,2026-03-31T23:30:00+02:00,2026-04-01T00:30:00+02:00\n"
        "i3,B1,2026-04-01T00:30:00+02:00,2026-04-01T01:00:00+02:00\n",
    )
    assert ingest(ws, "interactions", [tmp_path / "i.csv"]).stored == 3
    model = EvaluationModel.model_validate(
        {
            "id": "dst",
            "name": "dst",
            "level": "branch",
            "dimensions": [
                {
                    "id": "d",
                    "name": "d",
                    "indicators": [
                        {
                            "id": "hours",
                            "name": "h",
                            "dataset": "interactions",
                            "weight": 0.5,
                            "measure": {
                                "type": "duration",
                                "start": "opened_at",
                                "end": "resolved_at",
                                "unit": "hours",
                                "agg": "mean",
                            },
                        },
                        {
                            "id": "volume",
                            "name": "v",
                            "dataset": "interactions",
                            "measure": {"type": "count"},
                            "weight": 0.5,
                        },
                    ],
                }
            ],
        }
    )
    values, _ = compute_values(Warehouse(ws), model, ["2026-03", "2026-04"])
    got = values.set_index(["period", "indicator"])["value"]
    assert got[("2026-03", "volume")] == 2
    assert got[("2026-04", "volume")] == 1
    assert got[("2026-03", "hours")] == pytest.approx(1.0)  # (1 h + 1 h) / 2, not 2 h for i1
