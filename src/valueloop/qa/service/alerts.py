"""Use case: the monitor's QA rules (``qa_rules:`` in ``monitor.yaml``) over the QA roll-up, stored as its alerts.

Each rule reads the roll-up it names (rubric, agent or unit, month or week), steps every
unit's series through :func:`valueloop.monitoring.periodic.drop_transitions` and records the
transitions with :func:`valueloop.monitoring.service.alerts.record`, so a QA drop is an alert
like any other: listed by ``valueloop alerts list`` and on the alerts page, acknowledged the
same way, idempotent on its id (checking again records nothing new).
"""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel

from valueloop.monitoring.alerting import Transition
from valueloop.monitoring.periodic import PeriodPoint, drop_transitions
from valueloop.monitoring.service import alerts as records
from valueloop.monitoring.service.monitor import load_spec
from valueloop.qa.rubric_loader import resolve
from valueloop.qa.service.show import RollupRow, rollup
from valueloop.spec.alerts import QaRuleSpec
from valueloop.store import appdb
from valueloop.store.workspace import Workspace


class QaAlert(BaseModel):
    alert_id: str
    rule: str
    entity_id: str
    status: str
    value: float
    """The period's mean QA score."""
    new: bool
    """False when an earlier check already recorded this transition."""


class QaAlertCheck(BaseModel):
    rules: list[str]
    series: int
    alerts: list[QaAlert]


def check_qa_alerts(ws: Workspace, rubric: str | None = None) -> QaAlertCheck:
    """Evaluate every QA rule (of ``rubric`` only, when given) and store the alerts they raise or resolve."""
    rules = [r for r in load_spec(ws).qa_rules if rubric is None or r.rubric == rubric]
    series, found = 0, []
    for rule in rules:
        rows = rollup(ws, resolve(rule.rubric, ws.root), rule.by, rule.period)
        groups = sorted({r.group for r in rows if r.group != "(none)"})
        series += len(groups)
        for group in groups:
            points = [_point(r, rule, ws.settings.workspace.timezone) for r in rows if r.group == group]
            found += [(rule, t) for t in drop_transitions(rule.name, group, points, rule.gap, rule.baseline)]
    return QaAlertCheck(rules=[r.name for r in rules], series=series, alerts=_record(ws, found))


def _point(row: RollupRow, rule: QaRuleSpec, tz: str) -> PeriodPoint:
    value = float("nan") if row.mean_score is None else row.mean_score
    return PeriodPoint(_period_end(row.period, tz), value, row.conversations >= rule.min_conversations)


def _period_end(label: str, tz: str) -> float:
    """The end of a roll-up period (``2026-03`` or the week ``2026-03-02/2026-03-08``) in the workspace's zone."""
    if "/" in label:
        end = pd.Timestamp(label.split("/")[1]) + pd.Timedelta(days=1)
    else:
        end = (pd.Period(label, "M") + 1).start_time
    return float(end.tz_localize(tz).timestamp())


def _record(ws: Workspace, found: list[tuple[QaRuleSpec, Transition]]) -> list[QaAlert]:
    out = []
    with appdb.engine(ws.database_url).begin() as conn:
        for rule, tr in found:
            labels = {"alertname": rule.name, "severity": rule.severity, **rule.labels,
                      "rubric": rule.rubric, "entity_id": tr.entity}  # fmt: skip
            done = records.record(conn, tr, rule.severity, labels, _summary(rule, tr), None)
            out.append(QaAlert(alert_id=done.alert_id, rule=tr.rule, entity_id=tr.entity, status=tr.status,
                               value=tr.value, new=done.new))  # fmt: skip
    return out


def _summary(rule: QaRuleSpec, tr: Transition) -> str:
    head = rule.summary.zh or rule.summary.en or f"QA score dropped by {rule.gap:.0%} or more"
    return f"{head} — {tr.entity}: mean QA score = {tr.value:.4g} ({rule.rubric}, {rule.period})"
