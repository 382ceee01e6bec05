"""Use case: the monitor's QA rules (``qa_rules:`` in ``monitor.yaml``) over the QA roll-up, stored as its alerts.

Each rule reads the roll-up it names (rubric, agent or unit, month or week), steps every
unit's series through :func:`valueloop.monitoring.periodic.drop_transitions` and records the
transitions with :func:`valueloop.monitoring.service.alerts.record`, so a QA drop is an alert
like any other: listed by ``valueloop alerts list`` and on the alerts page, acknowledged the
same way, idempotent on its id (checking again records nothing new). A new, unsilenced
transition queues its notifications in the same transaction, through the monitor's outbox and
its channels and routes (``monitor.yaml``), so the running monitor (``valueloop serve``, or the
next one started) sends it with the same retries as a live alert.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from pydantic import BaseModel

from valueloop.errors import SpecError
from valueloop.monitoring.alerting import Transition
from valueloop.monitoring.notify import Channel, Notice, wants
from valueloop.monitoring.periodic import PeriodPoint, drop_transitions
from valueloop.monitoring.routing import Silence, group_key, silenced_by
from valueloop.monitoring.service import alerts as records
from valueloop.monitoring.service import outbox
from valueloop.monitoring.service.monitor import SPEC_FILE, load_spec
from valueloop.qa.rubric_loader import resolve
from valueloop.qa.service.show import RollupRow, rollup
from valueloop.spec.alerts import MonitorSpec, QaRuleSpec
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
    queued: int = 0
    """Notifications queued for it (0 when not new, silenced, or no channel routes it)."""


class QaAlertCheck(BaseModel):
    rules: list[str]
    series: int
    alerts: list[QaAlert]


def check_qa_alerts(ws: Workspace, rubric: str | None = None) -> QaAlertCheck:
    """Evaluate every QA rule (of ``rubric`` only, when given) and store the alerts they raise or resolve."""
    spec = load_spec(ws)
    rules = [r for r in spec.qa_rules if rubric is None or r.rubric == rubric]
    series, found = 0, []
    for rule in rules:
        rows = rollup(ws, resolve(rule.rubric, ws.root), rule.by, rule.period)
        groups = sorted({r.group for r in rows if r.group != "(none)"})
        series += len(groups)
        for group in groups:
            points = [_point(r, rule, ws.settings.workspace.timezone) for r in rows if r.group == group]
            found += [(rule, t) for t in drop_transitions(rule.name, group, points, rule.gap, rule.baseline)]
    return QaAlertCheck(rules=[r.name for r in rules], series=series, alerts=_record(ws, spec, found))


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


def _record(ws: Workspace, spec: MonitorSpec, found: list[tuple[QaRuleSpec, Transition]]) -> list[QaAlert]:
    """Store the transitions and queue the notifications of the new, unsilenced ones, all in one transaction."""
    channels = _channels(spec)
    silences = _silences(ws, spec)
    tz = ZoneInfo(spec.timezone or ws.settings.workspace.timezone)
    now = datetime.now(UTC)
    out = []
    with appdb.engine(ws.database_url).begin() as conn:
        for rule, tr in found:
            labels = {"alertname": rule.name, "severity": rule.severity, **rule.labels,
                      "rubric": rule.rubric, "entity_id": tr.entity}  # fmt: skip
            firing = tr.status == "firing"
            muted = _muted(labels, tr, silences, tz, spec) if firing else records.get_muted(conn, tr.alert_id)
            done = records.record(conn, tr, rule.severity, labels, _summary(rule, tr), muted if firing else None)
            queued = 0
            if done.new and not muted:
                notice = _notice(rule, tr, labels, spec)
                queued = sum(outbox.enqueue(conn, notice, c.name, now) for c in channels if wants(c, notice))
            out.append(QaAlert(alert_id=done.alert_id, rule=tr.rule, entity_id=tr.entity, status=tr.status,
                               value=tr.value, new=done.new, queued=queued))  # fmt: skip
    return out


def _channels(spec: MonitorSpec) -> list[Channel]:
    try:
        return [Channel.model_validate(c) for c in spec.channels]
    except ValueError as err:
        raise SpecError(f"{SPEC_FILE}: channels: {err}") from err


def _silences(ws: Workspace, spec: MonitorSpec) -> list[Silence]:
    yaml_ones = [
        Silence(f"yaml-{i + 1}", s.matchers, schedule=s.schedule, comment=s.comment, created_by="monitor.yaml")
        for i, s in enumerate(spec.silences)
    ]
    return yaml_ones + [records.as_silence(s) for s in records.list_silences(ws)]


def _muted(
    labels: dict[str, str], tr: Transition, silences: list[Silence], tz: ZoneInfo, spec: MonitorSpec
) -> str | None:
    s = silenced_by(labels, silences, tr.at, tz, spec.holidays)
    return None if s is None else f"silenced by {s.id}" + (f" ({s.comment})" if s.comment else "")


def _notice(rule: QaRuleSpec, tr: Transition, labels: dict[str, str], spec: MonitorSpec) -> Notice:
    return Notice(
        alert_id=tr.alert_id,
        rule=tr.rule,
        status=tr.status,
        severity=rule.severity,
        summary=_summary(rule, tr),
        started_at=datetime.fromtimestamp(tr.started_at, UTC).isoformat(),
        group_key=group_key(labels, spec.group_by),
        labels=labels,
        value=None if math.isnan(tr.value) else tr.value,
        ended_at=datetime.fromtimestamp(tr.at, UTC).isoformat() if tr.status == "resolved" else None,
    )


def _summary(rule: QaRuleSpec, tr: Transition) -> str:
    head = rule.summary.zh or rule.summary.en or f"QA score dropped by {rule.gap:.0%} or more"
    return f"{head} — {tr.entity}: mean QA score = {tr.value:.4g} ({rule.rubric}, {rule.period})"
