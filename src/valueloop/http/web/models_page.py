"""The models page: every model and version, one model's dimensions and weights, and the AHP editor.

The editor's consistency check runs in the API (``POST /api/v1/weights/ahp``), so the page and
the CLI compute CR with the same code.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from valueloop.errors import InputError
from valueloop.evaluation.service.models import load_versions, model_files
from valueloop.http.deps import ModelsRead, WorkspaceDep
from valueloop.http.web.i18n import Translator
from valueloop.http.web.render import page, translator
from valueloop.spec.model import EvaluationModel
from valueloop.spec.model_loader import load_model

router = APIRouter(include_in_schema=False)


def _listing(models: list[EvaluationModel], tr: Translator) -> list[dict[str, Any]]:
    rows = [{"id": m.id, "version": m.version, "name": tr.text(m.name), "level": m.level, "period": m.period.value,
             "effective_from": m.effective_from, "dimensions": len(m.dimensions), "indicators": len(m.indicators)}
            for m in models]  # fmt: skip
    return sorted(rows, key=lambda r: (r["id"], r["version"]))


def _ahp_sets(m: EvaluationModel, tr: Translator) -> list[dict[str, Any]]:
    """The judgement sets the editor offers: the dimensions, then each dimension's weighted indicators."""
    dims = [tr.text(d.name) for d in m.dimensions]
    sets: list[dict[str, Any]] = [{"key": "dimensions", "label": tr.t("dimensions"), "criteria": dims, "matrix": None}]
    for d in m.dimensions:
        names = [tr.text(i.name) for i in d.indicators if i.weight > 0]
        if len(names) >= 2:
            matrix = [[_number(x) for x in row] for row in d.weighting.matrix] if d.weighting.matrix else None
            sets.append({"key": d.id, "label": tr.text(d.name), "criteria": names, "matrix": matrix})
    return sets


def _number(cell: float | str) -> float:
    if isinstance(cell, str) and "/" in cell:
        top, _, bottom = cell.partition("/")
        return float(top) / float(bottom)
    return float(cell)


@router.get("/models", response_class=HTMLResponse)
def models(who: ModelsRead, ws: WorkspaceDep, request: Request, model: str | None = None) -> Response:
    tr = translator(request)
    listing = _listing([load_model(p) for p in model_files(ws)], tr)
    chosen = None
    if listing:
        try:
            chosen = load_versions(ws, model)[-1]
        except InputError:
            chosen = load_versions(ws, None)[-1]
    sets = _ahp_sets(chosen, tr) if chosen else []
    return page(request, "models.html", who, listing=listing, chosen=chosen, sets=sets)
