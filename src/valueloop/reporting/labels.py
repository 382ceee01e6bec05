"""Bilingual labels of the period review (zh default, en): the ``report`` section of the one catalogue
(:mod:`valueloop.locale`), so the report and the pages read their words, in one set of locale codes, from one place."""

from __future__ import annotations

from valueloop.locale import REPORT as LABELS
from valueloop.locale import SECTIONS, Lang, text

__all__ = ["LABELS", "SECTIONS", "Lang", "label", "level_label", "unit_label"]


def label(key: str, lang: Lang) -> str:
    """The label of ``key`` in ``lang``; an unknown key (e.g. a new verdict) is shown as is."""
    return text(key, lang, "report")


def level_label(level: str, lang: Lang) -> str:
    """A level in business words: ``branch`` → 分支机构; a field level ``field:type`` → 按业务类型 / by call type.

    >>> level_label("field:type", "zh"), level_label("field:type", "en"), level_label("branch", "zh")
    ('按业务类型', 'by call type', '分支机构')
    """
    field = level.removeprefix("field:") if level.startswith("field:") else None
    key = f"level_{field or level}"
    word = text(key, lang, "report") if key in LABELS else (field or level)
    if field is None:
        return word
    return f"按{word}" if lang == "zh" else f"by {word.lower()}"


def unit_label(name: str | None, entity_id: str) -> str:
    """``上海浦东支行 (B010)``; a unit whose name is its id (a call type ``PE``) once, not ``PE (PE)``."""
    return entity_id if not name or name == entity_id else f"{name} ({entity_id})"
