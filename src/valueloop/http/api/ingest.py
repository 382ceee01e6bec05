"""``/api/v1/ingest/{dataset}`` and ``/api/v1/mappings/suggest/{dataset}``: uploads, same checks as the CLI.

An upload is streamed to a temporary folder with a size cap; an unsupported type or an
oversized file is refused before anything reads it, so nothing is stored. ``ingest``
stores the rows (bad ones quarantined); ``mappings/suggest`` only reads the header and a
sample and answers the proposed mapping YAML, as ``valueloop mappings suggest`` prints it.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePath
from typing import Annotated

import pyarrow as pa
from fastapi import APIRouter, File, Request, UploadFile
from pydantic import BaseModel

from valueloop.errors import InputError, TooLarge, ValueloopError
from valueloop.http.deps import IngestWrite, WorkspaceDep
from valueloop.http.limits import UPLOAD_SUFFIXES as ALLOWED
from valueloop.ingest.service.ingest import IngestSummary, ingest
from valueloop.ingest.suggest import suggest_mapping
from valueloop.spec.registry import lookup

router = APIRouter(tags=["ingest"])
CHUNK = 1 << 20
MAX_NAME_BYTES = 200


class MappingSuggestion(BaseModel):
    """A proposed mapping for a person to review: ``yaml`` is the text ``valueloop mappings suggest`` prints."""

    dataset: str
    file: str
    yaml: str


@router.post("/ingest/{dataset}", status_code=201)
def upload(
    _: IngestWrite,
    ws: WorkspaceDep,
    request: Request,
    dataset: str,
    files: Annotated[list[UploadFile], File(description="One or more source files")],
) -> IngestSummary:
    """Ingest the uploaded files into ``dataset``; rows that fail checks are quarantined, as with the CLI."""
    lookup(ws.datasets, dataset)
    limit = _limit(request)
    names = [_name(f) for f in files]
    with tempfile.TemporaryDirectory(prefix="vl-upload-") as tmp:
        paths = []
        for i, (upload, name) in enumerate(zip(files, names, strict=True)):
            (Path(tmp) / str(i)).mkdir()  # one folder per upload: two files may share a name
            paths.append(_save(upload, Path(tmp) / str(i) / name, limit))
        try:
            return ingest(ws, dataset, paths, names=names)
        except ValueloopError as err:  # a reader's message names its path: say the upload's name instead
            err.args = (re.sub(rf"{re.escape(tmp)}/\d+/", "", str(err)),)
            raise


@router.post("/mappings/suggest/{dataset}")
def suggest(_: IngestWrite, ws: WorkspaceDep, request: Request, dataset: str,
            file: Annotated[UploadFile, File(description="A source file whose header and sample to read")],
            ) -> MappingSuggestion:  # fmt: skip
    """Propose a mapping of the file's columns (Chinese or English names) onto ``dataset``; nothing is stored."""
    lookup(ws.datasets, dataset)
    name = _name(file)
    with tempfile.TemporaryDirectory(prefix="vl-upload-") as tmp:
        path = _save(file, Path(tmp) / name, _limit(request))
        try:
            text = suggest_mapping(path, dataset, datasets=ws.datasets)
        except (ValueError, KeyError, pa.ArrowException) as err:  # InputError included: say the name, not the folder
            raise InputError(str(err).replace(f"{tmp}/", "")) from None
    return MappingSuggestion(dataset=dataset, file=name, yaml=text)


def _limit(request: Request) -> int:
    limit: int = request.app.state.settings.max_upload_bytes
    return limit


def _name(upload: UploadFile) -> str:
    """The upload's file name without folders; refused unless its type is one the readers take."""
    name = PurePath(upload.filename or "").name
    try:
        usable = len(name.encode("utf-8")) <= MAX_NAME_BYTES and not any(ord(c) < 32 or ord(c) == 127 for c in name)
    except UnicodeEncodeError:
        usable = False
    if not usable:
        raise InputError(
            f"upload: the file name must be UTF-8 text of at most {MAX_NAME_BYTES} bytes, without control characters"
        )
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise InputError(
            f"{name or 'upload'}: unsupported file type {suffix or '(none)'!r}; send one of {', '.join(ALLOWED)}"
        )
    return name


def _save(upload: UploadFile, target: Path, limit: int) -> Path:
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"{_name(upload)}: larger than the {limit:,}-byte upload limit")
            out.write(chunk)
    return target
