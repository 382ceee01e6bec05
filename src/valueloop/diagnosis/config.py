"""Per-indicator rule settings for diagnosis, read from the workspace's optional ``diagnose.yaml``.

The evaluation model says what is measured and against which benchmark; how far off a
value must be before someone is told is a separate, more frequently tuned decision, so
it lives in its own file. Every key is optional; an indicator not named uses the
defaults, and ``default:`` overrides them for all indicators::

    default: {warning_gap: 0.2}
    resolution_time: {warning_gap: 0.15, critical_gap: 0.4, deterioration_periods: 3}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from valueloop.errors import SpecError
from valueloop.spec.policy import CRITICAL_GAP, WARNING_GAP


class RuleSettings(BaseModel):
    """Thresholds for one indicator; gaps are relative (0.2 = 20 % worse), by default the policy's
    (``spec/policy.py``), the same the monitor's benchmark rule uses."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool | None = None
    """None: diagnose the indicator when it counts in the composite (weight > 0)."""
    warning_gap: float = Field(default=WARNING_GAP, gt=0)
    critical_gap: float = Field(default=CRITICAL_GAP, gt=0)
    peer_bottom_decile: bool = True
    deterioration_periods: int = Field(default=3, ge=0)
    """How many previous periods form the unit's own baseline (0 turns the rule off)."""
    trend_periods: int = Field(default=6, ge=0)
    """Window for the trend test, current period included (0 turns it off)."""
    trend_alpha: float = Field(default=0.05, gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> RuleSettings:
        if self.critical_gap < self.warning_gap:
            raise ValueError("critical_gap must not be smaller than warning_gap")
        return self


class DiagnoseConfig(BaseModel):
    """Settings per indicator id, with the defaults for the rest."""

    model_config = ConfigDict(frozen=True)

    default: RuleSettings = Field(default_factory=RuleSettings)
    indicators: dict[str, RuleSettings] = Field(default_factory=dict)

    def for_indicator(self, indicator_id: str) -> RuleSettings:
        return self.indicators.get(indicator_id, self.default)


def parse_config(
    doc: Mapping[str, object] | None, source: str = "diagnose.yaml", line_of: Callable[[str], int] | None = None
) -> DiagnoseConfig:
    """Validate a parsed ``diagnose.yaml``; every problem is reported at once, with its key (and line, if known)."""
    doc = dict(doc or {})

    def where(key: str) -> str:
        return f"{source}:{line_of(key)}: {key}" if line_of else f"{source}: {key}"

    base = doc.pop("default", None) or {}
    problems: list[str] = []
    default = _settings(base, {}, where("default"), problems) or RuleSettings()
    indicators = {}
    for key, value in doc.items():
        parsed = _settings(value, default.model_dump(exclude_unset=False), where(str(key)), problems)
        if parsed is not None:
            indicators[str(key)] = parsed
    if problems:
        raise SpecError("\n".join(problems))
    return DiagnoseConfig(default=default, indicators=indicators)


def _settings(value: object, base: dict[str, object], where: str, problems: list[str]) -> RuleSettings | None:
    if not isinstance(value, Mapping):
        problems.append(f"{where}: expected a mapping of settings, got {type(value).__name__}")
        return None
    try:
        return RuleSettings.model_validate({**base, **value})
    except ValidationError as err:
        problems += [f"{where}.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors()]
        return None
