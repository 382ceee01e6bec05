"""Read the small CSV matrices the ``weights`` and ``rank`` commands take.

Kept out of the maths so that :mod:`valueloop.scoring` stays free of I/O. Cells may be
decimals or fractions (``1/3``, as people write AHP judgements); files may be UTF-8
with or without a BOM (Excel writes one), or GB18030 as Chinese Excel saves them.
Every error names the file, the line and the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from valueloop.errors import InputError

if TYPE_CHECKING:
    from valueloop.scoring.weights import FloatArray


@dataclass(frozen=True)
class Table:
    """A numeric table with its column names and (possibly empty) row labels."""

    columns: tuple[str, ...]
    labels: tuple[str, ...]
    values: FloatArray


def parse_number(text: str) -> float:
    """``'0.5'``, ``'3'`` or ``'1/3'`` as a float; ``ValueError`` otherwise."""
    cell = text.strip()
    if "/" in cell:
        top, _, bottom = cell.partition("/")
        denominator = float(bottom)
        if denominator == 0:
            raise ValueError("division by zero")
        return float(top) / denominator
    return float(cell)


def parse_list(text: str, what: str) -> list[float]:
    """A comma-separated list of numbers from the command line."""
    try:
        return [parse_number(part) for part in text.split(",")]
    except ValueError as err:
        raise InputError(f"{what} must be comma-separated numbers (got {text!r})") from err


def _is_number(text: str) -> bool:
    try:
        parse_number(text)
    except ValueError:
        return False
    return True


def split_names(text: str | None) -> list[str]:
    """A comma-separated list of names from the command line; none when not given."""
    return [] if not text else [name.strip() for name in text.split(",") if name.strip()]


def read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Non-blank rows, the header first, with the line each starts on."""
    from valueloop.ingest.user_table import read_user_table

    rows = [(row.line, list(row.values)) for row in read_user_table(path, header=False).rows]
    if len(rows) < 2:
        raise InputError(f"{path}: needs a header row and at least one data row")
    return rows


def _numbers(path: Path, line: int, cells: list[str], columns: tuple[str, ...]) -> list[float]:
    if len(cells) != len(columns):
        raise InputError(f"{path}: line {line} has {len(cells)} values, the header has {len(columns)}")
    out = []
    for name, cell in zip(columns, cells, strict=True):
        try:
            out.append(parse_number(cell))
        except ValueError:
            raise InputError(f"{path}: line {line}, column {name!r}: {cell!r} is not a number") from None
    return out


def read_labelled(path: Path) -> Table:
    """First column = row label (alternative or factor id), other columns numeric."""
    import numpy as np

    (_, header), *body = read_rows(path)
    columns = tuple(header[1:])
    if not columns:
        raise InputError(f"{path}: needs an id column and at least one value column")
    labels = tuple(cells[0] for _, cells in body)
    values = [_numbers(path, line, cells[1:], columns) for line, cells in body]
    return Table(columns, labels, np.asarray(values, dtype=np.float64))


def read_pairwise(path: Path) -> Table:
    """Header = criteria, then one row of judgements per criterion.

    A leading label column (``criterion,a,b,c`` / ``a,1,3,5``) is accepted too, as long
    as its labels repeat the header's criteria in order.
    """
    import numpy as np

    (_, header), *body = read_rows(path)
    if len(body) == len(header) - 1 and all(len(c) == len(header) and not _is_number(c[0]) for _, c in body):
        columns = tuple(header[1:])
        for (line, cells), name in zip(body, columns, strict=True):
            if cells[0] != name:
                raise InputError(f"{path}: line {line} is labelled {cells[0]!r}, expected {name!r}")
        body = [(line, cells[1:]) for line, cells in body]
    else:
        columns = tuple(header)
    values = [_numbers(path, line, cells, columns) for line, cells in body]
    if len(values) != len(columns):
        raise InputError(f"{path}: {len(columns)} criteria in the header but {len(values)} rows of judgements")
    return Table(columns, columns, np.asarray(values, dtype=np.float64))
