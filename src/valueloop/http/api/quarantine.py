"""``/api/v1/quarantine``: rows that failed the ingest checks, with their reasons; CSV export to fix them.

Quarantined rows are raw source rows of any unit, so only callers who may upload see them
(or clear them, once fixed and ingested again).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from valueloop.http.deps import IngestWrite, WorkspaceDep
from valueloop.ingest.service import quarantine as q
from valueloop.spec.registry import lookup

router = APIRouter(tags=["ingest"])
Name = Annotated[str | None, Query(max_length=100)]
OneBatch = Annotated[str | None, Query(min_length=1, max_length=100, description="Only this batch (default: all)")]


class Cleared(BaseModel):
    """What ``DELETE /quarantine`` removed: ``cleared`` counts quarantine records (one per problem,
    as ``GET /quarantine`` lists them and ``errors_total`` of the ingest counted them)."""

    dataset: str
    batch: str | None
    cleared: int


@router.get("/quarantine")
def quarantine_list(_: IngestWrite, ws: WorkspaceDep, dataset: Name = None, batch: Name = None,
                    limit: Annotated[int, Query(ge=1, le=100_000)] = 50) -> list[q.QuarantineProblem]:  # fmt: skip
    """One line per problem: dataset, batch, file, row, field, reason."""
    return q.list_quarantine(ws, dataset, batch, limit)


@router.get("/quarantine/batch")
def quarantine_show(_: IngestWrite, ws: WorkspaceDep, batch: Annotated[str, Query(min_length=1, max_length=100)],
                    row: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
                    ) -> list[q.QuarantinedRow]:  # fmt: skip
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


@router.delete("/quarantine")
def quarantine_clear(_: IngestWrite, ws: WorkspaceDep, dataset: Annotated[str, Query(min_length=1, max_length=100)],
                     batch: OneBatch = None) -> Cleared:  # fmt: skip
    """Drop a dataset's quarantined rows (whole batches, one lake commit) once they are fixed and re-ingested.

    Without ``batch`` every batch of the dataset goes, as with ``valueloop quarantine clear``.
    """
    lookup(ws.datasets, dataset)
    return Cleared(dataset=dataset, batch=batch, cleared=q.clear_quarantine(ws, dataset, batch))
