"""``mappings suggest`` on English operational logs: date + time pairs, agent, type, outcome, a key with its reason.

Table-driven: each case is a small log written by hand, the fields the proposal must map
(to a column, or to ``[date, time]``), the own fields it must propose with their types, and
the key it must choose and why. A proposal is then used as it stands to ingest the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from valueloop.ingest.service.ingest import ingest
from valueloop.ingest.suggest import suggest_mapping
from valueloop.store.workspace import Workspace

LOG = """call id,date,start,end,agent,type,outcome,wait_time,talk
C1,990801,7:03:05,7:09:00,ANAT,PS,AGENT,12,1:02
C2,990801,23:58:40,0:02:10,AVI,IN,AGENT,40,3:05
C3,990802,8:00:00,0:00:00,NO_SERVER,PS,HANG,95,0:00
"""
REPEATED_IDS = """ticket,date,time,agent
T1,2026-03-01,09:00,ann
T1,2026-03-02,09:00,bob
T2,2026-03-01,10:00,ann
"""
NO_KEY = """agent,score
ann,5
ann,5
"""

CASES: list[dict[str, Any]] = [
    {
        "id": "call_log_onto_interactions",
        "text": LOG,
        "dataset": "interactions",
        "fields": {
            "interaction_id": "call id",
            "agent_id": "agent",
            "category": "type",
            "opened_at": ["date", "start"],
            "end": ["date", "end"],
        },
        "extra": {"end": "timestamp", "outcome": "string", "wait_time": "duration_s", "talk": "duration_s"},
        "rollover": {"end": "opened_at"},
        "key_note": "key interaction_id: call id is unique in the 3 sampled rows",
        "formats": ["%y%m%d %H:%M:%S"],
    },
    {
        "id": "repeated_ids_get_the_smallest_unique_combination",
        "text": REPEATED_IDS,
        "dataset": "interactions",
        "fields": {"interaction_id": ["ticket", "date"], "agent_id": "agent", "opened_at": ["date", "time"]},
        "extra": {},
        "rollover": {},
        "key_note": "key interaction_id: ticket repeats in the 3 sampled rows; ticket + date is the smallest unique "
        "combination",
        "formats": ["%Y-%m-%d %H:%M"],
    },
    {
        "id": "no_unique_combination_means_a_content_hash",
        "text": NO_KEY,
        "dataset": "feedback",
        "fields": {"csat": "score"},
        "extra": {"agent": "string"},
        "rollover": {},
        "key_note": "key feedback_id: no id column: the key is a hash of each row's content (ingesting the file "
        "again is safe)",
        "formats": None,
    },
]


def _source(entry: object) -> object:
    if isinstance(entry, str):
        return entry
    assert isinstance(entry, dict)
    return entry.get("column", entry.get("columns"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_proposal(case: dict[str, Any], ws: Workspace, tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(case["text"], encoding="utf-8")
    text = suggest_mapping(log, case["dataset"], datasets=ws.datasets)
    doc = yaml.safe_load(text)
    for name, source in case["fields"].items():
        assert _source(doc["fields"][name]) == source, name
    assert doc.get("extra", {}) == case["extra"]
    for name, after in case["rollover"].items():
        assert (doc["fields"][name]["rollover"], doc["fields"][name]["after"]) == ("next_day", after)
    assert f"# {case['key_note']}\n" in text
    assert doc.get("datetime_formats") == case["formats"]


def test_a_proposal_ingests_the_log_as_it_stands(ws: Workspace, tmp_path: Path) -> None:
    """The proposal plus the one thing a log cannot say (which unit the calls belong to) ingests every row."""
    log = tmp_path / "log.csv"
    log.write_text(LOG, encoding="utf-8")
    doc = yaml.safe_load(suggest_mapping(log, "interactions", datasets=ws.datasets))
    doc["fields"]["entity_id"] = {"constant": "centre"}
    doc["timezone"] = "UTC"
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(doc), encoding="utf-8")
    summary = ingest(ws, "interactions", [log], mapping)
    assert (summary.read, summary.stored, summary.quarantined) == (3, 3, 0), summary.errors
    rows = {r["interaction_id"]: r for r in ws_rows(ws)}
    assert rows["C2"]["end"].strftime("%Y-%m-%d %H:%M:%S") == "1999-08-02 00:02:10"  # after midnight
    assert rows["C3"]["end"] is None  # 0:00:00: no value, not midnight
    assert (rows["C2"]["wait_time"], rows["C2"]["talk"], rows["C3"]["outcome"]) == (40, 185, "HANG")


def ws_rows(ws: Workspace) -> list[dict[str, Any]]:
    from valueloop.store.lake import Lake

    rows: list[dict[str, Any]] = Lake(ws.lake_dir).read("interactions").to_pylist()
    return rows
