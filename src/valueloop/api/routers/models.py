"""``/api/v1/models``: the workspace's evaluation models and their versions, and checking a model file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from valueloop.api.deps import ModelsRead, WorkspaceDep
from valueloop.errors import SpecError
from valueloop.flows.models import model_files
from valueloop.spec.model import EvaluationModel
from valueloop.spec.model_loader import load_model

router = APIRouter(tags=["models"])
MAX_DEPTH = 64
"""Deepest nesting of collections a posted file may have (a model needs about ten levels)."""


class ModelText(BaseModel):
    """``models validate`` for one file that is not installed: its YAML text and the name to report it under."""

    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(max_length=1_000_000)]
    filename: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$")] = "model.yaml"


@router.get("/models")
def list_models(_: ModelsRead, ws: WorkspaceDep) -> list[dict[str, Any]]:
    """Every model file: id, version, name, level, period grain, effective date."""
    return [_summary(load_model(path), path.name) for path in model_files(ws)]


def _summary(m: EvaluationModel, file: str) -> dict[str, Any]:
    return {"id": m.id, "version": m.version, "name": m.name, "level": m.level, "period": m.period.value,
            "effective_from": m.effective_from, "file": file, "indicators": [i.id for i in m.indicators]}  # fmt: skip


@router.post("/models/validate")
def validate(_: ModelsRead, body: ModelText) -> dict[str, Any]:
    """Check a model file without installing it: every problem as ``file:line: path: message``, as the CLI lists them.

    Answers ``valid`` with the model's summary (as ``GET /models`` lists it), or the problems.
    Anchors and aliases (``&x`` / ``*x``) are refused: expanding them is how a small file grows huge.
    """
    refused = _refused(body.text, body.filename)
    if refused:
        return {"file": body.filename, "valid": False, "problems": [refused], "model": None}
    with tempfile.TemporaryDirectory(prefix="vl-model-") as folder:
        path = Path(folder) / body.filename
        path.write_text(body.text, encoding="utf-8")
        try:
            model = load_model(path)
        except SpecError as err:
            return {"file": body.filename, "valid": False, "problems": problem_lines(str(err), path, body.filename),
                    "model": None}  # fmt: skip
        except (RecursionError, MemoryError):  # Python's parser gives up on a deeply nested derived expression
            problem = f"{body.filename}:1: (top): nested too deeply to check"
            return {"file": body.filename, "valid": False, "problems": [problem], "model": None}
    return {"file": body.filename, "valid": True, "problems": [], "model": _summary(model, body.filename)}


def _refused(text: str, name: str) -> str | None:
    """Why the text is not even parsed (aliases, deep nesting), with its line; None when it may be."""
    depth = 0
    try:
        for token in yaml.scan(text):
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                return f"{name}:{token.start_mark.line + 1}: (top): YAML anchors and aliases are not accepted here"
            if isinstance(token, yaml.BlockSequenceStartToken | yaml.BlockMappingStartToken
                          | yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):  # fmt: skip
                depth += 1
                if depth > MAX_DEPTH:
                    return f"{name}:{token.start_mark.line + 1}: (top): nested deeper than {MAX_DEPTH} levels"
            elif isinstance(token, yaml.BlockEndToken | yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken):
                depth -= 1
    except yaml.YAMLError:
        return None  # the loader reports the syntax error with its line
    return None


def problem_lines(message: str, file: Path, name: str) -> list[str]:
    """The problem lines of a spec error, ``file`` (a server path) shown as ``name``, without the count header."""
    lines = message.replace(str(file), name).splitlines()
    if len(lines) > 1 and " problem(s) in " in lines[0]:
        return lines[1:]
    return lines
