"""Quarantined rows can be seen, exported, fixed, ingested again and cleared."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from test_ingest_csv import stored

from conftest import CliRun, write
from valueloop.ingest.service.ingest import ingest
from valueloop.ingest.service.quarantine import export_quarantine
from valueloop.store.workspace import Workspace


def test_fix_and_reingest(ws: Workspace, tmp_path: Path, cli: CliRun) -> None:
    f = write(
        tmp_path / "fb.csv",
        "feedback_id,submitted_at,csat,text\nF1,2026-03-01 09:00,5,好\nF2,2026-03-01 09:00,7,差\nF3,someday,3,一般\n",
    )
    s = ingest(ws, "feedback", [f])
    assert s.quarantined == 2
    listed = json.loads(cli("quarantine", "list", "-w", ws.root, "-f", "json", check=True).stdout)
    assert [(r["row"], r["field"]) for r in listed] == [(2, "csat"), (3, "submitted_at")]
    shown = json.loads(
        cli("quarantine", "show", s.batch_id, "--row", "2", "-w", ws.root, "-f", "json", check=True).stdout
    )
    assert shown[0]["values"] == {"feedback_id": "F2", "submitted_at": "2026-03-01 09:00", "csat": "7", "text": "差"}
    out = tmp_path / "fix.csv"
    cli("quarantine", "export", "feedback", "--out", out, "-w", ws.root, check=True)
    fixed = out.read_text(encoding="utf-8-sig").replace(",7,", ",2,").replace("someday", "2026-03-02 10:00")
    out.write_text(fixed, encoding="utf-8-sig")
    again = ingest(ws, "feedback", [out])
    assert (again.stored, again.quarantined) == (2, 0), again.errors
    assert [r["csat"] for r in stored(ws, "feedback")] == [5, 2, 3]
    empty = cli("quarantine", "clear", "feedback", "--batch", " ", "-w", ws.root)
    assert empty.returncode != 0 and "batch id is empty" in empty.stderr  # not read as "every batch"
    assert json.loads(cli("quarantine", "list", "-w", ws.root, "-f", "json", check=True).stdout) != []
    cli("quarantine", "clear", "feedback", "--batch", s.batch_id, "-w", ws.root, check=True)
    assert json.loads(cli("quarantine", "list", "-w", ws.root, "-f", "json", check=True).stdout) == []


def test_formula_text_is_neutralised_in_the_export_and_restored_on_reingest(ws: Workspace, tmp_path: Path) -> None:
    """The export opens safely in a spreadsheet; fixed and ingested again, the texts are the originals."""
    texts = ['=HYPERLINK("http://x","y")', "-1+2", "@SUM(1)", "'=already quoted", "+", "plain 'quote"]
    lines = [f'F{i},2026-03-01 09:00,9,"{t.replace(chr(34), chr(34) * 2)}"' for i, t in enumerate(texts)]
    f = write(tmp_path / "fb.csv", "feedback_id,submitted_at,csat,text\n" + "\n".join(lines) + "\n")
    assert ingest(ws, "feedback", [f]).quarantined == len(texts)
    out = tmp_path / "fix.csv"
    export_quarantine(ws, "feedback", out, None)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["text"] for r in rows] == ["'" + t if t[0] in "=+-@'" else t for t in texts]
    out.write_text(out.read_text(encoding="utf-8-sig").replace(",9,", ",4,"), encoding="utf-8-sig")
    assert ingest(ws, "feedback", [out]).stored == len(texts)
    assert sorted(r["text"] for r in stored(ws, "feedback")) == sorted(texts)


def test_a_row_with_an_unbalanced_quote_exports_by_column_and_ingests_again(ws: Workspace, tmp_path: Path) -> None:
    """A stray `"` opening a comment cell: the export has the header's columns (and the raw line), not one blob."""
    mapping = write(
        tmp_path / "m.yaml", "dataset: feedback\nfields:\n  feedback_id: 编号\n  submitted_at: 时间\n  text: 评价\n"
    )
    lines = [f"F{i},2026-03-01 09:00,还行" for i in range(1, 6)]
    lines[2] = 'F3,2026-03-01 09:00,"太慢了，差评'
    f = write(tmp_path / "fb.csv", "编号,时间,评价\n" + "\n".join(lines) + "\n")
    s = ingest(ws, "feedback", [f], mapping)
    assert (s.read, s.stored, s.quarantined) == (5, 4, 1), s.errors
    out = tmp_path / "fix.csv"
    export_quarantine(ws, "feedback", out, None)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["编号"], r["评价"], r["_line"]) for r in rows] == [("F3", "太慢了，差评", lines[2])]
    again = ingest(ws, "feedback", [out], mapping)
    assert (again.stored, again.quarantined) == (1, 0), again.errors
    assert {r["feedback_id"]: r["text"] for r in stored(ws, "feedback")}["F3"] == "太慢了，差评"


def test_an_xlsx_row_exports_by_column(ws: Workspace, tmp_path: Path) -> None:
    """A sheet row quarantined for an unsaved formula exports in the sheet's columns (formula shown)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (
        ["feedback_id", "submitted_at", "csat"],
        ["F1", "2026-03-01 09:00", 4],
        ["F2", "2026-03-01 09:00", "=2+1"],
    ):
        sheet.append(row)
    book.save(tmp_path / "fb.xlsx")
    assert ingest(ws, "feedback", [tmp_path / "fb.xlsx"]).quarantined == 1
    out = tmp_path / "fix.csv"
    export_quarantine(ws, "feedback", out, None)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["feedback_id"], r["csat"]) for r in rows] == [("F2", "'=2+1")]
    out.write_text(out.read_text(encoding="utf-8-sig").replace("'=2+1", "3"), encoding="utf-8-sig")
    assert ingest(ws, "feedback", [out]).stored == 1
