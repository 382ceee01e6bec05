"""``/api/v1/documents``: standard documents (manuals, scripts, exception plans) and their versions."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from valueloop.http.deps import ActionsRead, ActionsWrite, WorkspaceDep
from valueloop.improvement.documents import DocKind
from valueloop.improvement.service import documents as docs

router = APIRouter(tags=["actions"])
DocId = Annotated[str, Query(min_length=1, max_length=200)]
Version = Annotated[int, Query(ge=1, le=2**31 - 1)]


class DocumentIn(BaseModel):
    """A new version of a document (CLI ``docs add``: the body is the Markdown file's text)."""

    model_config = ConfigDict(extra="forbid")
    doc_id: Annotated[str, Field(min_length=1, max_length=200)]
    body: Annotated[str, Field(min_length=1, max_length=1_000_000)]
    title: Annotated[str, Field(min_length=1, max_length=500)]
    kind: DocKind
    owner: Annotated[str, Field(min_length=1, max_length=200)]
    effective_from: date | None = None


@router.get("/documents")
def documents(_: ActionsRead, ws: WorkspaceDep, kind: DocKind | None = None) -> list[docs.DocumentSummary]:
    """Every document's newest version, with its metadata."""
    return docs.list_documents(ws, kind)


@router.get("/documents/version")
def document(_: ActionsRead, ws: WorkspaceDep, doc_id: DocId, version: Version | None = None) -> docs.Document:
    """One version (default: the newest), body included, with the actions that cite it."""
    return docs.get_document(ws, doc_id, version)


@router.get("/documents/diff")
def document_diff(_: ActionsRead, ws: WorkspaceDep, doc_id: DocId, old: Version,
                  new: Version | None = None) -> docs.DocumentDiff:  # fmt: skip
    """The unified diff from version ``old`` to ``new`` (default: the newest)."""
    return docs.diff_documents(ws, doc_id, old, new)


@router.post("/documents", status_code=201)
def add_document(_: ActionsWrite, ws: WorkspaceDep, body: DocumentIn) -> docs.DocumentAdded:
    """Store a new version of a document (identical to the newest: refused)."""
    return docs.add_document(ws, body.doc_id, body.body, title=body.title, kind=body.kind, owner=body.owner,
                             effective_from=body.effective_from or date.today())  # fmt: skip
