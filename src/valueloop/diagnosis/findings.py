"""What a finding is: one unit, one indicator, one period, one rule that fired, and why.

A finding is a statement a manager can check: the value, what it was compared with,
how far off it is (``gap_pct``, positive = worse, respecting the indicator's direction),
how bad that is, and evidence (sample rows and the query that reproduces the value).
Ids are derived from what the finding is about, so re-diagnosing a period gives the
same ids and replaces rather than duplicates.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from valueloop.spec.model import Direction


class Severity(StrEnum):
    warning = "warning"
    critical = "critical"


class RuleName(StrEnum):
    benchmark = "benchmark"
    """Worse than the indicator's benchmark (per segment for differentiated standards)."""
    peer_bottom_decile = "peer_bottom_decile"
    """Among the worst tenth of peer units in the period."""
    deterioration = "deterioration"
    """Worse than the unit's own median over its previous periods."""
    trend = "trend"
    """A significant worsening trend over the recent periods."""


class Finding(BaseModel):
    """The JSON contract of a finding (``valueloop findings show``)."""

    model_config = ConfigDict(frozen=True)

    id: str = ""
    entity_id: str
    indicator: str
    period: str
    segment: str | None = None
    value: float
    benchmark: float | None
    gap_pct: float | None
    severity: Severity
    rule: RuleName
    n: int = 0
    evidence: dict[str, Any] = Field(default_factory=dict)
    run_id: str | None = None
    model: str | None = None
    level: str | None = None
    created_at: datetime | None = None

    def with_id(self, model: str, level: str) -> Finding:
        key = "|".join([model, level, self.period, self.entity_id, self.indicator, self.segment or "", self.rule])
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        return self.model_copy(update={"id": f"F{digest}", "model": model, "level": level})


def relative_gap(value: float, reference: float, direction: Direction) -> float | None:
    """How much worse ``value`` is than ``reference``, as a share of ``|reference|``.

    Positive means worse: above the reference when lower is better, below it when higher
    is better. None when the reference is zero (no relative scale to speak of).
    """
    if reference == 0:
        return None
    diff = value - reference if direction is Direction.LOWER else reference - value
    return diff / abs(reference)


EPS = 1e-9
"""Thresholds are inclusive: 1.2 against 1.0 is a 20 % gap even though (1.2 − 1) / 1 < 0.2 in floats."""


def severity_of(gap: float | None, warning: float, critical: float) -> Severity | None:
    if gap is None or gap < warning - EPS:
        return None
    return Severity.critical if gap >= critical - EPS else Severity.warning
