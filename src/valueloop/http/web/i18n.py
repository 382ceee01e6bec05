"""Bilingual pages: zh (default) and en; words, numbers and dates per locale.

The locale codes are the ones of ``spec/locale.py`` (``zh``/``en``, as in reports, the API
and model texts). The table below is written with the page tag ``zh-CN`` and read through
:func:`lang_of`, so either spelling works in a message, a ``?lang=`` or the language cookie.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from valueloop.locale import DEFAULT_LANG, HTML_TAG, LANGS, PAGES, Lang, lang_of

LOCALES = LANGS
DEFAULT = DEFAULT_LANG
LANG_COOKIE = "vl_lang"

MESSAGES = PAGES
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def offset_label(offset: timedelta | None) -> str:
    """``UTC+8``, ``UTC-3:30``, ``UTC``: the offset of the instant shown (right across DST changes)."""
    minutes = int(offset.total_seconds()) // 60 if offset else 0
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else "+"
    return "UTC" if not minutes else f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def pick(value: str | None) -> Lang:
    """The locale asked for (any spelling ``lang_of`` knows), else the default."""
    return lang_of(value) or DEFAULT


class Translator:
    """``t('key')``, ``num(x)``, ``date(d)`` and ``period('2026-10')`` for one locale.

    ``tz`` is the workspace's time zone: every stored instant (aware, UTC) is shown on that
    clock and labelled with its offset, so alerts, actions and quotes read on one clock.
    """

    def __init__(self, locale: str, tz: str | None = None) -> None:
        self.locale = pick(locale)
        self.html_lang = HTML_TAG[self.locale]
        self.zh = self.locale == "zh"
        self.tz = ZoneInfo(tz) if tz else None

    def fmt(self, key: str, **values: object) -> str:
        """A message with ``{placeholders}`` filled in (values are escaped by the template, not here)."""
        return self.t(key).format(**values)

    def t(self, key: str) -> str:
        return MESSAGES.get(key, {}).get(self.locale, key)

    def text(self, value: Any) -> str:
        """A model's bilingual text (``Text(zh=…, en=…)``) in this locale."""
        if hasattr(value, "zh") and hasattr(value, "en"):
            return str(value.zh if self.zh else value.en or value.zh)
        return str(value)

    def num(self, value: float | int | None, digits: int = 2, sign: bool = False) -> str:
        if value is None or value != value:
            return "—"
        return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"

    def pct(self, value: float | None, digits: int = 1) -> str:
        return "—" if value is None else f"{value:,.{digits}f}%"

    def p(self, value: float | None) -> str:
        """A p-value as people quote it: ``p < 0.001`` below a thousandth, never ``p = 0.000``."""
        if value is None or value != value:
            return "—"
        return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"

    def zone(self) -> str:
        """The label of the clock times are shown on (``UTC+8``); ``UTC`` without a workspace zone."""
        return offset_label(datetime.now(self.tz).utcoffset() if self.tz else None)

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return "—"
        clock = ""
        if isinstance(value, datetime):
            if value.tzinfo is not None and self.tz is not None:
                value = value.astimezone(self.tz)
            zone = f" {offset_label(value.utcoffset())}" if value.tzinfo is not None else ""
            clock = f" {value:%H:%M}{zone}"
        if self.zh:
            return f"{value.year}年{value.month}月{value.day}日{clock}"
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}{clock}"

    def period(self, label: str) -> str:
        """``2026-10`` → ``2026年10月`` / ``Oct 2026``; other grains pass through."""
        year, _, month = label.partition("-")
        if not (month.isdigit() and len(month) == 2):
            return label
        return f"{year}年{int(month)}月" if self.zh else f"{MONTHS_EN[int(month) - 1]} {year}"
