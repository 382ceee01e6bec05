"""Map one chunk of source columns onto a canonical dataset and check every row.

The result splits the chunk: rows that pass every check, typed exactly as the
dataset's Arrow schema, and one :class:`RowError` per problem found in the others. A
row with any problem is quarantined whole, never stored half-right.
"""

from __future__ import annotations

import hashlib
import json
import math
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from valueloop.errors import InputError
from valueloop.ingest.cells import UNESCAPE_PATTERN
from valueloop.ingest.coerce import convert, lower, value_bytes
from valueloop.ingest.readers import Chunk
from valueloop.spec.datasets import Dataset, Field
from valueloop.spec.mapping import FieldMapping, Mapping

NUL_REASON = "contains a NUL byte (\\x00)"
Errors = list[tuple[np.ndarray, str, list[str]]]


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str


@dataclass
class CheckedChunk:
    good: pa.Table
    good_rows: np.ndarray
    errors: list[RowError]
    bad_raw: dict[int, str]
    """Source row number → the row's raw values as JSON, for quarantine."""


def check_columns(
    dataset: Dataset, mapping: Mapping, columns: tuple[str, ...], file: str, hashed: str | None = None
) -> None:
    """Fail before any row is read when a required field or a mapped column is missing.

    ``hashed``: the key field made from the row's content (:func:`content_hash`), so not read from the file.
    """
    problems = []
    order = {f.name: i for i, f in enumerate(dataset.fields)}
    for name in dataset.required:
        if name != hashed and mapping.for_field(name, columns) is None:
            problems.append(f"missing required column {name!r}")
    for name, fm in mapping.fields.items():
        if name not in dataset.by_name:
            problems.append(f"mapping names unknown field {name!r} of {dataset.name}")
        problems += [f"mapped column {c!r} (for {name}) not in the header" for c in fm.sources if c not in columns]
        if fm.after is not None and fm.after not in order:
            problems.append(f"{name}: rollover after unknown field {fm.after!r}")
        elif fm.after is not None and name in order and order[fm.after] >= order[name]:
            problems.append(f"{name}: rollover after {fm.after}, which must come before {name} in {dataset.name}")
    if problems:
        raise InputError(f"{file}: " + "; ".join(problems))


def check_chunk(chunk: Chunk, dataset: Dataset, mapping: Mapping, tz: str, hashed: str | None = None) -> CheckedChunk:
    """Every field of ``dataset`` from the chunk, typed and checked; ``hashed``: the key made from content."""
    source = chunk.table
    columns: dict[str, pa.Array] = {}
    sent: dict[str, pa.Array] = {}
    errors: list[tuple[np.ndarray, str, list[str]]] = []
    for field in dataset.fields:
        if field.name == hashed:
            continue
        fm = mapping.for_field(field.name, tuple(source.column_names))
        shown, raw = _source_values(source, fm, field, mapping, errors)
        sent[field.name] = shown
        converted = convert(raw, field.kind, _formats(fm, mapping), tz)
        for mask, template in converted.problems:
            _flag(errors, mask, field.name, shown, template)
        columns[field.name] = converted.values
        if fm is not None and fm.rollover == "next_day":
            columns[field.name] = next_day(converted.values, columns.get(fm.after or ""))
        typed = _check_values(columns[field.name], field, errors)
        if field.required and typed.null_count:
            missing = pc.is_null(typed).to_numpy(zero_copy_only=False) & ~converted.bad()
            _flag(errors, missing, field.name, shown, "required value is missing")
        columns[field.name] = typed
    if hashed is not None:
        columns = {hashed: content_hash(columns), **columns}
        columns = {f.name: columns[f.name] for f in dataset.fields}
    for check in dataset.order_checks:
        later, earlier = columns[check.later], columns[check.earlier]
        wrong = pc.fill_null(pc.less(later, earlier), False).to_numpy(zero_copy_only=False)
        verb = "is before" if pa.types.is_timestamp(later.type) else "is less than"
        _flag_pair(errors, wrong, (check.later, sent[check.later]), verb, (check.earlier, sent[check.earlier]))
    return _split(chunk, pa.table(columns, schema=dataset.schema.remove_metadata()), errors)


def _formats(fm: FieldMapping | None, mapping: Mapping) -> tuple[str, ...]:
    """The field's own date formats first, then the mapping's ``datetime_formats`` (then the defaults, in coerce)."""
    return (*(fm.formats if fm else ()), *mapping.datetime_formats)


def _source_values(
    source: pa.Table, fm: FieldMapping | None, field: Field, mapping: Mapping, errors: Errors
) -> tuple[pa.Array, pa.Array]:
    """(the file's own text, for errors; the cleaned values to convert) of one field.

    Each source column is cleaned (trimmed, null sentinels removed) *before* several are
    joined, so ``0:00:00`` in a time column is no time rather than midnight; a joined
    timestamp with a part missing is missing, a joined text keeps the parts it has.
    """
    n = source.num_rows
    if fm is None:
        return pa.nulls(n, pa.string()), pa.nulls(n, pa.string())
    if fm.constant is not None:
        value = str(fm.constant).lower() if isinstance(fm.constant, bool) else str(fm.constant)
        constant = pa.array([value] * n, pa.string())
        return constant, _clean(constant, field, fm, mapping)
    arrays = [_as_array(source.column(c)) for c in fm.sources]
    for a in arrays:
        if pa.types.is_string(a.type):
            _flag(errors, _has_nul(a), field.name, a, NUL_REASON)
    if len(arrays) == 1:
        return arrays[0], _clean(arrays[0], field, fm, mapping)
    texts = [pc.cast(a, pa.string()) for a in arrays]
    shown = join_present(texts, fm.separator)
    cleaned = [_clean(t, field, fm, mapping, values=False) for t in texts]
    if field.kind == "timestamp":
        joined = pc.binary_join_element_wise(*cleaned, fm.separator, null_handling="emit_null")
    else:
        joined = join_present(cleaned, fm.separator)
    return shown, _map_values(joined, field, fm)


def join_present(parts: list[pa.Array], separator: str) -> pa.Array:
    """The parts present in each row joined by ``separator``; null where none is.

    Not Arrow's ``null_handling="skip"``: in pyarrow 26 it drops a row whose parts are all
    null, so the result is shorter than its inputs.
    """
    out = parts[0]
    for part in parts[1:]:
        both = pc.binary_join_element_wise(out, part, separator, null_handling="emit_null")
        out = pc.if_else(pc.is_null(out), part, pc.if_else(pc.is_null(part), out, both))
    return out


def next_day(values: pa.Array, start: pa.Array | None) -> pa.Array:
    """``values`` moved one day later where they are earlier than ``start`` (a time-only column
    that crossed midnight: exit 00:02:10 after entry 23:58:40 on the same date)."""
    if start is None or not pa.types.is_timestamp(values.type):
        return values
    earlier = pc.fill_null(pc.less(values, start), False)
    return pc.if_else(earlier, pc.add(values, pa.scalar(86_400_000_000, pa.duration("us"))), values)


def content_hash(columns: dict[str, pa.Array]) -> pa.Array:
    """A stable key from a row's typed values: 32 hex digits of a BLAKE2b over ``name=value`` of
    every present field, in order. A missing value adds nothing, so the key of a record stays the
    same when a mapping later adds own fields (null in the rows already stored)."""
    n = len(next(iter(columns.values()))) if columns else 0
    parts = [
        pc.binary_join_element_wise(pa.array([name] * n, pa.string()), pc.cast(v, pa.string()), "=")
        for name, v in columns.items()
    ]
    if not parts:
        return pa.array([], pa.string())
    joined = join_present(parts, "\x1f").to_pylist()
    digests = [hashlib.blake2b((t or "").encode("utf-8"), digest_size=16).hexdigest() for t in joined]
    return pa.array(digests, pa.string())


def _as_array(column: pa.ChunkedArray) -> pa.Array:
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return as_plain_string(array)


def as_plain_string(array: pa.Array) -> pa.Array:
    """Text in any Arrow spelling (large_string, string_view, dictionary-encoded) as plain ``string``.

    Parquet and Arrow files use all of them; without this they would skip trimming, null
    sentinels, value maps and the NUL check, which only look at ``string``.
    """
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_large_string(array.type) or pa.types.is_string_view(array.type):
        array = pc.cast(array, pa.string())
    return array


def _has_nul(text: pa.Array) -> np.ndarray:
    """A NUL byte is never data: it truncates text in C tools and databases downstream.

    Rows are searched only when the column's byte buffer holds a NUL at all: its least byte,
    read in place (no copy of the buffer), is 0.
    """
    data = text.buffers()[2]
    if data is None or data.size == 0 or np.frombuffer(data, dtype=np.uint8).min() > 0:
        return np.zeros(len(text), dtype=bool)
    return np.asarray(pc.fill_null(pc.match_substring(text, "\x00"), False).to_numpy(zero_copy_only=False))


def _clean(raw: pa.Array, field: Field, fm: FieldMapping | None, mapping: Mapping, *, values: bool = True) -> pa.Array:
    """Drop a spreadsheet's text mark (``'=x`` → ``=x``), trim, turn null sentinels into nulls, apply the value map."""
    if not pa.types.is_string(raw.type):
        return raw
    if pc.any(pc.starts_with(raw, "'")).as_py():  # a regex over every cell costs ~50 ms per million
        raw = pc.replace_substring_regex(raw, UNESCAPE_PATTERN, r"\1")
    text = pc.utf8_trim_whitespace(raw) if _may_need_trim(raw) else raw
    sentinel = _null_sentinels(text, (*mapping.nulls, *(fm.null_values if fm else ())))
    if sentinel is not None:
        text = pc.if_else(sentinel, pa.scalar(None, pa.string()), text)
    return _map_values(text, field, fm) if values else text


def _map_values(text: pa.Array, field: Field, fm: FieldMapping | None) -> pa.Array:
    """The mapping's value map (``{是: true}``), then lower case for a field with a fixed set of values."""
    if fm and fm.values:
        keys = pa.array(list(fm.values), pa.string())
        targets = pa.array(
            [None if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in fm.values.values()],
            pa.string(),
        )
        idx = pc.index_in(text, value_set=keys)
        text = pc.if_else(pc.is_valid(idx), pc.take(targets, idx), text)
    if field.allowed:
        text = lower(text)
    return text


def _null_sentinels(text: pa.Array, nulls: tuple[str, ...]) -> pa.Array | None:
    """Rows whose value is one of ``nulls`` (None: no row is), looked up only where one could be.

    A value can only be a sentinel if it is no longer than the longest one and starts with a
    byte one starts with; in most columns (ids, times, words, numbers) few or no values do, and
    a hash lookup of every value was most of the cost of cleaning a column.
    """
    offsets_buffer, data = text.buffers()[1:3]  # a plain string array (``_clean`` returns early otherwise)
    if offsets_buffer is None or len(text) == 0:
        return None
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[text.offset : text.offset + len(text) + 1]
    lengths = np.diff(offsets)
    longest, first_bytes = _sentinel_shape(nulls)
    maybe = lengths <= longest
    filled = np.flatnonzero(maybe & (lengths > 0))
    if len(filled) and data is not None:
        starts = np.frombuffer(data, dtype=np.uint8)[offsets[filled]]
        maybe[filled[~first_bytes[starts]]] = False
    idx = np.flatnonzero(maybe)
    if not len(idx):
        return None
    value_set = pa.array(nulls, pa.string())
    if len(idx) > len(text) // 4:
        return pc.is_in(text, value_set=value_set)
    hits = idx[pc.is_in(text.take(pa.array(idx)), value_set=value_set).to_numpy(zero_copy_only=False)]
    if not len(hits):
        return None
    mask = np.zeros(len(text), dtype=bool)
    mask[hits] = True
    return pa.array(mask)


@cache
def _sentinel_shape(nulls: tuple[str, ...]) -> tuple[int, np.ndarray]:
    """(longest byte length, which first bytes occur) of the null sentinels."""
    encoded = [n.encode() for n in nulls]
    first_bytes = np.zeros(256, dtype=bool)
    first_bytes[[e[0] for e in encoded if e]] = True
    return max((len(e) for e in encoded), default=0), first_bytes


def _may_need_trim(text: pa.Array) -> bool:
    """Whether trimming could change a value: not when no byte is whitespace or non-ASCII.

    Every whitespace character is a byte ≤ 0x20 (space, tab, line breaks, \\x1c-\\x1f) or part of a
    multi-byte character (U+3000, U+00A0). Two passes over the bytes cost far less than trimming
    every value; text with inner spaces (times, names) is only searched for one at an edge.
    """
    data = value_bytes(text)
    if not data.size:  # every value empty
        return False
    if int(data.max()) >= 0x7F:
        return True
    least = int(data.min())
    if least > 0x20:
        return False
    if least < 0x20:
        return True
    return bool(pc.any(pc.starts_with(text, " ")).as_py() or pc.any(pc.ends_with(text, " ")).as_py())


def _check_values(typed: pa.Array, field: Field, errors: list[tuple[np.ndarray, str, list[str]]]) -> pa.Array:
    if field.allowed:
        bad = pc.and_(pc.is_valid(typed), pc.invert(pc.is_in(typed, value_set=pa.array(field.allowed))))
        _flag(
            errors,
            bad.to_numpy(zero_copy_only=False),
            field.name,
            typed,
            f"{{!r}} is not one of {', '.join(field.allowed)}",
        )
    if field.minimum is not None or field.maximum is not None:
        lo = -np.inf if field.minimum is None else field.minimum
        hi = np.inf if field.maximum is None else field.maximum
        inside = pc.and_(
            pc.greater_equal(typed, _bound(typed, lo, math.ceil)), pc.less_equal(typed, _bound(typed, hi, math.floor))
        )
        bad = pc.invert(pc.fill_null(inside, True)).to_numpy(zero_copy_only=False)
        _flag(errors, bad, field.name, typed, f"{{!r}} is out of range {_fmt(lo)}..{_fmt(hi)}")
    if field.zone:
        known = pc.is_in(typed, value_set=_zone_names())
        bad = pc.and_(pc.is_valid(typed), pc.invert(known)).to_numpy(zero_copy_only=False)
        _flag(errors, bad, field.name, typed, "{!r} is not an IANA time zone (e.g. Asia/Shanghai)")
    return typed


@cache
def _zone_names() -> pa.Array:
    """Every IANA zone name this machine's tz database knows (the names :class:`zoneinfo.ZoneInfo` accepts)."""
    return pa.array(sorted(zoneinfo.available_timezones()), pa.string())


def _bound(typed: pa.Array, x: float, rounding: Callable[[float], int]) -> pa.Scalar:
    """A range bound in the values' own type: int64 values compared as floats would be rounded (or refused).

    ``rounding`` is ``math.ceil`` for a lower bound and ``math.floor`` for an upper one.
    """
    if not pa.types.is_integer(typed.type):
        return pa.scalar(x, pa.float64())
    info = np.iinfo(np.int64)
    return pa.scalar(
        int(min(max(rounding(x), info.min), info.max)) if np.isfinite(x) else (info.max if x > 0 else info.min),
        typed.type,
    )


def _fmt(x: float) -> str:
    return "" if np.isinf(x) else f"{x:g}"


def _flag(
    errors: list[tuple[np.ndarray, str, list[str]]], mask: np.ndarray, field: str, values: pa.Array, template: str
) -> None:
    """Record ``template`` (with the offending value) for every row where ``mask`` is set."""
    idx = np.flatnonzero(mask)
    if len(idx):
        shown = pc.cast(pc.take(values, pa.array(idx)), pa.string()).to_pylist()
        errors.append((idx, field, [template.format(v) for v in shown]))


def _flag_pair(
    errors: list[tuple[np.ndarray, str, list[str]]],
    mask: np.ndarray,
    later: tuple[str, pa.Array],
    verb: str,
    earlier: tuple[str, pa.Array],
) -> None:
    """An order check's reason with both values as the file gave them (local time, not the stored UTC)."""
    idx = np.flatnonzero(mask)
    if len(idx):
        take = pa.array(idx)
        a, b = (pc.cast(pc.take(v, take), pa.string()).to_pylist() for _, v in (later, earlier))
        reasons = [f"{later[0]} {x!r} {verb} {earlier[0]} {y!r}" for x, y in zip(a, b, strict=True)]
        errors.append((idx, later[0], reasons))


def _raw_rows(table: pa.Table, idx: np.ndarray) -> list[dict[str, object]]:
    """The source values of rows ``idx``, as they were sent (text types made plain so any type can be taken)."""
    if len(idx) == 0:
        return []
    plain = pa.table({name: _as_array(table.column(name)) for name in table.column_names})
    rows: list[dict[str, object]] = plain.take(pa.array(idx, pa.int64())).to_pylist()
    return rows


def _split(chunk: Chunk, typed: pa.Table, errors: list[tuple[np.ndarray, str, list[str]]]) -> CheckedChunk:
    bad = np.zeros(typed.num_rows, dtype=bool)
    row_errors: list[RowError] = []
    for idx, field, reasons in errors:
        bad[idx] = True
        row_errors += [RowError(int(chunk.rows[i]), field, r) for i, r in zip(idx, reasons, strict=True)]
    if bad.any() and len(chunk.rows) > len(np.unique(chunk.rows)):
        bad = np.isin(chunk.rows, chunk.rows[bad])  # rows from one source row (turns) go together
    bad_idx = np.flatnonzero(bad)
    raw_rows = _raw_rows(chunk.table, bad_idx)
    bad_raw = {
        int(chunk.rows[i]): json.dumps(r, ensure_ascii=False, default=str)
        for i, r in zip(bad_idx, raw_rows, strict=True)
    }
    for inv in chunk.invalid:
        row_errors.append(RowError(inv.row, "(row)", inv.reason))
        cells = inv.values if inv.values is not None else {"_line": inv.text}
        bad_raw[inv.row] = json.dumps(cells, ensure_ascii=False)
    row_errors.sort(key=lambda e: e.row)
    if not len(bad_idx):  # the usual chunk: nothing to take out, no copy of every column
        return CheckedChunk(typed, chunk.rows, row_errors, bad_raw)
    return CheckedChunk(typed.filter(pa.array(~bad)), chunk.rows[~bad], row_errors, bad_raw)
