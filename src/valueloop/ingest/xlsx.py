"""XLSX sheets read as Excel shows them: streaming, evaluating nothing, guessing nothing.

openpyxl's read-only mode gives a cell's formula *or* its saved value; a formula whose value
was never saved (a file written by a script, never opened in Excel) then reads as an empty
cell — a silent NULL. We stream the sheet once with openpyxl's own parser and keep both
facts, so such a cell (and an Excel error such as ``#DIV/0!``) is reported, not stored.
Rows carry Excel's row numbers, blank rows counted, so a quarantined row is the row a user
finds in Excel. The sheet is the mapping's ``sheet:``, else the only non-empty one: a
workbook with several non-empty sheets is refused with their names, never read by position.
A broken workbook or sheet XML is an :class:`InputError` naming the file, whatever openpyxl
raised (it raises many unrelated types).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from valueloop.errors import InputError

SAVE_HINT = "open and save the file in Excel, or export CSV"


@dataclass(frozen=True)
class Unreadable:
    """A cell whose value is not in the file: a formula never calculated, or an Excel error."""

    cell: str
    shown: str
    reason: str


Row = tuple[int, list[object]]
"""(Excel row number, cell values by column, ``None`` for empty or :class:`Unreadable`)."""


def open_book(path: Path) -> Any:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # style and extension notices about the file, not about its data
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many unrelated types for a broken file
        raise InputError(f"{path}: not a readable XLSX workbook: {_one_line(err)}") from err


def choose_sheet(path: Path, book: Any, name: str | None) -> Any:
    """The sheet named in the mapping, or the only non-empty sheet (refusing when there are several)."""
    if name is not None:
        if name not in book.sheetnames:
            raise InputError(f"{path}: no sheet {name!r} (sheets: {', '.join(book.sheetnames)})")
        return book[name]
    filled = [sheet for sheet in book.worksheets if _first_row(path, book, sheet) is not None]
    if len(filled) > 1:
        names = ", ".join(repr(s.title) for s in filled)
        raise InputError(
            f"{path}: the workbook has {len(filled)} non-empty sheets ({names}); "
            "name the one to read with `sheet:` in the mapping"
        )
    return filled[0] if filled else book.worksheets[0]


def _first_row(path: Path, book: Any, sheet: Any) -> Row | None:
    return next((r for batch in row_batches(path, book, sheet, 100) for r in batch if _filled(r[1])), None)


def header(path: Path, book: Any, sheet: Any, cell_text: Callable[[object], str | None]) -> tuple[int, tuple[str, ...]]:
    """(Excel row of the header, column names): the first non-empty row, trailing empty cells dropped."""
    first = _first_row(path, book, sheet)
    if first is None:
        raise InputError(f"{path}: sheet {sheet.title!r} is empty (no header row)")
    number, values = first
    bad = next((v for v in values if isinstance(v, Unreadable)), None)
    if isinstance(bad, Unreadable):
        raise InputError(f"{path}: header cell {bad.cell} {bad.reason}")
    while values and values[-1] is None:
        values = values[:-1]
    return number, tuple((cell_text(v) or "").strip() for v in values)


def row_batches(path: Path, book: Any, sheet: Any, size: int) -> Iterator[list[Row]]:
    """The rows of ``sheet`` present in its XML, ``size`` at a time, with Excel's row numbers."""
    rows = _rows(book, sheet)
    while True:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. a date serial out of range: the cell becomes an error, below
                batch = list(islice(rows, size))
        except InputError:
            raise
        except Exception as err:  # XML, zip and value errors of a damaged sheet
            raise InputError(f"{path}: sheet {sheet.title!r} is damaged: {_one_line(err)}") from err
        if not batch:
            return
        yield batch


def _rows(book: Any, sheet: Any) -> Iterator[Row]:
    """Rows with at least one cell in the sheet XML; relies on openpyxl's read-only worksheet internals."""
    parser_type = _parser_type()
    with sheet._get_source() as src:
        parser = parser_type(
            src,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            values: list[object] = [None] * max((c["column"] for c in cells), default=0)
            for c in cells:
                values[c["column"] - 1] = c["value"]
            yield number, values


class Merges:
    """Merged cells of a sheet: a cell under a merge reads empty while Excel shows the merge's value.

    The ranges sit after the rows in the sheet XML, so they are found first by a byte scan
    (far cheaper than parsing the XML twice). A hidden cell is only a problem when the
    merge's top-left cell has a value, which rows streamed in order always show first.
    """

    _REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')

    def __init__(self, path: Path, sheet: Any) -> None:
        self.hidden: dict[int, dict[int, str]] = {}
        self.tops: dict[tuple[int, int], str] = {}
        self.filled: set[str] = set()
        try:
            ranges = self._ranges(sheet)
        except Exception as err:  # zip and decompression errors of a damaged file
            raise InputError(f"{path}: sheet {sheet.title!r} is damaged: {_one_line(err)}") from err
        for c1, r1, c2, r2 in ranges:
            ref = f"{c1}{r1}:{c2}{r2}"
            first_col, last_col = column_number(c1), column_number(c2)
            self.tops[(r1, first_col)] = ref
            for row in range(r1, r2 + 1):
                cols = range(first_col + (row == r1), last_col + 1)
                self.hidden.setdefault(row, {}).update(dict.fromkeys(cols, ref))

    def _ranges(self, sheet: Any) -> set[tuple[str, int, str, int]]:
        found: set[tuple[str, int, str, int]] = set()
        tail = b""
        with sheet._get_source() as src:
            while block := src.read(1 << 20):
                data = tail + block
                found.update((m[1].decode(), int(m[2]), m[3].decode(), int(m[4])) for m in self._REF.finditer(data))
                tail = data[-256:]
        return found

    def problems(self, number: int, values: list[object]) -> list[str]:
        """Hidden cells of row ``number`` whose merge shows a value (call for every row, in order)."""
        if not self.tops:
            return []
        for col, v in enumerate(values, start=1):
            if v is not None and (number, col) in self.tops:
                self.filled.add(self.tops[(number, col)])
        hidden = self.hidden.get(number, {})
        return [
            f"cell {column_letter(col)}{number} is inside merged cells {ref}; unmerge and fill them in Excel, "
            "or export CSV"
            for col, ref in hidden.items()
            if ref in self.filled and (col > len(values) or values[col - 1] is None)
        ]


def problem(
    columns: tuple[str, ...], values: list[object], merged: Sequence[str] = (), used: Sequence[bool] = ()
) -> str | None:
    """Why a sheet row cannot be stored as sent: an unreadable cell, a merged cell, a value under no header.

    ``used`` marks the header columns a field reads: an unsaved formula or Excel error in a
    column nothing reads (a helper column such as ``=G2*2``) changes nothing that is stored,
    so it does not cost the row. Empty means every column is used.
    """
    reasons = [
        f"cell {v.cell} {v.reason}"
        for i, v in enumerate(values)
        if isinstance(v, Unreadable) and (not used or i >= len(used) or used[i])
    ] + list(merged)
    extra = [i for i, v in enumerate(values) if i >= len(columns) and v is not None]
    if extra:
        reasons.append(f"value in column {column_letter(extra[0] + 1)}, which has no header")
    return "; ".join(reasons) or None


def row_cells(
    columns: tuple[str, ...], values: list[object], cell_text: Callable[[object], str | None]
) -> dict[str, str | None]:
    """A quarantined row by header name (by column letter past the header), formulas shown."""
    names = [*columns, *(column_letter(i + 1) for i in range(len(columns), len(values)))]
    return {n: v.shown if isinstance(v, Unreadable) else cell_text(v) for n, v in zip(names, values, strict=False)}


def _filled(values: list[object]) -> bool:
    return any(v is not None and v != "" for v in values)


def _parser_type() -> type[Any]:
    """openpyxl's sheet parser, also telling a formula without a saved value from an empty cell."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            formula = element.find(FORMULA_TAG)
            # openpyxl writes formulas with an empty <v/>; only a text result may be saved as ""
            if formula is not None and not element.findtext(VALUE_TAG) and element.get("t") != "str":
                shown = "=" + formula.text if formula.text else "(shared formula)"
                cell["value"] = Unreadable(_where(cell), shown, f"is a formula without a saved value; {SAVE_HINT}")
            elif cell["data_type"] == "e":
                shown = str(cell["value"])
                cell["value"] = Unreadable(_where(cell), shown, f"holds the Excel error {shown}")
            return cell

    return Parser


def _where(cell: dict[str, Any]) -> str:
    return f"{column_letter(cell['column'])}{cell['row']}"


def column_number(letters: str) -> int:
    """The 1-based column number of Excel's column name (A → 1, AA → 27)."""
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def column_letter(number: int) -> str:
    """Excel's name of the 1-based column ``number`` (1 → A, 27 → AA)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text[:300]
