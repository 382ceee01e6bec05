"""The workspace's surveys (``surveys/*.yaml``) and its signing secret.

A broken survey file is reported with its problems and never hides the others: pages and
invitations of every valid survey keep working while one file is being fixed. A parsed survey is
kept while its file's bytes stay the same: every page view and answer needs it, and parsing the
YAML again each time cost more than the rest of the request; an edited file is read afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import threading
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.results import Result
from valueloop.store.workspace import Workspace
from valueloop.surveys.loader import SUFFIXES, Topics, load_survey, load_surveys
from valueloop.surveys.spec import ID, Survey

SECRET_ENV = "VALUELOOP_SURVEY_SECRET"
SECRET_FILE = ".survey-secret"
MIN_SECRET = 16
CACHED = 256
STARTERS = ("after_service",)
"""Shipped surveys ``valueloop init`` copies into a new workspace (the others in ``templates/surveys``: by hand)."""
_parsed: dict[Path, tuple[bytes, Survey]] = {}
_lock = threading.Lock()


class SurveySummary(BaseModel):
    id: str
    version: int
    title: str
    questions: int
    channel: str
    follow_up_rules: int


class Catalog(BaseModel):
    surveys: list[SurveySummary]
    problems: dict[str, str]
    """Broken file name → its problems (file:line each)."""


class SurveyDetail(Survey, Result):
    """One survey as the API shows it: the validated file, every field (the same document as the YAML)."""


def show_survey(ws: Workspace, survey_id: str) -> SurveyDetail:
    """The survey ``survey_id`` as a result (errors as :func:`get_survey`)."""
    return SurveyDetail.model_validate(get_survey(ws, survey_id).model_dump())


def surveys_dir(ws: Workspace) -> Path:
    return ws.root / "surveys"


def shipped_survey(name: str) -> Path:
    """The survey file ``name`` shipped in ``valueloop/templates/surveys`` (InputError naming the shipped ones)."""
    folder = Path(str(resources.files("valueloop.templates").joinpath("surveys")))
    file = folder / f"{name}.yaml"
    if not ID.match(name) or not file.is_file():
        shipped = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise InputError(f"no shipped survey {name[:80]!r}; shipped: {shipped}")
    return file


def shipped_survey_text(name: str, changes: Mapping[str, object] | None = None) -> str:
    """The shipped survey's YAML; with ``changes``, a top-level section that is a mapping in both
    (``trigger``, ``follow_up``) is updated key by key and anything else replaced — how the demo and
    the bench keep the one survey and set their own sampling and case owners. Comments are kept only
    without changes."""
    text = shipped_survey(name).read_text(encoding="utf-8")
    if not changes:
        return text
    doc = yaml.safe_load(text)
    for key, value in changes.items():
        old = doc.get(key)
        doc[key] = {**old, **value} if isinstance(old, dict) and isinstance(value, Mapping) else value
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def install_starter_surveys(ws: Workspace) -> list[Path]:
    """Copy the :data:`STARTERS` into the workspace's ``surveys/`` (never over a user's file); the files copied."""
    surveys_dir(ws).mkdir(exist_ok=True)
    copied = []
    for name in STARTERS:
        target = surveys_dir(ws) / f"{name}.yaml"
        if not target.exists():
            shutil.copyfile(shipped_survey(name), target)
            copied.append(target)
    return copied


def catalog(ws: Workspace, lang: str = "zh") -> Catalog:
    good, bad = load_surveys(surveys_dir(ws), _topics(ws))
    rows = [
        SurveySummary(
            id=s.id,
            version=s.version,
            title=s.title.get(lang),
            questions=len(s.questions),
            channel=s.trigger.channel.value,
            follow_up_rules=len(s.follow_up.rules),
        )
        for s in good.values()
    ]
    return Catalog(surveys=rows, problems=bad)


def get_survey(ws: Workspace, survey_id: str) -> Survey:
    """The survey ``survey_id`` (InputError when there is none, SpecError listing its problems when broken)."""
    if not ID.match(survey_id):
        raise InputError(f"no survey {survey_id[:80]!r}: ids are lower-case letters, digits and _")
    for suffix in SUFFIXES:
        file = surveys_dir(ws) / f"{survey_id}{suffix}"
        if file.is_file():
            return _load(file, _topics(ws))
    raise InputError(f"no survey {survey_id!r} in {surveys_dir(ws)}")


def _topics(ws: Workspace) -> Topics:
    """The category ids of the taxonomy the text commands use (read only when a text rule names a topic)."""

    def ids() -> frozenset[str]:
        from valueloop.voice.service.text import taxonomy_of

        return frozenset(c.id for c in taxonomy_of(ws))

    return ids


def _load(file: Path, topics: Topics) -> Survey:
    """``load_survey(file)``, parsed once per content (a broken file is not kept: it raises every time)."""
    digest = hashlib.blake2b(file.read_bytes(), digest_size=16).digest()
    with _lock:
        hit = _parsed.get(file)
    if hit is not None and hit[0] == digest:
        return hit[1]
    survey = load_survey(file, topics)
    with _lock:
        if len(_parsed) >= CACHED:
            _parsed.clear()
        _parsed[file] = (digest, survey)
    return survey


def secret(ws: Workspace) -> bytes:
    """The key that signs survey links: ``VALUELOOP_SURVEY_SECRET``, else the workspace's own, made once.

    Changing it invalidates every link already sent, which is the way to revoke them all.
    """
    env = os.environ.get(SECRET_ENV, "")
    if env:
        if len(env) < MIN_SECRET:
            raise InputError(f"{SECRET_ENV} must be at least {MIN_SECRET} characters")
        return env.encode()
    file = ws.root / SECRET_FILE
    if not file.exists():
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return file.read_text(encoding="ascii").strip().encode()
