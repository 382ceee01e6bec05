"""The spreadsheet formula rule: which cells are neutralised, and that reading undoes it exactly."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from valueloop.ingest.cells import append_text_row, neutralise, neutralise_row, unescape


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+cmd", "'+1+cmd"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),
        ("-5", "-5"),
        ("+1.5e3", "+1.5e3"),
        ("Desk 1 - north", "Desk 1 - north"),
        ("it's", "it's"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_evaluate_gets_the_text_mark(value: str, expected: str) -> None:
    assert neutralise(value) == expected


def test_only_text_changes() -> None:
    assert neutralise_row([-3.5, -2, None, True, "=x"]) == [-3.5, -2, None, True, "'=x"]


@given(st.text(alphabet="=+-@'\t\r x1.e", max_size=8) | st.text())
def test_unescape_inverts_neutralise(text: str) -> None:
    assert unescape(str(neutralise(text))) == text


def test_xlsx_rows_hold_text_not_formulas() -> None:
    book = Workbook()
    sheet = book.active
    append_text_row(sheet, ["=1+1", -1, "@A1", "-1+2", "name"])
    buf = io.BytesIO()
    book.save(buf)
    [cells] = load_workbook(io.BytesIO(buf.getvalue())).active.iter_rows()
    assert [c.data_type for c in cells] == ["s", "n", "s", "s", "s"]
    assert [c.value for c in cells] == ["'=1+1", -1, "'@A1", "'-1+2", "name"]
