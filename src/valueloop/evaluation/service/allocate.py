"""Use case: turn a stored run's scores into a traffic / exposure allocation table.

Marketplaces reward good service with exposure: each unit falls into a score band, the
band's multiplier is its claim on traffic, and the budget is shared in proportion to the
claims. The integers are apportioned by the largest-remainder (Hamilton) method, so the
table always adds up to exactly the budget: an allocation that loses or invents a few
visits cannot be reconciled with the traffic system it feeds.

Bands are written on the 1–5 scale (``"4.5:1.5,4.0:1.2,…"`` = score ≥ 4.5 → ×1.5, …)
and scaled ×20 for a 0–100 run, unless a threshold exceeds 5 (then they are taken as
written on 0–100). A unit without a score falls into the lowest band: no evidence of
quality earns no premium, but the unit is not switched off either.
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.evaluation.service.scores import StoredRun, latest_run
from valueloop.spec.model import Scale
from valueloop.store import appdb, tables
from valueloop.store.workspace import Workspace

DEFAULT_BANDS = "4.5:1.5,4.0:1.2,3.5:1.0,3.0:0.7,0:0.4"
PERCENTILE_BANDS = ((0.10, "top10"), (0.25, "top25"), (0.50, "top50"))
"""Share of scored peers at or above a unit's rank → peer percentile band (else ``rest``)."""
FIVE_TO_HUNDRED = 20.0


class Band(BaseModel, frozen=True):
    """Scores at or above ``threshold`` (and below the next band up) get ``multiplier``."""

    label: str
    threshold: float
    multiplier: float


class AllocationRow(BaseModel):
    """One unit's line of the table (the JSON contract of ``valueloop allocate``)."""

    entity_id: str
    name: str
    score: float | None
    band: str
    multiplier: float
    share: float
    traffic: int
    percentile_band: str


class Allocation(BaseModel):
    run_id: str
    model: str
    period: str
    scale: str
    budget: int
    bands: list[Band]
    rows: list[AllocationRow]


def parse_bands(text: str = DEFAULT_BANDS) -> list[Band]:
    """``"threshold:multiplier,…"`` → bands, best first, labelled A, B, C, …

    Every malformed part is reported at once, as with model files.
    """
    pairs: list[tuple[float, float]] = []
    problems: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        try:
            threshold, multiplier = (float(x) for x in part.split(":"))
        except ValueError:
            problems.append(f"{part!r} is not threshold:multiplier")
            continue
        if not (math.isfinite(threshold) and math.isfinite(multiplier)) or multiplier < 0:
            problems.append(f"{part!r}: threshold must be a number and multiplier a number ≥ 0")
        pairs.append((threshold, multiplier))
    problems += _band_set_problems(pairs)
    if problems:
        raise InputError("bad --bands: " + "; ".join(problems))
    ordered = sorted(pairs, reverse=True)
    return [Band(label=_label(i), threshold=t, multiplier=m) for i, (t, m) in enumerate(ordered)]


def _band_set_problems(pairs: Sequence[tuple[float, float]]) -> list[str]:
    thresholds = [t for t, _ in pairs]
    problems = []
    if len(set(thresholds)) != len(thresholds):
        problems.append("two bands share a threshold")
    if pairs and all(m == 0 for _, m in pairs):
        problems.append("every multiplier is 0, so there is nothing to share the budget by")
    return problems


def _label(index: int) -> str:
    letters = string.ascii_uppercase
    return letters[index] if index < len(letters) else f"Z{index - len(letters) + 1}"


def on_scale(bands: Sequence[Band], scale: str) -> list[Band]:
    """Bands with thresholds on the run's scale (×20 for 0–100 unless already above 5)."""
    if scale != Scale.hundred.value or max(b.threshold for b in bands) > Scale.five.bounds[1]:
        return list(bands)
    return [b.model_copy(update={"threshold": b.threshold * FIVE_TO_HUNDRED}) for b in bands]


def band_of(score: float | None, bands: Sequence[Band]) -> Band:
    """The first band (best first) whose threshold the score reaches; the lowest otherwise."""
    if score is not None:
        for band in bands:
            if score >= band.threshold:
                return band
    return bands[-1]


def percentile_band(rank: int | None, scored: int) -> str:
    """``top10`` / ``top25`` / ``top50`` by the share ``rank / scored``; ``rest`` otherwise or unranked."""
    if rank is None or scored == 0:
        return "rest"
    return next((label for cut, label in PERCENTILE_BANDS if rank / scored <= cut), "rest")


def largest_remainder(weights: Sequence[float], total: int) -> list[int]:
    """Integers proportional to ``weights`` that sum exactly to ``total`` (Hamilton's method).

    Each gets the floor of its quota; the units left over go to the largest fractional
    parts, ties to the earlier position, so the caller's order (best rank first) decides.

    >>> largest_remainder([1.5, 1.0, 1.0], 10)
    [4, 3, 3]
    """
    mass = sum(weights)
    if total < 0 or mass <= 0:
        raise InputError("allocation needs a budget ≥ 0 and at least one positive multiplier")
    quotas = [total * w / mass for w in weights]
    counts = [math.floor(q) for q in quotas]
    left = total - sum(counts)
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in by_remainder[:left]:
        counts[i] += 1
    return counts


def allocate(ws: Workspace, budget: int, run_id: str | None = None, bands: str | None = None) -> Allocation:
    """Allocate ``budget`` over the units of run ``run_id`` (default: the latest run) by ``bands``
    (default: :data:`DEFAULT_BANDS`)."""
    run = _run(ws, run_id)
    scale = str(dict(run.parameters or {}).get("scale", Scale.five.value))
    table = on_scale(parse_bands(bands or DEFAULT_BANDS), scale)
    results = _results(ws, run.run_id)
    rows = allocation_rows(results, table, budget) if results else []
    return Allocation(
        run_id=run.run_id, model=run.model_id, period=run.period, scale=scale, budget=budget, bands=table, rows=rows
    )


def allocation_rows(results: Sequence[dict[str, Any]], bands: Sequence[Band], budget: int) -> list[AllocationRow]:
    """One row per stored result (``entity_id``, ``name``, ``score``, ``rank``), best rank first."""
    ordered = sorted(results, key=lambda r: (r["rank"] is None, r["rank"] or 0, str(r["entity_id"])))
    chosen = [band_of(r["score"], bands) for r in ordered]
    mass = sum(b.multiplier for b in chosen)
    traffic = largest_remainder([b.multiplier for b in chosen], budget)
    scored = sum(1 for r in ordered if r["rank"] is not None)
    return [
        AllocationRow(
            entity_id=str(r["entity_id"]),
            name=str(r.get("name") or r["entity_id"]),
            score=r["score"],
            band=b.label,
            multiplier=b.multiplier,
            share=b.multiplier / mass,
            traffic=t,
            percentile_band=percentile_band(r["rank"], scored),
        )
        for r, b, t in zip(ordered, chosen, traffic, strict=True)
    ]


def _run(ws: Workspace, run_id: str | None) -> StoredRun:
    if run_id is None:
        return latest_run(ws, None, None)
    runs = tables.evaluation_runs
    with appdb.engine(ws.database_url).connect() as conn:
        row = conn.execute(sa.select(runs).where(runs.c.run_id == run_id)).first()
    if row is None:
        raise InputError(f"no stored evaluation run {run_id!r}; `valueloop evaluate` prints the run id")
    return StoredRun.of(row)


def _results(ws: Workspace, run_id: str) -> list[dict[str, Any]]:
    res = tables.evaluation_results
    query = sa.select(res.c.entity_id, res.c.score, res.c.rank, res.c.result).where(res.c.run_id == run_id)
    with appdb.engine(ws.database_url).connect() as conn:
        rows = conn.execute(query).all()
    return [
        {"entity_id": r.entity_id, "score": r.score, "rank": r.rank, "name": dict(r.result).get("name")} for r in rows
    ]
