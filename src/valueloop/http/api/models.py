"""``/api/v1/models``: the workspace's evaluation models, checking a model file, comparing two versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from valueloop.accounts import scope
from valueloop.evaluation.service.model_diff import ModelDiff, diff_versions
from valueloop.evaluation.service.models import ModelCheck, ModelSummary, check_model_text, model_files, model_summary
from valueloop.http.deps import ModelsRead, ScoresRead, WorkspaceDep
from valueloop.spec.model_loader import load_model

router = APIRouter(tags=["models"])
Version = Annotated[int, Query(ge=1, le=2**31 - 1)]


class ModelText(BaseModel):
    """``models validate`` for one file that is not installed: its YAML text and the name to report it under."""

    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(max_length=1_000_000)]
    filename: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$")] = "model.yaml"


@router.get("/models")
def list_models(_: ModelsRead, ws: WorkspaceDep) -> list[ModelSummary]:
    """Every model file: id, version, name, level, period grain, effective date."""
    return [model_summary(load_model(path), path.name) for path in model_files(ws)]


@router.post("/models/validate")
def validate(_: ModelsRead, body: ModelText) -> ModelCheck:
    """Check a model file without installing it: every problem as ``file:line: path: message``, as the CLI lists them.

    Answers ``valid`` with the model's summary (as ``GET /models`` lists it), or the problems.
    Anchors and aliases (``&x`` / ``*x``) are refused: expanding them is how a small file grows huge.
    """
    return check_model_text(body.text, body.filename)


@router.get("/models/diff", response_model_by_alias=True)
def model_diff(who: ScoresRead, ws: WorkspaceDep, model: Annotated[str, Query(min_length=1, max_length=100)],
               from_: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)],
               to: Version, period: Annotated[str | None, Query(max_length=20)] = None,
               level: Annotated[str | None, Query(max_length=50)] = None) -> ModelDiff:  # fmt: skip
    """Score one period under two versions (nothing stored): rank correlations, movers, every unit's change.

    The rank correlations pool every unit, so a scoped caller gets none (404).
    """
    scope.pooled(who, "model comparison")
    return diff_versions(ws, model, from_, to, period, level)
