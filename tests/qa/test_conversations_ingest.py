"""The ``conversations`` dataset: one row per turn, or one row per conversation with a JSON turns column.

Both shapes go through the ingest checks; a turns cell that is not JSON quarantines its row
with file and line, a bad turn quarantines its whole conversation, and a second ingest of the
same file stores nothing new.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from conftest import write
from valueloop.ingest.service.ingest import ingest
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

PER_TURN = (
    "conversation_id,turn_index,speaker,text,started_at,agent_id,entity_id\n"
    "C1,0,agent,您好，请问有什么可以帮您,2026-03-01 09:00:00,A1,T1\n"
    "C1,1,customer,我的卡被锁了,2026-03-01 09:00:00,A1,T1\n"
    "C1,2,robot,?,2026-03-01 09:00:00,A1,T1\n"
    "C2,0,agent,Hello,2026-03-01 10:00:00,A2,T1\n"
)


def _reconciles(s: object) -> bool:
    d = s.model_dump()  # type: ignore[attr-defined]
    return bool(d["read"] == d["stored"] + d["duplicates"] + d["quarantined"])


def _stored(ws: Workspace) -> list[dict[str, object]]:
    files = Lake(ws.lake_dir).files("conversations")
    rows = [r for f in files for r in pq.read_table(f).to_pylist()]
    return sorted(rows, key=lambda r: (str(r["conversation_id"]), int(str(r["turn_index"]))))


def test_one_row_per_turn_is_checked_and_idempotent(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "turns.csv", PER_TURN)
    s = ingest(ws, "conversations", [f])
    assert (s.stored, s.quarantined) == (3, 1) and _reconciles(s)
    assert [(e.row, e.field) for e in s.errors] == [(3, "speaker")]
    again = ingest(ws, "conversations", [f])
    assert (again.stored, again.duplicates) == (0, 3) and _reconciles(again)


def _conversation(cid: str, turns: object) -> str:
    return json.dumps(
        {"conversation_id": cid, "started_at": "2026-03-01T09:00:00", "agent_id": "A1", "turns": turns},
        ensure_ascii=False,
    )


def test_a_json_turns_column_is_expanded_in_order(ws: Workspace, tmp_path: Path) -> None:
    turns = [
        {"role": "agent", "content": "您好", "start": 0, "end": 1.5},
        {"role": "customer", "content": "查询余额", "start": 2, "end": 3},
    ]
    f = write(tmp_path / "c.jsonl", _conversation("C1", turns) + "\n")
    s = ingest(ws, "conversations", [f])
    assert s.stored == 2 and _reconciles(s)
    rows = _stored(ws)
    assert [(r["turn_index"], r["speaker"], r["text"], r["end_s"]) for r in rows] == [
        (0, "agent", "您好", 1.5),
        (1, "customer", "查询余额", 3.0),
    ]
    assert {r["agent_id"] for r in rows} == {"A1"}


def test_bad_json_quarantines_its_row_with_file_and_line(ws: Workspace, tmp_path: Path) -> None:
    good = _conversation("C1", [{"speaker": "agent", "text": "hi"}])
    bad = json.dumps({"conversation_id": "C2", "started_at": "2026-03-01T09:00:00", "turns": "[{oops"})
    f = write(tmp_path / "c.jsonl", good + "\n" + bad + "\n")
    s = ingest(ws, "conversations", [f])
    assert (s.stored, s.quarantined) == (1, 1) and _reconciles(s)
    (err,) = s.errors
    assert (err.file, err.row) == (str(f), 2)
    assert err.reason.startswith("turns: invalid JSON at character")


def test_one_bad_turn_quarantines_the_whole_conversation(ws: Workspace, tmp_path: Path) -> None:
    turns = [{"speaker": "agent", "text": "hi"}, {"speaker": "martian", "text": "?"}]
    f = write(tmp_path / "c.jsonl", _conversation("C1", turns) + "\n" + _conversation("C2", turns[:1]) + "\n")
    s = ingest(ws, "conversations", [f])
    assert (s.stored, s.quarantined) == (1, 1) and _reconciles(s)
    assert [(e.row, e.field) for e in s.errors] == [(1, "speaker")]
    assert [r["conversation_id"] for r in _stored(ws)] == ["C2"]


def test_a_csv_turns_column_and_a_mapping_of_speaker_names(ws: Workspace, tmp_path: Path) -> None:
    cell = json.dumps([{"role": "客服", "text": "您好"}, {"role": "客户", "text": "退款"}], ensure_ascii=False)
    csv = "会话ID,时间,turns\n" + 'S1,2026-03-01 09:00,"' + cell.replace('"', '""') + '"\n'
    mapping = write(
        tmp_path / "m.yaml",
        "dataset: conversations\nfields:\n  conversation_id: 会话ID\n  started_at: 时间\n"
        "  speaker: {column: speaker, values: {客服: agent, 客户: customer}}\n",
    )
    s = ingest(ws, "conversations", [write(tmp_path / "c.csv", csv)], mapping)
    assert s.stored == 2, s.errors
    assert [r["speaker"] for r in _stored(ws)] == ["agent", "customer"]
