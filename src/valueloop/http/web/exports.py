"""Downloads of the rankings: CSV (UTF-8 with BOM, for Excel) and XLSX, scoped like the page.

Every cell goes through :mod:`valueloop.ingest.cells`, so a unit name cannot become a formula.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font

from valueloop.accounts.service.accounts import Principal
from valueloop.errors import InputError
from valueloop.http.deps import ScoresRead, WorkspaceDep
from valueloop.http.web import cuts
from valueloop.http.web.render import translator
from valueloop.ingest.cells import append_text_row, neutralise_row
from valueloop.store.workspace import Workspace

router = APIRouter(include_in_schema=False)
COLUMNS = ("rank", "entity_id", "name", "score", "change", "percentile")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table(
    ws: Workspace,
    who: Principal,
    model: str | None = None,
    period: str | None = None,
    level: str | None = None,
    region: str | None = None,
    segment: str | None = None,
) -> tuple[dict[str, Any], list[str], list[list[Any]]]:
    """The rows the rankings page shows (model, period, level, region and segment as chosen there; the latest
    by default)."""
    run, results = cuts.results(ws, who, cuts.choose(ws, who, model, period, level, region, segment))
    if run is None:
        raise InputError("no stored evaluation run yet; run `valueloop evaluate` first")
    dims = sorted({d for r in results for d in r["dimensions"]})
    rows = [[*(r[c] for c in COLUMNS), *(r["dimensions"].get(d) for d in dims)] for r in results]
    return run, dims, rows


def _attachment(run: dict[str, Any], suffix: str) -> dict[str, str]:
    cut = f"-{run['segment']}".replace(":", "-") if run.get("segment") else ""
    name = f"rankings-{run['model']}-{run['period']}{cut}.{suffix}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/rankings.csv")
def rankings_csv(
    who: ScoresRead, ws: WorkspaceDep, model: str | None = None, period: str | None = None,
    level: str | None = None, region: str | None = None, segment: str | None = None,
) -> Response:  # fmt: skip
    run, dims, rows = _table(ws, who, model, period, level, region, segment)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(neutralise_row([*COLUMNS, *dims]))
    writer.writerows(neutralise_row(r) for r in rows)
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers=_attachment(run, "csv"))


@router.get("/rankings.xlsx")
def rankings_xlsx(
    who: ScoresRead, ws: WorkspaceDep, request: Request, model: str | None = None, period: str | None = None,
    level: str | None = None, region: str | None = None, segment: str | None = None,
) -> Response:  # fmt: skip
    """One sheet, headers in the page's language, real numbers; model and period in the sheet title."""
    run, dims, rows = _table(ws, who, model, period, level, region, segment)
    tr = translator(request)
    book = Workbook()
    sheet = book.active
    sheet.title = f"{run['model']} {run['period']}"[:31]
    header = [tr.t("rank"), tr.t("unit"), tr.t("name"), tr.t("score"), tr.t("change"), tr.t("percentile"), *dims]
    append_text_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_text_row(sheet, row)
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return Response(buf.getvalue(), media_type=XLSX, headers=_attachment(run, "xlsx"))
