"""Alert rules, inhibition, recurring silences and notification routing: the monitor's YAML.

Prometheus-like on purpose, so an operations team reads it without a manual::

    group_by: [alertname, branch]
    rules:
      - name: slow_first_response
        expr: frt_p50[15m] >= benchmark * warning  # the policy's "20 % over the benchmark"
        by: entity
        for: 5m
        keep_firing_for: 10m
        severity: warning
        labels: {team: service}
        summary: {zh: "首次响应中位数超出基准 20%", en: "Median first response over benchmark by 20%"}
    inhibit:
      - source: {entity_type: branch}
        target: {entity_type: agent}
        equal: [branch]
    silences:
      - matchers: {severity: info}
        schedule: {days: [sat, sun], start: "00:00", end: "24:00"}
        comment: weekends

``expr`` is ``KPI[WINDOW] OP NUMBER`` or ``KPI[WINDOW] OP benchmark * FACTOR``. FACTOR is a
number or the policy's ``warning`` (1.2) / ``critical`` (1.5) from ``spec/policy.py``, and
``benchmark`` defaults to the policy's benchmark for the KPI (``frt_p50``: 90 s), so the
monitor holds first response to the same line as diagnosis. With
``detector`` the condition also needs that anomaly detector to flag the KPI's series.
Structure is checked by pydantic; every problem is reported with file:line.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from valueloop.spec.policy import CRITICAL_GAP, FACTORS, KPI_BENCHMARKS, WARNING_GAP
from valueloop.spec.yamlsource import Problem, load_yaml

Severity = Literal["info", "warning", "critical"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}
KPI_NAMES = (
    "volume",
    "resolved",
    "complaints",
    "bot_handoffs",
    "errors",
    "events",
    "feedback",
    "first_responses",
    "complaint_rate",
    "abandonment",
    "negative_feedback_rate",
    "error_rate",
    "frt_p50",
    "frt_p90",
)
"""The monitor's KPIs (``monitor/kpis.py`` defines them; a test keeps the two lists equal)."""
WINDOW_NAMES = ("1m", "15m", "60m")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OPS = (">=", "<=", "==", "!=", ">", "<")
_EXPR = re.compile(
    r"^\s*(?P<kpi>[a-z_0-9]+)\s*\[\s*(?P<window>\w+)\s*\]\s*(?P<op>>=|<=|==|!=|>|<)\s*"
    r"(?P<bench>benchmark\s*\*\s*)?(?:(?P<factor>warning|critical)|(?P<num>-?\d+(?:\.\d+)?))\s*$"
)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def seconds(raw: Any) -> float:
    """``90``, ``"30s"``, ``"5m"``, ``"1h"`` → seconds."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    m = _DURATION.match(str(raw))
    if not m:
        raise ValueError(f"{raw!r} is not a duration like 30s, 5m, 1h")
    return float(m.group(1)) * _UNIT[m.group(2)]


class Text(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    zh: str = ""
    en: str = ""


class Condition(BaseModel):
    """A parsed ``expr``."""

    model_config = ConfigDict(frozen=True)
    kpi: str
    window: str
    op: str
    threshold: float

    @property
    def column(self) -> str:
        return f"{self.kpi}[{self.window}]"


class RuleSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")
    expr: str
    benchmark: float | None = None
    """What ``benchmark`` in ``expr`` stands for; unset, the policy's benchmark for the KPI."""
    detector: Literal["ewma", "likelihood"] | None = None
    """An anomaly detector that must also flag the KPI's series (vectorised over units, checkpointable)."""
    detector_params: dict[str, float] = Field(default_factory=dict)
    direction: Literal["up", "down", "both"] = "both"
    """Which anomalies of the detector count: a surge (up), a lull (down) or either."""
    min_samples: int = Field(default=0, ge=0)
    """A rate or quantile needs at least this many cases in the window (1 complaint in 1 call is not 100 %)."""
    by: Literal["entity", "overall"] = "entity"
    entity_types: tuple[str, ...] = ()
    for_: float = Field(default=0.0, alias="for", ge=0)
    keep_firing_for: float = Field(default=0.0, ge=0)
    severity: Severity = "warning"
    labels: dict[str, str] = Field(default_factory=dict)
    summary: Text = Text()

    @field_validator("for_", "keep_firing_for", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> float:
        return seconds(v)

    @model_validator(mode="after")
    def _expr_ok(self) -> RuleSpec:
        self.condition  # noqa: B018 - raises on a bad expression
        return self

    @property
    def condition(self) -> Condition:
        m = _EXPR.match(self.expr)
        if not m:
            raise ValueError(
                f"expr {self.expr!r} is not 'KPI[WINDOW] OP NUMBER' or 'KPI[WINDOW] OP benchmark * N|warning|critical'"
            )
        if m["kpi"] not in KPI_NAMES:
            raise ValueError(f"unknown KPI {m['kpi']!r} (known: {', '.join(KPI_NAMES)})")
        if m["window"] not in WINDOW_NAMES:
            raise ValueError(f"unknown window {m['window']!r} (known: {', '.join(WINDOW_NAMES)})")
        if m["factor"] and not m["bench"]:
            raise ValueError(f"{m['factor']!r} is a factor of the benchmark: write 'benchmark * {m['factor']}'")
        number = FACTORS[m["factor"]] if m["factor"] else float(m["num"])
        if m["bench"]:
            benchmark = self.benchmark if self.benchmark is not None else KPI_BENCHMARKS.get(m["kpi"])
            if benchmark is None:
                raise ValueError(f"expr uses benchmark but the rule has none and the policy has none for {m['kpi']}")
            number *= benchmark
        return Condition(kpi=m["kpi"], window=m["window"], op=m["op"], threshold=number)


class QaRuleSpec(BaseModel):
    """An alert when an agent's or unit's conversation-QA score drops (``qa_rules:`` in ``monitor.yaml``).

    Evaluated once per period of the QA roll-up (``valueloop qa alerts``), not per minute: the
    period's mean score fires the alert when it is ``drop`` below the mean of the ``baseline``
    periods before it — ``drop`` is a share (0.1 = 10 % lower) or the policy's ``warning`` /
    ``critical`` gap (20 % / 50 % worse, ``spec/policy.py``), as for the live KPIs. A period
    with fewer than ``min_conversations`` scored conversations neither fires nor counts in a baseline.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")
    rubric: str = Field(default="bank_call", pattern=r"^[A-Za-z0-9_.-]{1,100}$")
    by: Literal["agent", "unit"] = "agent"
    period: Literal["week", "month"] = "month"
    drop: float | Literal["warning", "critical"] = "warning"
    baseline: int = Field(default=3, ge=1, le=52)
    min_conversations: int = Field(default=10, ge=1)
    severity: Severity = "warning"
    labels: dict[str, str] = Field(default_factory=dict)
    summary: Text = Text()

    @field_validator("drop")
    @classmethod
    def _share(cls, v: float | str) -> float | str:
        if isinstance(v, float | int) and not 0 < v < 1:
            raise ValueError("drop is a share between 0 and 1 (0.2 = 20 % lower), or warning / critical")
        return v

    @property
    def gap(self) -> float:
        """The relative drop that fires: a share, or the policy's warning / critical gap."""
        return (
            float(self.drop)
            if not isinstance(self.drop, str)
            else {"warning": WARNING_GAP, "critical": CRITICAL_GAP}[self.drop]
        )


class InhibitSpec(BaseModel):
    """While an alert matching ``source`` fires, alerts matching ``target`` with equal labels are muted."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    source: dict[str, str] = Field(min_length=1)
    target: dict[str, str] = Field(min_length=1)
    equal: tuple[str, ...] = ()


class Schedule(BaseModel):
    """When a recurring silence applies: these weekdays, between ``start`` and ``end`` local time.

    ``end`` at or before ``start`` crosses midnight (nightly 22:00–06:00: the early hours
    belong to the day the night started). ``holidays: true`` also applies all day on the
    spec's ``holidays`` dates.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = DAYS  # type: ignore[assignment]
    start: str = "00:00"
    end: str = "24:00"
    holidays: bool = False

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, v: str) -> str:
        if not _CLOCK.match(v) or (v.startswith("24") and v != "24:00"):
            raise ValueError(f"{v!r} is not a time HH:MM (00:00–24:00)")
        return v


class SilenceSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    matchers: dict[str, str] = Field(min_length=1)
    schedule: Schedule | None = None
    comment: str = ""


class MonitorSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    timezone: str | None = None
    group_by: tuple[str, ...] = ("alertname",)
    rules: tuple[RuleSpec, ...] = ()
    qa_rules: tuple[QaRuleSpec, ...] = ()
    inhibit: tuple[InhibitSpec, ...] = ()
    silences: tuple[SilenceSpec, ...] = ()
    holidays: tuple[date, ...] = ()
    channels: tuple[dict[str, Any], ...] = ()

    @model_validator(mode="after")
    def _unique_names(self) -> MonitorSpec:
        names = [r.name for r in self.rules] + [r.name for r in self.qa_rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"rule names must be unique: {', '.join(dupes)}")
        return self


def load_monitor_spec(file: Path) -> MonitorSpec:
    """Parse ``file``; raise :class:`SpecError` naming file:line of every problem."""
    doc = load_yaml(file)
    try:
        return MonitorSpec.model_validate(doc.data or {})
    except ValidationError as err:
        doc.fail([Problem(tuple(e["loc"]), e["msg"]) for e in err.errors()])
        raise AssertionError("unreachable") from err
