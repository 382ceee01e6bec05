"""Turn source values into typed canonical values, vectorised with Arrow compute.

Each ``to_<kind>`` takes source text (already trimmed, null sentinels removed, value
maps applied) and returns the typed array plus a mask of values that were present but
could not be understood. Full-width digits and punctuation (１２３，．) are folded by
NFKC first; thousands separators are dropped from numbers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from valueloop.spec.datasets import ARROW_TYPES, FieldKind

TRUE_WORDS = ("true", "t", "yes", "y", "1", "是", "对", "有", "真", "已解决", "√", "✓")
FALSE_WORDS = ("false", "f", "no", "n", "0", "否", "错", "假", "未解决", "×", "✗")
INT_PATTERN = r"^[+-]?\d+(\.0*)?$"
FLOAT_PATTERN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
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

Converted = tuple[pa.Array, np.ndarray]
EARLIEST = pa.scalar(datetime(1900, 1, 1, tzinfo=UTC), ARROW_TYPES["timestamp"])
LATEST = pa.scalar(datetime(2101, 1, 1, tzinfo=UTC), ARROW_TYPES["timestamp"])


def fold(text: pa.Array) -> pa.Array:
    """NFKC-fold text meant as a number, flag or date (full-width → ASCII); ASCII text is left alone."""
    if pc.all(pc.string_is_ascii(text)).as_py() is not False:
        return text
    return pc.utf8_normalize(text, "NFKC")


def _bad(text: pa.Array, result: pa.Array) -> np.ndarray:
    """Present in the source, absent after conversion: a value we could not read."""
    present = pc.is_valid(text).to_numpy(zero_copy_only=False)
    missing = pc.is_null(result).to_numpy(zero_copy_only=False)
    return np.asarray(present & missing)


def _numeric_text(text: pa.Array, pattern: str) -> pa.Array:
    cleaned = pc.replace_substring(pc.replace_substring(fold(text), ",", ""), " ", "")
    ok = pc.match_substring_regex(cleaned, pattern)
    return pc.if_else(ok, cleaned, pa.scalar(None, pa.string()))


def to_int(text: pa.Array) -> Converted:
    numeric = _numeric_text(text, INT_PATTERN)
    result = pc.cast(pc.cast(numeric, pa.float64()), pa.int64())
    return result, _bad(text, result)


def to_float(text: pa.Array) -> Converted:
    result = pc.cast(_numeric_text(text, FLOAT_PATTERN), pa.float64())
    return result, _bad(text, result)


def to_bool(text: pa.Array) -> Converted:
    lowered = pc.utf8_lower(fold(text))
    is_true = pc.is_in(lowered, value_set=pa.array(TRUE_WORDS))
    is_false = pc.is_in(lowered, value_set=pa.array(FALSE_WORDS))
    result = pc.if_else(is_true, True, pc.if_else(is_false, pa.scalar(False), pa.scalar(None, pa.bool_())))
    return result, _bad(text, result)


def to_timestamp(text: pa.Array, formats: tuple[str, ...], tz: str) -> Converted:
    """Parse with each format in turn (mixed formats in one column are common), then ISO 8601."""
    folded = fold(text)
    parsed = pa.nulls(len(folded), pa.timestamp("us"))
    for fmt in (*formats, *DEFAULT_DATETIME_FORMATS):
        todo = pc.and_(pc.is_valid(folded), pc.is_null(parsed))
        if not pc.any(todo).as_py():
            break
        attempt = _reject_rollover(folded, pc.strptime(folded, format=fmt, unit="us", error_is_null=True), fmt)
        parsed = pc.coalesce(parsed, attempt)
    parsed = _iso_fallback(folded, parsed, tz)
    local = pc.assume_timezone(parsed, timezone=tz, ambiguous="earliest", nonexistent="earliest")
    result = pc.cast(local, ARROW_TYPES["timestamp"])
    plausible = pc.and_(pc.greater_equal(result, EARLIEST), pc.less(result, LATEST))
    result = pc.if_else(pc.fill_null(plausible, True), result, pa.scalar(None, result.type))
    return result, _bad(text, result)


_FORMAT_PARTS = {
    "%Y": r"\d{4}",
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
    parts = re.split(r"(%[YmdHMS])", fmt)
    return "^" + "".join(_FORMAT_PARTS.get(p, re.escape(p)) for p in parts if p)


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
    """ISO 8601 with fractions or offsets, one by one: only rows no format matched get here."""
    todo = np.flatnonzero(pc.and_(pc.is_valid(text), pc.is_null(parsed)).to_numpy(zero_copy_only=False))
    if len(todo) == 0:
        return parsed
    zone = ZoneInfo(tz)
    values = parsed.to_pylist()
    for i in todo:
        try:
            stamp = datetime.fromisoformat(str(text[int(i)].as_py()).replace("/", "-"))
        except ValueError:
            continue
        values[i] = stamp.astimezone(zone).replace(tzinfo=None) if stamp.tzinfo else stamp
    return pa.array(values, pa.timestamp("us"))


def to_timestamp_typed(values: pa.Array, tz: str) -> Converted:
    """Already a timestamp (Parquet, Arrow): attach the zone if naive, then to UTC."""
    if values.type.tz is None:
        values = pc.assume_timezone(values, timezone=tz, ambiguous="earliest", nonexistent="earliest")
    result = pc.cast(values, ARROW_TYPES["timestamp"])
    return result, np.zeros(len(result), dtype=bool)


def convert(values: pa.Array, kind: FieldKind, formats: tuple[str, ...], tz: str) -> Converted:
    """Source values of any Arrow type → the canonical type of ``kind``."""
    target = ARROW_TYPES[kind]
    if values.type == target:
        return values, np.zeros(len(values), dtype=bool)
    if kind == "timestamp" and pa.types.is_timestamp(values.type):
        return to_timestamp_typed(values, tz)
    if kind in ("int", "float") and (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)):
        values = pc.cast(values, pa.string())
    text = values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
    if kind == "string":
        return text, np.zeros(len(text), dtype=bool)
    if kind == "int":
        return to_int(text)
    if kind == "float":
        return to_float(text)
    if kind == "bool":
        return to_bool(text)
    return to_timestamp(text, formats, tz)
