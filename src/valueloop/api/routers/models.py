"""``/api/v1/models``: the workspace's evaluation models and their versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from valueloop.api.deps import ModelsRead, WorkspaceDep
from valueloop.flows.models import model_files
from valueloop.spec.model_loader import load_model

router = APIRouter(tags=["models"])


@router.get("/models")
def list_models(_: ModelsRead, ws: WorkspaceDep) -> list[dict[str, Any]]:
    """Every model file: id, version, name, level, period grain, effective date."""
    out = []
    for path in model_files(ws):
        m = load_model(path)
        out.append({"id": m.id, "version": m.version, "name": m.name, "level": m.level, "period": m.period.value,
                    "effective_from": m.effective_from, "file": path.name,
                    "indicators": [i.id for i in m.indicators]})
    return out
