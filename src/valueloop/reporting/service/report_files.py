"""Use cases over the period-review files kept in the workspace's ``reports/`` folder: list, read, write.

The CLI writes ``review-<period>-<level>-<lang>.<format>`` (and schedules ``<name>-…``) there;
the web lists and serves the same files. A name is looked up among the files listed, never
joined onto a path, so a request cannot reach outside the folder.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from valueloop.errors import InputError
from valueloop.reporting.labels import Lang
from valueloop.results import Instant, Result
from valueloop.store.workspace import Workspace

if TYPE_CHECKING:
    from valueloop.reporting.data import ReviewData

ReportFormat = Literal["html", "pdf", "xlsx"]
FORMATS: tuple[ReportFormat, ...] = ("html", "pdf", "xlsx")
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip


class ReportFile(Result):
    """A report file in ``reports/``: its name (to download it by), format, language, size, time written."""

    name: str
    format: str
    lang: str | None
    bytes: int
    modified_at: Instant


class WrittenReview(ReportFile):
    """The review just written, and what it covers."""

    model: str
    period: str
    level: str
    units: int


def reports_dir(ws: Workspace) -> Path:
    return ws.root / "reports"


def _entry(path: Path) -> ReportFile:
    stem = path.stem
    lang = stem.rsplit("-", 1)[-1] if stem.endswith(("-zh", "-en")) else None
    stat = path.stat()
    return ReportFile(name=path.name, format=path.suffix[1:], lang=lang, bytes=stat.st_size,
                      modified_at=datetime.fromtimestamp(stat.st_mtime, UTC))  # fmt: skip


def list_reports(ws: Workspace) -> list[ReportFile]:
    """Every report file, newest first."""
    folder = reports_dir(ws)
    files = [p for p in folder.glob("*") if p.is_file() and p.suffix[1:] in FORMATS] if folder.is_dir() else []
    return sorted((_entry(p) for p in files), key=lambda e: (e.modified_at, e.name), reverse=True)


def report_file(ws: Workspace, name: str) -> Path:
    """The listed report called ``name``; an :class:`InputError` for anything else."""
    if name not in {e.name for e in list_reports(ws)}:
        raise InputError(f"no report {name!r} in {reports_dir(ws).name}/")
    return reports_dir(ws) / name


def write_review(ws: Workspace, period: str, level: str | None, model: str | None, fmt: ReportFormat,
                 lang: Lang) -> WrittenReview:  # fmt: skip
    """Build the period review and write it as ``review-<period>-<level>-<lang>.<fmt>``."""
    from valueloop.reporting.service.review import build_review

    data = build_review(ws, period, level, model)
    target = reports_dir(ws) / f"review-{period}-{data.level}-{lang}.{fmt}"
    write_report(data, fmt, lang, target)
    return WrittenReview(**dict(_entry(target)), model=data.model_id, period=period, level=data.level,
                         units=len(data.summary.units))  # fmt: skip


def write_report(data: ReviewData, fmt: ReportFormat, lang: Lang, target: Path) -> None:
    """Render the period review as HTML, PDF or XLSX into ``target`` (its folder is created)."""
    from valueloop.reporting.html import render_html
    from valueloop.reporting.pdf import render_pdf
    from valueloop.reporting.xlsx import render_xlsx

    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        target.write_text(render_html(data, lang), encoding="utf-8")
    elif fmt == "pdf":
        target.write_bytes(render_pdf(data, lang))
    else:
        target.write_bytes(render_xlsx(data, lang))
