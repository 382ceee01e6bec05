"""Languages and words: the two locale codes (``zh``, ``en``) and the one message catalogue.

Low in the layers (below ``spec``), so the pages, the reports, the CLI and the model texts all
read their codes and words from here.
"""

from valueloop.locale.catalogue import PAGES, text
from valueloop.locale.codes import DEFAULT_LANG, HTML_TAG, LANGS, Lang, LangField, lang_of
from valueloop.locale.ingest import reason_text
from valueloop.locale.report import REPORT, SECTIONS

__all__ = ["DEFAULT_LANG", "HTML_TAG", "LANGS", "PAGES", "REPORT", "SECTIONS", "Lang", "LangField", "lang_of",
           "reason_text", "text"]  # fmt: skip
