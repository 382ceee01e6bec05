"""Case write-ups (案例) of what award winners did: a Markdown file per case, indexed by agent and period."""

from __future__ import annotations

import hashlib

from valueloop.people.disputes import PERIOD
from valueloop.people.records import Record, next_id, now


def add_case(records: list[Record], *, agent: str, period: str, title: str, text: str, by: str) -> Record:
    """Append a case record (the text itself is stored next to the index as ``<case_id>.md``)."""
    if not PERIOD.match(period):
        raise ValueError(f"period must be a month such as 2026-10, got {period!r}")
    if not title.strip():
        raise ValueError("a case needs a title")
    if not text.strip():
        raise ValueError("the case write-up is empty")
    case_id = next_id(records, "case_id", "C")
    rec: Record = {
        "case_id": case_id,
        "agent_id": agent,
        "period": period,
        "title": title,
        "file": f"{case_id}.md",
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "added_by": by,
        "added_at": now(),
    }
    records.append(rec)
    return rec


def case_of(records: list[Record], agent: str, period: str) -> str | None:
    """The newest case id of ``agent`` in ``period``, if any."""
    ids = [r["case_id"] for r in records if r["agent_id"] == agent and r["period"] == period]
    return ids[-1] if ids else None
