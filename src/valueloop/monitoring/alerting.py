"""Alert rules over the KPI stream: conditions per series, the pending → firing → resolved cycle.

:class:`RuleEngine` evaluates every rule at the close of each minute (``t`` = the minute's
end), on the overall series or on every entity's, in minute order. The comparison is
vectorised over the entities of a minute; only series whose condition holds or whose
alert is not inactive take the Python path of :func:`valueloop.monitoring.rules.step`, and
there are few of those. It returns the *transitions* (an alert starts firing, an alert
resolves): what the store records and people are told about. An alert's id is its
fingerprint (rule + entity) and the time its condition began, so evaluating the same
events twice (a replay after a crash) yields the same ids — storage is idempotent on them.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from valueloop.monitoring.bank import EWMABank, LikelihoodBank
from valueloop.monitoring.kpis import SAMPLE_OF, KpiFrame, column
from valueloop.monitoring.rules import AlertRule, AlertState, Phase, step
from valueloop.spec.alerts import MonitorSpec, RuleSpec

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
_BANKS: dict[str, type[EWMABank] | type[LikelihoodBank]] = {"ewma": EWMABank, "likelihood": LikelihoodBank}


def fingerprint(rule: str, entity: str) -> str:
    return hashlib.sha256(f"{rule}\x1f{entity}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Transition:
    """An alert that started firing or resolved at ``at`` (Unix s, the close of the minute)."""

    rule: str
    entity: str
    status: Literal["firing", "resolved"]
    at: float
    started_at: float
    value: float

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rule, self.entity)

    @property
    def alert_id(self) -> str:
        return f"{self.fingerprint}-{int(self.started_at)}"


@dataclass(frozen=True)
class Active:
    """A series whose alert is pending or firing now."""

    rule: str
    entity: str
    phase: Phase
    since: float
    value: float


class _RuleState:
    def __init__(self, spec: RuleSpec) -> None:
        self.spec = spec
        self.rule = AlertRule(for_=spec.for_, keep_firing_for=spec.keep_firing_for)
        cond = spec.condition
        self.column, self.compare, self.threshold = cond.column, _OPS[cond.op], cond.threshold
        sample = SAMPLE_OF.get(cond.kpi)
        self.sample_column = column(sample, cond.window) if sample and spec.min_samples else None
        self.states: dict[int, AlertState] = {}
        self.values: dict[int, float] = {}
        self.allowed = np.zeros(0, dtype=bool)  # by key code: does the rule watch this entity (its type)?
        self.bank = _BANKS[spec.detector](**spec.detector_params) if spec.detector else None  # type: ignore[arg-type]


class RuleEngine:
    """Evaluate a :class:`MonitorSpec`'s rules on :class:`KpiFrame` s, in time order."""

    def __init__(self, spec: MonitorSpec, entity_type: Callable[[str], str | None] = lambda _: None) -> None:
        self.spec = spec
        self._rules = [_RuleState(r) for r in spec.rules]
        self._entity_type = entity_type

    def _applies(self, rs: _RuleState, keys: np.ndarray, names: list[str]) -> np.ndarray:
        if rs.spec.by == "overall":
            return np.asarray(keys == 0)
        if not rs.spec.entity_types:
            return np.asarray(keys != 0)
        known = len(rs.allowed)
        if known < len(names):  # entities seen for the first time: look their type up once
            new = [self._entity_type(n) in rs.spec.entity_types for n in names[known:]]
            rs.allowed = np.concatenate([rs.allowed, np.asarray(new, dtype=bool)])
            rs.allowed[0] = False
        out: np.ndarray = rs.allowed[keys]
        return out

    def watches(self, col: str, keys: np.ndarray, names: list[str]) -> np.ndarray:
        """Which keys some rule evaluates ``col`` for (the stream computes costly columns only there)."""
        out = np.zeros(len(keys), dtype=bool)
        for rs in self._rules:
            if rs.column == col or rs.sample_column == col:
                out |= self._applies(rs, keys, names)
        return out

    def evaluate(self, frame: KpiFrame, names: list[str]) -> list[Transition]:
        """Transitions of every rule over the minutes of ``frame`` (rows ordered by minute)."""
        out: list[Transition] = []
        if not len(frame):
            return out
        minutes = frame.minute
        cuts = np.flatnonzero(np.diff(minutes)) + 1
        bounds = [0, *cuts.tolist(), len(minutes)]
        with np.errstate(invalid="ignore"):
            for lo, hi in itertools.pairwise(bounds):
                t = (int(minutes[lo]) + 1) * 60.0
                keys = frame.key[lo:hi]
                for rs in self._rules:
                    sel = self._applies(rs, keys, names)
                    k = keys[sel]
                    if not len(k) and not rs.states:
                        continue
                    v = frame.values[rs.column][lo:hi][sel]
                    cond = np.asarray(rs.compare(v, rs.threshold)) & np.isfinite(v)
                    if rs.sample_column is not None:
                        cond &= frame.values[rs.sample_column][lo:hi][sel] >= rs.spec.min_samples
                    if rs.bank is not None and len(k):
                        _, fired, above = rs.bank.update(k, v)
                        cond &= fired & (
                            above if rs.spec.direction == "up" else ~above if rs.spec.direction == "down" else True
                        )
                    if cond.any() or rs.states:
                        true = dict(zip(k[cond].tolist(), v[cond].tolist(), strict=True))
                        out += self._step(rs, true, t, names)
        return out

    def _step(self, rs: _RuleState, true: dict[int, float], t: float, names: list[str]) -> list[Transition]:
        out: list[Transition] = []
        for key in set(rs.states) | set(true):
            before = rs.states.get(key, AlertState())
            holds = key in true
            after = step(rs.rule, before, holds, t)
            if holds:
                rs.values[key] = true[key]
            if after.phase is Phase.firing and before.phase is not Phase.firing:
                assert after.since is not None
                out.append(Transition(rs.spec.name, names[key], "firing", t, after.since, rs.values[key]))
            elif after.phase is Phase.resolved:
                assert before.since is not None
                out.append(
                    Transition(rs.spec.name, names[key], "resolved", t, before.since, rs.values.get(key, math.nan))
                )
            if after.phase is Phase.inactive:
                rs.states.pop(key, None)
                rs.values.pop(key, None)
            else:
                rs.states[key] = after
        return out

    def active(self, names: list[str]) -> list[Active]:
        """Pending and firing series now."""
        return [
            Active(rs.spec.name, names[k], st.phase, st.since or 0.0, rs.values.get(k, math.nan))
            for rs in self._rules
            for k, st in sorted(rs.states.items())
            if st.phase in (Phase.pending, Phase.firing)
        ]

    def state(self) -> dict[str, Any]:
        return {
            rs.spec.name: {
                "states": [[k, st.phase.value, st.since, st.last_true] for k, st in rs.states.items()],
                "values": [[k, None if math.isnan(v) else v] for k, v in rs.values.items()],
                "bank": rs.bank.state() if rs.bank is not None else None,
            }
            for rs in self._rules
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Carry on from :meth:`state`; rules that are new since then start fresh."""
        for rs in self._rules:
            saved = state.get(rs.spec.name)
            if saved is None:
                continue
            rs.states = {int(k): AlertState(Phase(p), s, lt) for k, p, s, lt in saved["states"]}
            rs.values = {int(k): math.nan if v is None else float(v) for k, v in saved["values"]}
            if rs.bank is not None and saved["bank"] is not None:
                rs.bank = type(rs.bank).from_state(saved["bank"])
