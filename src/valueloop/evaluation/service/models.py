"""Use cases over the workspace's evaluation models: list, validate, pick the version in force."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from valueloop.errors import InputError, SpecError, ValueloopError
from valueloop.metrics.periods import version_day
from valueloop.results import Result
from valueloop.spec.datasets import DATASETS, Dataset
from valueloop.spec.model import EvaluationModel, Grain, Text
from valueloop.spec.model_loader import load_model, validate_models
from valueloop.spec.registry import for_workspace
from valueloop.spec.yamlsource import untrusted_problem
from valueloop.store.workspace import Workspace

TEMPLATES = ("three-dimension", "experience-score", "servqual", "servqual-survey")


def template_path(name: str) -> Path:
    """The template's model file, or its folder for a workspace template (``call-centre/``)."""
    root = Path(str(resources.files("valueloop.templates")))
    path = root / f"{name}.yaml"
    if not path.is_file() and not _is_folder_template(root / name):
        raise InputError(f"unknown template {name!r}; available: {', '.join(available_templates())}")
    return path if path.is_file() else root / name


def _is_folder_template(folder: Path) -> bool:
    """A workspace template: a folder with the workspace's own ``datasets/``, ``mappings/`` or ``models/``."""
    return folder.is_dir() and any((folder / sub).is_dir() for sub in WORKSPACE_FOLDERS)


WORKSPACE_FOLDERS = ("datasets", "mappings", "models")


def available_templates() -> list[str]:
    folder = Path(str(resources.files("valueloop.templates")))
    singles = [p.stem for p in folder.glob("*.yaml")]
    return sorted([*singles, *(p.name for p in folder.iterdir() if _is_folder_template(p))])


def template_model_files(name: str) -> list[Path]:
    """The model files a template installs (none yet for a workspace template without ``models/``)."""
    path = template_path(name)
    return [path] if path.is_file() else sorted((path / "models").glob("*.yaml"))


def template_models(name: str) -> list[EvaluationModel]:
    """The template's models, checked against the datasets the template brings (its ``datasets/``)."""
    path = template_path(name)
    datasets = for_workspace(path) if path.is_dir() else DATASETS
    return [load_model(f, datasets) for f in template_model_files(name)]


def install_template(ws: Workspace, name: str) -> Path:
    """Copy template ``name`` into the workspace (never overwriting a user's file).

    A model template is one file for ``models/``; a workspace template is a folder whose
    ``datasets/``, ``mappings/`` and ``models/`` are copied file by file. Returns the model file,
    or the models folder for a workspace template.
    """
    source = template_path(name)
    if source.is_file():
        target = ws.models_dir / source.name
        if not target.exists():
            shutil.copyfile(source, target)
        return target
    for sub in WORKSPACE_FOLDERS:
        for file in sorted((source / sub).glob("*.yaml")):
            target = ws.root / sub / file.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                shutil.copyfile(file, target)
    return ws.models_dir


def model_files(ws: Workspace) -> list[Path]:
    return sorted([*ws.models_dir.glob("*.yaml"), *ws.models_dir.glob("*.yml")])


def validate_workspace_models(ws: Workspace) -> list[str]:
    """Every problem of the workspace's models, columns checked against its datasets (own fields included)."""
    return validate_models(model_files(ws), ws.datasets)


def load_versions(ws: Workspace, model_id: str | None) -> list[EvaluationModel]:
    """Every version of one model, oldest first; the only model when ``model_id`` is None."""
    datasets = tuple(ws.datasets.values())
    models = [_load(f, *_stamp(f), datasets) for f in model_files(ws)]
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


def latest_versions(ws: Workspace) -> list[EvaluationModel]:
    """The newest version of every model in the workspace (files that do not load are left to ``models check``)."""
    newest: dict[str, EvaluationModel] = {}
    for f in model_files(ws):
        try:
            m = _load(f, *_stamp(f), tuple(ws.datasets.values()))
        except ValueloopError:
            continue
        if m.id not in newest or m.version > newest[m.id].version:
            newest[m.id] = m
    return [newest[k] for k in sorted(newest)]


def _stamp(file: Path) -> tuple[int, int]:
    stat = file.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=256)
def _load(file: Path, mtime_ns: int, size: int, datasets: tuple[Dataset, ...]) -> EvaluationModel:
    """A model file parsed once per version of the file and of the workspace's datasets
    (models are frozen; every page asks for them)."""
    return load_model(file, {d.name: d for d in datasets})


def version_in_force(versions: list[EvaluationModel], on: date, version: int | None = None) -> EvaluationModel:
    """The explicit ``version``, else the newest whose ``effective_from`` is on or before ``on``."""
    if version is not None:
        match = [m for m in versions if m.version == version]
        if not match:
            raise InputError(f"model {versions[0].id!r} has no version {version} (has {[m.version for m in versions]})")
        return match[0]
    in_force = [m for m in versions if m.effective_from <= on]
    return in_force[-1] if in_force else versions[0]


def version_for_period(
    versions: list[EvaluationModel], period: str, grain: Grain, version: int | None = None
) -> EvaluationModel:
    """The explicit ``version``, else the one in force for ``period`` (effective at its
    :func:`~valueloop.metrics.periods.version_day`); evaluation, diagnosis and reviews all ask here."""
    return version_in_force(versions, version_day(period, grain), version)


class ModelSummary(Result):
    """A model file as ``GET /api/v1/models`` lists it."""

    id: str
    version: int
    name: Text
    level: str
    period: str
    """The period grain (month, quarter, year)."""
    effective_from: date
    file: str
    indicators: list[str]


class ModelCheck(Result):
    """``POST /api/v1/models/validate``: ``valid`` with the model's summary, or every problem."""

    file: str
    valid: bool
    problems: list[str]
    """``file:line: path: message`` as the CLI lists them."""
    model: ModelSummary | None


def model_summary(m: EvaluationModel, file: str) -> ModelSummary:
    """A model as ``GET /api/v1/models`` lists it."""
    indicators = [i.id for i in m.indicators]
    return ModelSummary(id=m.id, version=m.version, name=m.name, level=m.level, period=m.period.value,
                        effective_from=m.effective_from, file=file, indicators=indicators)  # fmt: skip


def check_model_text(text: str, filename: str) -> ModelCheck:
    """``models validate`` for one model sent as text, not installed: ``valid`` with its summary, or every problem.

    Problems read ``filename:line: path: message`` as the CLI lists them. Text that
    :func:`~valueloop.spec.yamlsource.untrusted_problem` refuses is not parsed at all.
    """
    refused = untrusted_problem(text, filename)
    if refused:
        return ModelCheck(file=filename, valid=False, problems=[refused], model=None)
    with tempfile.TemporaryDirectory(prefix="vl-model-") as folder:
        path = Path(folder) / filename
        path.write_text(text, encoding="utf-8")
        try:
            model = load_model(path)
        except SpecError as err:
            return ModelCheck(file=filename, valid=False, problems=problem_lines(str(err), path, filename), model=None)
        except (RecursionError, MemoryError):  # Python's parser gives up on a deeply nested derived expression
            problem = f"{filename}:1: (top): nested too deeply to check"
            return ModelCheck(file=filename, valid=False, problems=[problem], model=None)
    return ModelCheck(file=filename, valid=True, problems=[], model=model_summary(model, filename))


def problem_lines(message: str, file: Path, name: str) -> list[str]:
    """The problem lines of a spec error, ``file`` (a server path) shown as ``name``, without the count header."""
    lines = message.replace(str(file), name).splitlines()
    if len(lines) > 1 and " problem(s) in " in lines[0]:
        return lines[1:]
    return lines
