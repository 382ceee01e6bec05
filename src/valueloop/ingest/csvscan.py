"""Find quotes left open in a CSV before Arrow parses it.

An opening quote with no closing one makes every following line part of one text field:
Arrow, like any RFC 4180 parser, reads on to the next quote, so one typo can store 400 rows
as one. We scan the raw bytes first. Lines with an odd number of quotes are the only ones that
can open a field spanning lines (numpy finds them per block; most blocks have no quote at all);
each is parsed exactly, and the field it opens is followed line by line. The opening line is
bad when the field runs past a line that is on its own a full record of the header's width,
past :data:`MAX_QUOTED_BYTES`, or to the end of the file. Its record is then quarantined and
reading resumes on the next line; quoted fields that legitimately span lines still parse.
Needs an ASCII-compatible encoding (see :func:`valueloop.ingest.encoding.ascii_compatible`).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

BLOCK_BYTES = 16 << 20
SCAN_BYTES = 1 << 20
"""Bytes searched for a quote at a time (small enough to stay in the CPU's cache)."""
MAX_QUOTED_BYTES = 1 << 20
"""A quoted field spanning more bytes than this is taken as an unbalanced quote."""


@dataclass(frozen=True)
class BadQuote:
    line: int
    """1-based physical line of the file (the header is line 1)."""
    start: int
    end: int
    """Byte range of the line, its line break included."""
    text: str


@dataclass
class QuoteScan:
    bad: list[BadQuote] = field(default_factory=list)
    multiline: bool = False
    """Some quoted field legitimately spans lines (Arrow must then track quotes across lines)."""
    marker: str = field(default_factory=lambda: "\x00bad-quote-" + secrets.token_hex(8) + "-")

    def stand_in(self, index: int, delimiter: str, width: int) -> bytes:
        """The line fed to Arrow instead of bad line ``index``: one it reports as invalid, then names."""
        return f"{self.marker}{index}-{delimiter * width}\n".encode("ascii")

    def bad_for(self, text: str) -> BadQuote | None:
        """The bad line an invalid row Arrow reports stands in for, if it is one."""
        if not text.startswith(self.marker):
            return None
        index = text[len(self.marker) :].partition("-")[0]
        return self.bad[int(index)] if index.isdigit() else None


def scan_quotes(path: Path, encoding: str, delimiter: str, width: int) -> QuoteScan:
    """Every line of ``path`` (after the header) that opens a quote never properly closed."""
    scan = QuoteScan()
    lines = _odd_lines(path)
    if not lines:
        return scan
    with open(path, "rb") as fh:
        cursor = 0
        for line, start in lines:
            if line < cursor:
                continue
            fh.seek(start)
            cursor = _follow(fh, scan, line, start, encoding, delimiter, width)
    return scan


def _odd_lines(path: Path) -> list[tuple[int, int]]:
    """(line, byte offset) of every line after the header with an odd number of quote bytes.

    Blocks without a quote (most, in most files) are only searched for one; lines are counted
    only when some line is found.
    """
    found: list[int] = []
    offset, rest = 0, b""
    buffer = bytearray(SCAN_BYTES)  # read into one buffer: no new 16 MiB object, page-faulted anew, per block
    with open(path, "rb") as fh:
        while size := fh.readinto(buffer):
            if not rest and buffer.find(b'"', 0, size) < 0:
                offset += size
                continue
            block = rest + buffer[:size]
            cut = block.rfind(b"\n") + 1
            if not cut and len(block) < BLOCK_BYTES:  # a line longer than the buffer: read on to its end
                rest = block
                continue
            cut = cut or len(block)  # a longer one is cut (bounded memory), as before
            block, rest = block[:cut], block[cut:]
            found += _odd_in_block(block, offset)
            offset += len(block)
        if rest:
            found += _odd_in_block(rest, offset)
        lines = _line_numbers(fh, found)
    return [(n, at) for n, at in zip(lines, found, strict=True) if n > 1]


def _odd_in_block(block: bytes, offset: int) -> list[int]:
    """Offsets of the lines of ``block`` (which starts a line) with an odd number of quotes."""
    data = np.frombuffer(block, dtype=np.uint8)
    breaks = np.flatnonzero(data == 0x0A) + 1
    starts = np.concatenate(([0], breaks[breaks < len(block)]))
    odd = np.bitwise_xor.reduceat((data == 0x22).view(np.uint8), starts)
    found: list[int] = (starts[np.flatnonzero(odd)] + offset).tolist()
    return found


def _line_numbers(fh: io.BufferedReader, offsets: list[int]) -> list[int]:
    """The 1-based line of each of the ascending line-start ``offsets``."""
    lines, line, at = [], 1, 0
    for offset in offsets:
        fh.seek(at)
        while at < offset:
            piece = fh.read(min(BLOCK_BYTES, offset - at))
            line += piece.count(b"\n")
            at += len(piece)
        lines.append(line)
    return lines


def _follow(
    fh: io.BufferedReader, scan: QuoteScan, line: int, start: int, encoding: str, delimiter: str, width: int
) -> int:
    """Judge the field line ``line`` may open; the first line still to look at after it."""
    first = fh.readline()
    text = first.decode(encoding, errors="replace").rstrip("\r\n")
    quoted, fields = _state(text, delimiter, quoted=False)
    if not quoted:
        return line + 1
    size, n = len(first), line
    for raw in iter(fh.readline, b""):
        n += 1
        size += len(raw)
        body = raw.decode(encoding, errors="replace").rstrip("\r\n")
        quoted, more = _state(body, delimiter, quoted=True)
        fields += more - 1
        alone = _full_record(body, delimiter, width)
        if (quoted and alone) or size > MAX_QUOTED_BYTES:
            break
        if not quoted:
            if alone and fields != width:
                break
            scan.multiline = True
            return n + 1
    scan.bad.append(BadQuote(line, start, start + len(first), text))
    return line + 1


def _full_record(text: str, delimiter: str, width: int) -> bool:
    """Whether ``text`` on its own parses as a complete record of ``width`` fields."""
    if not text:
        return False
    quoted, fields = _state(text, delimiter, quoted=False)
    return not quoted and fields == width


def _state(text: str, delimiter: str, quoted: bool) -> tuple[bool, int]:
    """(still inside a quoted field at the end, fields begun) for one line, as Arrow parses it.

    A quote opens a field only at its start; inside, ``""`` is a quote and a lone one closes it;
    after that, and in unquoted fields, quotes are plain characters.
    """
    i, n, fields, at_start = 0, len(text), 1, not quoted
    while i < n:
        if quoted:
            j = text.find('"', i)
            if j < 0:
                return True, fields
            if text.startswith('"', j + 1):
                i = j + 2
                continue
            quoted, at_start, i = False, False, j + 1
        elif at_start and text[i] == '"':
            quoted, at_start, i = True, False, i + 1
        else:
            j = text.find(delimiter, i)
            if j < 0:
                return False, fields
            fields, at_start, i = fields + 1, True, j + 1
    return quoted, fields


class PatchedCsv(io.RawIOBase):
    """The file's bytes with each bad line replaced by its stand-in (same number of lines)."""

    def __init__(self, path: Path, scan: QuoteScan, delimiter: str, width: int) -> None:
        self._parts = self._pieces(path, scan, delimiter, width)
        self._piece = memoryview(b"")

    @staticmethod
    def _pieces(path: Path, scan: QuoteScan, delimiter: str, width: int) -> Iterator[bytes]:
        with open(path, "rb") as fh:
            at = 0
            for index, bad in enumerate(scan.bad):
                yield from _read_range(fh, at, bad.start)
                yield scan.stand_in(index, delimiter, width)
                at = bad.end
            yield from _read_range(fh, at, None)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._piece:
            piece = next(self._parts, None)
            if piece is None:
                return 0
            self._piece = memoryview(piece)
        size = min(len(buffer), len(self._piece))
        buffer[:size] = self._piece[:size]
        self._piece = self._piece[size:]
        return size


def _read_range(fh: io.BufferedReader, start: int, end: int | None) -> Iterator[bytes]:
    fh.seek(start)
    left = None if end is None else end - start
    while left is None or left > 0:
        piece = fh.read(BLOCK_BYTES if left is None else min(BLOCK_BYTES, left))
        if not piece:
            return
        if left is not None:
            left -= len(piece)
        yield piece
