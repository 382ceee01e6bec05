"""Use cases over the workspace's evaluation models: list, validate, pick the version in force."""

from __future__ import annotations

import shutil
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from valueloop.errors import InputError, SpecError
from valueloop.spec.model import EvaluationModel
from valueloop.spec.model_loader import load_model, validate_models
from valueloop.store.workspace import Workspace

TEMPLATES = ("three-dimension", "experience-score", "servqual")


def template_path(name: str) -> Path:
    path = Path(str(resources.files("valueloop.templates") / f"{name}.yaml"))
    if not path.is_file():
        raise InputError(f"unknown template {name!r}; available: {', '.join(available_templates())}")
    return path


def available_templates() -> list[str]:
    folder = Path(str(resources.files("valueloop.templates")))
    return sorted(p.stem for p in folder.glob("*.yaml"))


def install_template(ws: Workspace, name: str) -> Path:
    """Copy template ``name`` into the workspace's models folder (never overwriting a user's file)."""
    source = template_path(name)
    target = ws.models_dir / source.name
    if not target.exists():
        shutil.copyfile(source, target)
    return target


def model_files(ws: Workspace) -> list[Path]:
    return sorted([*ws.models_dir.glob("*.yaml"), *ws.models_dir.glob("*.yml")])


def validate_workspace_models(ws: Workspace) -> list[str]:
    return validate_models(model_files(ws))


def load_versions(ws: Workspace, model_id: str | None) -> list[EvaluationModel]:
    """Every version of one model, oldest first; the only model when ``model_id`` is None."""
    models = [_load(f, *_stamp(f)) for f in model_files(ws)]
    if not models:
        raise InputError(f"no evaluation models in {ws.models_dir}; run `valueloop init --template three-dimension`")
    ids = sorted({m.id for m in models})
    if model_id is None:
        preferred = ws.settings.workspace.template
        model_id = preferred if preferred in ids else ids[0]
    chosen = sorted((m for m in models if m.id == model_id), key=lambda m: m.version)
    if not chosen:
        raise InputError(f"no model {model_id!r}; models here: {', '.join(ids)}")
    versions = [m.version for m in chosen]
    if len(set(versions)) != len(versions):
        raise SpecError(f"model {model_id!r} has two files with the same version number")
    return chosen


def _stamp(file: Path) -> tuple[int, int]:
    stat = file.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=256)
def _load(file: Path, mtime_ns: int, size: int) -> EvaluationModel:
    """A model file parsed once per version of the file (models are frozen; every page asks for them)."""
    return load_model(file)


def version_in_force(versions: list[EvaluationModel], on: date, version: int | None = None) -> EvaluationModel:
    """The explicit ``version``, else the newest whose ``effective_from`` is on or before ``on``."""
    if version is not None:
        match = [m for m in versions if m.version == version]
        if not match:
            raise InputError(f"model {versions[0].id!r} has no version {version} (has {[m.version for m in versions]})")
        return match[0]
    in_force = [m for m in versions if m.effective_from <= on]
    return in_force[-1] if in_force else versions[0]
