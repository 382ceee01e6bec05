"""Ingest of CSV files: encodings, formats, bad rows, duplicates and updates."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pytest

from conftest import CliRun, write
from valueloop.errors import InputError
from valueloop.ingest.service.ingest import ingest
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

HEADER = "interaction_id,entity_id,opened_at,resolved_at,steps_required,steps_completed,channel\n"


def stored(ws: Workspace, dataset: str = "interactions") -> list[dict[str, object]]:
    rows: list[dict[str, object]] = Lake(ws.lake_dir).read(dataset).to_pylist()
    return sorted(rows, key=lambda r: str(r.get("interaction_id") or r.get("feedback_id")))


def reconciles(summary: object) -> bool:
    s = summary.model_dump()  # type: ignore[attr-defined]
    return bool(s["read"] == s["stored"] + s["duplicates"] + s["quarantined"])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_are_detected(ws: Workspace, tmp_path: Path, encoding: str) -> None:
    f = write(tmp_path / "i.csv", HEADER + "工单1,网点甲,2026-01-05 09:00:00,,3,3,电话\n", encoding)
    s = ingest(ws, "interactions", [f])
    assert (s.read, s.stored, s.quarantined) == (1, 1, 0)
    row = stored(ws)[0]
    assert row["interaction_id"] == "工单1" and row["entity_id"] == "网点甲" and row["channel"] == "电话"


def test_mixed_date_formats_and_local_time_zone(ws: Workspace, tmp_path: Path) -> None:
    f = write(
        tmp_path / "i.csv",
        HEADER
        + "I1,B1,2026-01-05 09:00:00,,,,\nI2,B1,2026/01/05 09:00,,,,\nI3,B1,2026年1月5日 09:00,,,,\n"
        + "I4,B1,2026-01-05T01:00:00Z,,,,\nI5,B1,2026-01-05T09:00:00.000+08:00,,,,\n",
    )
    s = ingest(ws, "interactions", [f])
    assert s.stored == 5, s.errors
    # Asia/Shanghai 09:00 is 01:00 UTC: every spelling lands on the same instant.
    assert {str(r["opened_at"]) for r in stored(ws)} == {"2026-01-05 01:00:00+00:00"}


def test_numbers_with_separators_and_full_width_digits(ws: Workspace, tmp_path: Path) -> None:
    f = write(
        tmp_path / "i.csv",
        HEADER + 'I1,B1,2026-01-05 09:00:00,,"1,200",１２,\nI2,B1,２０２６-０１-０５ ０９:００:００,,５,５,\n',
    )
    s = ingest(ws, "interactions", [f])
    assert s.stored == 2, s.errors
    rows = stored(ws)
    assert (rows[0]["steps_required"], rows[0]["steps_completed"]) == (1200, 12)
    assert rows[1]["steps_required"] == 5


def test_bad_values_are_quarantined_with_file_row_field(ws: Workspace, tmp_path: Path) -> None:
    f = write(
        tmp_path / "i.csv",
        HEADER
        + "I1,B1,2026-01-05 09:00:00,2026-01-05 08:00:00,,,\n"  # resolved before opened
        + "I2,,2026-01-05 09:00:00,,,,\n"  # required entity missing
        + "I3,B1,yesterday,,,,\n"  # unreadable date
        + "I4,B1,2026-01-05 09:00:00,,2,3,\n"  # more steps completed than required
        + "I5,B1,2026-01-05 09:00:00,,-1,,\n"  # out of range
        + "I6,B1,2026-01-05 09:00:00,,,,\n",
    )
    s = ingest(ws, "interactions", [f])
    assert (s.read, s.stored, s.quarantined) == (6, 1, 5)
    assert reconciles(s)
    got = {(e.row, e.field) for e in s.errors}
    assert got == {(1, "resolved_at"), (2, "entity_id"), (3, "opened_at"), (4, "steps_required"), (5, "steps_required")}
    assert all(e.file == str(f) for e in s.errors)
    assert [r["interaction_id"] for r in stored(ws)] == ["I6"]


def test_truncated_last_line_and_extra_columns(ws: Workspace, tmp_path: Path) -> None:
    f = write(
        tmp_path / "i.csv", "interaction_id,entity_id,opened_at,extra\nI1,B1,2026-01-05 09:00:00,x\nI2,B1,2026-01-0"
    )
    s = ingest(ws, "interactions", [f])
    assert (s.read, s.stored, s.quarantined) == (2, 1, 1)
    assert (s.errors[0].row, s.errors[0].field) == (2, "(row)")


def test_duplicate_ids_within_one_file(ws: Workspace, tmp_path: Path) -> None:
    f = write(
        tmp_path / "i.csv",
        HEADER + "I1,B1,2026-01-05 09:00:00,,,,\nI1,B1,2026-01-05 09:00:00,,,,\nI1,B2,2026-01-05 09:00:00,,,,\n",
    )
    s = ingest(ws, "interactions", [f])
    assert (s.read, s.stored, s.duplicates, s.quarantined) == (3, 1, 1, 1)
    assert s.errors[0].row == 3 and "different content" in s.errors[0].reason
    assert [r["entity_id"] for r in stored(ws)] == ["B1"]


def test_reingest_is_idempotent_and_changes_update(ws: Workspace, tmp_path: Path) -> None:
    first = write(
        tmp_path / "a.csv", HEADER + "I1,B1,2026-01-05 09:00:00,,,,phone\nI2,B1,2026-01-05 10:00:00,,,,chat\n"
    )
    assert ingest(ws, "interactions", [first]).stored == 2
    again = ingest(ws, "interactions", [first])
    assert (again.stored, again.duplicates, again.updated) == (0, 2, 0)
    changed = write(
        tmp_path / "b.csv",
        HEADER + "I2,B1,2026-01-05 10:00:00,2026-01-05 11:00:00,,,chat\nI3,B2,2026-01-06 10:00:00,,,,\n",
    )
    s = ingest(ws, "interactions", [changed])
    assert (s.stored, s.updated, s.duplicates) == (2, 1, 0)
    rows = stored(ws)
    assert [r["interaction_id"] for r in rows] == ["I1", "I2", "I3"]
    assert rows[1]["resolved_at"] is not None


def test_header_only_file_reads_nothing(ws: Workspace, tmp_path: Path) -> None:
    s = ingest(ws, "interactions", [write(tmp_path / "i.csv", HEADER)])
    assert (s.read, s.stored, s.quarantined) == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", "", "empty"),
        ("missing.csv", "interaction_id,opened_at\nI1,2026-01-05\n", "missing required column 'entity_id'"),
        ("notes.doc", "x", "unsupported file type"),
        ("bad.csv", None, "cannot detect the text encoding"),
    ],
)
def test_unusable_files_write_nothing(
    ws: Workspace, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    good = write(tmp_path / "good.csv", HEADER + "I1,B1,2026-01-05 09:00:00,,,,\n")
    path = tmp_path / name
    path.write_bytes(
        b"interaction_id,entity_id,opened_at\n\xff\xfe\xfa\xfb\xff\n" if content is None else content.encode()
    )
    with pytest.raises(InputError, match=message) as err:
        ingest(ws, "interactions", [good, path])
    assert str(path) in str(err.value)
    assert Lake(ws.lake_dir).manifest().version == 0


def test_cli_exit_codes_and_json_contract(ws: Workspace, tmp_path: Path, cli: CliRun) -> None:
    f = write(
        tmp_path / "i.csv", "interaction_id,entity_id,opened_at\nI1,B1,2026-01-05 09:00:00\nI2,,2026-01-05\n", "gbk"
    )
    r = cli("ingest", "interactions", f, "--workspace", ws.root, "--format", "json", check=True)
    out = json.loads(r.stdout)
    assert set(out) >= {"dataset", "files", "read", "stored", "duplicates", "quarantined", "errors", "errors_total"}
    assert out["errors"] == [{"file": str(f), "row": 2, "field": "entity_id", "reason": "required value is missing"}]
    bad = cli("ingest", "no_such", f, "--workspace", ws.root)
    assert bad.returncode == 2 and "unknown dataset 'no_such'" in bad.stderr
    missing = cli("ingest", "interactions", tmp_path / "nope.csv", "--workspace", ws.root)
    assert missing.returncode == 2 and "nope.csv: no such file" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_lake_reads_only_committed_files(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "i.csv", HEADER + "I1,B1,2026-01-05 09:00:00,,,,\n")
    ingest(ws, "interactions", [f])
    stray = ws.lake_dir / "interactions" / "part-crashed.parquet"
    stray.write_bytes(b"garbage")
    assert len(stored(ws)) == 1
    ingest(ws, "interactions", [f])  # the next writer cleans up what a crash left
    assert not stray.exists()
    assert pc.sum(Lake(ws.lake_dir).read("interactions")["steps_required"].is_null()).as_py() == 1
