"""What a sample of a source file says about its columns: types, date + time pairs, a key.

Operational logs rarely match a canonical dataset: a call log has a ``date`` column and
several time-of-day columns (``vru_entry``, ``q_start`` …), durations in seconds, an outcome,
and a call id that may or may not be unique. :mod:`valueloop.ingest.suggest` uses these
findings to propose ``columns: [date, time]`` pairs, ``extra:`` fields with their types, and
a key, each with the reason, for a person to review. Everything here reads only the sample.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from valueloop.ingest.coerce import convert, to_timestamp
from valueloop.spec.datasets import FieldKind

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%y%m%d", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%Y", "%d-%m-%Y")
"""Date-only spellings tried on a column that looks like dates (the first that reads every value wins)."""
CLOCK = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
DURATION_WORDS = ("time", "duration", "wait", "secs", "seconds", "length", "handle", "talk", "hold", "dwell", "aht")
"""Name parts that make a column of whole numbers or ``H:MM:SS`` a duration rather than a count or a clock."""
OUTCOME_WORDS = ("outcome", "result", "status", "disposition", "resolution")
MAX_KEY_COLUMNS = 3


@dataclass(frozen=True)
class Column:
    """One source column as the sample shows it."""

    name: str
    values: tuple[str, ...]
    """Distinct non-empty sampled values, as text."""
    kind: str
    """date | clock | timestamp | integer | number | boolean | duration | string | empty"""
    date_format: str | None = None


def field_name(column: str) -> str:
    """A source column's name as a field name: lower case, runs of other characters as ``_``.

    >>> field_name("vru+line"), field_name("Call Type"), field_name("2nd try")
    ('vru_line', 'call_type', 'f_2nd_try')
    """
    name = re.sub(r"[^a-z0-9]+", "_", column.strip().lower()).strip("_") or "column"
    return name if name[0].isalpha() else f"f_{name}"


def _words(name: str) -> set[str]:
    return set(re.split(r"[^a-z]+", name.lower()))


def looks_like_duration(name: str) -> bool:
    return bool(_words(name) & set(DURATION_WORDS))


CLOCK_WORDS = ("start", "end", "begin", "entry", "exit", "open", "opened", "close", "closed", "arrival", "in", "out",
               "of", "day", "date", "at", "")  # fmt: skip


def clock_is_duration(name: str) -> bool:
    """Whether ``H:MM:SS`` values in column ``name`` are a duration rather than a time of day.

    >>> [clock_is_duration(n) for n in ("wait", "q_time", "talk time", "time", "start time", "vru_entry")]
    [True, True, True, False, False, False]
    """
    words = _words(name)
    if words & (set(DURATION_WORDS) - {"time"}):
        return True
    return "time" in words and not words - {"time"} <= set(CLOCK_WORDS) and not words & set(CLOCK_WORDS) - {""}


def looks_like_outcome(name: str) -> bool:
    return bool(_words(name) & set(OUTCOME_WORDS))


def profile(name: str, values: Sequence[str]) -> Column:
    """The kind of a column from its distinct non-empty sampled values.

    Numbers, yes/no words, times and durations are judged by the converters ingest reads
    with (:mod:`valueloop.ingest.coerce`), so a suggestion never proposes a type the same
    values then fail (``1,234`` and full-width ``１２`` are integers here as there).
    """
    vals = tuple(v for v in values if v.strip())
    if not vals:
        return Column(name, vals, "empty")
    text = pa.array(vals, pa.string())
    if all(CLOCK.match(v) for v in vals):
        return Column(name, vals, "duration" if clock_is_duration(name) else "clock")
    date_format = _date_format(text)
    if date_format is not None:
        return Column(name, vals, "date", date_format)
    if _reads_as(text, "int"):
        return Column(name, vals, "duration" if looks_like_duration(name) else "integer")
    if _reads_as(text, "float"):
        return Column(name, vals, "number")
    if len(vals) <= 2 and _reads_as(text, "bool"):
        return Column(name, vals, "boolean")
    if _reads_as(text, "timestamp"):
        return Column(name, vals, "timestamp")
    if looks_like_duration(name) and _reads_as(text, "duration_s"):
        return Column(name, vals, "duration")
    return Column(name, vals, "string")


def _reads_as(text: pa.Array, kind: FieldKind) -> bool:
    """Whether ingest would read every value as ``kind`` (naive times as UTC)."""
    return not convert(pc.utf8_trim_whitespace(text), kind, (), "UTC").bad().any()


def _date_format(text: pa.Array) -> str | None:
    """The date-only format that reads every value (None: not a date column).

    Six-digit numbers read as ``%y%m%d`` only when every one is a real date (990801); plain
    counts such as 120000 are not.
    """
    for fmt in DATE_FORMATS:
        if to_timestamp(text, (fmt,), "UTC").values.null_count:
            continue
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        if parsed.null_count == 0:
            return fmt
    return None


TYPE_OF_KIND = {"integer": "integer", "number": "number", "boolean": "boolean", "timestamp": "timestamp",
                "duration": "duration_s", "clock": "timestamp", "date": "timestamp", "string": "string",
                "empty": "string"}  # fmt: skip
"""A profiled kind → the type name an ``extra:`` field gets."""


@dataclass(frozen=True)
class KeyProposal:
    columns: tuple[str, ...]
    """() means: no column identifies a row; let the key be a hash of the row's content."""
    reason: str


def propose_key(table: pa.Table, first: str | None, columns: dict[str, Column]) -> KeyProposal:
    """A key that is unique in the sample, with the reason.

    ``first`` (the column matched to the key) alone if unique; else the smallest unique
    combination of it with other short columns (ids, dates, times, codes: never free text or
    measurements); with no matched column, an id-like column (``…id``, ``…no``, ``ticket`` …)
    unique in the sample; else none: the key is a hash of each row's content.
    """
    n = table.num_rows
    if n == 0:
        return KeyProposal((first,) if first else (), "the file has no rows to check a key against")
    if first is not None and _unique(table, (first,)):
        return KeyProposal((first,), f"{first} is unique in the {n} sampled rows")
    if first is None:
        ids = [c for c in columns if _words(c) & set(ID_WORDS) and _unique(table, (c,))]
        if ids:
            return KeyProposal((ids[0],), f"{ids[0]} is unique in the {n} sampled rows")
    else:
        others = [c for c, col in columns.items() if c != first and _short(col)]
        for size in range(1, MAX_KEY_COLUMNS):
            for combo in itertools.combinations(others, size):
                if _unique(table, (first, *combo)):
                    cols = (first, *combo)
                    return KeyProposal(cols, f"{first} repeats in the {n} sampled rows; {' + '.join(cols)} "
                                             "is the smallest unique combination")  # fmt: skip
    why = f"{first} repeats in the {n} sampled rows and no combination with it is unique" if first else "no id column"
    return KeyProposal((), f"{why}: the key is a hash of each row's content (ingesting the file again is safe)")


ID_WORDS = ("id", "no", "number", "code", "key", "ref", "reference", "ticket", "uuid")


def _short(column: Column) -> bool:
    """Whether a column can be part of a key: not free text, not a measurement."""
    if column.kind in ("number", "duration", "boolean", "empty"):
        return False
    return column.kind != "string" or max((len(v) for v in column.values), default=0) <= 40


def _unique(table: pa.Table, columns: tuple[str, ...]) -> bool:
    part = table.select(list(columns))
    if any(part.column(c).null_count for c in columns):
        return False
    return bool(part.group_by(list(columns)).aggregate([]).num_rows == table.num_rows)
