"""The rubric catalogue: which rubrics a workspace can score with, and rubric text checked before it is saved.

One home for both, used by ``valueloop qa validate`` and ``/api/v1/qa/rubrics[/validate]``:
the starter rubrics and the workspace's own (``qa/*.yaml``, which win over a starter of the
same name), each loaded and validated, a broken one listed with its problems rather than
failing the list. Problems name the file as the workspace knows it (``qa/<file>``), never the
server's own path; text sent over the web is refused unparsed when it has YAML anchors or deep
nesting, and is validated through a temporary file named ``rubric.yaml``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pydantic import Field

from valueloop.errors import InputError, SpecError
from valueloop.qa.rubric import Rubric
from valueloop.qa.rubric_loader import RUBRIC_DIR, load_rubric, starter_rubrics
from valueloop.results import MISSING, Result
from valueloop.spec.yamlsource import untrusted_problem

RUBRIC_FILE = "rubric.yaml"
"""The name problems in rubric text sent for validation carry (``rubric.yaml:3: sections: …``)."""


class RubricEntry(Result):
    """A rubric by the name ``--rubric`` takes: its id, names and item count, or (broken) every problem."""

    name: str
    id: str | MISSING = MISSING
    name_zh: str | MISSING = MISSING
    name_en: str | MISSING = MISSING
    items: int | MISSING = MISSING
    error: str | MISSING = MISSING
    """Every problem with ``qa/<file>:line`` (only for a rubric that does not load)."""
    path: Path = Field(exclude=True)
    """Where the file is (for the CLI; never in the JSON)."""

    @property
    def ok(self) -> bool:
        return not isinstance(self.error, str)


def rubric_files(root: Path | None) -> dict[str, Path]:
    """Name → file: the starter rubrics, then the workspace's own (a same-named one replaces the starter)."""
    own = {f.stem: f for f in sorted((root / RUBRIC_DIR).glob("*.yaml"))} if root is not None else {}
    return {**starter_rubrics(), **own}


def entry(name: str, file: Path, shown: str | None = None) -> RubricEntry:
    """One rubric loaded and validated; problems name the file as ``shown`` (default ``qa/<file>``)."""
    try:
        r = load_rubric(file)
    except SpecError as err:
        label = shown if shown is not None else f"{RUBRIC_DIR}/{file.name}"
        return RubricEntry(name=name, error=str(err).replace(str(file), label), path=file)
    return RubricEntry(name=name, id=r.id, name_zh=r.name.zh, name_en=r.name.en, items=len(r.items), path=file)


def catalog(root: Path | None) -> list[RubricEntry]:
    """Every rubric of the workspace at ``root`` (starters only for None), loaded and validated."""
    return [entry(name, file) for name, file in rubric_files(root).items()]


def validate_text(text: str) -> Rubric:
    """Rubric YAML sent as text: the validated rubric, or every problem with its line in ``rubric.yaml``."""
    refused = untrusted_problem(text, RUBRIC_FILE)
    if refused:
        raise InputError(refused)
    with tempfile.TemporaryDirectory(prefix="vl-rubric-") as tmp:
        file = Path(tmp) / RUBRIC_FILE
        file.write_bytes(text.encode("utf-8"))
        try:
            return load_rubric(file)
        except SpecError as err:
            raise SpecError(str(err).replace(str(file), RUBRIC_FILE)) from None
