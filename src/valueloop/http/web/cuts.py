"""Which cut of the stored runs the rankings page and its downloads show: model, period, level, region, segment.

One home for the selector rules, so the page and its CSV/XLSX exports cannot disagree: an
unknown or unavailable choice falls back to the latest (never an error page), a region is one of
the caller's (accounts scope), and a field level (``field:agent_id``) has no region to keep. A segment
(``spend_tier:high``, one of the model's declared customer segments) ranks the run's units on that
segment's rows, evaluated on demand (:mod:`valueloop.evaluation.service.segments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from valueloop.accounts.service.accounts import Principal, visible_units
from valueloop.errors import InputError
from valueloop.evaluation.service.directory import UnitInfo, below, unit_directory
from valueloop.evaluation.service.scores import latest_run, run_choices, run_levels, run_results
from valueloop.evaluation.service.segments import Segment, segment_choices, segment_results
from valueloop.spec.model import level_field
from valueloop.store.workspace import Workspace


@dataclass(frozen=True)
class Cut:
    """The chosen selectors (None = the latest / all) and what the caller may choose from."""

    model: str | None
    period: str | None
    level: str | None
    region: str | None
    choices: dict[str, list[str]]
    levels: list[str]
    regions: list[UnitInfo]
    segment: Segment | None = None
    segments: tuple[Segment, ...] = ()


def choose(
    ws: Workspace,
    who: Principal,
    model: str | None = None,
    period: str | None = None,
    level: str | None = None,
    region: str | None = None,
    segment: str | None = None,
) -> Cut:
    """The cut asked for, each selector kept only if the caller may pick it."""
    choices = run_choices(ws)
    model = model if model in choices else None
    period = period if period in choices.get(model or "", []) else None
    shown = model or _latest_model(ws) or ""
    levels = run_levels(ws).get(shown, [])
    segments = tuple(segment_choices(ws, shown)) if shown else ()
    picked = Segment.parse(segment)
    level = level if level in levels else None
    units = unit_directory(ws)
    seen = visible_units(ws, who)
    regions = [u for u in units.values() if u.level == "region" and (seen is None or u.entity_id in seen)]
    region = region if region in {r.entity_id for r in regions} else None
    if level and level_field(level):
        region = None  # a field's values (agent ids) are not in the tree: no region to keep them under
    return Cut(model, period, level, region, choices, levels, regions, picked if picked in segments else None, segments)


def _latest_model(ws: Workspace) -> str | None:
    """The model of the latest run: the one the page shows when none is chosen (one row read, not its results)."""
    try:
        return str(latest_run(ws, None, None).model_id)
    except InputError:
        return None


def results(ws: Workspace, who: Principal, cut: Cut) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The run of ``cut`` (None if there is none) and its results the caller may see, kept to the region."""
    seen = visible_units(ws, who)
    try:
        found = segment_results(ws, seen, cut.segment, cut.period, cut.model, cut.level)
        run = (found or run_results(ws, seen, cut.period, cut.model, cut.level)).model_dump()
    except InputError:
        return None, []
    keep = cut.region and not level_field(run["level"])
    under = below(unit_directory(ws), cut.region) if keep and cut.region else None
    return run, [r for r in run["results"] if under is None or r["entity_id"] in under]
