"""Naive local times → UTC, by one subtraction when the zone keeps one offset over the data's span.

Arrow's ``assume_timezone`` looks every value up in the zone's rules (about a third of the
cost of reading a time column). Most files span weeks or months of a zone with no change of
offset then (China has had none since 1991): every local time there is one instant, offset
by a constant. Whether a zone changes its offset within a span is read from its TZif file
(RFC 8536), the file Arrow and :mod:`zoneinfo` read too: its list of transitions, and its
footer rule, which adds daylight-saving transitions after the list ends when it names any.
Anything else — a transition in or near the span, a rule, a zone file that cannot be found
or read — takes Arrow's lookup, so the result is always what ``assume_timezone`` gives.
"""

from __future__ import annotations

import struct
import zoneinfo
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MARGIN_SECONDS = 2 * 86_400
"""Looked at on both sides of the span: more than any UTC offset (at most 26 hours), so an instant
whose local time lies in the span lies in the widened span."""
_HEADER = struct.Struct(">4sc15x6l")


@dataclass(frozen=True)
class _Rules:
    transitions: np.ndarray
    """UTC seconds at which the offset (or the zone's name or daylight flag) changes, ascending."""
    offsets: np.ndarray
    """Offset in seconds before the first transition, then from each transition on (one more than them)."""
    more_after: bool
    """The footer rule adds transitions after the last one listed (ongoing daylight saving time)."""

    def constant(self, start: int, end: int) -> int | None:
        """The offset in seconds if it is the same at every instant of [start, end] (UTC seconds), else None."""
        if self.more_after and (not len(self.transitions) or end >= self.transitions[-1]):
            return None
        first, last = np.searchsorted(self.transitions, [start, end], side="right")
        if first != last:
            return None
        return int(self.offsets[first])


def localize(naive: pa.Array, tz: str) -> pa.Array:
    """``naive`` (timestamps in ``tz``'s wall time) as instants: ``assume_timezone`` with 'earliest'."""
    offset = _constant_offset(naive, tz)
    if offset is None:
        return pc.assume_timezone(naive, timezone=tz, ambiguous="earliest", nonexistent="earliest")
    per_second = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[naive.type.unit]
    ticks = pc.subtract(pc.cast(naive, pa.int64()), pa.scalar(offset * per_second, pa.int64()))
    return pc.cast(ticks, pa.timestamp(naive.type.unit, tz=tz))


def _constant_offset(naive: pa.Array, tz: str) -> int | None:
    bounds = pc.min_max(pc.cast(naive, pa.int64()))
    if not bounds["min"].is_valid:
        return None
    per_second = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[naive.type.unit]
    start = bounds["min"].as_py() // per_second - MARGIN_SECONDS
    end = bounds["max"].as_py() // per_second + MARGIN_SECONDS
    rules = _rules(tz)
    return None if rules is None else rules.constant(start, end)


@cache
def _rules(tz: str) -> _Rules | None:
    data = _tzif(tz)
    if data is None:
        return None
    try:
        return _parse(data)
    except (struct.error, ValueError, IndexError):
        return None


def _tzif(tz: str) -> bytes | None:
    """The zone's TZif file, found as :mod:`zoneinfo` finds it (its search path, then the tzdata package)."""
    if not tz or tz.startswith("/") or ".." in tz.split("/"):
        return None
    for root in zoneinfo.TZPATH:
        path = Path(root) / tz
        if path.is_file():
            return path.read_bytes()
    try:
        return resources.files("tzdata").joinpath("zoneinfo", *tz.split("/")).read_bytes()
    except (ModuleNotFoundError, OSError):
        return None


def _parse(data: bytes) -> _Rules | None:
    """The 64-bit (version 2+) part of a TZif file; None for a version 1 file (32-bit times only)."""
    magic, version, isut, isstd, leaps, count, types, chars = _HEADER.unpack_from(data)
    if magic != b"TZif" or version < b"2":
        return None
    at = _HEADER.size + count * 5 + types * 6 + chars + leaps * 8 + isstd + isut  # skip the 32-bit part
    magic, _, isut, isstd, leaps, count, types, chars = _HEADER.unpack_from(data, at)
    if magic != b"TZif" or types == 0:
        return None
    at += _HEADER.size
    transitions = np.frombuffer(data, dtype=">i8", count=count, offset=at).astype(np.int64)
    at += count * 8
    kinds = np.frombuffer(data, dtype=np.uint8, count=count, offset=at)
    at += count
    utoffs = np.array([struct.unpack_from(">l", data, at + 6 * i)[0] for i in range(types)], dtype=np.int64)
    at += types * 6 + chars + leaps * 12 + isstd + isut
    footer = data[at:].strip(b"\n")
    if np.any(kinds >= types):
        return None
    offsets = np.concatenate(([utoffs[0]], utoffs[kinds]))  # before the first: time type 0 (RFC 8536)
    return _Rules(transitions, offsets, _has_dst(footer))


def _has_dst(footer: bytes) -> bool:
    """Whether a POSIX TZ string names a daylight-saving zone after its standard offset (``CST-8``: no)."""
    text = footer.decode("ascii", errors="replace")
    i = 0
    if text.startswith("<"):
        i = text.find(">") + 1
    else:
        while i < len(text) and text[i].isalpha():
            i += 1
    while i < len(text) and (text[i].isdigit() or text[i] in "+-:"):
        i += 1
    return i < len(text)
