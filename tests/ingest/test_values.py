"""What is stored is what was sent: time zones, exact integers, finite numbers, NUL bytes, plausible times.

Every format ends in the same checks: text parsed from CSV/JSON and typed Parquet columns
are held to the same rules, and one bad cell quarantines one row, never the file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_ingest_csv import HEADER, reconciles, stored

from conftest import write
from valueloop.errors import SpecError
from valueloop.ingest.service.ingest import IngestSummary, ingest
from valueloop.ingest.suggest import suggest_mapping
from valueloop.store.workspace import Workspace

OK = "2026-01-05 09:00:00"
FEEDBACK = "feedback_id,submitted_at,kind,csat,text\n"
EVENTS = "event_id,ts,type,dwell_seconds\n"


def reasons(s: IngestSummary) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for e in s.errors:
        out.setdefault(e.row, []).append(e.reason)
    return out


# -- item 2: the mapping's timezone ------------------------------------------------------------


def test_the_mappings_timezone_is_the_one_used(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "i.csv", HEADER + f"I1,B1,{OK},,,,\nI2,B1,2026-01-05T09:00:00+08:00,,,,\n")
    m = write(tmp_path / "m.yaml", "timezone: UTC\n")
    s = ingest(ws, "interactions", [f], m)
    assert s.stored == 2, s.errors
    # Naive 09:00 is 09:00 UTC under this mapping (not Shanghai's 01:00); an explicit offset still wins.
    assert [str(r["opened_at"]) for r in stored(ws)] == ["2026-01-05 09:00:00+00:00", "2026-01-05 01:00:00+00:00"]


def test_an_unknown_timezone_is_a_mapping_error_with_its_line(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "i.csv", HEADER + f"I1,B1,{OK},,,,\n")
    m = write(tmp_path / "m.yaml", "dataset: interactions\ntimezone: Mars/Olympus\n")
    with pytest.raises(SpecError, match=r"m\.yaml:2: timezone: unknown time zone 'Mars/Olympus'"):
        ingest(ws, "interactions", [f], m)


def test_a_suggested_mapping_does_not_pin_a_timezone(tmp_path: Path) -> None:
    # Now that a mapping's zone is used, a proposal must not silently move a non-Shanghai workspace's times.
    text = suggest_mapping(write(tmp_path / "i.csv", HEADER + f"I1,B1,{OK},,,,\n"), "interactions")
    assert "\ntimezone:" not in text and "add `timezone: <IANA name>`" in text


# -- item 8: null_values, exact integers, non-finite numbers, NUL bytes -------------------------


def test_mapping_null_values_add_to_the_defaults(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "i.csv", HEADER + f"I1,B1,{OK},,-,?,N/A\n")
    m = write(tmp_path / "m.yaml", 'null_values: ["?"]\n')
    s = ingest(ws, "interactions", [f], m)
    assert s.stored == 1, s.errors
    row = stored(ws)[0]
    assert (row["resolved_at"], row["steps_required"], row["steps_completed"], row["channel"]) == (None,) * 4


def test_integers_are_exact_and_int64_or_refused(ws: Workspace, tmp_path: Path) -> None:
    big = [2**53 + 1, 2**63 - 1, 10**20 + 1]
    f = write(
        tmp_path / "i.csv",
        HEADER + f"I1,B1,{OK},,{big[0]},0,\nI2,B1,{OK},,{big[1]},{big[1]},\nI3,B1,{OK},,{big[2]},,\n"
        f'I4,B1,{OK},,"{2**63}",,\nI5,B1,{OK},,1e20,,\n',
    )
    s = ingest(ws, "interactions", [f])
    assert (s.stored, s.quarantined) == (2, 3) and reconciles(s)
    assert [r["steps_required"] for r in stored(ws)] == big[:2]
    why = reasons(s)
    assert why[3] == [f"'{big[2]}' is out of the int64 range"]
    assert why[4] == [f"'{2**63}' is out of the int64 range"]
    assert why[5] == ["cannot read '1e20' as int"]


@pytest.mark.parametrize("value", ["1e309", "-1e309", "inf", "-inf", "nan", "NaN", "Infinity"])
def test_non_finite_numbers_are_refused_alike(ws: Workspace, tmp_path: Path, value: str) -> None:
    f = write(tmp_path / "e.csv", EVENTS + f"E1,{OK},visit,{value}\nE2,{OK},visit,1.5\n")
    s = ingest(ws, "events", [f])
    assert (s.stored, s.quarantined) == (1, 1)
    assert reasons(s) == {1: [f"{value!r} is not a finite number"]}


def test_non_finite_text_in_an_int_field_says_so(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "i.csv", HEADER + f"I1,B1,{OK},,inf,,\n")
    assert reasons(ingest(ws, "interactions", [f])) == {1: ["'inf' is not a finite number"]}


def test_nul_bytes_quarantine_the_row(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "f.csv", FEEDBACK + f"F\x001,{OK},survey,5,ok\nF2,{OK},survey,5,a\x00b\nF3,{OK},,,fine\n")
    s = ingest(ws, "feedback", [f])
    assert (s.stored, s.quarantined) == (1, 2)
    assert reasons(s) == {1: ["contains a NUL byte (\\x00)"], 2: ["contains a NUL byte (\\x00)"]}
    assert [r["feedback_id"] for r in stored(ws, "feedback")] == ["F3"]


# -- item 9: one bad cell is one quarantined row, never a traceback ----------------------------


@pytest.mark.parametrize(
    "cell",
    ["0000-01-01 00:00:00", "0001-01-01T00:00:00+08:00", "9999-12-31T23:00:00-08:00", "1800-01-01", "2200-01-01"],
)
def test_an_impossible_time_quarantines_its_row_only(ws: Workspace, tmp_path: Path, cell: str) -> None:
    # The second row needs the ISO 8601 fallback (a fraction), which once turned the column into Python datetimes.
    f = write(tmp_path / "i.csv", HEADER + f"I1,B1,{cell},,,,\nI2,B1,2026-01-05T09:00:00.5,,,,\n")
    s = ingest(ws, "interactions", [f])
    assert (s.read, s.stored, s.quarantined) == (2, 1, 1)
    assert [e.row for e in s.errors] == [1]


def test_a_huge_json_number_in_an_int_field_quarantines_its_row(ws: Workspace, tmp_path: Path) -> None:
    rows = [{"feedback_id": "F1", "submitted_at": OK, "csat": 1e20}, {"feedback_id": "F2", "submitted_at": OK}]
    f = write(tmp_path / "f.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    s = ingest(ws, "feedback", [f])
    assert (s.stored, s.quarantined) == (1, 1)
    assert reasons(s) == {1: ["cannot read '1e+20' as int"]}  # quoted as the file writes it


# -- item 6: Parquet goes through the same checks ----------------------------------------------


@pytest.mark.parametrize("unit", ["s", "us"])
@pytest.mark.parametrize("tz", [None, "UTC"])
def test_typed_times_must_be_plausible(ws: Workspace, tmp_path: Path, unit: str, tz: str | None) -> None:
    years = [2026, 1, 1800, 2200, 9999]
    times = pa.array([datetime(y, 1, 5, 9, tzinfo=UTC if tz else None) for y in years], pa.timestamp(unit, tz))
    f = tmp_path / "f.parquet"
    pq.write_table(pa.table({"feedback_id": [f"F{y}" for y in years], "submitted_at": times}), f)
    s = ingest(ws, "feedback", [f])
    assert (s.read, s.stored, s.quarantined) == (5, 1, 4)
    assert all("not a plausible time" in e.reason for e in s.errors)
    assert [r["feedback_id"] for r in stored(ws, "feedback")] == ["F2026"]


@pytest.mark.parametrize("kind", ["large_string", "dictionary", "string_view"])
def test_parquet_text_of_any_arrow_type_is_cleaned(ws: Workspace, tmp_path: Path, kind: str) -> None:
    ids, kinds, texts = [" F1 ", "F2", "F3"], ["Complaint", "N/A", "survey"], ["ok", "-", "a\x00b"]
    columns = {"feedback_id": ids, "submitted_at": [OK] * 3, "kind": kinds, "text": texts}
    f = tmp_path / "f.parquet"
    pq.write_table(pa.table({k: _typed(v, kind) for k, v in columns.items()}), f)
    s = ingest(ws, "feedback", [f], write(tmp_path / "m.yaml", "fields:\n  kind: {column: kind, values: {x: y}}\n"))
    assert (s.stored, s.quarantined) == (2, 1), s.errors
    assert reasons(s) == {3: ["contains a NUL byte (\\x00)"]}
    rows = stored(ws, "feedback")
    assert [(r["feedback_id"], r["kind"], r["text"]) for r in rows] == [("F1", "complaint", "ok"), ("F2", None, None)]


def _typed(values: list[str], kind: str) -> pa.Array:
    if kind == "dictionary":
        return pa.array(values).dictionary_encode()
    return pa.array(values, pa.large_string() if kind == "large_string" else pa.string_view())


def test_parquet_numbers_are_checked_like_text(ws: Workspace, tmp_path: Path) -> None:
    table = pa.table(
        {
            "event_id": ["E1", "E2", "E3", "E4"],
            "ts": [OK] * 4,
            "type": ["visit"] * 4,
            "dwell_seconds": pa.array([1.5, float("nan"), float("inf"), -float("inf")]),
        }
    )
    pq.write_table(table, tmp_path / "e.parquet")
    s = ingest(ws, "events", [tmp_path / "e.parquet"])
    assert (s.stored, s.quarantined) == (1, 3)
    assert all(e.reason.endswith("is not a finite number") for e in s.errors)


def test_parquet_integers_stay_exact_and_in_int64(ws: Workspace, tmp_path: Path) -> None:
    ids = ["I1", "I2", "I3", "I4", "I5"]
    table = pa.table(
        {
            "interaction_id": ids,
            "entity_id": ["B1"] * 5,
            "opened_at": [OK] * 5,
            "steps_required": pa.array([2**53 + 1, 2**63 + 5, 3, 4, 5], pa.uint64()),
            "steps_completed": pa.array([1.0, 1.0, 1e20, 2.5, float("nan")]),
        }
    )
    pq.write_table(table, tmp_path / "i.parquet")
    s = ingest(ws, "interactions", [tmp_path / "i.parquet"])
    assert (s.stored, s.quarantined) == (1, 4) and reconciles(s)
    assert stored(ws)[0]["steps_required"] == 2**53 + 1
    why = reasons(s)
    assert why[2] == [f"'{2**63 + 5}' is out of the int64 range"]
    assert why[3] == ["'1e+20' is out of the int64 range"]
    assert why[4] == ["cannot read '2.5' as int"]
    assert why[5] == ["'nan' is not a finite number"]


def test_order_check_quotes_both_values_as_the_file_gave_them(ws: Workspace, tmp_path: Path) -> None:
    """Local times as written (not the stored UTC instant with microseconds), for both fields."""
    text = (
        "interaction_id,entity_id,opened_at,first_response_at,steps_required,steps_completed\n"
        "X1,B1,2026-03-01 09:00,2026-03-01 08:00,1,2\n"
    )
    s = ingest(ws, "interactions", [write(tmp_path / "o.csv", text)])
    assert (s.read, s.quarantined) == (1, 1)
    assert [e.reason for e in s.errors] == [
        "first_response_at '2026-03-01 08:00' is before opened_at '2026-03-01 09:00'",
        "steps_required '1' is less than steps_completed '2'",
    ]


# -- a customer's own time zone (survey quiet hours) ------------------------------------------------


def test_a_customers_unknown_time_zone_quarantines_its_row_with_the_reason(ws: Workspace, tmp_path: Path) -> None:
    text = "customer_id,timezone\nC1,America/New_York\nC2,Mars/Olympus\nC3,\nC4,Asia/Shanghai\n"
    s = ingest(ws, "customers", [write(tmp_path / "c.csv", text)])
    assert s.stored == 3 and reconciles(s)
    assert [e.field for e in s.errors] == ["timezone"]
    assert reasons(s) == {2: ["'Mars/Olympus' is not an IANA time zone (e.g. Asia/Shanghai)"]}
    rows = sorted(stored(ws, "customers"), key=lambda r: str(r["customer_id"]))
    assert [r["timezone"] for r in rows] == ["America/New_York", None, "Asia/Shanghai"]
