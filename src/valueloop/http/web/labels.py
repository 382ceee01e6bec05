"""Business names on every page: units by name and id, indicators by their model name, values in their unit.

One per request (``lb`` in every template), over the translator and the workspace's unit
directory and indicator catalogue (both read lazily, and cached per lake / model snapshot by
:mod:`valueloop.evaluation.service.directory`). Codes a page would otherwise show — rule,
level, role and method ids, generated titles and reasons — are translated here, and only here.
"""

from __future__ import annotations

import re
from functools import cached_property

from valueloop.errors import ValueloopError
from valueloop.evaluation.service.directory import UnitInfo, indicator_catalogue, unit_directory
from valueloop.evaluation.service.models import latest_versions
from valueloop.http.web.i18n import MESSAGES, Translator
from valueloop.monitoring.service.alerts import AlertRecord
from valueloop.monitoring.service.monitor import load_spec
from valueloop.spec.model import Aggregate, Bands, Derived, Indicator, Linear, Percentile, Rate, Target
from valueloop.spec.units import duration_text, percent_factor, seconds_per
from valueloop.store.workspace import Workspace

# what create_action(from_finding=…) and the verification use case write, read back to translate
GENERATED_TITLE = re.compile(r"^(?P<indicator>\w+) @ (?P<unit>\S+) \((?P<period>[^)]+)\): close the gap$")
GENERATED_REASONS = {"proposed": "gen_proposed", "verification started": "gen_verification_started"}
GENERATED_DESCRIPTION = re.compile(
    r"^From finding (?P<id>\S+) \((?P<severity>\w+), rule (?P<rule>\w+)\): "
    r"value (?P<value>\S+) vs benchmark (?P<benchmark>\S+), gap (?P<gap>\S+)\.$"
)
AB_VERDICT = re.compile(r"^A/B verification on lake data: (?P<verdict>\w+)$")
# what the monitor writes in an alert's ``muted`` (monitoring/service/monitor.py)
SILENCED = re.compile(r"^silenced by (?P<id>\S+)(?: \((?P<comment>.*)\))?$", re.S)
INHIBITED = re.compile(r"^inhibited by (?P<rule>\S+) on (?P<unit>\S+)$")


class Labels:
    """``unit('B010')`` → ``上海浦东支行 (B010)``; ``value('first_response', 2.08)`` → ``2.08 分钟``; …"""

    def __init__(self, ws: Workspace | None, tr: Translator, model: str | None = None) -> None:
        self.ws, self.tr, self.model = ws, tr, model

    @cached_property
    def units(self) -> dict[str, UnitInfo]:
        return unit_directory(self.ws) if self.ws is not None else {}

    @cached_property
    def indicators(self) -> dict[str, Indicator]:
        return indicator_catalogue(self.ws, self.model) if self.ws is not None else {}

    @cached_property
    def models(self) -> dict[str, str]:
        return {m.id: self.tr.text(m.name) for m in latest_versions(self.ws)} if self.ws is not None else {}

    @cached_property
    def alert_rules(self) -> dict[str, str]:
        """Alert rule → its summary in this locale, from the monitor spec in force."""
        try:
            spec = load_spec(self.ws) if self.ws is not None else None
        except ValueloopError:
            return {}
        return {r.name: text for r in spec.rules if (text := self.tr.text(r.summary))} if spec else {}

    def model_name(self, model_id: str) -> str:
        return self.models.get(model_id, model_id)

    def alert(self, record: AlertRecord) -> str:
        return self.alert_rules.get(record.rule, record.rule)

    def _term(self, kind: str, code: str | None) -> str:
        if not code:
            return "—"
        key = f"{kind}_{code}"
        return self.tr.t(key) if key in MESSAGES else code

    # units of the organisation
    def unit_name(self, entity_id: str) -> str:
        info = self.units.get(entity_id)
        return info.name if info else entity_id

    def unit(self, entity_id: str) -> str:
        """Name with the id people also use (``上海浦东支行 (B010)``); the bare id when the tree does not know it."""
        name = self.unit_name(entity_id)
        return f"{name} ({entity_id})" if name != entity_id else entity_id

    def exists(self, entity_id: str) -> bool:
        return entity_id in self.units

    def level(self, code: str | None) -> str:
        return self._term("level", code)

    def unit_level(self, entity_id: str) -> str | None:
        info = self.units.get(entity_id)
        return info.level if info else None

    # indicators and their values
    def ind(self, indicator_id: str) -> str:
        found = self.indicators.get(indicator_id)
        return self.tr.text(found.name) if found else indicator_id

    def uom(self, indicator_id: str) -> str:
        """The unit a value is shown in: ``%`` for shares, else the model's unit (``分钟``, ``元``) in this locale."""
        found = self.indicators.get(indicator_id)
        if found is None:
            return ""
        if percent_factor(found) is not None:
            return "%"
        code = found.unit or getattr(found.measure, "unit", "")
        return self._term("uom", code) if code else ""

    def value(self, indicator_id: str, value: float | None, digits: int = 2) -> str:
        if value is None or value != value:
            return "—"
        found = self.indicators.get(indicator_id)
        factor = percent_factor(found) if found else None
        if factor is not None:
            return f"{self.tr.num(value * factor, 1)}%"
        seconds = seconds_per(found) if found else None
        if seconds is not None:  # the rule of the API's ``shown``: two whole units, worded in this locale
            return duration_text(value * seconds, {code: self.tr.t(f"dur_{code}") for code in ("d", "h", "min", "s")})
        unit = self.uom(indicator_id)
        return f"{self.tr.num(value, digits)} {unit}".rstrip()

    def signed(self, indicator_id: str, benchmark: float | None) -> bool:
        """Whether a relative gap means nothing here: a benchmark at or below zero, or a scale through zero (NPS)."""
        found = self.indicators.get(indicator_id)
        if benchmark is None or benchmark <= 0:
            return True
        if found is None:
            return False
        low = min(found.scoring.worst, found.scoring.best) if isinstance(found.scoring, Linear) else 0.0
        return isinstance(found.measure, Derived) or low < 0

    def gap(self, indicator_id: str, value: float | None, benchmark: float | None, gap_pct: float | None) -> str:
        """The gap as a percentage of the benchmark where that is meaningful, else in the indicator's own unit."""
        if value is None or benchmark is None:
            return "—"
        if not self.signed(indicator_id, benchmark) and gap_pct is not None:
            return self.tr.pct(gap_pct)
        return self.tr.fmt("worse_by", gap=self.value(indicator_id, abs(value - benchmark)))

    def additive(self, indicator_id: str) -> bool:
        """A row mean (a rate or a mean): only then does a parent's value split exactly into its units' parts."""
        found = self.indicators.get(indicator_id)
        measure = found.measure if found else None
        return isinstance(measure, Rate) or (isinstance(measure, Aggregate) and measure.type == "mean")

    def direction(self, indicator_id: str) -> str:
        found = self.indicators.get(indicator_id)
        return self.tr.t(f"direction_{found.direction.value}") if found else "—"

    def scoring(self, indicator_id: str) -> str:
        """The scoring rule in words, with its thresholds in the indicator's unit."""
        found = self.indicators.get(indicator_id)
        if found is None:
            return "—"
        rule = found.scoring

        def v(x: float | None) -> str:
            return self.value(indicator_id, x)

        if isinstance(rule, Linear):
            return self.tr.fmt("score_linear", worst=v(rule.worst), best=v(rule.best))
        if isinstance(rule, Bands):
            return self.tr.fmt("score_bands", thresholds=" / ".join(v(x) for x in rule.thresholds))
        if isinstance(rule, Target):
            target = rule.target if rule.target is not None else _flat_benchmark(found)
            return self.tr.fmt("score_target", target=v(target), cap=self.tr.num(rule.cap, 1))
        assert isinstance(rule, Percentile)
        return self.tr.t("score_percentile")

    def field(self, name: str) -> str:
        """A dataset field's business name (``opened_at`` → ``受理时间``); a workspace's own field by its name."""
        return self._term("field", name)

    def segment_field(self, field: str) -> str:
        """A customer segment field's business name (``spend_tier`` → ``消费层级``); else the field as it is."""
        return self._term("segment_field", field)

    def segment(self, field: str, value: str) -> str:
        """One segment's value in words: a yes/no field's ``true``/``false`` as yes/no, a known value by its
        catalogue name (``segment_spend_tier_high`` → ``高``), any other value as the data has it."""
        if value in ("true", "false"):
            return self.tr.t("yes" if value == "true" else "no")
        key = f"segment_{field}_{value}"
        return self.tr.t(key) if key in MESSAGES else value

    def segment_key(self, key: str) -> str:
        """``spend_tier:high`` (a rankings URL's segment) → ``消费层级 · 高``."""
        field, _, value = key.partition(":")
        return f"{self.segment_field(field)} · {self.segment(field, value)}"

    def rank_min_n(self, model_id: str) -> int | None:
        """The records a unit needs before the model ranks it."""
        found = next((m for m in latest_versions(self.ws) if m.id == model_id), None) if self.ws is not None else None
        return found.rank_min_n if found else None

    def min_n(self, indicator_id: str) -> int | None:
        found = self.indicators.get(indicator_id)
        return found.min_n if found else None

    # codes of the loop
    def rule(self, code: str | None) -> str:
        return self._term("rule", code)

    def role(self, code: str | None) -> str:
        return self._term("role", code)

    def method(self, code: str | None) -> str:
        return self._term("method", code)

    def grain(self, code: str | None) -> str:
        return self._term("grain", code)

    def title(self, text: str) -> str:
        """An action title; the one generated from a finding is re-worded in this locale with names."""
        found = GENERATED_TITLE.match(text)
        if not found:
            return text
        parts = found.groupdict()
        return self.tr.fmt("gen_close_gap", indicator=self.ind(parts["indicator"]), unit=self.unit(parts["unit"]),
                           period=self.tr.period(parts["period"]))  # fmt: skip

    def description(self, text: str, indicator: str | None) -> str:
        """An action's description; the one generated from a finding is re-worded with the indicator's units."""
        found = GENERATED_DESCRIPTION.match(text)
        if not found or indicator is None:
            return text
        value, benchmark, gap = (_number(found[k]) for k in ("value", "benchmark", "gap"))
        return self.tr.fmt(
            "gen_from_finding",
            id=found["id"],
            severity=self.tr.t(found["severity"]),
            rule=self.rule(found["rule"]),
            value=self.value(indicator, value),
            benchmark=self.value(indicator, benchmark),
            gap=self.gap(indicator, value, benchmark, gap),
        )

    def reason(self, text: str | None) -> str:
        """A history reason; the ones the system writes itself are translated, people's own words are kept."""
        if not text:
            return ""
        if text in GENERATED_REASONS:
            return self.tr.t(GENERATED_REASONS[text])
        verdict = AB_VERDICT.match(text)
        if verdict:
            return self.tr.fmt("gen_ab_verdict", verdict=self.tr.t(f"verdict_{verdict['verdict']}"))
        return text

    def muted(self, text: str | None) -> str:
        """Why an alert notified nobody: the silence or the alert that inhibited it, in words and names."""
        if not text:
            return ""
        if found := SILENCED.match(text):
            return self.tr.fmt("gen_silenced", id=found["id"]) + (f" · {found['comment']}" if found["comment"] else "")
        if found := INHIBITED.match(text):
            rule = self.alert_rules.get(found["rule"], found["rule"])
            # the inhibiting alert may be another region's: its id as stored, never a name the caller could not look up
            return self.tr.fmt("gen_inhibited", rule=rule, unit=found["unit"])
        return text


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _flat_benchmark(found: Indicator) -> float | None:
    return found.benchmark if isinstance(found.benchmark, float | int) else None
