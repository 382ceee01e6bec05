"""Is a recorded visit believable? Duration, opening hours and re-used photos.

A mystery-shopper report is only worth its evidence. Three checks, each a problem row
``{"audit_id", "check", "detail"}`` so a reviewer sees every doubtful visit at once:

* ``too_short``: the visit lasted less than ``min_minutes`` (or has no end time);
* ``outside_hours``: it started before opening or ended after closing, local time;
* ``duplicate_photo``: an evidence hash also appears in another visit (a re-used photo).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pandas as pd


@dataclass(frozen=True)
class VisitRules:
    min_minutes: float = 10.0
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    timezone: str = "Asia/Shanghai"


def _local(ts: pd.Series, tz: str) -> pd.Series:
    ts = pd.to_datetime(ts)
    return ts.dt.tz_convert(tz) if ts.dt.tz is not None else ts


def check_duration(audits: pd.DataFrame, rules: VisitRules) -> list[dict[str, str]]:
    minutes = (pd.to_datetime(audits["ended_at"]) - pd.to_datetime(audits["started_at"])).dt.total_seconds() / 60
    bad = audits[minutes.isna() | (minutes < rules.min_minutes)]
    mins = minutes[bad.index]
    return [
        {
            "audit_id": str(a),
            "check": "too_short",
            "detail": "no end time" if pd.isna(m) else f"{m:.1f} min < {rules.min_minutes:g} min",
        }
        for a, m in zip(bad["audit_id"], mins, strict=True)
    ]


def check_hours(audits: pd.DataFrame, rules: VisitRules) -> list[dict[str, str]]:
    start, end = _local(audits["started_at"], rules.timezone), _local(audits["ended_at"], rules.timezone)
    early = start.dt.time < rules.opens
    late = end.notna() & ((end.dt.time > rules.closes) | (end.dt.date > start.dt.date))
    out = []
    for a, s, e in zip(audits["audit_id"][early | late], start[early | late], end[early | late], strict=True):
        span = f"{s:%H:%M}–{e:%H:%M}" if pd.notna(e) else f"{s:%H:%M}–?"
        out.append(
            {
                "audit_id": str(a),
                "check": "outside_hours",
                "detail": f"{span} outside {rules.opens:%H:%M}–{rules.closes:%H:%M}",
            }
        )
    return out


def check_photos(items: pd.DataFrame) -> list[dict[str, str]]:
    hashes = items.dropna(subset=["evidence_hash"])[["audit_id", "evidence_hash"]].drop_duplicates()
    shared = hashes.groupby("evidence_hash")["audit_id"].agg(lambda s: sorted(map(str, s)))
    shared = shared[shared.map(len) > 1]
    pairs: list[tuple[str, list[str]]] = [(str(h), list(ids)) for h, ids in shared.items()]
    return [
        {
            "audit_id": a,
            "check": "duplicate_photo",
            "detail": f"photo {h[:12]} also in {', '.join(x for x in ids if x != a)}",
        }
        for h, ids in pairs
        for a in ids
    ]


def verify_visits(audits: pd.DataFrame, items: pd.DataFrame, rules: VisitRules | None = None) -> list[dict[str, str]]:
    """Every problem of every visit, sorted by audit id then check."""
    rules = rules or VisitRules()
    found = check_duration(audits, rules) + check_hours(audits, rules) + check_photos(items)
    return sorted(found, key=lambda p: (p["audit_id"], p["check"]))
