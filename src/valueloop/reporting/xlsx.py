"""The period review as a workbook: one sheet per section, real numbers (no pictures)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from valueloop.ingest.cells import append_text_row
from valueloop.reporting.data import ReviewData
from valueloop.reporting.labels import SECTIONS, Lang, label

Rows = list[list[Any]]


def render_xlsx(data: ReviewData, lang: Lang = "zh") -> bytes:
    """Sheets named by the section titles in ``lang``, in report order; an empty section says so in A2.

    Text cells are neutralised (:mod:`valueloop.ingest.cells`): a name or title never becomes a formula.
    """
    book = Workbook()
    book.remove(book.active)
    builders = {"summary": _summary, "goals": _goals, "findings": _findings, "verification": _verification,
                "voice": _voice, "roi": _roi, "models": _models, "methods": _methods}  # fmt: skip
    for key in SECTIONS:
        sheet = book.create_sheet(label(key, lang)[:31])
        header, rows = builders[key](data, lang)
        append_text_row(sheet, header)
        for row in rows or [[label(f"empty_{key}", lang)]]:
            append_text_row(sheet, row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _t(lang: Lang, *keys: str) -> list[str]:
    return [label(k, lang) for k in keys]


def _summary(d: ReviewData, lang: Lang) -> tuple[list[str], Rows]:
    dims = d.summary.dimensions
    header = [*_t(lang, "rank", "unit", "name", "score"), *(x.get(lang) for x in dims),
              *_t(lang, "prev_score", "change", "prev_rank", "rank_change", "months_scored")]  # fmt: skip
    rows = [[u.rank, u.entity_id, u.name, u.score, *(u.dimensions.get(x.id) for x in dims), u.previous_score,
             u.change, u.previous_rank, u.rank_change, u.months] for u in d.summary.units]  # fmt: skip
    return header, rows


def _goals(d: ReviewData, lang: Lang) -> tuple[list[str], Rows]:
    header = _t(lang, "indicator", "unit", "name", "period", "direction", "target", "value", "attainment", "met")
    rows = [
        [
            g.indicator.get(lang),
            g.entity_id,
            g.name,
            g.period,
            label(g.direction, lang),
            g.target,
            g.value,
            g.attainment,
            None if g.met is None else label("yes" if g.met else "no", lang),
        ]
        for g in d.goals.rows
    ]
    return header, rows


def _findings(d: ReviewData, lang: Lang) -> tuple[list[str], Rows]:
    header = _t(
        lang, "severity", "period", "unit", "name", "indicator", "rule", "value", "benchmark", "gap", "n", "actions"
    )
    rows = [
        [
            label(f.severity, lang),
            f.period,
            f.entity_id,
            f.name,
            f.indicator.get(lang),
            f.rule,
            f.value,
            f.benchmark,
            f.gap_pct,
            f.n,
            "; ".join(f"#{a.action_id} {a.title} ({a.status})" for a in f.actions),
        ]
        for f in d.findings
    ]
    return header, rows


def _verification(d: ReviewData, lang: Lang) -> tuple[list[str], Rows]:
    header = [
        "#",
        *_t(lang, "action", "indicator", "status", "verdict", "method", "p_value"),
        "ci_low",
        "ci_high",
        label("verified_at", lang),
    ]
    rows = [
        [
            v.action_id,
            v.title,
            v.indicator,
            v.status,
            label(v.verdict, lang),
            v.method,
            v.p_value,
            v.ci_low,
            v.ci_high,
            v.verified_at.replace(tzinfo=None) if v.verified_at else None,
        ]
        for v in d.verification
    ]
    return header, rows


def _voice(d: ReviewData, lang: Lang) -> tuple[list[str], Rows]:
    """Both voice tables on one sheet; the first column says which one a row belongs to."""
    keys = ("section", "topic", "stage", "share", "growth", "since", "mentions", "period", "count", "q_value", "is_hot")
    header = [label(k, lang) for k in keys]
    if d.voice is None:
        return header, []
    stages = label("lifecycle", lang)
    rows: Rows = [
        [stages, x.topic.get(lang), label(x.stage, lang), x.share, x.growth, x.since, x.mentions]
        for x in d.voice.lifecycle
    ]
    now = label("hot", lang)
    yes, no = label("yes", lang), label("no", lang)
    rows += [
        [
            now,
            x.topic.get(lang),
            None,
            x.share,
            x.growth,
            None,
            None,
            x.period,
            x.count,
            x.q_value,
            yes if x.hot else no,
        ]
        for x in d.voice.hot
    ]
    return header, rows


def _roi(d: ReviewData, lang: Lang) -> tuple[list[str], Rows]:
    header = [
        "#",
        *_t(lang, "action", "verdict", "effect", "cost", "benefit"),
        "benefit_low",
        "benefit_high",
        label("roi_value", lang),
        "roi_low",
        "roi_high",
    ]
    if d.roi is None or not d.roi.rows:
        return header, []
    rows = [
        [
            r.action_id,
            r.title,
            label(r.verdict, lang),
            r.effect,
            r.cost,
            r.benefit,
            *_ends(r.benefit_ci),
            r.roi,
            *_ends(r.roi_ci),
        ]
        for r in d.roi.rows
    ]
    rows.append(
        [
            None,
            label("total", lang),
            None,
            None,
            d.roi.cost,
            d.roi.benefit,
            *_ends(d.roi.benefit_ci),
            d.roi.roi,
            *_ends(d.roi.roi_ci),
        ]
    )
    return header, rows


def _ends(ci: list[float] | None) -> list[float | None]:
    return [ci[0], ci[-1]] if ci else [None, None]


def _models(d: ReviewData, lang: Lang) -> tuple[list[str], Rows]:
    header = _t(lang, "version", "effective_from", "category", "reason", "in_force", "period")
    rows = [[v.version, v.effective_from, v.category, v.reason, label("yes" if v.version == d.models.in_force else "no",
             lang), d.period if v.in_period else None] for v in d.models.versions]  # fmt: skip
    return header, rows


def _methods(d: ReviewData, lang: Lang) -> tuple[list[str], Rows]:
    m = d.methods
    header = _t(lang, "indicator", "dimension", "direction", "scoring", "benchmark", "weight", "nominal_share", "min_n")
    rows: Rows = [[x.indicator.get(lang), x.dimension, label(x.direction, lang), x.scoring, x.benchmark, x.weight,
                   x.share, x.min_n] for x in m.indicators]  # fmt: skip
    rows += [[x.dimension.get(lang), None, None, x.weighting, None, x.weight] for x in m.dimensions]
    rows += [[label(k, lang), v] for k, v in (("scale", m.scale), ("aggregation", m.aggregation),
             ("small_sample", label(m.small_sample, lang)), ("model_grain", m.model_grain),
             ("period_handling", label("period_text", lang)))]  # fmt: skip
    return header, rows
