"""Use case of scheduled reports: run the due schedules of ``schedule.yaml``, write each review, post it.

:mod:`valueloop.reporting.schedule` decides what is due and for which period; this module
builds the period review, writes it into the workspace's ``reports/`` folder, posts it to
the schedule's webhook and remembers each schedule's last run in ``.schedule-state.json``.
The CLI (``valueloop schedule run``) and the API (``POST /api/v1/reports/schedule/run``)
both call :func:`run_schedules`.
"""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from valueloop.errors import InputError
from valueloop.people.records import write_atomic
from valueloop.reporting.schedule import LOOKBACK, Post, Schedule, ScheduleOutcome
from valueloop.reporting.service.report_files import write_report

if TYPE_CHECKING:
    from valueloop.store.workspace import Workspace

STATE_FILE = ".schedule-state.json"
WEBHOOK_TIMEOUT = 60
"""Seconds a webhook may take to accept a report."""
EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, tzinfo=UTC)
_running = threading.Lock()
"""One run at a time per process, so two callers do not both find a schedule due and post it twice."""


def post_webhook(url: str, payload: dict[str, Any]) -> None:
    """POST ``payload`` as JSON to ``url``; any status other than 2xx is an error."""
    import httpx

    httpx.post(url, json=payload, timeout=WEBHOOK_TIMEOUT).raise_for_status()


def run_schedules(ws: Workspace, now: datetime, post: Post = post_webhook) -> list[ScheduleOutcome]:
    """Run every due schedule of the workspace once and remember when (``.schedule-state.json``).

    ``now`` is read on the workspace's clock (cron times are local); a naive ``now`` is UTC.
    One row per schedule: ``sent`` (with period and file), ``failed`` (with the error; it
    stays due) or ``not due`` (with the last run).
    """
    from valueloop.reporting.schedule import SCHEDULE_FILE, load_schedules, run_due

    at = now if now.tzinfo else now.replace(tzinfo=UTC)
    if not EARLIEST + LOOKBACK <= at <= LATEST:
        raise InputError(f"the time {now.isoformat()} is out of range ({EARLIEST.year}–{LATEST.year})")
    schedules = load_schedules(ws.root / SCHEDULE_FILE)
    local = at.astimezone(ZoneInfo(ws.settings.workspace.timezone))  # cron reads the workspace's clock
    state_file = ws.root / STATE_FILE
    with _running:
        state: dict[str, str] = json.loads(state_file.read_text()) if state_file.is_file() else {}
        results = run_due(schedules, state, local, lambda s, p: _produce(ws, s, p), post)
        write_atomic(state_file, json.dumps(state, indent=2).encode("utf-8"))
    return results


def _produce(ws: Workspace, s: Schedule, period: str) -> dict[str, Any]:
    from valueloop.reporting.service.review import build_review

    data = build_review(ws, period, s.level, s.model)
    target = ws.root / "reports" / f"{s.name}-{period}-{data.level}-{s.lang}.{s.format}"
    write_report(data, s.format, s.lang, target)
    summary = {"units": len(data.summary.units), "mean_score": data.summary.mean_score,
               "mean_change": data.summary.mean_change, "findings": data.findings_total}  # fmt: skip
    return {"schedule": s.name, "model": data.model_id, "period": period, "level": data.level, "format": s.format,
            "lang": s.lang, "file": str(target), "filename": target.name, "summary": summary,
            "content_base64": base64.b64encode(target.read_bytes()).decode("ascii")}  # fmt: skip
