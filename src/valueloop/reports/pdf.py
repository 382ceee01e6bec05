"""The period review as PDF: the HTML page laid out by WeasyPrint (Pango + the Noto CJK font)."""

from __future__ import annotations

from weasyprint import HTML  # type: ignore[import-untyped]

from valueloop.reports.data import ReviewData
from valueloop.reports.html import render_html
from valueloop.reports.labels import Lang


def render_pdf(data: ReviewData, lang: Lang = "zh") -> bytes:
    pdf: bytes = HTML(string=render_html(data, lang, chart="png")).write_pdf()
    return pdf
