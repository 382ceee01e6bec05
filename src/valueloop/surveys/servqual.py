"""SERVQUAL gaps: perception − expectation per item, averaged per dimension. Pure.

Parasuraman, Zeithaml & Berry (1988) define an item's gap as P − E (a negative gap: the
service fell short of what the customer expected). A respondent's dimension score is the mean
gap of the dimension's items they rated; a dimension's score is the mean over respondents, and
the unweighted SERVQUAL score the mean of the dimension scores. Only items rated on both scales
count: an item with one rating has no gap.

A respondent's dimension scores are also stored with their answer, as the ``feedback`` columns
``<dimension>_gap`` (:func:`respondent_gaps`), so a model's ``mean`` of ``feedback.reliability_gap``
per unit is the same number as the reliability gap here over that unit's answers.
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


def gap_field(dimension: Dimension) -> str:
    """The ``feedback`` column holding a respondent's gap on ``dimension``.

    >>> gap_field(Dimension.reliability)
    'reliability_gap'
    """
    return f"{dimension.value}_gap"


def _items(survey: Survey) -> dict[Dimension, list[str]]:
    items: dict[Dimension, list[str]] = {}
    for q in survey.questions:
        if q.type is QuestionType.servqual and q.dimension is not None:
            items.setdefault(q.dimension, []).append(q.id)
    return items


def _respondent(ids: list[str], answers: Answers) -> tuple[float, float, float] | None:
    """One respondent's mean E, mean P and mean gap over the items of ``ids`` they rated on both scales."""
    pairs = [pair for i in ids if (pair := _pair(answers.get(i))) is not None]
    if not pairs:
        return None
    return fmean(x[0] for x in pairs), fmean(x[1] for x in pairs), fmean(gap(*x) for x in pairs)


def respondent_gaps(survey: Survey, answers: Answers) -> dict[Dimension, float]:
    """One respondent's gap per dimension: the mean P − E over the dimension's items they rated.

    A dimension none of whose items was rated on both scales is left out (no gap, not a zero).
    """
    found = {dim: _respondent(ids, answers) for dim, ids in _items(survey).items()}
    return {dim: got[2] for dim, got in found.items() if got is not None}


def dimension_gaps(survey: Survey, responses: Iterable[Answers]) -> list[DimensionGap]:
    """Each dimension the survey asks about, in SERVQUAL's order, with its mean E, P and gap over ``responses``."""
    items = _items(survey)
    per: dict[Dimension, list[tuple[float, float, float]]] = {d: [] for d in items}
    for answers in responses:
        for dim, ids in items.items():
            if (got := _respondent(ids, answers)) is not None:
                per[dim].append(got)
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
