"""Mystery-shopper checklists: YAML → frozen model, validated all at once, and visit scoring.

A checklist is a list of items, each with a weight (weights sum to 1), an optional
``critical`` flag (a failed critical item fails the whole visit, whatever the rest
scored) and the evidence it needs (``photo``, ``audio``, ``receipt`` or ``none``). Every
problem in a file is reported at once with file:line, like evaluation models.

>>> c = Checklist(id="x", name=Text(zh="x", en="x"), items=(
...     Item(id="greet", text=Text(zh="问候", en="greet"), weight=0.4),
...     Item(id="safe", text=Text(zh="安全", en="safety"), weight=0.6, critical=True)))
>>> score_visit(c, {"greet": "pass", "safe": "pass"}).score
1.0
>>> score_visit(c, {"greet": "pass", "safe": "fail"}).score
0.0
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from valueloop.spec.model import Text
from valueloop.spec.yamlsource import Problem, load_yaml

WEIGHT_TOLERANCE = 1e-6
Result = str  # "pass" | "fail" | "na"


class Evidence(StrEnum):
    none = "none"
    photo = "photo"
    audio = "audio"
    receipt = "receipt"


def _text(value: object) -> object:
    return {"zh": value, "en": value} if isinstance(value, str) else value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Item(_Frozen):
    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$")
    text: Text
    weight: Annotated[float, Field(gt=0, le=1)]
    critical: bool = False
    evidence: Evidence = Evidence.none

    _t = field_validator("text", mode="before")(_text)


class Checklist(_Frozen):
    id: str
    name: Text
    version: int = Field(default=1, ge=1)
    pass_mark: float = Field(default=0.8, ge=0, le=1)
    """A visit passes when its score reaches this and no critical item failed."""
    items: tuple[Item, ...] = Field(min_length=1)

    _name = field_validator("name", mode="before")(_text)

    @property
    def by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}


def check_checklist(c: Checklist) -> Iterator[Problem]:
    """Meaning checks pydantic cannot express: weights sum to 1, item ids unique."""
    total = sum(i.weight for i in c.items)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        yield Problem(("items",), f"item weights sum to {total:.6g}, they must sum to 1")
    seen: set[str] = set()
    for k, item in enumerate(c.items):
        if item.id in seen:
            yield Problem(("items", k, "id"), f"duplicate item id {item.id!r}")
        seen.add(item.id)


def load_checklist(file: Path) -> Checklist:
    """Parse ``file``; raise :class:`SpecError` listing every problem with file:line, or return it."""
    doc = load_yaml(file)
    try:
        checklist = Checklist.model_validate(doc.data)
    except ValidationError as err:
        doc.fail([Problem(tuple(e["loc"]), e["msg"]) for e in err.errors()])
        raise AssertionError("unreachable") from err
    doc.fail(list(check_checklist(checklist)))
    return checklist


def builtin_checklists() -> dict[str, Path]:
    """The checklists shipped in ``valueloop/templates/checklists``, by file stem."""
    folder = resources.files("valueloop.templates").joinpath("checklists")
    return {Path(str(f)).stem: Path(str(f)) for f in folder.iterdir() if str(f).endswith(".yaml")}


@dataclass(frozen=True)
class VisitScore:
    """One visit scored against a checklist; ``problems`` lists what made it incomplete."""

    score: float
    passed: bool
    critical_failed: tuple[str, ...]
    missing_evidence: tuple[str, ...]
    unanswered: tuple[str, ...]


def score_visit(
    c: Checklist, results: Mapping[str, Result], evidence: Mapping[str, str | None] | None = None
) -> VisitScore:
    """Weighted share of applicable items passed; a failed critical item makes the score 0.

    ``evidence`` maps item id → evidence reference (a photo hash, …); an item that needs
    evidence and has none is reported and counted as failed, since the claim cannot be checked.
    """
    evidence = evidence or {}
    missing = tuple(
        i.id
        for i in c.items
        if i.evidence is not Evidence.none and results.get(i.id) == "pass" and not evidence.get(i.id)
    )
    ok = {i.id: results.get(i.id) == "pass" and i.id not in missing for i in c.items}
    applicable = [i for i in c.items if results.get(i.id) in ("pass", "fail")]
    critical = tuple(i.id for i in c.items if i.critical and results.get(i.id) == "fail")
    total = sum(i.weight for i in applicable)
    score = sum(i.weight for i in applicable if ok[i.id]) / total if total > 0 else float("nan")
    score = 0.0 if critical else score
    unanswered = tuple(i.id for i in c.items if i.id not in results)
    return VisitScore(score, not critical and score >= c.pass_mark, critical, missing, unanswered)
