"""``/api/v1/models``: the workspace's evaluation models and their versions, and checking a model file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from valueloop.evaluation.service.models import check_model_text, model_files, model_summary
from valueloop.http.deps import ModelsRead, WorkspaceDep
from valueloop.spec.model_loader import load_model

router = APIRouter(tags=["models"])


class ModelText(BaseModel):
    """``models validate`` for one file that is not installed: its YAML text and the name to report it under."""

    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(max_length=1_000_000)]
    filename: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$")] = "model.yaml"


@router.get("/models")
def list_models(_: ModelsRead, ws: WorkspaceDep) -> list[dict[str, Any]]:
    """Every model file: id, version, name, level, period grain, effective date."""
    return [model_summary(load_model(path), path.name) for path in model_files(ws)]


@router.post("/models/validate")
def validate(_: ModelsRead, body: ModelText) -> dict[str, Any]:
    """Check a model file without installing it: every problem as ``file:line: path: message``, as the CLI lists them.

    Answers ``valid`` with the model's summary (as ``GET /models`` lists it), or the problems.
    Anchors and aliases (``&x`` / ``*x``) are refused: expanding them is how a small file grows huge.
    """
    return check_model_text(body.text, body.filename)
