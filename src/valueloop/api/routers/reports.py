"""``/api/v1/reports``: the period-review files of the workspace — list, download, generate.

Reviews cover every unit, so a caller bound to part of the tree (a manager) sees none of them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from valueloop.api import scope
from valueloop.api.deps import EvaluateRun, ReportsRead, WorkspaceDep
from valueloop.api.schemas import ReportCreate
from valueloop.flows.report_files import MEDIA, list_reports, report_file, write_review

router = APIRouter(tags=["reports"])


@router.get("/reports")
def reports(who: ReportsRead, ws: WorkspaceDep) -> list[dict[str, Any]]:
    """Report files, newest first: name, format, language, size, time written."""
    return [] if who.scoped else list_reports(ws)


@router.get("/reports/download")
def download(who: ReportsRead, ws: WorkspaceDep, name: str) -> FileResponse:
    if who.scoped:
        raise scope.hidden(f"report {name}")
    path = report_file(ws, name)
    return FileResponse(path, media_type=MEDIA[path.suffix[1:]], filename=path.name)


@router.post("/reports", status_code=201)
def generate(_: EvaluateRun, ws: WorkspaceDep, body: ReportCreate) -> dict[str, Any]:
    """Write the period review (HTML, PDF or XLSX) into the workspace's reports folder."""
    return write_review(ws, body.period, body.level, body.model, body.format, body.lang)
