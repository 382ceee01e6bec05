"""Standard documents: service manuals, scripts (话术) and exception plans as versioned Markdown.

A version is immutable and identified by the SHA-256 of its body, so "which script was in
force when the action was verified" has one answer; a change is read as a unified diff.
"""

from __future__ import annotations

import difflib
import hashlib
from enum import StrEnum


class DocKind(StrEnum):
    manual = "manual"
    script = "script"
    exception_plan = "exception_plan"


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def unified_diff(doc_id: str, old: tuple[int, str], new: tuple[int, str]) -> str:
    """The change from version ``old`` to ``new`` (each ``(version, body)``), as a unified diff.

    >>> print(unified_diff("s", (1, "您好\\n"), (2, "您好，请问\\n")), end="")
    --- s v1
    +++ s v2
    @@ -1 +1 @@
    -您好
    +您好，请问
    """
    lines = difflib.unified_diff(
        old[1].splitlines(keepends=True),
        new[1].splitlines(keepends=True),
        fromfile=f"{doc_id} v{old[0]}",
        tofile=f"{doc_id} v{new[0]}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
