"""JSON, XLSX and Parquet: every row stored or quarantined with its reason, and stored as sent.

Fixtures are built here (openpyxl, pyarrow); damage is made by editing a written file.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_ingest_csv import reconciles, stored

from conftest import CliRun, write
from valueloop.errors import InputError
from valueloop.ingest.service.ingest import ingest
from valueloop.ingest.suggest import suggest_mapping
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

SAVE_HINT = "formula without a saved value; open and save the file in Excel, or export CSV"


def _feedback(i: int, **extra: object) -> dict[str, object]:
    return {"feedback_id": f"F{i}", "submitted_at": "2026-03-01 09:00:00", "kind": "survey", **extra}


# --- JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["late.json", "late.jsonl"])
def test_json_field_first_seen_late_is_kept(ws: Workspace, tmp_path: Path, name: str) -> None:
    records = [_feedback(i) for i in range(1, 1101)] + [_feedback(i, csat=i % 5 + 1) for i in range(1101, 1501)]
    text = json.dumps(records) if name.endswith(".json") else "\n".join(map(json.dumps, records))
    s = ingest(ws, "feedback", [write(tmp_path / name, text)])
    assert (s.read, s.stored, s.quarantined) == (1500, 1500, 0) and reconciles(s)
    assert sum(r["csat"] is not None for r in stored(ws, "feedback")) == 400


@pytest.mark.parametrize("name", ["nums.json", "nums.jsonl"])
def test_json_numbers_are_read_as_the_file_writes_them(ws: Workspace, tmp_path: Path, name: str) -> None:
    """`1e309` is named as written (not 'inf'); a decimal in a text field keeps its digits (1.50, not 1.5)."""
    records = ['"csat": 1e309', '"csat": NaN', '"csat": 4.0, "text": 1.50']
    lines = [
        f'{{"feedback_id": "F{i}", "submitted_at": "2026-03-01 09:00:00", "kind": "survey", {r}}}'
        for i, r in enumerate(records, start=1)
    ]
    text = "[" + ",".join(lines) + "]" if name.endswith(".json") else "\n".join(lines)
    s = ingest(ws, "feedback", [write(tmp_path / name, text)])
    assert (s.read, s.stored, s.quarantined) == (3, 1, 2) and reconciles(s)
    assert [e.reason for e in s.errors] == ["'1e309' is not a finite number", "'NaN' is not a finite number"]
    assert [(r["csat"], r["text"]) for r in stored(ws, "feedback")] == [(4, "1.50")]


@pytest.mark.parametrize("name", ["gbk.json", "gbk.jsonl"])
def test_gbk_json_is_decoded_like_csv(ws: Workspace, tmp_path: Path, name: str) -> None:
    records = [_feedback(1, text="退款太慢，客服态度很好"), _feedback(2, text="满意")]
    text = json.dumps(records, ensure_ascii=False)
    if name.endswith(".jsonl"):
        text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    s = ingest(ws, "feedback", [write(tmp_path / name, text, "gbk")])
    assert (s.read, s.stored, s.quarantined) == (2, 2, 0) and reconciles(s)
    assert [r["text"] for r in stored(ws, "feedback")] == ["退款太慢，客服态度很好", "满意"]


# --- XLSX -------------------------------------------------------------------------------------

HEADER = ["feedback_id", "submitted_at", "kind", "csat"]


def _book(path: Path, *sheets: tuple[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _edit_sheet(path: Path, edit: Callable[[str], str], member: str = "xl/worksheets/sheet1.xml") -> Path:
    """Rewrite one part of a saved workbook (what Excel would have saved, or damage)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[member] = edit(parts[member].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_xlsx_formula_without_saved_value_is_quarantined(ws: Workspace, tmp_path: Path) -> None:
    rows = [HEADER, ["F1", "2026-03-01 09:00", "survey", 4]]
    rows += [[f"F{i}", "2026-03-01 09:00", "survey", "=2+3"] for i in range(2, 5)]
    rows += [["F5", "2026-03-01 09:00", "survey", "#DIV/0!"]]
    path = _book(tmp_path / "f.xlsx", ("评价", rows))
    # as Excel saves it: row 3's formula carries its value; openpyxl wrote the others with an empty <v />
    _edit_sheet(path, lambda xml: xml.replace('<c r="D3"><f>2+3</f><v /></c>', '<c r="D3"><f>2+3</f><v>5</v></c>'))
    s = ingest(ws, "feedback", [path])
    assert (s.read, s.stored, s.quarantined) == (5, 2, 3) and reconciles(s)
    assert [r["csat"] for r in stored(ws, "feedback")] == [4, 5]
    assert [(e.row, e.field) for e in s.errors] == [(4, "(row)"), (5, "(row)"), (6, "(row)")]
    assert s.errors[0].reason == f"cell D4 is a {SAVE_HINT}"
    assert s.errors[2].reason == "cell D6 holds the Excel error #DIV/0!"


def test_xlsx_unsaved_formula_in_an_unused_column_costs_no_row(ws: Workspace, tmp_path: Path) -> None:
    """A helper column such as `=D2*2` that no field reads does not quarantine every row."""
    rows = [[*HEADER, "double"]] + [[f"F{i}", "2026-03-01 09:00", "survey", 4, f"=D{i + 1}*2"] for i in range(1, 4)]
    rows += [["F4", "2026-03-01 09:00", "survey", "=2+3", "=D5*2"]]
    s = ingest(ws, "feedback", [_book(tmp_path / "helper.xlsx", ("Sheet", rows))])
    assert (s.read, s.stored, s.quarantined) == (4, 3, 1) and reconciles(s)
    assert [r["csat"] for r in stored(ws, "feedback")] == [4, 4, 4]
    assert [(e.row, e.reason) for e in s.errors] == [(5, f"cell D5 is a {SAVE_HINT}")]


def test_xlsx_rows_keep_excel_numbers_after_blank_rows(ws: Workspace, tmp_path: Path) -> None:
    rows: list[list[object]] = [[], HEADER, ["F1", "2026-03-01 09:00", "survey", 4], [], [], [None, None]]
    rows += [["F2", "2026-03-01 09:00", "survey", 9], ["F3", "2026-03-01 09:00", "survey", 3, "note"]]
    s = ingest(ws, "feedback", [_book(tmp_path / "gaps.xlsx", ("Sheet", rows))])
    assert (s.read, s.stored, s.quarantined) == (3, 1, 2) and reconciles(s)
    assert [(e.row, e.field) for e in s.errors] == [(7, "csat"), (8, "(row)")]
    assert s.errors[1].reason == "value in column E, which has no header"


def test_xlsx_cell_under_a_merge_is_not_read_as_empty(ws: Workspace, tmp_path: Path) -> None:
    rows = [HEADER] + [[f"F{i}", "2026-03-01 09:00", "survey", 4] for i in range(1, 6)]
    path = _book(tmp_path / "merged.xlsx", ("Sheet", rows))
    book = openpyxl.load_workbook(path)
    book.active["C3"] = book.active["C4"] = None
    book.active.merge_cells("C2:C4")  # Excel shows "survey" in C3 and C4; the file holds it in C2 only
    book.active["D5"] = book.active["D6"] = None
    book.active.merge_cells("D5:D6")  # an empty merge hides nothing
    book.save(path)
    s = ingest(ws, "feedback", [path])
    assert (s.read, s.stored, s.quarantined) == (5, 3, 2) and reconciles(s)
    assert [(e.row, e.field) for e in s.errors] == [(3, "(row)"), (4, "(row)")]
    assert s.errors[0].reason.startswith("cell C3 is inside merged cells C2:C4; unmerge and fill them in Excel")


def test_xlsx_sheet_is_named_or_the_only_one_filled(ws: Workspace, tmp_path: Path) -> None:
    first = [HEADER, ["F1", "2026-03-01 09:00", "survey", 4]]
    second = [HEADER, ["F2", "2026-03-01 09:00", "survey", 5], ["F3", "2026-03-01 09:00", "survey", 5]]
    path = _book(tmp_path / "two.xlsx", ("一月", first), ("空", []), ("二月", second))
    with pytest.raises(InputError, match=r"2 non-empty sheets \('一月', '二月'\).*`sheet:`"):
        ingest(ws, "feedback", [path])
    assert Lake(ws.lake_dir).manifest().version == 0
    proposal = suggest_mapping(path, "feedback", sheet="二月")
    assert "sheet: 二月" in proposal
    s = ingest(ws, "feedback", [path], write(tmp_path / "m.yaml", proposal))
    assert (s.read, s.stored) == (2, 2) and reconciles(s)
    single = _book(tmp_path / "one.xlsx", ("空", []), ("数据", first))
    assert ingest(ws, "feedback", [single]).stored == 1


# --- Parquet ----------------------------------------------------------------------------------


def _parquet(path: Path, extra: dict[str, pa.Array], **kwargs: object) -> Path:
    n = len(next(iter(extra.values())))
    base = {k: [v] * n for k, v in _feedback(0).items() if k != "feedback_id"}
    table = pa.table({"feedback_id": [f"F{i}" for i in range(n)], **base, **extra})
    pq.write_table(table, path, **kwargs)  # type: ignore[arg-type]
    return path


def test_parquet_struct_column(ws: Workspace, tmp_path: Path) -> None:
    meta = pa.array([{"device": "ios", "v": 1}, {"device": "web", "v": 2}, None])
    extra = _parquet(tmp_path / "extra.parquet", {"csat": pa.array([5, 9, 4]), "meta": meta})
    s = ingest(ws, "feedback", [extra])
    assert (s.read, s.stored, s.quarantined) == (3, 2, 1) and reconciles(s)
    quarantined = pq.read_table(Lake(ws.lake_dir).quarantine_files("feedback")[0]).to_pylist()
    assert json.loads(quarantined[0]["raw"])["meta"] == {"device": "web", "v": 2}
    mapped = _parquet(tmp_path / "mapped.parquet", {"csat": meta})
    with pytest.raises(InputError, match=r"mapped\.parquet: .*'csat' is struct<device: string, v: int64>"):
        ingest(ws, "feedback", [mapped])


def _damage_row_group(path: Path, group: int) -> Path:
    meta = pq.ParquetFile(path).metadata
    start = meta.row_group(group).column(0).data_page_offset
    data = bytearray(path.read_bytes())
    data[start : start + 64] = bytes(b ^ 0xFF for b in data[start : start + 64])
    path.write_bytes(bytes(data))
    return path


def test_parquet_damaged_page_names_file_and_row_group(ws: Workspace, tmp_path: Path) -> None:
    path = _parquet(tmp_path / "d.parquet", {"csat": pa.array([4] * 3000)}, row_group_size=1000)
    _damage_row_group(path, 1)
    with pytest.raises(InputError, match=r"d\.parquet: damaged Parquet data in row group 1 \(rows 1001-2000\)"):
        ingest(ws, "feedback", [path])
    assert Lake(ws.lake_dir).manifest().version == 0


# --- CLI: unusable files are one line and exit 2 ----------------------------------------------


def _broken_sheet_xml(path: Path) -> Path:
    rows = [HEADER] + [[f"F{i}", "2026-03-01 09:00", "survey", 4] for i in range(50)]
    return _edit_sheet(_book(path, ("Sheet", rows)), lambda xml: xml[: len(xml) // 2] + "<row r=")


UNUSABLE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "broken.xlsx": (_broken_sheet_xml, "sheet 'Sheet' is damaged"),
    "two.xlsx": (
        lambda p: _book(p, ("a", [HEADER]), ("b", [HEADER])),
        "the workbook has 2 non-empty sheets ('a', 'b')",
    ),
    "damaged.parquet": (
        lambda p: _damage_row_group(_parquet(p, {"csat": pa.array([4] * 200)}, row_group_size=100), 0),
        "damaged Parquet data in row group 0",
    ),
    "nested.parquet": (
        lambda p: _parquet(p, {"csat": pa.array([[1], [2]])}),
        "'csat' is list<element: int64>",
    ),
    "latin.jsonl": (
        lambda p: write(p, '{"feedback_id": "F1", "text": "\xff\xfe\xfd\xff"}\n', "latin-1"),
        "cannot detect the text encoding",
    ),
}


@pytest.mark.parametrize("name", list(UNUSABLE))
def test_cli_unusable_file_is_one_line_exit_2(ws: Workspace, tmp_path: Path, cli: CliRun, name: str) -> None:
    make, message = UNUSABLE[name]
    path = make(tmp_path / name)
    r = cli("ingest", "feedback", path, "--workspace", ws.root)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert str(path) in r.stderr and message in r.stderr
