"""The one reader of small user tables: what each command that takes a file can rely on."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from valueloop.errors import InputError
from valueloop.ingest.user_table import read_user_table


def test_gbk_csv_with_a_quoted_cell_over_two_lines_keeps_its_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_bytes('评分,评论\n5,"房间很干净，\n早餐不错"\n1,前台态度差\n'.encode("gbk"))
    table = read_user_table(path)
    assert table.columns == ("评分", "评论")
    assert [(r.line, r.values) for r in table.rows] == [(2, ("5", "房间很干净，\n早餐不错")), (4, ("1", "前台态度差"))]


def test_bom_blank_rows_short_rows_and_case_insensitive_columns(tmp_path: Path) -> None:
    path = tmp_path / "series.csv"
    path.write_bytes("\ufeffTimestamp , Value\n2026-01-01,1\n\n,\n2026-01-02\n".encode())
    table = read_user_table(path)
    at = table.require(("timestamp", "value"))
    assert at == {"timestamp": 0, "value": 1}
    assert [(r.line, r.values) for r in table.rows] == [(2, ("2026-01-01", "1")), (5, ("2026-01-02", ""))]


def test_tab_and_semicolon_separated(tmp_path: Path) -> None:
    tsv = tmp_path / "a.tsv"
    tsv.write_text("a\tb\n1\t2\n")
    semi = tmp_path / "b.csv"
    semi.write_text("a;b\n1;2\n")
    assert read_user_table(tsv).records() == read_user_table(semi).records() == [{"a": "1", "b": "2"}]


def test_xlsx_rows_are_excel_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["value", "note"])
    sheet.append([3.0, "ok"])
    sheet.append([None, None])
    sheet.append([2.5, "慢"])
    path = tmp_path / "s.xlsx"
    book.save(path)
    table = read_user_table(path)
    assert [(r.line, r.values) for r in table.rows] == [(2, ("3", "ok")), (4, ("2.5", "慢"))]
    sheet.append([1, "=1+1"])  # a formula never calculated has no value to read
    book.save(path)
    with pytest.raises(InputError, match=r"s\.xlsx: row 5, cell B5 is a formula without a saved value"):
        read_user_table(path)


def test_json_lines_union_of_keys_and_bad_line_named(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"text": "good", "label": 1}\n\n{"text": "bad", "extra": {"a": 1}}\n')
    table = read_user_table(path)
    assert table.columns == ("text", "label", "extra")
    assert [(r.line, r.values) for r in table.rows] == [(1, ("good", "1", "")), (3, ("bad", "", '{"a": 1}'))]
    path.write_text('{"text": "good"}\n{"text": \n')
    with pytest.raises(InputError, match=r"t\.jsonl: line 2: not valid JSON"):
        read_user_table(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"a,a\n1,2\n", "duplicated column names in the header: a"),
        (b"a,b\n1,2,3\n", "line 2 has 3 values, the header has 2"),
        (b"a\n\xe9\n", "cannot detect the text encoding"),
        (b'a,b\n1,"open\n', "not valid CSV"),
    ],
)
def test_problems_name_the_file_and_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        read_user_table(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_missing_columns_are_listed_with_what_exists(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("time,val\n1,2\n")
    with pytest.raises(InputError, match=r"missing column\(s\) timestamp, value \(found: time, val\)"):
        read_user_table(path).require(("timestamp", "value"))
    with pytest.raises(InputError, match="no such file"):
        read_user_table(tmp_path / "nope.csv")
