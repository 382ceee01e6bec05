"""Use cases of standard documents: add a version, list, show, diff two versions.

Versions are numbered 1, 2, … per document and never change once stored; adding a body
identical to the newest version is refused, so every version is a real change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from valueloop.errors import InputError
from valueloop.improvement.documents import DocKind, body_sha256, unified_diff
from valueloop.results import Instant, Result
from valueloop.store import appdb, ledger_state
from valueloop.store import tables as db
from valueloop.store.workspace import Workspace

D = db.documents


class DocumentSummary(Result):
    """A document's newest version, without its body (``docs list``)."""

    doc_id: str
    version: int
    title: str
    kind: str
    effective_from: date
    owner: str
    sha256: str


class DocumentAdded(DocumentSummary):
    """The version just stored (``docs add``): its metadata and when it was written."""

    created_at: Instant


class Document(Result):
    """One version in full (``docs show``), with the actions that cite it."""

    doc_id: str
    version: int
    title: str
    kind: str
    effective_from: date
    owner: str
    body: str
    sha256: str
    created_at: Instant
    actions: list[int]


class DocumentDiff(Result):
    """``docs diff``: the unified diff between two versions."""

    doc_id: str
    from_version: int
    to_version: int
    diff: str


def add_document(
    ws: Workspace, doc_id: str, body: str, *, title: str, kind: DocKind, owner: str, effective_from: date
) -> DocumentAdded:
    """Store ``body`` as the next version of ``doc_id`` (one transaction); returns its metadata."""
    if not body.strip():
        raise InputError(f"document {doc_id}: the body is empty")
    sha = body_sha256(body)
    with appdb.engine(ws.database_url).begin() as conn:
        newest = conn.execute(
            sa.select(D.c.version, D.c.sha256).where(D.c.doc_id == doc_id).order_by(D.c.version.desc()).limit(1)
        ).first()
        if newest is not None and newest.sha256 == sha:
            raise InputError(f"document {doc_id}: identical to v{newest.version}, nothing to add")
        version = 1 if newest is None else newest.version + 1
        row = {
            "doc_id": doc_id,
            "version": version,
            "title": title,
            "kind": kind.value,
            "effective_from": effective_from,
            "owner": owner,
            "body": body,
            "sha256": sha,
            "created_at": datetime.now(UTC),
        }
        conn.execute(D.insert().values(**row))
        where = (D.c.doc_id == doc_id) & (D.c.version == version)
        ledger_state.record(conn, "document", f"document/{doc_id}@{version}", where, {"owner": owner})
    return DocumentAdded.model_validate({k: v for k, v in row.items() if k != "body"})


def list_documents(ws: Workspace, kind: DocKind | None = None) -> list[DocumentSummary]:
    """The newest version of every document, with how many versions it has."""
    newest = sa.select(D.c.doc_id, sa.func.max(D.c.version).label("versions")).group_by(D.c.doc_id).subquery()
    query = (
        sa.select(D.c.doc_id, D.c.version, D.c.title, D.c.kind, D.c.effective_from, D.c.owner, D.c.sha256)
        .join(newest, (D.c.doc_id == newest.c.doc_id) & (D.c.version == newest.c.versions))
        .order_by(D.c.doc_id)
    )
    if kind is not None:
        query = query.where(D.c.kind == kind.value)
    with appdb.engine(ws.database_url).connect() as conn:
        return [DocumentSummary.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def get_document(ws: Workspace, doc_id: str, version: int | None = None) -> Document:
    """One version (the newest when ``version`` is None), body included, with the actions that cite it."""
    query = sa.select(D).where(D.c.doc_id == doc_id)
    query = query.where(D.c.version == version) if version else query.order_by(D.c.version.desc()).limit(1)
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(query).mappings().first()
        if row is None:
            raise InputError(f"no document {doc_id}" + (f" v{version}" if version else ""))
        ad = db.action_documents
        cited = conn.execute(
            sa.select(ad.c.action_id).where((ad.c.doc_id == doc_id) & (ad.c.version == row["version"]))
        ).scalars()
        stored = {**dict(row), "created_at": appdb.as_utc(row["created_at"])}  # SQLite hands it back naive
        return Document.model_validate(stored | {"actions": sorted(cited)})


def diff_documents(ws: Workspace, doc_id: str, old: int, new: int | None = None) -> DocumentDiff:
    """The unified diff from version ``old`` to ``new`` (default: the newest)."""
    a = get_document(ws, doc_id, old)
    b = get_document(ws, doc_id, new)
    return DocumentDiff(
        doc_id=doc_id,
        from_version=a.version,
        to_version=b.version,
        diff=unified_diff(doc_id, (a.version, a.body), (b.version, b.body)),
    )
