"""Training records whose ``staff_id`` is not a person in ``staff``."""

from __future__ import annotations

from typing import Any

import pandas as pd


def record_key(row: pd.Series) -> str:
    """The training key ``staff_id/course_id/enrolled_at`` of one row."""
    at = row["enrolled_at"]
    when = at.isoformat() if hasattr(at, "isoformat") else str(at)
    return f"{row['staff_id']}/{row['course_id']}/{when}"


def unknown_staff(training: pd.DataFrame, staff_ids: set[str]) -> list[dict[str, Any]]:
    """Every training row (with its ``lake_file``/``row`` columns when present) naming an unknown person."""
    bad = training[~training["staff_id"].astype(str).isin(staff_ids)]
    out = []
    for _, r in bad.iterrows():
        out.append(
            {
                "record": record_key(r),
                "staff_id": str(r["staff_id"]),
                "course_id": str(r["course_id"]),
                "lake_file": r.get("lake_file"),
                "batch_id": r.get("batch_id"),
                "source": r.get("source"),
                "row": None if r.get("row") is None else int(r["row"]),
            }
        )
    return out


def describe(p: dict[str, Any]) -> str:
    """One line naming the record and where it came from."""
    where = f"row {p['row']} of {p['lake_file']}" if p.get("lake_file") else "the lake"
    batch = f", batch {p['batch_id']}" if p.get("batch_id") else ""
    src = f", from {p['source']}" if p.get("source") else ""
    return f"training record {p['record']} ({where}{batch}{src}): staff_id {p['staff_id']!r} is not in staff"
