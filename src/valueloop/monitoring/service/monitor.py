"""The live monitor of a workspace: events in, KPI windows, alert rules, alerts out.

:class:`Monitor` wires the pure parts — :class:`~valueloop.monitoring.stream.KpiStream` and
:class:`~valueloop.monitoring.alerting.RuleEngine` — to the workspace: rules from
``monitor.yaml`` (the shipped default when the workspace has none), the entity tree from
the lake (an agent's events also count for its team, branch and region; alert labels
carry the entity's type, branch and region), alert records and the ledger in the app database,
notifications through the durable outbox and its :class:`~valueloop.monitoring.service.notify.Outbox`
thread (intake never waits for a webhook).

**Surviving restarts.** Every accepted micro-batch is appended to a write-ahead log
(``monitor/wal.jsonl``) *before* it is processed; every ``checkpoint_every`` seconds the
window and rule state goes to ``monitor/state.json`` (written aside, then renamed) and the
log starts afresh. On start the monitor loads the checkpoint and re-runs the log after it.
Re-running regenerates the same transitions with the same alert ids, and storing them is
idempotent (an alert row per id, a notification row per alert × status × channel), so
after a crash no alert is lost and none is recorded twice.

A checkpoint never runs ahead of what is durable: it is taken only after the alerts of
the batches it covers are committed. When processing a batch fails (the database refused
an alert), the in-memory state is ahead of the records; the monitor then refuses to
checkpoint, keeps the log, and rebuilds its state from the last checkpoint and the log
before it takes the next batch, so the failed batch is re-run (and its alerts recorded)
rather than skipped. A replayed file's position (lines consumed, and a digest of them) is
saved with the state, so a resumed replay skips exactly the events already counted — the
open minute's included. Notifications go through a durable outbox
(:class:`~valueloop.monitoring.service.notify.Outbox`, at least once).
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import numpy as np

from valueloop.errors import InputError, SpecError
from valueloop.metrics.hierarchy import ancestors_at
from valueloop.monitoring.alerting import RuleEngine, Transition
from valueloop.monitoring.events import EventBatch, LiveWindow, Rejected, parse_lines
from valueloop.monitoring.kpis import KPIS, WINDOWS, KpiFrame, column
from valueloop.monitoring.notify import Channel, Notice, wants
from valueloop.monitoring.routing import Silence, alert_labels, group_key, inhibitor, silenced_by
from valueloop.monitoring.service import alerts as records
from valueloop.monitoring.service import outbox as outbox_rows
from valueloop.monitoring.service.notify import Outbox, Retry
from valueloop.monitoring.service.status import IntakeDoc, intake_doc
from valueloop.monitoring.stream import KpiStream
from valueloop.spec.alerts import MonitorSpec, RuleSpec, load_monitor_spec
from valueloop.spec.datasets import DATASETS
from valueloop.store import appdb
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

log = logging.getLogger(__name__)
SPEC_FILE = "monitor.yaml"
DEFAULT_SPEC = Path(str(resources.files("valueloop.templates").joinpath("monitor", "default.yaml")))
LIVE_LAG = 3600.0
"""The clock closes minutes only while the stream is within this many seconds of now (not on a replay of last year)."""
GRACE = 0.2
"""Seconds after a minute ends before the clock closes it, for events still in flight."""


def load_spec(ws: Workspace) -> MonitorSpec:
    own = ws.root / SPEC_FILE
    return load_monitor_spec(own if own.exists() else DEFAULT_SPEC)


def entity_tree(ws: Workspace) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """From the lake's entity table: entity id → labels (type, branch, region), and → its ancestors."""
    table = Lake(ws.lake_dir).read("entities", DATASETS["entities"].schema)
    if table.num_rows == 0:
        return {}, {}
    ent = table.to_pandas()
    branch, region = ancestors_at(ent, "branch"), ancestors_at(ent, "region")
    labels = {
        str(e): {"entity_type": str(t or ""), "branch": branch.get(e, ""), "region": region.get(e, "")}
        for e, t in zip(ent["entity_id"], ent["type"], strict=True)
    }
    parent = {str(e): p for e, p in zip(ent["entity_id"], ent["parent_id"], strict=True) if isinstance(p, str) and p}
    chains: dict[str, list[str]] = {}
    for e in labels:
        chain, node = [], parent.get(e)
        while node is not None and node not in chain and node != e:
            chain.append(node)
            node = parent.get(node)
        chains[e] = chain
    return labels, chains


COUNTERS = (
    "events_accepted",
    "events_rejected",
    "events_late",
    "batches",
    "minutes_closed",
    "alerts_fired",
    "alerts_resolved",
    "notifications_muted",
)


@dataclass(frozen=True)
class InputPosition:
    """How far a replayed input has been taken: lines consumed, and a digest of exactly those lines.

    Saved with the stream state, so a resumed replay skips what was counted (see
    :func:`valueloop.monitoring.service.replay.replay`) and a different input is not mistaken for it.
    """

    lines: int
    digest: str

    def as_json(self) -> dict[str, Any]:
        return {"lines": self.lines, "digest": self.digest}

    @staticmethod
    def from_json(raw: dict[str, Any] | None) -> InputPosition | None:
        return None if raw is None else InputPosition(int(raw["lines"]), str(raw["digest"]))


@dataclass(frozen=True)
class Intake:
    """What ``POST /api/v1/events`` answers: counts, each rejected line, and alert transitions."""

    accepted: int
    rejected: list[Rejected]
    late: int
    minutes_closed: int
    transitions: list[Transition] = field(default_factory=list)

    def document(self) -> IntakeDoc:
        """The answer of ``POST /api/v1/events``."""
        return intake_doc(self.accepted, self.rejected, self.late, self.minutes_closed, self.transitions)

    def as_json(self) -> dict[str, Any]:
        return self.document().model_dump(mode="json")


class Monitor:
    """One workspace's live monitor; thread-safe (one lock around the stream and rules)."""

    def __init__(
        self,
        ws: Workspace,
        *,
        spec: MonitorSpec | None = None,
        checkpoint_every: float = 30.0,
        fsync: bool = True,
        retry: Retry | None = None,
    ) -> None:
        self.ws = ws
        self.spec = spec or load_spec(ws)
        self.dir = ws.root / "monitor"
        self.dir.mkdir(exist_ok=True)
        self._lockfile = _hold_lock(self.dir / ".lock")
        self.checkpoint_every = checkpoint_every
        self.fsync = fsync
        self.tz = ZoneInfo(self.spec.timezone or ws.settings.workspace.timezone)
        self.language = ws.settings.workspace.language
        self.labels, self.rollup = entity_tree(ws)
        self._rules = {r.name: r for r in self.spec.rules}
        self._lock = threading.RLock()
        self.counters: dict[str, int] = {}
        self.position: InputPosition | None = None
        self._stale = False
        self._reset()
        self._last_checkpoint = time.monotonic()
        try:
            channels = [Channel.model_validate(c) for c in self.spec.channels]
        except ValueError as err:
            raise SpecError(f"{SPEC_FILE}: channels: {err}") from err
        self.channels = channels
        self.outbox = Outbox(ws, channels, legacy=self._legacy_notice, retry=retry) if channels else None
        self._recover()
        if self.outbox is not None:
            self.outbox.start()  # sends what a previous run left queued, then what comes

    def _watch(self, col: str, keys: np.ndarray) -> np.ndarray:
        return self.engine.watches(col, keys, self.stream.names)

    # intake -----------------------------------------------------------------
    def ingest_lines(
        self, lines: Sequence[str | bytes], position: InputPosition | None = None, *, window: LiveWindow | None = None
    ) -> Intake:
        """Parse JSON Lines and take the good ones; bad lines come back with line number and reason.

        Live intake passes a ``window`` around now (events outside are rejected as late or
        early); a replay of recorded events passes none.
        """
        batch, rejected = parse_lines(lines, window=window)
        out = self.ingest(batch, position)
        self.counters["events_rejected"] += len(rejected)
        return Intake(out.accepted, rejected, out.late, out.minutes_closed, out.transitions)

    def ingest(self, batch: EventBatch, position: InputPosition | None = None) -> Intake:
        """Take ``batch``; ``position`` is where a replayed input stands after it (saved with the state)."""
        with self._lock:
            self._heal()
            record: dict[str, Any] = {
                "seq": self.seq + 1,
                "t": batch.t.tolist(),
                "e": batch.entity.tolist(),
                "k": batch.kind.tolist(),
                "v": [None if math.isnan(v) else v for v in batch.value.tolist()],
            }
            if position is not None:
                record["pos"] = position.as_json()
            self._log(record)
            out = self._apply_batch(batch, position)
            self._maybe_checkpoint()
            return out

    def _apply_batch(self, batch: EventBatch, position: InputPosition | None) -> Intake:
        """Process a logged batch; a failure leaves the state marked stale (see :meth:`_heal`)."""
        self.seq += 1
        with self._guard():
            frame, late = self.stream.update(batch)
            transitions = self._evaluate(frame)
            n_late = int(late.sum())
            self.counters["events_accepted"] += len(batch) - n_late
            self.counters["events_late"] += n_late
            self.counters["batches"] += 1
            if position is not None:
                self.position = position
        return Intake(len(batch) - n_late, [], n_late, _minutes(frame), transitions)

    def tick(self, now: float | None = None) -> list[Transition]:
        """Close the minutes the clock has passed (live streams only); returns the transitions."""
        now = time.time() if now is None else now
        with self._lock:
            self._maybe_checkpoint()
            open_minute = self.stream.open_minute
            if open_minute is None or now - open_minute * 60.0 > LIVE_LAG:
                return []
            if math.floor((now - GRACE) / 60.0) <= open_minute:
                return []
            return self.advance(now - GRACE)

    def advance(self, t: float) -> list[Transition]:
        """Close every minute that ended by event time ``t`` (the end of a replay, or the clock)."""
        with self._lock:
            self._heal()
            self._log({"seq": self.seq + 1, "advance": t})
            out = self._apply_advance(t)
            self._maybe_checkpoint()
            return out

    def _apply_advance(self, t: float) -> list[Transition]:
        self.seq += 1
        with self._guard():
            return self._evaluate(self.stream.advance(t))

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Mark the in-memory state stale when processing fails part-way (it may be ahead of the records)."""
        try:
            yield
        except BaseException:
            self._stale = True
            raise

    def _heal(self) -> None:
        """After a failed batch, rebuild the state from the last checkpoint and the log (which re-runs it)."""
        if not self._stale:
            return
        log.warning("monitor state is ahead of its records after a failure: rebuilding from checkpoint and log")
        self._reset()
        self._recover()
        self._stale = False

    def _evaluate(self, frame: KpiFrame) -> list[Transition]:
        if not len(frame):
            return []
        last = frame.minute == frame.minute.max()
        self.latest = KpiFrame(frame.minute[last], frame.key[last], {k: v[last] for k, v in frame.values.items()})
        self.counters["minutes_closed"] += _minutes(frame)
        transitions = self.engine.evaluate(frame, self.stream.names)
        if transitions:
            self._record(transitions)
        return transitions

    # alerts -----------------------------------------------------------------
    def _summary(self, rule: RuleSpec, tr: Transition) -> str:
        text = (rule.summary.zh if self.language == "zh" else rule.summary.en) or rule.summary.en or rule.summary.zh
        cond = rule.condition
        head = text or f"{cond.column} {cond.op} {cond.threshold:g}"
        value = "—" if math.isnan(tr.value) else f"{tr.value:.4g}"
        return f"{head} — {tr.entity}: {cond.column} = {value}"

    def _silences(self) -> list[Silence]:
        yaml_ones = [
            Silence(f"yaml-{i + 1}", s.matchers, schedule=s.schedule, comment=s.comment, created_by="monitor.yaml")
            for i, s in enumerate(self.spec.silences)
        ]
        return yaml_ones + [records.as_silence(s) for s in records.list_silences(self.ws)]

    def _muted(self, labels: dict[str, str], at: float, silences: list[Silence]) -> str | None:
        s = silenced_by(labels, silences, at, self.tz, self.spec.holidays)
        if s is not None:
            return f"silenced by {s.id}" + (f" ({s.comment})" if s.comment else "")
        source = inhibitor(labels, self._firing.values(), self.spec.inhibit)
        if source is not None:
            return f"inhibited by {source.get('alertname')} on {source.get('entity_id')}"
        return None

    def _record(self, transitions: list[Transition]) -> None:
        """Store the transitions and queue their notifications in one transaction (all or none)."""
        silences = self._silences()
        queued = False
        labelled = [
            (tr, alert_labels(self._rules[tr.rule], tr.entity, self.labels.get(tr.entity, {}))) for tr in transitions
        ]
        for tr, labels in labelled:  # alerts firing together can inhibit each other, whatever their order
            if tr.status == "firing":
                self._firing[tr.alert_id] = labels
        now = datetime.now(UTC)
        with appdb.engine(self.ws.database_url).begin() as conn:
            for tr, labels in labelled:
                rule = self._rules[tr.rule]
                muted = self._muted(labels, tr.at, silences) if tr.status == "firing" else None
                if tr.status == "resolved":
                    self._firing.pop(tr.alert_id, None)
                done = records.record(conn, tr, rule.severity, labels, self._summary(rule, tr), muted)
                # counted per transition, not per new record: a re-run after a crash counts the same
                self.counters["alerts_fired" if tr.status == "firing" else "alerts_resolved"] += 1
                if tr.status == "resolved":
                    muted = records.get_muted(conn, tr.alert_id)
                if muted:
                    self.counters["notifications_muted"] += 1
                if not done.new or muted:
                    continue
                notice = self._notice(tr, rule, labels)
                for channel in self.channels:
                    if wants(channel, notice):
                        queued |= outbox_rows.enqueue(conn, notice, channel.name, now)
        if queued and self.outbox is not None:
            self.outbox.wake()

    def _notice(self, tr: Transition, rule: RuleSpec, labels: dict[str, str]) -> Notice:
        return Notice(
            alert_id=tr.alert_id,
            rule=tr.rule,
            status=tr.status,
            severity=rule.severity,
            summary=self._summary(rule, tr),
            started_at=datetime.fromtimestamp(tr.started_at, UTC).isoformat(),
            group_key=group_key(labels, self.spec.group_by),
            labels=labels,
            value=None if math.isnan(tr.value) else tr.value,
            ended_at=datetime.fromtimestamp(tr.at, UTC).isoformat() if tr.status == "resolved" else None,
        )

    # durability -------------------------------------------------------------
    @property
    def _wal(self) -> Path:
        return self.dir / "wal.jsonl"

    @property
    def _state_file(self) -> Path:
        return self.dir / "state.json"

    def _log(self, record: dict[str, Any]) -> None:
        with open(self._wal, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n")
            if self.fsync:
                f.flush()
                os.fsync(f.fileno())

    def _maybe_checkpoint(self) -> None:
        if time.monotonic() - self._last_checkpoint >= self.checkpoint_every:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Write the state aside, rename it into place, then start a new log.

        Skipped while the state is stale (a batch failed part-way): the last durable
        checkpoint and the log are kept, so a restart re-runs what was not recorded.
        """
        with self._lock:
            if self._stale:
                log.warning("monitor checkpoint skipped: a batch failed, its alerts may not be recorded")
                return
            state = {
                "seq": self.seq,
                "stream": self.stream.state(),
                "rules": self.engine.state(),
                "counters": self.counters,
                "position": None if self.position is None else self.position.as_json(),
            }
            tmp = self._state_file.with_suffix(".tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(json.dumps(state, separators=(",", ":"), ensure_ascii=False))
                if self.fsync:
                    f.flush()
                    os.fsync(f.fileno())
            os.replace(tmp, self._state_file)
            self._wal.unlink(missing_ok=True)
            self._last_checkpoint = time.monotonic()

    def _reset(self) -> None:
        """The state of a monitor that has seen nothing (before :meth:`_recover` loads the saved one)."""
        self.engine = RuleEngine(self.spec, lambda e: self.labels.get(e, {}).get("entity_type"))
        self.stream = KpiStream(self.rollup, self._watch)
        self.latest = KpiFrame(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), {})
        self.seq = 0
        self.position = None
        self.counters = dict.fromkeys(COUNTERS, 0)
        self._firing = records.firing_labels(self.ws)

    def _recover(self) -> None:
        """Load the checkpoint, then re-run the log after it; the log is kept until the next checkpoint.

        Records are re-run without being logged again, so a failure half-way through loses none.
        """
        if self._state_file.exists():
            state = json.loads(self._state_file.read_text(encoding="utf-8"))
            self.seq = int(state["seq"])
            self.stream = KpiStream.from_state(state["stream"], self.rollup, self._watch)
            self.engine.restore(state["rules"])
            self.counters.update(state["counters"])
            self.position = InputPosition.from_json(state.get("position"))
        if not self._wal.exists():
            return
        replay = _read_log(self._wal)
        redone = 0
        for rec in replay:
            if rec["seq"] <= self.seq:
                continue
            redone += 1
            if "advance" in rec:
                self._apply_advance(float(rec["advance"]))
            else:
                self._apply_batch(
                    EventBatch(
                        np.asarray(rec["t"], dtype=np.float64),
                        np.asarray(rec["e"], dtype=str),
                        np.asarray(rec["k"], dtype=np.int64),
                        np.asarray([math.nan if v is None else v for v in rec["v"]], dtype=np.float64),
                    ),
                    InputPosition.from_json(rec.get("pos")),
                )
        log.info("monitor recovered: %d logged batches re-run", redone)

    def _legacy_notice(self, alert_id: str, status: str) -> Notice | None:
        """The notice of a notification queued before the outbox stored notices, rebuilt from its alert."""
        try:
            a = records.get_alert(self.ws, alert_id)
        except InputError:
            return None
        rule = self._rules.get(a.rule)
        if rule is None or status not in ("firing", "resolved"):
            return None
        tr = Transition(
            a.rule,
            a.entity_id,
            "firing" if status == "firing" else "resolved",
            (a.resolved_at or a.fired_at).timestamp(),
            a.started_at.timestamp(),
            a.value if a.value is not None else math.nan,
        )
        return self._notice(tr, rule, a.labels)

    def close(self) -> None:
        self.checkpoint()
        if self.outbox is not None:
            self.outbox.close()
        self.release()

    def release(self) -> None:
        """Let another process run this workspace's monitor (closing the lock file drops the lock)."""
        self._lockfile.close()

    # views ------------------------------------------------------------------
    def metrics_text(self) -> str:
        """Prometheus text format: KPIs of the last closed minute and the monitor's own counters."""
        with self._lock:
            latest, names, counters = self.latest, list(self.stream.names), dict(self.counters)
            active = self.engine.active(names)
        out = ["# HELP valueloop_kpi KPI over a window ending at the last closed minute.", "# TYPE valueloop_kpi gauge"]
        for kpi in KPIS:
            for window in WINDOWS:
                values = latest.values.get(column(kpi, window))
                if values is None:
                    continue
                for key, v in zip(latest.key.tolist(), values.tolist(), strict=True):
                    out.append(f'valueloop_kpi{{kpi="{kpi}",window="{window}",entity="{_esc(names[key])}"}} {_num(v)}')
        out += ["# HELP valueloop_events_total Events taken in, by outcome.", "# TYPE valueloop_events_total counter"]
        for outcome in ("accepted", "rejected", "late"):
            out.append(f'valueloop_events_total{{outcome="{outcome}"}} {counters[f"events_{outcome}"]}')
        out += [
            "# TYPE valueloop_minutes_closed_total counter",
            f"valueloop_minutes_closed_total {counters['minutes_closed']}",
        ]
        out += [
            "# HELP valueloop_alert_transitions_total Alerts that fired or resolved.",
            "# TYPE valueloop_alert_transitions_total counter",
            f'valueloop_alert_transitions_total{{status="firing"}} {counters["alerts_fired"]}',
            f'valueloop_alert_transitions_total{{status="resolved"}} {counters["alerts_resolved"]}',
        ]
        out += ["# HELP valueloop_alerts Alerts pending or firing now.", "# TYPE valueloop_alerts gauge"]
        for phase in ("pending", "firing"):
            out.append(f'valueloop_alerts{{state="{phase}"}} {sum(a.phase.value == phase for a in active)}')
        out += self._notification_metrics(counters["notifications_muted"])
        if self.stream.open_minute is not None:
            out += [
                "# TYPE valueloop_stream_open_minute_seconds gauge",
                f"valueloop_stream_open_minute_seconds {self.stream.open_minute * 60}",
            ]
        return "\n".join(out) + "\n"

    def _notification_metrics(self, muted: int) -> list[str]:
        """Deliveries since start (counters) and the outbox by state and channel (gauge)."""
        totals = self.outbox.totals() if self.outbox else dict.fromkeys(("sent", "failed", "retried"), 0)
        out = [
            "# HELP valueloop_notifications_total Notification deliveries since start, by outcome.",
            "# TYPE valueloop_notifications_total counter",
        ]
        out += [f'valueloop_notifications_total{{outcome="{k}"}} {n}' for k, n in (*totals.items(), ("muted", muted))]
        out += [
            "# HELP valueloop_notification_deliveries_total Deliveries since start, by channel and outcome.",
            "# TYPE valueloop_notification_deliveries_total counter",
        ]
        counts = dict(self.outbox.counts) if self.outbox else {}
        for channel in sorted({c.name for c in self.channels} | {ch for _, ch in counts}):
            for outcome in ("sent", "retried", "failed"):
                n = counts.get((outcome, channel), 0)
                out.append(
                    f'valueloop_notification_deliveries_total{{channel="{_esc(channel)}",outcome="{outcome}"}} {n}'
                )
        rows = outbox_rows.counts(self.ws)
        out += [
            "# HELP valueloop_notifications Notifications in the outbox, by state and channel.",
            "# TYPE valueloop_notifications gauge",
        ]
        for channel in sorted({c.name for c in self.channels} | {ch for _, ch in rows}):
            for state in outbox_rows.STATES:
                n = rows.get((state, channel), 0)
                out.append(f'valueloop_notifications{{state="{state}",channel="{_esc(channel)}"}} {n}')
        return out


def _hold_lock(path: Path) -> TextIO:
    """One monitor per workspace: its state and log must have a single writer."""
    handle = open(path, "w")  # noqa: SIM115 - held for the monitor's lifetime
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise InputError(
            f"{path.parent}: the monitor of this workspace is running in another process "
            "(e.g. valueloop serve); send events to it with --url instead"
        ) from None
    return handle


def _read_log(path: Path) -> list[dict[str, Any]]:
    """The write-ahead log's records. A torn last line (the process died while writing it) is dropped:
    its batch was never processed; a bad line before the last one is a corrupt log, and refused."""
    lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    out = []
    for i, line in enumerate(lines, start=1):
        try:
            out.append(json.loads(line))
        except ValueError:
            if i < len(lines):
                raise InputError(f"{path}: line {i} is not a log record; the monitor log is corrupt") from None
            log.warning("%s: dropped a torn last line (the process stopped while writing it)", path)
    return out


def _minutes(frame: KpiFrame) -> int:
    return len(np.unique(frame.minute)) if len(frame) else 0


def _esc(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _num(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    return repr(float(v)) if not float(v).is_integer() else str(int(v))
