"""The period review as PDF: the HTML page laid out by WeasyPrint (Pango + the Noto CJK font).

WeasyPrint follows URLs it finds in the page: stylesheets, images, and ``<a rel="attachment">``
links, which it embeds as files. The page is escaped, but the renderer must not be the last line
of defence being a file reader and an HTTP client on the server, so :class:`AssetsOnly` answers
``data:`` URLs (the chart) and files inside this package's own folder, and refuses everything else.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML, URLFetcher  # type: ignore[import-untyped]

from valueloop.reporting.data import ReviewData
from valueloop.reporting.html import render_html
from valueloop.reporting.labels import Lang

ASSETS = Path(__file__).resolve().parent
"""The only folder a report may read files from (its templates and any fonts or CSS kept beside them)."""


class AssetsOnly(URLFetcher):  # type: ignore[misc]
    """A WeasyPrint fetcher that serves ``data:`` URLs and package files, and refuses the rest."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> object:
        if _allowed(url):
            return super().fetch(url, headers)
        raise ValueError(f"the report may not load {url[:80]!r}: only its own assets and data: URLs")


def _allowed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "data":
        return True
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    return Path(unquote(parts.path)).resolve().is_relative_to(ASSETS)


def render_pdf(data: ReviewData, lang: Lang = "zh") -> bytes:
    html = HTML(string=render_html(data, lang, chart="png"), url_fetcher=AssetsOnly())
    pdf: bytes = html.write_pdf()
    return pdf
