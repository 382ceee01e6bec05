"""``/api/v1/ingest/{dataset}``: upload files into a dataset (multipart), same checks as the CLI.

The upload is streamed to a temporary folder with a size cap; an unsupported type or an
oversized file is refused before the ingest starts, so nothing is stored.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePath
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile

from valueloop.api.deps import IngestWrite, WorkspaceDep
from valueloop.errors import InputError, ValueloopError
from valueloop.flows.ingest import IngestSummary, ingest
from valueloop.spec.datasets import DATASETS

router = APIRouter(tags=["ingest"])
ALLOWED = (".csv", ".tsv", ".xlsx", ".parquet", ".json", ".jsonl")
CHUNK = 1 << 20


class TooLarge(ValueloopError):
    """The upload is larger than the server accepts."""

    http_status = 413


@router.post("/ingest/{dataset}", status_code=201)
def upload(_: IngestWrite, ws: WorkspaceDep, request: Request, dataset: str,
           files: Annotated[list[UploadFile], File(description="One or more source files")]) -> IngestSummary:
    """Ingest the uploaded files into ``dataset``; rows that fail checks are quarantined, as with the CLI."""
    if dataset not in DATASETS:
        raise InputError(f"unknown dataset {dataset!r}; known: {', '.join(sorted(DATASETS))}")
    limit: int = request.app.state.settings.max_upload_bytes
    with tempfile.TemporaryDirectory(prefix="vl-upload-") as tmp:
        paths = [_save(f, Path(tmp), i, limit) for i, f in enumerate(files)]
        return ingest(ws, dataset, paths)


def _save(upload: UploadFile, folder: Path, number: int, limit: int) -> Path:
    name = PurePath(upload.filename or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise InputError(f"{name or 'upload'}: unsupported file type {suffix or '(none)'!r}; "
                         f"send one of {', '.join(ALLOWED)}")
    target = folder / f"{number}-{name}"
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"{name}: larger than the {limit:,}-byte upload limit")
            out.write(chunk)
    return target
