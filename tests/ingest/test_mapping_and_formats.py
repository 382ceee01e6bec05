"""Mappings from real-looking exports, and every supported file format."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_ingest_csv import stored

from conftest import CliRun, write
from valueloop.errors import SpecError
from valueloop.ingest.service.ingest import ingest
from valueloop.ingest.suggest import match_columns
from valueloop.store.workspace import Workspace

CRM_EXPORT = (
    "工单编号,网点,日期,时间,首次响应时间,机器人解决,处理状态,备注\n"
    "T001,B01,2026/03/01,09:15,2026/03/01 09:20,是,已解决,-\n"
    "T002,B01,2026/03/01,10:00,0:00:00,否,处理中,无\n"
    "T003,B02,2026/03/02,23:59,2026/03/03 00:10,否,已解决,N/A\n"
)
CRM_MAPPING = """
dataset: interactions
timezone: Asia/Shanghai
datetime_formats: ["%Y/%m/%d %H:%M"]
fields:
  interaction_id: 工单编号
  entity_id: 网点
  opened_at: {columns: [日期, 时间]}
  first_response_at: {column: 首次响应时间, null_values: ["0:00:00"]}
  resolved_by_bot: {column: 机器人解决, values: {是: true, 否: false}}
  category: {column: 处理状态, values: {已解决: resolved, 处理中: open}}
  channel: {constant: phone}
"""


def test_crm_export_through_a_mapping(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "crm.csv", CRM_EXPORT, "gbk")
    m = write(tmp_path / "crm.yaml", CRM_MAPPING)
    s = ingest(ws, "interactions", [f], m)
    assert (s.read, s.stored, s.quarantined) == (3, 3, 0), s.errors
    rows = stored(ws)
    assert [r["resolved_by_bot"] for r in rows] == [True, False, False]
    assert [r["category"] for r in rows] == ["resolved", "open", "resolved"]
    assert {r["channel"] for r in rows} == {"phone"}
    assert rows[1]["first_response_at"] is None  # "0:00:00" means never
    assert str(rows[0]["opened_at"]) == "2026-03-01 01:15:00+00:00"
    assert str(rows[2]["first_response_at"]) == "2026-03-02 16:10:00+00:00"


def test_mapping_errors_name_the_yaml_path(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "crm.csv", CRM_EXPORT)
    bad = write(tmp_path / "bad.yaml", "fields:\n  opened_at: {column: a, constant: b}\n  channel: {colum: x}\n")
    with pytest.raises(SpecError, match=r"(?s)bad\.yaml:2: fields\.opened_at.*bad\.yaml:3: fields\.channel"):
        ingest(ws, "interactions", [f], bad)
    wrong = write(tmp_path / "wrong.yaml", "dataset: feedback\n")
    with pytest.raises(SpecError, match="not 'interactions'"):
        ingest(ws, "interactions", [f], wrong)


def test_suggest_mapping_from_chinese_header(ws: Workspace, tmp_path: Path, cli: CliRun) -> None:
    columns = ("工单编号", "网点", "创建时间", "坐席工号", "满意度", "机器人解决")
    assert match_columns("interactions", columns) == {
        "interaction_id": "工单编号",
        "entity_id": "网点",
        "opened_at": "创建时间",
        "agent_id": "坐席工号",
        "resolved_by_bot": "机器人解决",
    }
    f = write(
        tmp_path / "crm.csv",
        "工单编号,网点,创建时间,机器人解决\nT1,B1,2026-03-01 09:00,是\nT2,B1,2026-03-01 09:00,否\n",
        "gbk",
    )
    out = cli("mappings", "suggest", f, "interactions", check=True).stdout
    assert "encoding: gb18030" in out and "是: true" in out
    m = write(tmp_path / "m.yaml", out)
    assert ingest(ws, "interactions", [f], m).stored == 2


def _rows() -> list[dict[str, object]]:
    return [
        {"feedback_id": "F1", "submitted_at": "2026-03-01 09:00:00", "csat": 5, "kind": "survey", "text": "很好"},
        {"feedback_id": "F2", "submitted_at": "2026-03-01 10:00:00", "csat": 9, "kind": "survey", "text": "bad csat"},
        {
            "feedback_id": "F3",
            "submitted_at": "2026-03-02 10:00:00",
            "csat": 2,
            "kind": "complaint",
            "text": "退款太慢",
        },
    ]


def _xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(_rows()[0]))
    for r in _rows():
        sheet.append([datetime.fromisoformat(str(v)) if k == "submitted_at" else v for k, v in r.items()])
    book.save(path)
    return path


def _parquet(path: Path) -> Path:
    table = pa.Table.from_pylist(_rows())
    table = table.set_column(
        1, "submitted_at", pa.array([datetime.fromisoformat(str(r["submitted_at"])) for r in _rows()])
    )
    pq.write_table(table, path)
    return path


WRITERS = {
    "f.xlsx": _xlsx,
    "f.parquet": _parquet,
    "f.json": lambda p: write(p, json.dumps(_rows(), ensure_ascii=False)),
    "f.jsonl": lambda p: write(p, "\n".join(json.dumps(r, ensure_ascii=False) for r in _rows()) + "\n{broken\n"),
}


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_format(ws: Workspace, tmp_path: Path, name: str) -> None:
    path = WRITERS[name](tmp_path / name)
    s = ingest(ws, "feedback", [path])
    broken = 1 if name.endswith("jsonl") else 0
    assert (s.read, s.stored, s.quarantined) == (3 + broken, 2, 1 + broken), s.errors
    excel_row = 3 if name.endswith("xlsx") else 2  # a sheet's rows are numbered as Excel shows them
    assert (s.errors[0].row, s.errors[0].field) == (excel_row, "csat")
    assert "out of range 1..5" in s.errors[0].reason
    rows = stored(ws, "feedback")
    assert [r["text"] for r in rows] == ["很好", "退款太慢"]
    assert str(rows[0]["submitted_at"]) == "2026-03-01 01:00:00+00:00"


def test_suggest_mapping_from_a_header_without_rows(tmp_path: Path, cli: CliRun) -> None:
    f = write(tmp_path / "empty.csv", "工单编号,网点,创建时间\n")
    out = cli("mappings", "suggest", f, "interactions", check=True).stdout
    assert "interaction_id: 工单编号" in out and "entity_id: 网点" in out


def test_mapping_level_datetime_formats_are_used(ws: Workspace, tmp_path: Path) -> None:
    """`datetime_formats:` at the top of a mapping applies to every time field (it was ignored)."""
    f = write(tmp_path / "orders.csv", "Order ID,Order Date\nO1,03/01/2026 09:00\nO2,12/31/2026 23:30\n")
    m = write(
        tmp_path / "orders.yaml",
        'dataset: orders\ntimezone: UTC\ndatetime_formats: ["%m/%d/%Y %H:%M"]\n'
        "fields:\n  order_id: Order ID\n  ordered_at: Order Date\n",
    )
    s = ingest(ws, "orders", [f], m)
    assert (s.read, s.stored, s.quarantined) == (2, 2, 0), s.errors
    got = sorted(str(r["ordered_at"]) for r in stored(ws, "orders"))
    assert got == ["2026-03-01 09:00:00+00:00", "2026-12-31 23:30:00+00:00"]


def test_suggest_never_gives_an_exact_column_to_a_near_miss() -> None:
    """Header "Opened" is opened_at (a synonym), not `reopened` (a close spelling); "Steps Done" is steps_completed."""
    columns = ("Ticket", "Branch", "Opened", "Steps Required", "Steps Done")
    assert match_columns("interactions", columns) == {
        "interaction_id": "Ticket",
        "entity_id": "Branch",
        "opened_at": "Opened",
        "steps_required": "Steps Required",
        "steps_completed": "Steps Done",
    }


def test_suggest_reads_traditional_chinese_headers() -> None:
    """A Big5 export from Taiwan or Hong Kong is matched like a GBK one."""
    columns = ("回饋編號", "提交時間", "網點", "工單號", "客戶編號", "滿意度", "推薦度", "費力度", "評價內容")
    assert match_columns("feedback", columns) == {
        "feedback_id": "回饋編號",
        "submitted_at": "提交時間",
        "entity_id": "網點",
        "interaction_id": "工單號",
        "customer_id": "客戶編號",
        "csat": "滿意度",
        "nps": "推薦度",
        "ces": "費力度",
        "text": "評價內容",
    }


def test_suggest_names_the_date_format_the_values_decide(tmp_path: Path, cli: CliRun) -> None:
    """Slash dates no default format reads: day first when a day above 12 shows it, else a note to decide."""
    decided = write(tmp_path / "eu.csv", "Order ID,Order Date\nO1,03/01/2026 09:00\nO2,13/01/2026 09:00\n")
    out = cli("mappings", "suggest", decided, "orders", check=True).stdout
    assert "'%d/%m/%Y %H:%M'" in out and "month/day or day/month" not in out
    either = write(tmp_path / "us.csv", "Order ID,Order Date\nO1,03/01/2026 09:00\nO2,04/02/2026 09:00\n")
    out = cli("mappings", "suggest", either, "orders", check=True).stdout
    assert "# Order Date: dates such as '03/01/2026 09:00' can be month/day or day/month" in out
    plain = write(tmp_path / "iso.csv", "Order ID,Order Date\nO1,2026-03-01 09:00\n")
    assert "formats" not in cli("mappings", "suggest", plain, "orders", check=True).stdout
