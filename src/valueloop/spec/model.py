"""Evaluation models: YAML → frozen pydantic spec, validated all at once.

A model scores one level per period: an entity-tree level (``level: branch``) or the values
of any field of the data (``level: {field: agent_id}``, kept as the string
``"field:agent_id"``). Dimensions hold weighted indicators, each an aggregation over a
dataset with a direction, a benchmark (optionally per customer segment: differentiated
standards, or mix-adjusted by a field of the record), a scoring rule and a minimum sample size.
This module only describes; :mod:`valueloop.metrics` compiles and runs, and
:mod:`valueloop.scoring` turns values into scores.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from valueloop.spec.conditions import Condition, parse_condition

FIELD_LEVEL = "field:"
"""Prefix of a field level's string form (``field:agent_id``), as runs and findings store it."""


def level_field(level: str) -> str | None:
    """``"agent_id"`` for ``"field:agent_id"``; None for an entity-tree level such as ``"branch"``."""
    return level[len(FIELD_LEVEL) :] if level.startswith(FIELD_LEVEL) else None


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(Frozen):
    """A bilingual label; a plain string in YAML is taken for both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _text(value: object) -> object:
    return {"zh": value, "en": value} if isinstance(value, str) else value


BiText = Annotated[Text, Field()]


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Grain(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


class Scale(StrEnum):
    five = "1-5"
    hundred = "0-100"

    @property
    def bounds(self) -> tuple[float, float]:
        return (1.0, 5.0) if self is Scale.five else (0.0, 100.0)


class SmallSample(StrEnum):
    exclude = "exclude"
    """Flag the indicator and leave it out; the other weights are renormalised."""
    shrink = "shrink"
    """Shrink the value toward the peer mean (empirical Bayes); flagged, still counted."""


class Pest(StrEnum):
    political = "political"
    economic = "economic"
    social = "social"
    technological = "technological"


Conditions = tuple[Condition, ...]


def _conditions(value: object) -> object:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("a condition is a string like 'csat >= 4', or a list of them")
    return tuple(parse_condition(c) if isinstance(c, str) else c for c in items)


class _MeasureBase(Frozen):
    dataset: str | None = None
    """Overrides the indicator's dataset (for the parts of a ratio)."""
    filter: Conditions = ()

    _conds = field_validator("filter", mode="before")(_conditions)


class Count(_MeasureBase):
    type: Literal["count"]


class CountDistinct(_MeasureBase):
    type: Literal["count_distinct"]
    field: str


class Aggregate(_MeasureBase):
    type: Literal["sum", "mean", "median"]
    field: str


class Quantile(_MeasureBase):
    type: Literal["quantile"]
    field: str
    p: float = Field(gt=0, lt=1)


class Rate(_MeasureBase):
    """Share of the (filtered) rows that meet ``condition``."""

    type: Literal["rate"]
    condition: Conditions

    _cond = field_validator("condition", mode="before")(_conditions)


class Duration(_MeasureBase):
    """Time between two timestamps of a row, aggregated (median by default)."""

    type: Literal["duration"]
    start: str
    end: str
    unit: Literal["seconds", "minutes", "hours", "days"] = "minutes"
    agg: Literal["mean", "median", "quantile"] = "median"
    p: float | None = Field(default=None, gt=0, lt=1)


SimpleMeasure = Annotated[Count | CountDistinct | Aggregate | Quantile | Rate | Duration, Field(discriminator="type")]


class Ratio(Frozen):
    """numerator / denominator, each a measure that may use its own dataset and filter."""

    type: Literal["ratio"]
    numerator: SimpleMeasure
    denominator: SimpleMeasure
    scale: float = 1.0


class Derived(Frozen):
    """An arithmetic expression over other indicators' values, e.g. ``"promoters - detractors"``."""

    type: Literal["derived"]
    expression: str


Measure = Annotated[
    Count | CountDistinct | Aggregate | Quantile | Rate | Duration | Ratio | Derived, Field(discriminator="type")
]


def _text_keys(v: object) -> object:
    """Segment values as the text the query compares (YAML reads ``true`` and ``1`` as non-strings)."""
    if not isinstance(v, dict):
        return v
    return {str(k).lower() if isinstance(k, bool) else str(k): x for k, x in v.items()}


class SegmentBenchmark(Frozen):
    """Differentiated standards: a benchmark per value of a customer segment field."""

    field: str
    values: dict[str, float]
    default: float | None = None

    _keys = field_validator("values", mode="before")(_text_keys)


class MixBenchmark(Frozen):
    """Mix-adjusted fairness (indirect standardisation) by a field of the indicator's own rows.

    Each unit is compared with what it handled: ``expected = Σ_s share_s × benchmark_s``,
    ``share_s`` being the unit's share of its sample in segment ``s`` (e.g. call type).
    ``benchmark_s`` is ``values[s]`` (else ``default``) when given, otherwise the value of the
    whole population (all units pooled) in that segment and period.
    """

    segment_by: str
    values: dict[str, float] = Field(default_factory=dict)
    default: float | None = None

    _keys = field_validator("values", mode="before")(_text_keys)


class Linear(Frozen):
    """Linear between ``worst`` (lowest score) and ``best`` (highest score), clipped."""

    rule: Literal["linear"]
    worst: float
    best: float


class Bands(Frozen):
    """Thresholds from best to worst: ``[t1, t2, t3, t4]`` → 5, 4, 3, 2, else 1 (on 1–5)."""

    rule: Literal["bands"]
    thresholds: tuple[float, ...]
    scores: tuple[float, ...] | None = None


class Percentile(Frozen):
    """Rank among peers at the same level and period (ties share the mid-rank)."""

    rule: Literal["percentile"]


class Target(Frozen):
    """Attainment of the target (default: the benchmark); capped at ``cap``."""

    rule: Literal["target"]
    target: float | None = None
    cap: float = 1.0


ScoringRule = Annotated[Linear | Bands | Percentile | Target, Field(discriminator="rule")]


class Indicator(Frozen):
    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    name: BiText
    dataset: str
    measure: Measure
    filter: Conditions = ()
    direction: Direction = Direction.HIGHER
    unit: str = ""
    benchmark: float | SegmentBenchmark | MixBenchmark | None = None
    scoring: ScoringRule = Field(default_factory=lambda: Percentile(rule="percentile"))
    weight: float = Field(default=1.0, ge=0)
    min_n: int = Field(default=1, ge=1)
    controllable: bool = True
    """Whether an agent can influence it (a product defect must not lower an agent's grade)."""

    _name = field_validator("name", mode="before")(_text)
    _conds = field_validator("filter", mode="before")(_conditions)


class Weighting(Frozen):
    """How a dimension's indicator weights are set: by hand, or by a weighting method.

    ``ahp`` takes the pairwise ``matrix`` (indicators with a non-zero weight, in file order;
    ``"1/3"`` allowed); ``entropy`` / ``critic`` compute objective weights from the period's
    indicator values across the peer units (min-max normalised toward each indicator's
    direction, so "lower is better" counts the right way); ``combined`` mixes the subjective
    weights (AHP when a matrix is given, else the hand weights) with the objective ones:
    ``alpha · subjective + (1 − alpha) · objective``. Weight-0 helper indicators stay at 0.
    """

    method: Literal["manual", "ahp", "entropy", "critic", "combined"] = "manual"
    matrix: tuple[tuple[float | str, ...], ...] | None = None
    objective: Literal["entropy", "critic"] = "entropy"
    alpha: float = Field(default=0.5, ge=0, le=1)


class Dimension(Frozen):
    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    name: BiText
    weight: float = Field(default=1.0, ge=0)
    weighting: Weighting = Field(default_factory=Weighting)
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    _name = field_validator("name", mode="before")(_text)


class Reason(Frozen):
    category: Pest
    text: str


class EvaluationModel(Frozen):
    id: str
    name: BiText
    version: int = Field(default=1, ge=1)
    effective_from: date = date(2000, 1, 1)
    reason: Reason | None = None
    level: str = "branch"
    """An entity type, or ``"field:NAME"`` (written ``{field: NAME}`` in YAML): units are NAME's values."""
    period: Grain = Grain.month
    scale: Scale = Scale.five
    segments: tuple[str, ...] = ()
    small_sample: SmallSample = SmallSample.exclude
    min_n_to_rank: int | None = Field(default=None, ge=1)
    """Fewest records (a unit's largest indicator ``n``) before a unit is ranked; fewer → scored, shown as
    "not enough data", not ranked. None: the smallest ``min_n`` of the weighted indicators."""
    aggregation: Literal["weighted_mean", "topsis"] = "weighted_mean"
    dimensions: tuple[Dimension, ...] = Field(min_length=1)

    _name = field_validator("name", mode="before")(_text)

    @field_validator("level", mode="before")
    @classmethod
    def _field_level(cls, v: object) -> object:
        if isinstance(v, dict):
            if set(v) != {"field"} or not isinstance(v["field"], str) or not v["field"]:
                raise ValueError("a field level is written {field: NAME}, e.g. {field: agent_id}")
            return FIELD_LEVEL + v["field"]
        return v

    @property
    def unit_field(self) -> str | None:
        """The field whose values are the units, or None for an entity-tree level."""
        return level_field(self.level)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for d in self.dimensions for i in d.indicators)

    @property
    def rank_min_n(self) -> int:
        """:attr:`min_n_to_rank`, or the smallest ``min_n`` among the indicators that carry weight."""
        if self.min_n_to_rank is not None:
            return self.min_n_to_rank
        weighted = [i.min_n for d in self.dimensions if d.weight > 0 for i in d.indicators if i.weight > 0]
        return min(weighted, default=1)

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)
