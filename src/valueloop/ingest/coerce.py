"""Turn source values into typed canonical values, vectorised with Arrow compute.

``convert`` takes one source column (text already trimmed, null sentinels removed, value
maps applied; or a typed Parquet/Arrow column) and returns the typed array plus, for each
kind of problem, the rows that have it and why. Text and typed columns end in the same
checks (:func:`_checked`): a number must be finite, a time must lie in 1900–2100, an
integer must fit int64 exactly — whatever format the file was. Full-width digits and
punctuation (１２３，．) are folded by NFKC first; thousands separators are dropped.
Integers never pass through float (2^53 + 1 stays 2^53 + 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from valueloop.ingest.zones import localize
from valueloop.spec.datasets import ARROW_TYPES, FieldKind

TRUE_WORDS = ("true", "t", "yes", "y", "1", "是", "对", "有", "真", "已解决", "√", "✓")
FALSE_WORDS = ("false", "f", "no", "n", "0", "否", "错", "假", "未解决", "×", "✗")
INT_PATTERN = r"^[+-]?\d+(\.0*)?$"
FLOAT_PATTERN = r"(?i)^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)$"
DEFAULT_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%Y%m%d %H%M%S",
    "%Y%m%d",
)

EARLIEST = pa.scalar(datetime(1900, 1, 1, tzinfo=UTC), ARROW_TYPES["timestamp"])
LATEST = pa.scalar(datetime(2101, 1, 1, tzinfo=UTC), ARROW_TYPES["timestamp"])
IMPLAUSIBLE = "{!r} is not a plausible time (outside the years 1900–2100)"
NOT_FINITE = "{!r} is not a finite number"
OUT_OF_INT64 = "{!r} is out of the int64 range"
INT64_MAX = 2**63 - 1

Problem = tuple[np.ndarray, str]
"""Rows with one kind of problem (a boolean mask) and why: a template where ``{!r}`` is the source value."""


@dataclass(frozen=True)
class Converted:
    values: pa.Array
    problems: tuple[Problem, ...] = ()

    def bad(self) -> np.ndarray:
        """Rows with any problem (their value is null in ``values``)."""
        out = np.zeros(len(self.values), dtype=bool)
        for mask, _ in self.problems:
            out |= mask
        return out


def convert(values: pa.Array, kind: FieldKind, formats: tuple[str, ...], tz: str) -> Converted:
    """Source values of any Arrow type → the canonical type of ``kind``, with every problem found."""
    typed = _from_typed(values, kind, tz)
    if typed is None:
        text = values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
        typed = _from_text(text, kind, formats, tz)
    return _checked(typed, values, kind)


def _from_text(text: pa.Array, kind: FieldKind, formats: tuple[str, ...], tz: str) -> Converted:
    if kind == "string":
        return Converted(text)
    if kind == "int":
        return to_int(text)
    if kind == "float":
        return to_float(text)
    if kind == "bool":
        return to_bool(text)
    if kind == "duration_s":
        return to_duration(text)
    return to_timestamp(text, formats, tz)


def _from_typed(values: pa.Array, kind: FieldKind, tz: str) -> Converted | None:
    """A typed source column (Parquet, Arrow) converted without a detour through text; None: read as text."""
    t = values.type
    if t == ARROW_TYPES[kind]:
        return Converted(values)
    if kind == "timestamp" and pa.types.is_timestamp(t):
        return to_timestamp_typed(values, tz)
    if kind in ("int", "duration_s") and pa.types.is_integer(t):
        return _int_to_int64(values)
    if kind in ("int", "duration_s") and pa.types.is_floating(values.type):
        return _float_to_int(pc.cast(values, pa.float64()))
    if kind == "float" and (pa.types.is_integer(t) or pa.types.is_floating(t)):
        return Converted(pc.cast(values, pa.float64(), safe=False))
    return None


def _checked(converted: Converted, source: pa.Array, kind: FieldKind) -> Converted:
    """The checks every value of ``kind`` passes, read from text or typed: finite numbers, plausible times."""
    values = converted.values
    if kind == "float":
        problem = _mask(pc.invert(pc.is_finite(values)))
        template = NOT_FINITE
    elif kind == "timestamp":
        if _within(values, EARLIEST, LATEST):
            return converted
        problem = _mask(pc.invert(pc.and_(pc.greater_equal(values, EARLIEST), pc.less(values, LATEST))))
        template = IMPLAUSIBLE
    elif kind == "duration_s":
        problem = _mask(pc.less(values, 0))
        template = "{!r} is a negative duration"
    else:
        return converted
    if not problem.any():
        return converted
    return Converted(_null_where(values, problem), (*converted.problems, (problem, template)))


def _within(values: pa.Array, lo: pa.Scalar, hi: pa.Scalar) -> bool:
    """Whether every value lies in ``[lo, hi)``: one min/max pass, so a column that passes needs no mask."""
    bounds = pc.min_max(values)
    least, most = bounds["min"], bounds["max"]
    if not least.is_valid:
        return True
    return bool(pc.greater_equal(least, lo).as_py() and pc.less(most, hi).as_py())


def _mask(condition: pa.Array) -> np.ndarray:
    """True where ``condition`` is true (null counts as false)."""
    return np.asarray(pc.fill_null(condition, False).to_numpy(zero_copy_only=False), dtype=bool)


def _null_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    if not mask.any():
        return values
    return pc.if_else(pa.array(mask), pa.scalar(None, values.type), values)


def fold(text: pa.Array) -> pa.Array:
    """NFKC-fold text meant as a number, flag or date (full-width → ASCII); ASCII text is left alone."""
    return text if is_ascii(text) else pc.utf8_normalize(text, "NFKC")


def _bad(text: pa.Array, result: pa.Array) -> np.ndarray:
    """Present in the source, absent after conversion: a value we could not read."""
    if result.null_count == 0:
        return np.zeros(len(result), dtype=bool)
    present = pc.is_valid(text).to_numpy(zero_copy_only=False)
    missing = pc.is_null(result).to_numpy(zero_copy_only=False)
    return np.asarray(present & missing)


def _numeric_text(text: pa.Array, pattern: str) -> pa.Array:
    cleaned = pc.replace_substring(pc.replace_substring(fold(text), ",", ""), " ", "")
    ok = pc.match_substring_regex(cleaned, pattern)
    return pc.if_else(ok, cleaned, pa.scalar(None, pa.string()))


def to_int(text: pa.Array) -> Converted:
    """Whole numbers, parsed exactly as int64 (never through float); beyond int64 is refused, not rounded."""
    plain = _plain_integers(text)
    return Converted(plain) if plain is not None else _read_int(text)


def _read_int(text: pa.Array) -> Converted:
    """Any integer text: thousands separators, ``+``, ``12.00``, full-width digits; each problem named."""
    digits = _numeric_text(text, INT_PATTERN)
    if pc.any(pc.match_substring(digits, ".")).as_py():  # 12.00: whole, but not for Arrow's integer parser
        digits = pc.replace_substring_regex(digits, r"\.0*$", "")
    if pc.any(pc.starts_with(digits, "+")).as_py():
        digits = pc.replace_substring_regex(digits, r"^\+", "")
    too_big = np.zeros(len(text), dtype=bool)
    try:
        result = pc.cast(digits, pa.int64())
    except pa.ArrowInvalid:  # only when a value overflows: find which, the rest still parses
        too_big = _beyond_int64(digits)
        result = pc.cast(_null_where(digits, too_big), pa.int64())
    unreadable = _bad(text, result) & ~too_big
    non_finite = unreadable & _non_finite(text) if unreadable.any() else unreadable
    problems = (
        (too_big, OUT_OF_INT64),
        (non_finite, NOT_FINITE),
        (unreadable & ~non_finite, "cannot read {!r} as int"),
    )
    return Converted(result, problems)


def _plain_integers(text: pa.Array) -> pa.Array | None:
    """The usual column, read in one cast: every value ``-?\\d+`` and inside int64. None: take the long way.

    The bytes are checked first (digits, ``-``, ``.`` and ``/`` only), because Arrow's cast also
    reads what :data:`INT_PATTERN` refuses (``0x10`` is 16 to it). A value that is not ``-?\\d+`` after all
    (``5-3``) or overflows makes the cast fail, and the general path then names the rows.
    """
    data = value_bytes(text)
    if data.size and not (int(data.min()) >= ord("-") and int(data.max()) <= ord("9")):  # - . / 0-9
        return None
    try:
        return pc.cast(text, pa.int64())
    except pa.ArrowInvalid:
        return None


def value_bytes(text: pa.Array) -> np.ndarray:
    """The bytes of the values of ``text`` (a ``string`` array), read in place from Arrow's buffer.

    Bytes behind null slots, if the buffer holds any, are included: callers use this for a cheap
    "certainly not" (no byte outside a range), where an extra byte only costs the general path.
    """
    if text.type != pa.string():
        raise TypeError(f"value_bytes reads plain string arrays (32-bit offsets), not {text.type}")
    offsets_buffer, data = text.buffers()[1:3]
    if offsets_buffer is None or data is None or len(text) == 0:
        return np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[text.offset : text.offset + len(text) + 1]
    return np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]]


def is_ascii(text: pa.Array) -> bool:
    """Whether every value of ``text`` is ASCII (one pass over the bytes, no per-value work)."""
    data = value_bytes(text)
    return not data.size or int(data.max()) < 0x80


def _beyond_int64(digits: pa.Array) -> np.ndarray:
    """Integer literals (``-?\\d+``) outside int64, compared as text so nothing is rounded."""
    magnitude = pc.replace_substring_regex(digits, r"^-?0*", "")
    limit = pc.if_else(pc.starts_with(digits, "-"), "9223372036854775808", "9223372036854775807")
    length = pc.utf8_length(magnitude)
    longer = pc.greater(length, 19)
    as_long_and_larger = pc.and_(pc.equal(length, 19), pc.greater(magnitude, limit))
    return _mask(pc.or_(longer, as_long_and_larger))


def _non_finite(text: pa.Array) -> np.ndarray:
    """Text that reads as a number but not a finite one: inf, -Infinity, nan, 1e309."""
    numbers = pc.cast(_numeric_text(text, FLOAT_PATTERN), pa.float64())
    return _mask(pc.invert(pc.is_finite(numbers)))


def _int_to_int64(values: pa.Array) -> Converted:
    """Typed integers into an int field: only uint64 can hold values int64 cannot."""
    too_big = np.zeros(len(values), dtype=bool)
    if values.type == pa.uint64():
        too_big = _mask(pc.greater(values, pa.scalar(INT64_MAX, pa.uint64())))
    return Converted(pc.cast(_null_where(values, too_big), pa.int64()), ((too_big, OUT_OF_INT64),))


def _float_to_int(values: pa.Array) -> Converted:
    """Typed floats into an int field: whole, finite and inside int64, or refused with the reason."""
    non_finite = _mask(pc.invert(pc.is_finite(values)))
    outside = _mask(pc.greater_equal(pc.abs(values), float(2**63))) & ~non_finite
    fractional = _mask(pc.not_equal(pc.floor(values), values)) & ~non_finite
    bad = non_finite | outside | fractional
    result = pc.cast(_null_where(values, bad), pa.int64(), safe=False)
    return Converted(
        result, ((non_finite, NOT_FINITE), (outside, OUT_OF_INT64), (fractional, "cannot read {!r} as int"))
    )


def to_float(text: pa.Array) -> Converted:
    """Decimal numbers; inf/nan/1e309 are read here and refused by the finiteness check in :func:`_checked`."""
    result = pc.cast(_numeric_text(text, FLOAT_PATTERN), pa.float64())
    return Converted(result, ((_bad(text, result), "cannot read {!r} as float"),))


DURATION_PATTERN = r"^(?:(?:(?P<h>\d{1,9}):)?(?P<m>\d{1,9}):)?(?P<s>\d{1,15})(?:\.0*)?$"


def to_duration(text: pa.Array) -> Converted:
    """Whole seconds from ``H:MM:SS``, ``MM:SS`` or plain seconds (``1:02:03`` → 3723, ``75`` → 75).

    After a colon, seconds must be below 60 and so must minutes when hours are given (``1:75``
    is a typing error, not 135 s); hours may be any number (a 30-hour outage is ``30:00:00``).
    """
    parts = pc.extract_regex(pc.utf8_trim_whitespace(fold(text)), DURATION_PATTERN)
    given = [pc.struct_field(parts, [i]) for i in range(3)]
    h, m, sec = (pc.cast(pc.if_else(pc.equal(g, ""), "0", g), pa.int64()) for g in given)
    no_hours = pc.equal(given[0], "")
    inside = pc.or_(
        pc.invert(pc.match_substring(text, ":")),
        pc.and_(pc.less(sec, 60), pc.or_(pc.less(m, 60), no_hours)),
    )
    total = pc.add(pc.add(pc.multiply(h, 3600), pc.multiply(m, 60)), sec)
    result = pc.if_else(pc.fill_null(inside, False), total, pa.scalar(None, pa.int64()))
    return Converted(result, ((_bad(text, result), "cannot read {!r} as a duration (H:MM:SS, MM:SS or seconds)"),))


_BOOL_WORDS = pa.array((*TRUE_WORDS, *FALSE_WORDS))


def to_bool(text: pa.Array) -> Converted:
    """One lookup in the true words followed by the false ones: a position before the false ones is true."""
    lowered = lower(fold(text))
    position = pc.index_in(lowered, value_set=_BOOL_WORDS)
    result = pc.less(position, pa.scalar(len(TRUE_WORDS), position.type))
    return Converted(result, ((_bad(text, result), "cannot read {!r} as bool"),))


def lower(text: pa.Array) -> pa.Array:
    """Lower-case text; ASCII text (the usual) by the ASCII kernel, which is the same there and far cheaper."""
    return pc.ascii_lower(text) if is_ascii(text) else pc.utf8_lower(text)


def to_timestamp(text: pa.Array, formats: tuple[str, ...], tz: str) -> Converted:
    """Parse with each format in turn (mixed formats in one column are common), then ISO 8601."""
    parsed = None if formats else _plain_iso(text)
    if parsed is None:
        folded = fold(text)
        parsed = pa.nulls(len(folded), pa.timestamp("us"))
        for fmt in (*formats, *DEFAULT_DATETIME_FORMATS):
            todo = pc.and_(pc.is_valid(folded), pc.is_null(parsed))
            if not pc.any(todo).as_py():
                break
            attempt = _reject_rollover(folded, pc.strptime(folded, format=fmt, unit="us", error_is_null=True), fmt)
            parsed = pc.coalesce(parsed, attempt)
        parsed = _iso_fallback(folded, parsed, tz)
    result = pc.cast(localize(parsed, tz), ARROW_TYPES["timestamp"])
    return Converted(result, ((_bad(text, result), "cannot read {!r} as timestamp"),))


_PLAIN_ISO_LENGTHS = pa.array([10, 16, 19], pa.int32())
"""``2026-03-01``, ``2026-03-01 09:00`` and ``2026-03-01 09:00:00`` (or with ``T``): the usual export."""


def _plain_iso(text: pa.Array) -> pa.Array | None:
    """Naive local times, when every value is a plain ISO date or time; None: take the long way.

    Arrow's ISO cast reads these lengths only as ``YYYY-MM-DD``, ``YYYY-MM-DD[ T]hh:mm`` and
    ``YYYY-MM-DD[ T]hh:mm:ss`` — the values the default formats (then ISO 8601) give — and
    refuses a day or time that does not exist (no rollover to check) and any zone offset. It is
    several times cheaper than ``strptime``. One value it refuses sends the chunk the long way,
    which names the rows. Only without the mapping's own formats, which come first.
    """
    plain = pc.is_in(pc.binary_length(text), value_set=_PLAIN_ISO_LENGTHS)  # false for a null, which is fine
    if (pc.sum(plain).as_py() or 0) < len(text) - text.null_count:
        return None
    try:
        return pc.cast(text, pa.timestamp("us"))
    except pa.ArrowInvalid:
        return None


_FORMAT_PARTS = {
    "%Y": r"\d{4}",
    "%y": r"\d{2}",
    "%m": r"\d{1,2}",
    "%d": r"(?P<day>\d{1,2})",
    "%H": r"\d{1,2}",
    "%M": r"\d{1,2}",
    "%S": r"\d{1,2}",
}


@cache
def _day_pattern(fmt: str) -> str | None:
    """A regex that captures the day of month as ``fmt`` writes it (None if it has no day)."""
    if "%d" not in fmt:
        return None
    parts = re.split(r"(%.)", fmt)
    return "^" + "".join(_directive(p) if p.startswith("%") else re.escape(p) for p in parts if p)


def _directive(part: str) -> str:
    """A strptime directive as a regex: the usual digits, or any text for the rest (%b, %p, %z …)."""
    return _FORMAT_PARTS.get(part, re.escape("%") if part == "%%" else r".+?")


def _reject_rollover(text: pa.Array, parsed: pa.Array, fmt: str) -> pa.Array:
    """Arrow's strptime turns 2026-02-31 into 2026-03-03; a day the text does not state is no date.

    Only a rolled-over day lands on day 1–3, so only those rows are checked.
    """
    pattern = _day_pattern(fmt)
    suspect = np.flatnonzero(pc.fill_null(pc.less_equal(pc.day(parsed), 3), False).to_numpy(zero_copy_only=False))
    if pattern is None or len(suspect) == 0:
        return parsed
    idx = pa.array(suspect)
    stated = pc.cast(pc.struct_field(pc.extract_regex(pc.take(text, idx), pattern), [0]), pa.int64())
    same = pc.fill_null(pc.equal(stated, pc.day(pc.take(parsed, idx))), False).to_numpy(zero_copy_only=False)
    wrong = suspect[~same]
    if len(wrong) == 0:
        return parsed
    mask = np.zeros(len(parsed), dtype=bool)
    mask[wrong] = True
    return pc.if_else(pa.array(mask), pa.scalar(None, parsed.type), parsed)


def _iso_fallback(text: pa.Array, parsed: pa.Array, tz: str) -> pa.Array:
    """ISO 8601 with fractions or offsets, one by one: only rows no format matched get here.

    Only those rows go through Python ``datetime``: the others may hold years it cannot
    represent (year 0 parses in Arrow), which must end as one quarantined row, not an OverflowError.
    """
    todo = np.flatnonzero(pc.and_(pc.is_valid(text), pc.is_null(parsed)).to_numpy(zero_copy_only=False))
    if len(todo) == 0:
        return parsed
    zone = ZoneInfo(tz)
    values: list[datetime | None] = [None] * len(text)
    for i in todo:
        values[i] = _iso(str(text[int(i)].as_py()), zone)
    return pc.coalesce(parsed, pa.array(values, pa.timestamp("us")))


def _iso(text: str, zone: ZoneInfo) -> datetime | None:
    """One ISO 8601 time as naive local time in ``zone``; None if it is not one (or not representable)."""
    try:
        stamp = datetime.fromisoformat(text.replace("/", "-"))
        return stamp.astimezone(zone).replace(tzinfo=None) if stamp.tzinfo else stamp
    except (ValueError, OverflowError):
        return None


_TICKS_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_DAY = 86_400


def to_timestamp_typed(values: pa.Array, tz: str) -> Converted:
    """Already a timestamp (Parquet, Arrow): attach the zone if naive, then to UTC.

    Times far outside 1900–2100 are set aside first, in the source's own unit, so that
    converting the unit or the zone cannot overflow; :func:`_checked` then applies the exact bounds.
    """
    per_second = _TICKS_PER_SECOND[values.type.unit]
    ticks = pc.cast(values, pa.int64())
    lo = (int(EARLIEST.value) // 10**6 - _DAY) * per_second
    hi = (int(LATEST.value) // 10**6 + _DAY) * per_second
    far = _mask(pc.or_(pc.less(ticks, lo), pc.greater(ticks, hi)))
    values = _null_where(values, far)
    if values.type.tz is None:
        values = localize(values, tz)
    result = pc.cast(values, ARROW_TYPES["timestamp"], safe=False)  # nanoseconds: the lake keeps microseconds
    return Converted(result, ((far, IMPLAUSIBLE),))
