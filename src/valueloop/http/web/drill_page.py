"""The records behind an indicator value: the drill-down's last step, as a page and a CSV download.

From the explanation page (value, benchmark, rule, points lost, n, shrinkage) a manager opens
the rows that make up the value — paged on the server, scoped like every page, with the
numerator and denominator of a ratio as two tabs — and downloads them. The rows come from
:func:`valueloop.diagnosis.service.drill.record_page`; this module only words and formats them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.accounts import scope
from valueloop.accounts.service.accounts import NotFound, visible_units
from valueloop.diagnosis.service.drill import PAGE, Cell, RecordPage, record_export, record_page
from valueloop.errors import InputError
from valueloop.http.deps import ScoresRead, WorkspaceDep
from valueloop.http.response_cache import CACHED
from valueloop.http.web.labels import Labels
from valueloop.http.web.render import page, translator
from valueloop.ingest.cells import neutralise_row
from valueloop.spec.datasets import Dataset

router = APIRouter(include_in_schema=False)
PATH = "/units/{entity_id}/indicators/{indicator}/records"


@dataclass(frozen=True)
class Shown:
    """One cell as the page shows it: the text, and the raw value on hover where the text is a name."""

    text: str
    title: str = ""


def _cell(lb: Labels, dataset: Dataset | None, column: str, value: Cell, indicator: str) -> Shown:
    kind = dataset.by_name[column].kind if dataset and column in dataset.by_name else None
    if value is None:
        return Shown("—")
    if isinstance(value, bool):
        return Shown(lb.tr.t("yes" if value else "no"))
    if column == "_measured" and isinstance(value, int | float):  # a duration, in the indicator's unit
        return Shown(lb.value(indicator, float(value)))
    if column == "entity_id" and isinstance(value, str):
        return Shown(lb.unit_name(value), value)
    if kind == "timestamp" and isinstance(value, str):
        return Shown(lb.tr.date(datetime.fromisoformat(value)), value)
    if isinstance(value, float):
        return Shown(lb.tr.num(value))
    return Shown(str(value))


def _table(lb: Labels, found: RecordPage, datasets: dict[str, Dataset]) -> tuple[list[Shown], list[list[Shown]]]:
    spec = datasets.get(found.dataset)
    head = [Shown(lb.field(c), c) for c in found.columns]
    body = [[_cell(lb, spec, c, v, found.indicator) for c, v in zip(found.columns, row, strict=True)]
            for row in found.rows]  # fmt: skip
    return head, body


@router.get(PATH, response_class=HTMLResponse, dependencies=[CACHED])
def records_page(
    who: ScoresRead, ws: WorkspaceDep, request: Request, entity_id: str, indicator: str, part: str | None = None,
    offset: int = 0,
) -> Response:  # fmt: skip
    try:
        scope.check_unit(ws, who, entity_id)
        found = record_page(ws, entity_id, indicator, visible_units(ws, who), part=part, offset=max(offset, 0))
    except NotFound:
        return page(request, "not_found.html", who, status_code=404, entity_id=entity_id)
    except InputError as err:
        if "derived" not in str(err):
            return page(request, "not_found.html", who, status_code=404, entity_id=f"{entity_id} · {indicator}")
        return page(request, "records.html", who, entity_id=entity_id, indicator=indicator, found=None)
    lb = Labels(ws, translator(request), found.model)
    head, body = _table(lb, found, dict(ws.datasets))
    return page(request, "records.html", who, lb=lb, entity_id=entity_id, indicator=indicator, found=found,
                head=head, body=body, page_size=PAGE)  # fmt: skip


@router.get(PATH + ".csv")
def records_csv(who: ScoresRead, ws: WorkspaceDep, entity_id: str, indicator: str, part: str | None = None) -> Response:
    """Every record of one part: UTF-8 with BOM (for Excel), field names as headers, no cell read as a formula."""
    scope.check_unit(ws, who, entity_id)
    found = scope.guarded(who, f"unit {entity_id}", lambda: record_export(
        ws, entity_id, indicator, visible_units(ws, who), part=part))  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(neutralise_row(found.columns))
    writer.writerows(neutralise_row(r) for r in found.rows)
    name = f"records-{found.entity_id}-{found.indicator}-{found.part}-{found.period}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
