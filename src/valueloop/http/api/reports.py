"""``/api/v1/reports``: the period-review files of the workspace — list, download, generate, run schedules.

Reviews cover every unit, so a caller bound to part of the tree (a manager) sees none of them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from valueloop.accounts import scope
from valueloop.errors import InputError
from valueloop.http.deps import EvaluateRun, ReportsRead, WorkspaceDep
from valueloop.http.schemas import ReportCreate
from valueloop.reporting.schedule import ScheduleOutcome
from valueloop.reporting.service.report_files import (
    MEDIA,
    ReportFile,
    WrittenReview,
    list_reports,
    report_file,
    write_review,
)
from valueloop.reporting.service.schedule import run_schedules

router = APIRouter(tags=["reports"])


@router.get("/reports")
def reports(who: ReportsRead, ws: WorkspaceDep) -> list[ReportFile]:
    """Report files, newest first: name, format, language, size, time written."""
    return [] if who.scoped else list_reports(ws)


@router.get("/reports/download")
def download(who: ReportsRead, ws: WorkspaceDep, name: str) -> FileResponse:
    if who.scoped:
        raise scope.hidden(f"report {name}")
    path = report_file(ws, name)
    return FileResponse(path, media_type=MEDIA[path.suffix[1:]], filename=path.name)


@router.post("/reports", status_code=201)
def generate(_: EvaluateRun, ws: WorkspaceDep, body: ReportCreate) -> WrittenReview:
    """Write the period review (HTML, PDF or XLSX) into the workspace's reports folder."""
    return write_review(ws, body.period, body.level, body.model, body.format, body.lang)


class ScheduleRun(BaseModel):
    """CLI ``schedule run``: ``now`` pretends it is that time (UTC if naive; default: the real time)."""

    model_config = ConfigDict(extra="forbid")
    now: datetime | None = Field(None, description="At most a day ahead of the server's clock.")


AHEAD = timedelta(days=1)
"""How far ahead of the real clock a run may pretend to be (later, every period would still be open)."""


@router.post("/reports/schedule/run")
def run_schedule(_: EvaluateRun, ws: WorkspaceDep, body: ScheduleRun | None = None) -> list[ScheduleOutcome]:
    """Run the schedules of ``schedule.yaml`` that are due once: write each review and post it to its webhook.

    One row per schedule — ``sent`` (period, ``file``: the report's name, downloadable from
    ``GET /reports/download``), ``failed`` (period, error) or ``not due`` (last run).
    """
    real = datetime.now(UTC)
    at = body.now if body and body.now else real
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    if at > real + AHEAD:
        raise InputError(f"the time {at.isoformat()} is more than {AHEAD.days} day ahead of now")
    rows = run_schedules(ws, at)
    return [r.model_copy(update={"file": Path(r.file).name}) if isinstance(r.file, str) else r for r in rows]
