"""Small tables a user hands to one command: a series to check, judgements to weigh, texts to read.

Ingest streams large files into the lake through :mod:`valueloop.ingest.readers`; the files
behind a single analysis (an SPC series, an AHP matrix, reviews to train on, a contacts
list) are small and read whole. They still deserve the same reading: the encoding detected
as ingest detects it (UTF-8 with or without BOM, GB18030/GBK, Big5 — Excel on Chinese
Windows writes GBK), quoted cells that span lines, XLSX sheets as Excel shows them, JSON
Lines, and every problem named by file and line. One reader, so a file that one command
accepts another does not refuse.

Cells are text exactly as written but for surrounding whitespace; empty cells are ``""``.
Blank rows are skipped; a row's ``line`` is the line (CSV, JSON Lines) or Excel row where it starts.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from valueloop.errors import InputError

MAX_BYTES = 64 << 20
"""Larger files belong in the lake (``valueloop ingest``), not in one command's memory."""
FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}


@dataclass(frozen=True)
class TableRow:
    """One data row: where it starts in the file and its cells in header order."""

    line: int
    values: tuple[str, ...]


@dataclass(frozen=True)
class UserTable:
    """A small user table: its file, header and non-blank data rows."""

    path: Path
    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]

    def index(self, name: str) -> int:
        """The position of column ``name`` (case and surrounding spaces ignored); an InputError naming what exists."""
        wanted = name.strip().lower()
        for i, column in enumerate(self.columns):
            if column.strip().lower() == wanted:
                return i
        found = ", ".join(self.columns) or "no header"
        raise InputError(f"{self.path}: no column {name!r} (columns: {found})")

    def require(self, names: Sequence[str]) -> dict[str, int]:
        """Positions of every named column; one error listing all the missing ones."""
        have = {c.strip().lower(): i for i, c in enumerate(self.columns)}
        missing = [n for n in names if n.strip().lower() not in have]
        if missing:
            found = ", ".join(self.columns) or "no header"
            raise InputError(f"{self.path}: missing column(s) {', '.join(missing)} (found: {found})")
        return {n: have[n.strip().lower()] for n in names}

    def column(self, name: str) -> list[str]:
        i = self.index(name)
        return [row.values[i] for row in self.rows]

    def records(self) -> list[dict[str, str]]:
        """Rows as ``{column: cell}`` (for callers that go on to pandas or pydantic)."""
        return [dict(zip(self.columns, row.values, strict=True)) for row in self.rows]


def read_user_table(path: Path, *, header: bool = True, keep_blank: bool = False) -> UserTable:
    """Read a small CSV/TSV, XLSX, JSON Lines or JSON array file; problems are InputErrors with file and line.

    ``header=False`` keeps the first row as data (``columns`` is then empty); a matrix whose
    header row is part of the judgements is read this way. ``keep_blank`` keeps rows whose cells
    are all empty (a text command answers each row, an empty text included); empty lines still go.
    """
    kind = FORMATS.get(path.suffix.lower(), "csv")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read file ({err.strerror or err})") from err
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    if size > MAX_BYTES:
        raise InputError(f"{path}: {size:,} bytes is more than this command reads ({MAX_BYTES:,}); ingest it instead")
    lines = {"csv": _csv_lines, "xlsx": _xlsx_lines, "jsonl": _jsonl_lines, "json": _json_lines}[kind](path)
    raw = [(line, tuple(v.strip() for v in values)) for line, values in lines]
    raw = [(line, values) for line, values in raw if (values if keep_blank else any(values))]
    if not header:
        return UserTable(path, (), tuple(TableRow(line, values) for line, values in raw))
    if not raw:
        raise InputError(f"{path}: file is empty (no header row)")
    (_, columns), *body = raw
    columns = _trim(columns)
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise InputError(f"{path}: duplicated column names in the header: {', '.join(duplicated)}")
    rows = []
    for line, values in body:
        if len(values) > len(columns) and any(values[len(columns) :]):
            raise InputError(f"{path}: line {line} has {len(_trim(values))} values, the header has {len(columns)}")
        padded = values[: len(columns)] + ("",) * (len(columns) - len(values))
        rows.append(TableRow(line, padded))
    return UserTable(path, columns, tuple(rows))


def _trim(values: tuple[str, ...]) -> tuple[str, ...]:
    end = len(values)
    while end and not values[end - 1]:
        end -= 1
    return values[:end]


def _text(path: Path) -> str:
    from valueloop.ingest.encoding import detect_encoding

    encoding = detect_encoding(path, remedy="save the file as UTF-8 (or GBK/GB18030, Big5)")
    try:
        return path.read_bytes().decode(encoding).removeprefix("\ufeff")
    except OSError as err:
        raise InputError(f"{path}: cannot read file ({err.strerror or err})") from err


def _csv_lines(path: Path) -> Iterator[tuple[int, tuple[str, ...]]]:
    text = _text(path)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or ("\t" in first and "," not in first) else ","
    if delimiter == "," and ";" in first and "," not in first:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for values in reader:
            yield start, tuple(values)
            start = reader.line_num + 1
    except csv.Error as err:
        raise InputError(f"{path}: line {start}: not valid CSV ({err})") from err


def _xlsx_lines(path: Path) -> Iterator[tuple[int, tuple[str, ...]]]:
    from valueloop.ingest import xlsx

    book = xlsx.open_book(path)
    try:
        sheet = xlsx.choose_sheet(path, book, None)
        for batch in xlsx.row_batches(path, book, sheet, 1000):
            for number, values in batch:
                bad = next((v for v in values if isinstance(v, xlsx.Unreadable)), None)
                if isinstance(bad, xlsx.Unreadable):
                    raise InputError(f"{path}: row {number}, cell {bad.cell} {bad.reason}")
                yield number, tuple(_cell(v) for v in values)
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _jsonl_lines(path: Path) -> Iterator[tuple[int, tuple[str, ...]]]:
    objects = []
    for number, line in enumerate(_text(path).splitlines(), 1):
        if line.strip():
            objects.append((number, _object(path, number, _loads(path, number, line))))
    yield from _as_rows(objects)


def _json_lines(path: Path) -> Iterator[tuple[int, tuple[str, ...]]]:
    data = _loads(path, 1, _text(path))
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON array of objects")
    yield from _as_rows([(i, _object(path, i, item)) for i, item in enumerate(data, 1)])


def _loads(path: Path, number: int, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: line {number + err.lineno - 1}: not valid JSON ({err.msg})") from err


def _object(path: Path, number: int, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InputError(f"{path}: line {number}: expected a JSON object, found {type(item).__name__}")
    return item


def _as_rows(objects: list[tuple[int, dict[str, Any]]]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Objects as rows under the union of their keys, in first-seen order (the header line is 0)."""
    columns: dict[str, None] = {}
    for _, item in objects:
        columns.update(dict.fromkeys(item))
    yield 0, tuple(columns)
    for number, item in objects:
        yield number, tuple(_json_cell(item.get(c)) for c in columns)


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
