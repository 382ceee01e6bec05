"""The period review as one self-contained HTML page (charts inline), and the same page for PDF.

The page is an inert document: every value is escaped (autoescape is on whatever the template's
file name), a Content-Security-Policy meta tag forbids script and every remote resource, and the
only images are the inline chart. Names and titles come from uploaded files and users, so a
``<script>`` or ``<a href="file:///…">`` in one must stay text, in the browser and in WeasyPrint.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from valueloop.reporting.charts import CJK_FONT, score_chart
from valueloop.reporting.data import ReviewData
from valueloop.reporting.labels import SECTIONS, Lang, label, level_label, unit_label


def _num(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _signed(value: float | int | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:+,.{digits}f}" if isinstance(value, float) else f"{value:+d}"


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def _when(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value.isoformat()


def _environment() -> Environment:
    # autoescape=True, not select_autoescape(): that escapes only *.html/*.xml names, not review.html.j2
    env = Environment(loader=PackageLoader("valueloop.reporting", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)  # fmt: skip
    env.filters.update(num=_num, signed=_signed, pct=_pct, when=_when)
    return env


CSP = "; ".join(("default-src 'none'", "style-src 'unsafe-inline'", "img-src data:", "font-src data:",
                 "base-uri 'none'", "form-action 'none'"))  # fmt: skip
"""What the page may load: its own inline style and data: images (the PNG chart); no script, nothing remote."""


def render_html(data: ReviewData, lang: Lang = "zh", chart: Literal["svg", "png"] = "svg") -> str:
    """The review page; ``chart="png"`` embeds the chart as a PNG image (what the PDF uses)."""
    drawn = score_chart(data, lang, chart)
    image = None if drawn is None else Markup(drawn) if chart == "svg" else Markup(f'<img src="{drawn}" alt="">')
    template = _environment().get_template("review.html.j2")
    return template.render(d=data, lang=lang, t=lambda key: label(key, lang), sections=SECTIONS, chart=image,
                           font=CJK_FONT, csp=CSP, level=level_label(data.level, lang), unit=unit_label)  # fmt: skip
