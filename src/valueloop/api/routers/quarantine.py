"""``/api/v1/quarantine``: rows that failed the ingest checks, with their reasons; CSV export to fix them.

Quarantined rows are raw source rows of any unit, so only callers who may upload see them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from valueloop.api.deps import IngestWrite, WorkspaceDep
from valueloop.flows import quarantine as q

router = APIRouter(tags=["ingest"])
Name = Annotated[str | None, Query(max_length=100)]


@router.get("/quarantine")
def quarantine_list(_: IngestWrite, ws: WorkspaceDep, dataset: Name = None, batch: Name = None,
                    limit: Annotated[int, Query(ge=1, le=100_000)] = 50) -> list[dict[str, Any]]:  # fmt: skip
    """One line per problem: dataset, batch, file, row, field, reason."""
    return q.list_quarantine(ws, dataset, batch, limit)


@router.get("/quarantine/batch")
def quarantine_show(_: IngestWrite, ws: WorkspaceDep, batch: Annotated[str, Query(min_length=1, max_length=100)],
                    row: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None) -> list[dict[str, Any]]:  # fmt: skip
    """The quarantined rows of one batch with their original values and every reason."""
    return q.show_quarantine(ws, batch, row)


@router.get("/quarantine/export", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})  # fmt: skip
def quarantine_export(_: IngestWrite, ws: WorkspaceDep, dataset: Annotated[str, Query(min_length=1, max_length=100)],
                      batch: Name = None) -> Response:  # fmt: skip
    """The rows with their original columns (UTF-8 with BOM), to fix and ingest again with the same mapping."""
    with tempfile.TemporaryDirectory(prefix="vl-quarantine-") as tmp:
        out = Path(tmp) / "export.csv"
        q.export_quarantine(ws, dataset, out, batch)
        data = out.read_bytes()
    headers = {"content-disposition": f'attachment; filename="{dataset}-quarantine.csv"'}
    return Response(data, media_type="text/csv; charset=utf-8", headers=headers)
