"""Text encoding detection for CSV exports.

Excel on Chinese Windows writes GBK/GB18030 (in Taiwan and Hong Kong: Big5); modern systems
write UTF-8, often with a BOM. The whole file is decoded, not a sample: a file whose first MiB
is GBK and whose later rows are UTF-8 must not be stored half garbled. Valid UTF-8 wins. Else
each candidate that decodes every byte is judged for plausibility, because Big5 bytes often
decode "cleanly" as GBK, into rare characters, kana and box drawing: real text is almost all
common characters (GB2312 level 1 and punctuation; Big5 level 1 and punctuation), a wrong
decoding about a third. When no candidate is clean and plausible throughout, or two are, the
file is refused with the first bad byte, its line and the candidates named.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from valueloop.errors import InputError

if TYPE_CHECKING:
    import numpy as np

WINDOW_BYTES = 1 << 18
PLAUSIBLE = 0.8
"""Least share of common characters in text decoded with the right encoding (real text: ≈ 0.99)."""
GARBLED = 0.5
"""A run of :data:`RUN_CHARS` non-ASCII characters with fewer common ones than this is garbled."""
RUN_CHARS = 64
MARGIN = 0.2
"""How much more plausible one candidate must be than the other to be chosen over it."""
CANDIDATES = ("gb18030", "big5")
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "utf8": "utf-8", "utf-8-sig": "utf-8"}
_LABELS = {"utf-8": "UTF-8", "gb18030": "GB18030/GBK", "big5": "Big5"}
_COMMON = {  # (lead bytes, trail bytes) of the punctuation rows and the level-1 characters
    "gb18030": ("gb2312", [*range(0xA1, 0xA4), *range(0xB0, 0xD8)], range(0xA1, 0xFF)),
    "big5": ("big5", range(0xA1, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]),
}


def read_utf8(path: Path) -> str:
    """The whole of a small UTF-8 file (BOM dropped); a missing or undecodable file is an InputError."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise InputError(f"{path}: cannot read file ({err.strerror or err})") from err
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text (byte {err.start})") from err


def ascii_compatible(encoding: str) -> bool:
    """Whether every byte below 0x80 of a file in ``encoding`` is that ASCII character.

    True for UTF-8, GB18030 and Big5 (their multi-byte sequences use bytes 0x80 and above, or
    trail bytes from 0x40 up in Big5/GBK — never a quote, delimiter or line break), false for
    UTF-16 and the stateful ISO-2022 family. Byte-level scans of a file rely on it.
    """
    name = codecs.lookup(encoding).name
    if name in ("utf-7", "hz") or name.startswith("iso2022"):
        return False
    sample = "\t\n\r \"',;|0aZ"
    try:
        return sample.encode(name) == sample.encode("ascii")
    except UnicodeEncodeError:
        return False


MAPPING_REMEDY = "set `encoding:` in the mapping (e.g. utf-8, gb18030, big5) or save the file as UTF-8"


def detect_encoding(path: Path, declared: str = "auto", remedy: str = MAPPING_REMEDY) -> str:
    """The encoding to read ``path`` with (a Python codec name), checked against every byte of the file.

    ``remedy`` ends the message when no encoding fits: what the user can do where they are.
    """
    try:
        if declared != "auto":
            return _declared(path, declared)
        with open(path, "rb") as fh:
            bom = fh.read(3) == codecs.BOM_UTF8
        return _detect(path, bom, remedy)
    except OSError as err:
        raise InputError(f"{path}: cannot read file ({err.strerror or err})") from err


def _declared(path: Path, declared: str) -> str:
    name = declared.lower()
    try:
        codecs.lookup(name)
    except LookupError:
        raise InputError(f"{path}: unknown encoding {declared!r}") from None
    name = _ALIASES.get(name, name)
    verdict = _judge(path, (name,), plausibility=False)[0]
    if verdict.bad is not None:
        where = _where(verdict.bad)
        raise InputError(f"{path}: not {declared} text: {where} cannot be decoded (check `encoding:` in the mapping)")
    return name


def _detect(path: Path, bom: bool, remedy: str) -> str:
    utf8 = _judge(path, ("utf-8",), plausibility=False)[0]
    if utf8.bad is None:
        return "utf-8"
    if bom:
        raise InputError(
            f"{path}: starts with a UTF-8 byte-order mark, but {_where(utf8.bad)} is not UTF-8 "
            "(mixed encodings?); save the file in one encoding"
        )
    verdicts = _judge(path, CANDIDATES, plausibility=True)
    chosen = _choose(verdicts)
    if chosen is not None:
        return chosen
    why = "; ".join([utf8.describe(), *(v.describe() for v in verdicts)])
    raise InputError(f"{path}: cannot detect the text encoding ({why}); {remedy}")


def _choose(verdicts: list[_Verdict]) -> str | None:
    """The first plausible candidate (GB18030 is the usual one), unless a later one is clearly more plausible.

    None when none is plausible, or when a later one is more plausible but not by :data:`MARGIN`.
    """
    plausible = [v for v in verdicts if v.plausible]
    if not plausible:
        return None
    best = max(plausible, key=lambda v: v.score)
    first = plausible[0]
    if best is first or best.score >= first.score + MARGIN:
        return best.encoding
    return None


@dataclass
class _Verdict:
    """How one encoding fares on a whole file."""

    encoding: str
    bad: tuple[int, int] | None = None
    """(byte offset, line) of the first byte it cannot decode."""
    garbled_line: int | None = None
    """First line of a run of characters that are mostly rare ones."""
    common: int = 0
    total: int = 0

    @property
    def score(self) -> float:
        return self.common / self.total if self.total else 0.0

    @property
    def plausible(self) -> bool:
        return self.bad is None and self.garbled_line is None and self.score >= PLAUSIBLE

    def describe(self) -> str:
        label = _LABELS.get(self.encoding, self.encoding)
        if self.bad is not None:
            return f"not {label}: {_where(self.bad)}"
        if self.garbled_line is not None:
            return f"{label} decodes it, but the text from line {self.garbled_line} looks garbled"
        return f"{label} decodes it with {self.score:.0%} common characters"


def _where(bad: tuple[int, int]) -> str:
    return f"byte {bad[0]} (line {bad[1]})"


def _judge(path: Path, encodings: tuple[str, ...], plausibility: bool) -> list[_Verdict]:
    """Decode the whole file with each encoding, noting where each fails and how plausible its text is."""
    verdicts = [_Verdict(e) for e in encodings]
    decoders = [codecs.getincrementaldecoder(e)() for e in encodings]
    skip_ascii = all(ascii_compatible(e) for e in encodings)
    offset = 0
    for block in _windows(path):
        line = _LinesBefore(path, offset)
        for verdict, decoder in zip(verdicts, decoders, strict=True):
            if verdict.bad is None and not (skip_ascii and block.isascii() and not decoder.getstate()[0]):
                text = _decode(verdict, decoder, block, offset, line)
                if plausibility and text:
                    _score(verdict, text, line)
        offset += len(block)
    for verdict, decoder in zip(verdicts, decoders, strict=True):
        if verdict.bad is None:
            _decode(verdict, decoder, b"", offset, _LinesBefore(path, offset), final=True)
    return verdicts


@dataclass
class _LinesBefore:
    """The number of line breaks before byte ``offset`` of ``path``, counted only when asked.

    Only a message needs a line number; counting them in every window cost more than the check itself.
    """

    path: Path
    offset: int

    def __call__(self) -> int:
        count, left = 0, self.offset
        with open(self.path, "rb") as fh:
            while left > 0 and (block := fh.read(min(WINDOW_BYTES, left))):
                count += block.count(b"\n")
                left -= len(block)
        return count


def _windows(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while block := fh.read(WINDOW_BYTES):
            yield block


def _decode(
    verdict: _Verdict,
    decoder: codecs.IncrementalDecoder,
    block: bytes,
    offset: int,
    line: _LinesBefore,
    final: bool = False,
) -> str:
    """Decode one window; on failure note the file offset and line of the first bad byte."""
    pending = decoder.getstate()[0]
    try:
        return decoder.decode(block, final=final)
    except UnicodeDecodeError as err:
        at = err.start - len(pending)  # negative: the bad sequence began in the previous window
        verdict.bad = (offset + at, line() + block.count(b"\n", 0, max(at, 0)) + 1)
        return ""
    except UnicodeError:  # e.g. UTF-16 without a byte-order mark: the codec refuses the stream itself
        verdict.bad = (offset, line() + 1)
        return ""


def _score(verdict: _Verdict, text: str, line: _LinesBefore) -> None:
    """Count the common characters among the non-ASCII ones, and find the first garbled run."""
    import numpy as np  # only when a file has non-ASCII text: `--help` must not load numpy

    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    where = np.flatnonzero(points > 0x7F)
    if not len(where):
        return
    common = _common(verdict.encoding)[np.minimum(points[where], 0x10000)]
    verdict.common += int(common.sum())
    verdict.total += len(common)
    starts = np.arange(0, len(common), RUN_CHARS)
    sizes = np.diff(np.append(starts, len(common)))
    shares = np.add.reduceat(common.astype(np.int64), starts) / sizes
    garbled = np.flatnonzero((shares < GARBLED) & (sizes >= RUN_CHARS // 2))
    if len(garbled) and verdict.garbled_line is None:
        first = int(where[starts[garbled[0]]])
        verdict.garbled_line = line() + text.count("\n", 0, first) + 1


@cache
def _common(encoding: str) -> np.ndarray:
    """Lookup table over the BMP: is this character one of the encoding's common ones?"""
    import numpy as np

    table = np.zeros(0x10001, dtype=bool)
    codec, leads, trails = _COMMON.get(encoding, ("", (), ()))
    for lead in leads:
        for trail in trails:
            try:
                char = bytes((lead, trail)).decode(codec)
            except UnicodeDecodeError:
                continue
            table[ord(char)] = True
    return table
