"""What a period review reads: plain, already computed data (the renderers never compute).

:func:`valueloop.reporting.service.review.build_review` assembles a :class:`ReviewData` from the other
use cases; HTML, PDF and XLSX are three views of the same object. Every section can be
empty, and an empty section says so instead of showing made-up numbers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class Label(BaseModel):
    """A bilingual name of something the model defines (dimension, indicator, topic)."""

    id: str
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class MonthRun(BaseModel):
    """One monthly evaluation used for the period: a stored run, or evaluated on the fly (not stored)."""

    period: str
    source: Literal["stored", "evaluated", "missing"]
    run_id: str | None = None
    version: int | None = None


class UnitScore(BaseModel):
    """A unit's composite and dimension scores: the mean of its monthly scores in the period."""

    entity_id: str
    name: str
    score: float | None
    rank: int | None
    dimensions: dict[str, float | None]
    months: int
    previous_score: float | None = None
    change: float | None = None
    previous_rank: int | None = None
    rank_change: int | None = None
    """Places moved up since the previous period (previous rank − rank)."""


class Summary(BaseModel):
    months: list[MonthRun]
    previous_period: str
    previous_months: list[MonthRun]
    dimensions: list[Label]
    units: list[UnitScore]
    mean_score: float | None
    mean_change: float | None


class GoalRow(BaseModel):
    indicator: Label
    entity_id: str
    name: str
    period: str
    direction: Literal["higher", "lower"]
    target: float
    value: float | None
    attainment: float | None
    """Percent: value/target when higher is better, target/value when lower is better."""
    met: bool | None


class GoalsSection(BaseModel):
    file: str | None
    rows: list[GoalRow]
    other_periods: int = 0


class ActionRef(BaseModel):
    action_id: int
    title: str
    status: str
    owner: str | None
    due_date: date | None
    overdue: bool
    verification: str | None


class FindingRow(BaseModel):
    id: str
    entity_id: str
    name: str
    indicator: Label
    period: str
    segment: str | None
    severity: str
    rule: str
    value: float
    benchmark: float | None
    gap_pct: float | None
    """Percent worse than the benchmark, as the finding stores it (50.7 = 50.7 %)."""
    n: int
    actions: list[ActionRef] = Field(default_factory=list)


class VerificationRow(BaseModel):
    action_id: int
    title: str
    status: str
    indicator: str | None
    verdict: str
    method: str | None
    p_value: float | None
    ci_low: float | None
    ci_high: float | None
    verified_at: datetime | None
    waived: bool


class TopicRow(BaseModel):
    topic: Label
    stage: str
    share: float
    growth: float
    since: str | None
    mentions: int


class HotRow(BaseModel):
    topic: Label
    period: str
    count: int
    share: float
    growth: float | None
    q_value: float | None
    hot: bool


class VoiceSection(BaseModel):
    texts: int
    lifecycle: list[TopicRow]
    hot: list[HotRow]


class RoiRow(BaseModel):
    action_id: int
    title: str
    verdict: str
    effect: float
    effect_ci: list[float | None]
    cost: float
    benefit: float
    benefit_ci: list[float] | None
    roi: float
    roi_ci: list[float] | None


class RoiSection(BaseModel):
    rows: list[RoiRow]
    without_valuation: list[int]
    cost: float
    benefit: float
    benefit_ci: list[float] | None
    roi: float | None
    roi_ci: list[float] | None


class ModelVersion(BaseModel):
    version: int
    effective_from: date
    category: str | None
    reason: str | None
    in_period: bool


class ModelSection(BaseModel):
    in_force: int
    versions: list[ModelVersion]


class IndicatorMethod(BaseModel):
    indicator: Label
    dimension: str
    direction: str
    unit: str
    scoring: str
    benchmark: str
    weight: float
    share: float | None
    min_n: int


class DimensionMethod(BaseModel):
    dimension: Label
    weight: float
    weighting: str


class Methods(BaseModel):
    scale: str
    aggregation: str
    small_sample: str
    model_grain: str
    indicators: list[IndicatorMethod]
    dimensions: list[DimensionMethod]


class ReviewData(BaseModel):
    """Everything ``valueloop report`` shows, for one period, model and level."""

    model_id: str
    model_name: Label
    period: str
    grain: str
    level: str
    generated_at: datetime
    summary: Summary
    goals: GoalsSection
    findings: list[FindingRow]
    findings_total: int
    verification: list[VerificationRow]
    voice: VoiceSection | None
    voice_note: str | None = None
    roi: RoiSection | None
    models: ModelSection
    methods: Methods
