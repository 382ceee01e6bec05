"""The two languages (``zh``, ``en``): defined in :mod:`valueloop.locale.codes`, named here for the spec's users."""

from valueloop.locale.codes import DEFAULT_LANG, HTML_TAG, LANGS, Lang, LangField, lang_of

__all__ = ["DEFAULT_LANG", "HTML_TAG", "LANGS", "Lang", "LangField", "lang_of"]
