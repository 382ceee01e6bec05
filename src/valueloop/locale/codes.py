"""The two languages, with one code each: ``zh`` and ``en``.

Model texts (``Text(zh=…, en=…)``), report labels, the API and the CLI spoke ``zh``; the web
pages spoke ``zh-CN``. The canonical code is ``zh`` everywhere inside; ``zh-CN`` (and the other
usual spellings of a Chinese or English locale) are accepted wherever a language comes in,
and ``zh-CN`` is still what a page declares in ``<html lang>`` (:data:`HTML_TAG`).
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import BeforeValidator

Lang = Literal["zh", "en"]
LANGS: Final[tuple[Lang, ...]] = ("zh", "en")
DEFAULT_LANG: Final[Lang] = "zh"
HTML_TAG: Final[dict[Lang, str]] = {"zh": "zh-CN", "en": "en"}
"""The BCP 47 tag a page declares for each language."""

_ALIASES: Final[dict[str, Lang]] = {
    "zh": "zh", "zh-cn": "zh", "zh-hans": "zh", "zh-hans-cn": "zh", "zh-sg": "zh", "chinese": "zh",
    "en": "en", "en-us": "en", "en-gb": "en", "english": "en",
}  # fmt: skip


def lang_of(raw: str | None) -> Lang | None:
    """``zh``, ``zh-CN``, ``zh_CN``, ``EN-us`` … → ``zh`` / ``en``; None for anything else."""
    if raw is None:
        return None
    return _ALIASES.get(raw.strip().lower().replace("_", "-"))


def _parse(raw: object) -> object:
    """Pydantic input hook: a known spelling becomes its code, anything else is left to fail."""
    return (lang_of(raw) or raw) if isinstance(raw, str) else raw


LangField = Annotated[Lang, BeforeValidator(_parse)]
"""A ``Lang`` field that also accepts the other spellings (``zh-CN``) as input."""
