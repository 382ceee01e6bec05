"""Text encoding detection for CSV exports.

Excel on Chinese Windows writes GBK/GB18030; modern systems write UTF-8, often with
a BOM. We decide from the first 1 MiB: valid UTF-8 wins, else GB18030 (a superset of
GBK and GB2312), else the user must say which encoding the file has.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from valueloop.errors import InputError

SAMPLE_BYTES = 1 << 20
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "utf8": "utf-8", "utf-8-sig": "utf-8"}


def read_utf8(path: Path) -> str:
    """The whole of a small UTF-8 file (BOM dropped); a missing or undecodable file is an InputError."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise InputError(f"{path}: cannot read file ({err.strerror or err})") from err
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text (byte {err.start})") from err


def detect_encoding(path: Path, declared: str = "auto") -> str:
    """The encoding to read ``path`` with (a Python codec name)."""
    if declared != "auto":
        name = declared.lower()
        try:
            codecs.lookup(name)
        except LookupError:
            raise InputError(f"{path}: unknown encoding {declared!r}") from None
        return _ALIASES.get(name, name)
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8"
    for candidate in ("utf-8", "gb18030"):
        if _decodes(sample, candidate):
            return candidate
    raise InputError(f"{path}: cannot detect the text encoding (not UTF-8 or GBK); set `encoding:` in the mapping")


def _decodes(sample: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True
