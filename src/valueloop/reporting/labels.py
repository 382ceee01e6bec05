"""Bilingual labels of the period review (zh default, en): the ``report`` section of the one catalogue
(:mod:`valueloop.locale`), so the report and the pages read their words, in one set of locale codes, from one place."""

from __future__ import annotations

from valueloop.locale import REPORT as LABELS
from valueloop.locale import SECTIONS, Lang, text

__all__ = ["LABELS", "SECTIONS", "Lang", "label"]


def label(key: str, lang: Lang) -> str:
    """The label of ``key`` in ``lang``; an unknown key (e.g. a new verdict) is shown as is."""
    return text(key, lang, "report")
