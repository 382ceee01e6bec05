"""What ``valueloop vsm`` and ``/api/v1/vsm`` answer: a value stream map, and optionally its change.

:mod:`valueloop.improvement.vsm_summary` computes the map as plain data; the use case reads it
into :class:`ValueStreamMap`, so the CLI's ``--format json``, the API and OpenAPI show one
document. Field order is the JSON's key order. A count stays an integer (``int | float``:
pydantic keeps an int an int), so ``planned_wait_minutes: 0`` is not rewritten as ``0.0``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from valueloop.results import MISSING, Result

Number = int | float


class StepDefinition(Result):
    """A step as the process definition gives it (:class:`valueloop.spec.process.ProcessStep`)."""

    name: str
    department: str
    value_adding: bool
    standard_minutes: float | None
    planned_wait_minutes: Number
    description: str


class ProcessRef(Result):
    """The process definition the map was measured against."""

    id: str
    name: str
    steps: list[StepDefinition]


class ProcessSummary(Result):
    """Lead time, value-added time and PCE over interactions whose every step ended; hand-offs; the bottleneck."""

    interactions: int
    complete: int
    lead_time_median: float | None
    lead_time_p90: float | None
    lead_time_mean: float | None
    value_added_median: float | None
    value_added_mean: float | None
    pce: float | None
    rework_interactions: int
    handoffs: int
    handoffs_per_interaction: float | None
    bottleneck: str | None
    non_value_adding: list[str]


class StepRow(Result):
    """One step as measured (minutes): volume, median and p90 processing and waiting, rework, hand-offs in."""

    step: str
    department: str
    value_adding: bool
    standard_minutes: float | None
    planned_wait_minutes: Number
    volume: int
    interactions: int
    process_median: float | None
    process_p90: float | None
    wait_median: float | None
    wait_p90: float | None
    rework: int
    handoffs_in: int
    vs_standard: float | None
    excess_wait: float | None


class DepartmentPair(Result):
    """A department boundary crossed in the data: how often, and the median wait across it (minutes)."""

    model_config = ConfigDict(frozen=True, serialize_by_alias=True, validate_by_name=True)
    from_department: str = Field(alias="from")
    to_department: str = Field(alias="to")
    handoffs: int
    wait_median: float | None


class Series(Result):
    name: str
    stack: str | MISSING = MISSING
    data: list[float | None]


class BarChart(Result):
    """Step bars: median wait stacked on median processing, and the standard time (minutes)."""

    type: Literal["bar"]
    unit: str
    categories: list[str]
    series: list[Series]


class ValueStream(Result):
    """The map of one period: process summary, steps, department boundaries, chart series."""

    summary: ProcessSummary
    steps: list[StepRow]
    handoff_pairs: list[DepartmentPair]
    chart: BarChart


class Delta(Result):
    before: Number | None
    after: Number | None
    change: Number | None


class Shift(Result):
    before: str | None
    after: str | None


class SummaryChange(Result):
    lead_time_median: Delta
    lead_time_p90: Delta
    value_added_median: Delta
    pce: Delta
    handoffs_per_interaction: Delta
    bottleneck: Shift


class StepChange(Result):
    step: str
    process_median: Delta
    wait_median: Delta
    volume: Delta
    rework: Delta


class Comparison(Result):
    """The map of the ``after`` period, and the change of the process measures and of each step."""

    before: str
    after: str
    map: ValueStream
    summary: SummaryChange
    steps: list[StepChange]


class ValueStreamMap(Result):
    """The map of ``period`` (``all``: every interaction); ``compare`` only when a second period was asked."""

    process: ProcessRef
    period: str
    summary: ProcessSummary
    steps: list[StepRow]
    handoff_pairs: list[DepartmentPair]
    chart: BarChart
    compare: Comparison | MISSING = MISSING
