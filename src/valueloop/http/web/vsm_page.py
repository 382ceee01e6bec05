"""The value-streams page: the VSM chart of a defined process, measured from real step timestamps.

Reads :func:`valueloop.improvement.service.vsm.value_stream_map` (what ``valueloop vsm`` prints), limited to
the interactions of a scoped caller's units; without step data it says so instead of drawing anything.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.errors import ValueloopError
from valueloop.http.deps import ActionsRead, WorkspaceDep, units_of
from valueloop.http.web.i18n import Translator
from valueloop.http.web.render import page, translator
from valueloop.improvement.service.vsm_view import process_ids, step_months, unit_map

router = APIRouter(include_in_schema=False)


def step_label(step: dict[str, Any], tr: Translator) -> str:
    """The step's recorded name in Chinese; in English the head of its description (``Intake — …``) if it has one."""
    head = str(step.get("description", "")).split("—")[0].strip().rstrip(".")
    return str(step["name"]) if tr.zh or not head else head


def _chart(found: dict[str, Any], labels: dict[str, str], tr: Translator) -> dict[str, Any]:
    steps = found["steps"]
    names = [labels.get(s["step"], s["step"]) for s in steps]
    bottleneck = found["summary"]["bottleneck"]
    planned = [min(s["wait_median"] or 0.0, s["planned_wait_minutes"]) for s in steps]
    totals = [round((s["wait_median"] or 0.0) + (s["process_median"] or 0.0), 1) for s in steps]
    return {
        "steps": names,
        "planned": [_round(p) if s["wait_median"] is not None else None for p, s in zip(planned, steps, strict=True)],
        "wait": [_round(s["wait_median"] - p) if s["wait_median"] is not None else None
                 for p, s in zip(planned, steps, strict=True)],
        "process": [_round(s["process_median"]) for s in steps],
        "standard": [_round(s["standard_minutes"]) for s in steps],
        "bottleneck": next((i for i, s in enumerate(steps) if s["step"] == bottleneck), None),
        "labels": [tr.t("waiting_min"), tr.t("processing_min"), tr.t("standard_min"), tr.t("planned_wait_min")],
        "unit": tr.t("minutes"),
        "totals": totals,
        "cap": axis_cap(totals),
        "total_label": tr.t("step_total"),
    }  # fmt: skip


def axis_cap(totals: list[float]) -> float | None:
    """Where the chart's axis stops: None normally; when one step's bar is over three times the next
    longest, 1.5 × that next one, so the other steps (the bottleneck among them) stay readable."""
    ranked = sorted((t for t in totals if t > 0), reverse=True)
    if len(ranked) < 2 or ranked[0] <= 3 * ranked[1]:
        return None
    return round(1.5 * ranked[1], 1)


def bilingual(name: str, tr: Translator) -> str:
    """``中文 / English`` (the packaged processes' naming) → the part for this locale."""
    zh, sep, en = name.partition(" / ")
    return (zh if tr.zh else en).strip() if sep else name


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@router.get("/vsm", response_class=HTMLResponse)
def vsm(
    who: ActionsRead, ws: WorkspaceDep, request: Request, process: str | None = None, period: str | None = None
) -> Response:
    tr = translator(request)
    try:
        processes, months = process_ids(ws), step_months(ws)
    except ValueloopError:
        processes, months = [], []
    chosen = process if process in processes else (processes[0] if processes else None)
    period = period if period in months else None
    context: dict[str, Any] = {"processes": processes, "process": chosen, "months": months, "period": period}
    if not months or chosen is None:
        return page(request, "vsm.html", who, found=None, charts=None, **context)
    found = unit_map(ws, chosen, period, units_of(ws, who)).model_dump()  # the template reads dicts
    labels = {s["name"]: step_label(s, tr) for s in found["process"]["steps"]}
    charts = {"vsm": _chart(found, labels, tr)} if found["summary"]["interactions"] else None
    title = bilingual(found["process"]["name"] or chosen, tr)
    return page(request, "vsm.html", who, found=found, labels=labels, process_name=title, charts=charts, **context)
