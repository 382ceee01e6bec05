"""Charts drawn on the server with matplotlib, in a CJK font so Chinese names render.

SVG keeps text as paths (``svg.fonttype = path``), so a chart looks the same in any
browser or PDF viewer without the font installed there.
"""

from __future__ import annotations

import base64
import io
from typing import Literal

from matplotlib import rcParams
from matplotlib.figure import Figure

from valueloop.reporting.data import ReviewData
from valueloop.reporting.labels import Lang, label, unit_label

CJK_FONT = "Noto Sans CJK SC"
rcParams["font.sans-serif"] = [CJK_FONT, "WenQuanYi Micro Hei", "DejaVu Sans"]
rcParams["font.family"] = "sans-serif"
rcParams["axes.unicode_minus"] = False
rcParams["svg.fonttype"] = "path"


LABEL_CHARS = 40
"""A unit name longer than this is cut in the chart (the tables show it whole): the bars keep their room."""


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def score_chart(data: ReviewData, lang: Lang, fmt: Literal["svg", "png"]) -> str | None:
    """Horizontal bars of each unit's composite score, a dot at its previous score; None without scores."""
    units = [u for u in data.summary.units if u.score is not None][:30]
    if not units:
        return None
    fig = Figure(figsize=(8, 0.28 * len(units) + 1.2))
    ax = fig.add_subplot()
    ys = list(range(len(units)))[::-1]
    ax.barh(ys, [u.score or 0 for u in units], color="#4c78a8")
    prev = [(y, u.previous_score) for y, u in zip(ys, units, strict=True) if u.previous_score is not None]
    if prev:
        ax.scatter([p for _, p in prev], [y for y, _ in prev], color="#e45756", zorder=3, s=14)
    # names are data, not mathtext: "$\\x$" in a unit name must not be parsed (or crash the report)
    ax.set_yticks(ys, [unit_label(_short(u.name), u.entity_id) for u in units], fontsize=7, parse_math=False)
    ax.set_title(label("chart_scores", lang), fontsize=10)
    ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=150)
    if fmt == "svg":
        text = buf.getvalue().decode("utf-8")
        return text[text.index("<svg") :]
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
