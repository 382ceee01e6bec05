"""Standard documents: versions, hashes, the unified diff, and the actions that cite a version."""

from __future__ import annotations

from datetime import date

import pytest

from valueloop.errors import InputError
from valueloop.improvement.documents import DocKind, body_sha256
from valueloop.improvement.service.actions import create_action
from valueloop.improvement.service.documents import (
    DocumentAdded,
    add_document,
    diff_documents,
    get_document,
    list_documents,
)
from valueloop.store.workspace import Workspace

V1 = "# 退款话术\n\n1. 您好，请问有什么可以帮您？\n2. 退款将在 7 个工作日内到账。\n"
V2 = "# 退款话术\n\n1. 您好，请问有什么可以帮您？\n2. 退款将在 3 个工作日内到账。\n3. 如有疑问请致电。\n"


def _add(ws: Workspace, body: str) -> DocumentAdded:
    return add_document(
        ws,
        "script-refund",
        body,
        title="退款话术",
        kind=DocKind.script,
        owner="客服部",
        effective_from=date(2026, 10, 1),
    )


def test_versions_hashes_and_diff(ws: Workspace) -> None:
    assert _add(ws, V1).version == 1
    second = _add(ws, V2)
    assert (second.version, second.sha256) == (2, body_sha256(V2))
    with pytest.raises(InputError, match="identical to v2"):
        _add(ws, V2)
    assert [(d.doc_id, d.version) for d in list_documents(ws)] == [("script-refund", 2)]
    assert list_documents(ws, DocKind.manual) == []
    assert get_document(ws, "script-refund", 1).body == V1
    diff = diff_documents(ws, "script-refund", 1)
    assert diff.to_version == 2
    assert diff.diff.splitlines() == [
        "--- script-refund v1",
        "+++ script-refund v2",
        "@@ -1,4 +1,5 @@",
        " # 退款话术",
        " ",
        " 1. 您好，请问有什么可以帮您？",
        "-2. 退款将在 7 个工作日内到账。",
        "+2. 退款将在 3 个工作日内到账。",
        "+3. 如有疑问请致电。",
    ]


def test_an_action_references_the_version_it_introduces(ws: Workspace) -> None:
    _add(ws, V1)
    _add(ws, V2)
    fields = {"title": "新话术", "owner": "o", "department": "客服部"}
    aid = create_action(ws, {**fields, "documents": [{"doc_id": "script-refund", "version": 2}]}, "alice")
    assert get_document(ws, "script-refund").actions == [aid]
    assert get_document(ws, "script-refund", 1).actions == []
    with pytest.raises(InputError, match="script-refund v3 does not exist"):
        create_action(ws, {**fields, "documents": [{"doc_id": "script-refund", "version": 3}]}, "alice")
    with pytest.raises(InputError, match="no document nope"):
        get_document(ws, "nope")
