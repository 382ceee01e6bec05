"""The one message catalogue: every word the pages, the reports and the upload page show, zh and en.

Sections keep each area's table in its own module (the dashboard's words, its business terms, the
improvement loop, QA, cases, the period review, the upload reasons); :func:`text` is the one lookup.
The sections the pages read are merged into :data:`PAGES`, where a key defined twice is an error.
The report has its own section because its words are those of a printed document (``period``,
``model`` …) and may differ from a page's. Every entry must carry both languages, checked on import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from valueloop.locale.codes import LANGS, Lang
from valueloop.locale.report import REPORT
from valueloop.locale.terms import TERMS
from valueloop.locale.web import WEB
from valueloop.locale.web_cases import CASE_MESSAGES
from valueloop.locale.web_cuts import CUT_MESSAGES
from valueloop.locale.web_drill import DRILL_MESSAGES
from valueloop.locale.web_loop import LOOP_MESSAGES
from valueloop.locale.web_qa import QA_MESSAGES
from valueloop.locale.web_subscriptions import SUBSCRIPTION_MESSAGES
from valueloop.locale.web_surveys import SURVEY_MESSAGES

Entry = Mapping[str, str]


def _merge(*parts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for part in parts:
        if clash := out.keys() & part.keys():
            raise RuntimeError(f"message keys defined twice: {sorted(clash)}")
        out |= part
    return out


PAGES: Final = _merge(
    WEB,
    LOOP_MESSAGES,
    CASE_MESSAGES,
    QA_MESSAGES,
    TERMS,
    SURVEY_MESSAGES,
    DRILL_MESSAGES,
    CUT_MESSAGES,
    SUBSCRIPTION_MESSAGES,
)
"""What the dashboard's pages read (``Translator.t``)."""
SECTIONS_BY_NAME: Final[dict[str, dict[str, dict[str, str]]]] = {"pages": PAGES, "report": REPORT}

for _name, _section in SECTIONS_BY_NAME.items():
    for _key, _entry in _section.items():
        if set(_entry) != set(LANGS):
            raise RuntimeError(f"{_name}.{_key}: needs exactly {', '.join(LANGS)}, has {', '.join(sorted(_entry))}")


def text(key: str, lang: Lang, section: str = "pages") -> str:
    """The words of ``key`` in ``lang``; an unknown key is shown as it is (a new code stays readable)."""
    entry = SECTIONS_BY_NAME[section].get(key)
    return entry[lang] if entry is not None else key
