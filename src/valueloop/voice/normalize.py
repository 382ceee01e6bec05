"""Length-preserving normalisation: full-width → half-width, traditional → simplified, case, control bytes.

Why length-preserving: every tag valueloop reports (keyword, aspect, category) carries
the character offsets of its evidence in the *original* text. If normalisation never
changes the length, an offset into the normalised text is an offset into the original,
and no offset map is needed. Each step below therefore maps one character to one
character, and falls back to leaving a character alone when a library would not.

>>> normalize("ＡＢＣ１２３，服務態度極差")
'abc123,服务态度极差'
>>> len(normalize("ＡＢＣ１２３，服務態度極差")) == len("ＡＢＣ１２３，服務態度極差")
True
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Protocol

MAX_CHARS = 5_000
"""Texts longer than this are cut before scoring: a review is not a book, and a 100k-char
paste must not stall a batch. Callers report the cut as a per-row reason."""

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd\ufeff\u200b-\u200f]")


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@lru_cache(maxsize=1)
def _t2s() -> _Converter:
    import opencc  # type: ignore[import-untyped]  # OpenCC's pure-Python port ships no types

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def to_halfwidth(text: str) -> str:
    """Full-width letters, digits and punctuation (ＡＢＣ１２３，) to ASCII; the ideographic space to a space."""
    return text.translate(_FULLWIDTH)


@lru_cache(maxsize=1)
def _t2s_triggers() -> frozenset[str]:
    """Characters without which OpenCC's t2s leaves a text as it is.

    t2s changes a text only where one of its dictionary keys occurs: a traditional
    character (``TSCharacters``) or a phrase (``TSPhrases``). A phrase that holds a key
    character cannot occur where no key character does, and a phrase that maps to itself
    (有序) changes nothing; the characters of any other phrase are added. Most simplified
    reviews contain none of these, and skip the pure-Python converter, the slowest step of
    scoring a text.
    """
    from importlib.resources import files

    folder = files("opencc") / "dictionary"

    def entries(name: str) -> list[tuple[str, str]]:
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        return [(k, v.split(" ")[0]) for k, _, v in (ln.partition("\t") for ln in lines) if v]

    chars = {k for k, _ in entries("TSCharacters.txt")}
    changing = [k for k, v in entries("TSPhrases.txt") if k != v and chars.isdisjoint(k)]
    return frozenset(chars.union(*map(set, changing)))


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese, one character for one character.

    OpenCC converts some phrases to phrases of another length; then each character is
    converted on its own, which keeps offsets valid at the price of the rare idiom.
    """
    if text.isascii() or _t2s_triggers().isdisjoint(text):
        return text
    out = _t2s().convert(text)
    if len(out) == len(text):
        return out
    return "".join(c if len(s := _t2s().convert(c)) != 1 else s for c in text)


def lower(text: str) -> str:
    """Lower case, except the few characters whose lower case is longer (İ)."""
    out = text.lower()
    return out if len(out) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def strip_control(text: str) -> str:
    """Control characters, BOMs, zero-width marks and replacement characters become spaces."""
    return _CONTROL.sub(" ", text)


def normalize(text: str, *, simplified: bool = True) -> str:
    """All of the above; the result has exactly the length of ``text``."""
    out = lower(to_halfwidth(strip_control(text)))
    return to_simplified(out) if simplified else out


def is_garbage(text: str) -> bool:
    """True for binary junk: many control or private-use characters, or no letter at all besides symbols."""
    if not text or text.isprintable():  # every character counted below is unprintable
        return False
    bad = sum(1 for c in text if unicodedata.category(c) in {"Cc", "Co", "Cs", "Cn"} and c not in "\t\n\r")
    return bad / len(text) > 0.1
