"""Readers: any supported source file → a stream of chunks of source columns.

Each chunk carries the 1-based data-row numbers of its rows (so an error can name the
row a user sees in the file) and the rows that could not even be split into columns
(a truncated last line, a stray delimiter). Readers never interpret values: typing and
checks happen in :mod:`valueloop.ingest.validate`, the same for every format.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from valueloop.errors import InputError
from valueloop.ingest import parquet, xlsx
from valueloop.ingest.csvscan import PatchedCsv, QuoteScan, scan_quotes
from valueloop.ingest.encoding import ascii_compatible, detect_encoding
from valueloop.spec.mapping import Mapping

CHUNK_ROWS = 200_000
CSV_BLOCK_BYTES = 16 << 20
FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


@dataclass(frozen=True)
class InvalidRow:
    row: int
    reason: str
    text: str
    values: dict[str, str | None] | None = None
    """The row's cells by column name when they are known, so a quarantine export can be fixed and
    ingested again with the same mapping; otherwise only ``text`` (the raw line) is kept."""


@dataclass
class Chunk:
    table: pa.Table
    rows: np.ndarray
    invalid: list[InvalidRow] = field(default_factory=list)


@dataclass
class Source:
    """An opened, checked source file: its format, header and how to stream it."""

    path: Path
    kind: str
    columns: tuple[str, ...]
    mapping: Mapping
    encoding: str = "utf-8"
    fields: tuple[str, ...] = ()
    """The target dataset's field names (empty: unknown, every column counts as used)."""

    def used_columns(self) -> set[str]:
        """Source columns some field reads; a problem in another column cannot change what is stored."""
        if not self.fields:
            return set(self.columns)
        mapped = (self.mapping.for_field(f, self.columns) for f in self.fields)
        return {c for fm in mapped if fm is not None for c in fm.sources}

    def chunks(self) -> Iterator[Chunk]:
        readers = {
            "csv": _csv_chunks,
            "xlsx": _xlsx_chunks,
            "parquet": _parquet_chunks,
            "json": _json_chunks,
            "jsonl": _jsonl_chunks,
        }
        return readers[self.kind](self)


def open_source(path: Path, mapping: Mapping, fields: Iterable[str] = ()) -> Source:
    """Check that ``path`` exists and is readable, detect its format and read its header.

    ``fields`` (the target dataset's field names) lets a typed format refuse a column that cannot fill one.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file (a directory, device or pipe)")
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"{path}: unsupported file type {path.suffix!r} (csv, xlsx, parquet, json, jsonl)")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: file is empty (no header row)")
    header = {
        "csv": _csv_header,
        "xlsx": _xlsx_header,
        "parquet": _parquet_header,
        "json": _json_header,
        "jsonl": _json_header,
    }[kind]
    source = Source(path, kind, (), mapping, fields=tuple(fields))
    try:
        source.columns = header(source)
    except OSError as err:
        raise InputError(f"{path}: cannot read file ({err.strerror or err})") from err
    duplicated = sorted({c for c in source.columns if source.columns.count(c) > 1})
    if duplicated:
        raise InputError(f"{path}: duplicated column names in the header: {', '.join(duplicated)}")
    if kind == "parquet":
        parquet.check_nested(path, mapping, fields)
    return source


def _delimiter(source: Source) -> str:
    if source.mapping.delimiter:
        return source.mapping.delimiter
    return "\t" if source.path.suffix.lower() == ".tsv" else ","


def _csv_header(source: Source) -> tuple[str, ...]:
    source.encoding = detect_encoding(source.path, source.mapping.encoding)
    with open(source.path, encoding=source.encoding, errors="replace", newline="") as fh:
        first = fh.readline().lstrip("\ufeff")
    header = next(csv.reader([first.rstrip("\r\n")], delimiter=_delimiter(source)), [])
    names = tuple(h.strip() for h in header)
    if not any(names):
        raise InputError(f"{source.path}: the first line is not a header row")
    for number, name in enumerate(names, start=1):
        if "\x00" in name:
            raise InputError(f"{source.path}: header column {number} contains a NUL byte ({name!r})")
        if not name:
            trailing = " (the header ends with a delimiter)" if number == len(names) else ""
            raise InputError(f"{source.path}: header column {number} has no name{trailing}; name every column")
    return names


def _csv_quotes(source: Source) -> QuoteScan:
    """Lines opening a quote never properly closed (only in encodings where bytes can be scanned)."""
    if not ascii_compatible(source.encoding):
        return QuoteScan()
    return scan_quotes(source.path, source.encoding, _delimiter(source), len(source.columns))


def _closed_quote_cells(text: str, source: Source) -> dict[str, str | None] | None:
    """The cells of a line whose last field opens a quote, read as if the quote were closed at the line end.

    Only when that gives the header's width (the usual case: a comment column starting with a
    stray ``"``); the raw line is kept beside them as ``_line``. Otherwise None (the line only).
    """
    cells = next(csv.reader([text + '"'], delimiter=_delimiter(source)), [])
    if len(cells) != len(source.columns):
        return None
    return {**dict(zip(source.columns, cells, strict=True)), "_line": text}


def _csv_chunks(source: Source) -> Iterator[Chunk]:
    invalid: list[InvalidRow] = []
    quotes = _csv_quotes(source)

    def on_invalid(row: Any) -> str:
        data_row = (row.number or 0) - 1
        bad = quotes.bad_for(row.text)
        if bad is not None:
            reason = f"unbalanced quote starting at line {bad.line}"
            invalid.append(InvalidRow(data_row, reason, bad.text, _closed_quote_cells(bad.text, source)))
            return "skip"
        invalid.append(
            InvalidRow(data_row, f"expected {row.expected_columns} columns, found {row.actual_columns}", row.text)
        )
        return "skip"

    delimiter = _delimiter(source)
    stream = PatchedCsv(source.path, quotes, delimiter, len(source.columns)) if quotes.bad else source.path
    reader = pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(
            use_threads=False,
            block_size=CSV_BLOCK_BYTES,
            encoding=source.encoding,
            column_names=list(source.columns),
            skip_rows=1,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, invalid_row_handler=on_invalid, newlines_in_values=quotes.multiline
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in source.columns},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    valid_before = sent = 0
    try:
        for batch in reader:
            table = pa.Table.from_batches([batch])
            # Arrow may parse ahead and report a bad row while this generator is suspended: the rows
            # handed out are counted now, not after the yield, or such a row would be in no chunk.
            handed, sent = invalid[sent:], len(invalid)
            yield Chunk(table, _data_rows(valid_before, table.num_rows, invalid), handed)
            valid_before += table.num_rows
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        raise InputError(f"{source.path}: cannot parse as CSV ({source.encoding}): {err}") from err
    if invalid[sent:]:
        yield Chunk(_empty(source.columns), np.zeros(0, dtype=np.int64), invalid[sent:])


def _data_rows(valid_before: int, count: int, invalid: list[InvalidRow]) -> np.ndarray:
    """1-based data rows of the next ``count`` valid rows, stepping over the skipped ones."""
    skipped = np.array(sorted(r.row for r in invalid), dtype=np.int64)
    ordinals = np.arange(valid_before + 1, valid_before + count + 1, dtype=np.int64)
    return ordinals + np.searchsorted(skipped - np.arange(len(skipped)), ordinals, side="right")


def _empty(columns: tuple[str, ...]) -> pa.Table:
    return pa.table({c: pa.array([], pa.string()) for c in columns})


def _parquet_header(source: Source) -> tuple[str, ...]:
    return tuple(parquet.open_file(source.path).schema_arrow.names)


def _parquet_chunks(source: Source) -> Iterator[Chunk]:
    done = 0
    for batch in parquet.batches(source.path, CHUNK_ROWS):
        table = pa.Table.from_batches([batch])
        yield Chunk(table, np.arange(done + 1, done + table.num_rows + 1, dtype=np.int64))
        done += table.num_rows


def _cell_text(value: object) -> str | None:
    """A spreadsheet or JSON cell as the text a user would see (typing happens later)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _rows_to_chunk(columns: tuple[str, ...], records: list[list[str | None]], first_row: int) -> Chunk:
    arrays = {c: pa.array([r[i] if i < len(r) else None for r in records], pa.string()) for i, c in enumerate(columns)}
    rows = np.arange(first_row, first_row + len(records), dtype=np.int64)
    return Chunk(pa.table(arrays), rows)


def _open_sheet(source: Source) -> tuple[Any, Any]:
    book = xlsx.open_book(source.path)
    try:
        return book, xlsx.choose_sheet(source.path, book, source.mapping.sheet)
    except BaseException:
        book.close()  # a refused workbook is not left open (a ResourceWarning otherwise)
        raise


def _xlsx_header(source: Source) -> tuple[str, ...]:
    book, sheet = _open_sheet(source)
    try:
        return xlsx.header(source.path, book, sheet, _cell_text)[1]
    finally:
        book.close()


def _xlsx_chunks(source: Source) -> Iterator[Chunk]:
    """Rows after the header, numbered as Excel numbers them; unreadable cells quarantine their row."""
    book, sheet = _open_sheet(source)
    try:
        start = xlsx.header(source.path, book, sheet, _cell_text)[0]
        merges = xlsx.Merges(source.path, sheet)
        used = [c in source.used_columns() for c in source.columns]
        for batch in xlsx.row_batches(source.path, book, sheet, CHUNK_ROWS):
            records: list[list[str | None]] = []
            rows: list[int] = []
            invalid: list[InvalidRow] = []
            for number, values in batch:
                merged = merges.problems(number, values)
                if number <= start or all(v is None for v in values):
                    continue
                problem = xlsx.problem(source.columns, values, merged, used)
                if problem:
                    cells = xlsx.row_cells(source.columns, values, _cell_text)
                    invalid.append(InvalidRow(number, problem, json.dumps(cells, ensure_ascii=False), cells))
                else:
                    records.append([None if isinstance(v, xlsx.Unreadable) else _cell_text(v) for v in values])
                    rows.append(number)
            yield _json_chunk(source.columns, records, rows, invalid)
    finally:
        book.close()


def _json_records(source: Source) -> Iterator[tuple[int, dict[str, Any] | InvalidRow]]:
    """(data row, record or why it is unusable) for a JSON array or a JSON Lines file."""
    encoding = "utf-8-sig" if source.encoding == "utf-8" else source.encoding  # detected as for CSV
    try:
        if source.kind == "json" and _first_char(source.path, encoding) == "[":
            yield from _json_array(source, encoding)
            return
        with open(source.path, encoding=encoding) as fh:
            for row, line in enumerate((line for line in fh if line.strip()), start=1):
                try:
                    item = _json_loads(line)
                except json.JSONDecodeError as err:
                    yield row, InvalidRow(row, f"invalid JSON: {err.msg}", line[:200])
                    continue
                yield row, item if isinstance(item, dict) else InvalidRow(row, "not a JSON object", line[:200])
    except UnicodeDecodeError as err:
        raise InputError(f"{source.path}: not {source.encoding} text; set `encoding:` in the mapping") from err


def _json_loads(text: str) -> Any:
    """JSON with its non-integer numbers kept as the text the file holds (``1e309``, ``1.50``,
    ``NaN``), so they are checked and stored like the same text in a CSV: a float would turn
    ``1e309`` into ``inf`` in the message, and ``1.50`` into ``1.5`` in a text field."""
    return json.loads(text, parse_float=str, parse_constant=str)


def _json_array(source: Source, encoding: str) -> Iterator[tuple[int, dict[str, Any] | InvalidRow]]:
    try:
        items = _json_loads(source.path.read_text(encoding=encoding))
    except json.JSONDecodeError as err:
        raise InputError(f"{source.path}: invalid JSON at line {err.lineno}: {err.msg}") from err
    for i, item in enumerate(items, start=1):
        yield i, item if isinstance(item, dict) else InvalidRow(i, "not a JSON object", json.dumps(item)[:200])


def _first_char(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, errors="replace") as fh:
        return fh.read(4096).lstrip()[:1]


def _json_header(source: Source) -> tuple[str, ...]:
    """Every field name of every record: a field first seen late in the file is a column all the same."""
    source.encoding = detect_encoding(source.path, source.mapping.encoding)
    names: dict[str, None] = {}
    for _, item in _json_records(source):
        if isinstance(item, dict):
            names.update(dict.fromkeys(item))
    if not names:
        raise InputError(f"{source.path}: no JSON objects found")
    return tuple(names)


def _json_chunks(source: Source) -> Iterator[Chunk]:
    records: list[list[str | None]] = []
    rows: list[int] = []
    invalid: list[InvalidRow] = []
    for row, item in _json_records(source):
        if isinstance(item, InvalidRow):
            invalid.append(item)
            continue
        records.append([_cell_text(item.get(c)) for c in source.columns])
        rows.append(row)
        if len(records) == CHUNK_ROWS:
            yield _json_chunk(source.columns, records, rows, invalid)
            records, rows, invalid = [], [], []
    yield _json_chunk(source.columns, records, rows, invalid)


def _json_chunk(
    columns: tuple[str, ...], records: list[list[str | None]], rows: list[int], invalid: list[InvalidRow]
) -> Chunk:
    chunk = _rows_to_chunk(columns, records, 1)
    return Chunk(chunk.table, np.array(rows, dtype=np.int64), invalid)


_jsonl_chunks = _json_chunks
