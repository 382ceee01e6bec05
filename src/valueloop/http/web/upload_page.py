"""The upload page: send files into a dataset through ``POST /api/v1/ingest/{dataset}`` and show what happened.

The API does every check (type, size, readability, rows); the page only picks the dataset and
files and shows the summary, or the API's refusal, in the page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.http.deps import IngestWrite, WorkspaceDep
from valueloop.http.limits import UPLOAD_SUFFIXES as ALLOWED
from valueloop.http.web.render import page, translator
from valueloop.locale.ingest import REASONS

router = APIRouter(include_in_schema=False)
MIB = 1024 * 1024


@router.get("/upload", response_class=HTMLResponse)
def upload(who: IngestWrite, ws: WorkspaceDep, request: Request) -> Response:
    datasets = [(d.name, d.doc) for d in ws.datasets.values() if not d.derived]
    limit: int = request.app.state.settings.max_upload_bytes
    lang = translator(request).locale
    reasons = [(pattern, words[lang]) for pattern, words in REASONS]  # upload.js words the rows' reasons with them
    return page(request, "upload.html", who, datasets=datasets, limit_mib=limit / MIB, accept=",".join(ALLOWED),
                reasons=reasons)  # fmt: skip
