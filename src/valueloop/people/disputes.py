"""Disputes on a scorecard item (申诉): opened by or for an agent, resolved with a decision.

A dispute names an agent, a period and one indicator of the agent scorecard. It is resolved
``upheld`` (the indicator is left out of that agent's scorecard for that period, the other
weights renormalised as for an indicator without data) or ``rejected`` (nothing changes).
Every record keeps who did what, when and why, in ``history``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from valueloop.people.records import Record, next_id, now

STATUSES = ("open", "upheld", "rejected")
DECISIONS = ("upheld", "rejected")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def open_dispute(records: list[Record], *, agent: str, period: str, indicator: str, reason: str, by: str) -> Record:
    """Append a new open dispute to ``records`` and return it."""
    if not PERIOD.match(period):
        raise ValueError(f"period must be a month such as 2026-10, got {period!r}")
    if not reason.strip():
        raise ValueError("a dispute needs a reason")
    at = now()
    rec: Record = {
        "dispute_id": next_id(records, "dispute_id", "D"),
        "agent_id": agent,
        "period": period,
        "indicator": indicator,
        "reason": reason,
        "status": "open",
        "opened_by": by,
        "opened_at": at,
        "decision": None,
        "note": None,
        "resolved_by": None,
        "resolved_at": None,
        "history": [{"at": at, "by": by, "action": "opened", "text": reason}],
    }
    records.append(rec)
    return rec


def resolve_dispute(records: list[Record], dispute_id: str, *, decision: str, note: str, by: str) -> Record:
    """Record the decision on an open dispute (in place) and return it."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
    if not note.strip():
        raise ValueError("a resolution needs a note saying why")
    rec = next((r for r in records if r["dispute_id"] == dispute_id), None)
    if rec is None:
        known = ", ".join(r["dispute_id"] for r in records) or "none"
        raise KeyError(f"no dispute {dispute_id!r}; known: {known}")
    if rec["status"] != "open":
        raise ValueError(
            f"dispute {dispute_id} was already resolved {rec['status']} by {rec['resolved_by']} at {rec['resolved_at']}"
        )
    at = now()
    rec.update(status=decision, decision=decision, note=note, resolved_by=by, resolved_at=at)
    rec["history"].append({"at": at, "by": by, "action": decision, "text": note})
    return rec


def upheld(records: list[Record], period: str) -> dict[str, list[Record]]:
    """Agent id → the upheld disputes of ``period``."""
    out: dict[str, list[Record]] = {}
    for r in records:
        if r["status"] == "upheld" and r["period"] == period:
            out.setdefault(r["agent_id"], []).append(r)
    return out


def rescore(
    scores: Mapping[str, float | None],
    weights: Mapping[str, float],
    dimension_of: Mapping[str, str],
    excluded: set[str],
) -> float | None:
    """The weighted total without ``excluded``, renormalised within and across dimensions.

    ``weights`` are each indicator's share of the total (dimension weight × indicator
    weight); an indicator without a score or excluded counts as absent, as in
    :func:`valueloop.scoring.composite.effective_weights`.
    """
    dims: dict[str, float] = {}
    kept: dict[str, dict[str, float]] = {}
    for ind, w in weights.items():
        d = dimension_of.get(ind, ind)
        dims[d] = dims.get(d, 0.0) + w
        if ind not in excluded and scores.get(ind) is not None:
            kept.setdefault(d, {})[ind] = w
    live = {d: inner for d, inner in kept.items() if sum(inner.values()) > 0}
    outer = sum(dims[d] for d in live)
    if outer <= 0:
        return None
    total = 0.0
    for d, inner in live.items():
        s = sum(inner.values())
        total += dims[d] / outer * sum(w / s * float(scores[k] or 0.0) for k, w in inner.items())
    return total
