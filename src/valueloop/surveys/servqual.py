"""SERVQUAL gaps: perception − expectation per item, averaged per dimension. Pure.

Parasuraman, Zeithaml & Berry (1988) define an item's gap as P − E (a negative gap: the
service fell short of what the customer expected). A respondent's dimension score is the mean
gap of the dimension's items they rated; a dimension's score is the mean over respondents, and
the unweighted SERVQUAL score the mean of the dimension scores. Only items rated on both scales
count: an item with one rating has no gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import fmean

from valueloop.surveys.spec import Dimension, QuestionType, Survey

Answers = Mapping[str, object]


@dataclass(frozen=True)
class DimensionGap:
    dimension: Dimension
    items: int
    """SERVQUAL items of this dimension in the survey."""
    respondents: int
    """Respondents who rated at least one of its items on both scales."""
    expectation: float | None
    perception: float | None
    gap: float | None
    """Mean over respondents of their mean P − E on the dimension's items; None with no respondent."""


def gap(expectation: int, perception: int) -> int:
    """An item's gap: perception − expectation (negative: below expectations).

    >>> gap(6, 4)
    -2
    """
    return perception - expectation


def _pair(value: object) -> tuple[int, int] | None:
    if isinstance(value, Mapping):
        e, p = value.get("e"), value.get("p")
        if isinstance(e, int) and isinstance(p, int):
            return e, p
    return None


def dimension_gaps(survey: Survey, responses: Iterable[Answers]) -> list[DimensionGap]:
    """Each dimension the survey asks about, in SERVQUAL's order, with its mean E, P and gap over ``responses``."""
    items: dict[Dimension, list[str]] = {}
    for q in survey.questions:
        if q.type is QuestionType.servqual and q.dimension is not None:
            items.setdefault(q.dimension, []).append(q.id)
    per: dict[Dimension, list[tuple[float, float, float]]] = {d: [] for d in items}
    for answers in responses:
        for dim, ids in items.items():
            pairs = [pair for i in ids if (pair := _pair(answers.get(i))) is not None]
            if pairs:
                e, p = fmean(x[0] for x in pairs), fmean(x[1] for x in pairs)
                per[dim].append((e, p, fmean(gap(*x) for x in pairs)))
    out = []
    for dim in (d for d in Dimension if d in items):
        rows = per[dim]
        means = [fmean(r[k] for r in rows) if rows else None for k in range(3)]
        out.append(DimensionGap(dim, len(items[dim]), len(rows), means[0], means[1], means[2]))
    return out


def overall(gaps: Iterable[DimensionGap]) -> float | None:
    """The unweighted SERVQUAL score: the mean of the dimension gaps that have one."""
    known = [g.gap for g in gaps if g.gap is not None]
    return fmean(known) if known else None
