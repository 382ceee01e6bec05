"""What the diagnosis use cases answer when the answer is a document: why a unit's score moved.

``scores explain --format json`` and ``/api/v1/scores/{entity_id}/explain`` print
:class:`Explanation`; field order is the JSON's key order.
"""

from __future__ import annotations

from valueloop.results import Result

Number = int | float
"""A level or change that is ``0`` (an int) when a side had nothing scored, as the dicts always wrote it."""


class Contribution(Result):
    """One indicator's share of the composite's change: the score effect plus the weight effect is its total."""

    indicator: str
    score_before: float | None
    score_after: float | None
    weight_before: float
    weight_after: float
    score_effect: float
    weight_effect: float
    total: float


class ChildPart(Result):
    """One child unit's (or the parent's own rows') share of an additive indicator's move: rate and mix effects."""

    child: str
    rate_before: float | None
    rate_after: float | None
    mix_before: float
    mix_after: float
    rate_effect: float
    mix_effect: float
    total: float


class ChildMove(Result):
    """Which child units explain the move of one additive (rate or mean) indicator."""

    indicator: str
    child_level: str
    value_before: Number
    value_after: Number
    change: Number
    parts: list[ChildPart]


class Explanation(Result):
    """Each indicator's contribution to a unit's composite change since the previous period, and the children."""

    entity_id: str
    model: str
    level: str
    period: str
    previous: str
    score_before: float | None
    score_after: float | None
    change: Number
    contributions: list[Contribution]
    children: ChildMove | None
